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

/* systemd's unichar_is_valid(): no surrogate, no non-character, nothing
 * beyond U+10FFFF; its parsers say "not UTF-8 clean" for the others. */
TEST(unichar_is_valid) {
        ASSERT_TRUE(unichar_is_valid(0x41));
        ASSERT_TRUE(unichar_is_valid(0xd7ff));
        ASSERT_FALSE(unichar_is_valid(0xd800));
        ASSERT_FALSE(unichar_is_valid(0xdfff));
        ASSERT_TRUE(unichar_is_valid(0xfdcf));
        ASSERT_FALSE(unichar_is_valid(0xfdd0));
        ASSERT_FALSE(unichar_is_valid(0xfdef));
        ASSERT_TRUE(unichar_is_valid(0xfdf0));
        ASSERT_TRUE(unichar_is_valid(0xfffd));
        ASSERT_FALSE(unichar_is_valid(0xfffe));
        ASSERT_FALSE(unichar_is_valid(0xffff));
        ASSERT_TRUE(unichar_is_valid(0x10000));
        ASSERT_FALSE(unichar_is_valid(0x1fffe));
        ASSERT_FALSE(unichar_is_valid(0x8ffff));
        ASSERT_TRUE(unichar_is_valid(0x10fffd));
        ASSERT_FALSE(unichar_is_valid(0x10ffff));
        ASSERT_FALSE(unichar_is_valid(0x110000));
}

TEST(non_characters_are_not_valid) {
        ASSERT_EQ(utf8_char_len("\xef\xbf\xbe", 3), 0);         /* U+FFFE */
        ASSERT_EQ(utf8_char_len("\xef\xbf\xbf", 3), 0);         /* U+FFFF */
        ASSERT_EQ(utf8_char_len("\xef\xb7\x90", 3), 0);         /* U+FDD0 */
        ASSERT_EQ(utf8_char_len("\xef\xb7\xaf", 3), 0);         /* U+FDEF */
        ASSERT_EQ(utf8_char_len("\xf0\x9f\xbf\xbe", 4), 0);     /* U+1FFFE */
        ASSERT_EQ(utf8_char_len("\xf4\x8f\xbf\xbf", 4), 0);     /* U+10FFFF */
        ASSERT_EQ(utf8_char_len("\xef\xbf\xbd", 3), 3);         /* U+FFFD, the replacement character */
        ASSERT_EQ(utf8_char_len("\xef\xb7\xb0", 3), 3);         /* U+FDF0 */
        ASSERT_EQ(utf8_char_len("\xf4\x8f\xbf\xbd", 4), 4);     /* U+10FFFD */
        ASSERT_FALSE(utf8_is_valid_n("a\xef\xbf\xbe" "b", 5));
        ASSERT_TRUE(utf8_is_valid_n("a\xef\xbf\xbd" "b", 5));
        ASSERT_TRUE(utf8_is_valid_n("a\0b", 3));
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
        /* The same as a string of its own, for a message. */
        s = utf8_escaped("we\x1b[2Jb\xe2\x80\xae");
        ASSERT_STREQ(s, "we\\x1b[2Jb\\u202e");
        free(s);
        /* A non-character as the bytes that would write it in a unit. */
        s = escaped("a\xef\xbf\xbe" "b");
        ASSERT_STREQ(s, "a\\xef\\xbf\\xbeb");
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

static ssize_t count_write(void *cookie, const char *buf, size_t size) {
        (*(unsigned *) cookie)++;
        return (ssize_t) size;
}

/* On an unbuffered stream (stderr) a line goes out in runs: a write for the
 * text between escapes, not one a character (thousands of warnings of
 * "cell verify" were millions of writes). */
TEST(fputs_escaped_runs) {
        unsigned writes = 0;
        FILE *f = fopencookie(&writes, "w", (cookie_io_functions_t) { .write = count_write });

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(setvbuf(f, NULL, _IONBF, 0), 0);
        utf8_fputs_escaped(f, "u.cell:12: warning: IODeviceWeight=/dev/vda: not applied on this host");
        ASSERT_EQ(writes, 1u);
        writes = 0;
        utf8_fputs_escaped(f, "a\tb");
        ASSERT_TRUE(writes <= 3);
        ASSERT_EQ(fclose(f), 0);
}
