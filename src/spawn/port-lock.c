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
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
#include "log.h"
#include "macros.h"
#include "netfw.h"
#include "port-lock.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71      /* Linux 5.14 */
#endif

/* What a lock file holds at most: a unit name and a record. */
#define PORT_LOCK_TEXT_MAX 1024

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

int port_lock_netns_cookie(uint64_t *ret) {
        _cleanup_close_ int fd = -EBADF;
        uint64_t cookie;
        socklen_t n = sizeof cookie;

        /* Any socket is of the network namespace it was made in: ours. */
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &n) < 0)
                return -errno;
        *ret = cookie;
        return 0;
}

char *port_lock_text(const char *unit, const char *table, const uint64_t handles[static 2], uint64_t netns_cookie) {
        char *t;
        int r;

        if (netns_cookie != 0)
                r = asprintf(&t, "%s\n%" PRIu64 ":%" PRIu64 ":%s\n%" PRIu64 "\n", unit, handles[0], handles[1],
                             table, netns_cookie);
        else
                r = asprintf(&t, "%s\n%" PRIu64 ":%" PRIu64 ":%s\n", unit, handles[0], handles[1], table);
        return r < 0 ? NULL : t;
}

/* A handle as port_lock_text() wrote it: digits, no sign, no leading 0. */
static int port_lock_parse_handle(const char *s, size_t n, uint64_t *ret) {
        char buf[24];
        unsigned long long v;
        char *end;

        if (n == 0 || n >= sizeof buf || (s[0] == '0' && n > 1))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = 0;
        errno = 0;
        v = strtoull(buf, &end, 10);
        if (errno != 0 || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int port_lock_parse(const char *text, PortTables *ret) {
        const char *line = strchr(text, '\n'), *c1, *c2, *third;
        uint64_t handles[2], cookie = 0;
        size_t n;
        char *t;

        if (!line || !line[1])
                return -ENODATA;
        line++;
        n = strcspn(line, "\n");
        c1 = memchr(line, ':', n);
        c2 = c1 ? memchr(c1 + 1, ':', n - (size_t) (c1 + 1 - line)) : NULL;
        if (!c2 || port_lock_parse_handle(line, (size_t) (c1 - line), &handles[0]) < 0 ||
            port_lock_parse_handle(c1 + 1, (size_t) (c2 - c1 - 1), &handles[1]) < 0)
                return -EINVAL;
        /* A name netfw_table_name() makes: "cell-", then what nft takes. */
        c2++;
        n -= (size_t) (c2 - line);
        if (!startswith(c2, "cell-") || n <= strlen("cell-") || n > 255)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/", c2[i]))
                        return -EINVAL;
        /* The network namespace's cookie, where the kernel gave one. */
        third = c2 + n;
        if (*third == '\n' && third[1]) {
                third++;
                if (port_lock_parse_handle(third, strcspn(third, "\n"), &cookie) < 0 || cookie == 0)
                        return -EINVAL;
        }
        t = strndup(c2, n);
        if (!t)
                return -ENOMEM;
        *ret = (PortTables) { .table = t, .handles = { handles[0], handles[1] }, .netns_cookie = cookie };
        return 0;
}

void port_stale_done(PortStale *stale) {
        for (size_t i = 0; i < stale->n; i++)
                free(stale->tables[i].table);
        stale->tables = mfree(stale->tables);
        stale->n = 0;
}

/* The tables the last holder recorded in a lock file (what it held before
 * our name), to stale unless they are there already. A file without a
 * record (new, or a holder killed before its tables existed) adds none,
 * nor one of another network namespace of the same inode (port-lock.h):
 * there its handles may be another cell's tables'. netns_cookie: ours,
 * asked for at the first record (0: not yet). */
static int port_stale_add(PortStale *stale, const char *previous, uint64_t *netns_cookie) {
        PortTables t, *n;

        if (port_lock_parse(previous, &t) < 0)
                return 0;
        if (t.netns_cookie != 0 && *netns_cookie == 0 && port_lock_netns_cookie(netns_cookie) < 0)
                *netns_cookie = UINT64_MAX;     /* asked once; none matches */
        if (t.netns_cookie != 0 && t.netns_cookie != *netns_cookie) {
                free(t.table);
                return 0;
        }
        for (size_t i = 0; i < stale->n; i++)
                if (stale->tables[i].handles[0] == t.handles[0] && stale->tables[i].handles[1] == t.handles[1] &&
                    streq(stale->tables[i].table, t.table)) {
                        free(t.table);
                        return 0;
                }
        n = reallocarray(stale->tables, stale->n + 1, sizeof *n);
        if (!n) {
                free(t.table);
                return -ENOMEM;
        }
        stale->tables = n;
        stale->tables[stale->n++] = t;
        return 0;
}

/* Deletes the tables of dead holders, by handle only: one nft echoed no
 * handle for (NETFW_HANDLE_BY_NAME) is left, as by its name it may be
 * the table of a later start of that unit. */
static void port_stale_remove(const PortStale *stale) {
        for (size_t i = 0; i < stale->n; i++) {
                const PortTables *t = stale->tables + i;
                uint64_t handles[2];
                int r;

                for (size_t f = 0; f < 2; f++)
                        handles[f] = t->handles[f] == NETFW_HANDLE_BY_NAME ? 0 : t->handles[f];
                if (handles[0] == 0 && handles[1] == 0)
                        continue;
                log_debug("Port=: removing the nft table %s (handles %" PRIu64 ", %" PRIu64 ") of a cell that "
                          "held our ports and was killed, if it is still there.", t->table, handles[0], handles[1]);
                r = netfw_tables_remove(t->table, handles);
                if (r < 0)
                        log_warning_errno(r, "Port=: cannot remove the nft table %s (ip, ip6) of a killed cell: "
                                          "its rules still forward the host's ports to that container's address: %m",
                                          t->table);
        }
}

int port_locks_record(const SharedLocks *l, const char *unit, const char *table, const uint64_t handles[static 2]) {
        _cleanup_free_ char *text = NULL;
        uint64_t cookie = 0;
        size_t n;
        int r = 0;

        /* Before Linux 5.14 there is none: the next holder trusts the
         * inode in the file's name, as the lock does. */
        (void) port_lock_netns_cookie(&cookie);
        text = port_lock_text(unit, table, handles, cookie);
        if (!text)
                return -ENOMEM;
        n = strlen(text);
        /* Through the fd we hold: the file at the name is ours as long as
         * we hold it, but the fd is what surely is. The unit's name stays
         * its first line. */
        for (size_t i = 0; i < l->n; i++) {
                int q = 0;
                ssize_t k;

                if (!l->locks[i].port || l->locks[i].fd < 0)
                        continue;
                if (ftruncate(l->locks[i].fd, 0) < 0)
                        q = -errno;
                else if ((k = pwrite(l->locks[i].fd, text, n, 0)) < 0)
                        q = -errno;
                else if ((size_t) k != n)
                        q = -EIO;
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

int port_locks_acquire(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err) {
        _cleanup_(port_stale_done) PortStale stale = PORT_STALE_NULL;
        int r;

        r = port_locks_take(p, lock_dir, l, &stale, err);
        /* Refused or not: whatever of the dead holders still forwards a
         * port is theirs no more. */
        port_stale_remove(&stale);
        return r;
}

int port_locks_take(const Plan *p, const char *lock_dir, SharedLocks *l, PortStale *stale, SpawnError *err) {
        _cleanup_close_ int dir_fd = -EBADF;
        size_t n_before = l->n;
        struct stat netns;
        uint64_t cookie = 0;
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
                char file[64], path[PATH_MAX], origin[PATH_MAX + 32], holder[256], previous[PORT_LOCK_TEXT_MAX];
                _cleanup_close_ int fd = -EBADF;

                (void) snprintf(file, sizeof file, "net-%" PRIu64 "-%s-%u", (uint64_t) netns.st_ino, proto,
                                (unsigned) port->host_port);
                /* Our unit's name in it, for the message of a cell refused
                 * the port while we hold it. */
                r = lock_file_take_previous(dir_fd, file, p->name, previous, sizeof previous, &fd);
                /* Read before our name replaced it: the last holder's
                 * tables, to go before ours are added. */
                if (r > 0 && port_stale_add(stale, previous, &cookie) < 0)
                        r = -ENOMEM;
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
                if (r >= 0)
                        l->locks[l->n - 1].port = true;
                if (r < 0) {
                        port_locks_drop(l, n_before);
                        return spawn_error(err, r, "Port=%s:%u: locking %s/%s", proto, (unsigned) port->host_port,
                                           lock_dir, file);
                }
        }
        return 0;
}
