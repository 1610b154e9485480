/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* sd_notify to cell's own supervisor. MAINPID is never sent: the main PID
 * of cell@NAME.service stays cell itself (and cell-monitor, which cell
 * becomes by exec, keeps that PID), which supervises the payload. */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "macros.h"
#include "notify-send.h"

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

int notify_send(const char *text) {
        const char *e = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t l;

        if (isempty(e))
                return 0;
        /* A path, or an abstract name behind '@'; nothing else is ours to guess. */
        if (e[0] != '/' && e[0] != '@')
                return -EAFNOSUPPORT;
        l = strlen(e);
        if (l >= sizeof sa.sun_path)
                return -EINVAL;
        memcpy(sa.sun_path, e, l);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        socklen_t sl = offsetof(struct sockaddr_un, sun_path) + l + (e[0] == '/');
        /* MSG_NOSIGNAL: a supervisor that went away is no reason to die of SIGPIPE. */
        if (sendto(fd, text, strlen(text), MSG_NOSIGNAL, (const struct sockaddr *) &sa, sl) < 0)
                return negative_errno();
        return 1;
}

/* "WHAT\nSTATUS=NAME: word" */
static void send_with_status(const char *what, const char *name, const char *word) {
        char buf[512];

        (void) snprintf(buf, sizeof buf, "%s\nSTATUS=%s: %s", what, name, word);
        (void) notify_send(buf);
}

void notify_supervisor_ready(const char *name) {
        if (payload_status_sent || !name)
                (void) notify_send("READY=1");
        else
                send_with_status("READY=1", name, "running");
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

void notify_supervisor_stopping(const char *name, uint64_t timeout_usec) {
        char what[64] = "STOPPING=1";

        stopping_sent = true;
        if (timeout_usec > 0 && timeout_usec < USEC_INFINITY - NOTIFY_STOP_MARGIN_USEC)
                (void) snprintf(what, sizeof what, "STOPPING=1\nEXTEND_TIMEOUT_USEC=%" PRIu64,
                                timeout_usec + NOTIFY_STOP_MARGIN_USEC);
        if (name)
                send_with_status(what, name, "stopping");
        else
                (void) notify_send(what);
}
