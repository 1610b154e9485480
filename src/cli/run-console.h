/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell run --console=MODE, systemd-nspawn's modes: the payload's terminal
 * and /dev/console, a pty of the container's own that cell forwards to its
 * standard input and output while it supervises. */

#include <stdbool.h>
#include "event-loop.h"

#include "pty-forward.h"

typedef enum RunConsoleMode {
        RUN_CONSOLE_INTERACTIVE,        /* a pty, forwarded both ways */
        RUN_CONSOLE_READ_ONLY,          /* a pty, its output forwarded, our stdin not read */
        RUN_CONSOLE_PASSIVE,            /* a pty, connected nowhere */
        RUN_CONSOLE_PIPE,               /* no pty: our stdin, stdout and stderr as they are */
        RUN_CONSOLE_AUTOPIPE,           /* interactive on a terminal, else pipe (the default) */
        _RUN_CONSOLE_MAX,
} RunConsoleMode;

/* _RUN_CONSOLE_MAX for a name that is none of them. */
RunConsoleMode run_console_mode_from_string(const char *s);
const char *run_console_mode_to_string(RunConsoleMode m);
/* AUTOPIPE decided: interactive when stdin and stdout are terminals, as
 * systemd-nspawn decides, else pipe; but read-only for BOOT (Boot=yes):
 * an init writes its boot status and its failures to /dev/console, which
 * pipe mode has none of (a systemd there would find no console and write
 * to /dev/null), and read-only is nspawn's default off a terminal. */
RunConsoleMode run_console_mode_resolve(RunConsoleMode m, bool boot);
/* Whether the console's output goes through the output relay (run-relay.h)
 * rather than the forwarder below: read-only to a standard output that is
 * no terminal (the service's journal stream, a file, a pipe), which takes
 * lines (CR LF as LF) and needs neither a window size nor raw mode; the
 * relay is cell-monitor's after the hand-over, as pipe mode's is. */
bool run_console_relayed(RunConsoleMode m);
/* A slave of MASTER's of our own, held for as long as we forward or relay
 * the console: the master says EIO once no slave is open, and the
 * forwarding would end there for good, though the payload only closed its
 * console to open it again (an init such as systemd opens /dev/console for
 * each message; nspawn ignores the hang-up for that). -EBADF (said at debug
 * level) where it cannot be opened. */
int run_console_hold_slave(int master);

typedef struct RunConsole {
        RunConsoleMode mode;
        PtyForward forward;             /* passive: to nowhere, the output dropped */
        int slave;                      /* held, so that the master never says EIO while the
                                         * payload has closed its console for a moment */
        EventSource *master_source, *in_source, *out_source;
        EventSource *stop_source, *cont_source;         /* SIGTSTP, SIGCONT: our terminal given back, taken again */
        int payload_pidfd;              /* not owned: SIGKILL'ed at the escape (^] three times) */
        bool escape_done;
} RunConsole;

#define RUN_CONSOLE_NULL ((RunConsole) { .mode = RUN_CONSOLE_PIPE, .forward = PTY_FORWARD_NULL, .slave = -EBADF, \
                                         .payload_pidfd = -EBADF })

/* Takes MASTER (the container's pty) and forwards it in EVENT's loop as MODE
 * says. interactive on a terminal: ^] three times within a second kills the
 * payload (PAYLOAD_PIDFD, not taken), as systemd-nspawn's escape does. */
int run_console_start(RunConsole *c, Event *event, RunConsoleMode mode, int master, int payload_pidfd);
/* SIGWINCH (supervisor_set_resize()). */
void run_console_resize(void *userdata);
/* The payload exited: what it wrote last, then our terminal as it was. */
void run_console_done(RunConsole *c);
