/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Scratch unit directories for the generator's tests. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "macros.h"
#include "test.h"

/* A new directory /tmp/PREFIX.XXXXXX (freed and removed by the caller: rm_rf()). */
static inline char *tmpdir_new(const char *prefix) {
        char *d = NULL;
        ASSERT_TRUE(asprintf(&d, "/tmp/%s.XXXXXX", prefix) > 0);
        ASSERT_NOT_NULL(mkdtemp(d));
        return d;
}

static inline void rm_rf(const char *d) {
        _cleanup_free_ char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf '%s'", d) > 0);
        ASSERT_EQ(system(cmd), 0);
}

static inline void write_file(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, name) > 0);
        FILE *f = fopen(p, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
}

/* generator_run() over the units in units into outdir (or printed, dry_run);
 * what it printed and its messages in *ret_out and *ret_err. */
static inline int run_generator(char *units, const char *outdir, bool dry_run, bool mark_warnings,
                                char **ret_out, char **ret_err) {
        char *search[] = { units, NULL };
        char *o = NULL, *e = NULL;
        size_t on = 0, en = 0;
        FILE *out = open_memstream(&o, &on), *err = open_memstream(&e, &en);
        ASSERT_NOT_NULL(out);
        ASSERT_NOT_NULL(err);
        const GeneratorOptions opts = {
                .search_path = search,
                .output_dir = outdir,
                .template_path = "/usr/lib/systemd/system/cell@.service",
                .dry_run = dry_run,
                .out = out,
                .err = err,
                .mark_warnings = mark_warnings,
        };
        int r = generator_run(&opts);
        ASSERT_EQ(fclose(out), 0);
        ASSERT_EQ(fclose(err), 0);
        *ret_out = o;
        *ret_err = e;
        return r;
}
