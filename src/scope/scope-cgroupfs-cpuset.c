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

#include "cgroup-limits.h"
#include "cgroup-util.h"
#include "scope-cgroupfs.h"

/* file of the cpuset directory d's parent, the list without its newline. */
static int read_parent(const CgroupDir *d, const char *file, char **ret) {
        _cleanup_free_ char *parent = NULL;
        int r;

        if (asprintf(&parent, "%s/..", d->path) < 0)
                return -ENOMEM;
        _cleanup_close_ int pfd = open(parent, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (pfd < 0)
                return -errno;
        r = cg_read(pfd, file, ret);
        if (r < 0)
                return r;
        (*ret)[strcspn(*ret, "\n")] = 0;
        return 0;
}

/* The CPUs (nodes) of value that the kernel does not allow in file at d: a
 * v1 cpuset takes no more than its parent's (EACCES), cgroup2's any this
 * machine may have (the others EINVAL or ERANGE). So that the start names
 * those and the lines they came from, not the set. -ENOENT: none is. */
static int refused_part(const CgroupDir *d, const char *file, const char *value, bool v2,
                        char **ret, char **ret_allowed, const char **ret_where) {
        _cleanup_free_ char *allowed = NULL;
        const char *possible = streq(file, "cpuset.cpus") ? "/sys/devices/system/cpu/possible" :
                                                              "/sys/devices/system/node/possible";
        int r;

        r = v2 ? cg_read_file(possible, &allowed) : read_parent(d, file, &allowed);
        if (r < 0)
                return r;
        allowed[strcspn(allowed, "\n")] = 0;
        r = cg_limits_cpuset_outside(value, allowed, ret);
        if (r < 0)
                return r;
        *ret_allowed = TAKE_PTR(allowed);
        *ret_where = v2 ? possible : "the parent's";
        return 0;
}

/* cgroup2 takes a list with none of the parent's effective CPUs (nodes), and
 * runs the cgroup on the parent's instead: the payload would run where the
 * unit says it must not. Refused, as v1 refuses it when written. */
static int check_effective(Scope *s, const CgroupDir *d, const char *key, const char *file, const char *value) {
        _cleanup_free_ char *effective = NULL, *name = NULL;

        if (asprintf(&name, "%s.effective", file) < 0)
                return -ENOMEM;
        if (cg_read(d->fd, name, &effective) < 0)
                return 0;
        effective[strcspn(effective, "\n")] = 0;
        if (!cg_limits_cpuset_disjoint(value, effective))
                return 0;
        return scope_set_error(s, -EINVAL, "%s=%s: none of these is among those of the cgroup above (%s/..), "
                               "and cgroup2 runs the container on that one's instead (%s=%s)", key, value, d->path,
                               name, effective);
}

/* file of the cpuset at idx: set as a list, or (set NULL) the parent's. */
static int write_list(Scope *s, int idx, const char *key, const char *file, const uint8_t *set, size_t size,
                      bool v2) {
        CgroupDir *d = s->fs->dirs + idx;
        _cleanup_free_ char *value = NULL, *outside = NULL, *allowed = NULL;
        const char *where = NULL;
        int r;

        if (set) {
                r = cg_format_cpuset(set, size, &value);
                if (r < 0)
                        return scope_set_error(s, r, "%s= names none", key);
        } else if ((r = read_parent(d, file, &value)) < 0)
                /* v1 admits no task to a cpuset without both lists: the start fails. */
                return scope_set_error(s, r, "%s=: cannot read %s of %s/.., for the other list v1 needs: %s", key,
                                       file, d->path, strerror(-r));
        /* A CPU or node this machine does not have, or (v1) the parent's
         * cpuset lacks: the start fails, naming the key and those. */
        r = cg_write(d->fd, file, value);
        if (r >= 0 && set && v2)
                return check_effective(s, d, key, file, value);
        if (r >= 0)
                return 0;
        bool refused = r != -EMFILE && r != -ENFILE && r != -ENOMEM;   /* else the file could not be opened */
        if (set && refused && refused_part(d, file, value, v2, &outside, &allowed, &where) >= 0)
                return scope_set_error(s, r, "%s=%s: the kernel refuses %s=%s in %s: not in %s%s%s (%s): %s",
                                       key, outside, file, value, d->path, where, v2 ? "" : " ",
                                       v2 ? "" : file, allowed, strerror(-r));
        return scope_cgroupfs_write_failed(s, idx, key, file, value, r);
}

int scope_cgroupfs_write_cpuset(Scope *s, const PlanLimits *l, int idx, bool v2) {
        int r = 0;

        /* cgroup2: an unset list is the parent's already (cpuset.cpus.effective). */
        if (l->allowed_cpus || !v2)
                r = write_list(s, idx, l->allowed_cpus ? "AllowedCPUs" : "AllowedMemoryNodes", "cpuset.cpus",
                               l->allowed_cpus, l->allowed_cpus_size, v2);
        if (r >= 0 && (l->allowed_memory_nodes || !v2))
                r = write_list(s, idx, l->allowed_memory_nodes ? "AllowedMemoryNodes" : "AllowedCPUs", "cpuset.mems",
                               l->allowed_memory_nodes, l->allowed_memory_nodes_size, v2);
        return r;
}
