/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The config tests' one step: an assignment as a unit file makes it, at
 * line 7 of web.cell, and what it said. */

#include "config-parse.h"
#include "strv.h"
#include "test.h"

/* Assigns section's key = value into c, reporting to diag; the one message
 * it produced, NULL for none (more than one fails the test). */
static inline const char *config_test_assign(Diagnostics *diag, CellConfig *c, const char *section,
                                             const char *key, const char *value) {
        size_t before = diag->n_errors;

        ASSERT_OK(config_assign(c, section, key, value, "web.cell", 7, diag));
        if (diag->n_errors == before)
                return NULL;
        ASSERT_EQ(diag->n_errors, before + 1);
        return diag->messages[strv_length(diag->messages) - 1];
}
