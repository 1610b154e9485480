/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The notify relay (notify-relay.h): the datagram filter and who may speak
 * for the container. No libsystemd here: cell-monitor links this too. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "log.h"
#include "macros.h"
#include "notify-internal.h"
#include "notify-relay.h"
#include "notify-send.h"
#include "parse-util.h"
#include "utf8.h"

void notify_message_done(NotifyMessage *m) {
        m->status = mfree(m->status);
}

/* The value of a line "KEY=VALUE" (n bytes at l, no NUL after them) when its
 * key is key, else NULL. */
static const char *line_value(const char *l, size_t n, const char *key, size_t *ret_len) {
        size_t k = strlen(key);

        if (n <= k || memcmp(l, key, k) != 0 || l[k] != '=')
                return NULL;
        *ret_len = n - k - 1;
        return l + k + 1;
}

static bool value_is(const char *v, size_t l, const char *what) {
        return l == strlen(what) && memcmp(v, what, l) == 0;
}

/* The n bytes at s as a decimal number (parse_uint64()'s rule). s is a piece
 * of the datagram, which is not NUL-terminated: it is copied before it is
 * read as a string, never scanned in place. */
static int parse_uint64_n(const char *s, size_t n, uint64_t *ret) {
        char num[21];           /* UINT64_MAX has 20 digits */

        if (n == 0 || n >= sizeof num)
                return -EINVAL;
        memcpy(num, s, n);
        num[n] = 0;
        return parse_uint64(num, ret);
}

/* A STATUS= text cell passes on: UTF-8 (systemd ignores a STATUS= that is
 * not), and no control character but a tab: the text ends up on the terminal
 * of whoever runs systemctl status, where C0 (ESC...) and C1 (U+009B is CSI)
 * controls would be commands. */
static bool status_valid(const char *v, size_t l) {
        if (!utf8_is_valid_n(v, l))
                return false;
        for (size_t i = 0; i < l; i++) {
                unsigned char c = v[i];
                if ((c < 0x20 && c != '\t') || c == 0x7f)
                        return false;
                /* In valid UTF-8, 0xc2 only leads: 0xc2 0x80..0x9f is U+0080..U+009F. */
                if (c == 0xc2 && i + 1 < l && (unsigned char) v[i + 1] < 0xa0)
                        return false;
        }
        return true;
}

/* The keys of which systemd reads one line per datagram (strv_find_startswith()
 * in service_notify_message()): the first line of the key, valid or not. */
enum {
        KEY_WATCHDOG            = 1 << 0,
        KEY_WATCHDOG_USEC       = 1 << 1,
        KEY_STATUS              = 1 << 2,
        KEY_EXTEND_TIMEOUT_USEC = 1 << 3,
};

/* The value of line l when its key is key and no earlier line of the
 * datagram had that key (*seen); NULL else. A later line of a key is never
 * taken, also when the first one was not valid: systemd would have acted on
 * that first one (or on nothing), so must cell. */
static const char *first_value(const char *l, size_t n, const char *key, unsigned bit, unsigned *seen,
                               size_t *ret_len) {
        const char *v = line_value(l, n, key, ret_len);

        if (!v)
                return NULL;
        if (*seen & bit)
                return NULL;
        *seen |= bit;
        return v;
}

/* One line, on its own as systemd reads them: 1 when taken, 0 when ignored. */
static int notify_message_add_line(NotifyMessage *m, unsigned *seen, const char *l, size_t n) {
        const char *v;
        size_t vl;

        /* READY=1 is looked for among all lines (strv_contains()). */
        if ((v = line_value(l, n, "READY", &vl)))
                return value_is(v, vl, "1") ? (m->ready = true) : 0;
        /* The watchdog is the payload's (cell passes WATCHDOG_USEC on), all of it:
         * failing it at once, and changing its timeout. */
        if ((v = first_value(l, n, "WATCHDOG", KEY_WATCHDOG, seen, &vl))) {
                if (value_is(v, vl, "1"))
                        return m->watchdog = true;
                if (value_is(v, vl, "trigger"))
                        return m->watchdog_trigger = true;
                return 0;
        }
        if ((v = first_value(l, n, "WATCHDOG_USEC", KEY_WATCHDOG_USEC, seen, &vl)))
                return m->watchdog_usec_set = parse_uint64_n(v, vl, &m->watchdog_usec) >= 0;
        if ((v = first_value(l, n, "STATUS", KEY_STATUS, seen, &vl))) {
                if (!status_valid(v, vl))
                        return 0;
                m->status = strndup(v, vl);
                return m->status ? 1 : -ENOMEM;
        }
        if ((v = first_value(l, n, "EXTEND_TIMEOUT_USEC", KEY_EXTEND_TIMEOUT_USEC, seen, &vl)))
                return m->extend_timeout = parse_uint64_n(v, vl, &m->extend_timeout_usec) >= 0;
        return 0;       /* MAINPID=, FDSTORE=, ...: not the payload's to say; or not valid; or a key's second line */
}

int notify_message_parse(const char *buf, size_t len, NotifyMessage *ret) {
        NotifyMessage m = {};
        unsigned seen = 0;

        if (len > NOTIFY_DATAGRAM_MAX)
                return -EMSGSIZE;
        /* One NUL at the end is a sender that counted the terminator (systemd
         * reads the text up to it); one inside is not text. */
        if (len > 0 && buf[len - 1] == 0)
                len--;
        if (memchr(buf, 0, len))
                return -EBADMSG;

        for (const char *p = buf, *end = buf + len; p < end; ) {
                /* Lines end at '\n' or '\r', as systemd splits a datagram (its
                 * NEWLINE): "READY=1\r\n" is READY=1 there, and here. */
                const char *eol = p;
                while (eol < end && *eol != '\n' && *eol != '\r')
                        eol++;

                if (eol > p) {          /* not an empty line (a trailing newline, a CRLF) */
                        int r = notify_message_add_line(&m, &seen, p, eol - p);
                        if (r < 0) {
                                notify_message_done(&m);
                                return r;
                        }
                        if (r == 0)
                                m.n_ignored++;
                }
                p = eol + 1;
        }
        *ret = m;
        return 0;
}

int notify_message_format(const NotifyMessage *m, const char *name, bool forward_ready, char **ret) {
        char extend[64] = "", watchdog_usec[64] = "";
        /* systemd reads the first WATCHDOG= of a datagram only: a trigger asked
         * for goes up alone, a ping beside it would hide it. */
        const char *watchdog = m->watchdog_trigger ? "WATCHDOG=trigger\n" : m->watchdog ? "WATCHDOG=1\n" : "";
        char *s = NULL;
        size_t len = 0, others;
        FILE *f;

        if (m->extend_timeout)
                (void) snprintf(extend, sizeof extend, "EXTEND_TIMEOUT_USEC=%" PRIu64 "\n", m->extend_timeout_usec);
        if (m->watchdog_usec_set)
                (void) snprintf(watchdog_usec, sizeof watchdog_usec, "WATCHDOG_USEC=%" PRIu64 "\n", m->watchdog_usec);
        /* systemd ignores a datagram longer than NOTIFY_DATAGRAM_MAX as a whole:
         * the "NAME: " prefix must not cost the payload its READY=1 or its
         * WATCHDOG=1. What does not fit is the end of the STATUS= text. */
        others = (m->ready && forward_ready ? strlen("READY=1\n") : 0) + strlen(watchdog) + strlen(watchdog_usec) +
                strlen(extend) + strlen("STATUS=: \n") + strlen(strempty(name));

        f = open_memstream(&s, &len);
        if (!f)
                return -ENOMEM;
        if (m->ready && forward_ready)
                fputs("READY=1\n", f);
        /* An empty STATUS= clears the service's status in systemd: so it does here,
         * without a "NAME: " that would be a status of its own. */
        if (m->status && isempty(m->status))
                fputs("STATUS=\n", f);
        else if (m->status && others < NOTIFY_DATAGRAM_MAX) {
                size_t l = strlen(m->status);
                fprintf(f, "STATUS=%s: %.*s\n", strempty(name),
                        (int) utf8_cut(m->status, l, NOTIFY_DATAGRAM_MAX - others), m->status);
        }
        fputs(watchdog, f);
        fputs(watchdog_usec, f);
        fputs(extend, f);
        if (fclose(f) != 0) {
                free(s);
                return -ENOMEM;
        }
        if (len == 0)
                s = mfree(s);
        *ret = s;
        return 0;
}

static int pidns_of(pid_t pid, dev_t *ret_dev, ino_t *ret_ino) {
        char path[64];
        struct stat st;

        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int) pid);
        if (stat(path, &st) < 0)
                return negative_errno();
        *ret_dev = st.st_dev;
        *ret_ino = st.st_ino;
        return 0;
}

/* The host UIDs the container's user namespace maps, when it has one of its
 * own (PrivateUsers=); none when it shares ours. Best effort: what cannot be
 * read leaves fewer UIDs that count as the container's, never more. Read
 * with read(2) and parse_util's digits, not stdio's scanf: cell-monitor is
 * static, and scanf alone would be a sixth of its resident size. */
static void relay_read_uid_ranges(NotifyRelay *n, pid_t pid) {
        _cleanup_close_ int fd = -EBADF;
        struct stat ours, theirs;
        char path[64], buf[4096];
        const char *p = buf;
        ssize_t k;

        n->n_uid_ranges = 0;
        snprintf(path, sizeof path, "/proc/%d/ns/user", (int) pid);
        if (stat(path, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0 ||
            (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino))
                return;
        /* Read from our namespace, the second column is in our UIDs: what the
         * kernel stamps on a datagram for us. */
        snprintf(path, sizeof path, "/proc/%d/uid_map", (int) pid);
        fd = open(path, O_RDONLY|O_CLOEXEC);
        if (fd < 0)
                return;
        k = read(fd, buf, sizeof buf - 1);
        if (k <= 0)
                return;
        buf[k] = 0;
        /* Lines of "INSIDE OUTSIDE COUNT", each number after blanks. */
        while (n->n_uid_ranges < ELEMENTSOF(n->uid_ranges)) {
                uint64_t v[3];

                for (size_t i = 0; i < 3; i++) {
                        p += strspn(p, " \t");
                        if (scan_digits(p, &v[i], &p) < 0 || v[i] > UINT32_MAX)
                                return;
                }
                if (*p != '\n')
                        return;
                p++;
                n->uid_ranges[n->n_uid_ranges++] = (NotifyUidRange) { (uint32_t) v[1], (uint32_t) v[2] };
        }
}

bool notify_relay_uid_is_container(const NotifyRelay *n, uid_t uid) {
        /* Root: the host's (which may do anything anyway) or, without a user
         * namespace, the container's own; no other user can send as root. */
        if (uid == 0)
                return true;
        /* A UID the container's user namespace maps is its own: not a host
         * user's (PrivateUsers=pick draws from a range kept for containers). */
        for (unsigned i = 0; i < n->n_uid_ranges; i++)
                if (uid >= n->uid_ranges[i].start && uid - n->uid_ranges[i].start < n->uid_ranges[i].count)
                        return true;
        return false;
}

/* Whether the sender of a datagram speaks for the container. uc: what the
 * kernel stamped on it when it was sent, PID and UID in our namespaces.
 *
 * The socket lives in the container's own /run, a tmpfs of its mount
 * namespace, so a process outside gets to it only through
 * /proc/PID/root/run/host/notify of a container process: root, and a host
 * user allowed to ptrace-read that process, i.e. one of the same UID when the
 * container shares our user namespace. Those are the senders to refuse: a
 * sender that is still there is judged by its PID namespace, which must be
 * the container's. A sender that is gone when we read (sd_notify from a
 * process that exited at once: READY=1 lost, the start timed out) can no
 * longer be looked up; its datagram counts when its UID says it came from the
 * container, see notify_relay_uid_is_container(). A gone non-root sender of a
 * container without a user namespace of its own is refused: a host user of its
 * UID could have sent it. Its PID taken by a new process in the meantime
 * judges by that process: a rare loss, or a container process. */
static bool relay_sender_speaks_for_container(const NotifyRelay *n, const struct ucred *uc) {
        dev_t dev;
        ino_t ino;
        int r;

        if (uc->pid <= 0) {     /* no credentials: nobody to check */
                log_debug("notify: dropping a datagram without credentials");
                return false;
        }
        r = pidns_of(uc->pid, &dev, &ino);
        /* Reaped between the lookup of /proc/PID and the read of its link:
         * proc says EACCES then (no task to check), not ENOENT. */
        if (r == -EACCES && kill(uc->pid, 0) < 0 && errno == ESRCH)
                r = -ESRCH;
        if (r >= 0) {
                if (dev == n->pidns_dev && ino == n->pidns_ino)
                        return true;
                log_debug("notify: dropping a datagram from PID %d, not of the container", (int) uc->pid);
                return false;
        }
        if (r == -ENOENT || r == -ESRCH) {
                if (notify_relay_uid_is_container(n, uc->uid)) {
                        log_debug("notify: PID %d is gone; UID %u is the container's, taking its datagram",
                                  (int) uc->pid, (unsigned) uc->uid);
                        return true;
                }
                log_debug("notify: dropping a datagram from PID %d, gone before it was read: UID %u may be "
                          "a host user's (send from a process that waits, as with sd_notify_barrier())",
                          (int) uc->pid, (unsigned) uc->uid);
                return false;
        }
        log_debug("notify: dropping a datagram from PID %d: its PID namespace: %s", (int) uc->pid, strerror(-r));
        return false;
}

/* What the datagram means for cell's supervision goes into *ev. */
static void relay_handle(NotifyRelay *n, const char *buf, size_t len, const struct ucred *uc, NotifyRelayEvents *ev) {
        _cleanup_free_ char *up = NULL;
        pid_t sender = uc->pid;
        NotifyMessage m;
        int r;

        /* Only the container may speak for the container. */
        if (!relay_sender_speaks_for_container(n, uc))
                return;

        r = notify_message_parse(buf, len, &m);
        if (r == -EMSGSIZE) {
                log_debug("notify: dropping an oversized datagram from PID %d", (int) sender);
                return;
        }
        if (r < 0) {
                log_debug("notify: dropping a datagram that is not text (a NUL byte) from PID %d", (int) sender);
                return;
        }
        /* Boot=yes: the watchdog is cell's, pinged by its loop (notify_loop_attach()),
         * and watches cell. The payload got no WATCHDOG_USEC=; its WATCHDOG_USEC= would
         * turn off or stretch the watchdog of cell itself, which only cell may say. */
        if (!n->watchdog && (m.watchdog || m.watchdog_trigger || m.watchdog_usec_set)) {
                m.n_ignored += m.watchdog + m.watchdog_trigger + m.watchdog_usec_set;
                m.watchdog = m.watchdog_trigger = m.watchdog_usec_set = false;
        }
        if (m.n_ignored > 0)
                log_debug("notify: ignoring %u line(s) from PID %d: unsupported, or not valid", m.n_ignored, (int) sender);

        bool first_ready = m.ready && !n->ready_seen;
        if (m.ready && !first_ready)
                m.ready = false;        /* READY=1 counts once */
        if (first_ready)
                n->ready_seen = ev->first_ready = true;
        /* TimeoutStopSec='s SIGKILL is cell's (its supervisor's timer): the
         * caller extends it as systemd extends a service's stop timeout. */
        if (m.extend_timeout) {
                ev->extend_timeout_usec = ev->extend_timeout ?
                        MAX(ev->extend_timeout_usec, m.extend_timeout_usec) : m.extend_timeout_usec;
                ev->extend_timeout = true;
                /* While cell stops the payload, systemd's stop timeout must come
                 * after cell's SIGKILL (now N away) and cell's reap and release
                 * after it, as with STOPPING=1's own extension: or systemd kills
                 * cell at the moment cell kills the payload. (While starting,
                 * cell's own steps are done before the payload runs; after its
                 * READY=1 cell has only that to pass on: N goes up as it is.) */
                if (notify_supervisor_stopping_sent())
                        m.extend_timeout_usec = notify_stop_extension(m.extend_timeout_usec);
        }

        r = notify_message_format(&m, n->name, n->notify_ready, &up);
        if (r >= 0 && up && notify_send(up) > 0 && m.status)
                notify_supervisor_payload_status(true);
        notify_message_done(&m);
}

/* Up to max datagrams, fewer when the queue runs empty or its head waits
 * for a closer (n->closer_wait). */
static void relay_read_some(NotifyRelay *n, unsigned max, NotifyRelayEvents *ret) {
        *ret = (NotifyRelayEvents) {};

        if (n->fd < 0)
                return;
        if (n->closer_wait) {
                notify_closer_wake_drain();
                n->closer_wait = false;
        }
        for (unsigned i = 0; i < max; i++) {
                char buf[NOTIFY_DATAGRAM_MAX + 1], byte;
                /* Room for the credentials only: fds that came along are never
                 * installed here (notify-closer.c), MSG_CTRUNC says they came. */
                union {
                        struct cmsghdr h;
                        uint8_t b[CMSG_SPACE(sizeof(struct ucred))];
                } control;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
                struct msghdr mh = {
                        .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = &control, .msg_controllen = sizeof control,
                };
                struct ucred uc = {};
                bool taken = false;
                int r;

                /* Looked at, left on the queue: its fds are still in flight. */
                ssize_t k = recvmsg(n->fd, &mh, MSG_PEEK|MSG_DONTWAIT|MSG_TRUNC);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return;         /* EAGAIN, or nothing we can do here */
                }
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
                            c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                                memcpy(&uc, CMSG_DATA(c), sizeof uc);
                if (mh.msg_flags & MSG_CTRUNC) {
                        /* fds came along (no FDSTORE through the proxy): a closer
                         * takes its own references of them before ours go. */
                        r = notify_closer_take(n->fd);
                        if (r == -EBUSY) {
                                log_debug("notify: every closer waits in a close: the datagram of PID %d waits",
                                          (int) uc.pid);
                                n->closer_wait = notify_closer_wake_fd() >= 0;
                                return;
                        }
                        if (r < 0)
                                log_debug("notify: no closer for the fds from PID %d (%s): dropped here",
                                          (int) uc.pid, strerror(-r));
                        taken = r >= 0;
                }
                /* Off the queue, nothing installed: the kernel drops our in-flight
                 * references of its fds, none the last while a closer holds its own. */
                (void) recv(n->fd, &byte, 1, MSG_DONTWAIT);
                if (taken)
                        notify_closer_dequeued();
                if ((mh.msg_flags & MSG_TRUNC) || (size_t) k > NOTIFY_DATAGRAM_MAX) {
                        log_debug("notify: dropping an oversized datagram (%zd bytes) from PID %d", k, (int) uc.pid);
                        continue;
                }
                relay_handle(n, buf, (size_t) k, &uc, ret);
        }
}

void notify_relay_read(NotifyRelay *n, NotifyRelayEvents *ret) {
        relay_read_some(n, 16, ret);
}

/* More than the socket queues (net.unix.max_dgram_qlen, 512 where systemd
 * sets it): a payload still alive and sending cannot keep us here. */
#define NOTIFY_RELAY_DRAIN_MAX 1024

void notify_relay_drain(NotifyRelay *n) {
        NotifyRelayEvents ev;

        relay_read_some(n, NOTIFY_RELAY_DRAIN_MAX, &ev);
}

int notify_relay_init(NotifyRelay *n, int fd, pid_t payload_pid, const char *name, bool notify_ready,
                      bool watchdog) {
        _cleanup_close_ int owned = fd;
        int one = 1, r;

        *n = NOTIFY_RELAY_NULL;
        if (fd < 0 || payload_pid <= 0)
                return -EINVAL;
        n->notify_ready = notify_ready;
        n->watchdog = watchdog;
        n->name = strdup(strempty(name));
        if (!n->name)
                return -ENOMEM;
        r = pidns_of(payload_pid, &n->pidns_dev, &n->pidns_ino);
        if (r < 0) {
                notify_relay_done(n);
                return r;
        }
        relay_read_uid_ranges(n, payload_pid);
        /* The kernel then stamps every datagram with its sender's PID (in our namespace). */
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) {
                r = negative_errno();
                notify_relay_done(n);
                return r;
        }
        n->fd = TAKE_FD(owned);
        return 0;
}

int notify_relay_poll_fd(const NotifyRelay *n) {
        return n->closer_wait ? notify_closer_wake_fd() : n->fd;
}

void notify_relay_done(NotifyRelay *n) {
        n->fd = safe_close(n->fd);
        n->name = mfree(n->name);
}
