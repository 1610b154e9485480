/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/notify/notify-proxy.c: the proxy on a real socketpair with
 * $NOTIFY_SOCKET pointing at a socket of the test, so what cell would tell
 * its supervisor is read back byte for byte; and who may speak for the
 * container (senders in a PID namespace of their own, gone ones). */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "notify-internal.h"
#include "notify-test.h"
#include "test.h"

TEST(proxy_forwards_filtered) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };
        NotifyCallbacks cb = { .ready = on_ready };

        n_ready = 0;
        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, &cb, &n);

        payload_says(payload, e, "STATUS=starting\nMAINPID=1\n");
        expect_upstream(up, "STATUS=web: starting\n");
        ASSERT_EQ(n_ready, 0);

        payload_says(payload, e, "READY=1\nSTATUS=up");
        expect_upstream(up, "READY=1\nSTATUS=web: up\n");
        ASSERT_EQ(n_ready, 1);

        /* READY=1 counts once. */
        payload_says(payload, e, "READY=1\nWATCHDOG=1\n");
        expect_upstream(up, "WATCHDOG=1\n");
        ASSERT_EQ(n_ready, 1);

        /* Nothing valid but a second READY=1, NUL, oversized, only unknown keys: nothing goes up. */
        send_str(payload, "READY=1\nrubbish\n", 16);
        send_str(payload, "STATUS=a\0b", 10);
        char *big = malloc(NOTIFY_DATAGRAM_MAX + 100);
        memset(big, 'x', NOTIFY_DATAGRAM_MAX + 100);
        memcpy(big, "STATUS=", 7);
        send_str(payload, big, NOTIFY_DATAGRAM_MAX + 100);
        free(big);
        payload_says(payload, e, "MAINPID=1\nFDSTORE=1\n");
        ASSERT_NULL(test_upstream_read(up, 0));

        /* Still alive after all that. */
        payload_says(payload, e, "EXTEND_TIMEOUT_USEC=3000000\n");
        expect_upstream(up, "EXTEND_TIMEOUT_USEC=3000000\n");

        ASSERT_NULL(notify_proxy_free(n));
        close(payload);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* The reviewer's datagrams: READY=1 next to an odd line still goes up. */
TEST(proxy_odd_line_keeps_ready) {
        static const char * const msgs[] = {
                "STATUS=ctl \033[1mbold\nREADY=1",
                "READY=1\nx-custom=1",
                "STATUS=\xc3\x28\nREADY=1\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(msgs); i++) {
                int payload, up = test_upstream_open("cell-test-notify");
                Event *e = NULL;
                NotifyProxy *n = NULL;
                Plan p = { .name = (char *) "web", .notify_ready = true };
                NotifyCallbacks cb = { .ready = on_ready };

                n_ready = 0;
                ASSERT_OK(event_new(&e));
                payload = proxy_start(&p, e, &cb, &n);
                payload_says(payload, e, msgs[i]);
                expect_upstream(up, "READY=1\n");           /* and no STATUS= of the odd line */
                ASSERT_NULL(test_upstream_read(up, 0));
                ASSERT_EQ(n_ready, 1);
                ASSERT_NULL(notify_proxy_free(n));
                close(payload);
                close(up);
                event_unref(e);
        }
        unsetenv("NOTIFY_SOCKET");
}

TEST(proxy_notify_ready_no) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "db", .notify_ready = false };
        NotifyCallbacks cb = { .ready = on_ready };

        n_ready = 0;
        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, &cb, &n);
        payload_says(payload, e, "READY=1\nSTATUS=x\n");
        expect_upstream(up, "STATUS=db: x\n");        /* READY=1 is not the payload's to give */
        ASSERT_EQ(n_ready, 1);                  /* but the supervisor still hears of it */
        notify_proxy_free(n);
        close(payload);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* Boot=yes: the service's watchdog is cell's (it pings it, and it watches
 * cell); the payload's watchdog lines do not go up, the rest does. */
TEST(proxy_boot_keeps_watchdog) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "os", .notify_ready = true, .boot = true };

        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, NULL, &n);
        payload_says(payload, e, "WATCHDOG_USEC=0\nSTATUS=up\nWATCHDOG=1\n");
        expect_upstream(up, "STATUS=os: up\n");
        payload_says(payload, e, "WATCHDOG=trigger\nREADY=1\n");
        expect_upstream(up, "READY=1\n");
        payload_says(payload, e, "WATCHDOG_USEC=99999999999\n");
        ASSERT_NULL(test_upstream_read(up, 0));
        ASSERT_NULL(notify_proxy_free(n));
        close(payload);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

TEST(proxy_drops_other_pid_namespace) {
        int pair[2], up = test_upstream_open("cell-test-notify"), ready_pipe[2], go_pipe[2];
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };

        ASSERT_OK(event_new(&e));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        ASSERT_OK(pipe2(ready_pipe, O_CLOEXEC));
        ASSERT_OK(pipe2(go_pipe, O_CLOEXEC));

        /* A "container": a process in a PID namespace of its own (user namespace so
         * this works unprivileged where allowed). It reports its host PID, waits, sends. */
        pid_t helper = fork();
        ASSERT_TRUE(helper >= 0);
        if (helper == 0) {
                if (unshare(CLONE_NEWUSER|CLONE_NEWPID) < 0 && unshare(CLONE_NEWPID) < 0)
                        _exit(TEST_SKIP);
                pid_t inner = fork();
                if (inner < 0)
                        _exit(1);
                if (inner == 0) {
                        char c;
                        if (read(go_pipe[0], &c, 1) != 1)
                                _exit(1);
                        if (send(pair[1], "STATUS=from inside\n", 19, 0) != 19)
                                _exit(1);
                        /* Stay alive until cell has read it: the sender is checked through /proc. */
                        if (read(go_pipe[0], &c, 1) != 1)
                                _exit(1);
                        _exit(0);
                }
                int st;
                if (write(ready_pipe[1], &inner, sizeof inner) != sizeof inner || waitpid(inner, &st, 0) != inner)
                        _exit(1);
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
        }
        close(ready_pipe[1]);
        close(go_pipe[0]);
        pid_t inner = 0;
        if (read(ready_pipe[0], &inner, sizeof inner) != sizeof inner)
                /* No PID to read: the helper must have said it cannot. */
                ASSERT_FALSE(test_child_ran(helper, "cannot create a PID namespace here"));
        else {
                ASSERT_OK(notify_proxy_new(&p, e, pair[0], inner, NULL, &n));

                /* We are outside the container's PID namespace: dropped. */
                payload_says(pair[1], e, "STATUS=from the host\n");
                ASSERT_NULL(test_upstream_read(up, 0));

                /* From inside: accepted. */
                ASSERT_EQ(write(go_pipe[1], "x", 1), 1);
                ASSERT_EQ(event_run(e, 5 * USEC_PER_SEC), 1);       /* the datagram arrives */
                ASSERT_EQ(write(go_pipe[1], "x", 1), 1);
                int st;
                ASSERT_EQ(waitpid(helper, &st, 0), helper);
                ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                expect_upstream(up, "STATUS=web: from inside\n");
                notify_proxy_free(n);
                pair[0] = -1;
        }
        safe_close(pair[0]);
        close(pair[1]);
        close(ready_pipe[0]);
        close(go_pipe[1]);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* A "container" for the sender tests: a process in a PID namespace of its own
 * (with userns, in a user namespace too that maps our UID to its root), whose
 * PID 1 sends msg on fd when told to and exits at once; its parent reaps it
 * and exits. Returns false when this machine cannot make the namespaces. */
typedef struct Container {
        pid_t helper, inner;
        int go;
} Container;

static bool container_start(Container *c, bool userns, int fd, const char *msg) {
        int to_parent[2], to_child[2];
        char ch;

        ASSERT_OK(pipe2(to_parent, O_CLOEXEC));
        ASSERT_OK(pipe2(to_child, O_CLOEXEC));
        c->helper = fork();
        ASSERT_TRUE(c->helper >= 0);
        if (c->helper == 0) {
                /* Only the parent writes to_child: when it dies, reads end. */
                close(to_parent[0]);
                close(to_child[1]);
                if (unshare(CLONE_NEWPID | (userns ? CLONE_NEWUSER : 0)) < 0)
                        _exit(TEST_SKIP);
                /* The parent writes our uid_map meanwhile. */
                if (write(to_parent[1], "u", 1) != 1 || read(to_child[0], &ch, 1) != 1 || ch != 'm')
                        _exit(TEST_SKIP);
                pid_t inner = fork();
                if (inner < 0)
                        _exit(1);
                if (inner == 0) {
                        if (read(to_child[0], &ch, 1) != 1)
                                _exit(1);
                        _exit(send(fd, msg, strlen(msg), 0) == (ssize_t) strlen(msg) ? 0 : 1);
                }
                int st;
                if (write(to_parent[1], &inner, sizeof inner) != sizeof inner || waitpid(inner, &st, 0) != inner)
                        _exit(1);
                _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
        }
        close(to_parent[1]);
        close(to_child[0]);
        c->go = to_child[1];
        if (read(to_parent[0], &ch, 1) != 1)
                goto skip;
        if (userns) {
                char path[64], map[64];
                int m;

                snprintf(path, sizeof path, "/proc/%d/uid_map", (int) c->helper);
                snprintf(map, sizeof map, "0 %u 1\n", (unsigned) getuid());
                m = open(path, O_WRONLY|O_CLOEXEC);
                if (m < 0 || write(m, map, strlen(map)) != (ssize_t) strlen(map)) {
                        safe_close(m);
                        goto skip;
                }
                close(m);
        }
        ASSERT_EQ(write(c->go, "m", 1), 1);
        ASSERT_EQ(read(to_parent[0], &c->inner, sizeof c->inner), (ssize_t) sizeof c->inner);
        close(to_parent[0]);
        return true;
skip:
        close(to_parent[0]);
        close(c->go);
        kill(c->helper, SIGKILL);
        waitpid(c->helper, NULL, 0);
        return false;
}

/* Sends, and returns once the sender is gone and reaped. */
static void container_send_and_go(Container *c) {
        int st;

        ASSERT_EQ(write(c->go, "s", 1), 1);
        close(c->go);
        ASSERT_EQ(waitpid(c->helper, &st, 0), c->helper);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* sd_notify from a process that exits at once (busybox nc, systemd-notify
 * --no-block): by the time cell reads, /proc has nothing of the sender. Its
 * datagram still counts when its UID is the container's alone. */
TEST(proxy_takes_gone_sender_of_the_container) {
        int pair[2], up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };
        NotifyCallbacks cb = { .ready = on_ready };
        Container c;

        ASSERT_OK(event_new(&e));
        for (int userns = 1; userns >= 0; userns--) {
                /* Without a user namespace, only root counts: as root only. */
                if (!userns && getuid() != 0) {
                        test_skip("not root: a sender without a user namespace of its own");
                        break;
                }
                ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
                if (!container_start(&c, userns, pair[1], "READY=1\nSTATUS=up")) {
                        test_skip("cannot create the namespaces here (userns: %d)", userns);
                        close(pair[0]);
                        close(pair[1]);
                        continue;
                }
                n_ready = 0;
                ASSERT_OK(notify_proxy_new(&p, e, pair[0], c.inner, &cb, &n));
                ASSERT_EQ(notify_proxy_relay(n)->n_uid_ranges, (unsigned) userns);
                container_send_and_go(&c);
                ASSERT_TRUE(kill(c.inner, 0) < 0 && errno == ESRCH);

                pump(e);
                expect_upstream(up, "READY=1\nSTATUS=web: up\n");
                ASSERT_EQ(n_ready, 1);
                ASSERT_NULL(notify_proxy_free(n));
                close(pair[1]);
        }
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* A host user who reached the socket (through /proc/PID/root of a container
 * process of its UID) and is gone by the time cell reads: refused all the same. */
TEST(proxy_refuses_gone_host_user) {
        int pair[2], up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };
        NotifyCallbacks cb = { .ready = on_ready };
        Container c;

        if (getuid() != 0) {
                test_skip("needs root (a sender of another UID)");
                close(up);
                unsetenv("NOTIFY_SOCKET");
                return;
        }
        ASSERT_OK(event_new(&e));
        for (int userns = 0; userns <= 1; userns++) {
                ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
                if (!container_start(&c, userns, pair[1], "READY=1\nSTATUS=from inside")) {
                        test_skip("cannot create the namespaces here (userns: %d)", userns);
                        close(pair[0]);
                        close(pair[1]);
                        continue;
                }
                n_ready = 0;
                ASSERT_OK(notify_proxy_new(&p, e, pair[0], c.inner, &cb, &n));

                /* From the host, as UID 4242: gone when read, not the container's UID. */
                pid_t host = fork();
                ASSERT_TRUE(host >= 0);
                if (host == 0)
                        _exit(setresuid(4242, 4242, 4242) < 0 || send(pair[1], "READY=1\nSTATUS=forged", 21, 0) != 21);
                int st;
                ASSERT_EQ(waitpid(host, &st, 0), host);
                ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                pump(e);
                ASSERT_NULL(test_upstream_read(up, 0));
                ASSERT_EQ(n_ready, 0);

                /* The container itself still gets through. */
                container_send_and_go(&c);
                pump(e);
                expect_upstream(up, "READY=1\nSTATUS=web: from inside\n");
                ASSERT_EQ(n_ready, 1);
                ASSERT_NULL(notify_proxy_free(n));
                close(pair[1]);
        }
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* As run.c does with NotifyReady=yes: the payload's READY=1 went up through
 * the relay; cell adds only its status, when the payload gave none. */
static void on_ready_report(void *userdata) {
        const Plan *p = userdata;
        n_ready++;
        notify_supervisor_ready_relayed(p->name);
}

/* The payload's READY=1 is the service's, once (no second READY=1 of cell's),
 * and its STATUS= is not replaced by cell's own "NAME: running". */
TEST(proxy_payload_status_stands) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "hello", .notify_ready = true };
        NotifyCallbacks cb = { .ready = on_ready_report, .userdata = &p };

        /* READY=1 and STATUS= in one datagram. */
        n_ready = 0;
        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, &cb, &n);
        payload_says(payload, e, "READY=1\nSTATUS=serving");
        ASSERT_EQ(n_ready, 1);
        expect_upstream(up, "READY=1\nSTATUS=hello: serving\n");
        ASSERT_NULL(test_upstream_read(up, 0));         /* no READY=1 of cell's after it */
        ASSERT_NULL(notify_proxy_free(n));
        close(payload);

        /* STATUS= first, READY=1 alone later: the status still stands. */
        n_ready = 0;
        payload = proxy_start(&p, e, &cb, &n);
        payload_says(payload, e, "STATUS=warming up\n");
        expect_upstream(up, "STATUS=hello: warming up\n");
        payload_says(payload, e, "READY=1\n");
        ASSERT_EQ(n_ready, 1);
        expect_upstream(up, "READY=1\n");
        ASSERT_NULL(test_upstream_read(up, 0));
        ASSERT_NULL(notify_proxy_free(n));
        close(payload);

        /* A payload that says READY=1 only: cell's own status is sent. */
        n_ready = 0;
        payload = proxy_start(&p, e, &cb, &n);
        payload_says(payload, e, "READY=1\n");
        ASSERT_EQ(n_ready, 1);
        expect_upstream(up, "READY=1\n");
        expect_upstream(up, "STATUS=hello: running");
        ASSERT_NULL(test_upstream_read(up, 0));
        ASSERT_NULL(notify_proxy_free(n));
        close(payload);

        /* Once the proxy is gone, cell speaks for itself again. */
        notify_supervisor_ready(p.name);
        expect_upstream(up, "READY=1\nSTATUS=hello: running");

        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

TEST(proxy_new_takes_fd_and_checks_args) {
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web" };
        int pair[2];

        ASSERT_OK(event_new(&e));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        /* A PID that does not exist: refused, and the fd is closed all the same. */
        ASSERT_TRUE(notify_proxy_new(&p, e, pair[0], 0x3fffffff, NULL, &n) < 0);
        ASSERT_NULL(n);
        ASSERT_TRUE(fcntl(pair[0], F_GETFD) < 0 && errno == EBADF);
        close(pair[1]);
        event_unref(e);
}
