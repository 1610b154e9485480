/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What cell tells its own supervisor when the supervisor does not read: the
 * coalescing queue on its own (notify-queue.c), then notify_send() against
 * a socket of the test that is left full (the kernel's max_dgram_qlen), so
 * that a send that would wait shows as a test that hangs (alarm()). And the
 * payload's EXTEND_TIMEOUT_USEC= with cell's margin while cell stops it. */

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify-internal.h"
#include "notify-test.h"
#include "notify.h"
#include "strv.h"
#include "test-upstream.h"
#include "utf8.h"
#include "test.h"

#define NOW (1000 * USEC_PER_SEC)

/* The first segment at now, then it is dropped. */
static void expect_front(NotifyQueue *q, uint64_t now, const char *want) {
        char *s = NULL;

        ASSERT_TRUE(q->n > 0);
        ASSERT_OK(notify_queue_format_front(q, now, &s));
        if (want)
                ASSERT_STREQ(s, want);
        else
                ASSERT_NULL(s);
        free(s);
        notify_queue_pop_front(q);
}

TEST(queue_coalesces) {
        NotifyQueue q = {};

        /* State: the last one stands. */
        ASSERT_OK(notify_queue_add(&q, "STATUS=web: a", NOW));
        ASSERT_OK(notify_queue_add(&q, "STATUS=web: b\nWATCHDOG=1\n", NOW));
        ASSERT_OK(notify_queue_add(&q, "WATCHDOG=1", NOW));
        /* READY=1 starts a datagram of its own, with its STATUS=; cell's own
         * READY=1 after the payload's is the same one. */
        ASSERT_OK(notify_queue_add(&q, "READY=1\nSTATUS=web: c\n", NOW));
        ASSERT_OK(notify_queue_add(&q, "STATUS=web: d\n", NOW));
        ASSERT_OK(notify_queue_add(&q, "READY=1", NOW));
        /* STOPPING=1 after it, never in one datagram with it (systemd would
         * take one of the two). */
        ASSERT_OK(notify_queue_add(&q, "STOPPING=1\nEXTEND_TIMEOUT_USEC=5000000\nSTATUS=web: stopping", NOW));
        ASSERT_OK(notify_queue_add(&q, "EXTEND_TIMEOUT_USEC=3000000\n", NOW + 1 * USEC_PER_SEC));
        ASSERT_OK(notify_queue_add(&q, "STATUS=web: e\n", NOW));
        ASSERT_EQ(q.n, 3);

        expect_front(&q, NOW, "STATUS=web: b\nWATCHDOG=1");
        expect_front(&q, NOW, "READY=1\nSTATUS=web: d");
        /* The longest extension, as what is left of it 2 s later. */
        expect_front(&q, NOW + 2 * USEC_PER_SEC, "STOPPING=1\nSTATUS=web: e\nEXTEND_TIMEOUT_USEC=3000000");
        ASSERT_EQ(q.n, 0);
        notify_queue_done(&q);
}

TEST(queue_keys) {
        NotifyQueue q = {};

        /* The first line of a key counts, as systemd reads a datagram; lines
         * end at '\r' too; a line that is not KEY=VALUE is none. */
        ASSERT_OK(notify_queue_add(&q, "STATUS=x\r\nSTATUS=y\nrubbish\n=z\nWATCHDOG_USEC=5", NOW));
        /* A trigger is not undone by a ping; WATCHDOG_USEC=, the last one. */
        ASSERT_OK(notify_queue_add(&q, "WATCHDOG=trigger", NOW));
        ASSERT_OK(notify_queue_add(&q, "WATCHDOG=1\nWATCHDOG_USEC=7", NOW));
        expect_front(&q, NOW, "STATUS=x\nWATCHDOG_USEC=7\nWATCHDOG=trigger");

        /* An extension that ran out before it could go: nothing to say. */
        ASSERT_OK(notify_queue_add(&q, "EXTEND_TIMEOUT_USEC=1000", NOW));
        expect_front(&q, NOW + 1000, NULL);
        ASSERT_OK(notify_queue_add(&q, "STATUS=s\nEXTEND_TIMEOUT_USEC=1000", NOW));
        expect_front(&q, NOW + 2000, "STATUS=s");
        /* "infinity" stays that (systemd's usec_add() saturates). */
        ASSERT_OK(notify_queue_add(&q, "EXTEND_TIMEOUT_USEC=18446744073709551615", NOW));
        expect_front(&q, NOW + 5, "EXTEND_TIMEOUT_USEC=18446744073709551615");
        ASSERT_OK(notify_queue_add(&q, "EXTEND_TIMEOUT_USEC=18446744073709551000", NOW));
        expect_front(&q, NOW + 5, "EXTEND_TIMEOUT_USEC=18446744073709551615");
        /* Nothing usable: no segment. */
        ASSERT_OK(notify_queue_add(&q, "\n\nrubbish", NOW));
        ASSERT_EQ(q.n, 0);
        notify_queue_done(&q);
}

/* Coalesced, a datagram still fits what systemd takes: the STATUS= text is
 * cut, between characters. */
TEST(queue_fits_a_datagram) {
        NotifyQueue q = {};
        char *big = malloc(NOTIFY_DATAGRAM_MAX + 1), *s = NULL;
        size_t n = strlen("STATUS=");

        ASSERT_NOT_NULL(big);
        memcpy(big, "STATUS=", n);
        for (; n + 2 <= NOTIFY_DATAGRAM_MAX - 20; n += 2)
                memcpy(big + n, "\xc3\xa9", 2);
        big[n] = 0;
        ASSERT_OK(notify_queue_add(&q, "READY=1\nWATCHDOG=1", NOW));
        ASSERT_OK(notify_queue_add(&q, big, NOW));
        ASSERT_OK(notify_queue_add(&q, "EXTEND_TIMEOUT_USEC=90000000\nWATCHDOG_USEC=30000000", NOW));
        ASSERT_OK(notify_queue_format_front(&q, NOW, &s));
        ASSERT_TRUE(strlen(s) <= NOTIFY_DATAGRAM_MAX);
        ASSERT_TRUE(strlen(s) >= NOTIFY_DATAGRAM_MAX - 1);
        ASSERT_TRUE(utf8_is_valid_n(s, strlen(s)));
        ASSERT_TRUE(startswith(s, "READY=1\nWATCHDOG=1\nSTATUS=\xc3\xa9"));
        ASSERT_CONTAINS(s, "\nWATCHDOG_USEC=30000000\nEXTEND_TIMEOUT_USEC=90000000");
        free(s);
        free(big);
        notify_queue_done(&q);
}

static unsigned n_hook;
static int hook_fd = -EBADF;
static void on_pending(void *userdata) {
        n_hook++;
        hook_fd = notify_pending_fd();
}

static bool writable(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLOUT };

        return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/* The supervisor reads nothing: its queue fills and cell goes on, what it
 * says coalesced; once it reads, all of it arrives, in order. */
TEST(send_never_waits) {
        int up = test_upstream_open("cell-test-notify-send");
        unsigned sent = 0;
        char buf[64], *s;

        n_hook = 0;
        notify_set_pending_hook(on_pending, NULL);
        /* A send that waited would hang here: alarm() ends the test instead. */
        alarm(10);
        for (unsigned i = 1; i <= 100; i++) {
                snprintf(buf, sizeof buf, "STATUS=web: %u", i);
                ASSERT_TRUE(notify_send(buf) > 0);
                if (notify_pending_fd() < 0)
                        sent = i;
        }
        ASSERT_TRUE(sent > 0 && sent < 100);
        ASSERT_EQ(n_hook, 1);
        ASSERT_TRUE(hook_fd >= 0 && hook_fd == notify_pending_fd());
        ASSERT_FALSE(writable(hook_fd));
        ASSERT_TRUE(notify_send("READY=1\nSTATUS=web: ready\n") > 0);
        ASSERT_TRUE(notify_send("WATCHDOG=1") > 0);
        ASSERT_EQ(notify_flush(), 0);   /* still full */
        alarm(0);

        /* It reads what went at once, in order; the socket is writable again. */
        for (unsigned i = 1; i <= sent; i++) {
                snprintf(buf, sizeof buf, "STATUS=web: %u", i);
                s = test_upstream_read(up, 0);
                ASSERT_STREQ(s, buf);
                free(s);
        }
        ASSERT_NULL(test_upstream_read(up, 0));
        ASSERT_TRUE(writable(hook_fd));
        ASSERT_EQ(notify_flush(), 1);
        ASSERT_EQ(n_hook, 2);
        ASSERT_EQ(hook_fd, -EBADF);
        /* The last STATUS= of the flood, then READY=1 with its own. */
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "STATUS=web: 100");
        free(s);
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "READY=1\nSTATUS=web: ready\nWATCHDOG=1");
        free(s);
        ASSERT_NULL(test_upstream_read(up, 0));

        /* Nothing waits: straight through. */
        ASSERT_TRUE(notify_send("STATUS=web: after") > 0);
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "STATUS=web: after");
        free(s);

        /* The supervisor gone while something waits: it is dropped, nothing
         * is watched any more, and a new socket of that name is reached. */
        while (notify_pending_fd() < 0)
                ASSERT_TRUE(notify_send("STATUS=web: fill") > 0);
        close(up);
        ASSERT_TRUE(notify_flush() < 0);
        ASSERT_EQ(notify_pending_fd(), -EBADF);
        ASSERT_EQ(hook_fd, -EBADF);
        up = test_upstream_open("cell-test-notify-send");
        ASSERT_TRUE(notify_send("STATUS=web: again") > 0);
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "STATUS=web: again");
        free(s);

        notify_set_pending_hook(NULL, NULL);
        close(up);
        unsetenv("NOTIFY_SOCKET");
        ASSERT_EQ(notify_send("STATUS=web: nobody"), 0);
}

/* At exit, what waits gets its time to go up: the supervisor that reads
 * late gets the last STATUS= before it sees us gone; one that never reads
 * costs the exit no more than the deadline, and what waited is dropped. */
TEST(drain_at_exit) {
        int up = test_upstream_open("cell-test-notify-send"), status;
        uint64_t t;
        pid_t pid;
        char *s;

        alarm(10);
        while (notify_pending_fd() < 0)
                ASSERT_TRUE(notify_send("STATUS=web: fill") > 0);
        ASSERT_TRUE(notify_send("STATUS=web: last") > 0);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                /* The late reader: the last datagram it reads is ours. */
                char *last = NULL;

                (void) usleep(200 * 1000);
                while ((s = test_upstream_read(up, 1000))) {
                        free(last);
                        last = s;
                }
                _exit(last && streq(last, "STATUS=web: last") ? 0 : 1);
        }
        t = now_monotonic_usec();
        ASSERT_EQ(notify_drain(5 * USEC_PER_SEC), 1);
        t = now_monotonic_usec() - t;
        ASSERT_TRUE(t >= 150 * USEC_PER_MSEC);  /* it waited for the reader */
        ASSERT_EQ(notify_pending_fd(), -EBADF);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        /* Nobody reads: dropped at the deadline. */
        while (notify_pending_fd() < 0)
                ASSERT_TRUE(notify_send("STATUS=web: fill") > 0);
        t = now_monotonic_usec();
        ASSERT_EQ(notify_drain(100 * USEC_PER_MSEC), 0);
        t = now_monotonic_usec() - t;
        ASSERT_TRUE(t >= 100 * USEC_PER_MSEC && t < 2 * USEC_PER_SEC);
        ASSERT_EQ(notify_pending_fd(), -EBADF);
        /* Nothing waits: at once. */
        ASSERT_EQ(notify_drain(100 * USEC_PER_MSEC), 1);
        alarm(0);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* cell's loop sends what waits once the supervisor has read: no other event
 * needed (a quiet payload, a READY=1 sent before the loop ran). */
TEST(loop_flushes_when_writable) {
        int up = test_upstream_open("cell-test-notify-send");
        Event *e = NULL;
        char *s;

        ASSERT_OK(event_new(&e));
        while (notify_pending_fd() < 0)
                ASSERT_TRUE(notify_send("STATUS=web: fill") > 0);
        ASSERT_TRUE(notify_send("READY=1\nSTATUS=web: running") > 0);
        ASSERT_OK(notify_loop_attach(e, 0));
        ASSERT_EQ(event_run(e, 0), 0);       /* full: nothing to do */
        while ((s = test_upstream_read(up, 0)))
                free(s);
        ASSERT_TRUE(event_run(e, 1000 * 1000) > 0);
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "STATUS=web: fill");   /* the one that found it full */
        free(s);
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "READY=1\nSTATUS=web: running");
        free(s);
        ASSERT_EQ(notify_pending_fd(), -EBADF);
        notify_loop_detach();
        event_unref(e);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* Boot=yes: the loop pings the watchdog (at once, then every half of it). */
TEST(loop_pings_watchdog) {
        int up = test_upstream_open("cell-test-notify-send");
        Event *e = NULL;

        ASSERT_OK(event_new(&e));
        ASSERT_OK(notify_loop_attach(e, 200 * USEC_PER_MSEC));
        for (unsigned i = 0; i < 3; i++) {
                char *s = NULL;

                while (!s) {
                        ASSERT_TRUE(event_run(e, 1000 * 1000) > 0);
                        s = test_upstream_read(up, 0);
                }
                ASSERT_STREQ(s, "WATCHDOG=1");
                free(s);
        }
        notify_loop_detach();
        event_unref(e);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

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
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web" };
        NotifyCallbacks cb = { .extend_timeout = on_extend };
        const char *m;
        char *s;

        ASSERT_OK(event_new(&e));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        ASSERT_OK(notify_proxy_new(&p, e, pair[0], getpid(), &cb, &n));

        m = "EXTEND_TIMEOUT_USEC=3000000";
        ASSERT_EQ(send(pair[1], m, strlen(m), 0), (ssize_t) strlen(m));
        while (event_run(e, 0) > 0)
                ;
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=3000000\n");
        free(s);
        ASSERT_EQ(n_extend, 1);

        notify_supervisor_stopping(p.name, 1 * USEC_PER_SEC);
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=11000000\nSTATUS=web: stopping");
        free(s);
        ASSERT_EQ(send(pair[1], m, strlen(m), 0), (ssize_t) strlen(m));
        while (event_run(e, 0) > 0)
                ;
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=13000000\n");
        free(s);
        ASSERT_EQ(n_extend, 2);
        ASSERT_EQ_U64(extend_usec, 3000000);
        /* "infinity" stays infinity. */
        m = "EXTEND_TIMEOUT_USEC=18446744073709551615";
        ASSERT_EQ(send(pair[1], m, strlen(m), 0), (ssize_t) strlen(m));
        while (event_run(e, 0) > 0)
                ;
        s = test_upstream_read(up, 0);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=18446744073709551615\n");
        free(s);

        /* The payload gone, its stop with it. */
        ASSERT_NULL(notify_proxy_free(n));
        ASSERT_FALSE(notify_supervisor_stopping_sent());
        close(pair[1]);
        event_unref(e);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

TEST(stop_extension) {
        ASSERT_EQ_U64(notify_stop_extension(0), NOTIFY_STOP_MARGIN_USEC);
        ASSERT_EQ_U64(notify_stop_extension(3 * USEC_PER_SEC), 13 * USEC_PER_SEC);
        ASSERT_EQ_U64(notify_stop_extension(USEC_INFINITY - 1), USEC_INFINITY);
        ASSERT_EQ_U64(notify_stop_extension(USEC_INFINITY), USEC_INFINITY);
}

TEST(supervisor_side) {
        int up = test_upstream_open("cell-test-notify");
        Plan p = { .name = (char *) "web" };

        notify_supervisor_ready(p.name);
        expect_upstream(up, "READY=1\nSTATUS=web: running");
        /* No TimeoutStopSec= (0, infinity): the service's own stands. */
        /* Never STOPPING=1: without a stop job, systemd would stop the scope
         * bound to the service, every process of the container at once. */
        notify_supervisor_stopping(p.name, 0);
        expect_upstream(up, "STATUS=web: stopping");
        notify_supervisor_stopping(p.name, USEC_INFINITY);
        expect_upstream(up, "STATUS=web: stopping");
        /* 90 s: systemd waits no less than that and cell's 10 s after it. */
        notify_supervisor_stopping(p.name, 90 * USEC_PER_SEC);
        expect_upstream(up, "EXTEND_TIMEOUT_USEC=100000000\nSTATUS=web: stopping");
        notify_supervisor_stopping(NULL, 5 * USEC_PER_SEC);
        expect_upstream(up, "EXTEND_TIMEOUT_USEC=15000000");
        close(up);
        unsetenv("NOTIFY_SOCKET");
        notify_supervisor_ready(p.name);    /* no socket: a no-op, no crash */
}
