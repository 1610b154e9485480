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
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
#include "log.h"
#include "macros.h"
#include "netfw.h"
#include "port-lock.h"
#include "siphash24.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71      /* Linux 5.14 */
#endif

/* Who holds the file, as it wrote itself there (its first line). */
static void port_lock_holder(int dir_fd, const char *file, char *buf, size_t n) {
        lock_file_read_text(dir_fd, file, buf, n);
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

void port_stale_done(PortStale *stale) {
        for (size_t i = 0; i < stale->n; i++)
                free(stale->tables[i].table);
        stale->tables = mfree(stale->tables);
        stale->n = 0;
}

int port_stale_add(PortStale *stale, const PortTables *t) {
        PortTables *n;
        char *c;

        if (t->handles[0] == 0 && t->handles[1] == 0)
                return 0;
        for (size_t i = 0; i < stale->n; i++)
                if (stale->tables[i].handles[0] == t->handles[0] && stale->tables[i].handles[1] == t->handles[1] &&
                    streq(stale->tables[i].table, t->table))
                        return 0;
        c = strdup(t->table);
        if (!c)
                return -ENOMEM;
        n = reallocarray(stale->tables, stale->n + 1, sizeof *n);
        if (!n) {
                free(c);
                return -ENOMEM;
        }
        stale->tables = n;
        stale->tables[stale->n++] = (PortTables) { .table = c, .handles = { t->handles[0], t->handles[1] } };
        return 0;
}

void port_lock_record_done(PortLockRecord *r) {
        r->own.table = mfree(r->own.table);
        port_stale_done(&r->left);
}

int port_lock_parse(const char *text, PortLockRecord *ret) {
        _cleanup_(port_lock_record_done) PortLockRecord rec = {};
        const char *line = strchr(text, '\n');
        size_t k = 0;
        int r;

        if (!line)
                return -ENODATA;
        /* After the unit's name: the own record, the cookie, the left
         * ones; empty lines (what pads a shorter text) are nothing. */
        for (const char *l = line + 1, *next; *l; l = next) {
                size_t n = strcspn(l, "\n");
                PortTables t = {};

                next = l + n + (l[n] == '\n');
                if (n == 0)
                        continue;
                if (k == 1)
                        r = netfw_handle_parse(l, n, &rec.netns_cookie);
                else
                        r = netfw_tables_parse(l, n, &t.table, t.handles);
                if (r < 0)
                        return r;
                if (k == 0)
                        rec.own = t;
                else if (k >= 2) {
                        r = port_stale_add(&rec.left, &t);
                        free(t.table);
                        if (r < 0)
                                return r;
                }
                k++;
        }
        if (k == 0)
                return -ENODATA;
        *ret = rec;
        rec = (PortLockRecord) {};
        return 0;
}

char *port_lock_text(const char *unit, const PortTables *own, uint64_t netns_cookie, const PortStale *left,
                     size_t *ret_dropped) {
        _cleanup_free_ char *t = NULL, *o = NULL;
        size_t dropped = 0;

        o = netfw_tables_format(own->table, own->handles);
        if (!o || asprintf(&t, "%s\n%s\n%" PRIu64 "\n", unit, o, netns_cookie) < 0)
                return NULL;
        for (size_t i = 0; left && i < left->n; i++) {
                _cleanup_free_ char *l = netfw_tables_format(left->tables[i].table, left->tables[i].handles);
                char *n;

                if (!l)
                        return NULL;
                if (strlen(t) + strlen(l) + 1 > PORT_LOCK_TEXT_MAX) {
                        dropped++;
                        continue;
                }
                if (asprintf(&n, "%s%s\n", t, l) < 0)
                        return NULL;
                free(t);
                t = n;
        }
        if (ret_dropped)
                *ret_dropped = dropped;
        return TAKE_PTR(t);
}

/* text into the lock file fd in one pwrite() of less than a page: a SIGKILL
 * leaves all of it or none. Over a longer text, padded with empty lines
 * first, then cut: killed between, the file is this text and empty lines,
 * never this text with the tail of a line of the last one. */
static int port_lock_write(int fd, const char *text) {
        char buf[PORT_LOCK_TEXT_MAX];
        size_t n = strlen(text), m = n;
        struct stat st;
        ssize_t k;

        if (n > sizeof buf)
                return -E2BIG;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_size > (off_t) n)
                m = MIN((size_t) st.st_size, sizeof buf);
        memcpy(buf, text, n);
        memset(buf + n, '\n', m - n);
        k = pwrite(fd, buf, m, 0);
        if (k < 0)
                return -errno;
        if ((size_t) k != m)
                return -EIO;
        if (st.st_size > (off_t) n && ftruncate(fd, (off_t) n) < 0)
                return -errno;
        return 0;
}

/* port_lock_text(), saying what did not fit. */
static char *port_lock_text_full(const char *unit, const PortTables *own, uint64_t netns_cookie,
                                 const PortStale *left) {
        size_t dropped = 0;
        char *text;

        text = port_lock_text(unit, own, netns_cookie, left, &dropped);
        if (text && dropped > 0)
                log_warning("Port=: %zu nft table(s) of killed cells still to delete do not fit in the ports' "
                            "lock files: no later start will remove them.", dropped);
        return text;
}

/* unit, own, our cookie, left: into each Port= lock file of l's from on,
 * through the fd we hold (the file at the name is ours as long as we hold
 * it, but the fd is what surely is). */
static int port_locks_write(const SharedLocks *l, size_t from, const char *unit, const PortTables *own,
                            uint64_t netns_cookie, const PortStale *left) {
        _cleanup_free_ char *text = NULL;
        int r = 0;

        text = port_lock_text_full(unit, own, netns_cookie, left);
        if (!text)
                return -ENOMEM;
        for (size_t i = from; i < l->n; i++) {
                int q;

                if (!l->locks[i].port || l->locks[i].fd < 0)
                        continue;
                q = port_lock_write(l->locks[i].fd, text);
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

/* The name of the lock of a table's name in a network namespace. */
static void port_table_lock_file(char *buf, size_t size, uint64_t netns_inode, const char *table) {
        static const uint8_t key[16] = {
                0x3c, 0x5e, 0x91, 0x0b, 0x7a, 0x24, 0x4f, 0xd3, 0x86, 0x1e, 0xc9, 0x52, 0xa0, 0x6d, 0x38, 0xf7,
        };

        (void) snprintf(buf, size, "table-%" PRIu64 "-%016" PRIx64, netns_inode,
                        siphash24(table, strlen(table), key));
}

/* flock(op) on the lock file of a table's name: 1 and *ret_fd; 0 when busy
 * (LOCK_NB); else -errno. It is never removed: no check that it is still
 * the file at its name is needed. */
static int port_table_lock(int dir_fd, const char *file, int op, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = lock_file_open(dir_fd, file, &fd);
        if (r < 0)
                return r;
        if (flock(fd, op) < 0)
                return errno == EWOULDBLOCK ? 0 : -errno;
        *ret_fd = TAKE_FD(fd);
        return 1;
}

/* The lock of our table's name, for our start's life: 1 and *ret_fd;
 * -EBUSY: another start of the unit holds it; -EWOULDBLOCK: see below.
 *
 * First an OFD write lock (fcntl(), which flock() does not see), that one
 * start of the unit holds at a time: our tables replace the table of our
 * name (netfw.h), so a second start of a running unit would take the
 * running one's forwarding away before its scope is refused ("already
 * running"), if its ports are others (edited) and so free. Then LOCK_SH,
 * the deleting starts' guard (port-lock.h), waited for while one that
 * deletes a table of that name holds it exclusively (an nft run or two),
 * SHARED_LOCK_WAIT_SEC at most, as a place's: one stopped there (SIGSTOP,
 * a debugger) must not hang every start of this unit unsaid. */
static int port_table_lock_shared(int dir_fd, const char *file, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        struct flock one = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
        int r;

        r = lock_file_open(dir_fd, file, &fd);
        if (r < 0)
                return r;
        if (fcntl(fd, F_OFD_SETLK, &one) < 0)
                return errno == EAGAIN || errno == EACCES ? -EBUSY : -errno;
        r = lock_fd_wait(fd, LOCK_SH, SHARED_LOCK_WAIT_SEC * 1000);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 1;
}

int port_stale_claim(int dir_fd, uint64_t netns_inode, const PortTables *t, uint64_t ret_handles[static 2],
                     int *ret_lock_fd) {
        bool by_name = false;
        char file[64];
        int r;

        *ret_lock_fd = -EBADF;
        for (size_t f = 0; f < 2; f++) {
                ret_handles[f] = t->handles[f];
                by_name = by_name || t->handles[f] == NETFW_HANDLE_BY_NAME;
        }
        if (!by_name)
                return 0;
        /* By name only while no start of that unit runs here (port-lock.h). */
        port_table_lock_file(file, sizeof file, netns_inode, t->table);
        r = port_table_lock(dir_fd, file, LOCK_EX | LOCK_NB, ret_lock_fd);
        if (r < 0)
                return r;
        if (r == 0)
                for (size_t f = 0; f < 2; f++)
                        if (ret_handles[f] == NETFW_HANDLE_BY_NAME)
                                ret_handles[f] = 0;
        return 0;
}

int port_table_claim_own(const SharedLocks *l, const char *table, uint64_t handles[static 2], int *ret_lock_fd) {
        _cleanup_close_ int dir_fd = -EBADF;
        struct stat netns;
        int r;

        *ret_lock_fd = -EBADF;
        if (handles[0] != NETFW_HANDLE_BY_NAME && handles[1] != NETFW_HANDLE_BY_NAME)
                return 0;
        /* Still held: no other start of the unit runs here (the OFD lock). */
        for (size_t i = 0; l && i < l->n; i++)
                if (l->locks[i].table && l->locks[i].fd >= 0)
                        return 0;
        r = stat("/proc/self/ns/net", &netns) < 0 ? -errno : lock_dir_open(PORT_LOCK_DIR, &dir_fd);
        if (r >= 0)
                r = port_stale_claim(dir_fd, (uint64_t) netns.st_ino,
                                     &(PortTables) { .table = (char *) table, .handles = { handles[0], handles[1] } },
                                     handles, ret_lock_fd);
        /* Cannot tell: left (the unit's next start replaces it; the ports'
         * lock files name it by name for another's). */
        if (r < 0)
                for (size_t f = 0; f < 2; f++)
                        if (handles[f] == NETFW_HANDLE_BY_NAME)
                                handles[f] = 0;
        return r;
}

int port_table_take_back(const char *name) {
        uint64_t handles[2] = { NETFW_HANDLE_BY_NAME, NETFW_HANDLE_BY_NAME };
        _cleanup_free_ char *table = netfw_table_name(name);
        _cleanup_close_ int lock_fd = -EBADF;
        char file[64], path[sizeof(PORT_LOCK_DIR) + 64];
        struct stat netns;
        int r;

        if (!table)
                return -ENOMEM;
        if (stat("/proc/self/ns/net", &netns) < 0)
                return -errno;
        /* No lock of its name here: no start of the unit forwarded a port in
         * this network namespace, and no table of it is to look for. */
        port_table_lock_file(file, sizeof file, (uint64_t) netns.st_ino, table);
        (void) snprintf(path, sizeof path, PORT_LOCK_DIR "/%s", file);
        if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        /* By name, as a start deletes a dead holder's: only with that lock
         * taken exclusively, so no start of the unit runs here. */
        r = port_table_claim_own(NULL, table, handles, &lock_fd);
        if (r == -EACCES || r == -EPERM)
                return 0;       /* not root: neither the lock nor the tables are ours to touch */
        if (r < 0)
                return r;
        if (handles[0] == 0 && handles[1] == 0)
                return 0;
        r = netfw_tables_remove(table, handles);
        return r < 0 ? r : 1;
}

/* Deletes what may be deleted of each table of stale (port_stale_claim());
 * stale keeps what is left: by name while that unit runs, and what nft
 * failed to delete. */
static void port_stale_remove(PortStale *stale, int dir_fd, uint64_t netns_inode) {
        size_t kept = 0;

        for (size_t i = 0; i < stale->n; i++) {
                PortTables *t = stale->tables + i;
                _cleanup_close_ int lock_fd = -EBADF;
                uint64_t h[2];
                int r;

                r = port_stale_claim(dir_fd, netns_inode, t, h, &lock_fd);
                if (r < 0)
                        log_warning_errno(r, "Port=: cannot lock the name of the nft table %s of a killed cell: "
                                          "it is not removed by its name: %m", t->table);
                for (size_t f = 0; r >= 0 && f < 2; f++) {
                        uint64_t one[2] = {};

                        if (h[f] == 0)
                                continue;
                        one[f] = h[f];
                        log_debug("Port=: removing the nft table %s %s (handle %s%" PRIu64 ") of a cell that "
                                  "held our ports and was killed, if it is still there.", f == 0 ? "ip" : "ip6",
                                  t->table, h[f] == NETFW_HANDLE_BY_NAME ? "unknown, by name; " : "", h[f]);
                        r = netfw_tables_remove(t->table, one);
                        if (r < 0) {
                                log_warning_errno(r, "Port=: cannot remove the nft table %s %s of a killed cell "
                                                  "(the next start with the port tries again): its rules still "
                                                  "forward the host's ports to that container's address: %m",
                                                  f == 0 ? "ip" : "ip6", t->table);
                                r = 0;
                        } else
                                t->handles[f] = 0;
                }
                if (t->handles[0] == 0 && t->handles[1] == 0)
                        free(t->table);
                else
                        stale->tables[kept++] = *t;
        }
        stale->n = kept;
}

int port_locks_record(const SharedLocks *l, const char *unit, const char *table, const uint64_t handles[static 2]) {
        PortTables own = { .table = (char *) table, .handles = { handles[0], handles[1] } };
        uint64_t cookie = 0;
        bool cookie_asked = false;
        int r = 0;

        /* Each file's left records stay as the start wrote them there,
         * after our cookie (asked again only if the file cannot be read). */
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_(port_lock_record_done) PortLockRecord rec = {};
                _cleanup_free_ char *t = NULL;
                char text[PORT_LOCK_TEXT_MAX + 2];
                ssize_t k;
                int q;

                if (!l->locks[i].port || l->locks[i].fd < 0)
                        continue;
                k = pread(l->locks[i].fd, text, sizeof text - 1, 0);
                text[MAX(k, (ssize_t) 0)] = 0;
                if (port_lock_parse(text, &rec) < 0 && !cookie_asked) {
                        (void) port_lock_netns_cookie(&cookie);
                        cookie_asked = true;
                }
                t = port_lock_text_full(unit, &own, cookie_asked ? cookie : rec.netns_cookie, &rec.left);
                q = t ? port_lock_write(l->locks[i].fd, t) : -ENOMEM;
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

int port_locks_acquire(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err) {
        _cleanup_(port_stale_done) PortStale stale = PORT_STALE_NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        _cleanup_free_ char *table = NULL;
        size_t n_before = l->n;
        struct stat netns;
        uint64_t cookie = 0;
        int r, q;

        r = port_locks_take(p, lock_dir, l, &stale, err);
        if (stale.n == 0)
                return r;
        /* Refused or not: whatever of the dead holders still forwards a
         * port is theirs no more. */
        if (stat("/proc/self/ns/net", &netns) < 0 || lock_dir_open(lock_dir ?: PORT_LOCK_DIR, &dir_fd) < 0)
                return r;       /* each lock file taken still names them */
        port_stale_remove(&stale, dir_fd, (uint64_t) netns.st_ino);
        if (r < 0)
                return r;
        /* What is left, for the next taker; our tables not added yet. */
        table = netfw_table_name(p->name);
        if (!table)
                return 0;       /* the files name all as the take wrote them */
        (void) port_lock_netns_cookie(&cookie);
        q = port_locks_write(l, n_before, p->name,
                             &(PortTables) { .table = table, .handles = { NETFW_HANDLE_BY_NAME, NETFW_HANDLE_BY_NAME } },
                             cookie, &stale);
        if (q < 0)
                log_debug_errno(q, "Port=: cannot rewrite the ports' lock files, they name tables deleted "
                                "already (the next start finds them gone): %m");
        return 0;
}

/* The start takes over a lock file whose last text is previous: the
 * tables recorded there of our network namespace and not of our name go
 * to stale, and the file says our name, our table by name, and all of
 * stale, before anything is deleted or added. */
static int port_lock_take_over(int fd, const char *unit, const char *table, uint64_t cookie, const char *previous,
                               PortStale *stale) {
        _cleanup_(port_lock_record_done) PortLockRecord rec = {};
        _cleanup_free_ char *text = NULL;
        int r;

        /* More than we write: not ours, nothing of it trusted. */
        if (strlen(previous) <= PORT_LOCK_TEXT_MAX && port_lock_parse(previous, &rec) >= 0 &&
            (rec.netns_cookie == 0 || rec.netns_cookie == cookie)) {
                if (rec.own.table && !streq(rec.own.table, table) && (r = port_stale_add(stale, &rec.own)) < 0)
                        return r;
                for (size_t i = 0; i < rec.left.n; i++)
                        if (!streq(rec.left.tables[i].table, table) &&
                            (r = port_stale_add(stale, rec.left.tables + i)) < 0)
                                return r;
        }
        text = port_lock_text_full(unit, &(PortTables) { .table = (char *) table,
                                                         .handles = { NETFW_HANDLE_BY_NAME, NETFW_HANDLE_BY_NAME } },
                                   cookie, stale);
        if (!text)
                return -ENOMEM;
        return port_lock_write(fd, text);
}

int port_locks_take(const Plan *p, const char *lock_dir, SharedLocks *l, PortStale *stale, SpawnError *err) {
        _cleanup_close_ int dir_fd = -EBADF, table_fd = -EBADF;
        _cleanup_free_ char *table = NULL;
        size_t n_before = l->n;
        char tfile[64], path[PATH_MAX];
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
        table = netfw_table_name(p->name);
        if (!table)
                return spawn_error(err, ENOMEM, "Port=");
        /* Before Linux 5.14 there is none: the next holder trusts the
         * inode in the file's name, as the lock does. */
        (void) port_lock_netns_cookie(&cookie);

        /* Our table's name, shared, before any table of ours is added and
         * until we end: while we run, no other start deletes a table of
         * that name (port-lock.h). Waits for one that deletes one now. */
        port_table_lock_file(tfile, sizeof tfile, (uint64_t) netns.st_ino, table);
        r = port_table_lock_shared(dir_fd, tfile, &table_fd);
        if (r == -EBUSY)
                return spawn_error(err, r, "Port=: cell %s is already running in this network namespace (its "
                                   "lock: %s/%s); a second start would replace its nft table %s", p->name,
                                   lock_dir, tfile, table);
        if (r == -EWOULDBLOCK)
                return spawn_error(err, r, "Port=: the lock of the nft table %s's name (%s/%s) has been held "
                                   "exclusively for %u s (by a start that removes a table of that name a killed "
                                   "cell left); cell takes a shared one before its tables are added", table,
                                   lock_dir, tfile, SHARED_LOCK_WAIT_SEC);
        if (r >= 0 && snprintf(path, sizeof path, "%s/%s", lock_dir, tfile) >= (int) sizeof path)
                r = -ENAMETOOLONG;
        if (r >= 0)
                r = shared_locks_add_held(l, path, table_fd);
        if (r < 0)
                return spawn_error(err, r, "Port=: locking the name of the nft table %s (%s/%s)", table, lock_dir,
                                   tfile);
        l->locks[l->n - 1].table = true;

        for (size_t i = 0; i < p->n_ports; i++) {
                const CellPort *port = p->ports + i;
                const char *proto = port->protocol == IPPROTO_UDP ? "udp" : "tcp";
                char file[64], origin[PATH_MAX + 32], holder[256], previous[PORT_LOCK_TEXT_MAX + 2];
                _cleanup_close_ int fd = -EBADF;

                (void) snprintf(file, sizeof file, "net-%" PRIu64 "-%s-%u", (uint64_t) netns.st_ino, proto,
                                (unsigned) port->host_port);
                /* Nothing written yet: what the last holder left stays
                 * there until our text, which names it too, replaces it. */
                r = lock_file_take_previous(dir_fd, file, NULL, previous, sizeof previous, &fd);
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
                /* Our unit's name first, for the message of a cell refused
                 * the port while we hold it; the last holder's tables, to
                 * go before ours are added. */
                if (r > 0)
                        r = port_lock_take_over(fd, p->name, table, cookie, previous, stale);
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
