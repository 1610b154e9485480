/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "parse-sched.h"
#include "spawn-sched.h"

/* The CPUs of bits as "0-3 7" into buf (cut short if it does not fit). */
static const char *cpus_format(const uint8_t *bits, size_t size, char *buf, size_t len) {
        size_t n = size * 8, used = 0;

        buf[0] = 0;
        for (size_t i = 0; i < n && used < len; ) {
                size_t j = i;
                int k;

                if (!(bits[i / 8] & (1u << (i % 8)))) {
                        i++;
                        continue;
                }
                while (j + 1 < n && (bits[(j + 1) / 8] & (1u << ((j + 1) % 8))))
                        j++;
                k = j == i ? snprintf(buf + used, len - used, "%s%zu", used ? " " : "", i)
                           : snprintf(buf + used, len - used, "%s%zu-%zu", used ? " " : "", i, j);
                if (k < 0)
                        break;
                used += (size_t) k;
                i = j + 1;
        }
        return buf;
}

/* One key's failure, what (the keys and values) and why: a refusal is
 * cell's own lack of CAP_SYS_NICE where it has none (run in a service with
 * a CapabilityBoundingSet= without it), else the kernel's reason. */
static int sched_failed(SpawnError *err, int error, const char *what, const char *why) {
        if ((error == EPERM || error == EACCES) && !caps_effective(CAP_SYS_NICE))
                why = "cell itself does not hold CAP_SYS_NICE";
        if (why)
                return spawn_error(err, error, "%s: %s", what, why);
        return spawn_error(err, error, "%s", what);
}

/* The policy and priority to set on pid (0: ourselves): the plan's, or with
 * reset-on-fork alone those pid has (inherited from cell), left as they are. */
static int sched_cpu_target(pid_t pid, const PlanSched *s, int *ret_policy, struct sched_param *ret_sp) {
        int policy;

        if (!s->cpu_inherit) {
                *ret_policy = s->cpu_policy;
                *ret_sp = (struct sched_param) { .sched_priority = s->cpu_priority };
                return 0;
        }
        policy = sched_getscheduler(pid);
        if (policy < 0 || sched_getparam(pid, ret_sp) < 0)
                return -errno;
        *ret_policy = policy & ~SCHED_RESET_ON_FORK;
        return 0;
}

static int sched_cpu(pid_t pid, const PlanSched *s, bool reset_on_fork, SpawnError *err) {
        struct sched_param sp = {};
        int policy = SCHED_OTHER, error, r;
        char what[128];

        r = sched_cpu_target(pid, s, &policy, &sp);
        if (r < 0)
                return spawn_error(err, -r, "CPUSchedulingResetOnFork=yes: reading the inherited policy");
        if (reset_on_fork && s->cpu_reset_on_fork)
                policy |= SCHED_RESET_ON_FORK;
        if (sched_setscheduler(pid, policy, &sp) >= 0)
                return 0;
        error = errno;  /* before snprintf(), which may set it */
        if (s->cpu_inherit)
                return sched_failed(err, error, "CPUSchedulingResetOnFork=yes", NULL);
        (void) snprintf(what, sizeof what, "CPUSchedulingPolicy=%s, CPUSchedulingPriority=%d",
                        sched_policy_to_string(s->cpu_policy), s->cpu_priority);
        /* With CAP_SYS_NICE, what refuses a real-time policy is the cgroup. */
        return sched_failed(err, error, what, error == EPERM && sched_policy_priority_max(s->cpu_policy) > 0 ?
                            "the container's cpu cgroup has no real-time budget (cpu.rt_runtime_us is 0, as in "
                            "a cgroup v1 cpu controller with CPUQuota= or CPUWeight=)" : NULL);
}

static int sched_affinity(pid_t pid, const PlanSched *s, SpawnError *err) {
        size_t n = s->cpu_affinity_size * 8, setsize = CPU_ALLOC_SIZE(n);
        cpu_set_t *set = CPU_ALLOC(n);
        char cpus[192], what[256];
        int r = 0;

        if (!set)
                return spawn_error(err, ENOMEM, "CPUAffinity=");
        CPU_ZERO_S(setsize, set);
        for (size_t i = 0; i < n; i++)
                if (s->cpu_affinity[i / 8] & (1u << (i % 8)))
                        CPU_SET_S(i, setsize, set);
        if (sched_setaffinity(pid, setsize, set) < 0) {
                int error = errno;

                (void) snprintf(what, sizeof what, "CPUAffinity=%s",
                                cpus_format(s->cpu_affinity, s->cpu_affinity_size, cpus, sizeof cpus));
                /* The kernel keeps what of the mask the cpuset allows and refuses only an empty rest. */
                r = sched_failed(err, error, what, error == EINVAL ?
                                 "none of these CPUs is both online and in the container's cpuset (AllowedCPUs=, "
                                 "else its slice's or cell's own)" : NULL);
        }
        CPU_FREE(set);
        return r;
}

static int sched_io(pid_t pid, const PlanSched *s, SpawnError *err) {
        char what[128];
        int error;

        if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, (int) pid, IOPRIO_PRIO_VALUE(s->io_class, s->io_priority)) >= 0)
                return 0;
        error = errno;
        (void) snprintf(what, sizeof what, "IOSchedulingClass=%s, IOSchedulingPriority=%d",
                        ioprio_class_to_string(s->io_class), s->io_priority);
        return sched_failed(err, error, what, NULL);
}

int sched_apply(pid_t pid, const PlanSched *s, bool reset_on_fork, SpawnError *err) {
        char what[32];
        int r;

        if (s->nice_set && setpriority(PRIO_PROCESS, (id_t) pid, s->nice) < 0) {
                int error = errno;

                (void) snprintf(what, sizeof what, "Nice=%d", s->nice);
                return sched_failed(err, error, what, NULL);
        }
        if (s->cpu_set && (r = sched_cpu(pid, s, reset_on_fork, err)) < 0)
                return r;
        if (s->cpu_affinity && (r = sched_affinity(pid, s, err)) < 0)
                return r;
        if (s->io_set && (r = sched_io(pid, s, err)) < 0)
                return r;
        return 0;
}

int sched_reset_on_fork_self(const PlanSched *s, SpawnError *err) {
        struct sched_param sp = {};
        int policy = SCHED_OTHER, r;

        r = sched_cpu_target(0, s, &policy, &sp);
        if (r < 0)
                return spawn_error(err, -r, "CPUSchedulingResetOnFork=yes: reading the inherited policy");
        if (sched_setscheduler(0, policy | SCHED_RESET_ON_FORK, &sp) < 0)
                return spawn_error(err, errno, "CPUSchedulingResetOnFork=yes");
        return 0;
}

int oom_score_adjust_apply(pid_t pid, int value, SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        char path[64], text[16];
        ssize_t w;
        int n;

        if (pid == 0)
                strcpy(path, "/proc/self/oom_score_adj");
        else
                (void) snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int) pid);
        n = snprintf(text, sizeof text, "%d", value);
        fd = open(path, O_WRONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return spawn_error(err, errno, "OOMScoreAdjust=%d", value);
        w = write(fd, text, (size_t) n);
        if (w == n)
                return 0;
        /* The kernel lets only CAP_SYS_RESOURCE go below the lowest value
         * the process had (cell's own, inherited). */
        if (w < 0 && errno == EACCES && !caps_effective(CAP_SYS_RESOURCE))
                return spawn_error(err, EACCES, "OOMScoreAdjust=%d: lowering it needs CAP_SYS_RESOURCE, which cell "
                                   "itself does not hold", value);
        return spawn_error(err, w < 0 ? errno : EIO, "OOMScoreAdjust=%d", value);
}
