/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* env-index.c: setting assignments through an index of the names gives what
 * a walk of the list gives (env_assign()): the first of a name replaced in
 * place, a new one appended, across reallocations and for a list that was
 * changed without its index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env-index.h"
#include "env-util.h"
#include "strv.h"
#include "test.h"

static void set(EnvIndex *x, char ***env, const char *a) {
        char *copy = strdup(a);

        ASSERT_NOT_NULL(copy);
        ASSERT_OK(env_index_reserve(x, env, 1));
        env_index_set(x, copy);
}

TEST(replace_in_place_or_append) {
        _cleanup_(env_index_done) EnvIndex x = {};
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *j = NULL;

        set(&x, &env, "A=1");
        set(&x, &env, "B=2");
        set(&x, &env, "A=3");
        set(&x, &env, "AB=4");          /* "A" is no prefix match */
        set(&x, &env, "B==5");
        set(&x, &env, "C=");
        j = strv_join(env, " ");
        ASSERT_STREQ(j, "A=3 B==5 AB=4 C=");
}

/* Many names, through several reallocations of the list and the slots:
 * the same list as env_assign() one at a time. */
TEST(many_as_env_assign) {
        _cleanup_(env_index_done) EnvIndex x = {};
        _cleanup_strv_free_ char **env = NULL, **want = NULL;
        char a[64];

        for (unsigned i = 0; i < 5000; i++) {
                snprintf(a, sizeof a, "V%u=%u", (i * 7919) % 1500, i);
                set(&x, &env, a);
                ASSERT_OK(env_assign(&want, a));
        }
        ASSERT_EQ(strv_length(env), strv_length(want));
        for (size_t i = 0; want[i]; i++)
                ASSERT_STREQ(env[i], want[i]);
}

/* A list the index was not made for (another, or one with a name twice,
 * as a plan's may be made by hand): indexed again, the first one of a
 * name is the one replaced. */
TEST(another_list) {
        _cleanup_(env_index_done) EnvIndex x = {};
        _cleanup_strv_free_ char **env = NULL, **other = NULL;
        _cleanup_free_ char *j = NULL;

        set(&x, &env, "A=1");
        ASSERT_OK(strv_extend(&other, "X=1"));
        ASSERT_OK(strv_extend(&other, "Y=2"));
        ASSERT_OK(strv_extend(&other, "X=3"));
        set(&x, &other, "X=4");
        set(&x, &other, "Z=5");
        j = strv_join(other, " ");
        ASSERT_STREQ(j, "X=4 Y=2 X=3 Z=5");
}

/* Words (PassEnvironment='s names): each once, whole strings compared. */
TEST(whole_words) {
        _cleanup_(env_index_done) EnvIndex x = { .whole = true };
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *j = NULL;

        set(&x, &l, "A");
        set(&x, &l, "A=1");
        set(&x, &l, "B");
        set(&x, &l, "A");
        set(&x, &l, "A=1");
        set(&x, &l, "AB");
        j = strv_join(l, " ");
        ASSERT_STREQ(j, "A A=1 B AB");
        ASSERT_EQ(x.n, 4U);
}
