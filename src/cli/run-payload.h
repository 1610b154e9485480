/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "cell run" once the payload runs (run-payload.c): its readiness, the
 * runtime state that "cell list" and the lifecycle verbs read, and the
 * hand-over of its supervision to cell-monitor (src/monitor). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "event-loop.h"

#include "notify.h"
#include "plan.h"
#include "run-relay.h"
#include "scope.h"
#include "spawn.h"
#include "supervise.h"

typedef struct Run {
        Plan *plan;
        Supervisor *supervisor;
        bool ready_sent;
        /* What the hand-over to cell-monitor reads (src/monitor). */
        const Spawn *spawn;
        Scope *scope;
        const NotifyProxy *proxy;
        bool state_published;
        int monitor_fd, cell_fd;
        bool monitor_asked;     /* monitor_probe() done (monitor_fd closed if it said no) */
        bool console;           /* a pty: cell forwards (or holds) it, and stays */
        RunRelay *relay;        /* the payload's output, handed over too */
} Run;
/* READY=1 to our own supervisor, once. */
void run_ready(Run *run);
/* NotifyCallbacks for the payload's notify proxy; userdata: the Run. */
void run_on_payload_ready(void *userdata);
void run_on_payload_extend_timeout(uint64_t usec, void *userdata);
/* The timer MONITOR_AFTER_USEC after the start: cell execs cell-monitor,
 * or stays the supervisor where the hand-over is refused. */
int run_on_handover(EventSource *source, uint64_t usec, void *userdata);

/* Without systemd, /run/cell/NAME/state for "cell list/status/stop/kill/
 * exec"; nothing with a systemd scope. A state that is ours to write but
 * cannot be fails the start (reported); *ret_published: whether one was
 * written, for the caller to remove at its end. */
int run_publish_state(const Plan *p, Scope *scope, pid_t pid, bool *ret_published);
