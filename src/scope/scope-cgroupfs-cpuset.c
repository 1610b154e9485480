/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cgroupfs manager's cpuset: AllowedCPUs= and AllowedMemoryNodes=
 * (scope-cgroupfs.c makes the cgroups). The Startup*= variants are not
 * written: the cgroupfs manager has no start-up phase, and the normal values
 * are what systemd applies outside it. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-util.h"
#include "scope-cgroupfs.h"

/* file of the cpuset at idx: set as a list, or (set NULL) the parent's. */
static int write_list(Scope *s, int idx, const char *key, const char *file, const uint8_t *set, size_t size) {
        CgroupDir *d = s->fs->dirs + idx;
        _cleanup_free_ char *value = NULL, *parent = NULL;
        int r;

        if (set) {
                r = cg_format_cpuset(set, size, &value);
                if (r < 0)
                        return scope_set_error(s, r, "%s= names none", key);
        } else {
                if (asprintf(&parent, "%s/..", d->path) < 0)
                        return -ENOMEM;
                _cleanup_close_ int pfd = open(parent, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                if (pfd < 0 || cg_read(pfd, file, &value) < 0)
                        return scope_set_error(s, -EIO, "cannot read %s of %s", file, parent);
                value[strcspn(value, "\n")] = 0;
        }
        /* A CPU or node this machine does not have: the start fails, naming the key. */
        r = cg_write(d->fd, file, value);
        if (r < 0)
                return scope_set_error(s, r, "%s=: the kernel refuses %s=%s in %s: %s", key, file, value, d->path,
                                       strerror(-r));
        return 0;
}

int scope_cgroupfs_write_cpuset(Scope *s, const PlanLimits *l, int idx, bool v2) {
        int r = 0;

        /* cgroup2: an unset list is the parent's already (cpuset.cpus.effective). */
        if (l->allowed_cpus || !v2)
                r = write_list(s, idx, l->allowed_cpus ? "AllowedCPUs" : "AllowedMemoryNodes", "cpuset.cpus",
                               l->allowed_cpus, l->allowed_cpus_size);
        if (r >= 0 && (l->allowed_memory_nodes || !v2))
                r = write_list(s, idx, l->allowed_memory_nodes ? "AllowedMemoryNodes" : "AllowedCPUs", "cpuset.mems",
                               l->allowed_memory_nodes, l->allowed_memory_nodes_size);
        return r;
}
