/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "parse-exec.h"
#include "strv.h"
#include "test.h"

/* The words of s, joined with "|", or "ERR<n>" on failure. */
static char *words(const char *s, const char *sep, ExtractFlags flags) {
        _cleanup_strv_free_ char **l = NULL;
        char *w, *out;
        int r;

        while ((r = extract_first_word(&s, &w, sep, flags)) > 0)
                ASSERT_OK(strv_push(&l, w));
        if (r < 0) {
                ASSERT_TRUE(asprintf(&out, "ERR%d", -r) >= 0);
                return out;
        }
        out = strv_join(l, "|");
        ASSERT_NOT_NULL(out);
        return out;
}

#define ASSERT_WORDS(s, sep, flags, expected)                   \
        do {                                                    \
                _cleanup_free_ char *_w = words(s, sep, flags); \
                ASSERT_STREQ(_w, expected);                     \
        } while (0)

#define UQ (EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE)

TEST(extract_quotes) {
        ASSERT_WORDS("a b  c", NULL, UQ, "a|b|c");
        ASSERT_WORDS("  lead and trail  ", NULL, UQ, "lead|and|trail");
        ASSERT_WORDS("sh -c \"a ; b\"", NULL, UQ, "sh|-c|a ; b");
        ASSERT_WORDS("'single quoted' \"double\"", NULL, UQ, "single quoted|double");
        ASSERT_WORDS("foo\"bar baz\"qux", NULL, UQ, "foobar bazqux");
        ASSERT_WORDS("\"\"", NULL, UQ, "");
        ASSERT_WORDS("\"it's\" 'say \"hi\"'", NULL, UQ, "it's|say \"hi\"");
        ASSERT_WORDS("\"unterminated", NULL, UQ, "ERR22");
        ASSERT_WORDS("trailing\\", NULL, UQ, "ERR22");
        ASSERT_WORDS("", NULL, UQ, "");
        /* without UNQUOTE quotes are plain characters */
        ASSERT_WORDS("\"a b\"", NULL, 0, "\"a|b\"");
}

TEST(extract_escapes) {
        ASSERT_WORDS("a\\tb", NULL, UQ, "a\tb");
        ASSERT_WORDS("\"x\\ny\"", NULL, UQ, "x\ny");
        /* "\ " is no C escape: systemd keeps the backslash (with a warning), cell refuses;
         * "\s" is the space */
        ASSERT_WORDS("a\\ b", NULL, UQ, "ERR22");
        ASSERT_WORDS("a\\sb", NULL, UQ, "a b");
        ASSERT_WORDS("\\x41\\102\\u00e9\\U0001F600", NULL, UQ, "AB\u00e9\U0001F600");
        ASSERT_WORDS("\\s\\\\\\\"\\'", NULL, UQ, " \\\"'");
        ASSERT_WORDS("'in \\x41 single'", NULL, UQ, "in A single");
        ASSERT_WORDS("\\x00", NULL, UQ, "ERR22");
        ASSERT_WORDS("\\000", NULL, UQ, "ERR22");
        ASSERT_WORDS("\\q", NULL, UQ, "ERR22");
        ASSERT_WORDS("\\xZZ", NULL, UQ, "ERR22");
        /* As systemd 252's cunescape_one(): "\\u" takes any 16 bits but NUL, a
         * surrogate or a non-character too (checked where a key wants UTF-8);
         * "\\U" must name a character (unichar_is_valid()), else it is no escape. */
        ASSERT_WORDS("\\ud800", NULL, UQ, "\xed\xa0\x80");
        ASSERT_WORDS("\\uFFFE", NULL, UQ, "\xef\xbf\xbe");
        ASSERT_WORDS("\\U0000FFFE", NULL, UQ, "ERR22");
        ASSERT_WORDS("\\U0000fdd0", NULL, UQ, "ERR22");
        ASSERT_WORDS("\\U0000D800", NULL, UQ, "ERR22");
        ASSERT_WORDS("\\U0010FFFF", NULL, UQ, "ERR22");
        ASSERT_WORDS("\\U00110000", NULL, UQ, "ERR22");
        ASSERT_WORDS("\\U0010FFFD\\U0000FFFD", NULL, UQ, "\xf4\x8f\xbf\xbd\xef\xbf\xbd");
        /* without CUNESCAPE a backslash takes the next character literally */
        ASSERT_WORDS("a\\:b:c", ":", EXTRACT_DONT_COALESCE_SEPARATORS, "a:b|c");
        ASSERT_WORDS("a::b", ":", EXTRACT_DONT_COALESCE_SEPARATORS, "a||b");
        ASSERT_WORDS("a::b", ":", 0, "a|b");
}

#define UR (EXTRACT_UNQUOTE | EXTRACT_RETAIN_ESCAPE)

TEST(extract_retain_escape) {
        /* systemd's dependency lists: a unit name's escapes stay as written,
         * "\x2d" is not "-" (another unit) */
        ASSERT_WORDS("mnt-data\\x2d1.mount dev-disk-by\\x2duuid-1.device", NULL, UR,
                     "mnt-data\\x2d1.mount|dev-disk-by\\x2duuid-1.device");
        ASSERT_WORDS("a\\\\x2db.mount", NULL, UR, "a\\\\x2db.mount");
        /* quotes are still removed; a backslash in them is as plain */
        ASSERT_WORDS("\"a\\x2d b\" 'c\\'", NULL, UR, "a\\x2d b|c\\");
        /* a backslash does not escape the separator or the quote */
        ASSERT_WORDS("a\\ b", NULL, UR, "a\\|b");
        ASSERT_WORDS("\"a\\\" b", NULL, UR, "a\\|b");
        /* nor is a trailing one an error: it is a character */
        ASSERT_WORDS("x\\", NULL, UR, "x\\");
        ASSERT_WORDS("\\q \\x00", NULL, UR, "\\q|\\x00");
}

TEST(exec_command) {
        _cleanup_strv_free_ char **argv = NULL;
        char **bad = NULL;
        _cleanup_free_ char *long_line = NULL;

        ASSERT_OK(parse_exec_command("/bin/sh -c \"echo hello; sleep 1\"", &argv));
        ASSERT_EQ(strv_length(argv), 3);
        ASSERT_STREQ(argv[0], "/bin/sh");
        ASSERT_STREQ(argv[2], "echo hello; sleep 1");
        argv = strv_free(argv);

        ASSERT_OK(parse_exec_command("httpd -f -p 8080 -h /srv", &argv));
        ASSERT_EQ(strv_length(argv), 6);
        argv = strv_free(argv);

        /* a 4 KiB argument survives whole */
        long_line = malloc(4096 + 16);
        ASSERT_NOT_NULL(long_line);
        strcpy(long_line, "echo ");
        memset(long_line + 5, 'x', 4096);
        long_line[5 + 4096] = 0;
        ASSERT_OK(parse_exec_command(long_line, &argv));
        ASSERT_EQ(strlen(argv[1]), 4096);
        argv = strv_free(argv);

        /* a lone "\;" is ";" (find -exec); "\;" inside a word or quotes is no escape */
        ASSERT_OK(parse_exec_command("find /srv -exec echo {} \\;", &argv));
        ASSERT_EQ(strv_length(argv), 6);
        ASSERT_STREQ(argv[4], "{}");
        ASSERT_STREQ(argv[5], ";");
        argv = strv_free(argv);
        ASSERT_OK(parse_exec_command("a \\;  b\\t", &argv));
        ASSERT_EQ(strv_length(argv), 3);
        ASSERT_STREQ(argv[1], ";");
        ASSERT_STREQ(argv[2], "b\t");
        argv = strv_free(argv);
        ASSERT_ERROR(parse_exec_command("echo x\\;", &bad), EINVAL);
        ASSERT_ERROR(parse_exec_command("echo \"\\;\"", &bad), EINVAL);
        /* a lone ";" separates commands in systemd: refused, not passed as an argument */
        ASSERT_ERROR(parse_exec_command("/bin/echo a ; /bin/echo b", &bad), EBADMSG);
        ASSERT_ERROR(parse_exec_command("/bin/echo a ; ;", &bad), EBADMSG);
        ASSERT_ERROR(parse_exec_command(";", &bad), EBADMSG);
        /* systemd compares the command unquoted: a quoted ";" first is the
         * separator too; "\\;" first is no escape there (it keeps the
         * backslash and refuses the command), not a program ";". */
        ASSERT_ERROR(parse_exec_command("\";\" /bin/true", &bad), EBADMSG);
        ASSERT_ERROR(parse_exec_command("';'", &bad), EBADMSG);
        ASSERT_ERROR(parse_exec_command("\\; /bin/true", &bad), EINVAL);
        ASSERT_ERROR(parse_exec_command("\\;", &bad), EINVAL);
        /* ... but one at the very end starts no command: systemd-analyze verify
         * takes "ExecStart=/bin/true ;" as one ExecStart= */
        ASSERT_OK(parse_exec_command("/bin/echo a ;", &argv));
        ASSERT_EQ(strv_length(argv), 2);
        ASSERT_STREQ(argv[1], "a");
        argv = strv_free(argv);
        ASSERT_OK(parse_exec_command("/bin/echo ; \t ", &argv));
        ASSERT_EQ(strv_length(argv), 1);
        argv = strv_free(argv);
        ASSERT_OK(parse_exec_command("/bin/echo a; \";\" ';' a;b", &argv));
        ASSERT_EQ(strv_length(argv), 5);
        ASSERT_STREQ(argv[1], "a;");
        ASSERT_STREQ(argv[2], ";");
        ASSERT_STREQ(argv[3], ";");
        ASSERT_STREQ(argv[4], "a;b");
        argv = strv_free(argv);

        ASSERT_ERROR(parse_exec_command("   ", &bad), EINVAL);
        ASSERT_ERROR(parse_exec_command("\"\" arg", &bad), EINVAL);
        ASSERT_ERROR(parse_exec_command("sh -c 'x", &bad), EINVAL);
        ASSERT_NULL(bad);
}

TEST(environment) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *bad = NULL;

        ASSERT_OK(parse_environment("A=1 \"B=two words\" C=", &env, &bad));
        ASSERT_EQ(strv_length(env), 3);
        ASSERT_STREQ(env[1], "B=two words");
        ASSERT_STREQ(env[2], "C=");
        /* a later KEY replaces the earlier in place */
        ASSERT_OK(parse_environment("A=3 D=x\\ty", &env, &bad));
        ASSERT_EQ(strv_length(env), 4);
        ASSERT_STREQ(env[0], "A=3");
        ASSERT_STREQ(env[3], "D=x\ty");
        /* a bad word rejects the whole assignment */
        ASSERT_ERROR(parse_environment("E=1 NOEQUALS", &env, &bad), EINVAL);
        ASSERT_STREQ(bad, "NOEQUALS");
        bad = mfree(bad);
        ASSERT_ERROR(parse_environment("1X=1", &env, &bad), EINVAL);
        ASSERT_STREQ(bad, "1X=1");
        bad = mfree(bad);
        ASSERT_ERROR(parse_environment("\"A=1", &env, &bad), EINVAL);
        ASSERT_NULL(bad);
        ASSERT_EQ(strv_length(env), 4);
        ASSERT_FALSE(strv_contains(env, "E=1"));
}

/* Why Environment= or Exec= does not split, for its message: the first
 * problem, a bad escape by its letter (printable ASCII only), a quote left
 * open; NULL for a value that splits. */
TEST(split_words_why) {
        char buf[160];

        ASSERT_NULL(split_words_why("A=1 \"B=2 3\" 'C=\\t' D=\\x41\\n", buf, sizeof buf));
        ASSERT_STREQ(split_words_why("A=\\q B=\"", buf, sizeof buf), "\"\\q\" is no escape; \"\\\\\" is a backslash");
        ASSERT_STREQ(split_words_why("A=a\\ b", buf, sizeof buf), "\"\\ \" is no escape; \"\\\\\" is a backslash");
        ASSERT_CONTAINS(split_words_why("A=\\x00", buf, sizeof buf), "\"\\x...\" is no escape of a character");
        ASSERT_CONTAINS(split_words_why("A=\\\xc3\xa9", buf, sizeof buf), "a backslash before a character");
        ASSERT_STREQ(split_words_why("A=\\U0000FFFEx", buf, sizeof buf),
                     "\"\\U0000FFFE\" names no Unicode character (a surrogate, a non-character such as "
                     "U+FFFE, or beyond U+10FFFF)");
        ASSERT_CONTAINS(split_words_why("A=\\U00000000", buf, sizeof buf), "\"\\U...\" is no escape");
        ASSERT_NULL(split_words_why("A=\\uFFFE", buf, sizeof buf));
        ASSERT_STREQ(split_words_why("A=\"x 'y'", buf, sizeof buf), "a double quote that does not close");
        ASSERT_STREQ(split_words_why("A='x \"y\"", buf, sizeof buf), "a single quote that does not close");
        ASSERT_STREQ(split_words_why("\"A=\\\"\" x\\", buf, sizeof buf),
                     "a backslash at the very end; \"\\\\\" is a backslash");
}

/* Words longer than the first buffer, escapes across its growth, and a
 * line of thousands of words: each as written. */
TEST(extract_long_words) {
        char *line = malloc(20000 * 8 + 1), *p = line, *big = malloc(3 * 1000 + 1), *want = malloc(1000 + 1);
        const char *s;
        char *w;
        size_t n = 0;

        ASSERT_NOT_NULL(line);
        ASSERT_NOT_NULL(big);
        ASSERT_NOT_NULL(want);
        /* 3000 plain characters. */
        for (size_t i = 0; i < 3 * 1000; i++)
                big[i] = (char) ('a' + i % 26);
        big[3 * 1000] = 0;
        s = big;
        ASSERT_EQ(extract_first_word(&s, &w, NULL, UQ), 1);
        ASSERT_STREQ(w, big);
        free(w);
        /* 1000 escapes of 4 bytes each, 1000 bytes decoded. */
        free(big);
        big = malloc(4 * 1000 + 1);
        ASSERT_NOT_NULL(big);
        for (size_t i = 0; i < 1000; i++) {
                memcpy(big + 4 * i, "\\x41", 4);
                want[i] = 'A';
        }
        big[4 * 1000] = want[1000] = 0;
        s = big;
        ASSERT_EQ(extract_first_word(&s, &w, NULL, UQ), 1);
        ASSERT_STREQ(w, want);
        free(w);
        for (size_t i = 0; i < 20000; i++)
                p += sprintf(p, "w%zu ", i);
        for (s = line; extract_first_word(&s, &w, NULL, UQ) > 0; n++) {
                char expected[16];

                snprintf(expected, sizeof expected, "w%zu", n);
                ASSERT_STREQ(w, expected);
                free(w);
        }
        ASSERT_EQ(n, (size_t) 20000);
        free(line);
        free(big);
        free(want);
}
