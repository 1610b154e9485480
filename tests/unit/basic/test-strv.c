/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "strv.h"
#include "test.h"

TEST(strv_extend_join) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *j = NULL;

        ASSERT_EQ(strv_length(l), 0);
        ASSERT_OK(strv_extend(&l, "a"));
        ASSERT_OK(strv_extend(&l, "bc"));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_TRUE(strv_contains(l, "bc"));
        ASSERT_FALSE(strv_contains(l, "b"));
        j = strv_join(l, ", ");
        ASSERT_STREQ(j, "a, bc");
}

TEST(strv_copy) {
        _cleanup_strv_free_ char **a = NULL, **b = NULL;

        ASSERT_OK(strv_extend(&a, "x"));
        ASSERT_OK(strv_extend(&a, "y"));
        b = strv_copy(a);
        ASSERT_NOT_NULL(b);
        ASSERT_EQ(strv_length(b), 2);
        ASSERT_STREQ(b[1], "y");
        ASSERT_TRUE(a[1] != b[1]);
}

/* strv_push_n() keeps the caller's count: the same list as strv_push(). */
TEST(push_n) {
        _cleanup_strv_free_ char **a = NULL, **b = NULL;
        size_t n = 0;

        for (unsigned i = 0; i < 1000; i++) {
                char s[16];

                snprintf(s, sizeof s, "v%u", i);
                ASSERT_OK(strv_push(&a, strdup(s)));
                ASSERT_OK(strv_push_n(&b, &n, strdup(s)));
                ASSERT_EQ(n, (size_t) i + 1);
        }
        ASSERT_EQ(strv_length(b), (size_t) 1000);
        for (size_t i = 0; i < 1000; i++)
                ASSERT_STREQ(a[i], b[i]);
        ASSERT_NULL(b[1000]);
}
