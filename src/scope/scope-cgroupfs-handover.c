/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cgroupfs manager's cgroups as plain data and back (scope.h): cell
 * hands them over to cell-monitor with the OOM counter of their memory
 * cgroup, and "cell __finish" (src/cli/finish.c) adopts them again to
 * empty and remove them with scope_free(), as "cell run" would have. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scope-cgroupfs.h"
#include "strv.h"

const OomCounter *scope_cgroupfs_oom_counter(Scope *s) {
        ScopeCgroupfs *f = s->fs;

        if (!f || f->memory_idx < 0)
                return NULL;
        if (f->oom.fd < 0) {
                CgroupDir *d = f->dirs + f->memory_idx;
                /* Our own cgroup: nothing removes it before cell's clean-up, so
                 * reading the counter at the payload's exit is enough. */
                f->oom.fd = openat(d->fd, d->unified ? "memory.events" : "memory.oom_control",
                                   O_RDONLY|O_CLOEXEC|O_NOCTTY);
                f->oom.unified = true;
                /* cgroup1 counts a kill in the cgroup of its victim alone: those
                 * below ours (the payload's own) are read there. */
                if (!d->unified)
                        f->oom.dirfd = fcntl(d->fd, F_DUPFD_CLOEXEC, 3);
                if (f->oom.fd < 0 || (!d->unified && f->oom.dirfd < 0) || oom_counter_update(&f->oom) < 0) {
                        oom_counter_done(&f->oom);
                        return NULL;
                }
        }
        return &f->oom;
}

bool scope_cgroupfs_oom_killed(Scope *s) {
        /* The counter read at the payload's exit, before cell removes the cgroup. */
        return scope_cgroupfs_oom_counter(s) && oom_counter_killed(&s->fs->oom);
}

int scope_name_lock_fd(const Scope *s) {
        if (!s)
                return -EBADF;
        return s->fs ? s->fs->lock_fd : s->lock_fd;
}

int scope_cgroupfs_dirs(const Scope *s, ScopeCgroupfsDirs *ret) {
        ScopeCgroupfs *f = s ? s->fs : NULL;
        ScopeCgroupfsDirs d = { .unified = -1, .lock_fd = -EBADF };

        if (!f)
                return -ENODATA;
        for (size_t i = 0; i < f->n_dirs; i++)
                if (strv_extend(&d.dirs, f->dirs[i].path) < 0)
                        goto oom;
        d.pure_v2 = f->pure_v2;
        d.unified = f->unified_idx;
        d.lock_fd = f->lock_fd;
        if ((f->own_v2 && !(d.own_v2 = strdup(f->own_v2))) || (f->leaf && !(d.leaf = strdup(f->leaf))))
                goto oom;
        *ret = d;
        return 0;
oom:
        scope_cgroupfs_dirs_done(&d);
        return -ENOMEM;
}

void scope_cgroupfs_dirs_done(ScopeCgroupfsDirs *d) {
        d->dirs = strv_free(d->dirs);
        d->own_v2 = mfree(d->own_v2);
        d->leaf = mfree(d->leaf);
}

int scope_adopt_cgroupfs(const char *name, const ScopeCgroupfsDirs *d, Scope **ret) {
        size_t n = strv_length(d->dirs);
        Scope *s;

        if (n > CGROUP_DIRS_MAX || d->unified >= (int) n)
                return -EINVAL;
        s = calloc(1, sizeof(Scope));
        if (!s)
                return -ENOMEM;
        s->manager = CGROUP_MANAGER_CGROUPFS;
        s->devices_prog_fd = s->lock_fd = -EBADF;
        s->fs = calloc(1, sizeof(ScopeCgroupfs));
        if (s->fs) {
                /* Before anything can fail: scope_free() must find no fd 0 in here. */
                s->fs->unified_idx = s->fs->memory_idx = -1;
                s->fs->oom = OOM_COUNTER_NULL;
                s->fs->lock_fd = -EBADF;
        }
        s->name = strdup(strempty(name));
        if (!s->name || !s->fs) {
                scope_free(s);
                return -ENOMEM;
        }
        s->fs->pure_v2 = d->pure_v2;
        /* Held since "cell run" made the cgroups: released once they are gone. */
        s->fs->lock_fd = d->lock_fd;
        for (size_t i = 0; i < n; i++) {
                /* Gone already (removed by hand): nothing to clean there. */
                int fd = open(d->dirs[i], O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                if (fd < 0)
                        continue;
                CgroupDir *c = s->fs->dirs + s->fs->n_dirs++;
                *c = (CgroupDir) { .path = strdup(d->dirs[i]), .fd = fd, .unified = (int) i == d->unified };
                if (c->unified)
                        s->fs->unified_idx = (int) s->fs->n_dirs - 1;
                if (!c->path) {
                        scope_free(s);
                        return -ENOMEM;
                }
        }
        if ((d->own_v2 && !(s->fs->own_v2 = strdup(d->own_v2))) || (d->leaf && !(s->fs->leaf = strdup(d->leaf)))) {
                scope_free(s);
                return -ENOMEM;
        }
        *ret = s;
        return 0;
}
