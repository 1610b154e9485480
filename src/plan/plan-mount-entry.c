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

/* A Bind='s options of a config made by hand (no raw text): the words that
 * have an effect, in the parser's order. ":OPTS" needs a target before it:
 * "SRC::OPTS" mounts SRC at SRC. */
static void bind_put_options(FILE *f, const CellBind *b) {
        const struct {
                bool set;
                const char *word;
        } words[] = {
                { !b->recursive, "norbind" },
                { b->nosuid,     "nosuid"  },
                { b->nodev,      "nodev"   },
                { b->noexec,     "noexec"  },
                { b->idmap,      "idmap"   },
        };
        bool first = true;

        for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                if (!words[i].set)
                        continue;
                if (first)
                        fputs(b->target ? ":" : "::", f);
                else
                        fputc(',', f);
                fputs(words[i].word, f);
                first = false;
        }
}

/* "Key=value" with the value as the unit wrote it. */
static char *entry_as_written(const char *key, const char *raw) {
        char *s = NULL;

        if (asprintf(&s, "%s=%s", key, raw) < 0)
                return NULL;
        return s;
}

char *plan_bind_entry(const CellBind *b) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (b->raw)
                return entry_as_written(b->read_only ? "BindReadOnly" : "Bind", b->raw);
        f = open_memstream(&buf, &size);
        if (f) {
                fprintf(f, "%s=%s", b->read_only ? "BindReadOnly" : "Bind", b->ignore_missing ? "-" : "");
                put_path(f, b->source);
                if (b->target) {
                        fputc(':', f);
                        put_path(f, b->target);
                }
                bind_put_options(f, b);
        }
        return stream_done(f, &buf);
}

char *plan_tmpfs_entry(const CellTmpfs *t) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (t->raw)
                return entry_as_written("TemporaryFileSystem", t->raw);
        f = open_memstream(&buf, &size);
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
        FILE *f;

        if (o->raw)
                return entry_as_written(o->read_only ? "OverlayReadOnly" : "Overlay", o->raw);
        f = open_memstream(&buf, &size);
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
        if (asprintf(&s, "Inaccessible=%s", e->raw ?: e->path) < 0)
                return NULL;
        return s;
}

/* Whether an entry written at file:line is m's (whose file is the entry's,
 * else the unit's: plan_mount_set_origin()). */
static bool entry_is(const CellConfig *c, const char *file, unsigned line, const PlanMount *m, const char *target) {
        return line == m->line && streq_ptr(file ?: c->path, m->file) && streq_ptr(target, m->target);
}

size_t plan_mount_entry_item(const CellConfig *c, const PlanMount *m) {
        if (m->kind != PLAN_MOUNT_MASK)
                return 0;
        for (size_t i = 0; i < c->n_inaccessible; i++) {
                const CellInaccessible *e = &c->inaccessible[i];

                if (entry_is(c, e->file, e->line, m, e->path))
                        return i;
        }
        return 0;
}

/* The place of file among the files the unit was read from, in reading
 * order; one it was not read from (a config made by hand) after them all. */
static size_t file_rank(const char *unit_path, char * const *dropin_paths, const char *file) {
        size_t n = strv_length((char **) dropin_paths);

        if (!file || streq_ptr(file, unit_path))
                return 0;
        for (size_t i = 0; i < n; i++)
                if (streq(dropin_paths[i], file))
                        return 1 + i;
        return 1 + n;
}

int plan_mount_error_at(PlanMountErrors *e, const char *unit_path, char * const *dropin_paths, const char *file,
                        unsigned line, size_t item, const char *entry, const char *text) {
        _cleanup_free_ char *m = NULL;
        PlanMountError *l;
        int r;

        file = file ?: unit_path;
        /* As diag_error() writes a place: a config made by hand may have none. */
        if (file && line > 0)
                r = asprintf(&m, "%s:%u: %s: %s", file, line, entry, text);
        else if (file)
                r = asprintf(&m, "%s: %s: %s", file, entry, text);
        else
                r = asprintf(&m, "%s: %s", entry, text);
        if (r < 0)
                return -ENOMEM;
        l = reallocarray(e->errors, e->n_errors + 1, sizeof(PlanMountError));
        if (!l)
                return -ENOMEM;
        e->errors = l;
        l[e->n_errors++] = (PlanMountError) {
                .text = TAKE_PTR(m),
                .rank = file_rank(unit_path, dropin_paths, file),
                .line = line,
                .item = item,
        };
        return -EINVAL;
}

int plan_mount_entry_error(PlanMountErrors *e, const CellConfig *c, const char *file, unsigned line, size_t item,
                           char *entry, const char *fmt, ...) {
        _cleanup_free_ char *ent = entry, *text = NULL;
        va_list ap;
        int r;

        if (!ent)
                return -ENOMEM;
        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return plan_mount_error_at(e, c->path, c->dropin_paths, file, line, item, ent, text);
}

void plan_mount_errors_done(PlanMountErrors *e) {
        for (size_t i = 0; i < e->n_errors; i++)
                free(e->errors[i].text);
        e->errors = mfree(e->errors);
        e->n_errors = 0;
}

int plan_mount_errors_flush(PlanMountErrors *e, Diagnostics *diag) {
        /* A stable insertion sort by (file, line, item): of one entry, the
         * order the checks found its problems in. A handful at most. */
        for (size_t i = 1; i < e->n_errors; i++) {
                PlanMountError x = e->errors[i];
                size_t j = i;

                for (; j > 0; j--) {
                        const PlanMountError *y = &e->errors[j - 1];

                        if (y->rank < x.rank || (y->rank == x.rank && (y->line < x.line ||
                                                                        (y->line == x.line && y->item <= x.item))))
                                break;
                        e->errors[j] = e->errors[j - 1];
                }
                e->errors[j] = x;
        }
        for (size_t i = 0; i < e->n_errors; i++)
                if (diag_error(diag, NULL, 0, "%s", e->errors[i].text) < 0)
                        return -ENOMEM;
        plan_mount_errors_done(e);
        return 0;
}
