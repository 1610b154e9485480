/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env-util.h"
#include "strv.h"
#include "test.h"

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

/* Parses text as an environment file into a fresh list. */
static int parse(const char *text, char ***env, unsigned *line) {
        _cleanup_(fclosep) FILE *f = fmemopen((void *) text, strlen(text), "r");

        ASSERT_NOT_NULL(f);
        return env_file_parse(f, env, line);
}

TEST(assign_replaces_same_key) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(env_assign(&env, "A=1"));
        ASSERT_OK(env_assign(&env, "AB=2"));
        ASSERT_OK(env_assign(&env, "A=3"));
        ASSERT_EQ(strv_length(env), 2);
        ASSERT_STREQ(env[0], "A=3");
        ASSERT_STREQ(env_get(env, "A"), "3");
        ASSERT_STREQ(env_get(env, "AB"), "2");
        ASSERT_NULL(env_get(env, "B"));
        ASSERT_ERROR(env_assign(&env, "novalue"), EINVAL);
        ASSERT_ERROR(env_assign(&env, "=x"), EINVAL);
}

TEST(assign_strv_keeps_order_and_overrides) {
        _cleanup_strv_free_ char **env = NULL;
        char *before[] = { (char *) "PATH=/bin", (char *) "TERM=xterm", NULL };
        char *after[] = { (char *) "TERM=dumb", (char *) "X=y", NULL };

        ASSERT_OK(env_assign_strv(&env, before));
        ASSERT_OK(env_assign_strv(&env, after));
        ASSERT_EQ(strv_length(env), 3);
        ASSERT_STREQ(env_get(env, "TERM"), "dumb");
        ASSERT_STREQ(env[2], "X=y");
}

/* UnsetEnvironment='s match, as systemd's env_match(). */
TEST(unset_matches) {
        ASSERT_TRUE(env_unset_matches("A=b", "A"));
        ASSERT_TRUE(env_unset_matches("A=", "A"));
        ASSERT_TRUE(env_unset_matches("A=b", "A=b"));
        ASSERT_TRUE(env_unset_matches("A=", "A="));
        ASSERT_FALSE(env_unset_matches("AB=b", "A"));
        ASSERT_FALSE(env_unset_matches("A=b", "A="));
        ASSERT_FALSE(env_unset_matches("A=b", "A=c"));
        ASSERT_FALSE(env_unset_matches("A=bc", "A=b"));
        ASSERT_FALSE(env_unset_matches("B=A", "A"));
}

TEST(unset_strv) {
        _cleanup_strv_free_ char **env = NULL;
        char *patterns[] = { (char *) "A", (char *) "C=3", (char *) "D=no", (char *) "NONE", NULL };

        ASSERT_OK(env_assign(&env, "A=1"));
        ASSERT_OK(env_assign(&env, "AB=2"));
        ASSERT_OK(env_assign(&env, "C=3"));
        ASSERT_OK(env_assign(&env, "D=4"));
        ASSERT_OK(env_assign(&env, "E=A"));
        env_unset_strv(env, patterns);
        ASSERT_EQ(strv_length(env), 3);
        ASSERT_STREQ(env[0], "AB=2");
        ASSERT_STREQ(env[1], "D=4");
        ASSERT_STREQ(env[2], "E=A");
        env_unset_strv(env, NULL);
        ASSERT_EQ(strv_length(env), 3);
        env_unset_strv(NULL, patterns);
}

TEST(assignment_max) {
        /* MAX_ARG_STRLEN: 32 pages. */
        ASSERT_EQ(env_assignment_max(), 32 * (size_t) sysconf(_SC_PAGESIZE));
}

/* What cannot reach the payload: too long for execve(2), or a value that
 * is not UTF-8, which systemd drops (a PassEnvironment= variable). */
TEST(check_payload) {
        _cleanup_free_ char *big = NULL;
        size_t max = env_assignment_max();
        const char *bad = NULL;
        char *ok[] = { (char *) "A=1", (char *) "U=\xc3\xa9", (char *) "E=", NULL };
        char *latin1[] = { (char *) "A=1", (char *) "LANG_X=caf\xe9", (char *) "B=2", NULL };
        char *toolong[] = { (char *) "A=1", NULL, NULL };

        ASSERT_OK(env_check_payload(ok, &bad));
        ASSERT_NULL(bad);
        ASSERT_OK(env_check_payload(NULL, &bad));
        ASSERT_ERROR(env_check_payload(latin1, &bad), EILSEQ);
        ASSERT_STREQ(bad, "LANG_X=caf\xe9");

        big = malloc(max + 1);
        ASSERT_NOT_NULL(big);
        memset(big, 'x', max);
        memcpy(big, "B=", 2);
        big[max - 1] = 0;       /* max - 1 bytes and the NUL: just fits */
        toolong[1] = big;
        ASSERT_OK(env_check_payload(toolong, &bad));
        big[max - 1] = 'x';
        big[max] = 0;
        ASSERT_ERROR(env_check_payload(toolong, &bad), E2BIG);
        ASSERT_TRUE(bad == big);
}

TEST(file_plain_comments) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("# comment\n"
                        "; also a comment\n"
                        "\n"
                        "A=1\n"
                        "  B = two  \n"
                        "A=again\n", &env, NULL));
        ASSERT_EQ(strv_length(env), 2);
        ASSERT_STREQ(env_get(env, "A"), "again");
        ASSERT_STREQ(env_get(env, "B"), "two");
}

/* A shell's "export " is no part of systemd's syntax: its key "export B"
 * is no name, and systemd drops the line with a warning; refused as any
 * other, naming the line. */
TEST(file_export_refused) {
        _cleanup_strv_free_ char **env = NULL;
        unsigned line = 0;

        ASSERT_ERROR(parse("A=1\n  export B=two\n", &env, &line), EINVAL);
        ASSERT_EQ(line, 2u);
        ASSERT_ERROR(parse("export\tB=two\n", &env, &line), EINVAL);
        /* Named as read, for the message. */
        {
                _cleanup_free_ char *key = NULL;
                _cleanup_(fclosep) FILE *f = NULL;
                static const char text[] = "A=1\n export  B =two\n";

                ASSERT_NOT_NULL(f = fmemopen((void *) text, sizeof text - 1, "r"));
                ASSERT_ERROR(env_file_parse_key(f, &env, &line, &key), EINVAL);
                ASSERT_STREQ(key, "export  B");
                ASSERT_EQ(line, 2u);
        }
        /* A name that only starts so is a name. */
        ASSERT_OK(parse("exported=1\nexport=2\n", &env, &line));
        ASSERT_STREQ(env_get(env, "exported"), "1");
        ASSERT_STREQ(env_get(env, "export"), "2");
}

TEST(file_quotes_and_escapes) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("S='single # not a comment '\n"
                        "D=\"double \\\"quoted\\\" $x \\n\"\n"
                        "E=\n"
                        "B=\\ lead\\\\ing\n", &env, NULL));
        ASSERT_STREQ(env_get(env, "S"), "single # not a comment ");
        /* \n is no escape of the shell's: both characters stay. */
        ASSERT_STREQ(env_get(env, "D"), "double \"quoted\" $x \\n");
        ASSERT_STREQ(env_get(env, "E"), "");
        ASSERT_STREQ(env_get(env, "B"), " lead\\ing");
}

/* systemd.exec(5): "quotes after the first non-whitespace character are
 * preserved" in an unquoted value, as /etc/default files write options. */
TEST(file_quotes_inside_a_value_are_kept) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("M=a\"b c\"d\n"
                        "OPTS=--name=\"a b\" --x='y'\n"
                        "J=\"a\" 'b'c\n", &env, NULL));
        ASSERT_STREQ(env_get(env, "M"), "a\"b c\"d");
        ASSERT_STREQ(env_get(env, "OPTS"), "--name=\"a b\" --x='y'");
        /* After a closing quote blanks are skipped and the value goes on. */
        ASSERT_STREQ(env_get(env, "J"), "abc");
}

/* Quoted values span lines; single quotes take every byte as it is. */
TEST(file_quoted_values_span_lines) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("S='one\n"
                        "two \\\n"
                        "three'\n"
                        "D=\"four\n"
                        "five \\\n"
                        "six\"\n"
                        "N=after\n", &env, NULL));
        ASSERT_STREQ(env_get(env, "S"), "one\ntwo \\\nthree");
        ASSERT_STREQ(env_get(env, "D"), "four\nfive six");
        ASSERT_STREQ(env_get(env, "N"), "after");
}

/* An escaped blank at the end is part of the value; unquoted ones are not. */
TEST(file_trailing_blanks) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("A=x \t\nB=x\\ \nC=\"x \"  \n", &env, NULL));
        ASSERT_STREQ(env_get(env, "A"), "x");
        ASSERT_STREQ(env_get(env, "B"), "x ");
        ASSERT_STREQ(env_get(env, "C"), "x ");
}

TEST(file_continuation) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("L=one \\\ntwo\n"
                        "# a comment \\\n"
                        "X=continued the comment\n"
                        "N=3", &env, NULL));
        ASSERT_STREQ(env_get(env, "L"), "one two");
        ASSERT_NULL(env_get(env, "X"));
        ASSERT_STREQ(env_get(env, "N"), "3");
}

TEST(file_errors_name_the_line) {
        _cleanup_strv_free_ char **env = NULL;
        unsigned line = 0;

        /* A line without "=" is ignored, as systemd.exec(5) says. */
        ASSERT_OK(parse("A=1\n\nnot an assignment\nB=2\n", &env, &line));
        ASSERT_STREQ(env_get(env, "B"), "2");
        ASSERT_EQ(strv_length(env), 2);
        ASSERT_ERROR(parse("A=1\nno assignment\n1A=x\n", &env, &line), EINVAL);
        ASSERT_EQ(line, 3);
        ASSERT_ERROR(parse("A=\"unterminated\nB=2\n", &env, &line), EBADMSG);
        ASSERT_EQ(line, 1);
        ASSERT_ERROR(parse("A-B=x\n", &env, &line), EINVAL);
        {
                _cleanup_free_ char *key = NULL, *longkey = NULL;
                _cleanup_(fclosep) FILE *f = NULL;
                static const char text[] = "\xef\xbb\xbf" "A\"\\=1\n";

                /* A byte-order mark, a quote, a backslash: shown as bytes. */
                ASSERT_NOT_NULL(f = fmemopen((void *) text, sizeof text - 1, "r"));
                ASSERT_ERROR(env_file_parse_key(f, &env, &line, &key), EINVAL);
                ASSERT_STREQ(key, "\\xef\\xbb\\xbfA\\x22\\x5c");
                fclose(f);
                f = NULL;
                ASSERT_NOT_NULL(longkey = malloc(200));
                memset(longkey, 'K', 100);
                strcpy(longkey + 100, "-=1\n");
                ASSERT_NOT_NULL(f = fmemopen(longkey, strlen(longkey), "r"));
                key = mfree(key);
                ASSERT_ERROR(env_file_parse_key(f, &env, &line, &key), EINVAL);
                ASSERT_EQ(strlen(key), 64u + 3u);
                ASSERT_TRUE(endswith(key, "K..."));
                fclose(f);
                f = NULL;
                /* Nothing to name for another error. */
                key = mfree(key);
                ASSERT_NOT_NULL(f = fmemopen((void *) "A='x\n", 5, "r"));
                ASSERT_ERROR(env_file_parse_key(f, &env, &line, &key), EBADMSG);
                ASSERT_NULL(key);
        }
        /* systemd refuses a value that is not UTF-8. */
        ASSERT_ERROR(parse("A=1\nU=\xff\xfe\n", &env, &line), EILSEQ);
        ASSERT_EQ(line, 2);
}

/* systemd's newlines are "\n" and "\r" alike, each ending a line of its
 * own (checked against systemd 252's parser through ConditionOSRelease=):
 * "\r\n" ends a line as "\n" does, but a backslash before it joins
 * nothing (the "\r" is what it eats), a comment's backslash does not carry
 * the comment over it, and a quoted value keeps its "\r". */
TEST(file_crlf_and_continuation_at_eof) {
        _cleanup_strv_free_ char **env = NULL;
        unsigned line = 0;

        ASSERT_OK(parse("A=1\r\nB=x \\\r\ny\r\nC=end\\", &env, &line));
        ASSERT_STREQ(env_get(env, "A"), "1");
        ASSERT_STREQ(env_get(env, "B"), "x ");
        ASSERT_NULL(env_get(env, "y"));
        ASSERT_STREQ(env_get(env, "C"), "end");
        ASSERT_EQ(strv_length(env), 3u);
        env = strv_free(env);

        ASSERT_OK(parse("# a comment \\\r\nD=set\r\n"
                        "Q=\"x\r\ny\"\r\n"
                        "S='x\r\ny'\r\n"
                        "E=\"x\\\r\ny\"\r\n"
                        "L=a\rM=b\n", &env, &line));
        ASSERT_STREQ(env_get(env, "D"), "set");
        ASSERT_STREQ(env_get(env, "Q"), "x\r\ny");
        ASSERT_STREQ(env_get(env, "S"), "x\r\ny");
        /* In double quotes only a backslash-"\n" vanishes. */
        ASSERT_STREQ(env_get(env, "E"), "x\\\r\ny");
        ASSERT_STREQ(env_get(env, "L"), "a");
        ASSERT_STREQ(env_get(env, "M"), "b");

        /* A message names the line an editor shows, whichever the line ends. */
        ASSERT_ERROR(parse("A=1\rB=2\r1X=3\r", &env, &line), EINVAL);
        ASSERT_EQ(line, 3u);
        ASSERT_ERROR(parse("A=1\r\nB=2\r\n1X=3\r\n", &env, &line), EINVAL);
        ASSERT_EQ(line, 3u);
        ASSERT_ERROR(parse("A=1\r\n\r\nB=\xff\n", &env, &line), EILSEQ);
        ASSERT_EQ(line, 3u);
}

/* systemd's LONG_LINE_MAX: a longer logical line is refused, naming the line
 * it starts on, once that much is read (not the whole line). */
TEST(file_line_too_long) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n = ENV_FILE_LINE_MAX + 16;
        unsigned line = 0;

        text = malloc(n + 32);
        ASSERT_NOT_NULL(text);
        strcpy(text, "A=1\nB=");
        memset(text + 6, 'x', n);
        strcpy(text + 6 + n, "\n");
        ASSERT_ERROR(parse(text, &env, &line), ENOBUFS);
        ASSERT_EQ(line, 2);

        /* Exactly the limit is fine; continuation lines count together. */
        memset(text, 'y', ENV_FILE_LINE_MAX);
        memcpy(text, "B=", 2);
        strcpy(text + ENV_FILE_LINE_MAX, "\n");
        env = strv_free(env);
        ASSERT_OK(parse(text, &env, &line));
        ASSERT_EQ(strlen(env_get(env, "B")), ENV_FILE_LINE_MAX - 2);
        memcpy(text + ENV_FILE_LINE_MAX / 2, "\\\n", 2);
        strcpy(text + ENV_FILE_LINE_MAX, "yyyy\n");      /* two over the limit, joined */
        ASSERT_ERROR(parse(text, &env, &line), ENOBUFS);
        ASSERT_EQ(line, 1);
}

/* An endless stream of short comment lines (as from a device that never
 * ends): refused once ENV_FILE_SIZE_MAX bytes are read. */
static ssize_t endless_read(void *cookie, char *buf, size_t size) {
        size_t *total = cookie;
        for (size_t i = 0; i < size; i++)
                buf[i] = (*total + i) % 64 == 63 ? '\n' : '#';
        *total += size;
        return (ssize_t) size;
}

/* A NUL byte anywhere refuses the file, naming its line, as systemd
 * refuses it (read as a string, its size unasked: -EBADMSG): neither the
 * text before it alone nor what follows is the environment. */
TEST(file_nul_refused) {
        static const char text[] = "A=1\nB=2\0\nC=3\n", tail[] = "A=1\n#\n\0";
        _cleanup_strv_free_ char **env = NULL;
        unsigned line = 0;
        FILE *f = fmemopen((void *) text, sizeof text - 1, "r");

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(env_file_parse(f, &env, &line), -EUCLEAN);
        fclose(f);
        ASSERT_EQ(line, 2);

        line = 0;
        ASSERT_NOT_NULL(f = fmemopen((void *) tail, sizeof tail - 1, "r"));
        ASSERT_EQ(env_file_parse(f, &env, &line), -EUCLEAN);
        fclose(f);
        ASSERT_EQ(line, 3);
}

TEST(file_too_large) {
        _cleanup_strv_free_ char **env = NULL;
        size_t total = 0;
        unsigned line = 0;
        FILE *f = fopencookie(&total, "r", (cookie_io_functions_t) { .read = endless_read });

        ASSERT_NOT_NULL(f);
        ASSERT_ERROR(env_file_parse(f, &env, &line), EFBIG);
        ASSERT_TRUE(total >= ENV_FILE_SIZE_MAX && total < ENV_FILE_SIZE_MAX + 64 * 1024);
        fclose(f);
}

/* A read error is told as what it is: a directory's EISDIR, not "I/O error". */
TEST(file_read_error_is_kept) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_(fclosep) FILE *f = fopen("/", "re");

        ASSERT_NOT_NULL(f);
        ASSERT_ERROR(env_file_parse(f, &env, NULL), EISDIR);
}

TEST(file_open_only_regular_files) {
        char dir[] = "/tmp/test-env-util.XXXXXX";
        _cleanup_free_ char *fifo = NULL, *file = NULL, *big = NULL;
        _cleanup_strv_free_ char **env = NULL;
        FILE *f = NULL;

        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_TRUE(asprintf(&fifo, "%s/fifo", dir) > 0);
        ASSERT_TRUE(asprintf(&file, "%s/file", dir) > 0);
        ASSERT_TRUE(asprintf(&big, "%s/big", dir) > 0);

        /* A FIFO with no writer: refused at once, not waited on. */
        ASSERT_OK(mkfifo(fifo, 0600));
        ASSERT_ERROR(env_file_open(fifo, &f), EBADFD);
        ASSERT_ERROR(env_file_open("/dev/zero", &f), EBADFD);
        /* the null device is an empty file, as systemd reads it */
        ASSERT_OK(env_file_open("/dev/null", &f));
        {
                _cleanup_strv_free_ char **none = NULL;

                ASSERT_OK(env_file_parse(f, &none, NULL));
                ASSERT_NULL(none);
                fclose(f);
                f = NULL;
        }
        ASSERT_ERROR(env_file_open(dir, &f), EISDIR);
        ASSERT_ERROR(env_file_open(file, &f), ENOENT);
        ASSERT_NULL(f);
        /* A path through a file is missing too ("-" ignores it), not ENOTDIR. */
        ASSERT_ERROR(env_file_open("/dev/null/x", &f), ENOENT);
        ASSERT_NULL(f);

        /* Larger than the limit: refused before a byte is read (sparse here). */
        int fd = open(big, O_WRONLY|O_CREAT|O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(ftruncate(fd, (off_t) ENV_FILE_SIZE_MAX + 1));
        close(fd);
        ASSERT_ERROR(env_file_open(big, &f), EFBIG);

        f = fopen(file, "we");
        ASSERT_NOT_NULL(f);
        fputs("K=v\n", f);
        ASSERT_EQ(fclose(f), 0);
        f = NULL;
        ASSERT_OK(env_file_open(file, &f));
        ASSERT_EQ(fcntl(fileno(f), F_GETFD), FD_CLOEXEC);
        ASSERT_OK(env_file_parse(f, &env, NULL));
        ASSERT_STREQ(env_get(env, "K"), "v");
        fclose(f);

        ASSERT_OK(unlink(fifo));
        ASSERT_OK(unlink(file));
        ASSERT_OK(unlink(big));
        ASSERT_OK(rmdir(dir));
}

/* EnvironmentFile='s wildcards as systemd's safe_glob(): sorted, "\\"
 * escaping the next character, "." and ".." never matched (glob(3) alone
 * gives them to ".*", and the start would fail on a directory), none
 * matching -ENOENT, whatever file bears the pattern's own name. */
TEST(file_glob) {
        char dir[] = "/tmp/test-env-util.XXXXXX";
        static const char *const names[] = { "b.env", "a.env", ".hidden", "[x].env", "*" };
        _cleanup_strv_free_ char **paths = NULL;
        char p[PATH_MAX];

        ASSERT_NOT_NULL(mkdtemp(dir));
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                snprintf(p, sizeof p, "%s/%s", dir, names[i]);
                int fd = open(p, O_WRONLY|O_CREAT|O_CLOEXEC, 0600);
                ASSERT_TRUE(fd >= 0);
                close(fd);
        }

        snprintf(p, sizeof p, "%s/.*", dir);
        ASSERT_OK(env_file_glob(p, &paths));
        ASSERT_EQ(strv_length(paths), 1u);
        ASSERT_TRUE(endswith(paths[0], "/.hidden"));
        paths = strv_free(paths);

        snprintf(p, sizeof p, "%s/?.env", dir);
        ASSERT_OK(env_file_glob(p, &paths));
        ASSERT_EQ(strv_length(paths), 2u);
        ASSERT_TRUE(endswith(paths[0], "/a.env"));
        ASSERT_TRUE(endswith(paths[1], "/b.env"));
        paths = strv_free(paths);

        /* A backslash escapes: "\\a.env" is a.env, "\\*" the file named "*". */
        snprintf(p, sizeof p, "%s/\\a.env", dir);
        ASSERT_OK(env_file_glob(p, &paths));
        ASSERT_EQ(strv_length(paths), 1u);
        ASSERT_TRUE(endswith(paths[0], "/a.env"));
        paths = strv_free(paths);
        snprintf(p, sizeof p, "%s/\\*", dir);
        ASSERT_OK(env_file_glob(p, &paths));
        ASSERT_EQ(strv_length(paths), 1u);
        ASSERT_TRUE(endswith(paths[0], "/*"));
        paths = strv_free(paths);

        /* "[x].env" matches x.env only: missing, though a file has that name. */
        snprintf(p, sizeof p, "%s/[x].env", dir);
        ASSERT_ERROR(env_file_glob(p, &paths), ENOENT);
        ASSERT_NULL(paths);
        snprintf(p, sizeof p, "%s/c*", dir);
        ASSERT_ERROR(env_file_glob(p, &paths), ENOENT);

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                snprintf(p, sizeof p, "%s/%s", dir, names[i]);
                ASSERT_OK(unlink(p));
        }
        ASSERT_OK(rmdir(dir));
}

/* Parses text as os-release(5) is read for the specifiers. */
static int parse_lenient(const char *text, char ***env, unsigned *line) {
        _cleanup_(fclosep) FILE *f = fmemopen((void *) text, strlen(text), "r");

        ASSERT_NOT_NULL(f);
        return env_file_parse_lenient(f, env, line);
}

/* systemd's parse_env_file() (os-release, machine-info): what
 * EnvironmentFile= refuses, a bad name or a quote left open, costs only
 * that line there; "export " is part of the key. */
TEST(file_lenient_skips_odd_lines) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse_lenient("1X=bar\nA-B=c\nA B=d\nID=debian\nexport VERSION_ID=12\n"
                                "NAME='Debian\nGNU", &env, NULL));
        ASSERT_EQ(strv_length(env), 2);
        ASSERT_STREQ(env_get(env, "ID"), "debian");
        ASSERT_NULL(env_get(env, "VERSION_ID"));
        ASSERT_STREQ(env_get(env, "NAME"), "Debian\nGNU");
        env = strv_free(env);
        ASSERT_OK(parse_lenient("ID=\"debian\\", &env, NULL));
        ASSERT_STREQ(env_get(env, "ID"), "debian");
        env = strv_free(env);
        /* The same text as EnvironmentFile=: refused. */
        ASSERT_ERROR(parse("1X=bar\nID=debian\n", &env, NULL), EINVAL);
        ASSERT_ERROR(parse("ID='debian\n", &env, NULL), EBADMSG);
}

/* ... but a key or a value that is not UTF-8 (as systemd's utf8_is_valid():
 * a non-character neither) fails the file there too. */
TEST(file_lenient_refuses_bad_utf8) {
        _cleanup_strv_free_ char **env = NULL;
        unsigned line = 0;

        ASSERT_ERROR(parse_lenient("ID=debian\n\xff=1\n", &env, &line), EILSEQ);
        ASSERT_EQ(line, 2u);
        ASSERT_ERROR(parse_lenient("NAME=\xef\xbf\xbe\nID=debian\n", &env, &line), EILSEQ);
        ASSERT_EQ(line, 1u);
        ASSERT_ERROR(parse("A=\xef\xb7\x90\n", &env, &line), EILSEQ);
        ASSERT_ERROR(parse("A=\xed\xa0\x80\n", &env, &line), EILSEQ);
        ASSERT_OK(parse("A=\xef\xbf\xbd\xef\xb7\xb0\n", &env, &line));
        ASSERT_STREQ(env_get(env, "A"), "\xef\xbf\xbd\xef\xb7\xb0");
}

/* env_file_find(): where a value came from, for the message about it: the
 * line its last assignment starts on (a quoted value spanning lines, a
 * continued one, a CRLF file counted as an editor counts), and that value. */
static int find(const char *text, const char *key, unsigned *line, char **value) {
        _cleanup_(fclosep) FILE *f = fmemopen((void *) text, strlen(text), "r");

        ASSERT_NOT_NULL(f);
        return env_file_find(f, key, line, value);
}

TEST(file_find) {
        const char *text = "# c\nA=1\nB=\"x\ny\"\nC=a\\\nb\r\nA=2\nAB=3\n";
        _cleanup_free_ char *v = NULL;
        unsigned line = 0;

        ASSERT_EQ(find(text, "A", &line, &v), 1);
        ASSERT_EQ(line, 7);
        ASSERT_STREQ(v, "2");
        v = mfree(v);
        ASSERT_EQ(find(text, "B", &line, &v), 1);
        ASSERT_EQ(line, 3);
        ASSERT_STREQ(v, "x\ny");
        v = mfree(v);
        ASSERT_EQ(find(text, "C", &line, &v), 1);
        ASSERT_EQ(line, 5);
        ASSERT_STREQ(v, "ab");
        v = mfree(v);
        /* A name that is a prefix of another is not it; none: 0, nothing set. */
        line = 99;
        ASSERT_EQ(find("AB=3\nX=1\n", "A", &line, &v), 0);
        ASSERT_EQ(line, 99);
        ASSERT_NULL(v);
        /* The last one of a file without a final newline, an empty value. */
        ASSERT_EQ(find("A=1\nA=", "A", &line, &v), 1);
        ASSERT_EQ(line, 2);
        ASSERT_STREQ(v, "");
        v = mfree(v);
        /* A file the start refuses is refused here too. */
        ASSERT_ERROR(find("A=1\n1X=2\n", "A", &line, &v), EINVAL);
        ASSERT_NULL(v);
}
