/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

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

TEST(file_plain_comments_export) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("# comment\n"
                        "; also a comment\n"
                        "\n"
                        "A=1\n"
                        "  export B = two  \n"
                        "A=again\n", &env, NULL));
        ASSERT_EQ(strv_length(env), 2);
        ASSERT_STREQ(env_get(env, "A"), "again");
        ASSERT_STREQ(env_get(env, "B"), "two");
}

TEST(file_quotes_and_escapes) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("S='single # not a comment '\n"
                        "D=\"double \\\"quoted\\\" $x\"\n"
                        "M=a\"b c\"d\n"
                        "E=\n", &env, NULL));
        ASSERT_STREQ(env_get(env, "S"), "single # not a comment ");
        ASSERT_STREQ(env_get(env, "D"), "double \"quoted\" $x");
        ASSERT_STREQ(env_get(env, "M"), "ab cd");
        ASSERT_STREQ(env_get(env, "E"), "");
}

TEST(file_continuation) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("L=one \\\ntwo\nN=3", &env, NULL));
        ASSERT_STREQ(env_get(env, "L"), "one two");
        ASSERT_STREQ(env_get(env, "N"), "3");
}

TEST(file_errors_name_the_line) {
        _cleanup_strv_free_ char **env = NULL;
        unsigned line = 0;

        ASSERT_ERROR(parse("A=1\n\nnot an assignment\n", &env, &line), EINVAL);
        ASSERT_EQ(line, 3);
        ASSERT_ERROR(parse("1A=x\n", &env, &line), EINVAL);
        ASSERT_EQ(line, 1);
        ASSERT_ERROR(parse("A=\"unterminated\n", &env, &line), EINVAL);
        ASSERT_ERROR(parse("A-B=x\n", &env, &line), EINVAL);
}
