/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's notify socket, bound by the child inside (its /run/host,
 * on the plan's tmpfs on /run or on a /run bound from the host) and handed
 * to the supervisor, which proxies what the payload sends (notify.h). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "macros.h"
#include "notify-socket.h"

/* The notify socket's path free for ours. On cell's own /run it always is;
 * a /run bound from the host may hold one: a killed start's, stale (no
 * receiver), goes; a live one is another's (a container sharing that /run,
 * or the host's own manager's with Bind=/run:/run), and anything but a
 * socket is no leftover of ours: neither is ever removed. */
static int notify_socket_path_free(const char *path, SpawnError *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int probe = -EBADF;
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : spawn_error(err, errno, "notify socket %s", path);
        if (!S_ISSOCK(st.st_mode))
                return spawn_error_complete(err, EEXIST, "notify socket %s: something else is there (a /run bound "
                                            "from the host?), not removed", path);
        probe = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (probe < 0)
                return spawn_error(err, errno, "notify socket: socket");
        strcpy(sa.sun_path, path);
        if (connect(probe, (struct sockaddr *) &sa, sizeof sa) >= 0 || (errno != ECONNREFUSED && errno != ENOENT))
                return spawn_error_complete(err, EADDRINUSE, "notify socket %s: in use by another (a /run bound "
                                            "from the host and shared?), not taken over", path);
        if (unlink(path) < 0 && errno != ENOENT)
                return spawn_error(err, errno, "notify socket: removing the stale %s", path);
        return 0;
}

int notify_socket_bind(const char *path, int *ret, SpawnError *err) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char *slash;
        int r;

        *ret = -EBADF;
        if (isempty(path))
                return 0;
        if (strlen(path) >= sizeof sa.sun_path)
                return spawn_error(err, ENAMETOOLONG, "notify socket %s", path);

        dir = strdup(path);
        if (!dir)
                return spawn_error(err, ENOMEM, "notify socket");
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return spawn_error(err, errno, "notify socket: creating %s", dir);
        }

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return spawn_error(err, errno, "notify socket: socket");
        /* Before anyone can send: the kernel stamps a datagram with its
         * sender's PID only if the receiver asked when it was sent, and
         * the proxy drops what carries no PID of the container. */
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &(int) { 1 }, sizeof(int)) < 0)
                return spawn_error(err, errno, "notify socket: SO_PASSCRED");
        r = notify_socket_path_free(path, err);
        if (r < 0)
                return r;
        strcpy(sa.sun_path, path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return spawn_error(err, errno, "notify socket: binding %s", path);
        /* sendto() needs write access to the socket file: any user of the
         * container may notify; the proxy checks the sender's PID namespace. */
        if (chmod(path, 0666) < 0)
                return spawn_error(err, errno, "notify socket: chmod %s", path);

        *ret = TAKE_FD(fd);
        return 0;
}
