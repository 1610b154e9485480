/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The notify relay against a payload that means harm or is in a hurry: the
 * file descriptors it passes along with its datagrams (FDSTORE=1,
 * sd_notify_barrier()) are closed without holding cell up, and what it sent
 * right before it exited still goes up. */

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify-test.h"
#include "notify.h"
#include "test-upstream.h"
#include "test.h"

/* Sends msg with fd (SCM_RIGHTS), as FDSTORE=1 does. */
static void send_with_fd(int sock, const char *msg, int fd) {
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (char *) msg, .iov_len = strlen(msg) };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        ASSERT_EQ(sendmsg(sock, &mh, 0), (ssize_t) strlen(msg));
}

/* A TCP connection on the loopback whose peer never reads, its send queue
 * full, with SO_LINGER of linger_sec: the last close() of it waits that long
 * for the queue to drain. -1 when there is no loopback here. *ret_listener:
 * the peer's listening socket (the connection never accepted). */
static int lingering_socket(int linger_sec, int *ret_listener) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t sl = sizeof sa;
        struct linger l = { .l_onoff = 1, .l_linger = linger_sec };
        int small = 4096, listener, fd;
        char chunk[4096] = {};

        listener = socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0);
        if (listener < 0)
                return -1;
        ASSERT_OK(setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
        if (bind(listener, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(listener, 1) < 0 ||
            getsockname(listener, (struct sockaddr *) &sa, &sl) < 0) {
                safe_close(listener);
                return -1;
        }
        fd = socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small));
        /* A loopback that is down (a network namespace of a sandbox's) takes
         * the bind but not the connection (ENETUNREACH): none here either. */
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                safe_close(fd);
                safe_close(listener);
                return -1;
        }
        /* Until the peer's window and our send queue are full. */
        ASSERT_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
        for (unsigned i = 0; i < 100000; i++)
                if (send(fd, chunk, sizeof chunk, MSG_NOSIGNAL) < 0) {
                        ASSERT_EQ(errno, EAGAIN);
                        break;
                }
        ASSERT_OK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l));
        *ret_listener = listener;
        return fd;
}

/* A network namespace's loopback that is down, as a sandbox's often is:
 * lingering_socket() says "none here" (-1), the lingering tests skip. It
 * aborted in connect(). */
TEST(lingering_socket_without_loopback) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int listener = -EBADF;

                if (unshare(geteuid() == 0 ? CLONE_NEWNET : CLONE_NEWUSER | CLONE_NEWNET) < 0)
                        _exit(TEST_SKIP);
                _exit(lingering_socket(10, &listener) == -1 && listener == -EBADF ? 0 : 1);
        }
        (void) test_child_ran(pid, "cannot make a network namespace");
}

/* A relay as cell runs one: upstream stands for its supervisor's socket
 * ($NOTIFY_SOCKET, bound as tag), payload is the payload's end of the
 * socket pair whose other end the proxy reads; listener, that of a
 * lingering socket's peer (relay_start_lingering()). */
typedef struct Relay {
        Plan plan;
        Event *event;
        NotifyProxy *proxy;
        int payload;
        int upstream;
        int listener;
} Relay;

static void relay_start(Relay *r, const char *tag) {
        int pair[2];

        *r = (Relay) {
                .plan = { .name = (char *) "web", .notify_ready = true },
                .payload = -EBADF,
                .upstream = test_upstream_open(tag),
                .listener = -EBADF,
        };
        ASSERT_OK(event_new(&r->event));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        ASSERT_OK(notify_proxy_new(&r->plan, r->event, pair[0], getpid(), NULL, &r->proxy));
        r->payload = pair[1];
}

/* relay_start() with a lingering socket (lingering_socket(), SO_LINGER of
 * 10 s) for the payload to pass: the socket, or -1 when there is no
 * loopback (the test is skipped; no relay is started). */
static int relay_start_lingering(Relay *r, const char *tag) {
        int listener, fd = lingering_socket(10, &listener);

        if (fd < 0) {
                test_skip("no loopback here");
                return -1;
        }
        relay_start(r, tag);
        r->listener = listener;
        return fd;
}

/* The proxy (unless the test freed it already), the sockets, the loop. */
static void relay_stop(Relay *r) {
        if (r->proxy)
                ASSERT_NULL(notify_proxy_free(r->proxy));
        safe_close(r->payload);
        safe_close(r->upstream);
        safe_close(r->listener);
        event_unref(r->event);
        unsetenv("NOTIFY_SOCKET");
        *r = (Relay) {};
}

/* A payload that passes a lingering connection whose peer never reads (the
 * peer here the test's, which outlives cell): the closer waits in its
 * close(). It must end with the cell that made it (here a child of the
 * test's standing for cell), not stay on the host for the socket's linger
 * time. We are a subreaper: the closer, orphaned, is ours to reap once it
 * ended. First of the tests that pass a socket: a closer of this process's,
 * which a forked child would share, does not exist yet. */
TEST(proxy_closer_ends_with_cell) {
        uint64_t deadline;
        pid_t cell, pid;
        int status, listener, fd = lingering_socket(10, &listener);

        if (fd < 0) {
                test_skip("no loopback here");
                return;
        }
        ASSERT_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
        cell = fork();
        ASSERT_TRUE(cell >= 0);
        if (cell == 0) {
                Relay r;

                safe_close(listener);           /* the test's, never read */
                relay_start(&r, "cell-test-notify-fds4");
                send_with_fd(r.payload, "FDSTORE=1\nSTATUS=lingering", fd);
                safe_close(fd);                 /* the closer holds the last reference */
                pump(r.event);
                relay_stop(&r);
                usleep(USEC_PER_SEC);   /* the closer in its close() by then */
                _exit(EXIT_SUCCESS);
        }
        safe_close(fd);
        ASSERT_TRUE(test_child_ran(cell, "cannot happen"));

        /* Gone within a few seconds, not the 10 s of SO_LINGER. */
        deadline = now_monotonic_usec() + 3 * USEC_PER_SEC;
        while ((pid = waitpid(-1, &status, WNOHANG)) == 0 && now_monotonic_usec() < deadline)
                usleep(20 * 1000);
        ASSERT_TRUE(pid > 0);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        ASSERT_OK(prctl(PR_SET_CHILD_SUBREAPER, 0));
        safe_close(listener);
}

/* A payload that passes a socket with SO_LINGER and a send queue that never
 * drains (its own listener does not read) held cell in close() for as long
 * as it liked, signals, stops and the watchdog with it: cell's close()
 * must not linger. The datagram's text still counts. */
TEST(proxy_close_does_not_linger) {
        Relay r;
        uint64_t t;
        char *s;
        int fd;

        fd = relay_start_lingering(&r, "cell-test-notify-fds");
        if (fd < 0)
                return;

        send_with_fd(r.payload, "FDSTORE=1\nSTATUS=lingering", fd);
        safe_close(fd);                 /* cell holds the last reference */
        t = now_monotonic_usec();
        pump(r.event);
        t = now_monotonic_usec() - t;
        ASSERT_TRUE(t < 3 * USEC_PER_SEC);      /* not the 10 s of SO_LINGER */
        s = test_upstream_read(r.upstream, 0);
        ASSERT_STREQ(s, "STATUS=web: lingering\n");
        free(s);

        relay_stop(&r);
}

/* The socket a payload passes is its own open file, which it may go on
 * using: cell closes its copy without turning the payload's SO_LINGER off
 * (cell-closer, a process of cell's, waits in that close, as systemd's
 * asynchronous_close() does in a thread). */
TEST(proxy_close_leaves_payload_socket_alone) {
        struct linger l = {};
        socklen_t ll = sizeof l;
        Relay r;
        char *s;
        int fd;

        fd = relay_start_lingering(&r, "cell-test-notify-fds2");
        if (fd < 0)
                return;

        send_with_fd(r.payload, "FDSTORE=1\nSTATUS=mine", fd);
        pump(r.event);
        s = test_upstream_read(r.upstream, 0);
        ASSERT_STREQ(s, "STATUS=web: mine\n");
        free(s);
        ASSERT_OK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &ll));
        ASSERT_EQ(l.l_onoff, 1);
        ASSERT_EQ(l.l_linger, 10);

        /* Ours now the last reference: not lingering in the test either. */
        ASSERT_OK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger) {}, sizeof(struct linger)));
        safe_close(fd);
        relay_stop(&r);
}

/* Many such sockets, each in a datagram of its own: a closer holds each
 * (NOTIFY_CLOSERS_MAX of them, 4), and waits in its close; the datagram
 * after that waits on the queue, and what came after it with it, until a
 * closer is free again (here after the 2 s of SO_LINGER). cell is never
 * held, and every datagram's text counts, in order. */
TEST(proxy_close_flood_does_not_linger) {
        /* None yet: those after a skip are never opened, and closed all the same. */
        int listeners[6] = { [0 ... 5] = -EBADF };
        size_t n_seen = 0;
        uint64_t t, deadline;
        Relay r;
        char msg[64];

        relay_start(&r, "cell-test-notify-fds3");
        for (size_t i = 0; i < ELEMENTSOF(listeners); i++) {
                int fd = lingering_socket(2, &listeners[i]);

                if (fd < 0) {
                        test_skip("no loopback here");
                        goto finish;
                }
                snprintf(msg, sizeof msg, "FDSTORE=1\nSTATUS=%zu", i);
                send_with_fd(r.payload, msg, fd);
                safe_close(fd);         /* the closer holds the last reference */
        }
        send_str(r.payload, "STATUS=after", strlen("STATUS=after"));

        t = now_monotonic_usec();
        pump(r.event);
        ASSERT_TRUE(now_monotonic_usec() - t < USEC_PER_SEC);   /* not 2 s of SO_LINGER, once or more */
        /* Four at once, the rest once a closer is free again, all in order. */
        deadline = now_monotonic_usec() + 8 * USEC_PER_SEC;
        while (n_seen <= ELEMENTSOF(listeners) && now_monotonic_usec() < deadline) {
                char *s = test_upstream_read(r.upstream, 0);

                if (!s) {
                        ASSERT_TRUE(event_run(r.event, 100 * USEC_PER_MSEC) >= 0);
                        continue;
                }
                if (n_seen < ELEMENTSOF(listeners))
                        snprintf(msg, sizeof msg, "STATUS=web: %zu\n", n_seen);
                else
                        snprintf(msg, sizeof msg, "STATUS=web: after\n");
                ASSERT_STREQ(s, msg);
                free(s);
                if (++n_seen == 4)
                        ASSERT_TRUE(now_monotonic_usec() - t < USEC_PER_SEC);
        }
        ASSERT_EQ(n_seen, ELEMENTSOF(listeners) + 1);

finish:
        relay_stop(&r);
        for (size_t i = 0; i < ELEMENTSOF(listeners); i++)
                safe_close(listeners[i]);
}

/* The payload's last words after a flood: the loop handles a batch of its
 * datagrams at a time and may see its exit in between (cell's event loop
 * dispatches the exit before the rest, and ends): the proxy, freed at the
 * payload's end, handles what is still queued, as systemd reads a service's
 * notifications before its SIGCHLD. The last STATUS= goes up, and READY=1. */
TEST(proxy_free_drains_last_words) {
        Relay r;
        char *s, *last = NULL;
        bool ready = false;

        relay_start(&r, "cell-test-notify-relay");

        for (unsigned i = 0; i < 40; i++) {
                char msg[32];
                int l = snprintf(msg, sizeof msg, "STATUS=step %u", i);
                ASSERT_EQ(send(r.payload, msg, l, 0), (ssize_t) l);
        }
        ASSERT_EQ(send(r.payload, "READY=1\nSTATUS=done", 20, 0), (ssize_t) 20);
        ASSERT_EQ(event_run(r.event, 0), 1);    /* one batch, then the payload's exit ended the loop */

        ASSERT_NULL(r.proxy = notify_proxy_free(r.proxy));
        /* All of it, whatever had to wait for our socket (coalesced). */
        for (unsigned i = 0; i < 1000; i++) {
                (void) notify_flush();
                s = test_upstream_read(r.upstream, notify_pending_fd() >= 0 ? 100 : 0);
                if (!s) {
                        if (notify_pending_fd() < 0)
                                break;
                        continue;
                }
                ready = ready || strstr(s, "READY=1\n");
                free(last);
                last = s;
        }
        ASSERT_TRUE(ready);
        /* (Without the newline at the end when it had to wait: coalesced.) */
        ASSERT_NOT_NULL(last);
        ASSERT_TRUE(streq(last, "READY=1\nSTATUS=web: done\n") || streq(last, "READY=1\nSTATUS=web: done"));
        free(last);

        relay_stop(&r);
}
