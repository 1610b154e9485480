/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/spawn-env.c: the command lookup in a PATH that cell run and
 * cell exec both use, on files made here; Exec='s variables. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spawn-env.h"
#include "strv.h"
#include "test.h"

static char dir[64];

static void dir_new(void) {
        snprintf(dir, sizeof dir, "/tmp/test-spawn-env.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
}

static void dir_free(void) {
        _cleanup_free_ char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* dir/sub, made if need be; with name, the file dir/sub/name of that mode. */
static char *make(const char *sub, const char *name, mode_t mode) {
        char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/%s", dir, sub) > 0);
        ASSERT_TRUE(mkdir(p, 0755) >= 0 || errno == EEXIST);
        if (!name)
                return p;
        free(p);
        ASSERT_TRUE(asprintf(&p, "%s/%s/%s", dir, sub, name) > 0);
        int fd = open(p, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, mode);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(fchmod(fd, mode), 0);
        close(fd);
        return p;
}

TEST(name_with_slash_taken_as_is) {
        _cleanup_free_ char *got = NULL;

        /* Not looked up, not even checked: the exec reports what is wrong. */
        ASSERT_OK(spawn_find_exec("./missing", "/nonexistent", &got));
        ASSERT_STREQ(got, "./missing");
        free(got);
        got = NULL;
        ASSERT_OK(spawn_find_exec("/no/such/prog", NULL, &got));
        ASSERT_STREQ(got, "/no/such/prog");
}

TEST(first_match_in_path_order) {
        _cleanup_free_ char *a = NULL, *b = NULL, *fa = NULL, *fb = NULL, *path = NULL, *got = NULL;

        dir_new();
        a = make("a", NULL, 0);
        b = make("b", NULL, 0);
        fa = make("a", "prog", 0755);
        fb = make("b", "prog", 0755);
        ASSERT_TRUE(asprintf(&path, "%s:%s", b, a) > 0);
        ASSERT_OK(spawn_find_exec("prog", path, &got));
        ASSERT_STREQ(got, fb);
        dir_free();
}

TEST(relative_entries_skipped) {
        _cleanup_free_ char *a = NULL, *fa = NULL, *path = NULL, *got = NULL, *cwd = NULL;

        dir_new();
        a = make("a", NULL, 0);
        fa = make("a", "prog", 0755);
        free(make("rel", "prog", 0755));
        cwd = getcwd(NULL, 0);
        ASSERT_NOT_NULL(cwd);
        /* From dir, "rel" and "." would find rel/prog; only the absolute
         * entry counts. */
        ASSERT_EQ(chdir(dir), 0);
        ASSERT_TRUE(asprintf(&path, "rel:.:%s", a) > 0);
        ASSERT_OK(spawn_find_exec("prog", path, &got));
        ASSERT_STREQ(got, fa);
        ASSERT_EQ(chdir(cwd), 0);
        dir_free();
}

TEST(non_regular_and_non_executable_skipped) {
        _cleanup_free_ char *d = NULL, *x = NULL, *e = NULL, *fe = NULL, *sub = NULL,
                            *path = NULL, *got = NULL;

        dir_new();
        /* A directory called prog (mode 0755, so access(X_OK) alone would
         * pass), a file prog without x, then the right one. */
        d = make("d", NULL, 0);
        sub = make("d/prog", NULL, 0);
        x = make("x", "prog", 0644);
        e = make("e", NULL, 0);
        fe = make("e", "prog", 0755);
        ASSERT_TRUE(asprintf(&path, "%s:%s/x:%s", d, dir, e) > 0);
        ASSERT_OK(spawn_find_exec("prog", path, &got));
        ASSERT_STREQ(got, fe);
        dir_free();
}

TEST(not_found) {
        _cleanup_free_ char *a = NULL, *path = NULL;
        char *got = (char *) "untouched";

        dir_new();
        a = make("a", NULL, 0);
        free(make("a", "other", 0755));
        free(make("a", "prog", 0644));
        ASSERT_TRUE(asprintf(&path, "%s:relative:%s/none", a, dir) > 0);
        ASSERT_EQ(spawn_find_exec("prog", path, &got), -ENOENT);
        ASSERT_STREQ(got, "untouched");
        ASSERT_EQ(spawn_find_exec("prog", "", &got), -ENOENT);
        dir_free();
}

TEST(default_path) {
        _cleanup_free_ char *got = NULL;

        /* NULL PATH is SPAWN_DEFAULT_PATH; sh is in one of its entries. */
        ASSERT_OK(spawn_find_exec("sh", NULL, &got));
        ASSERT_TRUE(got[0] == '/');
        ASSERT_CONTAINS(got, "/sh");
}

/* argv (a NULL-terminated list) expanded from env, joined with '|' for comparison. */
static char *expand(const char * const *argv, const char * const *env) {
        _cleanup_strv_free_ char **out = NULL;
        char *joined = NULL;
        size_t size = 0;
        FILE *f;

        ASSERT_OK(spawn_expand_argv((char * const *) argv, (char * const *) env, &out, NULL));
        ASSERT_NOT_NULL(f = open_memstream(&joined, &size));
        for (size_t i = 0; out[i]; i++)
                fprintf(f, "%s%s", i ? "|" : "", out[i]);
        ASSERT_EQ(fclose(f), 0);
        return joined;
}

#define EXPANDS(env, want, ...) do {                                          \
                _cleanup_free_ char *_got = expand((const char *[]) { __VA_ARGS__, NULL }, env); \
                ASSERT_STREQ(_got, want);                                       \
        } while (0)

static const char *env[] = {
        "ARGS=-v  --port=80\t'a b' \"c\\\"d\"",
        "EMPTY=",
        "ONE=x y",
        "HOME=/root",
        NULL,
};

/* systemd.service(5): "$FOO" as a word of its own is the value split at
 * whitespace, quotes removed; nothing when unset or empty. */
TEST(whole_word_split) {
        EXPANDS(env, "/bin/app|-v|--port=80|a b|c\"d", "/bin/app", "$ARGS");
        EXPANDS(env, "/bin/app|a|b", "/bin/app", "a", "$EMPTY", "$UNSET", "b");
        EXPANDS(env, "/bin/app|x|y|x y", "/bin/app", "$ONE", "${ONE}");
}

/* "${FOO}" in a word is the value as it is; unset is empty; "$FOO" inside a
 * word and "${FOO:-x}" stay as written, "$$" is "$". */
TEST(in_word) {
        EXPANDS(env, "/bin/app|--home=/root/x|a-b|", "/bin/app", "--home=${HOME}/x", "a-${UNSET}b", "${EMPTY}");
        EXPANDS(env, "/bin/app|echo $HOME|${HOME:-/}|$HOME|$${X}|${HOME", "/bin/app", "echo $HOME", "${HOME:-/}",
                "$$HOME", "$$$${X}", "${HOME");
        EXPANDS(env, "/bin/app|${A:/root}", "/bin/app", "${A:${HOME}}");
        EXPANDS(env, "/bin/app|$|a$", "/bin/app", "$$", "a$");
}

/* The program is never expanded (systemd: it may not be a variable). */
TEST(program_as_written) {
        EXPANDS(env, "${HOME}/bin|$ONE", "${HOME}/bin", "$$ONE");
        EXPANDS(env, "$ONE|x|y", "$ONE", "$ONE");
}

/* A value's unbalanced quote or trailing backslash ends its last word
 * (systemd's EXTRACT_RELAX), rather than failing the start. */
TEST(relaxed_value) {
        const char *e[] = { "Q=a 'b c", "B=x y\\", NULL };
        EXPANDS(e, "p|a|b c", "p", "$Q");
        EXPANDS(e, "p|x|y", "p", "$B");
}

/* Which word of Exec= each expanded word came from. */
TEST(expand_argv_source) {
        const char *argv[] = { "/bin/echo", "$A", "x${B}y", NULL };
        const char *vars[] = { "A=1 2", "B=b", NULL };
        _cleanup_strv_free_ char **out = NULL;
        _cleanup_free_ size_t *source = NULL;

        ASSERT_OK(spawn_expand_argv((char * const *) argv, (char * const *) vars, &out, &source));
        ASSERT_EQ(strv_length(out), 4U);
        ASSERT_STREQ(out[3], "xby");
        ASSERT_EQ(source[0], 0U);
        ASSERT_EQ(source[1], 1U);
        ASSERT_EQ(source[2], 1U);
        ASSERT_EQ(source[3], 2U);
}

/* fs/exec.c's limit: a quarter of the stack, at most 6 MiB, at least 32 pages. */
TEST(exec_strings_max) {
        ASSERT_EQ(spawn_exec_strings_max(RLIM_INFINITY), 6U * 1024U * 1024U);
        ASSERT_EQ(spawn_exec_strings_max(8U * 1024U * 1024U), 2U * 1024U * 1024U);
        ASSERT_EQ(spawn_exec_strings_max(0), env_assignment_max());
}

/* An argument that ${B} makes MAX_ARG_STRLEN long: named, with its variables. */
TEST(check_argv_too_long) {
        size_t max = env_assignment_max();
        _cleanup_free_ char *b = malloc(max + 2), *want = NULL;
        const char *argv[] = { "/bin/echo", "a", "p${B}${C}", NULL };
        char *vars[] = { b, NULL }, why[400];
        _cleanup_strv_free_ char **out = NULL;
        _cleanup_free_ size_t *source = NULL;

        ASSERT_NOT_NULL(b);
        memcpy(b, "B=", 2);
        memset(b + 2, 'x', max - 1);
        b[max] = 0;             /* "p" and the value: max - 1 bytes, and the NUL: fits */
        ASSERT_OK(spawn_expand_argv((char * const *) argv, vars, &out, &source));
        ASSERT_OK(spawn_check_argv((char * const *) argv, out, source, vars, "/bin/echo", SIZE_MAX, why, sizeof why));
        out = strv_free(out);
        source = mfree(source);
        b[max] = 'x';
        b[max + 1] = 0;         /* max bytes: one past MAX_ARG_STRLEN with the NUL */
        ASSERT_OK(spawn_expand_argv((char * const *) argv, vars, &out, &source));
        ASSERT_EQ(spawn_check_argv((char * const *) argv, out, source, vars, "/bin/echo", SIZE_MAX, why, sizeof why),
                  -E2BIG);
        ASSERT_TRUE(asprintf(&want, "argument 2 (\"p${B}${C}\", expanding ${B} (%zu bytes), ${C} (0 bytes)) is too "
                             "long: %zu bytes, and the kernel passes at most %zu (MAX_ARG_STRLEN, %zu with the NUL)",
                             max - 1, max, max - 1, max) > 0);
        ASSERT_STREQ(why, want);
}

/* All together past the limit, each argument short enough; the pointers count. */
TEST(check_argv_total) {
        size_t max = spawn_exec_strings_max(0), n = max - 3 - 3 - 1 - 2 * sizeof(char *);
        _cleanup_free_ char *s = malloc(n + 2), *a = NULL;
        char *argv[] = { (char *) "/x", s, NULL };
        const char *written[] = { "/x", "$A", NULL };
        char *vars[] = { NULL, NULL }, why[400];
        size_t source[] = { 0, 1 };

        ASSERT_NOT_NULL(s);
        memset(s, 'a', n + 1);
        s[n] = 0;
        ASSERT_OK(spawn_check_argv(argv, argv, NULL, vars, "/x", max, why, sizeof why));
        s[n] = 'a';
        s[n + 1] = 0;
        ASSERT_EQ(spawn_check_argv(argv, argv, NULL, vars, "/x", max, why, sizeof why), -E2BIG);
        ASSERT_CONTAINS(why, "the arguments and the environment are too large together");
        /* With $A expanded into it, and an environment, named so. */
        ASSERT_TRUE(asprintf(&a, "A=%s", s) > 0);
        vars[0] = a;
        ASSERT_EQ(spawn_check_argv((char * const *) written, argv, source, vars, "/x", max, why, sizeof why), -E2BIG);
        ASSERT_CONTAINS(why, "the largest argument 1, \"$A\", expanding $A (");
        ASSERT_CONTAINS(why, "1 variables), and the kernel passes at most ");
}
