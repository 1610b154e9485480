/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The notify tests' steps: a proxy on a socketpair and cell's event loop,
 * what the payload says on it, and what cell sent up to the test's
 * $NOTIFY_SOCKET (test-upstream.h). */

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event-loop.h"
#include "notify.h"
#include "test-upstream.h"
#include "test.h"

static unsigned n_ready;
static inline void on_ready(void *userdata) {
        n_ready++;
}

static inline void send_str(int fd, const char *s, size_t len) {
        ASSERT_EQ(send(fd, s, len, 0), (ssize_t) len);
}

static inline void pump(Event *e) {
        while (event_run(e, 0) > 0)
                ;
}

/* A proxy for p on a new socketpair; returns the payload's end. We are in
 * our own PID namespace, so the datagrams we send are the container's. */
static inline int proxy_start(const Plan *p, Event *e, const NotifyCallbacks *cb, NotifyProxy **ret) {
        int pair[2];

        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        ASSERT_OK(notify_proxy_new(p, e, pair[0], getpid(), cb, ret));
        return pair[1];
}

/* The payload sends msg (its bytes up to the NUL), and the proxy handles
 * what has come. */
static inline void payload_says(int fd, Event *e, const char *msg) {
        send_str(fd, msg, strlen(msg));
        pump(e);
}

/* The next datagram cell sent up is want (the test's socket has it). */
static inline void expect_upstream(int up, const char *want) {
        char *s = test_upstream_read(up, 0);

        ASSERT_STREQ(s, want);
        free(s);
}
