/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A credential read from an AF_UNIX stream socket (credentials-socket.h). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "credentials-socket.h"
#include "credentials.h"

/* "\0RANDOM/unit/UNIT/ID", the name systemd gives the connecting end. */
static int bind_peer_name(int fd, const char *unit, const char *id) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        uint64_t random;
        int n;

        if (getrandom(&random, sizeof random, 0) != sizeof random)
                return -EIO;
        n = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "%016" PRIx64 "/unit/%s/%s", random, unit, id);
        if (n < 0 || (size_t) n >= sizeof sa.sun_path - 1)
                return -ENAMETOOLONG;
        if (bind(fd, (const struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0)
                return -errno;
        return 0;
}

/* Whether interrupt_fd (if any) is readable: a signal that ends the start
 * came. */
static bool interrupted(int interrupt_fd) {
        struct pollfd p = { .fd = interrupt_fd, .events = POLLIN };

        return interrupt_fd >= 0 && poll(&p, 1, 0) > 0;
}

/* connect() to path, also one longer than an AF_UNIX address holds (through
 * /proc/self/fd, as systemd's connect_unix_path()); a full backlog is tried
 * again until the deadline. */
static int connect_path(int fd, const char *path, uint64_t deadline, int interrupt_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int path_fd = -EBADF;

        if (strlen(path) < sizeof sa.sun_path)
                strcpy(sa.sun_path, path);
        else {
                path_fd = open(path, O_PATH | O_CLOEXEC);
                if (path_fd < 0)
                        return -errno;
                (void) snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d", path_fd);
        }
        for (;;) {
                if (connect(fd, (const struct sockaddr *) &sa, sizeof sa) >= 0)
                        return 0;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN)
                        return -errno;
                if (msec_left(deadline) == 0)
                        return -ETIMEDOUT;
                /* Every 10 ms, or at once when the start is to end. */
                struct pollfd p = { .fd = interrupt_fd, .events = POLLIN };
                if (poll(&p, interrupt_fd >= 0, 10) > 0)
                        return -EINTR;
        }
}

int credential_socket_read(const char *path, const char *unit, const char *id, uint64_t timeout_usec,
                           int interrupt_fd, size_t max, char **ret, size_t *ret_size) {
        uint64_t deadline = now_monotonic_usec() + timeout_usec;
        _cleanup_close_ int fd = -EBADF;
        char *buf;
        size_t n = 0;
        int r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        r = bind_peer_name(fd, unit, id);
        if (r >= 0)
                r = connect_path(fd, path, deadline, interrupt_fd);
        if (r < 0)
                return r;
        /* Nothing is sent: the server reads EOF, as from systemd. */
        if (shutdown(fd, SHUT_WR) < 0)
                return -errno;

        /* One byte more than the limit: a server that sends more is caught. */
        buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + n, max + 1 - n);

                if (k > 0) {
                        n += (size_t) k;
                        if (n > max) {
                                r = -EFBIG;
                                break;
                        }
                        continue;
                }
                if (k == 0)
                        break;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN) {
                        r = -errno;
                        break;
                }
                int64_t left = msec_left(deadline);
                if (left == 0) {
                        r = -ETIMEDOUT;
                        break;
                }
                /* The server, or a signal that ends the start (SIGTERM: a stop
                 * while starting, which must not wait out the timeout). */
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = interrupt_fd, .events = POLLIN } };
                if (poll(p, interrupt_fd >= 0 ? 2 : 1, (int) MIN(left, (int64_t) INT32_MAX)) < 0 && errno != EINTR) {
                        r = -errno;
                        break;
                }
                if (interrupted(interrupt_fd)) {
                        r = -EINTR;
                        break;
                }
        }
        return credential_buffer_keep(buf, n, r, ret, ret_size);
}
