/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The notify relay (notify-relay.h): the datagram filter and who may speak
 * for the container. No libsystemd here: cell-monitor links this too. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

void notify_message_done(NotifyMessage *m) {
        m->status = mfree(m->status);
}

static bool key_valid(const char *k, size_t l) {
        if (l == 0)
                return false;
        for (size_t i = 0; i < l; i++)
                if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
                        return false;
        return true;
}

static bool value_valid(const char *v, size_t l) {
        for (size_t i = 0; i < l; i++)
                if (((unsigned char) v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
                        return false;
        return true;
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

int notify_message_parse(const char *buf, size_t len, NotifyMessage *ret) {
        NotifyMessage m = {};

        if (len > NOTIFY_DATAGRAM_MAX)
                return -EMSGSIZE;
        if (memchr(buf, 0, len))
                return -EBADMSG;

        for (const char *p = buf, *end = buf + len; p < end; ) {
                const char *eol = memchr(p, '\n', end - p) ?: end;
                const char *eq = memchr(p, '=', eol - p);
                const char *v;
                size_t kl, vl;

                if (eol == p) {         /* empty line (a trailing newline) */
                        p = eol + 1;
                        continue;
                }
                if (!eq || !key_valid(p, eq - p) || !value_valid(eq + 1, eol - eq - 1)) {
                        notify_message_done(&m);
                        return -EBADMSG;
                }
                kl = eq - p;
                v = eq + 1;
                vl = eol - v;

                if (kl == 5 && memcmp(p, "READY", 5) == 0 && value_is(v, vl, "1"))
                        m.ready = true;
                else if (kl == 8 && memcmp(p, "WATCHDOG", 8) == 0 && value_is(v, vl, "1"))
                        m.watchdog = true;
                else if (kl == 6 && memcmp(p, "STATUS", 6) == 0) {
                        free(m.status);
                        m.status = strndup(v, vl);
                        if (!m.status)
                                return -ENOMEM;
                } else if (kl == 19 && memcmp(p, "EXTEND_TIMEOUT_USEC", 19) == 0 &&
                           parse_uint64_n(v, vl, &m.extend_timeout_usec) >= 0)
                        m.extend_timeout = true;
                else
                        m.n_ignored++;  /* MAINPID=, FDSTORE=, ...: not the payload's to say */
                p = eol + 1;
        }
        *ret = m;
        return 0;
}

int notify_message_format(const NotifyMessage *m, const char *name, bool forward_ready, char **ret) {
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return -ENOMEM;
        if (m->ready && forward_ready)
                fputs("READY=1\n", f);
        if (m->status)
                fprintf(f, "STATUS=%s: %s\n", strempty(name), m->status);
        if (m->watchdog)
                fputs("WATCHDOG=1\n", f);
        if (m->extend_timeout)
                fprintf(f, "EXTEND_TIMEOUT_USEC=%" PRIu64 "\n", m->extend_timeout_usec);
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

static void close_passed_fds(struct msghdr *mh) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        int fds[n ?: 1];
                        memcpy(fds, CMSG_DATA(c), n * sizeof(int));
                        for (size_t i = 0; i < n; i++)
                                safe_close(fds[i]);
                }
}

/* Returns true for the payload's first READY=1. */
static bool relay_handle(NotifyRelay *n, const char *buf, size_t len, pid_t sender) {
        _cleanup_free_ char *up = NULL;
        NotifyMessage m;
        dev_t dev;
        ino_t ino;
        int r;

        /* Only the container may speak for the container: the sender must be in its PID
         * namespace (a host process that found the socket gets nowhere). */
        if (sender <= 0 || pidns_of(sender, &dev, &ino) < 0 || dev != n->pidns_dev || ino != n->pidns_ino) {
                log_debug("notify: dropping a datagram from PID %d, not of the container", (int) sender);
                return false;
        }

        r = notify_message_parse(buf, len, &m);
        if (r == -EMSGSIZE) {
                log_debug("notify: dropping an oversized datagram from PID %d", (int) sender);
                return false;
        }
        if (r < 0) {
                log_debug("notify: dropping a malformed datagram from PID %d", (int) sender);
                return false;
        }
        if (m.n_ignored > 0)
                log_debug("notify: ignoring %u unsupported assignment(s) from PID %d", m.n_ignored, (int) sender);

        bool first_ready = m.ready && !n->ready_seen;
        if (m.ready && !first_ready)
                m.ready = false;        /* READY=1 counts once */
        if (first_ready)
                n->ready_seen = true;

        r = notify_message_format(&m, n->name, n->notify_ready, &up);
        if (r >= 0 && up && notify_send(up) > 0 && m.status)
                notify_supervisor_payload_status(true);
        notify_message_done(&m);
        return first_ready;
}

bool notify_relay_read(NotifyRelay *n) {
        bool first_ready = false;

        for (unsigned i = 0; i < 16; i++) {
                char buf[NOTIFY_DATAGRAM_MAX + 1];
                union {
                        struct cmsghdr h;
                        uint8_t b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
                } control;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
                struct msghdr mh = {
                        .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = &control, .msg_controllen = sizeof control,
                };
                pid_t sender = 0;

                ssize_t k = recvmsg(n->fd, &mh, MSG_DONTWAIT|MSG_CMSG_CLOEXEC|MSG_TRUNC);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        break;          /* EAGAIN, or nothing we can do here */
                }
                close_passed_fds(&mh);  /* no FDSTORE through the proxy */
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
                            c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
                                struct ucred uc;
                                memcpy(&uc, CMSG_DATA(c), sizeof uc);
                                sender = uc.pid;
                        }
                if ((mh.msg_flags & MSG_TRUNC) || (size_t) k > NOTIFY_DATAGRAM_MAX) {
                        log_debug("notify: dropping an oversized datagram (%zd bytes) from PID %d", k, (int) sender);
                        continue;
                }
                if (mh.msg_flags & MSG_CTRUNC) {
                        log_debug("notify: dropping a datagram with truncated ancillary data from PID %d", (int) sender);
                        continue;
                }
                if (relay_handle(n, buf, (size_t) k, sender))
                        first_ready = true;
        }
        return first_ready;
}

int notify_relay_init(NotifyRelay *n, int fd, pid_t payload_pid, const char *name, bool notify_ready) {
        _cleanup_close_ int owned = fd;
        int one = 1, r;

        *n = NOTIFY_RELAY_NULL;
        if (fd < 0 || payload_pid <= 0)
                return -EINVAL;
        n->notify_ready = notify_ready;
        n->name = strdup(strempty(name));
        if (!n->name)
                return -ENOMEM;
        r = pidns_of(payload_pid, &n->pidns_dev, &n->pidns_ino);
        if (r < 0) {
                notify_relay_done(n);
                return r;
        }
        /* The kernel then stamps every datagram with its sender's PID (in our namespace). */
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) {
                r = negative_errno();
                notify_relay_done(n);
                return r;
        }
        n->fd = TAKE_FD(owned);
        return 0;
}

void notify_relay_done(NotifyRelay *n) {
        n->fd = safe_close(n->fd);
        n->name = mfree(n->name);
}
