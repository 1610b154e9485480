/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "id128-util.h"
#include "test.h"

static const uint8_t sample[16] = {
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

TEST(from_string_both_forms) {
        uint8_t id[16];

        ASSERT_OK(id128_from_string("0123456789abcdef0123456789abcdef", id));
        ASSERT_TRUE(memcmp(id, sample, 16) == 0);
        memset(id, 0, sizeof id);
        ASSERT_OK(id128_from_string("01234567-89AB-CDEF-0123-456789ABCDEF", id));
        ASSERT_TRUE(memcmp(id, sample, 16) == 0);
}

TEST(from_string_refuses) {
        uint8_t id[16] = { 0x55 };

        ASSERT_ERROR(id128_from_string(NULL, id), EINVAL);
        ASSERT_ERROR(id128_from_string("", id), EINVAL);
        ASSERT_ERROR(id128_from_string("0123456789abcdef0123456789abcde", id), EINVAL);   /* 31 */
        ASSERT_ERROR(id128_from_string("0123456789abcdef0123456789abcdef0", id), EINVAL); /* 33 */
        ASSERT_ERROR(id128_from_string("0123456789abcdef0123456789abcdeg", id), EINVAL);
        ASSERT_ERROR(id128_from_string("0123456789abcdef0123456789abcde\n", id), EINVAL);
        /* dashes only where a UUID has them */
        ASSERT_ERROR(id128_from_string("0123456-789ab-cdef-0123-456789abcdef", id), EINVAL);
        ASSERT_ERROR(id128_from_string("01234567-89abcdef-0123-456789abcdef", id), EINVAL);
        ASSERT_ERROR(id128_from_string("0123456789abcdef0123456789abcdef----", id), EINVAL);
        ASSERT_EQ(id[0], 0x55);         /* untouched */
}

TEST(to_string) {
        char s[ID128_STRING_MAX], u[ID128_UUID_STRING_MAX];

        ASSERT_STREQ(id128_to_string(sample, s), "0123456789abcdef0123456789abcdef");
        ASSERT_STREQ(id128_to_uuid_string(sample, u), "01234567-89ab-cdef-0123-456789abcdef");
}

TEST(null_and_random) {
        uint8_t zero[16] = {}, a[16], b[16];

        ASSERT_TRUE(id128_is_null(zero));
        ASSERT_FALSE(id128_is_null(sample));
        ASSERT_OK(id128_randomize(a));
        ASSERT_OK(id128_randomize(b));
        ASSERT_FALSE(memcmp(a, b, 16) == 0);
        /* a version 4, variant 1 UUID */
        ASSERT_EQ(a[6] >> 4, 4);
        ASSERT_EQ(a[8] >> 6, 2);
}
