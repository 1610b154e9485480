/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "cgroup-limits.h"
#include "parse-limits.h"
#include "parse-value.h"
#include "strv.h"

bool cg_limit_protects(const CellLimit *l) {
        return !(l->kind == CELL_LIMIT_UNSET || (l->kind == CELL_LIMIT_VALUE && l->value == 0) ||
                 (l->kind == CELL_LIMIT_PERCENT && l->permyriad == 0));
}

bool cg_io_device_sets(const CellIODevice *d) {
        return d->kind != CELL_IO_LATENCY || d->value != USEC_INFINITY;
}

/* The first IO per-device entry of a kind in mask (bits 1 << CellIOKind)
 * that sets something (cg_io_device_sets()), or with unset_too one that sets
 * nothing as well (a latency target of infinity); NULL for none. */
static const CellIODevice *io_first(const PlanLimits *l, unsigned mask, bool unset_too) {
        for (size_t i = 0; i < l->n_io_devices; i++)
                if ((mask & (1u << l->io_devices[i].kind)) && (unset_too || cg_io_device_sets(l->io_devices + i)))
                        return l->io_devices + i;
        return NULL;
}

#define IO_THROTTLES ((1u << CELL_IO_READ_BPS) | (1u << CELL_IO_WRITE_BPS) | \
                      (1u << CELL_IO_READ_IOPS) | (1u << CELL_IO_WRITE_IOPS))
#define IO_LATENCY (1u << CELL_IO_LATENCY)

bool cg_limits_io_required(const PlanLimits *l) {
        return io_first(l, IO_THROTTLES | IO_LATENCY, false);
}

size_t cg_limits_needs(const PlanLimits *l, CgroupNeed ret[static CG_NEEDS_MAX]) {
        const char *memory = l->memory_max.kind ? "MemoryMax" :
                             l->memory_high.kind ? "MemoryHigh" :
                             l->memory_swap_max.kind ? "MemorySwapMax" : cg_limits_v2_only(l);
        /* MemoryMin=0, MemoryLow=0 alone: the kernel's default, which v1 (no
         * protection at all) has too; cgroup2 needs the controller to write it. */
        bool memory_default = !memory && (l->memory_min.kind || l->memory_low.kind);
        if (memory_default)
                memory = l->memory_min.kind ? "MemoryMin" : "MemoryLow";
        /* CPUQuotaPeriodSec= alone changes nothing (systemd's period is the
         * default without a quota): it needs no controller. */
        const char *cpu = l->cpu_quota_per_sec_usec != USEC_INFINITY ? "CPUQuota" :
                          l->cpu_weight > 0 || l->cpu_idle ? "CPUWeight" : NULL;
        /* io: a latency target only cgroup2 has; throttles, which v1's blkio has
         * too; or weights alone, which v1 has only with CFQ or BFQ; or a latency
         * target of infinity alone (none, the kernel's default, as on v1). */
        const CellIODevice *latency = io_first(l, IO_LATENCY, false), *throttle = io_first(l, IO_THROTTLES, false),
                           *weight = io_first(l, 1u << CELL_IO_DEVICE_WEIGHT, false),
                           *no_target = io_first(l, IO_LATENCY, true);
        const char *io = latency ? io_kind_key(latency->kind) : throttle ? io_kind_key(throttle->kind) :
                         l->io_weight > 0 ? "IOWeight" : weight ? io_kind_key(weight->kind) :
                         no_target ? io_kind_key(no_target->kind) : NULL;
        const CgroupNeed all[CG_NEEDS_MAX] = {
                { "cpuset", "cpuset", l->allowed_cpus ? "AllowedCPUs" :
                                      l->allowed_memory_nodes ? "AllowedMemoryNodes" : NULL, false },
                { "cpu", "cpu", cpu, false },
                { "io", "blkio", io, !latency && !throttle, !!latency },
                { "memory", "memory", memory, memory_default },
                { "pids", "pids", l->tasks_max.kind != CELL_LIMIT_UNSET ? "TasksMax" : NULL, false },
        };
        size_t n = 0;

        for (size_t i = 0; i < CG_NEEDS_MAX; i++)
                if (all[i].key)
                        ret[n++] = all[i];
        return n;
}

const char *cg_limits_v2_only(const PlanLimits *l) {
        return cg_limit_protects(&l->memory_min) ? "MemoryMin" : cg_limit_protects(&l->memory_low) ? "MemoryLow" : NULL;
}

const char *cg_limits_v1_key(const PlanLimits *l, const char *controller, const char *fallback) {
        CgroupNeed needs[CG_NEEDS_MAX];
        size_t n = cg_limits_needs(l, needs);

        for (size_t i = 0; i < n; i++)
                if (streq_ptr(needs[i].v1, controller))
                        return needs[i].key;
        return fallback;
}

/* The controllers only the Startup*= keys ask for, in the order of cg_limits_needs(). */
static size_t needs_startup(const PlanLimits *l, CgroupNeed ret[static CG_NEEDS_MAX]) {
        const CgroupNeed all[] = {
                { "cpuset", "cpuset", l->startup_allowed_cpus ? "StartupAllowedCPUs" :
                                      l->startup_allowed_memory_nodes ? "StartupAllowedMemoryNodes" : NULL, false },
                { "cpu", "cpu", l->startup_cpu_weight > 0 || l->startup_cpu_idle ? "StartupCPUWeight" : NULL, false },
                { "io", "blkio", l->startup_io_weight > 0 ? "StartupIOWeight" : NULL, true },
        };
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if (all[i].key)
                        ret[n++] = all[i];
        return n;
}

/* A need's place in the order of cg_limits_needs(). */
static size_t need_rank(const CgroupNeed *need) {
        static const char *const order[CG_NEEDS_MAX] = { "cpuset", "cpu", "io", "memory", "pids" };
        size_t k = 0;

        while (k < ELEMENTSOF(order) && !streq(order[k], need->controller))
                k++;
        return k;
}

size_t cg_limits_needs_systemd(const PlanLimits *l, CgroupNeed needs[static CG_NEEDS_MAX], size_t n_needs) {
        const char *key = l->memory_high.kind ? "MemoryHigh" :
                          l->memory_swap_max.kind ? "MemorySwapMax" : cg_limits_v2_only(l);
        /* systemd turns IO bandwidths into blkio throttles on v1, not the IOPS limits. */
        const CellIODevice *iops = io_first(l, (1u << CELL_IO_READ_IOPS) | (1u << CELL_IO_WRITE_IOPS), false);

        for (size_t i = 0; i < n_needs; i++) {
                if (key && streq(needs[i].controller, "memory")) {
                        needs[i].key = key;
                        needs[i].v2_only = true;
                }
                if (iops && streq(needs[i].controller, "io") && !needs[i].v2_only) {
                        needs[i].key = io_kind_key(iops->kind);
                        needs[i].v2_only = true;
                }
        }

        /* The Startup*= values are systemd's to apply while the system starts
         * up or shuts down: they need their controller as much as the others. */
        CgroupNeed startup[CG_NEEDS_MAX], merged[CG_NEEDS_MAX];
        size_t n_startup = needs_startup(l, startup), n = 0, i = 0, j = 0;
        /* Both in order: merged, the need of a normal key first (it names that key). */
        while ((i < n_needs || j < n_startup) && n < CG_NEEDS_MAX) {
                if (j < n_startup && (i >= n_needs || need_rank(startup + j) < need_rank(needs + i)))
                        merged[n++] = startup[j++];
                else {
                        if (j < n_startup && need_rank(startup + j) == need_rank(needs + i))
                                j++;
                        merged[n++] = needs[i++];
                }
        }
        memcpy(needs, merged, n * sizeof(CgroupNeed));
        return n;
}

/* path is leaf itself or ends in "/leaf". */
static bool path_is_leaf(const char *path, const char *leaf) {
        size_t lp = strlen(path), ll = strlen(leaf);
        return lp > ll && path[lp - ll - 1] == '/' && streq(path + lp - ll, leaf);
}

const CgroupNeed *cg_limits_unmet(const CgroupNeed *needs, size_t n_needs,
                                  const CgroupMembership *m, size_t n_m,
                                  const char *leaf, const char *v2_controllers) {
        const char *v2_path = cg_membership_path(m, n_m, NULL);
        bool v1_holds = false;

        /* cgroup2's controllers count only where the process is in leaf there. */
        if (!v2_path || !path_is_leaf(v2_path, leaf))
                v2_controllers = NULL;

        /* Whether v1 holds this cgroup's limits: some real v1 controller has it in
         * leaf. (The kernel lists every v1 hierarchy mounted anywhere, also on a
         * cgroup2 host whose manager never puts anything there.) */
        for (size_t i = 0; i < n_m; i++)
                if (m[i].id != 0 && path_is_leaf(m[i].path, leaf))
                        STRV_FOREACH(c, m[i].controllers)
                                if (!startswith(*c, "name="))
                                        v1_holds = true;

        for (size_t i = 0; i < n_needs; i++) {
                const char *p = needs[i].v2_only ? NULL : cg_membership_path(m, n_m, needs[i].v1);
                if (p && path_is_leaf(p, leaf))
                        continue;
                if (v2_controllers && cg_list_has(v2_controllers, needs[i].controller))
                        continue;
                if (needs[i].optional_v1 && v1_holds && !needs[i].v2_only)
                        continue;
                return needs + i;
        }
        return NULL;
}

bool cg_limits_cpuset_is(const char *text, const char *want) {
        size_t l = want ? strlen(want) : 0;
        return text && l > 0 && strncmp(text, want, l) == 0 && (streq(text + l, "") || streq(text + l, "\n"));
}

bool cg_limits_cpuset_holds(const char *text, const char *want, const char *want_startup) {
        if (!want && !want_startup)
                return true;
        if (cg_limits_cpuset_is(text, want) || cg_limits_cpuset_is(text, want_startup))
                return true;
        return !want && text && text[strspn(text, "\n")] == 0;
}

int cg_limits_cpuset_outside(const char *want, const char *have, char **ret) {
        _cleanup_free_ uint8_t *w = NULL, *h = NULL;
        size_t wn = 0, hn = 0;
        int r;

        r = parse_cpu_set(want, &w, &wn);
        if (r < 0)
                return r;
        r = parse_cpu_set(strempty(have), &h, &hn);
        if (r < 0)
                return r;
        for (size_t i = 0; i < wn && i < hn; i++)
                w[i] &= ~h[i];
        r = cg_format_cpuset(w, wn, ret);
        return r == -EINVAL ? -ENOENT : r;
}

bool cg_limits_cpuset_disjoint(const char *want, const char *have) {
        _cleanup_free_ uint8_t *w = NULL, *h = NULL;
        size_t wn = 0, hn = 0;
        bool any = false;

        if (!have || have[strspn(have, " \n")] == 0 ||
            parse_cpu_set(strempty(want), &w, &wn) < 0 || parse_cpu_set(have, &h, &hn) < 0)
                return false;
        for (size_t i = 0; i < hn; i++)
                any = any || h[i];
        for (size_t i = 0; i < wn && i < hn; i++)
                if (w[i] & h[i])
                        return false;
        return any;
}

uint64_t cg_limits_cpu_period_adjusted(const PlanLimits *l) {
        uint64_t asked = l->cpu_quota_period_set ? l->cpu_quota_period_usec : CG_CPU_PERIOD_USEC;

        if (l->cpu_quota_per_sec_usec == USEC_INFINITY)
                return 0;
        uint64_t period = cg_cpu_quota_period(l->cpu_quota_per_sec_usec, plan_cpu_quota_period(l));
        return period == asked ? 0 : period;
}

uint64_t cg_limits_memory_base(const PlanLimits *l) {
        const CellLimit *m[] = { &l->memory_max, &l->memory_high, &l->memory_swap_max, &l->memory_min,
                                 &l->memory_low };

        for (size_t i = 0; i < ELEMENTSOF(m); i++)
                if (m[i]->kind == CELL_LIMIT_PERCENT)
                        return cg_physical_memory();
        return UINT64_MAX;
}

CellLimit cg_limits_tasks(const PlanLimits *l) {
        if (l->tasks_max.kind != CELL_LIMIT_UNSET || l->tasks_max_default.kind != CELL_LIMIT_PERCENT)
                return l->tasks_max.kind != CELL_LIMIT_UNSET ? l->tasks_max : l->tasks_max_default;
        /* systemd keeps DefaultTasksMax= as a fraction (15/100) and takes it
         * of the system's tasks exactly (450 of 3000), where a unit's 15% goes
         * through TasksMaxScale's UINT32 scale (449). */
        return (CellLimit) { .kind = CELL_LIMIT_VALUE,
                             .value = cg_system_tasks_max() * l->tasks_max_default.permyriad / 10000 };
}

uint64_t cg_limits_tasks_base(const PlanLimits *l) {
        return l->tasks_max.kind == CELL_LIMIT_PERCENT ? cg_system_tasks_max() : 0;
}

bool cg_limits_swap_on(const char *text) {
        const char *nl = text ? strchr(text, '\n') : NULL;

        /* "Filename Type Size Used Priority", then one line per area. */
        return nl && nl[1 + strspn(nl + 1, " \t\n")] != 0;
}
