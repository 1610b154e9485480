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

/* The hand-over to cell-monitor while the relay is on its timer
 * (run_relay_flush_for_handover(), run-payload.c): what the relay holds,
 * read from the pipe but refused by our full stream (copy mode: splice()
 * refuses a stream opened O_APPEND), is written first, the pipe unread
 * meanwhile, and THEN fires once, when it holds nothing; the exec failed,
 * run_relay_resume() reads the pipe again. Or the payload exits while the
 * relay waits: run_relay_done() writes what it holds and the rest. */
#define HANDOVER_A (3U * 4096U + 100U)  /* in the pipe at the start: more than the relay's buffer */
#define HANDOVER_B 5000U                /* written while the relay waits for our stream */

static unsigned then_fired;

static int on_then(EventSource *s, uint64_t usec, void *userdata) {
        then_fired++;
        return 0;
}

static int pipe_unread(int fd) {
        int n = -1;

        return ioctl(fd, FIONREAD, &n) < 0 ? -1 : n;
}

/* N bytes of the pattern from OFF on: the pipe has room for them. */
static bool payload_write(int fd, size_t off, size_t n) {
        char b[HANDOVER_A + HANDOVER_B];

        for (size_t i = 0; i < n; i++)
                b[i] = pattern(off + i);
        return write(fd, b, n) == (ssize_t) n;
}

/* What arrives on FROM from now on, into the file INTO, until its end: the
 * journal that reads on while run_relay_done() drains (it waits for room). */
static pid_t reader_start(int from, int writer, int into) {
        pid_t pid = fork();

        if (pid == 0) {
                char b[4096];
                ssize_t k;

                /* Our copies of the writing end closed: its end comes with the test's. */
                (void) close(STDOUT_FILENO);
                (void) close(writer);
                (void) fcntl(from, F_SETFL, 0);
                while ((k = read(from, b, sizeof b)) > 0)
                        if (write(into, b, (size_t) k) != k)
                                _exit(1);
                _exit(k == 0 ? 0 : 1);
        }
        return pid;
}

static void handover_flush(int what, bool payload_exits) {
        const char *w = "Relaying the payload's stdout: cannot watch it (epoll_ctl: Cannot allocate memory): ";
        RunRelay relay = RUN_RELAY_NULL;
        _cleanup_(event_unrefp) Event *e = NULL;
        EventSource *then = NULL;
        size_t size = PREFILL_MAX + HANDOVER_A + HANDOVER_B + 1, got = 0, pre = 0, unread_at_flush = 0;
        char *in = malloc(size), log[8192] = {}, zero[4096] = {};
        int p[2], s[2], sndbuf = 4096, saved_out, saved_err, log_fd, into, start, flush = -1, unread = -1;
        bool polled = false, held = false, held_turn = false, held_after = true, copy = false, wrote = false;
        unsigned fired = 0;
        uint64_t progress;
        pid_t reader = -1;

        ASSERT_NOT_NULL(in);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        ASSERT_EQ(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf), 0);
        ASSERT_EQ(fcntl(s[1], F_SETFL, O_NONBLOCK), 0);
        ASSERT_EQ(fcntl(s[0], F_SETFL, O_NONBLOCK), 0);
        for (ssize_t k; pre < PREFILL_MAX && (k = write(s[0], zero, sizeof zero)) > 0; )
                pre += (size_t) k;
        ASSERT_TRUE(pre < PREFILL_MAX);
        /* splice() refuses it: the relay copies, through its buffer. */
        ASSERT_EQ(fcntl(s[0], F_SETFL, O_NONBLOCK | O_APPEND), 0);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_TRUE(payload_write(p[1], 0, HANDOVER_A));
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_time_relative(e, &then, 0, on_then, NULL));
        ASSERT_OK(event_source_set_enabled(then, EVENT_OFF));
        then_fired = 0;

        saved_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        log_fd = memfd_create("log", MFD_CLOEXEC);
        into = memfd_create("journal", MFD_CLOEXEC);
        ASSERT_TRUE(saved_out >= 0 && saved_err >= 0 && log_fd >= 0 && into >= 0);
        ASSERT_EQ(dup2(s[0], STDOUT_FILENO), STDOUT_FILENO);
        ASSERT_EQ(dup2(log_fd, STDERR_FILENO), STDERR_FILENO);

        refuse = what;
        relay.output[0].pipe = p[0];
        start = run_relay_start(&relay, e);
        /* Until the relay holds what our full stream refused: read from the pipe, not written. */
        for (int i = 0; start >= 0 && i < 250 && !output_relay_holds(&relay.output[0]); i++)
                (void) event_run(e, 20 * USEC_PER_MSEC);
        polled = relay.polled[0];
        held = output_relay_holds(&relay.output[0]);
        copy = relay.output[0].copy;
        if (held) {
                flush = run_relay_flush_for_handover(&relay, then);
                unread_at_flush = (size_t) pipe_unread(p[0]);
                /* The payload writes on meanwhile: none of it before what the relay held. */
                wrote = payload_write(p[1], HANDOVER_A, HANDOVER_B);
        }
        if (flush > 0 && payload_exits) {
                /* Its exit, while the relay waits for our stream: run.c's run_relay_done(). */
                p[1] = safe_close(p[1]);
                reader = reader_start(s[1], s[0], into);
                run_relay_done(&relay);
        } else if (flush > 0) {
                /* A turn of the relay's (its timer's, where epoll refuses our stream) that finds our
                 * stream still full: it holds on, and waits for its next turn. */
                (void) event_run(e, 3 * OUTPUT_RELAY_RETRY_MSEC * USEC_PER_MSEC);
                held_turn = output_relay_holds(&relay.output[0]);
                progress = now_monotonic_usec();
                while (then_fired == 0 && now_monotonic_usec() - progress < STALL_USEC) {
                        (void) event_run(e, 20 * USEC_PER_MSEC);
                        while (take(s[1], in, size, &got))
                                progress = now_monotonic_usec();
                }
                fired = then_fired;
                unread = pipe_unread(p[0]);
                held_after = output_relay_holds(&relay.output[0]);
                /* The exec failed (or the hand-over was given up): the pipe is read again, to its end. */
                run_relay_resume(&relay);
                p[1] = safe_close(p[1]);
                progress = now_monotonic_usec();
                while (output_relay_active(&relay.output[0]) && now_monotonic_usec() - progress < STALL_USEC) {
                        (void) event_run(e, 20 * USEC_PER_MSEC);
                        while (take(s[1], in, size, &got))
                                progress = now_monotonic_usec();
                }
        }
        refuse = REFUSE_NONE;
        run_relay_done(&relay);         /* safe twice */
        while (reader < 0 && take(s[1], in, size, &got))
                ;
        then = event_source_disable_unref(then);

        ASSERT_EQ(dup2(saved_out, STDOUT_FILENO), STDOUT_FILENO);
        ASSERT_EQ(dup2(saved_err, STDERR_FILENO), STDERR_FILENO);
        safe_close(saved_out);
        safe_close(saved_err);
        safe_close(s[0]);
        safe_close(p[1]);
        ASSERT_TRUE(pread(log_fd, log, sizeof log - 1, 0) >= 0);
        safe_close(log_fd);
        if (reader > 0) {
                int status;

                ASSERT_EQ(waitpid(reader, &status, 0), reader);
                ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                got = (size_t) pread(into, in, size, 0);
        }
        safe_close(into);
        safe_close(s[1]);

        ASSERT_OK(start);
        if (!held || !copy)
                TEST_FAIL("the relay never held what our stream refused (copy: %d); cell said:\n%s", copy, log);
        /* On its timer while the stream is full, where epoll refuses to watch that. */
        if (what == REFUSE_OUT && !polled)
                TEST_FAIL("the relay was not on its timer; cell said:\n%s", log);
        ASSERT_EQ(flush, 1);
        ASSERT_TRUE(wrote);
        if (!payload_exits) {
                ASSERT_TRUE(held_turn);
                /* Once, when the relay held nothing; not again after the resume. */
                if (fired != 1 || then_fired != 1)
                        TEST_FAIL("THEN fired %u times, %u in all; cell said:\n%s", fired, then_fired, log);
                ASSERT_FALSE(held_after);
                /* Nothing read from the pipe while it waited; all it read, written. */
                ASSERT_EQ(unread, unread_at_flush + HANDOVER_B);
        }
        if (got != pre + HANDOVER_A + HANDOVER_B)
                TEST_FAIL("%zu of %u bytes relayed; cell said:\n%s", got - MIN(got, pre), HANDOVER_A + HANDOVER_B,
                          log);
        for (size_t i = 0; i < pre; i++)
                if (in[i] != 0)
                        TEST_FAIL("byte %zu of what was there before: '%c'", i, in[i]);
        for (size_t i = 0; i < HANDOVER_A + HANDOVER_B; i++)
                if (in[pre + i] != pattern(i))
                        TEST_FAIL("byte %zu: '%c', expected '%c'", i, in[pre + i], pattern(i));
        if (strstr(log, w) && strstr(strstr(log, w) + 1, w))
                TEST_FAIL("the warning said twice:\n%s", log);
        if (what == REFUSE_OUT)
                ASSERT_CONTAINS(log, w);
        free(in);
}

/* The stream full, not watched for room: the flush is the timer's. */
TEST(handover_flush_stream_not_watched) {
        handover_flush(REFUSE_OUT, false);
}

/* The pipe not watched: the flush waits on the stream, then the pipe is
 * read on the timer again after the resume. */
TEST(handover_flush_pipe_not_watched) {
        handover_flush(REFUSE_FIFO, false);
}

/* The payload exits while the relay waits for our stream: what it holds
 * first, then the rest of the pipe, in order. */
TEST(handover_flush_payload_exits_stream_not_watched) {
        handover_flush(REFUSE_OUT, true);
}

TEST(handover_flush_payload_exits_pipe_not_watched) {
        handover_flush(REFUSE_FIFO, true);
}
