/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include "caps.h"
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

/* A limit in force as a unit would write it: RLIMIT_NICE's raw 1..40 as the
 * nice level it allows (21 is "-1"), as LimitNICE= takes it; raw 0 (no
 * level may be asked for) and the others as numbers. */
const char *rlimit_format_in_force(int resource, rlim_t v, char buf[static 32]) {
        if (resource == RLIMIT_NICE && v >= 1 && v <= 40) {
                (void) snprintf(buf, 32, "%+d", 20 - (int) v);
                return buf;
        }
        return rlimit_format(v, buf);
}

/* fs.nr_open as read on the host (rlimits_prepare()), "" while unread. */
static char nr_open_host[32];

/* The kernel's ceiling for RLIMIT_NOFILE, as text: the one read on the
 * host, else read now. */
static int read_nr_open(char buf[static 32]) {
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        if (nr_open_host[0]) {
                memcpy(buf, nr_open_host, sizeof nr_open_host);
                return 0;
        }
        fd = open("/proc/sys/fs/nr_open", O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, 31);
        if (n <= 0)
                return n < 0 ? negative_errno() : -EIO;
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

void rlimits_prepare(const PlanRlimit *rlimits, size_t n) {
        char buf[32];

        /* The container's /proc/sys may be gone by the exec (Inaccessible=/proc/sys):
         * LimitNOFILE=infinity was then RLIM_INFINITY, which the kernel refuses.
         * Read for a unit with LimitNOFILE= alone: a start's path has no call to spare. */
        for (size_t i = 0; i < n; i++)
                if (rlimits[i].resource == RLIMIT_NOFILE) {
                        if (!nr_open_host[0] && read_nr_open(buf) >= 0)
                                memcpy(nr_open_host, buf, sizeof buf);
                        return;
                }
}

/* Whether we run in the host's user namespace: its uid_map alone maps all
 * of the 32-bit ids onto themselves. -errno: not known. */
static int in_initial_user_namespace(void) {
        _cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY|O_CLOEXEC|O_NOCTTY);
        unsigned long inside, outside, count;
        char buf[256];
        int consumed = 0;
        ssize_t n;

        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, sizeof buf - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = 0;
        /* Empty (no map written yet) or any other map: a namespace of its own. */
        if (sscanf(buf, "%lu %lu %lu%n", &inside, &outside, &count, &consumed) != 3)
                return 0;
        return inside == 0 && outside == 0 && count == 4294967295UL && !buf[consumed + strspn(buf + consumed, " \n")];
}

/* Why a raise of the hard limit was refused (NULL: it was no raise, or
 * past fs.nr_open, which no capability lifts): the kernel asks for
 * CAP_SYS_RESOURCE in the host's user namespace, which no process of a
 * container's (PrivateUsers=) has, whatever caps it holds in its own. */
static const char *rlimit_refusal(int error, const struct rlimit *want, const struct rlimit *now,
                                  bool past_nr_open) {
        if (error != EPERM || want->rlim_max <= now->rlim_max || past_nr_open)
                return NULL;
        if (in_initial_user_namespace() == 0)
                return "; raising it needs CAP_SYS_RESOURCE in the host's user namespace, which the container's "
                       "(PrivateUsers=) does not give";
        if (!caps_effective(CAP_SYS_RESOURCE))
                return "; raising it needs CAP_SYS_RESOURCE, which cell itself does not hold";
        return NULL;
}

/* The value as the unit wrote it (LimitNICE=-1, not the kernel's 21;
 * LimitMEMLOCK=8G, not 8589934592: what grep finds in the unit), the hard
 * limit cell runs under and, where that is why, the privilege a raise of it
 * needs; LimitNOFILE= never past fs.nr_open. */
static int rlimit_error(const PlanRlimit *l, const struct rlimit *want, const char *key, int error,
                        SpawnError *err) {
        char soft[32], hard[32], now_hard[32], numbers[72], nr_open[32];
        const char *value = l->value;
        unsigned long long max_open;
        struct rlimit now;

        /* A plan made by hand (no unit): the numbers, as a unit may write them. */
        if (!value) {
                if (l->soft == l->hard)
                        (void) snprintf(numbers, sizeof numbers, "%s", rlimit_format(l->soft, soft));
                else
                        (void) snprintf(numbers, sizeof numbers, "%s:%s", rlimit_format(l->soft, soft),
                                        rlimit_format(l->hard, hard));
                value = numbers;
        }
        if (getrlimit((__rlimit_resource_t) l->resource, &now) < 0)
                return spawn_error(err, error, "%s=%s: setrlimit", key, value);
        if (l->resource == RLIMIT_NOFILE && read_nr_open(nr_open) >= 0) {
                max_open = strtoull(nr_open, NULL, 10);
                if (l->hard == RLIM_INFINITY)
                        return spawn_error(err, error, "%s=%s: setrlimit to fs.nr_open=%s, the most the kernel allows "
                                           "(the hard limit in force is %s%s)", key, value, nr_open,
                                           rlimit_format_in_force(l->resource, now.rlim_max, now_hard),
                                           strempty(rlimit_refusal(error, want, &now, false)));
                return spawn_error(err, error,
                                   "%s=%s: setrlimit (the hard limit in force is %s; at most fs.nr_open=%s%s)",
                                   key, value,
                                   rlimit_format_in_force(l->resource, now.rlim_max, now_hard), nr_open,
                                   strempty(rlimit_refusal(error, want, &now, want->rlim_max > max_open)));
        }
        return spawn_error(err, error, "%s=%s: setrlimit (the hard limit in force is %s%s)", key, value,
                           rlimit_format_in_force(l->resource, now.rlim_max, now_hard),
                           strempty(rlimit_refusal(error, want, &now, false)));
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
                        return rlimit_error(l, &rl, key ?: "Limit", errno, err);
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
                                return rlimit_error(l, &want, key ?: "Limit", errno, err);
                        continue;
                }
                if (getrlimit((__rlimit_resource_t) l->resource, &now) < 0)
                        return rlimit_error(l, &want, key ?: "Limit", errno, err);
                /* Open files only up: what it lowers waits for rlimits_apply(). */
                now.rlim_max = MAX(now.rlim_max, want.rlim_max);
                now.rlim_cur = MAX(now.rlim_cur, want.rlim_cur);
                if (setrlimit((__rlimit_resource_t) l->resource, &now) < 0)
                        return rlimit_error(l, &now, key ?: "Limit", errno, err);
        }
        return 0;
}
