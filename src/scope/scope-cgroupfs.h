/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The cgroupfs manager's state, shared by scope-cgroupfs.c (making and
 * removing the cgroups) and scope-cgroupfs-handover.c (the same cgroups as
 * plain data, for cell-monitor and "cell __finish"). Not a contract: only
 * src/scope includes it. */

#include <stdbool.h>
#include <stddef.h>

#include "cgroup-util.h"
#include "oom-counter.h"
#include "scope-internal.h"

#define CGROUP_DIRS_MAX 16

typedef struct CgroupDir {
        char *path;
        int fd;
        bool unified;
        char *label;            /* "memory", "cpu,cpuacct", "cgroup2": for messages */
        char **controllers;
} CgroupDir;

struct ScopeCgroupfs {
        CgroupDir dirs[CGROUP_DIRS_MAX];
        size_t n_dirs;
        bool pure_v2;           /* limits in the cgroup2 tree; clone3 CLONE_INTO_CGROUP applies */
        bool no_tasks;          /* pids.max 0 (TasksMax=0%): no clone into it, the child is moved in */
        int unified_idx;        /* the cgroup2 dir, or -1 */
        int memory_idx;         /* where memory.events / memory.oom_control are read, or -1 */
        char *own_v2;           /* cgroup2: cell's own cgroup dir, when cell moved into ... */
        char *leaf;             /* ... this leaf below it (cgroup-leaf.c), or NULL */
        OomCounter oom;         /* for cell-monitor: the memory dir's counter file */
        int lock_fd;            /* the name's lock (name-lock.h), held until the dirs are gone; or -EBADF */
};

/* The child dir in mount m below cell's own cgroup there (made, or a dead
 * cell's replaced); returns its index in dirs[]. label: for messages. */
int scope_cgroupfs_dir_add(Scope *s, const CgroupMount *m, const char *own, const char *child, const char *label);
/* file of the dir at idx gets value, for the unit's key: a value the kernel
 * refuses (a CPU it does not have) fails the start, naming the key; optional:
 * a file that is not there is no failure. */
int scope_cgroupfs_write_one(Scope *s, int idx, const char *key, const char *file, const char *value, bool optional);
/* The error of a write r of file=value, named as a refusal by the kernel or,
 * where the file could not be opened (EMFILE, ENFILE, ENOMEM), as a write. */
int scope_cgroupfs_write_failed(Scope *s, int idx, const char *key, const char *file, const char *value, int r);
/* MemorySwapMax= into file (memory.swap.max, v1's memory.memsw.limit_in_bytes)
 * of the dir at idx. The file is missing where the kernel accounts no swap to
 * cgroups: a finite limit is refused there while swap is on (it would not
 * hold; systemd drops it with a debug message), skipped without swap. */
int scope_cgroupfs_write_swap(Scope *s, int idx, const char *file, const char *value, bool finite);

/* The cgroups and v1 limits on a hybrid or legacy host (scope-cgroupfs-v1.c),
 * below own (cell's memberships) in mounts, named child. */
int scope_cgroupfs_setup_v1(Scope *s, const Plan *p, const CgroupMount *mounts, size_t n_mounts,
                            const CgroupMembership *own, size_t n_own, const char *child);

/* The IO limits into the dir at idx (scope-cgroupfs-io.c): the per-device
 * ones, found by scope_io_resolve(), for cgroup2 (v2) or blkio; a refusal
 * names the unit's file, line and key. */
int scope_cgroupfs_write_io(Scope *s, const Plan *p, int idx, bool v2);
/* IOWeight= on cgroup2: BFQ's io.bfq.weight on its own scale and iocost's
 * io.weight. Either may be missing (BFQ not loaded, a kernel without
 * iocost); without both nothing weighs IO, as systemd says in its log only:
 * a warning naming the key, its file and line. */
int scope_cgroupfs_write_io_weight_v2(Scope *s, const Plan *p, int idx);
/* IOWeight= on v1's blkio, where a scheduler with weights takes it; a
 * warning naming the key, its file and line where none does. */
void scope_cgroupfs_write_io_weight_v1(Scope *s, const Plan *p, int idx);

/* AllowedCPUs= and AllowedMemoryNodes= into the cpuset dir at idx
 * (scope-cgroupfs-cpuset.c): on cgroup2 (v2) those the unit names; a v1
 * cpuset, which admits no task until both lists are set, gets the parent's
 * for the other. A list the kernel refuses fails, naming the key. */
int scope_cgroupfs_write_cpuset(Scope *s, const PlanLimits *l, int idx, bool v2);

/* CPUQuota= (per CPUQuotaPeriodSec=) and CPUWeight= into the v1 cpu dir at
 * idx (scope-cgroupfs-cpu.c), where is the hierarchy's mount point. A quota
 * v1 refuses below a cgroup that allows less is left to that one, with a
 * notice (systemd's scope is left without one the same way). */
int scope_cgroupfs_write_cpu_v1(Scope *s, int idx, const Plan *p, const char *where);
/* Where the period CPUQuota= is measured over is not the unit's (CPUQuotaPeriodSec=
 * clamped to 1ms..1s, or made longer for 1ms of CPU time in each), a notice
 * naming the key, its file and line, and the period taken (scope-cgroupfs-cpu.c);
 * for systemd's scope too (scope.c), whose manager clamps it alike. */
void scope_cgroupfs_cpu_period_notice(const Plan *p);
/* That notice's text (*ret NULL: none), for systemd's scope to log once
 * its limits are found in force (scope.c): a unit it refuses gets none. */
int scope_cpu_period_notice_text(const Plan *p, char **ret);
