/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cgroupfs manager's CPU limits in a cgroup v1 cpu hierarchy:
 * CPUQuota= (per CPUQuotaPeriodSec=) and CPUWeight=, as systemd 252 writes
 * them (scope-cgroupfs.c makes the cgroups); and, on either layout, the
 * notice of a period other than the unit's. */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-limits.h"
#include "cgroup-util.h"
#include "log.h"
#include "scope-cgroupfs.h"

/* A v1 cpu cgroup's quota and period; false where it has no quota ("-1"). */
static bool read_quota(const char *dir, uint64_t *ret_quota, uint64_t *ret_period) {
        _cleanup_free_ char *q = NULL, *p = NULL, *fq = NULL, *fp = NULL;
        char *e;

        if (asprintf(&fq, "%s/cpu.cfs_quota_us", dir) < 0 || asprintf(&fp, "%s/cpu.cfs_period_us", dir) < 0)
                return false;
        if (cg_read_file(fq, &q) < 0 || cg_read_file(fp, &p) < 0 || q[0] == '-')
                return false;
        errno = 0;
        *ret_quota = strtoull(q, &e, 10);
        if (errno > 0 || e == q)
                return false;
        *ret_period = strtoull(p, &e, 10);
        return errno == 0 && e != p && *ret_period > 0;
}

/* The nearest cgroup above dir (up to the hierarchy's root, where) with a
 * quota, if it allows no more CPU time than quota per period: v1 refuses
 * (EINVAL) a quota larger than that below it, where cgroup2 takes it and
 * applies the smaller. */
static char *ancestor_quota_below(const char *dir, const char *where, uint64_t quota, uint64_t period,
                                  uint64_t *ret_quota, uint64_t *ret_period) {
        _cleanup_free_ char *p = strdup(dir);
        size_t lw = strlen(where);
        char *slash;

        while (p && (slash = strrchr(p, '/')) && (size_t) (slash - p) >= lw) {
                *slash = 0;
                if (!read_quota(p, ret_quota, ret_period))
                        continue;
                if ((unsigned __int128) *ret_quota * period <= (unsigned __int128) quota * *ret_period)
                        return TAKE_PTR(p);
                return NULL;
        }
        return NULL;
}

int scope_cgroupfs_write_cpu_v1(Scope *s, int idx, const Plan *p, const char *where) {
        const PlanLimits *l = &p->limits;
        CgroupDir *d = s->fs->dirs + idx;
        char buf[64], origin[PATH_MAX + 32];
        int r;

        if (l->cpu_quota_per_sec_usec != USEC_INFINITY) {
                uint64_t period = cg_cpu_quota_period(l->cpu_quota_per_sec_usec, plan_cpu_quota_period(l));
                uint64_t q = cg_cpu_quota_per_period(l->cpu_quota_per_sec_usec, period), aq = 0, ap = 0;

                snprintf(buf, sizeof buf, "%" PRIu64, period);
                r = scope_cgroupfs_write_one(s, idx, "CPUQuotaPeriodSec", "cpu.cfs_period_us", buf, false);
                if (r < 0)
                        return r;
                snprintf(buf, sizeof buf, "%" PRIu64, q);
                r = cg_write(d->fd, "cpu.cfs_quota_us", buf);
                _cleanup_free_ char *above = r == -EINVAL && where ?
                        ancestor_quota_below(d->path, where, q, period, &aq, &ap) : NULL;
                if (above)
                        /* The smaller quota above holds for the container too: the
                         * unit's limit is kept, and more. systemd logs the refusal
                         * and leaves the scope's quota unset the same way. */
                        log_notice("%sCPUQuota=%" PRIu64 ".%02" PRIu64 "%%: %s allows less (cpu.cfs_quota_us=%"
                                   PRIu64 " per cpu.cfs_period_us=%" PRIu64 "), which holds for the container too; "
                                   "cgroup v1 refuses a larger quota below it, so %s has none of its own.",
                                   plan_origin_prefix(p, "CPUQuota", 0, origin, sizeof origin),
                                   l->cpu_quota_per_sec_usec / 10000, l->cpu_quota_per_sec_usec / 100 % 100,
                                   above, aq, ap, d->path);
                else if (r < 0)
                        return scope_cgroupfs_write_failed(s, idx, "CPUQuota", "cpu.cfs_quota_us", buf, r);
        }
        /* CPUWeight=idle: v1 has no cpu.idle; systemd gives it the minimum weight. */
        if (l->cpu_weight > 0 || l->cpu_idle) {
                snprintf(buf, sizeof buf, "%" PRIu64, cg_cpu_weight_to_shares(l->cpu_weight));
                r = scope_cgroupfs_write_one(s, idx, "CPUWeight", "cpu.shares", buf, false);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* usec as the plan shows a period: "20ms", "1500us". */
static const char *period_str(uint64_t usec, char buf[static 32]) {
        if (usec % USEC_PER_MSEC == 0)
                snprintf(buf, 32, "%" PRIu64 "ms", usec / USEC_PER_MSEC);
        else
                snprintf(buf, 32, "%" PRIu64 "us", usec);
        return buf;
}

int scope_cpu_period_notice_text(const Plan *p, char **ret) {
        const PlanLimits *l = &p->limits;
        uint64_t period = cg_limits_cpu_period_adjusted(l);
        char where[PATH_MAX + 32], asked[32], got[32];
        int r;

        *ret = NULL;
        if (period == 0)
                return 0;
        /* systemd writes the adjusted period with a warning in its log; the
         * unit's reader sees here what the quota is measured over. */
        if (l->cpu_quota_period_set)
                r = asprintf(ret, "%sCPUQuotaPeriodSec=%s: the period is %s instead: the kernel takes 1ms to 1s, "
                             "with at least 1ms of CPU time in each (CPUQuota=%" PRIu64 ".%02" PRIu64 "%%), as "
                             "systemd clamps it.", plan_origin_prefix(p, "CPUQuotaPeriodSec", 0, where, sizeof where),
                             period_str(l->cpu_quota_period_usec, asked), period_str(period, got),
                             l->cpu_quota_per_sec_usec / 10000, l->cpu_quota_per_sec_usec / 100 % 100);
        else
                r = asprintf(ret, "%sCPUQuota=%" PRIu64 ".%02" PRIu64 "%%: the period is %s, not the default 100ms: "
                             "each period holds at least 1ms of CPU time (the kernel's least), as systemd makes it.",
                             plan_origin_prefix(p, "CPUQuota", 0, where, sizeof where),
                             l->cpu_quota_per_sec_usec / 10000, l->cpu_quota_per_sec_usec / 100 % 100,
                             period_str(period, got));
        if (r < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

void scope_cgroupfs_cpu_period_notice(const Plan *p) {
        _cleanup_free_ char *text = NULL;

        /* Out of memory for a notice: the start goes on without it. */
        if (scope_cpu_period_notice_text(p, &text) >= 0 && text)
                log_notice("%s", text);
}
