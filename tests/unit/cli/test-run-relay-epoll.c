/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell's own relay of the payload's output (run-relay.c) where epoll refuses
 * to watch it: the payload's writes never block for good, nothing is lost,
 * cell says so once per stream. This executable's epoll_ctl() (below) takes
 * the place of libc's for the event loop linked into it, and refuses what
 * the test asks as a kernel short of memory does (ENOSPC: short of
 * fs.epoll.max_user_watches). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event-loop.h"
#include "run-relay.h"
#include "test.h"

/* More than a pipeful: without a relay the writer blocks. */
#define TOTAL (160U * 1024U)
/* At most what our stream takes before it is full. */
#define PREFILL_MAX (1024U * 1024U)
/* No byte relayed for this long: the relay stopped for good. */
#define STALL_USEC (5U * USEC_PER_SEC)

static enum {
        REFUSE_NONE,
        REFUSE_FIFO,    /* every EPOLL_CTL_ADD of a pipe: the payload's output, from the start */
        REFUSE_OUT,     /* every watch for EPOLLOUT: our fd 1 once it is full */
} refuse;

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
        struct stat st;
        bool no = false;

        if (refuse == REFUSE_FIFO)
                no = op == EPOLL_CTL_ADD && fstat(fd, &st) >= 0 && S_ISFIFO(st.st_mode);
        else if (refuse == REFUSE_OUT)
                no = op != EPOLL_CTL_DEL && ev && (ev->events & EPOLLOUT);
        if (no) {
                errno = ENOMEM;
                return -1;
        }
        return (int) syscall(SYS_epoll_ctl, epfd, op, fd, ev);
}

static char pattern(size_t i) {
        return (char) ('a' + (i * 7 + i / 4096) % 26);
}

/* What arrived on the journal's side, non-blocking, into buf at *n. */
static bool take(int fd, char *buf, size_t size, size_t *n) {
        ssize_t k = read(fd, buf + *n, size - *n);

        if (k > 0)
                *n += (size_t) k;
        return k > 0;
}

static void relay_refused(int what) {
        const char *w = "Relaying the payload's stdout: cannot watch it (epoll_ctl: Cannot allocate memory): "
                "relayed every 100 ms instead, until it can.";
        RunRelay relay = RUN_RELAY_NULL;
        _cleanup_(event_unrefp) Event *e = NULL;
        char *in = malloc(PREFILL_MAX + TOTAL + 1), log[8192] = {}, zero[4096] = {};
        int p[2], s[2], sndbuf = 4096, saved_out, saved_err, log_fd, start, status, avail = 0;
        uint64_t progress;
        size_t got = 0, pre = 0, size = PREFILL_MAX + TOTAL + 1;
        pid_t pid;

        ASSERT_NOT_NULL(in);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        /* A journal stream that fills after a few KiB: the relay waits for room in it. */
        ASSERT_EQ(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf), 0);
        ASSERT_EQ(fcntl(s[1], F_SETFL, O_NONBLOCK), 0);
        /* Full from the start: the relay's first turn waits for room in it, for sure. */
        ASSERT_EQ(fcntl(s[0], F_SETFL, O_NONBLOCK), 0);
        for (ssize_t k; pre < PREFILL_MAX && (k = write(s[0], zero, sizeof zero)) > 0; )
                pre += (size_t) k;
        ASSERT_TRUE(pre < PREFILL_MAX);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(fcntl(p[1], F_SETFL, 0), 0);
        ASSERT_OK(event_new(&e));

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                /* The payload: blocking writes, as on the journal stream itself. */
                for (size_t i = 0; i < TOTAL; i++)
                        in[i] = pattern(i);
                for (size_t n = 0; n < TOTAL; ) {
                        ssize_t k = write(p[1], in + n, TOTAL - n);

                        if (k <= 0)
                                _exit(1);
                        n += (size_t) k;
                }
                _exit(0);
        }
        p[1] = safe_close(p[1]);
        /* A pipeful waiting, for the relay's first turn. */
        for (int i = 0; i < 2000 && avail < 32768; i++)
                if (ioctl(p[0], FIONREAD, &avail) < 0 || avail < 32768)
                        (void) poll(NULL, 0, 1);

        /* Our fd 1 the journal stream, our fd 2 (the warnings) a file; the test's own back after. */
        saved_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        log_fd = memfd_create("log", MFD_CLOEXEC);
        ASSERT_TRUE(saved_out >= 0 && saved_err >= 0 && log_fd >= 0);
        ASSERT_EQ(dup2(s[0], STDOUT_FILENO), STDOUT_FILENO);
        ASSERT_EQ(dup2(log_fd, STDERR_FILENO), STDERR_FILENO);

        refuse = what;
        relay.output[0].pipe = p[0];
        start = run_relay_start(&relay, e);
        progress = now_monotonic_usec();
        while (start >= 0 && output_relay_active(&relay.output[0]) &&
               now_monotonic_usec() - progress < STALL_USEC) {
                (void) event_run(e, 20 * USEC_PER_MSEC);
                while (take(s[1], in, size, &got))
                        progress = now_monotonic_usec();
        }
        refuse = REFUSE_NONE;
        /* A stalled payload: killed, so that its pipe ends for the drain below. */
        if (output_relay_active(&relay.output[0]))
                (void) kill(pid, SIGKILL);
        run_relay_done(&relay);
        while (take(s[1], in, size, &got))
                ;

        ASSERT_EQ(dup2(saved_out, STDOUT_FILENO), STDOUT_FILENO);
        ASSERT_EQ(dup2(saved_err, STDERR_FILENO), STDERR_FILENO);
        safe_close(saved_out);
        safe_close(saved_err);
        safe_close(s[0]);
        safe_close(s[1]);
        ASSERT_TRUE(pread(log_fd, log, sizeof log - 1, 0) >= 0);
        safe_close(log_fd);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);

        ASSERT_OK(start);
        if (got != pre + TOTAL)
                TEST_FAIL("%zu of %u bytes relayed; cell said:\n%s", got - MIN(got, pre), TOTAL, log);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        for (size_t i = 0; i < TOTAL; i++)
                if (in[pre + i] != pattern(i))
                        TEST_FAIL("byte %zu: '%c', expected '%c'", i, in[pre + i], pattern(i));
        /* Said once, naming the stream and the step. */
        ASSERT_CONTAINS(log, w);
        ASSERT_NULL(strstr(strstr(log, w) + 1, w));
        free(in);
}

/* The pipe cannot be watched from the start (and again whenever the relay
 * goes back to it from our full stream): it was the start's failure. */
TEST(relay_pipe_not_watched) {
        relay_refused(REFUSE_FIFO);
}

/* Our stream, full, cannot be watched for room: it was the relay stopped
 * for good (its source left on our fd for EPOLLIN), the payload blocked. */
TEST(relay_stream_not_watched) {
        relay_refused(REFUSE_OUT);
}
