/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "test.h"
#include "utf8.h"

static char *escaped(const char *s) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        utf8_fputs_escaped(f, s);
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

TEST(char_len) {
        ASSERT_EQ(utf8_char_len("a", 1), 1);
        ASSERT_EQ(utf8_char_len("\xc3\xa9", 2), 2);             /* é */
        ASSERT_EQ(utf8_char_len("\xc3\xa9", 1), 0);             /* cut */
        ASSERT_EQ(utf8_char_len("\xc0\x80", 2), 0);             /* overlong NUL */
        ASSERT_EQ(utf8_char_len("\xed\xa0\x80", 3), 0);         /* a surrogate */
        ASSERT_EQ(utf8_char_len("\xf0\x9f\x98\x80", 4), 4);     /* U+1F600 */
        ASSERT_EQ(utf8_char_len("\x80", 1), 0);                 /* a stray continuation byte */
}

TEST(fputs_escaped) {
        char *s;

        /* Text and valid UTF-8 as written. */
        s = escaped("web server \xc3\xa9t\xc3\xa9");
        ASSERT_STREQ(s, "web server \xc3\xa9t\xc3\xa9");
        free(s);
        /* An escape sequence that would move the cursor up and clear the screen. */
        s = escaped("x\x1b[8A\x1b[J");
        ASSERT_STREQ(s, "x\\x1b[8A\\x1b[J");
        free(s);
        /* Tab, newline, DEL and a byte that begins no character. */
        s = escaped("a\tb\nc\x7f\xff");
        ASSERT_STREQ(s, "a\\x09b\\x0ac\\x7f\\xff");
        free(s);
        s = escaped("");
        ASSERT_STREQ(s, "");
        free(s);
}

TEST(cut) {
        /* Never inside a character: "é" is two bytes. */
        ASSERT_EQ(utf8_cut("a\xc3\xa9", 3, 2), 1);
        ASSERT_EQ(utf8_cut("a\xc3\xa9", 3, 3), 3);
        ASSERT_EQ(utf8_cut("abc", 3, 10), 3);
}
