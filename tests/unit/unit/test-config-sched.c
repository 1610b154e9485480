/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-sched.c: [Exec] Nice=, CPUScheduling*=, IOScheduling*=,
 * CPUAffinity= and Personality=. */
#include <linux/ioprio.h>
#include <sched.h>
#include <sys/personality.h>

#include "config-assign-test.h"
#include "test.h"

/* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity=, Personality=:
 * systemd's values, its order rules, and what cell refuses up front. */
TEST(exec_sched) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        ASSERT_FALSE(c.sched.nice_set || c.sched.cpu_policy_set || c.sched.cpu_priority_set ||
                     c.sched.cpu_reset_on_fork || c.sched.io_set || c.personality_set);
        ASSERT_NULL(c.sched.cpu_affinity);

        OK(&c, "Exec", "Nice", "-20");
        ASSERT_TRUE(c.sched.nice_set);
        ASSERT_EQ(c.sched.nice, -20);
        OK(&c, "Exec", "Nice", "19");
        ASSERT_EQ(c.sched.nice, 19);
        BAD_EXACT(&c, "Exec", "Nice", "20", "web.cell:7: Nice=20: expected a nice level between -20 and 19");
        BAD(&c, "Exec", "Nice", "-21", "Nice=-21: expected a nice level");
        BAD(&c, "Exec", "Nice", "high", "Nice=high: expected");
        ASSERT_EQ(c.sched.nice, 19);
        OK(&c, "Exec", "Nice", "");
        ASSERT_FALSE(c.sched.nice_set);

        /* A priority, then a policy: clamped into the policy's range, as systemd. */
        OK(&c, "Exec", "CPUSchedulingPriority", "50");
        ASSERT_TRUE(c.sched.cpu_priority_set);
        ASSERT_EQ(c.sched.cpu_priority_line, 7);
        ASSERT_STREQ(c.sched.cpu_priority_file, "web.cell");
        OK(&c, "Exec", "CPUSchedulingPolicy", "fifo");
        ASSERT_EQ(c.sched.cpu_policy, SCHED_FIFO);
        ASSERT_EQ(c.sched.cpu_priority, 50);
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Exec", "CPUSchedulingPolicy", "other");         /* a drop-in turning it off */
        ASSERT_EQ(c.sched.cpu_policy, SCHED_OTHER);
        ASSERT_EQ(c.sched.cpu_priority, 0);
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Exec", "CPUSchedulingPolicy", "rr");
        ASSERT_EQ(c.sched.cpu_priority, 1);
        OK(&c, "Exec", "CPUSchedulingPolicy", "1");             /* the kernel's number of fifo */
        ASSERT_EQ(c.sched.cpu_policy, SCHED_FIFO);
        BAD_EXACT(&c, "Exec", "CPUSchedulingPolicy", "deadline",
                  "web.cell:7: CPUSchedulingPolicy=deadline: expected other, batch, idle, fifo or rr");
        BAD(&c, "Exec", "CPUSchedulingPriority", "100", "CPUSchedulingPriority=100: expected a number between 0 and 99");
        BAD(&c, "Exec", "CPUSchedulingPriority", "-1", "expected a number between 0 and 99");
        ASSERT_EQ(c.sched.cpu_policy, SCHED_FIFO);
        ASSERT_EQ(c.sched.cpu_priority, 1);

        /* A priority after its policy is not clamped: outside the policy's range it is refused, at its line. */
        diag_done(&diag);
        OK(&c, "Exec", "CPUSchedulingPriority", "0");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:7: CPUSchedulingPriority=0: the policy fifo takes 1..99");
        diag_done(&diag);
        OK(&c, "Exec", "CPUSchedulingPolicy", "idle");
        OK(&c, "Exec", "CPUSchedulingPriority", "5");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:7: CPUSchedulingPriority=5: the policy idle takes only 0 "
                     "(1..99 need CPUSchedulingPolicy=fifo or rr)");
        diag_done(&diag);
        /* The empty policy takes the priority with it; a priority alone is "other"'s. */
        OK(&c, "Exec", "CPUSchedulingPolicy", "");
        ASSERT_FALSE(c.sched.cpu_policy_set || c.sched.cpu_priority_set);
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Exec", "CPUSchedulingPriority", "10");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "CPUSchedulingPriority=10: the policy other (the default) takes only 0");
        diag_done(&diag);
        /* An empty priority is no reset (systemd ignores it): an empty policy resets both. */
        BAD(&c, "Exec", "CPUSchedulingPriority", "", "CPUSchedulingPriority=: expected a number between 0 and 99");
        ASSERT_TRUE(c.sched.cpu_priority_set);
        OK(&c, "Exec", "CPUSchedulingPolicy", "");
        ASSERT_FALSE(c.sched.cpu_priority_set);
        ASSERT_EQ(finish(&c), 0);

        OK(&c, "Exec", "CPUSchedulingResetOnFork", "yes");
        ASSERT_TRUE(c.sched.cpu_reset_on_fork);
        BAD(&c, "Exec", "CPUSchedulingResetOnFork", "maybe", "expected a boolean");
        BAD(&c, "Exec", "CPUSchedulingResetOnFork", "", "an empty value resets nothing, as in systemd");
        ASSERT_TRUE(c.sched.cpu_reset_on_fork);
        OK(&c, "Exec", "CPUSchedulingResetOnFork", "no");

        /* The IO class keeps the priority and the priority the class; "none" is best-effort 4. */
        OK(&c, "Exec", "IOSchedulingClass", "realtime");
        ASSERT_TRUE(c.sched.io_set);
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_RT);
        ASSERT_EQ(c.sched.io_priority, 4);
        OK(&c, "Exec", "IOSchedulingPriority", "0");
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_RT);
        ASSERT_EQ(c.sched.io_priority, 0);
        OK(&c, "Exec", "IOSchedulingClass", "3");
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_IDLE);
        ASSERT_EQ(c.sched.io_priority, 0);
        OK(&c, "Exec", "IOSchedulingClass", "none");
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_BE);
        ASSERT_EQ(c.sched.io_priority, 4);
        BAD_EXACT(&c, "Exec", "IOSchedulingClass", "rt",
                  "web.cell:7: IOSchedulingClass=rt: expected realtime, best-effort, idle, none, or 0..3");
        BAD(&c, "Exec", "IOSchedulingPriority", "8", "IOSchedulingPriority=8: expected a number between 0");
        OK(&c, "Exec", "IOSchedulingClass", "");
        ASSERT_FALSE(c.sched.io_set);
        OK(&c, "Exec", "IOSchedulingPriority", "7");
        ASSERT_TRUE(c.sched.io_set);
        ASSERT_EQ(c.sched.io_class, IOPRIO_CLASS_BE);
        ASSERT_EQ(c.sched.io_priority, 7);
        OK(&c, "Exec", "IOSchedulingPriority", "");
        ASSERT_FALSE(c.sched.io_set);

        /* CPUAffinity= lines add up; the empty one resets; "numa" needs NUMAPolicy=. */
        OK(&c, "Exec", "CPUAffinity", "0-2 7");
        OK(&c, "Exec", "CPUAffinity", "9,1");
        ASSERT_EQ(c.sched.cpu_affinity_size, 2);
        ASSERT_EQ(c.sched.cpu_affinity[0], 0x87);
        ASSERT_EQ(c.sched.cpu_affinity[1], 0x02);
        OK(&c, "Exec", "CPUAffinity", "3");
        ASSERT_EQ(c.sched.cpu_affinity[0], 0x8f);
        BAD_EXACT(&c, "Exec", "CPUAffinity", "numa",
                  "web.cell:7: CPUAffinity=numa: expected CPU indices and ranges separated by commas or spaces "
                  "(\"0-3 7\"), below 8192 (\"numa\" takes the CPUs of NUMAPolicy=, which cell does not have)");
        BAD(&c, "Exec", "CPUAffinity", "8192", "CPUAffinity=8192: expected CPU indices");
        BAD(&c, "Exec", "CPUAffinity", "2-1", "CPUAffinity=2-1: expected CPU indices");
        ASSERT_EQ(c.sched.cpu_affinity[0], 0x8f);
        OK(&c, "Exec", "CPUAffinity", "");
        ASSERT_NULL(c.sched.cpu_affinity);
        ASSERT_EQ(c.sched.cpu_affinity_size, 0);
        /* Quotes removed as systemd's; a value of separators alone resets too. */
        OK(&c, "Exec", "CPUAffinity", "\"0-1\"");
        ASSERT_EQ(c.sched.cpu_affinity[0], 0x03);
        BAD(&c, "Exec", "CPUAffinity", "\"0 1\"", "CPUAffinity=\"0 1\": expected CPU indices");
        OK(&c, "Exec", "CPUAffinity", ",");
        ASSERT_NULL(c.sched.cpu_affinity);

        BAD(&c, "Exec", "Personality", "x87", "Personality=x87: expected an architecture name");
#if defined(__x86_64__) && !defined(__ILP32__)
        OK(&c, "Exec", "Personality", "x86");
        ASSERT_TRUE(c.personality_set);
        ASSERT_EQ(c.personality, PER_LINUX32);
        OK(&c, "Exec", "Personality", "x86-64");
        ASSERT_EQ(c.personality, PER_LINUX);
        /* As nspawn: a name systemd knows, of an architecture this machine does not run. */
        BAD_EXACT(&c, "Exec", "Personality", "arm64",
                  "web.cell:7: Personality=arm64: expected x86-64 or x86, the architectures this machine runs");
        ASSERT_EQ(c.personality, PER_LINUX);
#endif
        OK(&c, "Exec", "Personality", "");
        ASSERT_FALSE(c.personality_set);
        /* [Exec] keys, as systemd's. */
        ASSERT_CONTAINS(assign(&c, "Isolation", "CPUAffinity", "1"), "it belongs in [Exec]");
        diag_done(&diag);
        cell_config_done(&c);
}
