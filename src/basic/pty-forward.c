/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "macros.h"
#include "pty-forward.h"

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
                (void) tcsetattr(f->out, TCSANOW, &t);
        }
}

void pty_forward_suspend(PtyForward *f) {
        /* OUT first: when both are one terminal, IN's copy is the original
         * one (both were saved before either was changed). */
        if (f->out_saved)
                (void) tcsetattr(f->out, TCSANOW, &f->out_termios);
        if (f->in_saved)
                (void) tcsetattr(f->in, TCSANOW, &f->in_termios);
}

void pty_forward_resume(PtyForward *f) {
        pty_forward_raw(f);
        pty_forward_resize(f);
}

void pty_forward_resize(PtyForward *f) {
        struct winsize ws;

        if (f->master < 0)
                return;
        if ((f->out >= 0 && ioctl(f->out, TIOCGWINSZ, &ws) >= 0) ||
            (f->in >= 0 && ioctl(f->in, TIOCGWINSZ, &ws) >= 0))
                (void) ioctl(f->master, TIOCSWINSZ, &ws);
}

int pty_forward_start(PtyForward *f, int master, int in, int out, PtyForwardFlags flags) {
        int fl;

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
        if (f->in >= 0 && isatty(f->in))
                f->in_saved = tcgetattr(f->in, &f->in_termios) >= 0;
        if (f->out >= 0 && isatty(f->out))
                f->out_saved = tcgetattr(f->out, &f->out_termios) >= 0;
        pty_forward_raw(f);
        pty_forward_resize(f);
        return 0;
}

void pty_forward_done(PtyForward *f) {
        pty_forward_suspend(f);
        f->in_saved = f->out_saved = false;
        f->master = safe_close(f->master);
}

size_t pty_forward_poll_fds(const PtyForward *f, struct pollfd *p) {
        size_t n = 0;

        if (f->master >= 0 && !f->master_eof)
                p[n++] = (struct pollfd) { .fd = f->master, .events = POLLIN | (f->n_buf > 0 ? POLLOUT : 0) };
        /* Stop reading while the pty does not take what we have. */
        if (f->in >= 0 && !f->in_eof && f->n_buf < sizeof f->buf && !f->master_eof)
                p[n++] = (struct pollfd) { .fd = f->in, .events = POLLIN };
        return n;
}

static void pty_forward_write_out(PtyForward *f, const char *p, size_t n) {
        while (n > 0 && !f->out_gone && f->out >= 0) {
                ssize_t k = write(f->out, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN) {
                        struct pollfd w = { .fd = f->out, .events = POLLOUT };
                        (void) poll(&w, 1, -1);
                        continue;
                }
                if (k <= 0) {
                        f->out_gone = true;     /* EPIPE, EIO: nobody reads any more */
                        return;
                }
                p += k;
                n -= (size_t) k;
        }
}

/* One read from the master: > 0 bytes forwarded, 0 when nothing is there
 * now, -EIO once every slave fd is closed and everything is read. */
static int pty_forward_read_master(PtyForward *f) {
        char b[4096];
        ssize_t k = read(f->master, b, sizeof b);

        if (k > 0) {
                pty_forward_write_out(f, b, (size_t) k);
                return (int) k;
        }
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        f->master_eof = true;
        return -EIO;
}

int pty_forward_dispatch(PtyForward *f, const struct pollfd *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (p[i].fd == f->master && p[i].revents) {
                        if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
                                (void) pty_forward_read_master(f);
                        if (!f->master_eof && (p[i].revents & POLLOUT) && f->n_buf > 0) {
                                ssize_t k = write(f->master, f->buf, f->n_buf);
                                if (k > 0) {
                                        memmove(f->buf, f->buf + k, f->n_buf - (size_t) k);
                                        f->n_buf -= (size_t) k;
                                } else if (k < 0 && errno != EAGAIN && errno != EINTR)
                                        f->n_buf = 0;
                        }
                } else if (p[i].fd == f->in && p[i].revents) {
                        ssize_t k = read(f->in, f->buf + f->n_buf, sizeof f->buf - f->n_buf);
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
         * command left behind) is not waited for: a short pause, then we go. */
        while (f->master >= 0 && !f->master_eof) {
                struct pollfd p = { .fd = f->master, .events = POLLIN };
                if (poll(&p, 1, 100) <= 0)
                        break;
                if (pty_forward_read_master(f) <= 0)
                        break;
        }
}
