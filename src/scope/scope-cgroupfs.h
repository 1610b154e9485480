/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The cgroupfs manager's state, shared by scope-cgroupfs.c (making and
 * removing the cgroups) and scope-cgroupfs-handover.c (the same cgroups as
 * plain data, for cell-monitor and "cell __finish"). Not a contract: only
 * src/scope includes it. */

#include <stdbool.h>
#include <stddef.h>

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
        int unified_idx;        /* the cgroup2 dir, or -1 */
        int memory_idx;         /* where memory.events / memory.oom_control are read, or -1 */
        char *own_v2;           /* cgroup2: cell's own cgroup dir, when cell moved into ... */
        char *leaf;             /* ... this leaf below it (cgroup-leaf.c), or NULL */
        OomCounter oom;         /* for cell-monitor: the memory dir's counter file */
        int lock_fd;            /* the name's lock (name-lock.h), held until the dirs are gone; or -EBADF */
};

