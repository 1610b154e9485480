/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The steps of the config tests that assign keys of any section, each file's
 * one Diagnostics collecting what they said: an assignment (at line 7 of
 * web.cell, or at a line of a file of the caller's), and config_finish(). */

#include "config-test.h"

static Diagnostics diag;

static inline const char *assign(CellConfig *c, const char *section, const char *key, const char *value) {
        return config_test_assign(&diag, c, section, key, value);
}

/* The same at line of file. */
static inline const char *assign_at(CellConfig *c, const char *section, const char *key, const char *value,
                                    const char *file, unsigned line) {
        size_t before = diag.n_errors;

        ASSERT_OK(config_assign(c, section, key, value, file, line, &diag));
        if (diag.n_errors == before)
                return NULL;
        return diag.messages[strv_length(diag.messages) - 1];
}

#define OK(c, s, k, v) ASSERT_NULL(assign(c, s, k, v))
#define BAD(c, s, k, v, text) ASSERT_CONTAINS(assign(c, s, k, v), text)
#define BAD_EXACT(c, s, k, v, text) ASSERT_STREQ(assign(c, s, k, v), text)

/* config_finish() of web.cell: how many errors it reported. */
static inline size_t finish(CellConfig *c) {
        size_t before = diag.n_errors;

        ASSERT_OK(config_finish(c, "web.cell", &diag));
        return diag.n_errors - before;
}
