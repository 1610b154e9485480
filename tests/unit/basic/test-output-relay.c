/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* output-relay.c with a socketpair as the journal stream: all of what the
 * payload writes arrives, in order, beyond a pipeful; a journal that takes
 * nothing never blocks the caller; what splice() refuses is copied; the
 * pipe's end is seen once all of it is passed on; a suspend (the hand-over)
 * loses nothing the relay held. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output-relay.h"
#include "test.h"

/* The byte at offset i of what the payload writes. */
static char pattern(size_t i) {
        return (char) ('a' + (i * 7 + i / 4096) % 26);
}

/* Reads what arrived at fd (non-blocking) into buf at *n; true when something did. */
static bool take(int fd, char *buf, size_t size, size_t *n) {
        ssize_t k = read(fd, buf + *n, size - *n);

        if (k > 0)
                *n += (size_t) k;
        return k > 0;
}

/* The payload's side: 300 KB into the pipe, as the pipe takes it, while the
 * relay and the journal's reader run; then the write end closed. */
TEST(relays_all_in_order) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        int p[2], s[2];
        size_t total = 300 * 1024, written = 0, got = 0;
        char *buf = malloc(total), *in = malloc(total);
        int k = 1;

        ASSERT_NOT_NULL(buf);
        ASSERT_NOT_NULL(in);
        for (size_t i = 0; i < total; i++)
                buf[i] = pattern(i);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        ASSERT_EQ(fcntl(s[1], F_SETFL, O_NONBLOCK), 0);
        alarm(20);
        ASSERT_OK(output_relay_start(&r, p[0], s[0]));
        ASSERT_TRUE(fcntl(s[0], F_GETFL) & O_NONBLOCK);

        while (k > 0) {
                struct pollfd pfd = {};
                ssize_t w;

                if (p[1] >= 0 && written < total) {
                        w = write(p[1], buf + written, total - written);
                        if (w > 0)
                                written += (size_t) w;
                }
                if (p[1] >= 0 && written == total)
                        p[1] = safe_close(p[1]);
                pfd.fd = output_relay_poll_fd(&r, &pfd.events);
                ASSERT_TRUE(pfd.fd >= 0);
                (void) poll(&pfd, 1, 10);
                k = output_relay_dispatch(&r);
                ASSERT_TRUE(k >= 0);
                while (take(s[1], in, total, &got))
                        ;
        }
        while (take(s[1], in, total, &got))
                ;
        ASSERT_EQ(got, total);
        ASSERT_TRUE(memcmp(in, buf, total) == 0);
        ASSERT_FALSE(output_relay_active(&r));
        ASSERT_EQ(output_relay_poll_fd(&r, &(short) { 0 }), -EBADF);
        output_relay_done(&r);
        /* OUT's flags as they were. */
        ASSERT_FALSE(fcntl(s[0], F_GETFL) & O_NONBLOCK);
        safe_close(s[0]);
        safe_close(s[1]);
        free(buf);
        free(in);
}

/* A journal that reads nothing: the relay returns at once each time, waits
 * for room in OUT (POLLOUT), and the payload's side is what fills up. */
TEST(full_journal_never_blocks) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        int p[2], s[2], sndbuf = 4096;
        char chunk[4096];
        short events = 0;
        size_t written = 0, got = 0;
        char *in = malloc(1024 * 1024);

        ASSERT_NOT_NULL(in);
        memset(chunk, 'x', sizeof chunk);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        ASSERT_EQ(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf), 0);
        ASSERT_EQ(fcntl(s[1], F_SETFL, O_NONBLOCK), 0);
        /* A blocking splice() or write() would hang here: the test fails by the alarm. */
        alarm(20);
        ASSERT_OK(output_relay_start(&r, p[0], s[0]));
        for (unsigned i = 0; i < 200; i++) {
                ssize_t w = write(p[1], chunk, sizeof chunk);

                if (w > 0)
                        written += (size_t) w;
                ASSERT_EQ(output_relay_dispatch(&r), 1);
        }
        /* The pipe is full: the payload's writes wait, not us. */
        ASSERT_TRUE(write(p[1], chunk, sizeof chunk) < 0 && errno == EAGAIN);
        ASSERT_EQ(output_relay_poll_fd(&r, &events), s[0]);
        ASSERT_EQ(events, POLLOUT);

        /* The journal reads again: all of it arrives. */
        safe_close(p[1]);
        for (int k = 1; k > 0;) {
                while (take(s[1], in, 1024 * 1024, &got))
                        ;
                k = output_relay_dispatch(&r);
                ASSERT_TRUE(k >= 0);
        }
        while (take(s[1], in, 1024 * 1024, &got))
                ;
        ASSERT_EQ(got, written);
        output_relay_done(&r);
        safe_close(s[0]);
        safe_close(s[1]);
        free(in);
}

/* An O_APPEND file (StandardError=append:), which splice() refuses: copied. */
TEST(copies_where_splice_refuses) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        char path[] = "/tmp/test-output-relay.XXXXXX", in[64] = {};
        int p[2], fd = mkostemp(path, O_CLOEXEC | O_APPEND);

        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(write(fd, "first\n", 6), 6);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_OK(output_relay_start(&r, p[0], fd));
        ASSERT_EQ(write(p[1], "second\n", 7), 7);
        ASSERT_EQ(output_relay_dispatch(&r), 1);
        ASSERT_TRUE(r.copy);
        ASSERT_EQ(write(p[1], "third\n", 6), 6);
        safe_close(p[1]);
        output_relay_drain(&r, 5000);
        ASSERT_FALSE(output_relay_active(&r));
        ASSERT_EQ(pread(fd, in, sizeof in - 1, 0), 19);
        ASSERT_STREQ(in, "first\nsecond\nthird\n");
        output_relay_done(&r);
        safe_close(fd);
}

/* The hand-over to cell-monitor, in copy mode (a terminal as OUT, which
 * splice() refuses) while OUT refused the last write: the bytes our buffer
 * holds are written by output_relay_suspend() once OUT's reader drains it,
 * not lost with our buffer at the exec. */
TEST(suspend_flushes_what_out_refused) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        int p[2], o[2], status = 0;
        char chunk[4096];
        size_t filled = 0;
        ssize_t w;
        pid_t pid;

        memset(chunk, 'f', sizeof chunk);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(pipe2(o, O_CLOEXEC), 0);
        alarm(20);
        ASSERT_OK(output_relay_start(&r, p[0], o[1]));
        r.copy = true;
        /* OUT full: its reader is busy. */
        while ((w = write(o[1], chunk, sizeof chunk)) > 0)
                filled += (size_t) w;
        ASSERT_TRUE(w < 0 && errno == EAGAIN);
        ASSERT_EQ(write(p[1], "held words\n", 11), 11);
        ASSERT_EQ(output_relay_dispatch(&r), 1);
        ASSERT_EQ(r.n_buf, 11u);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                char tail[11];
                size_t got = 0;
                ssize_t k;

                safe_close(o[1]);
                (void) nanosleep(&(struct timespec) { .tv_nsec = 300000000 }, NULL);
                while ((k = read(o[0], chunk, sizeof chunk)) > 0) {
                        for (ssize_t i = 0; i < k; i++, got++)
                                if (got >= filled && got - filled < sizeof tail)
                                        tail[got - filled] = chunk[i];
                }
                _exit(got == filled + 11 && memcmp(tail, "held words\n", 11) == 0 ? 0 : 1);
        }
        safe_close(o[0]);
        output_relay_suspend(&r);
        ASSERT_EQ(r.n_buf, 0u);
        /* OUT's flags as they were; the pipe kept for the new relay. */
        ASSERT_FALSE(fcntl(o[1], F_GETFL) & O_NONBLOCK);
        ASSERT_TRUE(output_relay_active(&r));
        safe_close(o[1]);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        safe_close(p[1]);
        output_relay_done(&r);
}

/* cell's hand-over waits for what the relay holds (run-relay.c): written as
 * OUT takes it, and nothing more read from the pipe meanwhile, so that what
 * cell-monitor relays next comes after it. */
TEST(write_held_reads_nothing_more) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        int p[2], o[2];
        char chunk[4096], in[32] = {};
        ssize_t w;

        memset(chunk, 'f', sizeof chunk);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(pipe2(o, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_OK(output_relay_start(&r, p[0], o[1]));
        r.copy = true;
        while ((w = write(o[1], chunk, sizeof chunk)) > 0)
                ;
        ASSERT_EQ(write(p[1], "held\n", 5), 5);
        ASSERT_EQ(output_relay_dispatch(&r), 1);
        ASSERT_TRUE(output_relay_holds(&r));
        ASSERT_EQ(write(p[1], "later\n", 6), 6);
        /* OUT still full: held, and OUT is what to wait for. */
        ASSERT_TRUE(output_relay_write_held(&r));
        ASSERT_EQ(output_relay_poll_fd(&r, &(short) { 0 }), o[1]);
        /* OUT's reader takes what it had: the held bytes go, "later" stays in the pipe. */
        while (read(o[0], chunk, sizeof chunk) > 0)
                ;
        ASSERT_FALSE(output_relay_write_held(&r));
        ASSERT_EQ(read(o[0], in, sizeof in), 5);
        ASSERT_STREQ(in, "held\n");
        ASSERT_EQ(read(p[0], in, sizeof in), 6);
        output_relay_done(&r);
        safe_close(p[1]);
        safe_close(o[0]);
        safe_close(o[1]);
}

/* The payload's end: what is left in the pipe comes out, then the relay ends. */
TEST(drain_passes_the_rest) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        int p[2], s[2];
        char in[64] = {};

        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        ASSERT_OK(output_relay_start(&r, p[0], s[0]));
        ASSERT_EQ(write(p[1], "last words\n", 11), 11);
        safe_close(p[1]);
        alarm(20);
        output_relay_drain(&r, 5000);
        ASSERT_FALSE(output_relay_active(&r));
        ASSERT_EQ(read(s[1], in, sizeof in), 11);
        ASSERT_STREQ(in, "last words\n");
        output_relay_done(&r);
        safe_close(s[0]);
        safe_close(s[1]);
}

/* The payload's end while the journal is slow for a moment (1.5 s, longer
 * than the pause a writer that escaped is given): the rest, already in the
 * pipe, waits for it and arrives, none of it dropped. */
TEST(drain_waits_for_a_slow_journal) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        int p[2], s[2], sndbuf = 4096, status = 0;
        char chunk[4096];
        size_t written = 0;
        pid_t pid;

        memset(chunk, 'z', sizeof chunk);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        ASSERT_EQ(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf), 0);
        alarm(20);
        ASSERT_OK(output_relay_start(&r, p[0], s[0]));
        /* The journal takes nothing: the socket, then the pipe, fill up. */
        for (unsigned i = 0; i < 64; i++) {
                ssize_t w = write(p[1], chunk, sizeof chunk);

                if (w > 0)
                        written += (size_t) w;
                ASSERT_EQ(output_relay_dispatch(&r), 1);
        }
        safe_close(p[1]);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                size_t got = 0;
                ssize_t k;

                safe_close(s[0]);
                (void) nanosleep(&(struct timespec) { .tv_sec = 1, .tv_nsec = 500000000 }, NULL);
                while ((k = read(s[1], chunk, sizeof chunk)) > 0)
                        got += (size_t) k;
                _exit(got == written ? 0 : 1);
        }
        safe_close(s[1]);
        output_relay_drain(&r, 5000);
        ASSERT_FALSE(output_relay_active(&r));
        output_relay_done(&r);
        safe_close(s[0]);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A journal gone (its socket closed): the payload's output is dropped, so
 * that its writes never wait for it; the relay goes on to the pipe's end. */
TEST(journal_gone_discards) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        int p[2], s[2];
        char chunk[4096];

        memset(chunk, 'y', sizeof chunk);
        (void) signal(SIGPIPE, SIG_IGN);        /* as systemd's IgnoreSIGPIPE= default gives cell */
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        safe_close(s[1]);
        ASSERT_OK(output_relay_start(&r, p[0], s[0]));
        for (unsigned i = 0; i < 64; i++) {
                ASSERT_EQ(write(p[1], chunk, sizeof chunk), (ssize_t) sizeof chunk);
                ASSERT_EQ(output_relay_dispatch(&r), 1);
        }
        ASSERT_TRUE(r.out_gone);
        ASSERT_EQ(r.out_error, EPIPE);
        /* Said once by the caller, not for each write that follows. */
        ASSERT_TRUE(output_relay_newly_gone(&r));
        ASSERT_FALSE(output_relay_newly_gone(&r));
        safe_close(p[1]);
        ASSERT_EQ(output_relay_dispatch(&r), 0);
        output_relay_done(&r);
        safe_close(s[0]);
}

/* An output that refuses for now (a full disk: /dev/full, copied since
 * splice() refuses it): what it refuses is dropped, said once, and the next
 * is tried, as the payload's own writes would go on; once it takes again
 * (here the same fd number, a pipe now), the output flows again. */
TEST(full_disk_drops_for_now) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        int p[2], o[2], full = open("/dev/full", O_WRONLY | O_CLOEXEC);
        char in[64] = {};

        ASSERT_TRUE(full >= 0);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_OK(output_relay_start(&r, p[0], full));
        ASSERT_EQ(write(p[1], "lost\n", 5), 5);
        ASSERT_EQ(output_relay_dispatch(&r), 1);
        ASSERT_FALSE(r.out_gone);
        ASSERT_TRUE(r.out_dropping);
        ASSERT_EQ(r.out_error, ENOSPC);
        ASSERT_FALSE(output_relay_holds(&r));
        output_relay_tell_gone(&r, "stderr");
        ASSERT_TRUE(r.out_dropping_told);
        ASSERT_FALSE(output_relay_newly_gone(&r));
        /* Space again. */
        ASSERT_EQ(pipe2(o, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(dup3(o[1], full, O_CLOEXEC), full);
        ASSERT_EQ(write(p[1], "kept\n", 5), 5);
        ASSERT_EQ(output_relay_dispatch(&r), 1);
        ASSERT_FALSE(r.out_dropping);
        ASSERT_FALSE(r.out_dropping_told);
        ASSERT_EQ(read(o[0], in, sizeof in), 5);
        ASSERT_STREQ(in, "kept\n");
        safe_close(p[1]);
        ASSERT_EQ(output_relay_dispatch(&r), 0);
        output_relay_done(&r);
        safe_close(full);
        safe_close(o[0]);
        safe_close(o[1]);
}

/* The same where splice() writes: a file at its size limit (EFBIG, as
 * ENOSPC): what splice() left in the pipe is dropped, not held there, so
 * that the payload's writes never wait for it; the relay goes on. */
TEST(file_limit_drops_for_now_splice) {
        OutputRelay r = OUTPUT_RELAY_NULL;
        char path[] = "/tmp/test-output-relay.XXXXXX", chunk[4096];
        int p[2], fd = mkostemp(path, O_CLOEXEC);
        struct rlimit old, limit;

        memset(chunk, 'e', sizeof chunk);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
        limit = (struct rlimit) { .rlim_cur = sizeof chunk, .rlim_max = old.rlim_max };
        (void) signal(SIGXFSZ, SIG_IGN);
        ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
        ASSERT_EQ(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_OK(output_relay_start(&r, p[0], fd));
        for (unsigned i = 0; i < 40; i++) {
                ASSERT_EQ(write(p[1], chunk, sizeof chunk), (ssize_t) sizeof chunk);
                ASSERT_EQ(output_relay_dispatch(&r), 1);
        }
        ASSERT_FALSE(r.copy);
        ASSERT_FALSE(r.out_gone);
        ASSERT_TRUE(r.out_dropping);
        ASSERT_EQ(r.out_error, EFBIG);
        /* The pipe is empty: nothing waits in it for a file that refuses. */
        ASSERT_EQ(read(p[0], chunk, sizeof chunk), -1);
        ASSERT_EQ(errno, EAGAIN);
        ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t) sizeof chunk);
        ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
        safe_close(p[1]);
        ASSERT_EQ(output_relay_dispatch(&r), 0);
        output_relay_done(&r);
        safe_close(fd);
}

TEST(journal_stream_by_dev_ino) {
        int s[2], p[2];
        struct stat st;
        char v[64];

        ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
        ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
        ASSERT_EQ(fstat(s[0], &st), 0);
        (void) snprintf(v, sizeof v, "%llu:%llu", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
        ASSERT_TRUE(output_relay_is_journal_stream(s[0], v));
        ASSERT_FALSE(output_relay_is_journal_stream(s[1], v));
        ASSERT_FALSE(output_relay_is_journal_stream(p[1], v));
        ASSERT_FALSE(output_relay_is_journal_stream(s[0], NULL));
        ASSERT_FALSE(output_relay_is_journal_stream(s[0], ""));
        ASSERT_FALSE(output_relay_is_journal_stream(s[0], "12"));
        ASSERT_FALSE(output_relay_is_journal_stream(s[0], "x:1"));
        (void) snprintf(v, sizeof v, "%llu:%llux", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
        ASSERT_FALSE(output_relay_is_journal_stream(s[0], v));
        safe_close(s[0]);
        safe_close(s[1]);
        safe_close(p[0]);
        safe_close(p[1]);
}
