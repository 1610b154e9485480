/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The values cell writes into cgroup files, computed as systemd computes
 * them: CPU quotas and weights, IO weights, memory and task limits,
 * cpusets. Pure: no file is read or written here. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-util.h"
#include "macros.h"
#include "plan.h"

uint64_t cg_cpu_quota_per_period(uint64_t quota_per_sec_usec, uint64_t period_usec) {
        if (quota_per_sec_usec == USEC_INFINITY)
                return USEC_INFINITY;
        /* systemd: at least 1 ms of CPU per period, the kernel's minimum. */
        uint64_t q = (uint64_t) ((unsigned __int128) quota_per_sec_usec * period_usec / USEC_PER_SEC);
        return MAX(q, USEC_PER_MSEC);
}

uint64_t cg_cpu_quota_period(uint64_t quota_per_sec_usec, uint64_t period_usec) {
        if (quota_per_sec_usec == USEC_INFINITY || quota_per_sec_usec == 0)
                return CG_CPU_PERIOD_USEC;
        /* systemd (cgroup_cpu_adjust_period), the default period too: 1ms at
         * least, and so long that the quota per period is 1ms too; 1s at most. */
        uint64_t p = period_usec == USEC_INFINITY ? CG_CPU_PERIOD_USEC : MAX(period_usec, USEC_PER_MSEC);
        p = MAX(p, USEC_PER_MSEC * USEC_PER_SEC / quota_per_sec_usec);
        return MIN(p, USEC_PER_SEC);
}

int cg_format_cpu_max(uint64_t quota_per_sec_usec, uint64_t period_usec, char *buf, size_t size) {
        uint64_t period = cg_cpu_quota_period(quota_per_sec_usec, period_usec);
        uint64_t q = cg_cpu_quota_per_period(quota_per_sec_usec, period);
        int k;
        if (q == USEC_INFINITY)
                k = snprintf(buf, size, "max %" PRIu64, period);
        else
                k = snprintf(buf, size, "%" PRIu64 " %" PRIu64, q, period);
        return k < 0 || (size_t) k >= size ? -ENOBUFS : 0;
}

uint64_t cg_cpu_weight_to_shares(uint64_t weight) {
        /* systemd: shares = weight * 1024 / 100, clamped to the kernel's 2..262144. */
        uint64_t s = weight * 1024 / 100;
        return MIN(MAX(s, (uint64_t) 2), (uint64_t) 262144);
}

uint64_t cg_io_weight_to_bfq(uint64_t weight) {
        /* As systemd: 1..100 as they are (BFQ's default is 100 too), above that
         * 100..10000 onto 100..1000. */
        weight = MIN(MAX(weight, (uint64_t) 1), (uint64_t) 10000);
        return weight <= 100 ? weight : 100 + (weight - 100) * 900 / 9900;
}

uint64_t cg_io_weight_to_blkio(uint64_t weight) {
        /* systemd: blkio = weight * 500 / 100, clamped to 10..1000. */
        uint64_t b = weight * 500 / 100;
        return MIN(MAX(b, (uint64_t) 10), (uint64_t) 1000);
}

uint64_t cg_io_weight_to_blkio_bfq(uint64_t weight) {
        /* systemd 252 on v1 hands BFQ the blkio weight (10..1000) and maps that
         * as an IOWeight=: IOWeight=100 is blkio 500, BFQ 136. */
        return cg_io_weight_to_bfq(cg_io_weight_to_blkio(weight));
}

int cg_limit_resolve(const CellLimit *l, uint64_t base, uint64_t page_size, uint64_t *ret) {
        switch (l->kind) {
        case CELL_LIMIT_UNSET:
                return -ENODATA;
        case CELL_LIMIT_INFINITY:
                *ret = UINT64_MAX;
                return 0;
        case CELL_LIMIT_VALUE:
                *ret = l->value;
                return 0;
        case CELL_LIMIT_PERCENT: {
                /* As systemd resolves the scale the scope gets (physical_memory_scale(),
                 * system_tasks_max_scale()): whole pages or tasks times scale / UINT32_MAX,
                 * rounded down; 33% of 100 tasks is 32, as the scale is a little below 33%. */
                uint64_t scale = plan_scale_from_permyriad(l->permyriad);
                uint64_t units = page_size > 0 ? base / page_size : base;
                uint64_t v = (uint64_t) ((unsigned __int128) units * scale / UINT32_MAX);
                *ret = page_size > 0 ? v * page_size : v;
                return 0;
        }
        default:
                return -EINVAL;
        }
}

int cg_format_limit_v2(const CellLimit *l, uint64_t base, uint64_t page_size, char *buf, size_t size) {
        uint64_t v;
        int r = cg_limit_resolve(l, base, page_size, &v), k;
        if (r < 0)
                return r;
        k = v == UINT64_MAX ? snprintf(buf, size, "max") : snprintf(buf, size, "%" PRIu64, v);
        return k < 0 || (size_t) k >= size ? -ENOBUFS : 0;
}

int cg_format_limit_v1(const CellLimit *l, uint64_t base, uint64_t page_size, char *buf, size_t size) {
        uint64_t v;
        int r = cg_limit_resolve(l, base, page_size, &v), k;
        if (r < 0)
                return r;
        k = v == UINT64_MAX ? snprintf(buf, size, "-1") : snprintf(buf, size, "%" PRIu64, v);
        return k < 0 || (size_t) k >= size ? -ENOBUFS : 0;
}

int cg_format_tasks_max(const CellLimit *l, uint64_t base, char *buf, size_t size) {
        uint64_t v;
        int r = cg_limit_resolve(l, base, 0, &v), k;
        if (r < 0)
                return r;
        /* The kernel refuses a pids.max above its PID_MAX_LIMIT; systemd carries
         * on without it, and no more tasks than that can be anyway. */
        k = v > CG_PIDS_MAX ? snprintf(buf, size, "max") : snprintf(buf, size, "%" PRIu64, v);
        return k < 0 || (size_t) k >= size ? -ENOBUFS : 0;
}

int cg_format_cpuset(const uint8_t *bits, size_t size, char **ret) {
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        size_t n = size * 8;

        for (size_t i = 0; i < n; ) {
                if (!(bits[i / 8] & (1u << (i % 8)))) {
                        i++;
                        continue;
                }
                size_t j = i;
                while (j + 1 < n && (bits[(j + 1) / 8] & (1u << ((j + 1) % 8))))
                        j++;
                char item[48];
                int k = j == i ? snprintf(item, sizeof item, "%s%zu", len ? "," : "", i)
                               : snprintf(item, sizeof item, "%s%zu-%zu", len ? "," : "", i, j);
                char *t = realloc(s, len + k + 1);
                if (!t)
                        return -ENOMEM;
                s = t;
                memcpy(s + len, item, k + 1);
                len += k;
                i = j + 1;
        }
        if (!s)
                return -EINVAL;
        *ret = TAKE_PTR(s);
        return 0;
}
