/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port=: one running cell per host port (port-lock.h). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
#include "macros.h"
#include "port-lock.h"

/* Who holds the file, as it wrote itself there: "" when it cannot be read
 * (or the holder has not written it yet: it writes after its flock()). */
static void port_lock_holder(int dir_fd, const char *file, char *buf, size_t n) {
        _cleanup_close_ int fd = -EBADF;
        ssize_t k;

        buf[0] = 0;
        /* O_NOFOLLOW: only the lock file itself, never where a planted link points. */
        fd = openat(dir_fd, file, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        k = read(fd, buf, n - 1);
        buf[MAX(k, (ssize_t) 0)] = 0;
        buf[strcspn(buf, "\n")] = 0;
}

/* Undoes what this call added to l: the locks it took go with their fds. */
static void port_locks_drop(SharedLocks *l, size_t from) {
        for (size_t i = from; i < l->n; i++) {
                safe_close(l->locks[i].fd);
                free(l->locks[i].path);
        }
        l->n = MIN(l->n, from);
}

int port_locks_acquire(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err) {
        _cleanup_close_ int dir_fd = -EBADF;
        size_t n_before = l->n;
        struct stat netns;
        int r;

        if (p->n_ports == 0)
                return 0;
        lock_dir = lock_dir ?: PORT_LOCK_DIR;
        /* The rules go into the supervisor's network namespace, ours: a port
         * is taken in it, not in another (a cell run in "ip netns exec"). */
        if (stat("/proc/self/ns/net", &netns) < 0)
                return spawn_error(err, errno, "Port=: cannot tell which network namespace the ports are in");
        r = lock_dir_open(lock_dir, &dir_fd);
        if (r < 0)
                return spawn_error(err, r, "Port=: creating or opening %s", lock_dir);

        for (size_t i = 0; i < p->n_ports; i++) {
                const CellPort *port = p->ports + i;
                const char *proto = port->protocol == IPPROTO_UDP ? "udp" : "tcp";
                char file[64], path[PATH_MAX], origin[PATH_MAX + 32], holder[256];
                _cleanup_close_ int fd = -EBADF;

                (void) snprintf(file, sizeof file, "net-%" PRIu64 "-%s-%u", (uint64_t) netns.st_ino, proto,
                                (unsigned) port->host_port);
                /* Our unit's name in it, for the message of a cell refused
                 * the port while we hold it. */
                r = lock_file_take(dir_fd, file, p->name, &fd);
                if (r == 0) {
                        port_lock_holder(dir_fd, file, holder, sizeof holder);
                        port_locks_drop(l, n_before);
                        /* Refused before any rule is added: the other cell's
                         * traffic is not taken, and nothing is left of ours. */
                        if (!*holder)
                                (void) snprintf(holder, sizeof holder, "another one");
                        return spawn_error(err, EADDRINUSE,
                                           "%sPort=%s:%u:%u: %s port %u of the host is forwarded by a running cell "
                                           "already, %s (its lock: %s/%s); one host port goes to one cell",
                                           plan_origin_prefix(p, "Port", i, origin, sizeof origin), proto,
                                           (unsigned) port->host_port, (unsigned) port->container_port, proto,
                                           (unsigned) port->host_port, holder, lock_dir, file);
                }
                if (r >= 0 && snprintf(path, sizeof path, "%s/%s", lock_dir, file) >= (int) sizeof path)
                        r = -ENAMETOOLONG;
                if (r >= 0)
                        r = shared_locks_add_held(l, path, fd);
                if (r < 0) {
                        port_locks_drop(l, n_before);
                        return spawn_error(err, r, "Port=%s:%u: locking %s/%s", proto, (unsigned) port->host_port,
                                           lock_dir, file);
                }
        }
        return 0;
}
