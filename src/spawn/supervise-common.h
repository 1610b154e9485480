/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What cell's supervisor (supervise.c, on src/basic/event-loop.h) and cell-monitor (the
 * same job once cell has exec'd it, src/monitor) have in common: which
 * signals go to the payload, its exit status, and the words about its end.
 * libc only: cell-monitor links no libsystemd. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* The signals cell takes over (plus SIGCHLD); all of them must be blocked
 * before the payload is cloned: the supervisor reads them from a signalfd,
 * and the child unblocks them right before exec. SIGTERM is a stop request
 * (KillSignal=, then SIGKILL after TimeoutStopSec=); SIGINT, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH and the others of
 * supervise_forwarded_signals() go to the payload as they are,
 * but for a SIGHUP, SIGINT or SIGQUIT cell was started with ignored, which
 * is left out and stays ignored (signal_ignore_kept()). */
void supervise_signal_set(sigset_t *ret);
/* Those, and SIGPIPE, which is never read: a journal stream that went away
 * (journald restarted) under the output relay or our own messages, with
 * the service's IgnoreSIGPIPE=no, must cost a write its EPIPE, not cell its
 * life and the container with it (splice() and write() to a socket have no
 * MSG_NOSIGNAL). Blocked, not ignored: the mask goes on through the exec
 * of cell-monitor and "cell __finish", and the payload starts with an
 * empty one. */
int supervise_block_signals(void);
/* The signals forwarded, SIGTERM first; n_ret: how many, up to
 * SUPERVISE_FORWARDED_MAX. Besides those above, every signal whose default
 * would end cell and that cell never gets for itself: SIGPWR, SIGALRM,
 * SIGVTALRM, SIGPROF, SIGIO, SIGSTKFLT and SIGRTMIN to SIGRTMAX. */
#define SUPERVISE_FORWARDED_MAX 64
const int *supervise_forwarded_signals(size_t *n_ret);

/* SIGABRT, systemd's WatchdogSignal= when the service's watchdog fires
 * (KillMode=mixed: to cell or cell-monitor alone). Where the watchdog is
 * the payload's (its pings forwarded: not Boot=yes), it fires because the
 * payload stopped pinging, or sent WATCHDOG=trigger, while cell is well:
 * its default would dump cell's core, leave the payload to die of
 * PR_SET_PDEATHSIG's SIGKILL and what cell made (cgroups, links, state) as
 * a killed cell's. So cell and cell-monitor read it then, said, and stop
 * the payload as a stop would (the service's result is "watchdog" all the
 * same). With Boot=yes the watchdog is cell's own: a ping missed means cell
 * hangs, and SIGABRT keeps its default, a core of cell, as systemd means it.
 * supervise_block_watchdog_abort() blocks it, before the payload is cloned. */
#define SUPERVISE_WATCHDOG_SIGNAL SIGABRT
int supervise_block_watchdog_abort(void);
void supervise_log_watchdog_abort(void);

/* Whether a stop signal is followed by SIGCONT, as systemd.kill(5) sends it
 * after KillSignal=: so that a stopped payload gets its stop signal now. */
bool supervise_stop_needs_sigcont(int kill_signal);

/* The exit status cell reports for a child that ended with si_code/si_status:
 * the exit code, or 128+N for signal N. */
int supervise_exit_status(int code, int status);

/* Whether the payload ended as the stop cell was asked for wants it: a stop
 * request (SIGTERM to cell: cell stop, systemctl stop) and then death by the
 * KillSignal= cell sent (kill_signal, 0: SIGTERM), or, under Init=yes, the
 * exit status 128+N its reaper passes that on as. cell then exits 0, as nspawn
 * does after a shutdown on request: systemd would count a service whose main
 * process exits 143 as failed, though it did what "systemctl stop" asked. A
 * SIGKILL after TimeoutStopSec= is no such end. */
bool supervise_orderly_stop(int code, int status, bool stop_requested, int kill_signal, bool init);

/* Says what the exit status alone does not tell: an OOM kill, a death by a
 * signal nobody here sent (not when a stop was asked for), and under Init=yes
 * an exit status that is how the reaper passes such a death on. */
void supervise_log_exit(int code, int status, bool stop_requested, bool oom_killed, bool init);
/* The words for an OOM kill in the container's cgroup, by how the payload
 * ended: killed itself (SIGKILL; under Init=yes, 137), or a process of the
 * container was the victim and the payload lived on. */
const char *supervise_oom_message(int code, int status, bool init);
/* TimeoutStopSec= is over and the payload still runs: says so before the
 * SIGKILL, as systemd's "State 'stop-sigterm' timed out. Killing." does; the
 * 137 that follows would otherwise come without a word. */
void supervise_log_stop_timeout(int kill_signal);

/* systemd-nspawn's exit status for a container that rebooted: the service
 * manager is to start it again (cell@.service: RestartForceExitStatus=133). */
#define SUPERVISE_EXIT_REBOOTED 133

/* How the container's init ended, for the status cell exits with. */
typedef struct SuperviseEnd {
        int code, status;       /* si_code, si_status */
        bool stop_requested;    /* cell was asked to stop it (SIGTERM) */
        bool oom_killed;
        int kill_signal;        /* KillSignal= (0: SIGTERM) */
        bool init;              /* Init=yes */
        bool boot;              /* Boot=yes */
} SuperviseEnd;

/* The status cell exits with, and the words about the end the status does
 * not tell (supervise_log_exit()). Boot=yes: an init the kernel ended for a
 * reboot() in its PID namespace (reported as death by SIGHUP for a restart,
 * SIGINT for a halt or power-off) is read as systemd-nspawn reads it: a
 * power-off is a clean end (0), a reboot SUPERVISE_EXIT_REBOOTED unless a stop
 * was asked for (then 0: the stop is what ended it). */
int supervise_end_status(const SuperviseEnd *e);

/* TimeoutStopSec='s SIGKILL for a stop asked for at now (CLOCK_MONOTONIC):
 * when it is due, USEC_INFINITY (none) for a span that runs past the
 * clock's end, as systemd's usec_add() saturates: "584542y" (16 days
 * short of 2^64 us) on a host up for longer is never due, not due at once. */
uint64_t supervise_kill_at(uint64_t now, uint64_t timeout_usec);

/* EXTEND_TIMEOUT_USEC=usec at now, with TimeoutStopSec='s SIGKILL due at
 * kill_at (CLOCK_MONOTONIC, USEC_INFINITY: none to come): when that SIGKILL
 * is due now. It comes no earlier than usec from now, and never sooner than
 * it was; up to "infinity" (systemd's usec_add() saturates there): none. */
uint64_t supervise_extend_kill_at(uint64_t kill_at, uint64_t now, uint64_t usec);
