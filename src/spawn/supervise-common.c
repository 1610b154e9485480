/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "macros.h"
#include "signal-util.h"
#include "supervise-common.h"

/* SIGQUIT too, as "cell exec" forwards it: many daemons stop gracefully on
 * it (nginx, php-fpm) or dump their state (Go, Java), and its default
 * action would end cell with a core and the container with it. So every
 * signal whose default would end cell and that cell never gets for
 * itself: "systemctl kill --signal=SIGRTMIN+4 cell@NAME" (a systemd inside
 * powers off) or SIGPWR killed cell, and the container with it (SIGKILL).
 * Not the faults (SIGSEGV, SIGBUS, ...), SIGXCPU, SIGXFSZ (cell's own
 * limits), SIGPIPE (blocked, never read) nor job control. */
static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
                                         SIGPWR, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGSTKFLT };

/* A SIGHUP, SIGINT or SIGQUIT that whoever started cell ignores (nohup, a
 * script's background job, trap '') stays ignored: neither blocked nor read,
 * so the kernel drops it, and the hangup or ^C of the terminal cell was
 * started from does not reach the payload (signal-util.h). cell never sets a
 * disposition of its own (it reads signals through a signalfd), so
 * cell-monitor, exec'd after it, sees the same. */
const int *supervise_forwarded_signals(size_t *n_ret) {
        static int list[SUPERVISE_FORWARDED_MAX];
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(forwarded_signals); i++)
                if (!signal_ignore_kept(forwarded_signals[i]))
                        list[n++] = forwarded_signals[i];
        /* The real-time ones too: a systemd inside takes SIGRTMIN+3 (halt), +4 (poweroff), ... */
        for (int sig = SIGRTMIN; sig <= SIGRTMAX && n < ELEMENTSOF(list); sig++)
                list[n++] = sig;
        *n_ret = n;
        return list;
}

void supervise_signal_set(sigset_t *ret) {
        size_t n;
        const int *list = supervise_forwarded_signals(&n);

        sigemptyset(ret);
        for (size_t i = 0; i < n; i++)
                sigaddset(ret, list[i]);
        sigaddset(ret, SIGCHLD);
}

int supervise_block_signals(void) {
        sigset_t set;

        supervise_signal_set(&set);
        sigaddset(&set, SIGPIPE);
        return sigprocmask(SIG_BLOCK, &set, NULL) < 0 ? -errno : 0;
}

int supervise_block_watchdog_abort(void) {
        sigset_t set;

        sigemptyset(&set);
        sigaddset(&set, SUPERVISE_WATCHDOG_SIGNAL);
        return sigprocmask(SIG_BLOCK, &set, NULL) < 0 ? -errno : 0;
}

void supervise_log_watchdog_abort(void) {
        log_error("Watchdog timeout (WatchdogSec=): the payload's pings stopped, or it sent WATCHDOG=trigger, "
                  "and systemd sent SIGABRT: stopping the payload.");
}

bool supervise_stop_needs_sigcont(int kill_signal) {
        return kill_signal != SIGKILL && kill_signal != SIGCONT;
}

int supervise_exit_status(int code, int status) {
        switch (code) {
        case CLD_EXITED:
                return status;
        case CLD_KILLED:
        case CLD_DUMPED:
                return 128 + status;
        default:
                return 255;
        }
}

bool supervise_orderly_stop(int code, int status, bool stop_requested, int kill_signal, bool init) {
        int sig = kill_signal > 0 ? kill_signal : SIGTERM;

        if (!stop_requested || sig == SIGKILL)
                return false;
        return (code == CLD_KILLED && status == sig) || (init && code == CLD_EXITED && status == 128 + sig);
}

/* The OOM killer kills with SIGKILL; Init=yes passes that on as 137. */
static bool died_of_sigkill(int code, int status, bool init) {
        return (code == CLD_KILLED && status == SIGKILL) || (init && code == CLD_EXITED && status == 128 + SIGKILL);
}

const char *supervise_oom_message(int code, int status, bool init) {
        if (died_of_sigkill(code, status, init))
                return "The payload was killed by the OOM killer (MemoryMax=).";
        /* Another process of the container was the victim: the payload lived
         * on, and ended as its status says. */
        return "A process of the container was killed by the OOM killer (MemoryMax=), not the payload itself.";
}

void supervise_log_stop_timeout(int kill_signal) {
        char sigbuf[SIGNAL_STRING_MAX];

        log_warning("The payload still runs TimeoutStopSec= after %s (KillSignal=): killing it (SIGKILL).",
                    signal_to_string(kill_signal > 0 ? kill_signal : SIGTERM, sigbuf));
}

void supervise_log_exit(int code, int status, bool stop_requested, bool oom_killed, bool init) {
        int exit_status = supervise_exit_status(code, status);
        char sigbuf[SIGNAL_STRING_MAX];

        if (oom_killed) {
                log_error("%s", supervise_oom_message(code, status, init));
                if (died_of_sigkill(code, status, init))
                        return;
        }
        /* A payload that died of a signal nobody here sent says so: its exit
         * status alone (128+N) does not tell a crash from "exit 139". */
        if (stop_requested)
                return;
        if (code == CLD_KILLED || code == CLD_DUMPED)
                log_error("The payload died of signal %s%s.", signal_to_string(status, sigbuf),
                          code == CLD_DUMPED ? " (core dumped)" : "");
        else if (code == CLD_EXITED && init && exit_status > 128 && exit_status < 128 + SIGRTMIN &&
                 signal_name(exit_status - 128))
                log_error("The payload exited with status %d, which under Init=yes is how death by signal SIG%s is reported.",
                          exit_status, signal_name(exit_status - 128));
}

int supervise_end_status(const SuperviseEnd *e) {
        if (e->boot && e->code == CLD_KILLED && e->status == SIGINT) {
                if (!e->stop_requested)
                        log_info("The container powered off.");
                return 0;
        }
        if (e->boot && e->code == CLD_KILLED && e->status == SIGHUP) {
                if (e->stop_requested)
                        return 0;
                log_info("The container rebooted: exit status %d, on which cell@.service starts it again.",
                         SUPERVISE_EXIT_REBOOTED);
                return SUPERVISE_EXIT_REBOOTED;
        }
        supervise_log_exit(e->code, e->status, e->stop_requested, e->oom_killed, e->init);
        if (supervise_orderly_stop(e->code, e->status, e->stop_requested, e->kill_signal, e->init))
                return 0;
        return supervise_exit_status(e->code, e->status);
}

uint64_t supervise_kill_at(uint64_t now, uint64_t timeout_usec) {
        return timeout_usec < USEC_INFINITY - now ? now + timeout_usec : USEC_INFINITY;
}

uint64_t supervise_extend_kill_at(uint64_t kill_at, uint64_t now, uint64_t usec) {
        if (kill_at == USEC_INFINITY || usec <= kill_at - MIN(now, kill_at))
                return kill_at;
        return supervise_kill_at(now, usec);
}
