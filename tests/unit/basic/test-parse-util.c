/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>

#include "parse-util.h"
#include "test.h"

TEST(safe_atou64) {
        uint64_t v = 7;

        ASSERT_OK(safe_atou64("0", &v));
        ASSERT_EQ_U64(v, 0);
        ASSERT_OK(safe_atou64("3000000", &v));
        ASSERT_EQ_U64(v, 3000000);
        ASSERT_OK(safe_atou64(" \t20", &v));                     /* leading blanks, as strtoull */
        ASSERT_EQ_U64(v, 20);
        ASSERT_OK(safe_atou64("18446744073709551615", &v));
        ASSERT_EQ_U64(v, UINT64_MAX);

        /* Nothing else: no sign (" -5" would wrap), nothing after, not empty. */
        static const char * const bad[] = { "", " ", "x", "-5", " -5", "+5", "5s", "5 ", "0x10" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                v = 7;
                ASSERT_ERROR(safe_atou64(bad[i], &v), EINVAL);
                ASSERT_EQ_U64(v, 7);                            /* untouched */
        }
        ASSERT_ERROR(safe_atou64("18446744073709551616", &v), ERANGE);
}
