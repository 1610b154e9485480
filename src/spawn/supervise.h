/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The supervisor's loop once the payload runs: signals reaching cell go to
 * the payload (SIGTERM as KillSignal=, SIGINT, SIGHUP, SIGUSR1, SIGUSR2,
 * SIGWINCH as they are), TimeoutStopSec= after a stop request ends in
 * SIGKILL, and the payload's exit (seen through its pidfd) ends the loop
 * with its status: the exit code, or 128+N for signal N. */

#include <signal.h>
#include <sys/types.h>
#include "event-loop.h"

#include "plan.h"
#include "supervise-common.h"

typedef struct Supervisor Supervisor;

int supervisor_new(const Plan *p, Event *event, Supervisor **ret);
Supervisor *supervisor_free(Supervisor *s);

/* Starts forwarding signals to pidfd and watching it for the exit. */
int supervisor_watch(Supervisor *s, pid_t pid, int pidfd);
/* A stop request (SIGTERM, systemctl stop): KillSignal=, then after
 * TimeoutStopSec= SIGKILL. Before supervisor_watch() only remembered. */
void supervisor_stop(Supervisor *s);
/* The payload sent EXTEND_TIMEOUT_USEC=usec: while a stop waits for
 * TimeoutStopSec=, SIGKILL comes no earlier than usec from now, as systemd
 * extends a service's stop timeout. Otherwise nothing. */
void supervisor_extend_stop(Supervisor *s, uint64_t usec);
/* Runs the event loop until the payload exited. */
int supervisor_run(Supervisor *s, int *ret_status);
/* After supervisor_run(): how the payload ended (si_code, si_status). */
void supervisor_exit_info(const Supervisor *s, int *ret_code, int *ret_status);
/* With a console (cell run --console=): SIGWINCH calls RESIZE instead of
 * going to the payload; the pty's new size signals its foreground job. */
void supervisor_set_resize(Supervisor *s, void (*resize)(void *userdata), void *userdata);
/* A stop was asked for (SIGTERM reached cell, or supervisor_stop()). */
bool supervisor_stop_requested(const Supervisor *s);
