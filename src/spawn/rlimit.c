/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "spawn-child.h"

static const char *const rlimit_keys[RLIMIT_NLIMITS] = {
        [RLIMIT_CPU] = "LimitCPU",
        [RLIMIT_FSIZE] = "LimitFSIZE",
        [RLIMIT_DATA] = "LimitDATA",
        [RLIMIT_STACK] = "LimitSTACK",
        [RLIMIT_CORE] = "LimitCORE",
        [RLIMIT_RSS] = "LimitRSS",
        [RLIMIT_NPROC] = "LimitNPROC",
        [RLIMIT_NOFILE] = "LimitNOFILE",
        [RLIMIT_MEMLOCK] = "LimitMEMLOCK",
        [RLIMIT_AS] = "LimitAS",
        [RLIMIT_LOCKS] = "LimitLOCKS",
        [RLIMIT_SIGPENDING] = "LimitSIGPENDING",
        [RLIMIT_MSGQUEUE] = "LimitMSGQUEUE",
        [RLIMIT_NICE] = "LimitNICE",
        [RLIMIT_RTPRIO] = "LimitRTPRIO",
        [RLIMIT_RTTIME] = "LimitRTTIME",
};

static const char *rlimit_format(rlim_t v, char buf[static 32]) {
        if (v == RLIM_INFINITY)
                return "infinity";
        (void) snprintf(buf, 32, "%llu", (unsigned long long) v);
        return buf;
}

/* The kernel's ceiling for RLIMIT_NOFILE, as text. */
static int read_nr_open(char buf[static 32]) {
        _cleanup_close_ int fd = open("/proc/sys/fs/nr_open", O_RDONLY|O_CLOEXEC|O_NOCTTY);
        ssize_t n;

        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, 31);
        if (n <= 0)
                return n < 0 ? negative_errno() : -EIO;
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

/* The value as the unit would write it, and the hard limit cell runs under:
 * without CAP_SYS_RESOURCE on the host (in a user namespace too) no hard
 * limit can be raised, and LimitNOFILE= never past fs.nr_open. */
static int rlimit_error(const PlanRlimit *l, const char *key, int error, SpawnError *err) {
        char soft[32], hard[32], now_hard[32], value[72], nr_open[32];
        struct rlimit now;

        if (l->soft == l->hard)
                (void) snprintf(value, sizeof value, "%s", rlimit_format(l->soft, soft));
        else
                (void) snprintf(value, sizeof value, "%s:%s", rlimit_format(l->soft, soft),
                                rlimit_format(l->hard, hard));
        if (getrlimit((__rlimit_resource_t) l->resource, &now) < 0)
                return spawn_error(err, error, "%s=%s: setrlimit", key, value);
        if (l->resource == RLIMIT_NOFILE && read_nr_open(nr_open) >= 0) {
                if (l->hard == RLIM_INFINITY)
                        return spawn_error(err, error, "%s=%s: setrlimit to fs.nr_open=%s, the most the kernel allows "
                                           "(the hard limit in force is %s)", key, value, nr_open,
                                           rlimit_format(now.rlim_max, now_hard));
                return spawn_error(err, error, "%s=%s: setrlimit (the hard limit in force is %s; at most fs.nr_open=%s)",
                                   key, value, rlimit_format(now.rlim_max, now_hard), nr_open);
        }
        return spawn_error(err, error, "%s=%s: setrlimit (the hard limit in force is %s)", key, value,
                           rlimit_format(now.rlim_max, now_hard));
}

/* LimitNOFILE=infinity: the kernel has no unlimited RLIMIT_NOFILE (it refuses
 * any above fs.nr_open), so it is fs.nr_open, the most there is, as
 * systemd's services get it (PID 1 raises its own hard limit to fs.nr_open,
 * and setrlimit_closest() gives them that). */
static struct rlimit rlimit_for_kernel(const PlanRlimit *l) {
        struct rlimit rl = { .rlim_cur = l->soft, .rlim_max = l->hard };
        unsigned long long v;
        char nr_open[32], *e;

        if (l->resource != RLIMIT_NOFILE || l->hard != RLIM_INFINITY || read_nr_open(nr_open) < 0)
                return rl;
        errno = 0;
        v = strtoull(nr_open, &e, 10);
        if (errno > 0 || e == nr_open || *e || v == 0)
                return rl;
        rl.rlim_max = (rlim_t) v;
        rl.rlim_cur = MIN(rl.rlim_cur, rl.rlim_max);
        return rl;
}

int rlimits_apply(const PlanRlimit *rlimits, size_t n, SpawnError *err) {
        for (size_t i = 0; i < n; i++) {
                const PlanRlimit *l = rlimits + i;
                struct rlimit rl = rlimit_for_kernel(l);
                const char *key = l->resource >= 0 && l->resource < RLIMIT_NLIMITS ?
                        rlimit_keys[l->resource] : NULL;

                if (setrlimit((__rlimit_resource_t) l->resource, &rl) < 0)
                        return rlimit_error(l, key ?: "Limit", errno, err);
        }
        return 0;
}

int rlimits_apply_early(const PlanRlimit *rlimits, size_t n, SpawnError *err) {
        for (size_t i = 0; i < n; i++) {
                const PlanRlimit *l = rlimits + i;
                struct rlimit want = rlimit_for_kernel(l), now;
                const char *key = l->resource >= 0 && l->resource < RLIMIT_NLIMITS ?
                        rlimit_keys[l->resource] : NULL;

                if (l->resource != RLIMIT_NOFILE) {
                        /* Exactly, as systemd sets them before the ids change:
                         * LimitNPROC= is checked at the setuid() and the exec. */
                        if (setrlimit((__rlimit_resource_t) l->resource, &want) < 0)
                                return rlimit_error(l, key ?: "Limit", errno, err);
                        continue;
                }
                if (getrlimit((__rlimit_resource_t) l->resource, &now) < 0)
                        return rlimit_error(l, key ?: "Limit", errno, err);
                /* Open files only up: what it lowers waits for rlimits_apply(). */
                now.rlim_max = MAX(now.rlim_max, want.rlim_max);
                now.rlim_cur = MAX(now.rlim_cur, want.rlim_cur);
                if (setrlimit((__rlimit_resource_t) l->resource, &now) < 0)
                        return rlimit_error(l, key ?: "Limit", errno, err);
        }
        return 0;
}
