/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The running cell a lifecycle verb names on its command line. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs-util.h"

#include "instance.h"
#include "log.h"
#include "name-lock.h"
#include "runtime-state.h"
#include "unit-name.h"
#include "unit-path.h"
#include "utf8.h"
#include "verbs.h"

/* Whether systemd has a transient scope of the cell NAME loaded (NULL: of
 * any cell), by the unit file it writes for each transient unit while it is
 * loaded, in /run/systemd/transient (the user manager's: below
 * $XDG_RUNTIME_DIR): what can be known without its bus. */
static bool transient_scope_loaded(bool user_bus, const char *name) {
        _cleanup_free_ char *dir = NULL, *escaped = NULL, *path = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        const char *runtime = user_bus ? getenv("XDG_RUNTIME_DIR") : "/run";
        struct dirent *de;
        int k;

        /* Without $XDG_RUNTIME_DIR (cron, sudo -u, su) the user's manager
         * still keeps its own below /run/user/UID, as pam_systemd sets it:
         * its bus is what cannot be found then, not its scopes. */
        if (!runtime)
                k = asprintf(&dir, "/run/user/%u/systemd/transient", (unsigned) getuid());
        else
                k = asprintf(&dir, "%s/systemd/transient", runtime);
        if (k < 0) {
                dir = NULL;
                return false;
        }
        if (name) {
                if (unit_name_escape(name, &escaped) < 0 ||
                    asprintf(&path, "%s/cell-%s.scope", dir, escaped) < 0) {
                        path = NULL;
                        return false;
                }
                return faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
        }
        d = opendir(dir);
        while (d && (de = readdir(d)))
                if (startswith(de->d_name, "cell-") && endswith(de->d_name, ".scope"))
                        return true;
        return false;
}

/* With systemd as PID 1, a cell in one of its scopes (every cell@NAME.service
 * runs one) is found only through its bus: without the bus, "not running"
 * would be wrong where systemd has the cell's scope, and a script would take
 * it for a stopped cell. Where it has none, the answer stands. */
bool cli_systemd_unreachable(bool user_bus, const char *name) {
        return scope_expects_systemd(CGROUP_MANAGER_AUTO) && transient_scope_loaded(user_bus, name) &&
               scope_detect_manager(user_bus) != CGROUP_MANAGER_SYSTEMD;
}

/* Whether arg (with or without ".cell") is refused for being one of cell's
 * own names alone ("lock", ".web"), not for being no name at all ("../x",
 * ".a b"), of which "reserved" would say nothing useful. *ret_stem: arg
 * without ".cell". Returns 1, 0 or -ENOMEM. */
static int name_only_reserved(const char *arg, char **ret_stem) {
        _cleanup_free_ char *stem = strndup(arg, strlen(arg) - (endswith(arg, UNIT_SUFFIX) ? strlen(UNIT_SUFFIX) : 0));
        bool r;

        if (!stem)
                return -ENOMEM;
        /* "." and "..": the runtime directory itself and its parent, no
         * file of cell's in it; "reserved" would name a path that is none. */
        r = cell_name_is_reserved(stem) && !streq(stem, ".") && !streq(stem, "..");
        if (r && stem[0] == '.') {
                stem[0] = 'x';
                r = cell_name_is_valid(stem, UNIT_NAME_ANY);
                stem[0] = '.';
        }
        *ret_stem = TAKE_PTR(stem);
        return r;
}

int cli_find_instance(const char *arg, bool user_bus, bool report_not_running,
                      char **ret_name, CellInstance *ret) {
        _cleanup_free_ char *name = NULL, *canonical = NULL, *stem = NULL;
        int r;

        r = unit_name_normalize(arg, &name);
        if (r == -ENOMEM)
                return log_oom(), CELL_EXIT_FAILURE;
        if (r < 0) {
                /* Echoed as "cell list" shows a name: an escape sequence in
                 * what was typed (or pasted) must not reach the terminal. */
                _cleanup_free_ char *shown = utf8_escaped(arg);

                r = name_only_reserved(arg, &stem);
                if (r < 0 || !shown)
                        return log_oom(), CELL_EXIT_FAILURE;
                /* As verify, plan and run say of a unit of that name: no cell
                 * has it (a reserved name is valid but for that: no escape). */
                if (r > 0)
                        log_error("\"%s\" is a reserved name, no cell's: cell keeps its own files in %s/%s, where a "
                                  "cell of that name would keep its runtime state.", stem, runtime_state_dir(), stem);
                else
                        log_error("\"%s\" is not a valid cell name.", shown);
                return CELL_EXIT_FAILURE;
        }

        /* An alias of a unit (web.cell -> nginx.cell) names the cell that
         * unit runs as, even while a cell runs under the alias's own name,
         * as "systemctl stop web.service" stops nginx.service: systemd
         * knows web.service as a name of the unit. That other cell (one
         * started as web before web.cell became a link) is meant only when
         * the unit does not run, so that it can still be stopped by name. */
        r = -ESRCH;
        if (unit_name_canonical(name, NULL, &canonical) >= 0 && !streq(canonical, name)) {
                r = instance_find(canonical, user_bus, ret);
                if (r >= 0) {
                        free(name);
                        name = TAKE_PTR(canonical);
                }
        }
        if (r == -ESRCH)
                r = instance_find(name, user_bus, ret);
        /* Neither runs: a start of the unit under way (its name's
         * lock alone, name-lock.h) is what the alias names, as a running
         * one, for status, stop and kill to find; and where systemd's bus
         * does not answer, the unit's scope counts as the alias's own. */
        if (r == -ESRCH && canonical && !streq(canonical, name)) {
                _cleanup_close_ int holder = name_lock_holder_pidfd(canonical, NULL);

                if (holder >= 0 || cli_systemd_unreachable(user_bus, canonical)) {
                        free(name);
                        name = TAKE_PTR(canonical);
                }
        }
        if (r == -ESRCH && cli_systemd_unreachable(user_bus, name)) {
                log_error("Cannot tell whether cell %s runs: the %s bus does not answer, and systemd's scopes "
                          "are looked up through it.", name, user_bus ? "user" : "system");
                return CELL_EXIT_FAILURE;
        }
        if (r == -ESRCH) {
                if (report_not_running)
                        log_error("cell %s is not running.", name);
                *ret_name = TAKE_PTR(name);
                return CELL_EXIT_NOT_RUNNING;
        }
        if (r == -EBADMSG) {
                /* Which file, so that it can be looked at (or removed). */
                log_error("Looking up cell %s: its runtime state %s/%s/state does not parse (written by another "
                          "version of cell?).", name, runtime_state_dir(), name);
                return CELL_EXIT_FAILURE;
        }
        if (r < 0) {
                log_error_errno(r, "Looking up cell %s: %m", name);
                return CELL_EXIT_FAILURE;
        }
        *ret_name = TAKE_PTR(name);
        return CELL_EXIT_OK;
}

int cli_check_name_option(const char *name) {
        _cleanup_free_ char *n = NULL, *stem = NULL, *shown = NULL;
        int r = unit_name_normalize(name, &n);

        if (r != -EINVAL)
                return r == -ENOMEM ? log_oom() : 0;
        r = name_only_reserved(name, &stem);
        /* As cli_find_instance() echoes a name that is none. */
        shown = utf8_escaped(name);
        if (r < 0 || !shown)
                return log_oom();
        if (r > 0)
                return log_error_errno(EINVAL, "Invalid --name=%s: \"%s\" is a reserved name (cell keeps its own "
                                       "files under it in its runtime directory); name the unit otherwise.",
                                       shown, stem);
        return log_error_errno(EINVAL, "Invalid --name=%s: not a unit name (letters, digits and \":-_.\\\", "
                               "\"NAME@INSTANCE\" for an instance, at most %zu bytes).", shown,
                               (size_t) CELL_NAME_MAX);
}
