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

#include "fuse-server.h"
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

/* Pumps e once more; whether READY=1 came up on up (after the file's STATUS=). */
static bool n_ready_upstream(int up, Event *e) {
        static bool status_seen;
        char *s;

        (void) event_run(e, 50 * USEC_PER_MSEC);
        s = test_upstream_read(up, 0);
        if (!s)
                return false;
        if (!status_seen) {
                ASSERT_STREQ(s, "STATUS=web: served\n");
                status_seen = true;
                free(s);
                return false;
        }
        ASSERT_STREQ(s, "READY=1\n");
        free(s);
        return true;
}

static int on_sigterm(EventSource *source, const struct signalfd_siginfo *si, void *userdata) {
        *(bool *) userdata = true;
        return 0;
}

/* The payload of fuse_child(): passes the file (opened here, never in the
 * process that stands for cell, whose closers would close their copy of it
 * as they start), READY=1 after it, and at cmd's next byte the file again
 * with the connection itself (dev); at the one after, closes its own copy of
 * the file (which waits for the server's answer or end). dev's number is
 * below the file's: killed, we close it first, so that the connection can
 * end once the server is gone, and with it our own wait in the file's. */
_noreturn_ static void fuse_payload(int payload, int dev, const char *dir, int cmd) {
        char path[128], c;
        int file, fds[2];

        snprintf(path, sizeof path, "%s/file", dir);
        file = open(path, O_RDONLY|O_CLOEXEC);  /* LOOKUP and OPEN, answered */
        if (file < 0 || file < dev)
                _exit(EXIT_FAILURE);
        send_with_fds(payload, "FDSTORE=1\nSTATUS=served", &file, 1);
        send_str(payload, "READY=1", 7);
        if (read(cmd, &c, 1) != 1)
                _exit(EXIT_FAILURE);
        fds[0] = file;
        fds[1] = dev;
        send_with_fds(payload, "FDSTORE=1\nSTATUS=both", fds, 2);
        safe_close(dev);
        if (read(cmd, &c, 1) != 1)
                _exit(EXIT_FAILURE);
        safe_close(file);
        _exit(EXIT_SUCCESS);
}

/* The body of proxy_never_closes_passed_fds, in a child of the test's that
 * stands for cell (its payload a child of its own); the server's and the
 * payload's PIDs go to report. cell never holds the connection (dev): in a
 * close of the file it would keep it from ending, for good. */
_noreturn_ static void fuse_child(const char *dir, int report) {
        Plan p = { .name = (char *) "web", .notify_ready = true };
        int up, dev, payload, barrier[2], cmd[2], status;
        NotifyProxy *n = NULL;
        EventSource *term = NULL;
        Event *e = NULL;
        FuseServer s;
        bool stopped = false;
        sigset_t mask;
        pid_t pids[2];
        uint64_t t;

        if (!fuse_server_start(&s, dir, &dev))
                _exit(TEST_SKIP);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &mask, NULL));
        up = test_upstream_open("cell-test-notify-fuse2");
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_signal(e, &term, SIGTERM, on_sigterm, &stopped));
        payload = proxy_start(&p, e, NULL, &n);
        ASSERT_OK(pipe2(cmd, O_CLOEXEC));
        t = now_monotonic_usec();
        pids[0] = s.pid;
        pids[1] = fork();
        ASSERT_TRUE(pids[1] >= 0);
        if (pids[1] == 0) {
                safe_close(cmd[1]);
                fuse_payload(payload, dev, dir, cmd[0]);
        }
        safe_close(dev);
        safe_close(cmd[0]);
        ASSERT_EQ(write(report, pids, sizeof pids), (ssize_t) sizeof pids);

        /* The file, then READY=1: both taken at once, while a closer waits
         * in the FUSE_FLUSH of its close. (cell's own close waited there,
         * for ever.) */
        while (now_monotonic_usec() - t < 5 * USEC_PER_SEC && !n_ready_upstream(up, e))
                ;
        ASSERT_TRUE(now_monotonic_usec() - t < 2 * USEC_PER_SEC);
        ASSERT_TRUE(fuse_server_flush_seen(&s, 5000));  /* the closer's close asked, and waits */

        /* A stop still works: cell's loop takes its signals. */
        ASSERT_OK(kill(getpid(), SIGTERM));
        pump(e);
        ASSERT_TRUE(stopped);

        /* With that closer stuck, a barrier returns once cell took it (another
         * closer); and the connection itself, passed along with the file, is
         * closed before the file: held by a closer that waits for it, it would
         * keep the connection from ending with its server, for good. */
        ASSERT_OK(pipe2(barrier, O_CLOEXEC));
        send_with_fds(payload, "BARRIER=1", &barrier[1], 1);
        safe_close(barrier[1]);
        pump(e);
        ASSERT_TRUE(pipe_hung_up(barrier[0]));
        safe_close(barrier[0]);
        ASSERT_EQ(write(cmd[1], "x", 1), 1);
        for (char *m = NULL; !m; ) {
                ASSERT_TRUE(event_run(e, 5 * USEC_PER_SEC) > 0);
                m = test_upstream_read(up, 0);
                if (m)
                        ASSERT_STREQ(m, "STATUS=web: both\n");
                free(m);
        }
        ASSERT_TRUE(fuse_server_flush_seen(&s, 5000));

        /* The server ends: every FUSE_FLUSH waiting fails, the closers go on,
         * and the payload's own close returns. */
        fuse_server_stop(&s);
        ASSERT_EQ(write(cmd[1], "x", 1), 1);
        ASSERT_EQ(waitpid(pids[1], &status, 0), pids[1]);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_NULL(notify_proxy_free(n));
        event_source_disable_unref(term);
        safe_close(cmd[1]);
        close(payload);
        close(up);
        event_unref(e);
        _exit(EXIT_SUCCESS);
}

/* A file of a FUSE file system the payload serves itself, whose server never
 * answers FUSE_FLUSH: close() asks it on every close of any copy, not only
 * the last, so cell must never close (or take in at all) what the payload
 * passes. cell's relay once installed every fd and closed its copy: it hung,
 * every signal blocked, no stop, no watchdog ping. Here a child stands for
 * cell; we end its server if it hangs (then it fails). */
TEST(proxy_never_closes_passed_fds) {
        char dir[] = "/tmp/cell-test-fuse.XXXXXX";
        uint64_t deadline;
        pid_t cell, pids[2] = {};
        int report[2], status;

        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_OK(pipe2(report, O_CLOEXEC|O_NONBLOCK));
        cell = fork();
        ASSERT_TRUE(cell >= 0);
        if (cell == 0) {
                safe_close(report[0]);
                fuse_child(dir, report[1]);
        }
        safe_close(report[1]);
        deadline = now_monotonic_usec() + 10 * USEC_PER_SEC;
        while (waitpid(cell, &status, WNOHANG) == 0) {
                if (pids[0] <= 0 && read(report[0], pids, sizeof pids) != (ssize_t) sizeof pids)
                        pids[0] = 0;
                if (now_monotonic_usec() > deadline) {
                        /* Its server and payload ended (the payload's copy of
                         * the connection with it), the hung close goes. */
                        for (size_t i = 0; i < ELEMENTSOF(pids); i++)
                                if (pids[i] > 0)
                                        (void) kill(pids[i], SIGKILL);
                        (void) kill(cell, SIGKILL);
                        ASSERT_EQ(waitpid(cell, &status, 0), cell);
                        break;
                }
                usleep(20 * 1000);
        }
        safe_close(report[0]);
        /* The mount went with the child's mount namespace. */
        ASSERT_OK(rmdir(dir));
        (void) test_child_status(status, "no FUSE mount here");
}
