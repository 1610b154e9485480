/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Forwards between our terminal (or whatever stdin/stdout are) and the
 * master of a pseudo-terminal whose slave a container process holds, as
 * systemd's ptyforward does for systemd-run --pty and machinectl shell.
 * Our own terminal is put in raw mode while forwarding: the container's pty
 * does the line editing and signal characters, for its own session. No
 * callbacks, no event loop: the caller polls the fds it is given among its
 * own (a pidfd, a signalfd) and hands the results back. */

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

typedef enum PtyForwardFlags {
        PTY_FORWARD_READ_ONLY = 1 << 0,        /* output only; our stdin is not read */
        PTY_FORWARD_ESCAPE    = 1 << 1,        /* ^] three times within a second on a terminal IN: escaped */
} PtyForwardFlags;

#define PTY_FORWARD_POLL_MAX 3

typedef struct PtyForward {
        int master;                     /* owned, non-blocking */
        int in, out;                    /* not owned; -EBADF: not forwarded */
        PtyForwardFlags flags;
        bool in_saved, out_saved;       /* termios saved, to restore */
        struct termios in_termios, out_termios;
        int in_fl, out_fl;              /* file status flags before O_NONBLOCK, to restore; -1: unchanged */
        bool in_eof, master_eof;
        bool in_tty;                    /* IN is a terminal: its end is a hang-up, not an EOF to pass on */
        bool eof_sent;                  /* IN's end passed on as the pty's VEOF */
        unsigned eof_left;              /* VEOF bytes still to write (a write took fewer, or none) */
        bool line_start;                /* the last byte written to the master ended a line (or none yet) */
        bool out_gone;                  /* output failed (EPIPE): discarded from then on */
        unsigned escape_count;          /* ^] in a row, the first at escape_first_msec */
        uint64_t escape_first_msec;
        bool escaped;                   /* PTY_FORWARD_ESCAPE: typed; IN is not read (nor passed on) any more */
        size_t n_buf;
        char buf[4096];                 /* read from in, not yet written to master */
        size_t n_obuf;
        char obuf[4096];                /* read from master, not yet taken by out */
} PtyForward;

#define PTY_FORWARD_NULL ((PtyForward) { .master = -EBADF, .in = -EBADF, .out = -EBADF, .in_fl = -1, .out_fl = -1, \
                                          .line_start = true })

/* Takes MASTER; puts the terminal(s) of IN and OUT in raw mode and passes
 * OUT's window size on. An IN that is no terminal (a pipe, a file) and
 * ends is passed on as an end of input: the pty's VEOF character, as the
 * command would see its input end without a pty ("echo x | cell exec -t
 * web cat" ends). On failure the terminal is as it was. IN and OUT
 * are made non-blocking until pty_forward_done(): an OUT that takes
 * nothing (a terminal stopped by ^S, a pipe nobody reads) makes the master
 * wait, never the caller, whose loop also serves signals and sd_notify. */
int pty_forward_start(PtyForward *f, int master, int in, int out, PtyForwardFlags flags);
/* Restores the terminal and closes the master; safe to call twice. */
void pty_forward_done(PtyForward *f);

/* The fds to poll now (at most PTY_FORWARD_POLL_MAX), into P; returns how many. */
size_t pty_forward_poll_fds(const PtyForward *f, struct pollfd *p);
/* Acts on what poll() said of the fds pty_forward_poll_fds() gave (OUT is
 * among them, for POLLOUT, only while it has not taken all the master gave). */
int pty_forward_dispatch(PtyForward *f, const struct pollfd *p, size_t n);
/* After the process on the slave exited: what it wrote and we did not read
 * yet, for as long as it comes without a pause, a few seconds at most. */
void pty_forward_drain(PtyForward *f);

/* SIGWINCH: OUT's (else IN's) window size to the pty, whose foreground
 * process group the kernel sends SIGWINCH to. */
void pty_forward_resize(PtyForward *f);
/* Our terminal as it was, IN and OUT blocking again (before we stop), and
 * raw and non-blocking again (after SIGCONT). */
void pty_forward_suspend(PtyForward *f);
void pty_forward_resume(PtyForward *f);
/* kill -TSTP while our terminal is raw (^Z is a byte for the pty): we stop,
 * as ssh does, with our terminal as it was, so that the shell that gets it
 * back does not find it raw. SIGTSTP's own default action does it (SIGTSTP
 * is blocked and read from a signalfd; unblocked for a moment here): where
 * our process group is orphaned (no shell would ever continue us) the kernel
 * drops it. Continued (or never stopped), raw again if resume. */
void pty_forward_stop(PtyForward *f, bool resume);
