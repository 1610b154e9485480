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

/* Once per file and text, at any line; the set grows past its first size
 * and is empty again after diag_done(). */
TEST(diag_error_once) {
        Diagnostics d = {};
        char want[64];

        ASSERT_OK(diag_error_once(&d, "a.cell", 3, "unknown section [%s]", "Foo"));
        ASSERT_OK(diag_error_once(&d, "a.cell", 9, "unknown section [%s]", "Foo"));
        ASSERT_OK(diag_error_once(&d, "b.cell", 2, "unknown section [%s]", "Foo"));
        ASSERT_OK(diag_error_once(&d, "a.cell", 4, "unknown section [%s]", "Bar"));
        ASSERT_OK(diag_error(&d, "a.cell", 5, "unknown section [Bar]"));
        ASSERT_OK(diag_error_once(NULL, "a.cell", 1, "swallowed"));
        ASSERT_EQ(d.n_messages, 4);
        ASSERT_EQ(d.n_errors, 4);
        ASSERT_STREQ(d.messages[0], "a.cell:3: unknown section [Foo]");
        ASSERT_STREQ(d.messages[1], "b.cell:2: unknown section [Foo]");
        ASSERT_STREQ(d.messages[2], "a.cell:4: unknown section [Bar]");
        /* diag_error() is not deduplicated, and does not enter the set. */
        ASSERT_STREQ(d.messages[3], "a.cell:5: unknown section [Bar]");

        for (unsigned i = 0; i < 20000; i++)
                ASSERT_OK(diag_error_once(&d, "g.cell", 2 * i + 1, "unknown section [S%u]", i % 10000));
        ASSERT_EQ(d.n_messages, 4 + 10000);
        for (unsigned i = 0; i < 10000; i += 997) {
                snprintf(want, sizeof want, "g.cell:%u: unknown section [S%u]", 2 * i + 1, i);
                ASSERT_STREQ(d.messages[4 + i], want);
        }
        diag_done(&d);
        ASSERT_NULL(d.once);
        ASSERT_EQ(d.n_once, 0);
        ASSERT_OK(diag_error_once(&d, "a.cell", 3, "unknown section [Foo]"));
        ASSERT_EQ(d.n_messages, 1);
        diag_done(&d);
}
