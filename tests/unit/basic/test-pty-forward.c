/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pty-forward.c on a pty of our own: an output that takes nothing never
 * blocks the caller, and the terminal is left as it was. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "pty-forward.h"
#include "test.h"

/* A new pty: its master (non-blocking, as cell gets one) and its slave. */
static void pty_new(int *ret_master, int *ret_slave) {
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

        ASSERT_TRUE(master >= 0);
        ASSERT_EQ(unlockpt(master), 0);
        *ret_slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        ASSERT_TRUE(*ret_slave >= 0);
        *ret_master = master;
}

static const struct pollfd *polled(const struct pollfd *p, size_t n, int fd, short events) {
        for (size_t i = 0; i < n; i++)
                if (p[i].fd == fd && (p[i].events & events))
                        return p + i;
        return NULL;
}

/* A pipe nobody reads as the output (a terminal stopped by ^S is the
 * same): forwarding goes on without ever blocking, the container's pty
 * fills up instead, and what waited comes out in order once read. */
TEST(output_never_blocks) {
        PtyForward f = PTY_FORWARD_NULL;
        struct pollfd p[PTY_FORWARD_POLL_MAX];
        int master, slave, out[2];
        size_t written = 0, n;
        char chunk[1024];

        pty_new(&master, &slave);
        ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
        ASSERT_TRUE(fcntl(out[0], F_SETPIPE_SZ, 4096) > 0);
        /* A blocking write would hang here: the test fails by the alarm. */
        alarm(20);
        ASSERT_OK(pty_forward_start(&f, master, -EBADF, out[1], PTY_FORWARD_READ_ONLY));
        ASSERT_TRUE(fcntl(out[1], F_GETFL) & O_NONBLOCK);

        for (unsigned i = 0; i < 100; i++) {
                ssize_t k;

                for (size_t j = 0; j < sizeof chunk; j++)
                        chunk[j] = (char) ('a' + (written + j) % 26);
                k = write(slave, chunk, sizeof chunk);
                if (k > 0)
                        written += (size_t) k;
                n = pty_forward_poll_fds(&f, p);
                if (poll(p, n, 5) > 0)
                        ASSERT_OK(pty_forward_dispatch(&f, p, n));
        }
        /* More than the pipe holds was written: the rest waits, the master
         * is not read meanwhile, and OUT is polled for room. */
        ASSERT_TRUE(written > 8192);
        n = pty_forward_poll_fds(&f, p);
        ASSERT_NOT_NULL(polled(p, n, out[1], POLLOUT));
        ASSERT_NULL(polled(p, n, master, POLLIN));

        /* Read: the bytes come in the order written, none lost on the way. */
        char got[4096];
        ssize_t k = read(out[0], got, sizeof got);
        ASSERT_TRUE(k > 0);
        for (ssize_t j = 0; j < k; j++)
                ASSERT_EQ(got[j], 'a' + j % 26);
        n = pty_forward_poll_fds(&f, p);
        ASSERT_TRUE(poll(p, n, 1000) > 0);
        ASSERT_OK(pty_forward_dispatch(&f, p, n));
        ASSERT_TRUE(read(out[0], got, sizeof got) > 0);

        /* The output as it was before: blocking again. */
        pty_forward_done(&f);
        ASSERT_FALSE(fcntl(out[1], F_GETFL) & O_NONBLOCK);
        alarm(0);
        safe_close(slave);
        safe_close(out[0]);
        safe_close(out[1]);
}

/* IN and OUT one terminal: its input is raw as a whole (^S and ^Q reach
 * the container instead of stopping our output), and restored after. */
TEST(one_terminal_raw) {
        PtyForward f = PTY_FORWARD_NULL;
        int master, slave, term_master, term;
        struct termios t;

        pty_new(&master, &slave);
        pty_new(&term_master, &term);
        ASSERT_EQ(tcgetattr(term, &t), 0);
        t.c_iflag |= IXON | ICRNL;
        ASSERT_EQ(tcsetattr(term, TCSANOW, &t), 0);
        int copy = fcntl(term, F_DUPFD_CLOEXEC, 3);
        ASSERT_TRUE(copy >= 0);

        ASSERT_OK(pty_forward_start(&f, master, term, copy, 0));
        ASSERT_EQ(tcgetattr(term, &t), 0);
        ASSERT_FALSE(t.c_iflag & IXON);
        ASSERT_FALSE(t.c_iflag & ICRNL);
        ASSERT_FALSE(t.c_lflag & (ICANON | ECHO | ISIG));
        pty_forward_done(&f);
        ASSERT_EQ(tcgetattr(term, &t), 0);
        ASSERT_TRUE(t.c_iflag & IXON);
        ASSERT_TRUE(t.c_iflag & ICRNL);
        ASSERT_TRUE(t.c_lflag & ICANON);
        safe_close(copy);
        safe_close(term);
        safe_close(term_master);
        safe_close(slave);
}

/* Runs the forwarding until nothing is left to do for a while. */
static void forward_idle(PtyForward *f) {
        struct pollfd p[PTY_FORWARD_POLL_MAX];
        size_t n;

        for (unsigned i = 0; i < 50; i++) {
                n = pty_forward_poll_fds(f, p);
                if (n == 0 || poll(p, n, 20) <= 0)
                        return;
                ASSERT_OK(pty_forward_dispatch(f, p, n));
        }
}

/* Input from a pipe that ends ("echo x | cell exec -t web cat"): the
 * command reads what came, then the end of its input -- the pty's VEOF,
 * twice after a partial line. */
TEST(pipe_end_is_eof) {
        PtyForward f = PTY_FORWARD_NULL;
        int master, slave, in[2], out[2];
        char got[64];

        pty_new(&master, &slave);
        ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
        ASSERT_EQ(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
        ASSERT_EQ(write(in[1], "one\ntwo", 7), 7);
        safe_close(in[1]);
        alarm(20);
        ASSERT_OK(pty_forward_start(&f, master, in[0], out[1], 0));
        forward_idle(&f);
        ASSERT_TRUE(f.eof_sent);
        /* The slave in canonical mode: a line, the partial one, then 0. */
        ASSERT_EQ(read(slave, got, sizeof got), 4);
        ASSERT_EQ(memcmp(got, "one\n", 4), 0);
        ASSERT_EQ(read(slave, got, sizeof got), 3);
        ASSERT_EQ(memcmp(got, "two", 3), 0);
        ASSERT_EQ(read(slave, got, sizeof got), 0);
        pty_forward_done(&f);
        alarm(0);
        safe_close(slave);
        safe_close(in[0]);
        safe_close(out[0]);
        safe_close(out[1]);
}

/* A terminal as IN that hangs up is no end of input to pass on, and a
 * command that put its pty in raw mode gets no VEOF byte it would read
 * as data. */
TEST(no_eof_from_terminal_or_into_raw) {
        PtyForward f = PTY_FORWARD_NULL;
        int master, slave, term_master, term, in[2], out[2];
        struct termios t;
        char got[8];

        pty_new(&master, &slave);
        pty_new(&term_master, &term);
        ASSERT_EQ(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
        alarm(20);
        ASSERT_OK(pty_forward_start(&f, master, term, out[1], 0));
        safe_close(term_master);        /* our terminal hangs up */
        forward_idle(&f);
        ASSERT_TRUE(f.in_eof);
        ASSERT_FALSE(f.eof_sent);
        ASSERT_TRUE(read(slave, got, sizeof got) < 0 && errno == EAGAIN);
        pty_forward_done(&f);
        safe_close(term);
        safe_close(slave);

        pty_new(&master, &slave);
        ASSERT_EQ(tcgetattr(slave, &t), 0);
        cfmakeraw(&t);
        ASSERT_EQ(tcsetattr(slave, TCSANOW, &t), 0);
        ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
        ASSERT_EQ(write(in[1], "x", 1), 1);
        safe_close(in[1]);
        ASSERT_OK(pty_forward_start(&f, master, in[0], out[1], 0));
        forward_idle(&f);
        ASSERT_TRUE(f.eof_sent);
        ASSERT_EQ(read(slave, got, sizeof got), 1);
        ASSERT_TRUE(read(slave, got, sizeof got) < 0 && errno == EAGAIN);
        pty_forward_done(&f);
        alarm(0);
        safe_close(slave);
        safe_close(in[0]);
        safe_close(out[0]);
        safe_close(out[1]);
}

/* The end of a piped input when the pty takes nothing right now (its
 * command slow to read, the POLLOUT seen stale): the VEOF waits for the
 * next POLLOUT instead of being dropped, and the command still sees its
 * input end once it reads. */
TEST(eof_waits_for_a_full_pty) {
        PtyForward f = PTY_FORWARD_NULL;
        int master, slave, in[2], out[2];
        char line[64], got[4096];
        struct pollfd p = {};
        struct termios t;
        size_t filled = 0, off = 0;
        ssize_t k;

        pty_new(&master, &slave);
        ASSERT_EQ(tcgetattr(slave, &t), 0);
        t.c_lflag &= ~(tcflag_t) ECHO;
        ASSERT_EQ(tcsetattr(slave, TCSANOW, &t), 0);
        ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
        ASSERT_EQ(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
        safe_close(in[1]);
        alarm(20);
        ASSERT_OK(pty_forward_start(&f, master, in[0], out[1], 0));
        /* Lines nobody reads, until the pty takes no more, even a moment
         * later (the kernel moves what it took on to the line discipline
         * in the background, making room until that is full too). */
        memset(line, 'x', sizeof line - 1);
        line[sizeof line - 1] = '\n';
        for (bool more = true; more;) {
                more = false;
                while ((k = write(master, line + off, sizeof line - off)) > 0) {
                        filled += (size_t) k;
                        off = (off + (size_t) k) % sizeof line;
                        more = true;
                }
                ASSERT_TRUE(k < 0 && errno == EAGAIN);
                usleep(50 * 1000);
        }
        /* As the forwarder would know, had it written them. */
        f.line_start = off == 0;
        ASSERT_TRUE(filled > 0);
        /* IN has ended: read that, then a POLLOUT that is stale. */
        forward_idle(&f);
        ASSERT_TRUE(f.in_eof);
        p = (struct pollfd) { .fd = master, .events = POLLIN | POLLOUT, .revents = POLLOUT };
        ASSERT_OK(pty_forward_dispatch(&f, &p, 1));
        ASSERT_FALSE(f.eof_sent);
        /* The command reads: every line, then the end of its input. */
        for (;;) {
                k = read(slave, got, sizeof got);
                if (k > 0) {
                        ASSERT_TRUE(filled >= (size_t) k);
                        filled -= (size_t) k;
                        continue;
                }
                if (k == 0)
                        break;
                ASSERT_TRUE(errno == EAGAIN);
                forward_idle(&f);
                if (f.eof_sent && filled == 0) {
                        ASSERT_EQ(read(slave, got, sizeof got), 0);
                        break;
                }
                ASSERT_TRUE(filled > 0 || !f.eof_sent);
        }
        ASSERT_EQ((int) filled, 0);
        ASSERT_TRUE(f.eof_sent);
        pty_forward_done(&f);
        alarm(0);
        safe_close(slave);
        safe_close(in[0]);
        safe_close(out[0]);
        safe_close(out[1]);
}

/* The command exited while its reader is slow for a moment (a pipe to a
 * busy reader, a terminal over a slow link: 0.5 s, longer than the pause a
 * process left on the slave is given): its last output waits for that
 * reader, and arrives. */
TEST(drain_waits_for_a_slow_reader) {
        PtyForward f = PTY_FORWARD_NULL;
        int master, slave, out[2], status = 0;
        char chunk[1024];
        size_t written = 0;
        pid_t pid;

        pty_new(&master, &slave);
        ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
        ASSERT_TRUE(fcntl(out[0], F_SETPIPE_SZ, 4096) > 0);
        memset(chunk, 'q', sizeof chunk);
        for (unsigned i = 0; i < 12; i++) {
                ssize_t k = write(slave, chunk, sizeof chunk);

                if (k > 0)
                        written += (size_t) k;
        }
        ASSERT_TRUE(written > 8192);
        safe_close(slave);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                size_t got = 0;
                ssize_t k;

                safe_close(out[1]);
                (void) nanosleep(&(struct timespec) { .tv_nsec = 500000000 }, NULL);
                while ((k = read(out[0], chunk, sizeof chunk)) > 0)
                        got += (size_t) k;
                _exit(got == written ? 0 : 1);
        }
        safe_close(out[0]);
        alarm(20);
        ASSERT_OK(pty_forward_start(&f, master, -EBADF, out[1], PTY_FORWARD_READ_ONLY));
        pty_forward_drain(&f);
        ASSERT_TRUE(f.master_eof);
        ASSERT_EQ((int) f.n_obuf, 0);
        pty_forward_done(&f);
        safe_close(out[1]);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        alarm(0);
}

/* PTY_FORWARD_ESCAPE: ^] three times within a second, typed on a terminal,
 * is the escape (not passed on; our input is not read any more); on a
 * pipe it is data, and without the flag (cell exec -t) too. */
TEST(escape_typed_on_a_terminal) {
        PtyForward f = PTY_FORWARD_NULL;
        int master, slave, term_master, term, in[2], out[2];
        char got[64];

        ASSERT_EQ(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
        alarm(20);
        for (unsigned flags = 0; flags <= PTY_FORWARD_ESCAPE; flags += PTY_FORWARD_ESCAPE) {
                struct termios t;

                pty_new(&master, &slave);
                pty_new(&term_master, &term);
                /* The command reads bytes, not lines. */
                ASSERT_EQ(tcgetattr(slave, &t), 0);
                cfmakeraw(&t);
                ASSERT_EQ(tcsetattr(slave, TCSANOW, &t), 0);
                ASSERT_OK(pty_forward_start(&f, master, term, out[1], flags));
                /* Two, a pause longer than a second, then two: no escape. */
                ASSERT_EQ(write(term_master, "a\x1d\x1d", 3), 3);
                forward_idle(&f);
                (void) nanosleep(&(struct timespec) { .tv_sec = 1, .tv_nsec = 100000000 }, NULL);
                ASSERT_EQ(write(term_master, "\x1d\x1d", 2), 2);
                forward_idle(&f);
                ASSERT_FALSE(f.escaped);
                ASSERT_EQ(read(slave, got, sizeof got), 5);
                /* The third within the second. */
                ASSERT_EQ(write(term_master, "\x1d", 1), 1);
                forward_idle(&f);
                ASSERT_EQ(f.escaped, flags == PTY_FORWARD_ESCAPE);
                ASSERT_EQ(read(slave, got, sizeof got), flags == PTY_FORWARD_ESCAPE ? -1 : 1);
                pty_forward_done(&f);
                safe_close(term);
                safe_close(term_master);
                safe_close(slave);
        }

        /* From a pipe: bytes like any other. */
        pty_new(&master, &slave);
        struct termios t;
        ASSERT_EQ(tcgetattr(slave, &t), 0);
        cfmakeraw(&t);
        ASSERT_EQ(tcsetattr(slave, TCSANOW, &t), 0);
        ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
        ASSERT_EQ(write(in[1], "\x1d\x1d\x1d\x1d", 4), 4);
        ASSERT_OK(pty_forward_start(&f, master, in[0], out[1], PTY_FORWARD_ESCAPE));
        forward_idle(&f);
        ASSERT_FALSE(f.escaped);
        ASSERT_EQ(read(slave, got, sizeof got), 4);
        pty_forward_done(&f);
        alarm(0);
        safe_close(slave);
        safe_close(in[0]);
        safe_close(in[1]);
        safe_close(out[0]);
        safe_close(out[1]);
}

/* Stopped (SIGTSTP), IN and OUT are blocking again: they are open files the
 * shell shares, and a command it runs meanwhile would get EAGAIN. A shell
 * that clears O_NONBLOCK itself (bash, dash do) does not leave them
 * blocking once we go on. */
TEST(suspend_gives_back_blocking) {
        PtyForward f = PTY_FORWARD_NULL;
        int master, slave, in[2], out[2];

        pty_new(&master, &slave);
        ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
        ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
        ASSERT_OK(pty_forward_start(&f, master, in[0], out[1], 0));
        ASSERT_TRUE(fcntl(in[0], F_GETFL) & O_NONBLOCK);
        ASSERT_TRUE(fcntl(out[1], F_GETFL) & O_NONBLOCK);
        pty_forward_suspend(&f);
        ASSERT_FALSE(fcntl(in[0], F_GETFL) & O_NONBLOCK);
        ASSERT_FALSE(fcntl(out[1], F_GETFL) & O_NONBLOCK);
        pty_forward_resume(&f);
        ASSERT_TRUE(fcntl(in[0], F_GETFL) & O_NONBLOCK);
        ASSERT_TRUE(fcntl(out[1], F_GETFL) & O_NONBLOCK);
        pty_forward_done(&f);
        ASSERT_FALSE(fcntl(in[0], F_GETFL) & O_NONBLOCK);
        ASSERT_FALSE(fcntl(out[1], F_GETFL) & O_NONBLOCK);
        safe_close(slave);
        safe_close(in[0]);
        safe_close(in[1]);
        safe_close(out[0]);
        safe_close(out[1]);
}
