/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "diag.h"
#include "test.h"

TEST(diag_format) {
        Diagnostics d = {};

        ASSERT_OK(diag_error(&d, "web.cell", 12, "MemoryMax=%s: expected bytes", "12Q"));
        ASSERT_OK(diag_warning(&d, "web.cell", 0, "odd"));
        ASSERT_OK(diag_error(&d, NULL, 0, "plain"));
        ASSERT_EQ(d.n_errors, 2);
        ASSERT_EQ(d.n_warnings, 1);
        ASSERT_STREQ(d.messages[0], "web.cell:12: MemoryMax=12Q: expected bytes");
        ASSERT_STREQ(d.messages[1], "web.cell: warning: odd");
        ASSERT_STREQ(d.messages[2], "plain");
        diag_done(&d);
        ASSERT_NULL(d.messages);
        ASSERT_OK(diag_error(NULL, "x", 1, "swallowed"));
}
