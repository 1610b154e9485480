/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What cell tells its own supervisor: the payload's EXTEND_TIMEOUT_USEC=
 * with cell's margin while cell stops it. */

#include <sys/socket.h>
#include <unistd.h>

#include "notify.h"
#include "test-upstream.h"
#include "test.h"

static unsigned n_extend;
static uint64_t extend_usec;
static void on_extend(uint64_t usec, void *userdata) {
        n_extend++;
        extend_usec = usec;
}

/* The payload's EXTEND_TIMEOUT_USEC=N: as it is while the payload starts or
 * runs; while cell stops it, N and cell's 10 s go up (cell's own SIGKILL
 * comes after N, its reap and release after that), and cell's SIGKILL is
 * put off by N alone. */
TEST(payload_extension_while_stopping) {
        int up = test_upstream_open("cell-test-notify-send"), pair[2];
        sd_event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web" };
        NotifyCallbacks cb = { .extend_timeout = on_extend };
        const char *m;
        char *s;

        ASSERT_OK(sd_event_new(&e));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        ASSERT_OK(notify_proxy_new(&p, e, pair[0], getpid(), &cb, &n));

        m = "EXTEND_TIMEOUT_USEC=3000000";
        ASSERT_EQ(send(pair[1], m, strlen(m), 0), (ssize_t) strlen(m));
        while (sd_event_run(e, 0) > 0)
                ;
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=3000000\n");
        free(s);
        ASSERT_EQ(n_extend, 1);

        notify_supervisor_stopping(p.name, 1 * USEC_PER_SEC);
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "STOPPING=1\nEXTEND_TIMEOUT_USEC=11000000\nSTATUS=web: stopping");
        free(s);
        ASSERT_EQ(send(pair[1], m, strlen(m), 0), (ssize_t) strlen(m));
        while (sd_event_run(e, 0) > 0)
                ;
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=13000000\n");
        free(s);
        ASSERT_EQ(n_extend, 2);
        ASSERT_EQ_U64(extend_usec, 3000000);
        /* "infinity" stays infinity. */
        m = "EXTEND_TIMEOUT_USEC=18446744073709551615";
        ASSERT_EQ(send(pair[1], m, strlen(m), 0), (ssize_t) strlen(m));
        while (sd_event_run(e, 0) > 0)
                ;
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=18446744073709551615\n");
        free(s);

        /* The payload gone, its stop with it. */
        ASSERT_NULL(notify_proxy_free(n));
        ASSERT_FALSE(notify_supervisor_stopping_sent());
        close(pair[1]);
        sd_event_unref(e);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

TEST(stop_extension) {
        ASSERT_EQ_U64(notify_stop_extension(0), NOTIFY_STOP_MARGIN_USEC);
        ASSERT_EQ_U64(notify_stop_extension(3 * USEC_PER_SEC), 13 * USEC_PER_SEC);
        ASSERT_EQ_U64(notify_stop_extension(USEC_INFINITY - 1), USEC_INFINITY);
        ASSERT_EQ_U64(notify_stop_extension(USEC_INFINITY), USEC_INFINITY);
}
