/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exec='s command as written, against what the start refuses in any tree:
 * a path through a /proc "magic" link (/proc/self/exe, /proc/1/root/...).
 * The start's check (spawn/exec-interpreter.c) opens the path in the
 * container and so also finds links to one; the literal path needs no
 * tree, and refused here "cell verify" says what "cell run" would. */

#include <stdbool.h>
#include <string.h>

#include "fs-util.h"
#include "plan-internal.h"

static bool component_is(const char *c, size_t n, const char *name) {
        return n == strlen(name) && memcmp(c, name, n) == 0;
}

static bool component_is_number(const char *c, size_t n) {
        return n > 0 && strspn(c, "0123456789") >= n;
}

bool plan_path_has_proc_magic_link(const char *path) {
        const char *s = path, *c;
        size_t n;

        /* A relative command is looked up in $PATH; ".." could lead anywhere. */
        if (!path || path[0] != '/' || strstr(path, ".."))
                return false;
        c = path_next_component(&s, &n);
        if (!c || !component_is(c, n, "proc"))
                return false;
        /* /proc/self and /proc/thread-self are plain links, to PID and PID/task/TID. */
        c = path_next_component(&s, &n);
        if (!c || !(component_is(c, n, "self") || component_is(c, n, "thread-self") || component_is_number(c, n)))
                return false;
        c = path_next_component(&s, &n);
        if (c && component_is(c, n, "task")) {
                c = path_next_component(&s, &n);
                if (!c || !component_is_number(c, n))
                        return false;
                c = path_next_component(&s, &n);
        }
        if (!c)
                return false;
        /* The process's links themselves; fd/, map_files/ and ns/ hold them. */
        if (component_is(c, n, "exe") || component_is(c, n, "cwd") || component_is(c, n, "root"))
                return true;
        if (component_is(c, n, "fd") || component_is(c, n, "map_files") || component_is(c, n, "ns"))
                return path_next_component(&s, &n) != NULL;
        return false;
}

int plan_command_check_proc(const Plan *p, const CellConfig *c, Diagnostics *diag) {
        const char *file;
        unsigned line;

        /* Exec='s own command: not init (Boot=yes) nor a command line's,
         * which are no line of the unit (the start checks those). */
        if (!p->argv_expand || !p->argv || !plan_path_has_proc_magic_link(p->argv[0]))
                return 0;
        line = cell_config_origin(c, "Exec", 0, &file);
        /* The start's words for it, after "Exec=PATH: ". */
        return diag_error(diag, file, line, "Exec=%s: " PLAN_EXEC_MAGIC_LINK_REFUSED, p->argv[0]) ?: -EINVAL;
}
