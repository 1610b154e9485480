/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What "all there is" means for a percentage of MemoryMax= or TasksMax=, as
 * systemd finds it (physical_memory(), system_tasks_max()): the machine's
 * memory and task limits, and within a container those of its root cgroup,
 * so that MemoryMax=50% in a container limited to 2G is 1G, not half of the
 * host's memory. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-util.h"
#include "macros.h"

/* A cgroup file or sysctl holding one number, or "max": UINT64_MAX. */
static int read_u64_file(const char *path, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        unsigned long long v;
        char *e;
        int r;

        r = cg_read_file(path, &s);
        if (r < 0)
                return r;
        s[strcspn(s, "\n")] = 0;
        if (streq(s, "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        errno = 0;
        v = strtoull(s, &e, 10);
        if (errno > 0 || e == s || *e || s[0] == '-')
                return -EINVAL;
        *ret = v;
        return 0;
}

int cg_root_limit(const CgroupMembership *pid1, size_t n_pid1, const CgroupMount *mounts, size_t n_mounts,
                  const char *controller, const char *file_v1, const char *file_v2, uint64_t *ret) {
        bool v1 = cg_mounts_have_v1_controllers(mounts, n_mounts);
        const CgroupMount *m = cg_mount_find(mounts, n_mounts, v1 ? controller : NULL);
        _cleanup_free_ char *root = NULL, *dir = NULL, *path = NULL;
        const char *p, *e;

        if (!m)
                return -ENOENT;
        /* systemd's cg_get_root_path(): PID 1's cgroup (its name=systemd one
         * beside v1 controllers), without the init.scope it puts itself in, or
         * the system.slice or system of its older versions. */
        p = v1 ? cg_membership_path(pid1, n_pid1, "name=systemd") : NULL;
        p = p ?: cg_membership_path(pid1, n_pid1, v1 ? controller : NULL);
        /* Outside our cgroup namespace ("/../.."): no root of ours to read. */
        if (!p || strstr(p, "/.."))
                return -ENOENT;
        root = strdup(p);
        if (!root)
                return -ENOMEM;
        if ((e = endswith(root, "/init.scope")) || (e = endswith(root, "/system.slice")) ||
            (e = endswith(root, "/system")))
                root[e - root] = 0;
        dir = cg_mount_path(m, root);
        if (!dir || asprintf(&path, "%s/%s", dir, v1 ? file_v1 : file_v2) < 0)
                return -ENOMEM;
        return read_u64_file(path, ret);
}

/* The limit of the root cgroup, as the system's cgroups show it now. */
static int read_root_limit(const char *controller, const char *file_v1, const char *file_v2, uint64_t *ret) {
        CgroupMembership *pid1 = NULL;
        CgroupMount *mounts = NULL;
        size_t n_pid1 = 0, n_mounts = 0;
        int r;

        r = cg_read_both(1, &pid1, &n_pid1, &mounts, &n_mounts);
        if (r < 0)
                return r;
        r = cg_root_limit(pid1, n_pid1, mounts, n_mounts, controller, file_v1, file_v2, ret);
        cg_membership_free(pid1, n_pid1);
        cg_mount_free(mounts, n_mounts);
        return r;
}

uint64_t cg_physical_memory(void) {
        long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
        uint64_t mem, lim;

        if (pages <= 0 || psz <= 0)
                return UINT64_MAX;
        mem = (uint64_t) pages * (uint64_t) psz;
        /* As systemd: a limit of the root cgroup (a container's), in whole pages. */
        if (read_root_limit("memory", "memory.limit_in_bytes", "memory.max", &lim) >= 0 && lim != UINT64_MAX)
                mem = MIN(mem, lim / (uint64_t) psz * (uint64_t) psz);
        return mem;
}

uint64_t cg_system_tasks_max(void) {
        /* systemd: the smallest of threads-max, pid_max - 1 and the root
         * cgroup's pids.max (a container's), at most 2^22 - 1. */
        uint64_t m = (uint64_t) 4194303, v;

        if (read_u64_file("/proc/sys/kernel/threads-max", &v) >= 0 && v > 0)
                m = MIN(m, v);
        if (read_u64_file("/proc/sys/kernel/pid_max", &v) >= 0 && v > 1)
                m = MIN(m, v - 1);
        if (read_root_limit("pids", "pids.max", "pids.max", &v) >= 0 && v > 0)
                m = MIN(m, v);
        return m;
}
