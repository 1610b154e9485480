/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cgroupfs manager on a hybrid or legacy host: a cgroup in each v1
 * hierarchy a limit needs, with the limits as systemd 252 writes them to
 * cgroup v1, in each other v1 controller systemd's scope gets one in, and
 * in name=systemd and the unified tree for tools (scope-cgroupfs.c makes
 * the pure cgroup2 one and removes both). */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "cgroup-util.h"
#include "cgroup-v1-notice.h"
#include "log.h"
#include "parse-limits.h"
#include "scope-cgroupfs.h"

/* One cgroup1 hierarchy: those a key needs (key not NULL) fail loudly, naming
 * it (the start names its file and line), optional ones are skipped. */
static int v1_dir(Scope *s, const CgroupMount *mounts, size_t n_mounts, const CgroupMembership *own, size_t n_own,
                  const char *controller, const char *child, const char *key) {
        const CgroupMount *m = cg_mount_find(mounts, n_mounts, controller);
        const char *path = cg_membership_path(own, n_own, controller);
        bool required = key;
        int r;

        if (!m || !path) {
                if (!required)
                        return -ENOENT;
                return scope_set_error(s, -EOPNOTSUPP, "%s=: the %s cgroup controller is not mounted (this host's "
                                       "cgroup controllers are v1 ones, and none of its hierarchies has %s)",
                                       key, controller, controller);
        }
        r = scope_cgroupfs_dir_add(s, m, path, child, controller);
        /* An optional hierarchy we cannot write to is skipped; one where a cell of this
         * name runs is not. */
        if (r < 0 && !required && r != -ENOMEM && r != -EEXIST) {
                free(s->error);
                s->error = NULL;
                return -ENOENT;
        }
        return r;
}

/* IO weights alone, and no blkio hierarchy cell may write to: nothing weighs
 * the container's IO. systemd has no blkio cgroup for its scope there and says
 * nothing; the unit's reader is told, of each weight key at its own line. */
static void io_weights_unheld(const Plan *p) {
        const PlanLimits *l = &p->limits;
        char where[PATH_MAX + 32];

        if (l->io_weight > 0)
                log_warning("%sIOWeight=%" PRIu64 ": this host's cgroup controllers are v1 ones and no blkio "
                            "hierarchy is mounted that cell may make cgroups in: not applied.",
                            plan_origin_prefix(p, "IOWeight", 0, where, sizeof where), l->io_weight);
        for (size_t i = 0; i < l->n_io_devices; i++) {
                const CellIODevice *d = l->io_devices + i;

                if (d->kind == CELL_IO_DEVICE_WEIGHT)
                        log_warning("%s:%u: %s=%s: this host's cgroup controllers are v1 ones and no blkio "
                                    "hierarchy is mounted that cell may make cgroups in: not applied.",
                                    strna(d->file), d->line, io_kind_key(d->kind), d->path);
        }
}

/* Boot=yes without PrivateUsers= (nor ProtectControlGroups=): the child
 * mounts the named systemd hierarchy and the unified tree writable, each at
 * the root of its cgroup namespace (mount-cgroup.c), which is where it is
 * in each: its own cgroup where we made one, else cell's own, which the
 * container's root (the host's) could then change. */
static bool boot_mounts_writable(const Plan *p) {
        return p->boot && !(p->namespaces & CLONE_NEWUSER) && !(p->protect & PLAN_PROTECT_CONTROL_GROUPS);
}

/* No cgroup of the container's own in where: the start fails rather than
 * mount cell's own there, writable; read-only instead, a systemd booting
 * inside could not make init.scope and would exit at once ("Failed to
 * allocate manager object"), which says less. */
static int boot_dir_failed(Scope *s, const char *where, int r) {
        _cleanup_free_ char *why = TAKE_PTR(s->error);

        if (r == -ENOMEM || r == -EEXIST)       /* out of memory; a cell of this name runs */
                return scope_set_error(s, r, "%s", why ?: strerror(-r));
        return scope_set_error(s, r, "Boot=yes: no cgroup of the container's own in %s (%s): a systemd booting "
                               "inside needs one there, writable, and would get cell's own instead", where,
                               why ?: strerror(-r));
}

int scope_cgroupfs_setup_v1(Scope *s, const Plan *p, const CgroupMount *mounts, size_t n_mounts,
                            const CgroupMembership *own, size_t n_own, const char *child) {
        const PlanLimits *l = &p->limits;
        uint64_t mem = cg_limits_memory_base(l), page = (uint64_t) sysconf(_SC_PAGESIZE);
        bool need_memory = l->memory_max.kind || l->memory_high.kind || l->memory_swap_max.kind;
        const char *v2_only = cg_limits_v2_only(l);
        char buf[64];
        int idx, r;

        /* MemoryHigh= has a v1 stand-in (the soft limit); a protection has none:
         * the payload would run unprotected while the unit says otherwise. */
        if (v2_only)
                return scope_set_error(s, -EOPNOTSUPP, "%s=: cgroup v1 has no memory protection (cgroup2's "
                                       "memory.min, memory.low) and this host's memory controller is a v1 one; "
                                       "it needs a cgroup2 host", v2_only);

        /* v1 limits swap only with memory (memsw is both together): a swap
         * limit without a memory limit would not be enforced at all. */
        uint64_t max = UINT64_MAX, swap = UINT64_MAX;
        (void) cg_limit_resolve(&l->memory_max, mem, page, &max);
        (void) cg_limit_resolve(&l->memory_swap_max, mem, page, &swap);
        if (swap != UINT64_MAX && max == UINT64_MAX)
                return scope_set_error(s, -EOPNOTSUPP, "MemorySwapMax=: cgroup v1 limits swap only together with "
                                       "memory (memory.memsw.limit_in_bytes) and this host's memory controller is "
                                       "a v1 one; it needs %s too, or a cgroup2 host",
                                       l->memory_max.kind ? "a MemoryMax= other than infinity" : "MemoryMax=");

        /* memory: the limits, and memory.oom_control to tell an OOM kill. */
        idx = v1_dir(s, mounts, n_mounts, own, n_own, "memory", child,
                     need_memory ? cg_limits_v1_key(l, "memory", "MemoryMax") : NULL);
        if (idx < 0 && idx != -ENOENT)
                return idx;
        if (idx >= 0) {
                s->fs->memory_idx = idx;
                if (cg_format_limit_v1(&l->memory_max, mem, page, buf, sizeof buf) >= 0 &&
                    (r = scope_cgroupfs_write_one(s, idx, "MemoryMax", "memory.limit_in_bytes", buf, false)) < 0)
                        return r;
                /* MemoryHigh= has no cgroup1 twin; the soft limit is the nearest: reclaim
                 * pushes the group back to it under memory pressure. */
                if (cg_format_limit_v1(&l->memory_high, mem, page, buf, sizeof buf) >= 0 &&
                    (r = scope_cgroupfs_write_one(s, idx, "MemoryHigh", "memory.soft_limit_in_bytes", buf, false)) < 0)
                        return r;
                /* memsw limits memory+swap together, so it needs MemoryMax= too. */
                if (max != UINT64_MAX && l->memory_swap_max.kind != CELL_LIMIT_UNSET) {
                        bool finite = swap != UINT64_MAX && max <= UINT64_MAX - swap;
                        if (finite)
                                snprintf(buf, sizeof buf, "%" PRIu64, max + swap);
                        else
                                snprintf(buf, sizeof buf, "-1");
                        if ((r = scope_cgroupfs_write_swap(s, idx, "memory.memsw.limit_in_bytes", buf, finite)) < 0)
                                return r;
                }
        }

        CellLimit tasks = cg_limits_tasks(l);
        if (tasks.kind != CELL_LIMIT_UNSET) {
                /* TasksMax= unset: systemd's default, where a pids hierarchy takes cell. */
                bool by_default = l->tasks_max.kind == CELL_LIMIT_UNSET;
                idx = v1_dir(s, mounts, n_mounts, own, n_own, "pids", child, by_default ? NULL : "TasksMax");
                if (idx < 0 && !(by_default && idx == -ENOENT))
                        return idx;
                if (idx >= 0 &&
                    cg_format_tasks_max(&tasks, cg_limits_tasks_base(l), buf, sizeof buf) >= 0 &&
                    (r = scope_cgroupfs_write_one(s, idx, by_default ? "DefaultTasksMax" : "TasksMax", "pids.max", buf,
                                   false)) < 0)
                        return r;
        }

        if (l->cpu_quota_per_sec_usec != USEC_INFINITY || l->cpu_weight > 0 || l->cpu_idle) {
                idx = v1_dir(s, mounts, n_mounts, own, n_own, "cpu", child, cg_limits_v1_key(l, "cpu", "CPUWeight"));
                if (idx < 0)
                        return idx;
                const CgroupMount *cpu = cg_mount_find(mounts, n_mounts, "cpu");
                if ((r = scope_cgroupfs_write_cpu_v1(s, idx, p, cpu ? cpu->where : NULL)) < 0)
                        return r;
                /* CPUWeight=idle: cpu.shares has no idle, the least weight it is. */
                cg_v1_start_warn(p, CGROUP_MANAGER_CGROUPFS, mounts, n_mounts, CG_V1_NOTICE_CPU_IDLE);
        }

        if (l->allowed_cpus || l->allowed_memory_nodes) {
                idx = v1_dir(s, mounts, n_mounts, own, n_own, "cpuset", child,
                             cg_limits_v1_key(l, "cpuset", "AllowedCPUs"));
                if (idx < 0)
                        return idx;
                if ((r = scope_cgroupfs_write_cpuset(s, l, idx, false)) < 0)
                        return r;
        }

        if (l->io_weight > 0 || l->n_io_devices > 0) {
                /* blkio weights exist only with CFQ/BFQ; without them there is nothing to
                 * set. Its throttles are always there: a limit needs the hierarchy. */
                idx = v1_dir(s, mounts, n_mounts, own, n_own, "blkio", child,
                             cg_limits_io_required(l) ? cg_limits_v1_key(l, "blkio", "IOReadBandwidthMax") : NULL);
                if (idx < 0 && idx != -ENOENT)
                        return idx;
                if (idx == -ENOENT)
                        io_weights_unheld(p);
                if (idx >= 0 && l->io_weight > 0)
                        scope_cgroupfs_write_io_weight_v1(s, p, idx);
                if (idx >= 0 && (r = scope_cgroupfs_write_io(s, p, idx, false)) < 0)
                        return r;
        }

        /* Not for limits: the container's own cgroup in each v1 controller
         * systemd's scope (nspawn's, Delegate=yes) gets one in, for the
         * container is shown only the hierarchies where it is in its own
         * (mount-cgroup.c): in cell's it would see the host's tree below.
         * One cell may not make is left out of its view. Not cpuset (systemd
         * takes it on cgroup2 alone; a v1 cpuset admits no task until both
         * its lists are set) unless AllowedCPUs= made it, nor freezer and the
         * others systemd has no v1 support for. */
        static const char *const delegated[] = { "cpu", "cpuacct", "blkio", "memory", "devices", "pids" };
        /* A new v1 cpu cgroup has no real-time budget (cpu.rt_runtime_us 0):
         * a real-time CPUSchedulingPolicy= (or one inherited) would be
         * refused in it; the container keeps cell's, and is not shown it. */
        const PlanSched *sched = &p->sched;
        bool rt = sched->cpu_set &&
                  (sched->cpu_inherit || sched->cpu_policy == SCHED_FIFO || sched->cpu_policy == SCHED_RR);
        for (size_t i = 0; i < ELEMENTSOF(delegated); i++) {
                if (rt && cg_mount_find(mounts, n_mounts, delegated[i]) == cg_mount_find(mounts, n_mounts, "cpu"))
                        continue;
                idx = v1_dir(s, mounts, n_mounts, own, n_own, delegated[i], child, NULL);
                if (idx < 0 && idx != -ENOENT)
                        return idx;
        }

        /* Not for limits: name=systemd so tools find the container, and the
         * unified tree; required where the container gets them writable. */
        const CgroupMount *sd = cg_mount_find(mounts, n_mounts, "name=systemd");
        const char *sdpath = cg_membership_path(own, n_own, "name=systemd");
        if (sd && sdpath && boot_mounts_writable(p)) {
                idx = scope_cgroupfs_dir_add(s, sd, sdpath, child, "name=systemd");
                if (idx < 0)
                        return boot_dir_failed(s, "the named systemd hierarchy (name=systemd)", idx);
        } else
                (void) v1_dir(s, mounts, n_mounts, own, n_own, "name=systemd", child, NULL);
        const CgroupMount *u = cg_mount_find(mounts, n_mounts, NULL);
        const char *upath = cg_membership_path(own, n_own, NULL);
        if (u && upath) {
                idx = scope_cgroupfs_dir_add(s, u, upath, child, "cgroup2");
                if (idx >= 0)
                        s->fs->unified_idx = idx;
                else if (idx == -ENOMEM || idx == -EEXIST || idx == -EMFILE || idx == -ENFILE)
                        return idx;     /* out of fds is no "no cgroup2 tree here" */
                else if (boot_mounts_writable(p))
                        return boot_dir_failed(s, "the unified cgroup2 tree", idx);
                else {
                        free(s->error);
                        s->error = NULL;
                }
        }
        return 0;
}
