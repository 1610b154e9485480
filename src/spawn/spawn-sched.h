/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity=: set by the
 * supervisor on the child's PID while the child waits for GO, and so
 * inherited by the payload, an init (Init=yes's reaper, Boot=yes's init) and
 * all they start. Why there and then:
 *  - raising a priority (a negative Nice=, fifo or rr, the realtime IO
 *    class) needs CAP_SYS_NICE in the host's user namespace, which a child
 *    in a user namespace of its own (PrivateUsers=) does not have;
 *  - only in its final cgroup do the kernel's checks mean what they will
 *    for the payload: the affinity against the cgroup's cpuset, a real-time
 *    policy against its cpu controller's real-time budget. */

#include <stdbool.h>
#include <sys/types.h>

#include "plan.h"
#include "spawn-error.h"

/* Each of s that is set, on pid, in systemd's order (nice, CPU policy,
 * affinity, IO). reset_on_fork: with CPUSchedulingResetOnFork=yes, set the
 * flag now; false leaves it to sched_reset_on_fork_self() in the process
 * that needs it (with Init=yes the reaper forks the payload, which must not
 * lose the policy by it). The first failure names its key and why. */
int sched_apply(pid_t pid, const PlanSched *s, bool reset_on_fork, SpawnError *err);

/* CPUSchedulingResetOnFork=yes on the calling process, with the policy and
 * priority the supervisor gave it: neither raised, so allowed unprivileged. */
int sched_reset_on_fork_self(const PlanSched *s, SpawnError *err);

/* OOMScoreAdjust=: written by the supervisor into pid's
 * /proc/PID/oom_score_adj, for the reasons above: the child is
 * non-dumpable, so with PrivateUsers= its own /proc files belong to the
 * host's root, which its user namespace does not map, and even root inside
 * cannot open them (every value failed there: "Permission denied"); and
 * only CAP_SYS_RESOURCE of the host's user namespace may lower it. The
 * failure names the key, and the capability where that is why. pid 0:
 * the calling process's own (cell exec's command, exec_child()). */
int oom_score_adjust_apply(pid_t pid, int value, SpawnError *err);
