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
        ASSERT_EQ(diag_level(&d, 0), LOG_ERR);
        ASSERT_EQ(diag_level(&d, 1), LOG_WARNING);
        ASSERT_EQ(diag_level(&d, 2), LOG_ERR);
        diag_done(&d);
        ASSERT_NULL(d.levels);
        ASSERT_NULL(d.messages);
        ASSERT_OK(diag_error(NULL, "x", 1, "swallowed"));
}

/* The level is the call's, not the text's: an error may quote what the
 * unit says, "warning: " included, right where a warning's would be. */
TEST(diag_level_not_text) {
        Diagnostics d = {};

        ASSERT_OK(diag_error(&d, "web.cell", 1, "%s=1: assignment before any [Section] header", "warning: y"));
        ASSERT_OK(diag_error(&d, "a: warning: b.cell", 0, "not a regular file"));
        ASSERT_OK(diag_error(&d, NULL, 0, "%s: no such unit", "warning:x"));
        ASSERT_OK(diag_warning(&d, NULL, 0, "odd"));
        ASSERT_OK(diag_error_once(&d, "web.cell", 2, "unknown section [%s]", "warning: z"));
        ASSERT_STREQ(d.messages[0], "web.cell:1: warning: y=1: assignment before any [Section] header");
        ASSERT_STREQ(d.messages[1], "a: warning: b.cell: not a regular file");
        ASSERT_STREQ(d.messages[3], "warning: odd");
        ASSERT_EQ(diag_level(&d, 0), LOG_ERR);
        ASSERT_EQ(diag_level(&d, 1), LOG_ERR);
        ASSERT_EQ(diag_level(&d, 2), LOG_ERR);
        ASSERT_EQ(diag_level(&d, 3), LOG_WARNING);
        ASSERT_EQ(diag_level(&d, 4), LOG_ERR);
        ASSERT_EQ(d.n_errors, 4);
        ASSERT_EQ(d.n_warnings, 1);
        diag_done(&d);
}

/* A file of garbage has a message a line: kept in order, the list
 * NULL-terminated after each, and usable again after diag_done(). */
TEST(diag_many) {
        Diagnostics d = {};
        char want[48];

        for (int round = 0; round < 2; round++) {
                for (unsigned i = 0; i < 5000; i++) {
                        if (i % 3 == 0)
                                ASSERT_OK(diag_warning(&d, "garbage", i + 1, "line %u", i + 1));
                        else
                                ASSERT_OK(diag_error(&d, "garbage", i + 1, "line %u", i + 1));
                        ASSERT_EQ(d.n_messages, (size_t) i + 1);
                        ASSERT_NULL(d.messages[i + 1]);
                        ASSERT_EQ(diag_level(&d, i), (i % 3 == 0) ? LOG_WARNING : LOG_ERR);
                }
                ASSERT_EQ(d.n_errors, 3333);
                ASSERT_EQ(d.n_warnings, 1667);
                for (unsigned i = 0; i < 5000; i += 999) {
                        snprintf(want, sizeof want, "garbage:%u: %sline %u", i + 1, i % 3 == 0 ? "warning: " : "",
                                 i + 1);
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
