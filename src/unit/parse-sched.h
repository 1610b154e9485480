/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The values of CPUSchedulingPolicy=, IOSchedulingClass= and Personality=
 * as systemd takes them, and their names back. Pure: no syscalls (the
 * ranges are Linux's, not asked of the kernel), so the plan may use them. */

#include <stdbool.h>

/* "other", "batch", "idle", "fifo", "rr", or the kernel's number of one of
 * them (SCHED_OTHER 0 ... SCHED_IDLE 5) -> SCHED_*; else -EINVAL. */
int parse_sched_policy(const char *s, int *ret);
/* "fifo" for SCHED_FIFO ...; NULL for what is none of the five. */
const char *sched_policy_to_string(int policy);
/* The priorities a policy takes, as Linux has them: 1..99 for fifo and rr,
 * 0 for the others. */
int sched_policy_priority_min(int policy);
int sched_policy_priority_max(int policy);

/* "none", "realtime", "best-effort", "idle", or 0..3 -> IOPRIO_CLASS_*;
 * else -EINVAL. */
int parse_ioprio_class(const char *s, int *ret);
/* "realtime" for IOPRIO_CLASS_RT ...; NULL for none of the four. */
const char *ioprio_class_to_string(int class);

/* Personality=: one of systemd's architecture names ("x86-64", "arm64",
 * "s390x" ...) -> the personality(2) value to run this machine's programs
 * (PER_LINUX) or its secondary architecture's (PER_LINUX32). -EINVAL: not
 * a name systemd knows; -EOPNOTSUPP: one this machine does not run (any
 * but its native and secondary architecture, as systemd refuses them). */
int parse_personality(const char *s, unsigned long *ret);
/* This machine's names: "x86-64" for PER_LINUX, "x86" for PER_LINUX32 on
 * x86-64; NULL for any other value (or an architecture cell does not know). */
const char *personality_to_string(unsigned long personality);
