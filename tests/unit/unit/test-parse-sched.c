/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/ioprio.h>
#include <sched.h>
#include <sys/personality.h>

#include "config-test.h"
#include "parse-sched.h"
#include "test.h"

TEST(sched_policy) {
        static const char * const names[] = { "other", "batch", "idle", "fifo", "rr" };
        int p;

        /* Every name reads back as itself; the kernel's numbers are taken too. */
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                ASSERT_OK(parse_sched_policy(names[i], &p));
                ASSERT_STREQ(sched_policy_to_string(p), names[i]);
        }
        ASSERT_OK(parse_sched_policy("fifo", &p));
        ASSERT_EQ(p, SCHED_FIFO);
        ASSERT_OK(parse_sched_policy("2", &p));
        ASSERT_EQ(p, SCHED_RR);
        ASSERT_OK(parse_sched_policy("5", &p));
        ASSERT_EQ(p, SCHED_IDLE);
        /* The number as systemd's safe_atou() reads it: C's notation. */
        ASSERT_OK(parse_sched_policy("0x1", &p));
        ASSERT_EQ(p, SCHED_FIFO);
        ASSERT_OK(parse_sched_policy("02", &p));
        ASSERT_EQ(p, SCHED_RR);
        ASSERT_ERROR(parse_sched_policy("08", &p), EINVAL);
        p = -1;
        ASSERT_ERROR(parse_sched_policy("4", &p), EINVAL);      /* SCHED_ISO: no name, not in Linux */
        ASSERT_ERROR(parse_sched_policy("6", &p), EINVAL);      /* SCHED_DEADLINE: no name in systemd */
        ASSERT_ERROR(parse_sched_policy("deadline", &p), EINVAL);
        ASSERT_ERROR(parse_sched_policy("FIFO", &p), EINVAL);
        ASSERT_ERROR(parse_sched_policy("-1", &p), EINVAL);
        ASSERT_ERROR(parse_sched_policy("", &p), EINVAL);
        ASSERT_EQ(p, -1);
        ASSERT_NULL(sched_policy_to_string(6));

        ASSERT_EQ(sched_policy_priority_min(SCHED_FIFO), 1);
        ASSERT_EQ(sched_policy_priority_max(SCHED_RR), 99);
        ASSERT_EQ(sched_policy_priority_min(SCHED_OTHER), 0);
        ASSERT_EQ(sched_policy_priority_max(SCHED_IDLE), 0);
        ASSERT_EQ(sched_policy_priority_max(SCHED_BATCH), 0);
}

TEST(ioprio_class) {
        int c;

        ASSERT_OK(parse_ioprio_class("realtime", &c));
        ASSERT_EQ(c, IOPRIO_CLASS_RT);
        ASSERT_OK(parse_ioprio_class("best-effort", &c));
        ASSERT_EQ(c, IOPRIO_CLASS_BE);
        ASSERT_OK(parse_ioprio_class("idle", &c));
        ASSERT_EQ(c, IOPRIO_CLASS_IDLE);
        ASSERT_OK(parse_ioprio_class("none", &c));
        ASSERT_EQ(c, IOPRIO_CLASS_NONE);
        for (int i = 0; i <= 3; i++) {
                char s[2] = { (char) ('0' + i), 0 };
                ASSERT_OK(parse_ioprio_class(s, &c));
                ASSERT_EQ(c, i);
                ASSERT_OK(parse_ioprio_class(ioprio_class_to_string(i), &c));
                ASSERT_EQ(c, i);
        }
        ASSERT_OK(parse_ioprio_class("0x3", &c));
        ASSERT_EQ(c, IOPRIO_CLASS_IDLE);
        ASSERT_OK(parse_ioprio_class("01", &c));
        ASSERT_EQ(c, IOPRIO_CLASS_RT);
        c = -1;
        ASSERT_ERROR(parse_ioprio_class("4", &c), EINVAL);
        ASSERT_ERROR(parse_ioprio_class("010", &c), EINVAL);    /* 8 */
        ASSERT_ERROR(parse_ioprio_class("09", &c), EINVAL);
        ASSERT_ERROR(parse_ioprio_class("rt", &c), EINVAL);
        ASSERT_ERROR(parse_ioprio_class("best effort", &c), EINVAL);
        ASSERT_ERROR(parse_ioprio_class("", &c), EINVAL);
        ASSERT_EQ(c, -1);
        ASSERT_NULL(ioprio_class_to_string(4));
}

TEST(personality) {
        unsigned long p = 77;

        ASSERT_ERROR(parse_personality("x87", &p), EINVAL);
        ASSERT_ERROR(parse_personality("x86_64", &p), EINVAL);  /* uname's spelling, not systemd's */
        ASSERT_ERROR(parse_personality("", &p), EINVAL);
        ASSERT_ERROR(parse_personality("tilegx", &p), EOPNOTSUPP);
        ASSERT_EQ(p, 77);
#if defined(__x86_64__) && !defined(__ILP32__)
        ASSERT_OK(parse_personality("x86-64", &p));
        ASSERT_EQ(p, PER_LINUX);
        ASSERT_OK(parse_personality("x86", &p));
        ASSERT_EQ(p, PER_LINUX32);
        /* Names of systemd's this machine does not run, x32 too (no personality of its own). */
        ASSERT_ERROR(parse_personality("arm64", &p), EOPNOTSUPP);
        ASSERT_ERROR(parse_personality("x32", &p), EOPNOTSUPP);
        ASSERT_ERROR(parse_personality("s390x", &p), EOPNOTSUPP);
        ASSERT_STREQ(personality_to_string(PER_LINUX), "x86-64");
        ASSERT_STREQ(personality_to_string(PER_LINUX32), "x86");
#endif
        /* The native name, whatever this machine is, is its own PER_LINUX. */
        const char *native = personality_to_string(PER_LINUX);
        if (native) {
                ASSERT_OK(parse_personality(native, &p));
                ASSERT_EQ(p, PER_LINUX);
        }
        ASSERT_NULL(personality_to_string(PER_BSD));
}

/* An empty CPUSchedulingPriority= is no reset in systemd 252: it fails to
 * read it as a number and ignores the line ("Failed to parse CPU scheduling
 * priority, ignoring"), so cell refuses it and keeps what was before. */
TEST(cpu_sched_priority_empty_is_refused) {
        Diagnostics diag = {};
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(config_test_assign(&diag, &c, "Exec", "CPUSchedulingPriority", "50"));
        ASSERT_NULL(config_test_assign(&diag, &c, "Exec", "CPUSchedulingPolicy", "fifo"));
        ASSERT_STREQ(config_test_assign(&diag, &c, "Exec", "CPUSchedulingPriority", ""),
                     "web.cell:7: CPUSchedulingPriority=: expected a number between 0 and 99 (1..99 for fifo and rr, "
                     "0 for the others); an empty value resets nothing, as in systemd (an empty "
                     "CPUSchedulingPolicy= resets both)");
        ASSERT_TRUE(c.sched.cpu_priority_set);
        ASSERT_EQ(c.sched.cpu_priority, 50);
        ASSERT_STREQ(c.sched.cpu_priority_file, "web.cell");
        ASSERT_EQ(c.sched.cpu_priority_line, 7u);
        /* The policy's empty value is systemd's reset of both. */
        ASSERT_NULL(config_test_assign(&diag, &c, "Exec", "CPUSchedulingPolicy", ""));
        ASSERT_FALSE(c.sched.cpu_policy_set || c.sched.cpu_priority_set);
        cell_config_done(&c);
        diag_done(&diag);
}
