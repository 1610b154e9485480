/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

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

/* A file of garbage has a message a line: kept in order, the list
 * NULL-terminated after each, and usable again after diag_done(). */
TEST(diag_many) {
        Diagnostics d = {};
        char want[32];

        for (int round = 0; round < 2; round++) {
                for (unsigned i = 0; i < 5000; i++) {
                        ASSERT_OK(diag_error(&d, "garbage", i + 1, "line %u", i + 1));
                        ASSERT_EQ(d.n_messages, (size_t) i + 1);
                        ASSERT_NULL(d.messages[i + 1]);
                }
                ASSERT_EQ(d.n_errors, 5000);
                for (unsigned i = 0; i < 5000; i += 999) {
                        snprintf(want, sizeof want, "garbage:%u: line %u", i + 1, i + 1);
                        ASSERT_STREQ(d.messages[i], want);
                }
                diag_done(&d);
                ASSERT_NULL(d.messages);
                ASSERT_EQ(d.n_messages, 0);
        }
}
