/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timens_offsets(): PrivateTime='s clocks start near zero, none below it,
 * and the boot clock is never behind the monotonic one. */

#include "test.h"
#include "timens.h"

#define NSEC 1000000000LL

static struct timespec ts(int64_t sec, long nsec) {
        return (struct timespec) { .tv_sec = (time_t) sec, .tv_nsec = nsec };
}

static int64_t ns(struct timespec t, int64_t offset) {
        return ((int64_t) t.tv_sec + offset) * NSEC + t.tv_nsec;
}

/* The clocks inside, as the kernel makes them from the offsets. */
static void check(const TimensClocks *c, int64_t max_monotonic_ns) {
        int64_t m, b;

        timens_offsets(c, &m, &b);
        ASSERT_TRUE(ns(c->monotonic, m) >= 0);
        ASSERT_TRUE(ns(c->monotonic_raw, m) >= 0);
        ASSERT_TRUE(ns(c->monotonic_coarse, m) >= 0);
        ASSERT_TRUE(ns(c->monotonic, m) < max_monotonic_ns);
        /* The boot clock counts the monotonic one and the time suspended. */
        ASSERT_TRUE(ns(c->boottime, b) >= ns(c->monotonic, m));
        ASSERT_TRUE(ns(c->boottime, b) < ns(c->monotonic, m) + NSEC);
}

TEST(no_drift) {
        TimensClocks c = {
                .boottime = ts(100, 500000000), .monotonic = ts(100, 500000000),
                .monotonic_raw = ts(100, 500000000), .monotonic_coarse = ts(100, 496000000),
        };
        int64_t m, b;

        timens_offsets(&c, &m, &b);
        ASSERT_EQ(m, -100);
        ASSERT_EQ(b, -100);
        check(&c, NSEC);
}

/* CLOCK_MONOTONIC_RAW is not slewed by NTP: 0.24 s behind CLOCK_MONOTONIC
 * after 7 hours on a test VM. Taking CLOCK_MONOTONIC's seconds alone made it
 * -0.19 s inside, a clock that went negative. */
TEST(raw_behind) {
        TimensClocks c = {
                .boottime = ts(24922, 47459519), .monotonic = ts(24922, 47458948),
                .monotonic_raw = ts(24921, 806489196), .monotonic_coarse = ts(24922, 44000000),
        };
        int64_t m, b;

        timens_offsets(&c, &m, &b);
        ASSERT_EQ(m, -24921);
        ASSERT_EQ(b, -24921);
        check(&c, 2 * NSEC);
}

/* CLOCK_MONOTONIC_COARSE lags by up to a tick: still in the second before. */
TEST(coarse_behind) {
        TimensClocks c = {
                .boottime = ts(100, 600000), .monotonic = ts(100, 500000),
                .monotonic_raw = ts(100, 300000), .monotonic_coarse = ts(99, 999000000),
        };

        check(&c, 2 * NSEC);
}

/* A machine suspended for days: the boot clock starts near zero too, and
 * stays ahead of the monotonic one by the part of a second the seconds
 * taken off leave. */
TEST(suspended) {
        TimensClocks c = {
                .boottime = ts(50 + 319680, 600000000), .monotonic = ts(50, 0),
                .monotonic_raw = ts(50, 0), .monotonic_coarse = ts(49, 999000000),
        };
        TimensClocks d = {
                .boottime = ts(60, 200000000), .monotonic = ts(50, 900000000),
                .monotonic_raw = ts(50, 900000000), .monotonic_coarse = ts(50, 899000000),
        };
        int64_t m, b;

        check(&c, 2 * NSEC);
        check(&d, NSEC);
        timens_offsets(&d, &m, &b);
        ASSERT_EQ(m, -50);
        ASSERT_EQ(b, -59);
}

/* The boot clock read first, a little before the monotonic one: what it
 * shows as behind is the time between the reads, not a suspend. */
TEST(boot_read_first) {
        TimensClocks c = {
                .boottime = ts(7, 999999000), .monotonic = ts(8, 1000),
                .monotonic_raw = ts(8, 500), .monotonic_coarse = ts(7, 999000000),
        };
        int64_t m, b;

        timens_offsets(&c, &m, &b);
        ASSERT_EQ(m, -7);
        ASSERT_EQ(b, -7);
}
