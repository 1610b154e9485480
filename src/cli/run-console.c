/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "run-console.h"

static const char *const console_modes[_RUN_CONSOLE_MAX] = {
        [RUN_CONSOLE_INTERACTIVE] = "interactive",
        [RUN_CONSOLE_READ_ONLY]   = "read-only",
        [RUN_CONSOLE_PASSIVE]     = "passive",
        [RUN_CONSOLE_PIPE]        = "pipe",
        [RUN_CONSOLE_AUTOPIPE]    = "autopipe",
};

RunConsoleMode run_console_mode_from_string(const char *s) {
        for (int i = 0; i < _RUN_CONSOLE_MAX; i++)
                if (streq(s, console_modes[i]))
                        return (RunConsoleMode) i;
        return _RUN_CONSOLE_MAX;
}

const char *run_console_mode_to_string(RunConsoleMode m) {
        return m >= 0 && m < _RUN_CONSOLE_MAX ? console_modes[m] : NULL;
}

/* Whether we are in the foreground of FD's terminal: only there may we make
 * it raw. A background job ("cell run web &" in a shell with job control)
 * would be stopped by that (SIGTTOU), the container with it; and a terminal
 * that is not cell's to control at all (ENOTTY: "setsid cell run web" from
 * a shell) is a shell's that reads it: raw mode and cell's reads would take
 * it from that shell while the container runs. */
static bool run_console_foreground(int fd) {
        pid_t fg = tcgetpgrp(fd);

        return fg >= 0 && fg == getpgrp();
}

RunConsoleMode run_console_mode_resolve(RunConsoleMode m, bool boot) {
        bool in_tty, out_tty;

        if (m != RUN_CONSOLE_AUTOPIPE)
                return m;
        in_tty = isatty(STDIN_FILENO);
        out_tty = isatty(STDOUT_FILENO);
        if (in_tty && out_tty)
                return run_console_foreground(STDIN_FILENO) ? RUN_CONSOLE_INTERACTIVE : RUN_CONSOLE_PIPE;
        if (!boot)
                return RUN_CONSOLE_PIPE;
        /* Read-only to a terminal forwards to it raw, as interactive does. */
        return !out_tty || run_console_foreground(STDOUT_FILENO) ? RUN_CONSOLE_READ_ONLY : RUN_CONSOLE_PIPE;
}

int run_console_hold_slave(int master) {
        /* O_NOCTTY: it is no terminal of ours. */
        int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

        if (fd < 0)
                log_debug_errno(errno, "Opening the console's slave: %m");
        return fd < 0 ? -EBADF : fd;
}

bool run_console_relayed(RunConsoleMode m) {
        /* A closed stdout (cell run >&-) is left to the forwarder, which
         * reads and drops what it cannot write. */
        return m == RUN_CONSOLE_READ_ONLY && fcntl(STDOUT_FILENO, F_GETFD) >= 0 && !isatty(STDOUT_FILENO);
}

/* After every event: poll what the forwarder wants now (a full buffer
 * stops our stdin, a hung-up master stops both). */
static void run_console_refresh(RunConsole *c) {
        struct pollfd p[PTY_FORWARD_POLL_MAX];
        size_t n = pty_forward_poll_fds(&c->forward, p);
        uint32_t master_events = 0, in_events = 0, out_events = 0;

        for (size_t i = 0; i < n; i++) {
                if (p[i].fd == c->forward.master)
                        master_events = (uint32_t) p[i].events;
                else if (p[i].fd == c->forward.in && (p[i].events & POLLIN))
                        in_events = (uint32_t) p[i].events;
                else if (p[i].fd == c->forward.out && (p[i].events & POLLOUT))
                        out_events = (uint32_t) p[i].events;
        }
        if (c->master_source) {
                if (master_events)
                        (void) event_source_set_io_events(c->master_source, master_events);
                (void) event_source_set_enabled(c->master_source, master_events ? EVENT_ON : EVENT_OFF);
        }
        if (c->in_source)
                (void) event_source_set_enabled(c->in_source, in_events ? EVENT_ON : EVENT_OFF);
        if (c->out_source)
                (void) event_source_set_enabled(c->out_source, out_events ? EVENT_ON : EVENT_OFF);
}

/* ^] three times: the container goes at once, as nspawn's does, whatever
 * the payload does with signals (a PID 1 ignores ^C's SIGINT); cell exits
 * as it does for any payload killed by SIGKILL. Our input is no longer read. */
static void run_console_escape(RunConsole *c) {
        if (!c->forward.escaped || c->escape_done)
                return;
        c->escape_done = true;
        /* Cooked again, so that this message and what the payload still
         * writes come out in lines; restored (again) at the end. */
        pty_forward_suspend(&c->forward);
        log_warning("^] three times: killing the container.");
        if (c->payload_pidfd >= 0)
                (void) syscall(SYS_pidfd_send_signal, c->payload_pidfd, SIGKILL, NULL, 0);
}

static void run_console_dispatch(RunConsole *c, int fd, short events, uint32_t revents) {
        struct pollfd p = { .fd = fd, .events = events, .revents = (short) revents };

        (void) pty_forward_dispatch(&c->forward, &p, 1);
        run_console_escape(c);
        run_console_refresh(c);
}

static int on_console_io(EventSource *s, int fd, uint32_t revents, void *userdata) {
        run_console_dispatch(userdata, fd, POLLIN | POLLOUT, revents);
        return 0;
}

/* IN and OUT may be one file: each source says which it is. */
static int on_console_in(EventSource *s, int fd, uint32_t revents, void *userdata) {
        run_console_dispatch(userdata, fd, POLLIN, revents);
        return 0;
}

/* A regular file as stdin, which epoll refuses: always readable, read at
 * each turn of the loop while the pty takes what it gives. */
static int on_console_in_file(EventSource *s, void *userdata) {
        RunConsole *c = userdata;

        run_console_dispatch(c, c->forward.in, POLLIN, POLLIN);
        return 0;
}

static int on_console_out(EventSource *s, int fd, uint32_t revents, void *userdata) {
        run_console_dispatch(userdata, fd, POLLOUT, revents);
        return 0;
}

/* kill -TSTP: we stop with our terminal as it was (pty_forward_stop()); the
 * container runs on. */
static int on_console_stop(EventSource *s, const struct signalfd_siginfo *si, void *userdata) {
        RunConsole *c = userdata;

        pty_forward_stop(&c->forward, !c->escape_done);
        return 0;
}

/* Continued ("fg", or after any SIGSTOP): raw again, and the size the
 * terminal has now. A shell restores its own settings when a job stops:
 * without this, the forwarded input was echoed twice and ^C, ^Z were ours. */
static int on_console_cont(EventSource *s, const struct signalfd_siginfo *si, void *userdata) {
        RunConsole *c = userdata;

        if (!c->escape_done)
                pty_forward_resume(&c->forward);
        return 0;
}

/* Where a terminal of ours was made raw: SIGTSTP and SIGCONT read in the
 * loop (blocked, so that they are; a blocked SIGCONT still continues us). */
static void run_console_job_control(RunConsole *c, Event *event) {
        sigset_t mask;

        if (!c->forward.in_saved && !c->forward.out_saved)
                return;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTSTP);
        sigaddset(&mask, SIGCONT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
            event_add_signal(event, &c->stop_source, SIGTSTP, on_console_stop, c) < 0 ||
            event_add_signal(event, &c->cont_source, SIGCONT, on_console_cont, c) < 0)
                log_debug("No job control for the console: a stopped cell leaves the terminal raw.");
}

int run_console_start(RunConsole *c, Event *event, RunConsoleMode mode, int master, int payload_pidfd) {
        sigset_t pipe_mask;
        struct stat st;
        int r;

        /* A terminal that went away: EPIPE is enough, cell must go on
         * supervising (the payload started long before; it is not affected). */
        sigemptyset(&pipe_mask);
        sigaddset(&pipe_mask, SIGPIPE);
        (void) sigprocmask(SIG_BLOCK, &pipe_mask, NULL);

        *c = RUN_CONSOLE_NULL;
        c->mode = mode;
        c->payload_pidfd = payload_pidfd;
        c->slave = run_console_hold_slave(master);
        /* Passive: connected nowhere, its output read and dropped. Not read,
         * the pty would fill up (a few KiB) and the payload's next write to
         * its console (a booting systemd's status lines) hang for good. */
        bool passive = mode == RUN_CONSOLE_PASSIVE;
        r = pty_forward_start(&c->forward, master, passive ? -EBADF : STDIN_FILENO, passive ? -EBADF : STDOUT_FILENO,
                              mode == RUN_CONSOLE_INTERACTIVE ? PTY_FORWARD_ESCAPE : PTY_FORWARD_READ_ONLY);
        if (r < 0) {
                safe_close(master);
                return r;
        }
        r = event_add_io(event, &c->master_source, c->forward.master, POLLIN, on_console_io, c);
        if (r < 0)
                return r;
        /* A regular file as stdin (--console=interactive <input) cannot be
         * polled: read as the loop turns, then its end passed on, as a
         * pipe's. Anything else that cannot be (</dev/null): nothing read,
         * as read-only. */
        r = c->forward.in >= 0 ? event_add_io(event, &c->in_source, c->forward.in, POLLIN, on_console_in, c) : 0;
        if (r == -EPERM && fstat(c->forward.in, &st) >= 0 && S_ISREG(st.st_mode))
                r = event_add_defer(event, &c->in_source, on_console_in_file, c);
        if (r < 0) {
                log_debug_errno(r, "Standard input cannot be polled (%m): the console is read-only.");
                if (c->forward.in_fl >= 0)
                        (void) fcntl(c->forward.in, F_SETFL, c->forward.in_fl);
                c->forward.in_fl = -1;
                c->forward.in = -EBADF;
        }
        /* Polled only while it has not taken what the master gave (a
         * regular file, which cannot be, never keeps anything back). */
        if (c->forward.out >= 0 &&
            event_add_io(event, &c->out_source, c->forward.out, POLLOUT, on_console_out, c) < 0) {
                c->out_source = NULL;
                /* Not to be polled: written as it comes, blocking, then. */
                if (c->forward.out_fl >= 0)
                        (void) fcntl(c->forward.out, F_SETFL, c->forward.out_fl);
                c->forward.out_fl = -1;
        }
        run_console_job_control(c, event);
        run_console_refresh(c);
        return 0;
}

void run_console_resize(void *userdata) {
        RunConsole *c = userdata;

        pty_forward_resize(&c->forward);
}

void run_console_done(RunConsole *c) {
        c->master_source = event_source_disable_unref(c->master_source);
        c->in_source = event_source_disable_unref(c->in_source);
        c->out_source = event_source_disable_unref(c->out_source);
        c->stop_source = event_source_disable_unref(c->stop_source);
        c->cont_source = event_source_disable_unref(c->cont_source);
        pty_forward_drain(&c->forward);
        pty_forward_done(&c->forward);
        c->slave = safe_close(c->slave);
}
