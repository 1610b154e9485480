/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's /run/host on a directory of the host's (spawn-run-host.h). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "log.h"
#include "macros.h"
#include "spawn-run-host.h"

static bool path_same(const char *a, const char *b) {
        return path_is_below(a, b) && path_is_below(b, a);
}

int run_host_path(const Plan *p, char **ret) {
        const char *source = NULL;
        bool at_run = false;

        /* The last mount at /run or /run/host is the one the container sees
         * there; a re-mount read-only (or a mask, refused by the build) makes
         * nothing new. */
        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *m = p->mounts + i;
                bool run = m->target && path_same(m->target, "/run");

                if (!m->target || (!run && !path_same(m->target, "/run/host")) || m->kind == PLAN_MOUNT_READ_ONLY)
                        continue;
                source = m->kind == PLAN_MOUNT_BIND && !m->source_in_root && m->source ? m->source : NULL;
                at_run = run;
        }
        if (!source) {
                *ret = NULL;
                return 0;
        }
        if (!at_run) {
                *ret = strdup(source);
                return *ret ? 0 : -ENOMEM;
        }
        return asprintf(ret, "%s%shost", source, endswith(source, "/") ? "" : "/") < 0 ? -ENOMEM : 0;
}

/* path's parent, opened; and its last component in *ret_name (into path). */
static int open_parent(const char *path, const char **ret_name) {
        _cleanup_free_ char *parent = strdup(path);
        char *slash;

        if (!parent)
                return -ENOMEM;
        slash = strrchr(parent, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        *ret_name = path + (slash + 1 - parent);
        if (slash == parent)
                slash++;
        *slash = 0;
        int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

unsigned run_host_absent(const char *path) {
        _cleanup_close_ int parent_fd = -EBADF, dir_fd = -EBADF;
        unsigned absent = 0;
        const char *name;
        struct stat st;

        if (!path)
                return 0;
        parent_fd = open_parent(path, &name);
        if (parent_fd < 0)
                return 0;       /* no Bind= source: the build says so, and makes nothing */
        dir_fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return errno == ENOENT ? _RUN_HOST_ALL : 0;
        if (fstatat(dir_fd, "notify", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                absent |= RUN_HOST_NOTIFY;
        if (fstatat(dir_fd, "credentials", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                absent |= RUN_HOST_CREDENTIALS;
        return absent;
}

void run_host_remove(const char *path, unsigned absent) {
        _cleanup_close_ int parent_fd = -EBADF, dir_fd = -EBADF;
        const char *name;
        struct stat st;

        if (!path || !absent)
                return;
        /* Never through a link: the container may have put one in the
         * directory's place, or in the socket's. */
        parent_fd = open_parent(path, &name);
        if (parent_fd >= 0)
                dir_fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0) {
                log_debug("%s: not there to remove what the start made.", path);
                return;
        }
        if ((absent & RUN_HOST_NOTIFY) && fstatat(dir_fd, "notify", &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
            S_ISSOCK(st.st_mode) && unlinkat(dir_fd, "notify", 0) < 0)
                log_debug("%s/notify: cannot remove: %m", path);
        /* Directories only while empty: unlinkat() removes no other. */
        if ((absent & RUN_HOST_CREDENTIALS) && unlinkat(dir_fd, "credentials", AT_REMOVEDIR) < 0 && errno != ENOENT)
                log_debug("%s/credentials: left: %m", path);
        if ((absent & RUN_HOST_DIR) && unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                log_debug("%s: left: %m", path);
}

int run_host_format(const char *path, unsigned absent, char **ret) {
        return asprintf(ret, "%u:%s", absent, path) < 0 ? -ENOMEM : 0;
}

int run_host_parse(const char *s, char **ret_path, unsigned *ret_absent) {
        char *end = NULL;
        unsigned long u;

        errno = 0;
        u = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end != ':' || u == 0 || u > _RUN_HOST_ALL || end[1] != '/')
                return -EINVAL;
        *ret_path = strdup(end + 1);
        if (!*ret_path)
                return -ENOMEM;
        *ret_absent = (unsigned) u;
        return 0;
}
