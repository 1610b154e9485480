/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cgroupfs manager: cell makes the container's cgroup itself, below the
 * cgroup cell runs in, and writes the limits into it.
 *
 * The directory is named after the scope unit without ".scope"
 * ("cell-web", "cell-worker\x403"; the unit name is already escaped, so it is
 * a valid file name). It lives directly below cell's own cgroup in every
 * hierarchy used: on a pure cgroup2 host the one tree (limits there, and
 * clone3(CLONE_INTO_CGROUP) puts the child straight in); on a hybrid or
 * legacy host each cgroup1 hierarchy a limit needs (memory, pids, cpu,
 * cpuset, blkio), each v1 controller systemd's scope would have (cpu,
 * cpuacct, blkio, memory, devices, pids: the container is shown only
 * those it has a cgroup of its own in), name=systemd and the empty unified
 * tree, and scope_attach() writes the PID into each cgroup.procs.
 *
 * cell never moves a process out of its cgroup, except the payload into
 * the new child cgroup.
 *
 * The name is locked (name-lock.h) before its cgroups are looked at, and
 * stays locked until they are removed, by cell-monitor and "cell __finish"
 * after cell: a second start of the name is refused, not raced. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-leftover.h"
#include "cgroup-limits.h"
#include "cgroup-tree.h"
#include "cgroup-util.h"
#include "log.h"
#include "name-lock.h"
#include "runtime-state.h"
#include "scope-cgroupfs.h"
#include "strv.h"

int scope_cgroupfs_usable(void) {
        int r = cg_layout();
        return r < 0 ? r : r != CGROUP_LAYOUT_NONE;
}

static int sleep_msec(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        return nanosleep(&ts, NULL);
}

int scope_cgroupfs_mkdir_error(Scope *s, int r, const char *path) {
        const char *why = cg_mkdir_strerror(r);
        if (!why)
                return scope_set_error(s, r, "cannot create cgroup %s: %s", path, strerror(-r));
        /* Where cell may make no cgroup (a container's read-only /sys/fs/cgroup,
         * a cgroup not delegated), say what it needs and what else there is. */
        return scope_set_error(s, r, "cannot create cgroup %s: %s; the cgroupfs manager needs a cgroup it may make "
                               "cgroups below (--cgroup-manager=none runs without one, and without limits)", path, why);
}

/* mkdir path; a leftover of a cell that died (empty) is replaced, a populated one
 * is another cell of that name. Called with the name's lock held (name-lock.h):
 * no other cell run of this name is between its mkdir and its payload's move. */
static int make_dir(Scope *s, const char *path, int *ret_fd) {
        int fd;

        /* Noted before it is made: a cell killed from here on leaves it to
         * the next one (cgroup-leftover.c). */
        name_lock_note(s->fs->lock_fd, CGROUP_NOTE_DIR, path);
        if (mkdir(path, 0755) < 0) {
                int r = negative_errno();
                if (r != -EEXIST)
                        return scope_cgroupfs_mkdir_error(s, r, path);
                fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                pid_t pid = fd >= 0 ? cg_tree_first_pid(fd) : 0;
                /* A cell SIGKILLed a moment ago: the kernel is still taking
                 * its container down (all of a PID namespace dies with its
                 * PID 1). A second for that; a running cell stays. */
                for (unsigned i = 0; pid > 0 && i < 100; i++) {
                        (void) sleep_msec(10);
                        pid = cg_tree_first_pid(fd);
                }
                if (pid > 0) {
                        safe_close(fd);
                        return scope_set_error(s, -EEXIST, "cell %s is already running (cgroup %s, PID %d)",
                                               s->name, path, (int) pid);
                }
                if (fd >= 0)
                        (void) cg_tree_trim(fd);
                safe_close(fd);
                if (rmdir(path) < 0 || mkdir(path, 0755) < 0) {
                        r = negative_errno();
                        return scope_set_error(s, r, "cannot replace leftover cgroup %s: %s", path, strerror(-r));
                }
        }
        fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0) {
                int r = negative_errno();
                (void) rmdir(path);
                return scope_set_error(s, r, "cannot open cgroup %s: %s", path, strerror(-r));
        }
        *ret_fd = fd;
        return 0;
}

int scope_cgroupfs_dir_add(Scope *s, const CgroupMount *m, const char *own, const char *child, const char *label) {
        ScopeCgroupfs *f = s->fs;
        _cleanup_free_ char *parent = NULL, *path = NULL;
        int fd = -EBADF, r;

        parent = cg_mount_path(m, own);
        if (!parent || asprintf(&path, "%s/%s", parent, child) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < f->n_dirs; i++)
                if (streq(f->dirs[i].path, path))
                        return (int) i;         /* cpu and cpuacct mounted together */
        if (f->n_dirs >= CGROUP_DIRS_MAX)
                return -E2BIG;

        r = make_dir(s, path, &fd);
        if (r < 0)
                return r;
        CgroupDir *d = f->dirs + f->n_dirs++;
        *d = (CgroupDir) { .path = TAKE_PTR(path), .fd = fd, .unified = m->unified };
        d->label = m->unified ? strdup("cgroup2") : strv_join(m->controllers, ",");
        d->controllers = strv_copy(m->controllers);
        if (!d->label || !d->controllers)
                return -ENOMEM;
        return (int) (f->n_dirs - 1);
}

int scope_cgroupfs_write_failed(Scope *s, int idx, const char *key, const char *file, const char *value, int r) {
        const CgroupDir *d = s->fs->dirs + idx;

        /* The file could not be opened: no word from the kernel on the value. */
        if (r == -EMFILE || r == -ENFILE || r == -ENOMEM)
                return scope_set_error(s, r, "%s=: writing %s=%s in %s: %s", key, file, value, d->path,
                                       strerror(-r));
        return scope_set_error(s, r, "%s=: the kernel refuses %s=%s in %s: %s", key, file, value, d->path,
                               strerror(-r));
}

int scope_cgroupfs_write_one(Scope *s, int idx, const char *key, const char *file, const char *value, bool optional) {
        int r = cg_write(s->fs->dirs[idx].fd, file, value);

        if (r == -ENOENT && optional)
                return 0;
        return r < 0 ? scope_cgroupfs_write_failed(s, idx, key, file, value, r) : 0;
}

int scope_cgroupfs_write_swap(Scope *s, int idx, const char *file, const char *value, bool finite) {
        _cleanup_free_ char *swaps = NULL;
        CgroupDir *d = s->fs->dirs + idx;

        if (faccessat(d->fd, file, F_OK, 0) >= 0 || errno != ENOENT)
                return scope_cgroupfs_write_one(s, idx, "MemorySwapMax", file, value, false);
        if (!finite || cg_read_file("/proc/swaps", &swaps) < 0 || !cg_limits_swap_on(swaps))
                return 0;
        return scope_set_error(s, -EOPNOTSUPP, "MemorySwapMax=: %s has no %s: this kernel accounts no swap to "
                               "cgroups (swapaccount=0 or cgroup.memory=noswap on its command line) while swap is on "
                               "(/proc/swaps), so no swap limit would hold", d->path, file);
}

/* Each controller the limits need is in parent's cgroup.controllers (read once). */
static int controllers_available(Scope *s, const char *parent, int parent_fd, const CgroupNeed *needs, size_t n) {
        _cleanup_free_ char *avail = NULL;
        int r;

        if (n == 0)
                return 0;
        r = cg_read(parent_fd, "cgroup.controllers", &avail);
        if (r < 0)
                return scope_set_error(s, r, "cannot read %s/cgroup.controllers: %s", parent, strerror(-r));
        for (size_t i = 0; i < n; i++)
                if (!cg_list_has(avail, needs[i].controller))
                        return scope_set_error(s, -EOPNOTSUPP, "%s=: the %s controller is not available in %s "
                                               "(not delegated to cell's cgroup)", needs[i].key, needs[i].controller,
                                               parent);
        return 0;
}

/* cgroup2: a controller must be on in the parent's cgroup.subtree_control for its
 * files to appear in our child. The "no internal processes" rule: a non-root cgroup
 * that has processes of its own (cell is one) cannot enable domain controllers
 * (memory, io) for its children (EBUSY); it does take threaded ones (cpu, cpuset,
 * pids), but then becomes a thread root, below which the container's cgroup may
 * hold no process (clone3 fails with EOPNOTSUPP) and domain controllers are
 * refused with EOPNOTSUPP. So cell leaves its cgroup first (setup_v2()), and an
 * EBUSY here is a process that came in since. */
static int enable_controller(Scope *s, const char *parent, int parent_fd, const CgroupNeed *need) {
        _cleanup_free_ char *enabled = NULL;
        const char *c = need->controller;
        char op[32];
        int r;

        if (cg_read(parent_fd, "cgroup.subtree_control", &enabled) >= 0 && cg_list_has(enabled, c))
                return 0;
        _cleanup_free_ char *note = NULL;
        if (asprintf(&note, "%s %s", c, parent) < 0)
                return -ENOMEM;
        name_lock_note(s->fs->lock_fd, CGROUP_NOTE_ENABLED, note);
        snprintf(op, sizeof op, "+%s", c);
        r = cg_write(parent_fd, "cgroup.subtree_control", op);
        if (r == -EBUSY)
                return scope_set_error(s, r, "cannot enable the %s controller in %s: that cgroup has processes "
                                       "of its own (cgroup2 allows no controllers below a cgroup with processes); "
                                       "run cell in a cgroup of its own", c, parent);
        if (r < 0)
                return scope_set_error(s, r, "cannot enable the %s controller in %s: %s", c, parent, strerror(-r));
        return 0;
}

static int setup_v2(Scope *s, const Plan *p, const CgroupMount *m, const char *own, const char *child) {
        const PlanLimits *l = &p->limits;
        uint64_t mem = cg_limits_memory_base(l), page = (uint64_t) sysconf(_SC_PAGESIZE);
        _cleanup_free_ char *parent = cg_mount_path(m, own);
        _cleanup_close_ int parent_fd = -EBADF;
        char buf[64];
        int idx, r;

        if (!parent)
                return -ENOMEM;
        parent_fd = open(parent, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (parent_fd < 0) {
                r = negative_errno();
                return scope_set_error(s, r, "cannot open cell's own cgroup %s: %s", parent, strerror(-r));
        }

        CgroupNeed needs[CG_NEEDS_MAX];
        size_t n_needs = cg_limits_needs(l, needs);
        /* A controller that is not there at all is the reason, whoever else is here. */
        r = controllers_available(s, parent, parent_fd, needs, n_needs);
        if (r < 0)
                return r;
        /* cell is a process of its own cgroup: unless that is the root cgroup (the
         * one without cgroup.type), which the rule exempts, it moves into a leaf
         * of its own (cgroup-leaf.c) before a controller is enabled there, and
         * also where controllers are on already (a thread root while cell is in
         * it), so that its own cgroup holds no process and cell-NAME may hold
         * the payload; with others there it refuses, saying what to do. */
        _cleanup_free_ char *enabled = NULL;
        if (cg_read(parent_fd, "cgroup.subtree_control", &enabled) < 0)
                enabled = NULL;
        bool any_on = enabled && enabled[strspn(enabled, " \n")];
        bool tasks_default = l->tasks_max_default.kind != CELL_LIMIT_UNSET &&
                             scope_leaf_tasks_default(parent, parent_fd, n_needs > 0 || any_on);
        if (tasks_default)
                needs[n_needs++] = (CgroupNeed) { .controller = "pids", .v1 = "pids", .key = "TasksMax" };
        if ((n_needs > 0 || any_on) &&
            faccessat(parent_fd, "cgroup.type", F_OK, 0) >= 0) {
                if (!(s->fs->own_v2 = strdup(parent)))
                        return -ENOMEM;
                r = scope_leaf_enter(s, parent, parent_fd, &s->fs->leaf);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n_needs; i++) {
                r = enable_controller(s, parent, parent_fd, needs + i);
                if (r < 0)
                        return r;
        }

        idx = scope_cgroupfs_dir_add(s, m, own, child, "cgroup2");
        if (idx < 0)
                return idx;
        s->fs->unified_idx = idx;
        s->fs->memory_idx = idx;

        if ((r = scope_cgroupfs_write_cpuset(s, l, idx, true)) < 0)
                return r;
        if (cg_format_limit_v2(&l->memory_max, mem, page, buf, sizeof buf) >= 0 &&
            (r = scope_cgroupfs_write_one(s, idx, "MemoryMax", "memory.max", buf, false)) < 0)
                return r;
        if (cg_format_limit_v2(&l->memory_high, mem, page, buf, sizeof buf) >= 0 &&
            (r = scope_cgroupfs_write_one(s, idx, "MemoryHigh", "memory.high", buf, false)) < 0)
                return r;
        if (cg_format_limit_v2(&l->memory_swap_max, mem, page, buf, sizeof buf) >= 0 &&
            (r = scope_cgroupfs_write_swap(s, idx, "memory.swap.max", buf, !streq(buf, "max"))) < 0)
                return r;
        if (cg_format_limit_v2(&l->memory_min, mem, page, buf, sizeof buf) >= 0 &&
            (r = scope_cgroupfs_write_one(s, idx, "MemoryMin", "memory.min", buf, false)) < 0)
                return r;
        if (cg_format_limit_v2(&l->memory_low, mem, page, buf, sizeof buf) >= 0 &&
            (r = scope_cgroupfs_write_one(s, idx, "MemoryLow", "memory.low", buf, false)) < 0)
                return r;
        CellLimit tasks = tasks_default ? cg_limits_tasks(l) : l->tasks_max;
        if (cg_format_tasks_max(&tasks, cg_limits_tasks_base(l), buf, sizeof buf) >= 0) {
                if ((r = scope_cgroupfs_write_one(s, idx, tasks_default ? "DefaultTasksMax" : "TasksMax", "pids.max",
                                                  buf, false)) < 0)
                        return r;
                s->fs->no_tasks = streq(buf, "0");
        }
        if (l->cpu_quota_per_sec_usec != USEC_INFINITY) {
                r = cg_format_cpu_max(l->cpu_quota_per_sec_usec, plan_cpu_quota_period(l), buf, sizeof buf);
                if (r >= 0)
                        r = scope_cgroupfs_write_one(s, idx, "CPUQuota", "cpu.max", buf, false);
                if (r < 0)
                        return r;
        }
        /* CPUWeight=idle: cpu.idle instead of a weight, as systemd does. */
        if (l->cpu_idle) {
                r = cg_write(s->fs->dirs[idx].fd, "cpu.idle", "1");
                if (r == -ENOENT)
                        return scope_set_error(s, r, "CPUWeight=idle: %s has no cpu.idle (Linux 5.15 and later have it)",
                                               s->fs->dirs[idx].path);
                if (r < 0)
                        return scope_set_error(s, r, "cannot write cpu.idle=1 in %s: %s",
                                               s->fs->dirs[idx].path, strerror(-r));
        }
        if (l->cpu_weight > 0) {
                snprintf(buf, sizeof buf, "%" PRIu64, l->cpu_weight);
                if ((r = scope_cgroupfs_write_one(s, idx, "CPUWeight", "cpu.weight", buf, false)) < 0)
                        return r;
        }
        if (l->io_weight > 0) {
                r = scope_cgroupfs_write_io_weight_v2(s, p, idx);
                if (r < 0)
                        return r;
        }
        return scope_cgroupfs_write_io(s, p, idx, true);
}

/* Slice= is systemd's: the cgroupfs manager makes the container's cgroup
 * below cell's own, whatever the unit says. A unit that names a slice is told
 * at the start (cell verify cannot know which manager a run will pick). */
static void slice_notice(const Plan *p, const char *child) {
        char where[PATH_MAX + 32];

        if (!p->slice || !plan_key_origin(p, "Slice", 0))
                return;
        log_notice("%sSlice=%s: the cgroupfs manager does not use slices; %s is made below the cgroup cell runs in",
                   plan_origin_prefix(p, "Slice", 0, where, sizeof where), p->slice, child);
}

int scope_cgroupfs_new(Scope *s, const Plan *p) {
        _cleanup_free_ char *child = NULL;
        CgroupMembership *own = NULL;
        CgroupMount *mounts = NULL;
        size_t n_own = 0, n_mounts = 0;
        int r;

        s->fs = calloc(1, sizeof(ScopeCgroupfs));
        if (!s->fs)
                return -ENOMEM;
        s->fs->unified_idx = s->fs->memory_idx = -1;
        s->fs->oom = OOM_COUNTER_NULL;
        s->fs->lock_fd = -EBADF;

        if (s->unit) {
                const char *e = endswith(s->unit, ".scope");
                child = strndup(s->unit, e ? (size_t) (e - s->unit) : strlen(s->unit));
        } else if (asprintf(&child, "cell-%s", s->name) < 0)
                child = NULL;
        if (!child)
                return -ENOMEM;
        /* The name is one path component, never a way up or out. */
        if (!*child || strchr(child, '/') || streq(child, ".") || streq(child, "..") || strlen(child) > 255)
                return scope_set_error(s, -EINVAL, "invalid cgroup name '%s'", child);

        /* Before any cgroup of the name is looked at: another cell run of
         * this name, even one that has only just made its cgroup, is never
         * taken for a leftover. What a killed cell of this name made is
         * taken back with it; then the dead cells' beside ours. */
        r = scope_name_lock(s, CGROUP_MANAGER_CGROUPFS, &s->fs->lock_fd);
        if (r < 0)
                return r;

        r = cg_read_both(0, &own, &n_own, &mounts, &n_mounts);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return scope_set_error(s, r, "cannot read cell's own cgroup: %s", strerror(-r));
        cgroup_leftover_sweep(mounts, n_mounts, own, n_own, child);

        const CgroupMount *v2 = cg_mount_find(mounts, n_mounts, NULL);
        const char *v2path = cg_membership_path(own, n_own, NULL);
        s->fs->pure_v2 = v2 && v2path && !cg_mounts_have_v1_controllers(mounts, n_mounts);
        if (s->fs->pure_v2) {
                r = setup_v2(s, p, v2, v2path, child);
                /* Before the child is born into it (CLONE_INTO_CGROUP). */
                if (r >= 0 && s->fs->unified_idx >= 0)
                        r = scope_devices_attach_fd(s, s->fs->dirs[s->fs->unified_idx].fd);
        } else if (n_mounts == 0)
                r = scope_set_error(s, -EOPNOTSUPP, "no cgroup filesystem is mounted");
        else {
                r = scope_cgroupfs_setup_v1(s, p, mounts, n_mounts, own, n_own, child);
                /* The device policy on our cgroup in the unified tree, before the
                 * child is moved in: nothing else restricts devices here. */
                if (r >= 0 && s->fs->unified_idx >= 0) {
                        scope_devices_own_hybrid(s);
                        r = scope_devices_attach_fd(s, s->fs->dirs[s->fs->unified_idx].fd);
                }
        }

        cg_membership_free(own, n_own);
        cg_mount_free(mounts, n_mounts);
        if (r >= 0) {
                slice_notice(p, child);
                scope_cgroupfs_cpu_period_notice(p);
        }
        return r;
}

int scope_cgroupfs_clone_into_fd(const Scope *s) {
        /* On hybrid hosts the cgroup1 hierarchies need cgroup.procs anyway. A
         * cgroup with pids.max 0 (TasksMax=0%) takes no new task, but one
         * moved in: the child, blocked until GO, is moved in then, as on v1. */
        if (!s->fs || !s->fs->pure_v2 || s->fs->unified_idx < 0 || s->fs->no_tasks)
                return -EBADF;
        return s->fs->dirs[s->fs->unified_idx].fd;
}

int scope_cgroupfs_attach(Scope *s, pid_t pid, bool born_in) {
        char buf[32];
        int r;

        if (!s->fs)
                return -EINVAL;
        snprintf(buf, sizeof buf, "%d", (int) pid);
        for (size_t i = 0; i < s->fs->n_dirs; i++) {
                /* Born there (CLONE_INTO_CGROUP): writing the PID again would change
                 * nothing, yet make the kernel wait for an RCU grace period (a
                 * migration takes the global threadgroup lock: 5-20 ms here). */
                if (born_in && (int) i == s->fs->unified_idx)
                        continue;
                r = cg_write(s->fs->dirs[i].fd, "cgroup.procs", buf);
                if (r < 0)
                        return scope_set_error(s, r, "cannot move PID %d into cgroup %s: %s",
                                               (int) pid, s->fs->dirs[i].path, strerror(-r));
        }
        return 0;
}

void scope_cgroupfs_free(Scope *s) {
        ScopeCgroupfs *f = s->fs;

        if (!f)
                return;

        /* cgroup.kill (Linux 5.14) kills the whole cgroup atomically, forks included. */
        bool killed = f->pure_v2 && f->unified_idx >= 0 && cg_write(f->dirs[f->unified_idx].fd, "cgroup.kill", "1") >= 0;

        /* Wait (at most ~5 s) for the cgroups and their subtrees to empty, killing
         * as we go; then remove them. */
        for (unsigned attempt = 0; attempt < 500; attempt++) {
                int listed = 0;
                for (size_t i = 0; i < f->n_dirs; i++)
                        listed += killed ? (cg_tree_first_pid(f->dirs[i].fd) > 0) : cg_tree_signal(f->dirs[i].fd, SIGKILL, 0);
                if (listed == 0)
                        break;
                (void) sleep_msec(10);
        }
        for (size_t i = 0; i < f->n_dirs; i++) {
                for (unsigned attempt = 0; attempt < 100; attempt++) {
                        /* What an init inside made below it first. */
                        (void) cg_tree_trim(f->dirs[i].fd);
                        if (rmdir(f->dirs[i].path) >= 0 || errno != EBUSY)
                                break;
                        (void) sleep_msec(10);  /* the last exit is still being accounted */
                }
                safe_close(f->dirs[i].fd);
                free(f->dirs[i].path);
                free(f->dirs[i].label);
                strv_free(f->dirs[i].controllers);
        }
        /* Back into cell's own cgroup, as it was before (cgroup-leaf.c). */
        scope_leaf_leave(f->own_v2, f->leaf);
        /* The cgroups are gone: the name is free for the next cell. */
        name_lock_release(s->name, f->lock_fd);
        oom_counter_done(&f->oom);
        free(f->own_v2);
        free(f->leaf);
        free(f);
        s->fs = NULL;
}
