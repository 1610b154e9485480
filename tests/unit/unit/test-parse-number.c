/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse-number.c: integers in C's notation, as systemd's safe_atoi() and
 * safe_atou64() read them, and percentages; the strict decimal
 * parse_uint64() beside them. */
#include <inttypes.h>
#include <limits.h>

#include "parse-number.h"
#include "parse-util.h"
#include "test.h"

TEST(integers) {
        uint64_t u = 7;
        int64_t i;
        int n = 3;

        ASSERT_OK(parse_uint64("18446744073709551615", &u));
        ASSERT_EQ_U64(u, UINT64_MAX);
        ASSERT_ERROR(parse_uint64("18446744073709551616", &u), ERANGE);
        ASSERT_ERROR(parse_uint64("-1", &u), EINVAL);
        ASSERT_ERROR(parse_uint64("+1", &u), EINVAL);
        ASSERT_ERROR(parse_uint64(" 1", &u), EINVAL);
        ASSERT_ERROR(parse_uint64("1x", &u), EINVAL);
        ASSERT_ERROR(parse_uint64("", &u), EINVAL);
        ASSERT_EQ_U64(u, UINT64_MAX);   /* untouched on failure */
        ASSERT_OK(parse_int64("-9223372036854775808", &i));
        ASSERT_EQ(i, INT64_MIN);
        ASSERT_ERROR(parse_int64("9223372036854775808", &i), ERANGE);
        ASSERT_OK(parse_int_range("-1000", -1000, 1000, &n));
        ASSERT_EQ(n, -1000);
        ASSERT_ERROR(parse_int_range("1001", -1000, 1000, &n), ERANGE);
        ASSERT_OK(parse_uint64_range("10000", 1, 10000, &u));
        ASSERT_ERROR(parse_uint64_range("0", 1, 10000, &u), ERANGE);
}

/* systemd's safe_atoi() and safe_atou64(): strtol()/strtoul() with base 0, and "0b", "0o". */
TEST(c_notation) {
        static const struct {
                const char *s;
                int64_t value;
                int error, uerror;      /* of parse_int64(), parse_uint64_range() */
        } cases[] = {
                { "010", 8 }, { "0x10", 16 }, { "0X1f", 31 }, { "0b101", 5 }, { "0o17", 15 }, { "+5", 5 },
                { " 7", 7 }, { "00", 0 }, { "-0", 0 }, { "-010", -8, 0, ERANGE }, { "08", 0, EINVAL, EINVAL },
                { "0x", 0, EINVAL, EINVAL }, { "0b2", 0, EINVAL, EINVAL }, { "5 ", 0, EINVAL, EINVAL },
                { "1e3", 0, EINVAL, EINVAL }, { "", 0, EINVAL, EINVAL }, { "0x1ffffffffffffffff", 0, ERANGE, ERANGE },
        };
        uint64_t u = 0;
        int n = 0;

        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                int64_t i = 77;
                uint64_t w = 77;
                int r = parse_int64(cases[k].s, &i), q = parse_uint64_range(cases[k].s, 0, UINT64_MAX, &w);

                if (r != -cases[k].error || i != (cases[k].error ? 77 : cases[k].value) ||
                    q != -cases[k].uerror || w != (cases[k].uerror ? 77 : (uint64_t) cases[k].value))
                        TEST_FAIL("\"%s\": %d %" PRId64 ", %d %" PRIu64, cases[k].s, r, i, q, w);
        }
        ASSERT_OK(parse_int_range("-0x14", -20, 19, &n));               /* Nice= */
        ASSERT_EQ(n, -20);
        ASSERT_ERROR(parse_int_range("0x7fffffff0", INT_MIN, INT_MAX, &n), ERANGE);
        ASSERT_OK(parse_uint64_range("010", 1, 10000, &u));             /* CPUWeight= */
        ASSERT_EQ_U64(u, 8);
        ASSERT_ERROR(parse_uint64_range("0x2711", 1, 10000, &u), ERANGE);
}

TEST(permyriad) {
        uint32_t p = 0;

        ASSERT_OK(parse_permyriad("50%", false, &p));
        ASSERT_EQ(p, 5000);
        ASSERT_OK(parse_permyriad("12.34%", false, &p));
        ASSERT_EQ(p, 1234);
        ASSERT_OK(parse_permyriad("0.5%", false, &p));
        ASSERT_EQ(p, 50);
        ASSERT_OK(parse_permyriad("100%", false, &p));
        ASSERT_EQ(p, 10000);
        ASSERT_OK(parse_permyriad("0%", false, &p));
        ASSERT_EQ(p, 0);
        ASSERT_OK(parse_permyriad("15\u2030", false, &p));
        ASSERT_EQ(p, 150);
        ASSERT_ERROR(parse_permyriad("100.01%", false, &p), ERANGE);
        ASSERT_OK(parse_permyriad("250%", true, &p));
        ASSERT_EQ(p, 25000);
        /* Unbounded, as far as systemd's int goes: 2^31-1 permyriad. */
        ASSERT_OK(parse_permyriad("21474836.47%", true, &p));
        ASSERT_EQ(p, 2147483647u);
        ASSERT_ERROR(parse_permyriad("21474836.48%", true, &p), ERANGE);
        ASSERT_ERROR(parse_permyriad("42949672.95%", true, &p), ERANGE);
        ASSERT_ERROR(parse_permyriad("4294967295\u2031", true, &p), ERANGE);
        ASSERT_ERROR(parse_permyriad("1.234%", false, &p), EINVAL);
        ASSERT_ERROR(parse_permyriad("%", false, &p), EINVAL);
        ASSERT_ERROR(parse_permyriad("50", false, &p), EINVAL);
        ASSERT_ERROR(parse_permyriad("5 0%", false, &p), EINVAL);
        ASSERT_ERROR(parse_permyriad("-5%", false, &p), ERANGE);     /* safe_atoi(): -5 */
        /* The whole part in C's notation, the fraction's digits decimal. */
        ASSERT_OK(parse_permyriad("010%", false, &p));
        ASSERT_EQ(p, 800);
        ASSERT_OK(parse_permyriad("0x10.05%", false, &p));
        ASSERT_EQ(p, 1605);
        ASSERT_OK(parse_permyriad("+5%", true, &p));
        ASSERT_EQ(p, 500);
        ASSERT_OK(parse_permyriad("010.5\u2030", false, &p));
        ASSERT_EQ(p, 85);
        ASSERT_ERROR(parse_permyriad("08%", false, &p), EINVAL);
        ASSERT_ERROR(parse_permyriad("1.5\u2031", false, &p), EINVAL);
        ASSERT_ERROR(parse_permyriad("0x%", false, &p), EINVAL);
}
