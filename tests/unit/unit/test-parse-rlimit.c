/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/parse-limits.c: the Limit*= values, as systemd 252's
 * rlimit_parse() reads them. */
#include <sys/resource.h>

#include "parse-limits.h"
#include "test.h"

/* LimitCPU= is a time span in whole seconds, rounded up as systemd's
 * DIV_ROUND_UP(): the span near 2^64 usec wrapped in the rounding's sum and
 * came out as LimitCPU=0 (the payload killed at its first second). */
TEST(cpu_seconds_round_up_without_overflow) {
        CellRlimit rl;

        ASSERT_OK(parse_rlimit(RLIMIT_CPU, "0", &rl));
        ASSERT_EQ_U64(rl.soft, 0);
        ASSERT_OK(parse_rlimit(RLIMIT_CPU, "1us:1.5s", &rl));
        ASSERT_TRUE(rl.soft == 1 && rl.hard == 2);
        ASSERT_OK(parse_rlimit(RLIMIT_CPU, "1min 30s", &rl));
        ASSERT_EQ_U64(rl.soft, 90);
        ASSERT_OK(parse_rlimit(RLIMIT_CPU, "9223372036854775807us 9223372036854775807us", &rl));
        ASSERT_EQ_U64(rl.soft, 18446744073710ULL);
        ASSERT_OK(parse_rlimit(RLIMIT_CPU, "9223372036854775807us 9223372036854000000us", &rl));
        ASSERT_EQ_U64(rl.soft, 18446744073709ULL);
        ASSERT_OK(parse_rlimit(RLIMIT_CPU, "infinity", &rl));
        ASSERT_TRUE(rl.soft == RLIM_INFINITY && rl.hard == RLIM_INFINITY);
}

/* SOFT[:HARD] as systemd splits it: one colon, both sides a value. */
TEST(soft_hard) {
        CellRlimit rl;

        ASSERT_OK(parse_rlimit(RLIMIT_NOFILE, "100:infinity", &rl));
        ASSERT_TRUE(rl.soft == 100 && rl.hard == RLIM_INFINITY);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, "200:100", &rl), ERANGE);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, "infinity:100", &rl), ERANGE);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, "5:", &rl), EINVAL);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, ":5", &rl), EINVAL);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, "1:2:3", &rl), EINVAL);
        /* One ":" may end the value, as systemd's rlimit_parse() reads it. */
        ASSERT_OK(parse_rlimit(RLIMIT_NOFILE, "1024:4096:", &rl));
        ASSERT_TRUE(rl.soft == 1024 && rl.hard == 4096);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, "1024:4096::", &rl), EINVAL);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, "1024::", &rl), EINVAL);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NOFILE, "18446744073709551615", &rl), ERANGE);
        ASSERT_OK(parse_rlimit(RLIMIT_FSIZE, "1.5K:1G", &rl));
        ASSERT_TRUE(rl.soft == 1536 && rl.hard == 1ULL << 30);
        ASSERT_OK(parse_rlimit(RLIMIT_RTTIME, "500:1s", &rl));
        ASSERT_TRUE(rl.soft == 500 && rl.hard == 1000000);
        ASSERT_OK(parse_rlimit(RLIMIT_NICE, "0:-20", &rl));
        ASSERT_TRUE(rl.soft == 0 && rl.hard == 40);
}

/* LimitNICE= has no "infinity" in systemd (rlimit_parse_nice() reads
 * numbers only), nor in what cell says it takes: it was taken all the same. */
TEST(nice_has_no_infinity) {
        CellRlimit rl;

        ASSERT_ERROR(parse_rlimit(RLIMIT_NICE, "infinity", &rl), EINVAL);
        ASSERT_ERROR(parse_rlimit(RLIMIT_NICE, "0:infinity", &rl), EINVAL);
        ASSERT_OK(parse_rlimit(RLIMIT_NICE, "0:40", &rl));
        ASSERT_TRUE(rl.soft == 0 && rl.hard == 40);
        ASSERT_OK(parse_rlimit(RLIMIT_RTPRIO, "infinity", &rl));
        ASSERT_EQ_U64(rl.soft, RLIM_INFINITY);
}
