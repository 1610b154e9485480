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

/* What a terminal shows as nothing, or that reorders what it shows: as
 * "\\uXXXX", so that a key or Description= is read as it is. */
TEST(fputs_escaped_invisible) {
        char *s;

        /* A byte order mark inside a key: "unknown key \"ExecStart\"" otherwise. */
        s = escaped("Exec\xef\xbb\xbfStart");
        ASSERT_STREQ(s, "Exec\\ufeffStart");
        free(s);
        /* "Trojan Source": a right-to-left override and isolates (U+202E, U+2066, U+2069). */
        s = escaped("Group=\xe2\x80\xae" "toor\xe2\x81\xa6x\xe2\x81\xa9");
        ASSERT_STREQ(s, "Group=\\u202etoor\\u2066x\\u2069");
        free(s);
        /* Zero-width space, joiners, marks; word joiner .. invisible plus. */
        s = escaped("\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8d\xe2\x80\x8e\xe2\x80\x8f"
                    "\xe2\x81\xa0\xe2\x81\xa4");
        ASSERT_STREQ(s, "\\u200b\\u200c\\u200d\\u200e\\u200f\\u2060\\u2064");
        free(s);
        /* A C1 control (CSI, U+009B), a soft hyphen, and a tag beyond the BMP. */
        s = escaped("a\xc2\x9b" "2J\xc2\xad\xf3\xa0\x80\x81");
        ASSERT_STREQ(s, "a\\u009b2J\\u00ad\\U000e0001");
        free(s);
        /* Visible neighbours as written: é, an en dash, a no-break space, U+1F600. */
        s = escaped("\xc3\xa9\xe2\x80\x93\xc2\xa0\xf0\x9f\x98\x80\xe2\x80\xaf");
        ASSERT_STREQ(s, "\xc3\xa9\xe2\x80\x93\xc2\xa0\xf0\x9f\x98\x80\xe2\x80\xaf");
        free(s);
}

TEST(decode) {
        ASSERT_EQ(utf8_decode("A", 1), 0x41u);
        ASSERT_EQ(utf8_decode("\xc3\xa9", 2), 0xe9u);
        ASSERT_EQ(utf8_decode("\xef\xbb\xbf", 3), 0xfeffu);
        ASSERT_EQ(utf8_decode("\xf0\x9f\x98\x80", 4), 0x1f600u);
        ASSERT_EQ(utf8_decode("\xf4\x8f\xbf\xbf", 4), 0x10ffffu);
}

TEST(cut) {
        /* Never inside a character: "é" is two bytes. */
        ASSERT_EQ(utf8_cut("a\xc3\xa9", 3, 2), 1);
        ASSERT_EQ(utf8_cut("a\xc3\xa9", 3, 3), 3);
        ASSERT_EQ(utf8_cut("abc", 3, 10), 3);
}
