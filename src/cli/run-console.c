/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
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

RunConsoleMode run_console_mode_resolve(RunConsoleMode m) {
        if (m != RUN_CONSOLE_AUTOPIPE)
                return m;
        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
                return RUN_CONSOLE_PIPE;
        /* Only in the foreground of its controlling terminal. A background job
         * there ("cell run web &" in a shell with job control) would be stopped
         * by raw mode (SIGTTOU), the container with it; and a terminal that is
         * not cell's to control at all (ENOTTY: "setsid cell run web" from a
         * shell) is a shell's that reads it: raw mode and cell's reads would
         * take it from that shell while the container runs. */
        pid_t fg = tcgetpgrp(STDIN_FILENO);
        return fg >= 0 && fg == getpgrp() ? RUN_CONSOLE_INTERACTIVE : RUN_CONSOLE_PIPE;
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

static void run_console_dispatch(RunConsole *c, int fd, short events, uint32_t revents) {
        struct pollfd p = { .fd = fd, .events = events, .revents = (short) revents };

        (void) pty_forward_dispatch(&c->forward, &p, 1);
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

static int on_console_out(EventSource *s, int fd, uint32_t revents, void *userdata) {
        run_console_dispatch(userdata, fd, POLLOUT, revents);
        return 0;
}

int run_console_start(RunConsole *c, Event *event, RunConsoleMode mode, int master) {
        sigset_t pipe_mask;
        int r;

        /* A terminal that went away: EPIPE is enough, cell must go on
         * supervising (the payload started long before; it is not affected). */
        sigemptyset(&pipe_mask);
        sigaddset(&pipe_mask, SIGPIPE);
        (void) sigprocmask(SIG_BLOCK, &pipe_mask, NULL);

        *c = RUN_CONSOLE_NULL;
        c->mode = mode;
        if (mode == RUN_CONSOLE_PASSIVE) {
                c->master = master;
                return 0;
        }
        /* A slave of our own, for as long as we forward: the master says EIO
         * once no slave is open, and the forwarding would end there for good,
         * though the payload only closed its console to open it again (an
         * init such as systemd opens /dev/console for each message; nspawn
         * ignores the hang-up for that). O_NOCTTY: it is no terminal of ours. */
        c->slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (c->slave < 0)
                log_debug_errno(errno, "Opening the console's slave: %m");
        r = pty_forward_start(&c->forward, master, STDIN_FILENO, STDOUT_FILENO,
                              mode == RUN_CONSOLE_READ_ONLY ? PTY_FORWARD_READ_ONLY : 0);
        if (r < 0) {
                safe_close(master);
                return r;
        }
        r = event_add_io(event, &c->master_source, c->forward.master, POLLIN, on_console_io, c);
        if (r < 0)
                return r;
        /* A file as stdin (--console=interactive </dev/null) cannot be
         * polled: then nothing is read from it, as read-only. */
        if (c->forward.in >= 0 &&
            event_add_io(event, &c->in_source, c->forward.in, POLLIN, on_console_in, c) < 0) {
                log_debug("Standard input cannot be polled: the console is read-only.");
                if (c->forward.in_fl >= 0)
                        (void) fcntl(c->forward.in, F_SETFL, c->forward.in_fl);
                c->forward.in_fl = -1;
                c->forward.in = -EBADF;
        }
        /* Polled only while it has not taken what the master gave (a
         * regular file, which cannot be, never keeps anything back). */
        if (event_add_io(event, &c->out_source, c->forward.out, POLLOUT, on_console_out, c) < 0) {
                c->out_source = NULL;
                /* Not to be polled: written as it comes, blocking, then. */
                if (c->forward.out_fl >= 0)
                        (void) fcntl(c->forward.out, F_SETFL, c->forward.out_fl);
                c->forward.out_fl = -1;
        }
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
        pty_forward_drain(&c->forward);
        pty_forward_done(&c->forward);
        c->slave = safe_close(c->slave);
        c->master = safe_close(c->master);
}
