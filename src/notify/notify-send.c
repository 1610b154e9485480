/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* sd_notify to cell's own supervisor. MAINPID is never sent: the main PID
 * of cell@NAME.service stays cell itself (and cell-monitor, which cell
 * becomes by exec, keeps that PID), which supervises the payload. */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"
#include "macros.h"
#include "notify-internal.h"
#include "notify-send.h"
#include "strv.h"

/* STATUS= is one text per service, and the last one sent wins. Once the
 * payload has said something (forwarded by the proxy as "NAME: text"), that is
 * the current status: cell's own "NAME: running" must not replace it, e.g.
 * when READY=1 and STATUS= came in one datagram and cell then reports ready.
 * Process-wide like $NOTIFY_SOCKET itself: one cell, one payload, one status. */
static bool payload_status_sent = false;
/* Process-wide too: cell-monitor never starts in the middle of a stop. */
static bool stopping_sent = false;

void notify_supervisor_payload_status(bool sent) {
        payload_status_sent = sent;
}

bool notify_supervisor_payload_status_sent(void) {
        return payload_status_sent;
}

/* The supervisor's socket, connected: a send that finds its queue full
 * fails at once (EAGAIN) instead of waiting, and the socket polls writable
 * when the supervisor has read (a socket not connected would not say so).
 * What could not go waits in the queue, coalesced (notify-internal.h): cell
 * must never wait for its supervisor, or it would not reap, forward signals,
 * relay output nor ping its own watchdog while systemd is busy or a payload
 * floods it. */
static struct {
        int fd;
        char *address;          /* the $NOTIFY_SOCKET fd is connected to */
        NotifyQueue queue;
        void (*hook)(void *userdata);
        void *userdata;
        int told_fd;            /* notify_pending_fd() as the hook last heard it */
        bool full_logged;
} upstream = { .fd = -EBADF, .told_fd = -EBADF };

/* The loop watches notify_pending_fd() for EPOLLOUT: told of each change,
 * and of a socket going before it is closed, so that the loop never watches
 * a closed fd nor misses a new one of the same number. */
static void upstream_tell(void) {
        int fd = notify_pending_fd();

        if (fd == upstream.told_fd)
                return;
        upstream.told_fd = fd;
        if (upstream.hook)
                upstream.hook(upstream.userdata);
}

static void upstream_disconnect(void) {
        int fd = upstream.fd;

        upstream.fd = -EBADF;
        upstream_tell();
        safe_close(fd);
}

/* Nothing waits any more, and no socket. */
static void upstream_reset(void) {
        notify_queue_done(&upstream.queue);
        upstream_disconnect();
        upstream.address = mfree(upstream.address);
}

static int upstream_connect(const char *e) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t l;

        /* A path, or an abstract name behind '@'; nothing else is ours to guess. */
        if (e[0] != '/' && e[0] != '@')
                return -EAFNOSUPPORT;
        l = strlen(e);
        if (l >= sizeof sa.sun_path)
                return -EINVAL;
        memcpy(sa.sun_path, e, l);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();
        socklen_t sl = offsetof(struct sockaddr_un, sun_path) + l + (e[0] == '/');
        if (connect(fd, (const struct sockaddr *) &sa, sl) < 0)
                return negative_errno();
        if (!upstream.address) {
                upstream.address = strdup(e);
                if (!upstream.address)
                        return -ENOMEM;
        }
        upstream.fd = TAKE_FD(fd);
        return 0;
}

/* One datagram, now or never: -EAGAIN when the supervisor's queue is full. */
static int upstream_send(const char *text) {
        for (unsigned attempt = 0;; attempt++) {
                int r = 0;

                if (upstream.fd < 0)
                        r = upstream_connect(upstream.address);
                /* MSG_NOSIGNAL: a supervisor that went away is no reason to die of SIGPIPE. */
                if (r >= 0 && send(upstream.fd, text, strlen(text), MSG_NOSIGNAL|MSG_DONTWAIT) >= 0)
                        return 1;
                if (r >= 0)
                        r = negative_errno();
                if (r == -EINTR)
                        continue;
                /* The socket's other end went away (the supervisor's socket made
                 * anew): once more on a new connection. */
                if (attempt > 0 || (r != -ECONNREFUSED && r != -ENOTCONN && r != -ECONNRESET && r != -EPIPE))
                        return r;
                upstream_disconnect();
        }
}

int notify_flush(void) {
        int r = 0;

        while (upstream.queue.n > 0) {
                _cleanup_free_ char *text = NULL;

                r = notify_queue_format_front(&upstream.queue, now_monotonic_usec(), &text);
                if (r >= 0 && text)
                        r = upstream_send(text);
                if (r == -EAGAIN)
                        break;
                if (r < 0) {
                        /* Nobody to tell: what waited is lost, as a send that failed. */
                        notify_queue_done(&upstream.queue);
                        break;
                }
                notify_queue_pop_front(&upstream.queue);
        }
        upstream_tell();
        return r == -EAGAIN ? 0 : r < 0 ? r : 1;
}

int notify_drain(uint64_t timeout_usec) {
        uint64_t deadline = now_monotonic_usec() + timeout_usec;

        while (upstream.queue.n > 0) {
                struct pollfd pfd = { .fd = upstream.fd, .events = POLLOUT };
                uint64_t now = now_monotonic_usec();
                int r;

                if (now >= deadline) {
                        log_debug("notify: the service manager did not read in time: what waited is dropped");
                        notify_queue_done(&upstream.queue);
                        upstream_tell();
                        return 0;
                }
                r = poll(&pfd, 1, (int) ((deadline - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC));
                if (r < 0 && errno != EINTR)
                        return negative_errno();
                r = notify_flush();
                if (r < 0)
                        return r;
        }
        return 1;
}

int notify_send(const char *text) {
        const char *e = getenv("NOTIFY_SOCKET");
        int r;

        if (isempty(e)) {
                upstream_reset();
                return 0;
        }
        /* What waits was for that socket, not this one. */
        if (!streq_ptr(e, upstream.address)) {
                upstream_reset();
                r = upstream_connect(e);
                if (r < 0)
                        return r;
        }
        if (upstream.queue.n == 0) {
                r = upstream_send(text);
                if (r != -EAGAIN)
                        return r;
                /* Once: a flood would fill the log with it. */
                if (!upstream.full_logged)
                        log_debug("notify: the service manager's socket is full: what it is to learn waits, coalesced");
                upstream.full_logged = true;
        }
        r = notify_queue_add(&upstream.queue, text, now_monotonic_usec());
        if (r < 0)
                return r;
        /* Sent as soon as it can be: maybe at once, the supervisor having read meanwhile. */
        r = notify_flush();
        return r < 0 ? r : 1;
}

int notify_pending_fd(void) {
        return upstream.queue.n > 0 ? upstream.fd : -EBADF;
}

void notify_set_pending_hook(void (*hook)(void *userdata), void *userdata) {
        upstream.hook = hook;
        upstream.userdata = userdata;
}

int notify_pending_texts(char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        uint64_t now = now_monotonic_usec();

        for (size_t i = 0; i < upstream.queue.n; i++) {
                NotifyQueue one = { .segments = { upstream.queue.segments[i] }, .n = 1 };
                char *text;
                int r = notify_queue_format_front(&one, now, &text);

                if (r >= 0 && text)
                        r = strv_push(&l, text);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* "WHAT\nSTATUS=NAME: word", or the status alone where WHAT is "". */
static void send_with_status(const char *what, const char *name, const char *word) {
        char buf[512];

        (void) snprintf(buf, sizeof buf, "%s%sSTATUS=%s: %s", what, *what ? "\n" : "", name, word);
        (void) notify_send(buf);
}

void notify_supervisor_ready(const char *name) {
        if (payload_status_sent || !name)
                (void) notify_send("READY=1");
        else
                send_with_status("READY=1", name, "running");
}

void notify_supervisor_ready_relayed(const char *name) {
        char buf[256];

        if (payload_status_sent || !name)
                return;
        (void) snprintf(buf, sizeof buf, "STATUS=%s: running", name);
        (void) notify_send(buf);
}

uint64_t notify_stop_extension(uint64_t usec) {
        return usec >= USEC_INFINITY - NOTIFY_STOP_MARGIN_USEC ? USEC_INFINITY : usec + NOTIFY_STOP_MARGIN_USEC;
}

bool notify_supervisor_stopping_sent(void) {
        return stopping_sent;
}

void notify_supervisor_stopping_reset(void) {
        stopping_sent = false;
}

/* No STOPPING=1: a service that says it stops while no stop job runs
 * (systemctl kill, a SIGTERM from anyone) is "deactivating" to systemd at
 * once, which stops the units bound to it: the scope of a cell older than its
 * PartOf= (BindsTo=), whose stop signals every process of the container, where
 * cell stops it gracefully (KillSignal= to its init alone). When a stop job
 * runs, the service is deactivating already. What systemd needs, the longer stop timeout, is
 * EXTEND_TIMEOUT_USEC=, which it takes in any state. */
void notify_supervisor_stopping(const char *name, uint64_t timeout_usec) {
        char extend[64] = "";

        stopping_sent = true;
        if (timeout_usec > 0 && timeout_usec < USEC_INFINITY - NOTIFY_STOP_MARGIN_USEC)
                (void) snprintf(extend, sizeof extend, "EXTEND_TIMEOUT_USEC=%" PRIu64,
                                timeout_usec + NOTIFY_STOP_MARGIN_USEC);
        if (name)
                send_with_status(extend, name, "stopping");
        else if (*extend)
                (void) notify_send(extend);
}
