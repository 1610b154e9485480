/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The unit's mount entries written back as the unit has them, for the
 * messages of plan-mount.c (plan-mount-entry.h). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "parse-util.h"
#include "plan-mount-entry.h"
#include "strv.h"

/* Writes path to f as a ':'-separated value has it. */
static void put_path(FILE *f, const char *path) {
        char buf[PATH_ESCAPED_MAX];

        fputs(path_escape_colons(path, buf, sizeof buf), f);
}

/* The text of a memory stream (its buffer is set by fclose()), or NULL if
 * anything failed. */
static char *stream_done(FILE *f, char **buf) {
        if (!f)
                return NULL;
        if (fclose(f) != 0)
                return *buf = mfree(*buf);
        return *buf;
}

char *plan_bind_entry(const CellBind *b) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (f) {
                fprintf(f, "%s=%s", b->read_only ? "BindReadOnly" : "Bind", b->ignore_missing ? "-" : "");
                put_path(f, b->source);
                if (b->target) {
                        fputc(':', f);
                        put_path(f, b->target);
                }
        }
        return stream_done(f, &buf);
}

char *plan_tmpfs_entry(const CellTmpfs *t) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (f) {
                fputs("TemporaryFileSystem=", f);
                put_path(f, t->path);
                if (t->options)
                        fprintf(f, ":%s", t->options);
        }
        return stream_done(f, &buf);
}

char *plan_overlay_entry(const CellOverlay *o) {
        size_t n_lower = strv_length(o->lower);
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (f) {
                fprintf(f, "%s=", o->read_only ? "OverlayReadOnly" : "Overlay");
                STRV_FOREACH(l, o->lower) {
                        put_path(f, *l);
                        fputc(':', f);
                }
                put_path(f, o->upper);
                /* "LOWER:UPPER", nspawn's two paths: the upper is the
                 * destination too (parse_overlay()). */
                if (n_lower != 1 || isempty(o->upper) || !streq(o->upper + (o->upper[0] == '+'), o->target)) {
                        fputc(':', f);
                        put_path(f, o->target);
                }
        }
        return stream_done(f, &buf);
}

char *plan_inaccessible_entry(const CellInaccessible *e) {
        char *s = NULL;

        /* One path of a list of blank-separated ones: no ':' to escape. */
        if (asprintf(&s, "Inaccessible=%s", e->path) < 0)
                return NULL;
        return s;
}

/* Whether an entry written at file:line is m's (whose file is the entry's,
 * else the unit's: plan_mount_set_origin()). */
static bool entry_is(const CellConfig *c, const char *file, unsigned line, const PlanMount *m, const char *target) {
        return line == m->line && streq_ptr(file ?: c->path, m->file) && streq_ptr(target, m->target);
}

char *plan_mount_entry(const CellConfig *c, const PlanMount *m, const char *key) {
        char *s = NULL;

        switch (m->kind) {
        case PLAN_MOUNT_BIND:
                for (size_t i = 0; i < c->n_binds; i++) {
                        const CellBind *b = &c->binds[i];
                        const char *target = b->target ?: b->source + (b->source[0] == '+');

                        if (entry_is(c, b->file, b->line, m, target) && b->read_only == !!(m->flags & MS_RDONLY))
                                return plan_bind_entry(b);
                }
                break;
        case PLAN_MOUNT_OVERLAY:
                for (size_t i = 0; i < c->n_overlays; i++) {
                        const CellOverlay *o = &c->overlays[i];

                        if (entry_is(c, o->file, o->line, m, o->target))
                                return plan_overlay_entry(o);
                }
                break;
        case PLAN_MOUNT_FS:
                for (size_t i = 0; i < c->n_tmpfs; i++) {
                        const CellTmpfs *t = &c->tmpfs[i];

                        if (entry_is(c, t->file, t->line, m, t->path))
                                return plan_tmpfs_entry(t);
                }
                break;
        case PLAN_MOUNT_MASK:
                for (size_t i = 0; i < c->n_inaccessible; i++) {
                        const CellInaccessible *e = &c->inaccessible[i];

                        if (entry_is(c, e->file, e->line, m, e->path))
                                return plan_inaccessible_entry(e);
                }
                break;
        case PLAN_MOUNT_DEVICE:
        case PLAN_MOUNT_SYMLINK:
        case PLAN_MOUNT_READ_ONLY:
        case PLAN_MOUNT_CGROUP:
        case _PLAN_MOUNT_KIND_MAX:
        default:
                break;
        }
        if (asprintf(&s, "%s%s", key, m->target) < 0)
                return NULL;
        return s;
}

int plan_mount_entry_error(Diagnostics *diag, const CellConfig *c, const char *file, unsigned line, char *entry,
                           const char *fmt, ...) {
        _cleanup_free_ char *e = entry, *text = NULL;
        va_list ap;
        int r;

        if (!e)
                return -ENOMEM;
        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return diag_error(diag, file ?: c->path, line, "%s: %s", e, text) ?: -EINVAL;
}
