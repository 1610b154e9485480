/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macros.h"
#include "pty-forward.h"

/* Whether IN and OUT are one terminal (fd 0 and 1 of a shell's, say). */
static bool pty_forward_one_terminal(const PtyForward *f) {
        struct stat a, b;

        return f->in_saved && f->out_saved && fstat(f->in, &a) >= 0 && fstat(f->out, &b) >= 0 &&
                S_ISCHR(a.st_mode) && S_ISCHR(b.st_mode) && a.st_rdev == b.st_rdev;
}

static void pty_forward_raw(PtyForward *f) {
        struct termios t;

        /* Raw input: ^C, ^Z, ^D and line editing are bytes for the
         * container's pty to interpret, in the command's session. */
        if (f->in_saved) {
                t = f->in_termios;
                cfmakeraw(&t);
                t.c_oflag = f->in_termios.c_oflag;
                (void) tcsetattr(f->in, TCSANOW, &t);
        }
        /* Raw output: the container's pty already turned "\n" into "\r\n". */
        if (f->out_saved) {
                t = f->out_termios;
                cfmakeraw(&t);
                t.c_iflag = f->out_termios.c_iflag;
                t.c_lflag = f->out_termios.c_lflag;
                if (f->in_saved)
                        t.c_lflag = 0;          /* IN and OUT may be one terminal */
                /* One terminal: its input stays raw too. Else IXON would let ^S
                 * stop our output instead of reaching the container. */
                if (pty_forward_one_terminal(f))
                        t.c_iflag = 0;
                (void) tcsetattr(f->out, TCSANOW, &t);
        }
}

/* IN and OUT non-blocking (or as they were). They are open files the shell
 * shares: while we are stopped it must find them blocking, as ssh leaves
 * them (a command it runs meanwhile would get EAGAIN), and a shell that
 * clears O_NONBLOCK itself must not leave us blocking after "fg". OUT
 * first when restoring: IN's flags are from before either was changed. */
static void pty_forward_set_nonblock(PtyForward *f, bool b) {
        if (b && f->in_fl >= 0)
                (void) fcntl(f->in, F_SETFL, f->in_fl | O_NONBLOCK);
        if (f->out_fl >= 0)
                (void) fcntl(f->out, F_SETFL, b ? f->out_fl | O_NONBLOCK : f->out_fl);
        if (!b && f->in_fl >= 0)
                (void) fcntl(f->in, F_SETFL, f->in_fl);
}

void pty_forward_suspend(PtyForward *f) {
        /* OUT first: when both are one terminal, IN's copy is the original
         * one (both were saved before either was changed). */
        if (f->out_saved)
                (void) tcsetattr(f->out, TCSANOW, &f->out_termios);
        if (f->in_saved)
                (void) tcsetattr(f->in, TCSANOW, &f->in_termios);
        pty_forward_set_nonblock(f, false);
}

void pty_forward_resume(PtyForward *f) {
        pty_forward_set_nonblock(f, true);
        pty_forward_raw(f);
        pty_forward_resize(f);
}

void pty_forward_stop(PtyForward *f, bool resume) {
        sigset_t mask;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTSTP);
        pty_forward_suspend(f);
        (void) sigprocmask(SIG_UNBLOCK, &mask, NULL);
        (void) raise(SIGTSTP);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        if (resume)
                pty_forward_resume(f);
}

void pty_forward_resize(PtyForward *f) {
        struct winsize ws;

        if (f->master < 0)
                return;
        if ((f->out >= 0 && ioctl(f->out, TIOCGWINSZ, &ws) >= 0) ||
            (f->in >= 0 && ioctl(f->in, TIOCGWINSZ, &ws) >= 0))
                (void) ioctl(f->master, TIOCSWINSZ, &ws);
}

/* Non-blocking, the flags before kept in *ret_fl: read only once both were
 * (IN and OUT may share one open file). -1: left as it was. */
static void pty_forward_nonblock(int fd, int fl, int *ret_fl) {
        *ret_fl = -1;
        if (fd >= 0 && fl >= 0 && !(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) >= 0)
                *ret_fl = fl;
}

int pty_forward_start(PtyForward *f, int master, int in, int out, PtyForwardFlags flags) {
        int fl, in_fl, out_fl;

        *f = PTY_FORWARD_NULL;
        f->flags = flags;
        /* Ours alone, so non-blocking is safe: a command that does not read
         * its input must not block us from reading its output. */
        fl = fcntl(master, F_GETFL);
        if (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0)
                return negative_errno();
        f->master = master;
        f->in = flags & PTY_FORWARD_READ_ONLY ? -EBADF : in;
        f->out = out;
        /* Both saved before either is changed: they may be one terminal. */
        f->in_tty = f->in >= 0 && isatty(f->in);
        if (f->in_tty)
                f->in_saved = tcgetattr(f->in, &f->in_termios) >= 0;
        if (f->out >= 0 && isatty(f->out))
                f->out_saved = tcgetattr(f->out, &f->out_termios) >= 0;
        /* A write to OUT must never block us: a terminal stopped by ^S, or a
         * pipe nobody reads, would stop cell's loop (signals, sd_notify, the
         * watchdog) with it. What OUT does not take waits, and the master with
         * it, as systemd's ptyfwd.c polls its output. A regular file never
         * says EAGAIN: it is simply written. */
        in_fl = f->in >= 0 ? fcntl(f->in, F_GETFL) : -1;
        out_fl = f->out >= 0 ? fcntl(f->out, F_GETFL) : -1;
        pty_forward_nonblock(f->in, in_fl, &f->in_fl);
        pty_forward_nonblock(f->out, out_fl, &f->out_fl);
        pty_forward_raw(f);
        pty_forward_resize(f);
        return 0;
}

void pty_forward_done(PtyForward *f) {
        pty_forward_suspend(f);
        f->in_saved = f->out_saved = false;
        f->in_fl = f->out_fl = -1;
        f->n_obuf = 0;
        f->master = safe_close(f->master);
}

/* IN ended, is no terminal, and all it gave is in the pty: its end is due. */
static bool pty_forward_eof_due(const PtyForward *f) {
        return f->in_eof && !f->in_tty && !f->eof_sent && f->n_buf == 0 && !(f->flags & PTY_FORWARD_READ_ONLY);
}

/* The pty's end-of-input character, in canonical mode (a command in raw
 * mode reads bytes, not lines: there is no end to give it then). Twice
 * after a partial line: the first ends that line, unterminated, as a
 * read() of it; the second is the end. */
static void pty_forward_send_eof(PtyForward *f) {
        struct termios t;
        char eof[2];
        ssize_t k;

        if (tcgetattr(f->master, &t) < 0 || !(t.c_lflag & ICANON) || t.c_cc[VEOF] == _POSIX_VDISABLE) {
                f->eof_sent = true;
                return;
        }
        if (f->eof_left == 0)
                f->eof_left = f->line_start ? 1 : 2;
        eof[0] = eof[1] = (char) t.c_cc[VEOF];
        k = write(f->master, eof, f->eof_left);
        /* A full pty (its reader slow, POLLOUT stale) takes it at the next
         * POLLOUT: a VEOF dropped would leave the command waiting for an
         * input that has ended. */
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (k <= 0) {
                f->eof_sent = true;     /* EIO: nobody reads it any more */
                return;
        }
        f->eof_left -= (unsigned) k;
        f->eof_sent = f->eof_left == 0;
}

size_t pty_forward_poll_fds(const PtyForward *f, struct pollfd *p) {
        size_t n = 0;

        /* The master is left alone while OUT has not taken what it gave:
         * then the container's writes wait, not we. */
        if (f->master >= 0 && !f->master_eof && f->n_obuf == 0)
                p[n++] = (struct pollfd) { .fd = f->master,
                                           .events = POLLIN | (f->n_buf > 0 || pty_forward_eof_due(f) ? POLLOUT : 0) };
        /* Stop reading while the pty does not take what we have. */
        if (f->in >= 0 && !f->in_eof && f->n_buf < sizeof f->buf && !f->master_eof)
                p[n++] = (struct pollfd) { .fd = f->in, .events = POLLIN };
        if (f->n_obuf > 0)
                p[n++] = (struct pollfd) { .fd = f->out, .events = POLLOUT };
        return n;
}

/* As much of obuf as OUT takes now; the rest waits for its POLLOUT. */
static void pty_forward_flush_out(PtyForward *f) {
        while (f->n_obuf > 0) {
                ssize_t k;

                if (f->out_gone || f->out < 0) {
                        f->n_obuf = 0;
                        return;
                }
                k = write(f->out, f->obuf, f->n_obuf);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return;
                if (k <= 0) {
                        f->out_gone = true;     /* EPIPE, EIO: nobody reads any more */
                        f->n_obuf = 0;
                        return;
                }
                memmove(f->obuf, f->obuf + k, f->n_obuf - (size_t) k);
                f->n_obuf -= (size_t) k;
        }
}

/* One read from the master, once OUT took all before: > 0 bytes read, 0
 * when nothing is there now (or OUT has not taken the last), -EIO once
 * every slave fd is closed and everything is read. */
static int pty_forward_read_master(PtyForward *f) {
        ssize_t k;

        if (f->n_obuf > 0)
                return 0;
        k = read(f->master, f->obuf, sizeof f->obuf);
        if (k > 0) {
                f->n_obuf = (size_t) k;
                pty_forward_flush_out(f);
                return (int) k;
        }
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        f->master_eof = true;
        return -EIO;
}

static uint64_t pty_forward_now_msec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* PTY_FORWARD_ESCAPE: whether BUF, just typed, ends three ^] (0x1d) in a row
 * within a second, as systemd-nspawn's and systemd-run --pty's escape: a
 * way out of a payload that takes ^C as nothing (a PID 1 without a handler
 * ignores SIGINT). Only on a terminal: piped input is data, passed on. */
static bool pty_forward_look_for_escape(PtyForward *f, const char *buf, size_t n) {
        if (!(f->flags & PTY_FORWARD_ESCAPE) || !f->in_tty)
                return false;
        for (size_t i = 0; i < n; i++) {
                uint64_t now;

                if (buf[i] != 0x1d) {
                        f->escape_count = 0;
                        continue;
                }
                now = pty_forward_now_msec();
                if (f->escape_count == 0 || now > f->escape_first_msec + 1000) {
                        f->escape_first_msec = now;
                        f->escape_count = 1;
                } else if (++f->escape_count >= 3)
                        return true;
        }
        return false;
}

int pty_forward_dispatch(PtyForward *f, const struct pollfd *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (p[i].fd == f->master && p[i].revents) {
                        if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
                                (void) pty_forward_read_master(f);
                        if (!f->master_eof && (p[i].revents & POLLOUT) && f->n_buf > 0) {
                                ssize_t k = write(f->master, f->buf, f->n_buf);
                                if (k > 0) {
                                        f->line_start = f->buf[k - 1] == '\n';
                                        memmove(f->buf, f->buf + k, f->n_buf - (size_t) k);
                                        f->n_buf -= (size_t) k;
                                } else if (k < 0 && errno != EAGAIN && errno != EINTR)
                                        f->n_buf = 0;
                        }
                        if (!f->master_eof && (p[i].revents & POLLOUT) && pty_forward_eof_due(f))
                                pty_forward_send_eof(f);
                        continue;
                }
                /* IN and OUT may be one fd: each for its own events. */
                if (p[i].fd == f->out && (p[i].events & POLLOUT) && p[i].revents)
                        pty_forward_flush_out(f);
                if (p[i].fd == f->in && (p[i].events & POLLIN) && p[i].revents) {
                        ssize_t k = read(f->in, f->buf + f->n_buf, sizeof f->buf - f->n_buf);
                        if (k > 0 && pty_forward_look_for_escape(f, f->buf + f->n_buf, (size_t) k)) {
                                f->escaped = f->in_eof = true;  /* what came with it is not passed on */
                                continue;
                        }
                        if (k > 0)
                                f->n_buf += (size_t) k;
                        else if (k == 0 || (errno != EAGAIN && errno != EINTR))
                                f->in_eof = true;       /* EOF, or EIO: our terminal hung up */
                }
        }
        return 0;
}

void pty_forward_drain(PtyForward *f) {
        /* The kernel passes what the last slave fd wrote before it was
         * closed, then EIO; a process still holding the slave (one the
         * command left behind) is not waited for: a short pause, then we
         * go, and never later than the deadline, even if it keeps writing
         * or OUT keeps taking nothing. */
        uint64_t deadline = pty_forward_now_msec() + 3000;

        while (f->master >= 0 && (!f->master_eof || f->n_obuf > 0)) {
                bool out = f->n_obuf > 0;
                struct pollfd p = { .fd = out ? f->out : f->master, .events = out ? POLLOUT : POLLIN };
                uint64_t now = pty_forward_now_msec();

                /* A pause of the master's is a process left holding the
                 * slave; OUT's, a reader that is slow for a moment (a pipe
                 * to a busy one, a terminal over a slow link): that is
                 * waited for to the deadline, or the last output was lost. */
                if (now >= deadline || poll(&p, 1, out ? (int) (deadline - now) : 100) <= 0)
                        break;
                if (out)
                        pty_forward_flush_out(f);
                else if (pty_forward_read_master(f) <= 0)
                        break;
        }
}
