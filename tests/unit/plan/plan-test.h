/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Hand-made CellConfigs for the plan tests: what unit_load() would give for
 *
 *   # NAME.cell
 *   [Root]
 *   Directory=/var/lib/cell/test
 *   [Exec]
 *   Exec=/bin/sh -c true
 *
 * plus whatever a test sets on top. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "plan.h"
#include "strv.h"
#include "test.h"
#include "unit.h"

static inline char *xstrdup(const char *s) {
        char *d = strdup(s);
        ASSERT_NOT_NULL(d);
        return d;
}

static inline void config_minimal(CellConfig *c, const char *name) {
        cell_config_init(c);
        c->name = xstrdup(name);
        ASSERT_TRUE(asprintf(&c->path, "%s.cell", name) > 0);
        c->directory = xstrdup("/var/lib/cell/test");
        ASSERT_OK(strv_extend(&c->exec, "/bin/sh"));
        ASSERT_OK(strv_extend(&c->exec, "-c"));
        ASSERT_OK(strv_extend(&c->exec, "true"));
}

/* What unit_load() makes of text as the file NAME.cell, with dropin (unless
 * NULL) as NAME.cell.d/x.conf (in a temporary directory, gone on return),
 * for the tests that must see the reader's part too: the file and line of
 * each value, the order a key's values come in. */
static inline void config_from_files(CellConfig *c, const char *name, const char *text, const char *dropin) {
        char dir[] = "/tmp/test-plan-XXXXXX";
        _cleanup_free_ char *path = NULL, *ddir = NULL, *dpath = NULL;
        Diagnostics d = {};
        FILE *f;
        int r;

        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_TRUE(asprintf(&path, "%s/%s.cell", dir, name) > 0);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_TRUE(fputs(text, f) >= 0);
        ASSERT_EQ(fclose(f), 0);
        if (dropin) {
                ASSERT_TRUE(asprintf(&ddir, "%s.d", path) > 0);
                ASSERT_TRUE(asprintf(&dpath, "%s/x.conf", ddir) > 0);
                ASSERT_EQ(mkdir(ddir, 0755), 0);
                f = fopen(dpath, "we");
                ASSERT_NOT_NULL(f);
                ASSERT_TRUE(fputs(dropin, f) >= 0);
                ASSERT_EQ(fclose(f), 0);
        }
        r = unit_load(path, &(UnitLoadOptions) { .search_path = (char *[]) { NULL } }, c, &d);
        if (dropin) {
                ASSERT_EQ(unlink(dpath), 0);
                ASSERT_EQ(rmdir(ddir), 0);
        }
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(rmdir(dir), 0);
        STRV_FOREACH(m, d.messages)
                fprintf(stderr, "%s\n", *m);
        ASSERT_OK(r);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(strv_length(c->dropin_paths), dropin ? 1U : 0U);
        diag_done(&d);
}

static inline void config_from_text(CellConfig *c, const char *name, const char *text) {
        config_from_files(c, name, text, NULL);
}

static inline void config_add_bind(CellConfig *c, const char *source, const char *target, bool read_only,
                                   unsigned line) {
        CellBind *b = realloc(c->binds, sizeof(CellBind) * (c->n_binds + 1));
        ASSERT_NOT_NULL(b);
        c->binds = b;
        c->binds[c->n_binds++] = (CellBind) {
                .source = xstrdup(source),
                .target = target ? xstrdup(target) : NULL,
                .read_only = read_only,
                .recursive = true,
                .line = line,
        };
}

static inline void config_add_inaccessible(CellConfig *c, const char *path, const char *file, unsigned line) {
        CellInaccessible *l = realloc(c->inaccessible, sizeof(CellInaccessible) * (c->n_inaccessible + 1));
        ASSERT_NOT_NULL(l);
        c->inaccessible = l;
        c->inaccessible[c->n_inaccessible++] = (CellInaccessible) {
                .path = xstrdup(path),
                .file = file ? xstrdup(file) : NULL,
                .line = line,
        };
}

static inline void config_add_syscall(CellConfig *c, const char *name, int error) {
        CellSyscall *s = realloc(c->syscall_filter, sizeof(CellSyscall) * (c->n_syscall_filter + 1));
        ASSERT_NOT_NULL(s);
        c->syscall_filter = s;
        c->syscall_filter[c->n_syscall_filter++] = (CellSyscall) {
                .name = xstrdup(name),
                .error = error,
        };
        c->syscall_filter_set = true;
}

/* What printer (plan_print_text, plan_print_json) writes of p, which must
 * succeed, all of it written: a string to free. */
static inline char *plan_printed(const Plan *p, int (*printer)(const Plan *, FILE *)) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        ASSERT_OK(printer(p, f));
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

/* Builds the plan and expects success, with diag empty of errors. */
static inline void plan_ok(const CellConfig *c, const PlanOptions *o, Plan *p) {
        Diagnostics d = {};
        int r = plan_build(c, o, p, &d);
        if (r < 0)
                STRV_FOREACH(m, d.messages)
                        fprintf(stderr, "%s\n", *m);
        ASSERT_OK(r);
        ASSERT_EQ(d.n_errors, 0);
        diag_done(&d);
}

/* Builds the plan, expects -EINVAL and a message containing needle. */
static inline void plan_fails(const CellConfig *c, const char *needle) {
        Diagnostics d = {};
        Plan p = {};
        _cleanup_free_ char *all = NULL;

        ASSERT_ERROR(plan_build(c, NULL, &p, &d), EINVAL);
        ASSERT_TRUE(d.n_errors > 0);
        all = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(all, needle);
        diag_done(&d);
}

/* A unit "m" of the default [Root] Directory= with entries (its lines 3 on)
 * and Exec=/bin/true: its plan fails with a message containing needle ... */
static inline void plan_entries_fail(const char *entries, const char *needle) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n%s\n[Exec]\nExec=/bin/true\n", entries) > 0);
        config_from_text(&c, "m", text);
        plan_fails(&c, needle);
        cell_config_done(&c);
}

/* ... or is made without an error. */
static inline void plan_entries_pass(const char *entries) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;
        Plan p = {};

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n%s\n[Exec]\nExec=/bin/true\n", entries) > 0);
        config_from_text(&c, "m", text);
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);
}

/* The plan of c fails with exactly n messages, the i-th containing want[i],
 * in that order; d keeps them for the caller (diag_done()). */
static inline void plan_fails_in_order(const CellConfig *c, const char * const *want, size_t n, Diagnostics *d) {
        Plan p = {};

        ASSERT_ERROR(plan_build(c, NULL, &p, d), EINVAL);
        ASSERT_EQ(d->n_messages, n);
        for (size_t i = 0; i < n; i++)
                ASSERT_CONTAINS(d->messages[i], want[i]);
}

static inline const PlanMount *plan_find_mount(const Plan *p, const char *target, size_t *ret_index) {
        for (size_t i = 0; i < p->n_mounts; i++)
                if (streq(p->mounts[i].target, target)) {
                        if (ret_index)
                                *ret_index = i;
                        return &p->mounts[i];
                }
        return NULL;
}

static inline const PlanProperty *plan_find_property(const Plan *p, const char *name, size_t *ret_index) {
        for (size_t i = 0; i < p->n_properties; i++)
                if (streq(p->properties[i].name, name)) {
                        if (ret_index)
                                *ret_index = i;
                        return &p->properties[i];
                }
        return NULL;
}

static inline const PlanSyscallRule *plan_find_syscall(const Plan *p, const char *name) {
        for (size_t i = 0; i < p->n_syscalls; i++)
                if (streq(p->syscalls[i].name, name))
                        return &p->syscalls[i];
        return NULL;
}

/* The property, which must be there. */
__attribute__((returns_nonnull))
static inline const PlanProperty *plan_property(const Plan *p, const char *name) {
        const PlanProperty *q = plan_find_property(p, name, NULL);
        if (!q)
                TEST_FAIL("no property %s", name);
        return q;
}
