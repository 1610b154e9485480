/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-root.c: Inaccessible= with a prefix it does not take.
 * systemd's InaccessiblePaths= takes "-" and then "+" (a path relative to
 * RootDirectory=); cell takes the "-" and no "+", its paths being the
 * container's already: the message says which word and why, not only
 * what the key expects. */
#include <string.h>

#include "config-assign-test.h"
#include "strv.h"
#include "test.h"

static const char *root_assign_at(CellConfig *c, const char *key, const char *value) {
        size_t before = diag.n_errors;

        ASSERT_OK(config_assign(c, "Root", key, value, "web.cell", 3, &diag));
        if (diag.n_errors == before)
                return NULL;
        ASSERT_EQ(diag.n_errors, before + 1);
        return diag.messages[strv_length(diag.messages) - 1];
}

#define EXPECTED "expected space-separated absolute paths without \"..\", each with an optional \"-\""

TEST(inaccessible_plus) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_STREQ(root_assign_at(&c, "Inaccessible", "+/x"),
                     "web.cell:3: Inaccessible=+/x: " EXPECTED " (\"+/x\": systemd's \"+\" prefix, a path relative "
                     "to RootDirectory=, is not taken: Inaccessible= paths are the container's already; write \"/x\")");
        /* systemd's order, "-" then "+": the "-" stays in the advice. */
        ASSERT_STREQ(root_assign_at(&c, "Inaccessible", "/a -+/srv/x"),
                     "web.cell:3: Inaccessible=/a -+/srv/x: " EXPECTED " (\"-+/srv/x\": systemd's \"+\" prefix, a "
                     "path relative to RootDirectory=, is not taken: Inaccessible= paths are the container's "
                     "already; write \"-/srv/x\")");
        ASSERT_EQ(c.n_inaccessible, 0U);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(inaccessible_other_prefixes) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_STREQ(root_assign_at(&c, "Inaccessible", "--/x"),
                     "web.cell:3: Inaccessible=--/x: " EXPECTED " (\"--/x\": one \"-\" at most, the only prefix "
                     "taken)");
        /* Other faults: what the key expects, as before. */
        ASSERT_STREQ(root_assign_at(&c, "Inaccessible", "x"),
                     "web.cell:3: Inaccessible=x: expected space-separated absolute paths without \"..\"");
        ASSERT_STREQ(root_assign_at(&c, "Inaccessible", "/a/../b"),
                     "web.cell:3: Inaccessible=/a/../b: expected space-separated absolute paths without \"..\"");
        /* What it takes. */
        ASSERT_NULL(root_assign_at(&c, "Inaccessible", "-/proc/kcore /sys/firmware"));
        ASSERT_EQ(c.n_inaccessible, 2U);
        cell_config_done(&c);
        diag_done(&diag);
}
