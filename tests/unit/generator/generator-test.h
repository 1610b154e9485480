/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Scratch unit directories for the generator's tests. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
