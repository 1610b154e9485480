/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a start makes of the container's /run/host on the host (run-host-made.h). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "run-host-made.h"

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

/* Whether dir_fd/notify is a socket someone receives on: connect() to a
 * stale one (its receiver gone) is refused. By its /proc/self/fd path, so
 * that no link in the path to it is followed again. */
static bool notify_live(int dir_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (fstatat(dir_fd, "notify", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode))
                return false;
        if (snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/notify", dir_fd) >= (int) sizeof sa.sun_path)
                return true;    /* cannot tell: taken for live, nothing removed */
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return true;
        return connect(fd, (struct sockaddr *) &sa, sizeof sa) >= 0 || (errno != ECONNREFUSED && errno != ENOENT);
}

int run_host_take_back(const char *note) {
        _cleanup_close_ int parent_fd = -EBADF, dir_fd = -EBADF;
        _cleanup_free_ char *path = NULL;
        unsigned absent = 0;
        const char *name;
        int r;

        r = run_host_parse(note, &path, &absent);
        if (r < 0)
                return r;
        /* The killed run's container died with it (PR_SET_PDEATHSIG), and
         * its socket's receiver, the killed run, too: a live socket there is
         * another container's, which uses the rest of it as well (its
         * credentials mounted on "credentials" in its namespace, which a
         * rmdir() here would detach). */
        parent_fd = open_parent(path, &name);
        if (parent_fd >= 0)
                dir_fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd >= 0 && notify_live(dir_fd)) {
                log_debug("%s: in use by another container, not taken back.", path);
                return 0;
        }
        run_host_remove(path, absent);
        return 1;
}
