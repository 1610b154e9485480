/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The supervisor's loop once the payload runs: signals reaching cell go to
 * the payload (SIGTERM as KillSignal=, SIGINT, SIGHUP, SIGUSR1, SIGUSR2,
 * SIGWINCH as they are), TimeoutStopSec= after a stop request ends in
 * SIGKILL, and the payload's exit (seen through its pidfd) ends the loop
 * with its status: the exit code, or 128+N for signal N. */

#include <signal.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "plan.h"

typedef struct Supervisor Supervisor;

/* The signals cell takes over (plus SIGCHLD); all of them must be blocked
 * before the payload is cloned: sd-event reads them from a signalfd, and
 * the child unblocks them right before exec. */
void supervise_signal_set(sigset_t *ret);
int supervise_block_signals(void);

int supervisor_new(const Plan *p, sd_event *event, Supervisor **ret);
Supervisor *supervisor_free(Supervisor *s);

/* Starts forwarding signals to pidfd and watching it for the exit. */
int supervisor_watch(Supervisor *s, pid_t pid, int pidfd);
/* A stop request (SIGTERM, systemctl stop): KillSignal=, then after
 * TimeoutStopSec= SIGKILL. Before supervisor_watch() only remembered. */
void supervisor_stop(Supervisor *s);
/* Runs the event loop until the payload exited. */
int supervisor_run(Supervisor *s, int *ret_status);
/* After supervisor_run(): the signal the payload died of (0 when it
 * exited), whether it dumped core, whether a stop had been asked for. */
int supervisor_exit_signal(const Supervisor *s, bool *ret_dumped, bool *ret_stop_requested);

/* The exit status cell reports for a child that ended with si_code/si_status. */
int supervise_exit_status(int code, int status);
