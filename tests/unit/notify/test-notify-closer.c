/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/notify/notify-closer.c: the fds a payload passes with its datagrams
 * are closed, never kept, and what came with them still goes up. */

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify-test.h"
#include "test.h"

/* Sends msg with the fds (SCM_RIGHTS), as sd_notify_barrier() and FDSTORE=1 do. */
static void send_with_fds(int fd, const char *msg, const int *fds, size_t n) {
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(sizeof(int) * 253)];  /* SCM_MAX_FD */
        } control = {};
        struct iovec iov = { .iov_base = (char *) msg, .iov_len = strlen(msg) };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = CMSG_SPACE(sizeof(int) * n),
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        ASSERT_TRUE(n <= 253);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        ASSERT_EQ(sendmsg(fd, &mh, 0), (ssize_t) strlen(msg));
}

/* Whether the write ends of the pipe are all closed: cell kept none. */
static bool pipe_hung_up(int read_fd) {
        struct pollfd p = { .fd = read_fd, .events = POLLIN };

        return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
}

/* fds sent along are closed, never kept: sd_notify_barrier()'s (it returns
 * once cell has handled what came before it), and FDSTORE=1's, as many as the
 * kernel passes; the text beside them counts, as in systemd (it once was
 * dropped as truncated from 17 fds on, READY=1 with it). */
TEST(proxy_closes_passed_fds) {
        int payload, up = test_upstream_open("cell-test-notify");
        Event *e = NULL;
        NotifyProxy *n = NULL;
        Plan p = { .name = (char *) "web", .notify_ready = true };
        int barrier[2], many[24][2], w[253], dups[2];

        ASSERT_OK(event_new(&e));
        payload = proxy_start(&p, e, NULL, &n);

        ASSERT_OK(pipe2(barrier, O_CLOEXEC));
        send_str(payload, "READY=1", 7);
        send_with_fds(payload, "BARRIER=1", &barrier[1], 1);
        safe_close(barrier[1]);
        ASSERT_FALSE(pipe_hung_up(barrier[0]));         /* cell holds it until it reads */
        pump(e);
        ASSERT_TRUE(pipe_hung_up(barrier[0]));
        expect_upstream(up, "READY=1\n");               /* handled before the barrier returned */
        ASSERT_NULL(test_upstream_read(up, 0));
        safe_close(barrier[0]);

        for (size_t i = 0; i < ELEMENTSOF(many); i++) {
                ASSERT_OK(pipe2(many[i], O_CLOEXEC));
                w[i] = many[i][1];
        }
        send_with_fds(payload, "FDSTORE=1\nSTATUS=stored", w, ELEMENTSOF(many));
        for (size_t i = 0; i < ELEMENTSOF(many); i++)
                safe_close(many[i][1]);
        pump(e);
        for (size_t i = 0; i < ELEMENTSOF(many); i++) {
                ASSERT_TRUE(pipe_hung_up(many[i][0]));
                safe_close(many[i][0]);
        }
        expect_upstream(up, "STATUS=web: stored\n");

        /* The most one message carries (SCM_MAX_FD). */
        ASSERT_OK(pipe2(dups, O_CLOEXEC));
        for (size_t i = 0; i < ELEMENTSOF(w); i++)
                ASSERT_TRUE((w[i] = fcntl(dups[1], F_DUPFD_CLOEXEC, 3)) >= 0);
        send_with_fds(payload, "FDSTORE=1\nFDNAME=listeners\nSTATUS=all", w, ELEMENTSOF(w));
        for (size_t i = 0; i < ELEMENTSOF(w); i++)
                safe_close(w[i]);
        safe_close(dups[1]);
        ASSERT_FALSE(pipe_hung_up(dups[0]));
        pump(e);
        ASSERT_TRUE(pipe_hung_up(dups[0]));             /* every copy closed */
        safe_close(dups[0]);
        expect_upstream(up, "STATUS=web: all\n");
        ASSERT_NULL(test_upstream_read(up, 0));

        ASSERT_NULL(notify_proxy_free(n));
        close(payload);
        close(up);
        event_unref(e);
        unsetenv("NOTIFY_SOCKET");
}

/* A file of a FUSE file system the payload serves itself (a unit that allows
 * /dev/fuse): whatever asks the file system, fstat() included, waits for the
 * payload's answer, for ever if it never comes (killable only). cell's look
 * at what it was passed (whether a pipe, to close it at once) must not ask
 * it: cell would hang with every signal blocked, no stop, no watchdog ping.
 * Here a FUSE mount whose server never answers, not even its INIT, and an
 * O_PATH fd of its root (opening that asks nothing); a child of ours is cell. */
TEST(proxy_does_not_stat_passed_fds) {
        char dir[] = "/tmp/cell-test-fuse.XXXXXX";
        uint64_t deadline;
        pid_t cell;
        int status;

        ASSERT_NOT_NULL(mkdtemp(dir));
        cell = fork();
        ASSERT_TRUE(cell >= 0);
        if (cell == 0) {
                char opts[128];
                Plan p = { .name = (char *) "web", .notify_ready = true };
                int up, fuse, fd, payload;
                NotifyProxy *n = NULL;
                Event *e = NULL;

                if (unshare(geteuid() == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) < 0 ||
                    mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) < 0)
                        _exit(TEST_SKIP);
                fuse = open("/dev/fuse", O_RDWR|O_CLOEXEC);
                if (fuse < 0)
                        _exit(TEST_SKIP);
                snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", fuse);
                if (mount("cell-test", dir, "fuse", MS_NOSUID|MS_NODEV, opts) < 0)
                        _exit(TEST_SKIP);
                fd = open(dir, O_PATH|O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);

                up = test_upstream_open("cell-test-notify-fuse");
                ASSERT_OK(event_new(&e));
                payload = proxy_start(&p, e, NULL, &n);
                send_with_fds(payload, "FDSTORE=1\nSTATUS=served", &fd, 1);
                safe_close(fd);
                pump(e);
                expect_upstream(up, "STATUS=web: served\n");

                ASSERT_NULL(notify_proxy_free(n));
                close(payload);
                close(up);
                event_unref(e);
                (void) umount2(dir, MNT_DETACH);
                _exit(EXIT_SUCCESS);
        }

        /* Done at once, not waiting for an answer that never comes. */
        deadline = now_monotonic_usec() + 5 * USEC_PER_SEC;
        while (waitpid(cell, &status, WNOHANG) == 0) {
                if (now_monotonic_usec() > deadline) {
                        (void) kill(cell, SIGKILL);
                        ASSERT_EQ(waitpid(cell, &status, 0), cell);
                        break;
                }
                usleep(20 * 1000);
        }
        /* The mount went with the child's mount namespace. */
        ASSERT_OK(rmdir(dir));
        (void) test_child_status(status, "no FUSE mount here");
}
