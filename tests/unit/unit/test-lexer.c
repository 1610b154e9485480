/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config-parse.h"
#include "strv.h"
#include "test.h"
#include "unit-lexer.h"
#include "utf8.h"

/* Every assignment as "Section|Key|value|line". */
static int collect(const char *section, const char *key, const char *value,
                   const char *file, unsigned line, void *userdata) {
        char ***l = userdata, *s;

        if (!key)
                return 0;       /* a section header: collect_all()'s */
        if (asprintf(&s, "%s|%s|%s|%u", section, key, value, line) < 0)
                return -ENOMEM;
        return strv_push(l, s);
}

/* Lexes text (size bytes) and checks the problem count; returns the assignments. */
static char **lex(const char *text, size_t size, int problems, Diagnostics *d) {
        char **l = NULL;

        ASSERT_EQ(unit_lex_buffer(text, size, "t.cell", collect, &l, d), problems);
        ASSERT_EQ(d->n_errors, (size_t) problems);
        return l;
}
#define LEX(text, problems, d) lex(text, sizeof(text) - 1, problems, d)

TEST(simple) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Exec]\nExec=/bin/true\n  User =  nobody  \n\n[Root]\nDirectory=/srv\n", 0, &d);
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "Exec|Exec|/bin/true|2");
        ASSERT_STREQ(l[1], "Exec|User|nobody|3");
        ASSERT_STREQ(l[2], "Root|Directory|/srv|6");
        diag_done(&d);
}

TEST(empty_file) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        ASSERT_EQ(unit_lex_buffer("", 0, "t.cell", collect, &l, &d), 0);
        ASSERT_NULL(l);
        ASSERT_NULL(d.messages);
        l = LEX("\n\n# nothing\n; at all\n", 0, &d);
        ASSERT_NULL(l);
}

TEST(long_value_4k) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *text = NULL, *value = NULL, *expect = NULL;
        Diagnostics d = {};

        /* Debian's inih would cut this at 197 characters. */
        value = malloc(4097);
        ASSERT_NOT_NULL(value);
        for (size_t i = 0; i < 4096; i++)
                value[i] = "abcdefgh "[i % 9];
        value[4095] = 'z';
        value[4096] = 0;
        ASSERT_TRUE(asprintf(&text, "[Exec]\nExec=/bin/echo %s\n", value) > 0);
        ASSERT_TRUE(asprintf(&expect, "Exec|Exec|/bin/echo %s|2", value) > 0);
        l = lex(text, strlen(text), 0, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], expect);
}

TEST(semicolon_inside_value) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        /* inih's inline comments would cut at " ;". */
        l = LEX("[Exec]\nExec=sh -c \"a ; b\" ; # not a comment\nDescription=x # y\n", 0, &d);
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "Exec|Exec|sh -c \"a ; b\" ; # not a comment|2");
        ASSERT_STREQ(l[1], "Exec|Description|x # y|3");
}

TEST(indented_line) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        /* inih would glue an indented line to the previous key. */
        l = LEX("[Exec]\nExec=/bin/true\n    User=nobody\n\t# comment\n\t[Root]\n  Directory=/srv\n", 0, &d);
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "Exec|Exec|/bin/true|2");
        ASSERT_STREQ(l[1], "Exec|User|nobody|3");
        ASSERT_STREQ(l[2], "Root|Directory|/srv|6");
}

TEST(indented_line_without_equals) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Exec]\nExec=/bin/true\n    --verbose\n", 1, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Exec|Exec|/bin/true|2");
        ASSERT_STREQ(d.messages[0], "t.cell:3: \"--verbose\": line is not a Key=value assignment");
        diag_done(&d);
}

TEST(continuation) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Exec]\n"
                "Exec=/bin/echo \\\n"
                "   one \\\n"
                "# a comment inside the continuation is skipped\n"
                "  ; so is this one \\\n"
                "two\n"
                "User=nobody\n", 0, &d);
        ASSERT_EQ(strv_length(l), 2);
        /* The backslash becomes a space, the next line is taken as it is. */
        ASSERT_STREQ(l[0], "Exec|Exec|/bin/echo     one  two|2");
        ASSERT_STREQ(l[1], "Exec|User|nobody|7");
}

TEST(continuation_escaped_backslash) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        /* An even number of backslashes does not continue. */
        l = LEX("[Exec]\nExec=a\\\\\nUser=b \\\\\\\nc\n", 0, &d);
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "Exec|Exec|a\\\\|2");
        ASSERT_STREQ(l[1], "Exec|User|b \\\\ c|3");
}

TEST(continuation_at_eof) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Exec]\nExec=a \\\nb \\", 0, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Exec|Exec|a  b|2");
}

TEST(continuation_ended_by_empty_line) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Exec]\nExec=a \\\n\nUser=x\n", 0, &d);
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "Exec|Exec|a|2");
        ASSERT_STREQ(l[1], "Exec|User|x|4");
}

TEST(comment_only_at_line_start) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("# c\n; c\n[Exec]\n  # c\n\t; c \\\nExec=#x\nUser=;y\n", 0, &d);
        ASSERT_EQ(strv_length(l), 2);
        /* A comment line does not continue: its backslash is part of the comment. */
        ASSERT_STREQ(l[0], "Exec|Exec|#x|6");
        ASSERT_STREQ(l[1], "Exec|User|;y|7");
}

TEST(crlf) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Exec]\r\nExec=/bin/true a\r\n# c\r\nUser=x \\\r\ny\r\n\r\nGroup=g\r", 0, &d);
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "Exec|Exec|/bin/true a|2");
        ASSERT_STREQ(l[1], "Exec|User|x  y|4");
        ASSERT_STREQ(l[2], "Exec|Group|g|7");
}

TEST(bom) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("\xef\xbb\xbf[Exec]\nExec=/bin/true\n", 0, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Exec|Exec|/bin/true|2");
        l = strv_free(l);

        /* As systemd's config_parse(): only the first byte order mark at the start of a line is skipped,
         * on the first line or (a file pasted after another) a later one; a second one is kept. */
        l = LEX("\xef\xbb\xbf[Exec]\n\xef\xbb\xbfUser=x\n", 0, &d);
        ASSERT_STREQ(l[0], "Exec|\xef\xbb\xbfUser|x|2");
        l = strv_free(l);

        l = LEX("[Exec]\n\xef\xbb\xbfUser=x\n\xef\xbb\xbfGroup=g\n", 0, &d);
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "Exec|User|x|2");
        ASSERT_STREQ(l[1], "Exec|\xef\xbb\xbfGroup|g|3");
        l = strv_free(l);

        /* Only at the very start of a line, also of a continued one. */
        l = LEX("[Exec]\n \xef\xbb\xbfUser=x\nGroup=a \\\n\xef\xbb\xbf" "b\n\xef\xbb\xbfTag=t\n", 0, &d);
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "Exec|\xef\xbb\xbfUser|x|2");
        ASSERT_STREQ(l[1], "Exec|Group|a  b|3");
        ASSERT_STREQ(l[2], "Exec|\xef\xbb\xbfTag|t|5");
        l = strv_free(l);

        /* A comment line after the mark is a comment, and the mark is used up. */
        l = LEX("\xef\xbb\xbf# c\n[Exec]\n\xef\xbb\xbfUser=x\n", 0, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Exec|\xef\xbb\xbfUser|x|3");
        diag_done(&d);
}

/* Each assignment to a CellConfig, as unit_load() does: config_assign()'s messages. */
static int assign(const char *section, const char *key, const char *value,
                  const char *file, unsigned line, void *userdata) {
        void **u = userdata;

        if (!key)
                return 0;
        return config_assign(u[0], section, key, value, file, line, u[1]);
}

/* The message as cell prints it (src/cli/unit-status.c). */
static char *shown(const char *m) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        utf8_fputs_escaped(f, m);
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

/* A byte order mark the lexer keeps (inside a key, or a second one at a
 * line's start) is in the key that "unknown key" names: shown, not a key
 * that looks like a known one; so is a bidi override ("Trojan Source"). */
TEST(bom_kept_is_shown) {
        static const char text[] = "[Exec]\nExec=/bin/true\nUser\xef\xbb\xbf=root\n"
                "\xef\xbb\xbfGroup=g\n\xef\xbb\xbfTag=t\nUser\xe2\x80\xae=x\n\xef\xbb\xbf--verbose\n";
        CellConfig c;
        Diagnostics d = {};
        void *u[2] = { &c, &d };
        char *m;

        cell_config_init(&c);
        ASSERT_EQ(unit_lex_buffer(text, sizeof text - 1, "t.cell", assign, u, &d), 1);
        ASSERT_EQ(strv_length(d.messages), 4u);
        /* Line 4's mark was the first at a line's start: skipped, Group= is known. */
        m = shown(d.messages[0]);
        ASSERT_STREQ(m, "t.cell:3: unknown key \"User\\ufeff\" in section [Exec]");
        free(m);
        m = shown(d.messages[1]);
        ASSERT_STREQ(m, "t.cell:5: unknown key \"\\ufeffTag\" in section [Exec]");
        free(m);
        m = shown(d.messages[2]);
        ASSERT_STREQ(m, "t.cell:6: unknown key \"User\\u202e\" in section [Exec]");
        free(m);
        m = shown(d.messages[3]);
        ASSERT_STREQ(m, "t.cell:7: \"\\ufeff--verbose\": line is not a Key=value assignment");
        free(m);
        cell_config_done(&c);
        diag_done(&d);
}

TEST(lf_cr) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        /* As systemd's read_line(): LF CR is one line end like CR LF; LF LF and CR CR are two. */
        l = LEX("[Exec]\n\rUser=x \\\n\ry\n\r\n\rGroup=g\n\n\r\rTag=t\n\r\nExec=/bin/true\r\n\r", 0, &d);
        ASSERT_EQ(strv_length(l), 4);
        ASSERT_STREQ(l[0], "Exec|User|x  y|2");
        ASSERT_STREQ(l[1], "Exec|Group|g|5");
        ASSERT_STREQ(l[2], "Exec|Tag|t|8");
        ASSERT_STREQ(l[3], "Exec|Exec|/bin/true|10");
        diag_done(&d);
}

TEST(nul_byte) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Exec]\nExec=/bin/tr\0ue\nUser=x\nGroup=a \\\nb\0c\n# \0\nTag=t\0\n", 3, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Exec|User|x|3");
        ASSERT_STREQ(d.messages[0], "t.cell:2: line contains a NUL byte");
        /* The logical line's first physical line is named. */
        ASSERT_STREQ(d.messages[1], "t.cell:4: line contains a NUL byte");
        /* A trailing NUL, which systemd takes as the line end, is refused too: never half a value. */
        ASSERT_STREQ(d.messages[2], "t.cell:7: line contains a NUL byte");
        diag_done(&d);
        l = strv_free(l);

        /* systemd ends a line at a NUL: NULs ending a comment are harmless, also inside a continuation.
         * Text after one in a comment would be another line to systemd; a line of NULs is not blank. */
        l = LEX("[Exec]\n# c\0\0 \nUser=a \\\n; c\0\nb\n\0\n# x\0Group=g\nTag=t\0u\nExec=/bin/true\n", 3, &d);
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "Exec|User|a  b|3");
        ASSERT_STREQ(l[1], "Exec|Exec|/bin/true|9");
        ASSERT_STREQ(d.messages[0], "t.cell:6: line contains a NUL byte");
        ASSERT_STREQ(d.messages[1], "t.cell:7: line contains a NUL byte");
        ASSERT_STREQ(d.messages[2], "t.cell:8: line contains a NUL byte");
        diag_done(&d);
}

TEST(key_before_section) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("# hello\nExec=/bin/true\n[Exec]\nUser=x\n", 1, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Exec|User|x|4");
        ASSERT_STREQ(d.messages[0], "t.cell:2: Exec=/bin/true: assignment before any [Section] header");
        diag_done(&d);
}

/* SetCredential='s value is a secret: the lexer's own messages about its
 * line (misplaced, or its "=" forgotten) show the key only, as the
 * parser's do (test-config-credential.c). */
TEST(secret_not_shown) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("SetCredential=tok:s3cr3t\nSetCredential tok:s3cr3t\n[Exec]\nSetCredential tok:s3cr3t\n"
                "SetCredentialX=s3cr3t\n", 3, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Exec|SetCredentialX|s3cr3t|5");
        ASSERT_STREQ(d.messages[0], "t.cell:1: SetCredential=(value not shown): assignment before any [Section] header");
        ASSERT_STREQ(d.messages[1], "t.cell:2: \"SetCredential (value not shown)\": line is not a Key=value assignment");
        ASSERT_STREQ(d.messages[2], "t.cell:4: \"SetCredential (value not shown)\": line is not a Key=value assignment");
        for (size_t i = 0; i < 3; i++)
                ASSERT_NULL(strstr(d.messages[i], "s3cr3t"));
        diag_done(&d);
}

TEST(line_without_equals) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Exec]\nExec /bin/true\n=x\nUser=x\n", 2, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(d.messages[0], "t.cell:2: \"Exec /bin/true\": line is not a Key=value assignment");
        ASSERT_STREQ(d.messages[1], "t.cell:3: \"=x\": line is not a Key=value assignment");
        diag_done(&d);
}

TEST(bad_section_header) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        /* Keys under a broken header are not reported again one by one. */
        l = LEX("[Exec\nExec=/bin/true\n[]\nUser=x\n[Ex\"ec]\n[Root]\nDirectory=/\n", 3, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Root|Directory|/|7");
        ASSERT_STREQ(d.messages[0], "t.cell:1: invalid section header \"[Exec\"");
        ASSERT_STREQ(d.messages[1], "t.cell:3: invalid section name \"[]\"");
        ASSERT_STREQ(d.messages[2], "t.cell:5: invalid section name \"[Ex\"ec]\"");
        diag_done(&d);
}

TEST(empty_value_and_sections_repeat) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("[Root]\nBind=/a\n[Exec]\nUser=x\n[Root]\nBind=\nBind = \n", 0, &d);
        ASSERT_EQ(strv_length(l), 4);
        ASSERT_STREQ(l[2], "Root|Bind||6");
        ASSERT_STREQ(l[3], "Root|Bind||7");
}

TEST(all_problems_reported) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        l = LEX("A=1\n[Exec]\nnope\nUser=x\nnope again\n", 3, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_CONTAINS(d.messages[0], "t.cell:1:");
        ASSERT_CONTAINS(d.messages[1], "t.cell:3:");
        ASSERT_CONTAINS(d.messages[2], "t.cell:5:");
        diag_done(&d);
}

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);

        ASSERT_NOT_NULL(s);
        memset(s, c, n);
        s[n] = 0;
        return s;
}

TEST(line_too_long) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *big = repeat('x', 2 * 1024 * 1024), *text = NULL;
        Diagnostics d = {};

        /* 2 MiB on one line: an error, and the next line is still read. */
        ASSERT_TRUE(asprintf(&text, "[Exec]\nExec=%s\nUser=x\n", big) > 0);
        l = lex(text, strlen(text), 1, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "Exec|User|x|3");
        ASSERT_CONTAINS(d.messages[0], "t.cell:2: line too long");
        diag_done(&d);
        l = strv_free(l);
        text = mfree(text);

        /* 2 MiB through continuations: named by its first line. */
        {
                _cleanup_free_ char *half = repeat('y', 700 * 1024);

                ASSERT_TRUE(asprintf(&text, "[Exec]\nUser=x\nExec=%s\\\n%s\\\n%s\nGroup=g\n", half, half, half) > 0);
        }
        l = lex(text, strlen(text), 1, &d);
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[1], "Exec|Group|g|6");
        ASSERT_CONTAINS(d.messages[0], "t.cell:3: line too long");
        diag_done(&d);
}

TEST(line_up_to_limit) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *value = NULL, *text = NULL;
        Diagnostics d = {};

        /* Exactly UNIT_LINE_MAX bytes of logical line is fine. */
        value = repeat('v', UNIT_LINE_MAX - strlen("Exec="));
        ASSERT_TRUE(asprintf(&text, "[Exec]\nExec=%s\n", value) > 0);
        l = lex(text, strlen(text), 0, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_EQ(strlen(l[0]), strlen("Exec|Exec|") + strlen(value) + strlen("|2"));
        ASSERT_EQ(d.n_errors, 0);

        /* One byte more is 1 MiB: systemd's read_line() refuses that already. */
        l = strv_free(l);
        free(value);
        free(text);
        value = repeat('v', UNIT_LINE_MAX + 1 - strlen("Exec="));
        ASSERT_TRUE(asprintf(&text, "[Exec]\nExec=%s\n", value) > 0);
        l = lex(text, strlen(text), 1, &d);
        ASSERT_EQ(strv_length(l), 0);
        ASSERT_CONTAINS(d.messages[0], "t.cell:2: line too long (a logical line may have at most 1048575 bytes)");
        diag_done(&d);
}

TEST(utf8) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};
        static const char text[] =
                "\xef\xbb\xbf[Unit]\n"
                "Description=caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n"    /* 2: fine */
                "Description=caf\xe9\n"                                          /* 3: Latin-1 */
                "# a comment is not read: \xff\n"
                "Description=\xc0\xaf\n"                                        /* 5: overlong "/" */
                "Description=\xed\xa0\x80\n"                                    /* 6: a surrogate */
                "Description=\xf4\x90\x80\x80\n"                                /* 7: above U+10FFFF */
                "Description=\xe2\x82\n"                                        /* 8: cut short */
                "X-Other=\x80 \\\n"                                             /* 9-10: continued */
                "  more\n";

        l = lex(text, sizeof(text) - 1, 6, &d);
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_CONTAINS(l[0], "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
        ASSERT_CONTAINS(d.messages[0], "t.cell:3: line is not valid UTF-8");
        ASSERT_CONTAINS(d.messages[0], "a surrogate or a non-character such as U+FFFE counts");
        ASSERT_CONTAINS(d.messages[1], "t.cell:5: ");
        ASSERT_CONTAINS(d.messages[2], "t.cell:6: ");
        ASSERT_CONTAINS(d.messages[3], "t.cell:7: ");
        ASSERT_CONTAINS(d.messages[4], "t.cell:8: ");
        ASSERT_CONTAINS(d.messages[5], "t.cell:9: line is not valid UTF-8");
        diag_done(&d);
}

static int fail_on_second(const char *section, const char *key, const char *value,
                          const char *file, unsigned line, void *userdata) {
        unsigned *n = userdata;

        return ++*n == 2 ? -ENOMEM : 0;
}

TEST(callback_error_stops) {
        unsigned n = 0;

        /* The header is the first call, a=1 the second. */
        ASSERT_ERROR(unit_lex_buffer("[A]\na=1\nb=2\nc=3\n", 16, "t", fail_on_second, &n, NULL), ENOMEM);
        ASSERT_EQ(n, 2);
        /* A header's error stops the lexing too. */
        n = 0;
        ASSERT_ERROR(unit_lex_buffer("[A]\n[B]\nb=2\n", 12, "t", fail_on_second, &n, NULL), ENOMEM);
        ASSERT_EQ(n, 2);
}

/* Headers too, as "[Section]|line", and assignments as collect()'s. */
static int collect_all(const char *section, const char *key, const char *value,
                       const char *file, unsigned line, void *userdata) {
        char ***l = userdata, *s;

        if (key)
                return collect(section, key, value, file, line, userdata);
        ASSERT_NULL(value);
        if (asprintf(&s, "[%s]|%u", section, line) < 0)
                return -ENOMEM;
        return strv_push(l, s);
}

/* Each valid header is handed on at its own line, in file order, also when
 * no key follows it (an unknown section is an error at its header, not at
 * its first key); an invalid one is the lexer's problem alone. */
TEST(section_headers) {
        static const char text[] = "[Exec]\nUser=x\n\n[Isolaton]\n# PrivateNetwork=no\n\nPrivateNetwork=no\n"
                                   "[X-Empty]\n[Ex\"ec]\nA=1\n[Exec]\\\n\n[Root]\n";
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};

        ASSERT_EQ(unit_lex_buffer(text, sizeof(text) - 1, "t.cell", collect_all, &l, &d), 1);
        ASSERT_EQ(strv_length(l), 7);
        ASSERT_STREQ(l[0], "[Exec]|1");
        ASSERT_STREQ(l[1], "Exec|User|x|2");
        ASSERT_STREQ(l[2], "[Isolaton]|4");
        ASSERT_STREQ(l[3], "Isolaton|PrivateNetwork|no|7");
        ASSERT_STREQ(l[4], "[X-Empty]|8");
        /* A continued header is named at its first line; A=1 under the broken one is not handed on. */
        ASSERT_STREQ(l[5], "[Exec]|11");
        ASSERT_STREQ(l[6], "[Root]|13");
        ASSERT_STREQ(d.messages[0], "t.cell:9: invalid section name \"[Ex\"ec]\"");
        diag_done(&d);
}

TEST(lex_file) {
        _cleanup_strv_free_ char **l = NULL;
        char path[] = "/tmp/test-lexer-XXXXXX";
        const char text[] = "[Exec]\nExec=x\n";
        Diagnostics d = {};
        int fd;

        fd = mkstemp(path);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, text, sizeof(text) - 1), (ssize_t) sizeof(text) - 1);
        close(fd);
        ASSERT_EQ(unit_lex_file(path, "shown.cell", collect, &l, &d), 0);
        ASSERT_STREQ(l[0], "Exec|Exec|x|2");
        ASSERT_EQ(unlink(path), 0);

        ASSERT_ERROR(unit_lex_file(path, NULL, collect, &l, &d), ENOENT);
        ASSERT_ERROR(unit_lex_file("/", NULL, collect, &l, &d), EISDIR);
        ASSERT_NULL(d.messages);
}

/* Only a regular file is read, and only up to UNIT_FILE_MAX: a device that
 * never ends and a FIFO that blocks are refused at once; /dev/null (systemd's
 * mask) is empty. */
TEST(lex_file_only_regular) {
        _cleanup_strv_free_ char **l = NULL;
        char dir[] = "/tmp/test-lexer-XXXXXX";
        _cleanup_free_ char *fifo = NULL, *big = NULL;
        Diagnostics d = {};

        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_TRUE(asprintf(&fifo, "%s/fifo", dir) > 0);
        ASSERT_TRUE(asprintf(&big, "%s/big", dir) > 0);
        ASSERT_OK(mkfifo(fifo, 0600));
        ASSERT_ERROR(unit_lex_file(fifo, NULL, collect, &l, &d), EBADFD);
        ASSERT_ERROR(unit_lex_file("/dev/zero", NULL, collect, &l, &d), EBADFD);
        ASSERT_EQ(unit_lex_file("/dev/null", NULL, collect, &l, &d), 0);
        ASSERT_NULL(l);

        int fd = open(big, O_WRONLY|O_CREAT|O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(ftruncate(fd, (off_t) UNIT_FILE_MAX + 1));
        ASSERT_ERROR(unit_lex_file(big, NULL, collect, &l, &d), EFBIG);
        /* Exactly the limit is read (one long run of NULs: one problem). */
        ASSERT_OK(ftruncate(fd, (off_t) UNIT_FILE_MAX));
        close(fd);
        ASSERT_EQ(unit_lex_file(big, NULL, collect, &l, &d), 1);
        ASSERT_NULL(d.messages[1]);
        diag_done(&d);

        ASSERT_OK(unlink(fifo));
        ASSERT_OK(unlink(big));
        ASSERT_OK(rmdir(dir));
}

#include <ini.h>

TEST(inih_options_do_not_matter) {
        _cleanup_strv_free_ char **l = NULL;
        Diagnostics d = {};
        bool inline_comments = ini_allow_inline_comments, multiline = ini_allow_multiline;
        char *prefixes = ini_inline_comment_prefixes;

        /* Debian's libinih exposes its compile options as globals: turn on
         * everything that is not systemd syntax and check nothing changes. */
        ini_allow_inline_comments = true;
        ini_allow_multiline = true;
        ini_inline_comment_prefixes = (char *) ";#=";
        l = LEX("[Exec]\nExec=sh -c \"a ; b\" # c\n  User=x;y\n", 0, &d);
        ini_allow_inline_comments = inline_comments;
        ini_allow_multiline = multiline;
        ini_inline_comment_prefixes = prefixes;

        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "Exec|Exec|sh -c \"a ; b\" # c|2");
        ASSERT_STREQ(l[1], "Exec|User|x;y|3");
}
