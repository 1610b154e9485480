/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell run in pipe mode, as the service cell@NAME.service: the payload's
 * stdout and stderr relayed to cell's own, so that the service's journal
 * has the container's output (journald files each stream's lines under its
 * writer's unit, and the payload is in cell-NAME.scope; nspawn's payload is
 * below its service's cgroup, Podman's conmon relays in the service's).
 * Where fd 1 or 2 is the journal stream ($JOURNAL_STREAM), and where one
 * is a file of the host's and the container's root the host's
 * (run-stdio.h); to a pipe or a socket the payload keeps cell's fds. The
 * work is output-relay.c's; this is its place in cell's event loop, and
 * cell-monitor carries it on after the hand-over (monitor-loop.c). The
 * read-only console to such an output is relayed here too, in place of
 * the pipes (run_relay_take_console()). */

#include <stdbool.h>
#include "event-loop.h"

#include "output-relay.h"

typedef struct RunRelay {
        /* [0]: to our fd 1, [1]: to our fd 2; a single pipe, [0]'s, when fd 1
         * and 2 are one file (StandardError=inherit): the payload's lines keep
         * their order there, and no write of one interleaves another's. */
        OutputRelay output[2];
        int write_end[2];               /* the payload's fd 1 and 2 until it is cloned (owned, [1] may be [0]'s) */
        EventSource *source[2];         /* NULL while polled[] from the start */
        EventSource *retry[2];          /* a one-shot timer: the relay's turn while polled[] */
        bool polled[2];                 /* epoll_ctl() refused its fd: relayed every OUTPUT_RELAY_RETRY_MSEC */
        Event *event;                   /* run_relay_start()'s (not owned) */
        bool paused[2];                 /* run_relay_flush_for_handover(): this pipe is not read */
        EventSource *flushed;           /* ... and this fires once those hold nothing (not owned) */
        bool console;                   /* run_relay_take_console(): [0] is the console's master ... */
        int console_slave;              /* ... and this its slave, held (owned; -EBADF: none) */
} RunRelay;

#define RUN_RELAY_NULL ((RunRelay) { .output = { OUTPUT_RELAY_NULL, OUTPUT_RELAY_NULL }, \
                                     .write_end = { -EBADF, -EBADF }, .console_slave = -EBADF })

/* Whether cell relays: pipe mode, and fd 1 or 2 is the journal stream. */
bool run_relay_wanted(bool pipe_mode);
/* Where run_relay_wanted(), both outputs; else in pipe mode those of
 * host_fds (bit N: fd N, 1 or 2, is a file of the host's the payload must
 * not have, run-stdio.h): the pipes, O_CLOEXEC all, relay->write_end for
 * the child's fd 1 and 2 (-EBADF: not relayed, ours goes); failure
 * reported. */
int run_relay_open(RunRelay *relay, bool pipe_mode, unsigned host_fds);
/* The child's fd 1 and 2 (-EBADF: ours), or NULL when neither is relayed. */
const int *run_relay_write_ends(const RunRelay *relay);
/* Instead of pipes (none opened): the container's console, a pty, read-only
 * (run-console.h), MASTER taken, relayed to our fd 1 from run_relay_start()
 * on (output-relay.h: output_relay_set_console()). A slave of ours is held
 * (run_console_hold_slave()) until run_relay_done() and cell-monitor's end. */
void run_relay_take_console(RunRelay *relay, int master);
/* The init is cloned: the write ends are its own (no EOF would ever come
 * while we held one). */
void run_relay_close_write_ends(RunRelay *relay);
/* Relays in EVENT's loop from now on; failure reported. A relay whose fd
 * epoll refuses to watch (ENOMEM; ENOSPC: fs.epoll.max_user_watches) is
 * dispatched every OUTPUT_RELAY_RETRY_MSEC instead, and watched again as soon
 * as epoll takes it, as cell-monitor's (monitor-loop.c): its pipe would
 * fill otherwise, and the payload's writes block for good. */
int run_relay_start(RunRelay *relay, Event *event);
/* Before the hand-over: 0 when the relays hold nothing our fds refused
 * (copy mode, output-relay.h), else 1: from now on those that hold some read
 * nothing from their pipe and write what they hold as our fd takes it, the
 * loop running on (the other relay too), and THEN (a time source) fires once
 * they hold nothing (or our fd is gone), to try again. */
int run_relay_flush_for_handover(RunRelay *relay, EventSource *then);
/* Then the hand-over of the pipes' read ends (output[].pipe, -EBADF: none):
 * our fds' flags as they were, for cell-monitor to start anew;
 * run_relay_resume() if the exec failed or the hand-over was given up (it
 * reads the pipes again). */
void run_relay_suspend(RunRelay *relay);
void run_relay_resume(RunRelay *relay);
/* The payload exited: what is left in the pipes, then our fds as they were. */
void run_relay_done(RunRelay *relay);
