/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notify.h"
#include "supervise.h"

struct Supervisor {
        const Plan *plan;
        Event *event;
        pid_t pid;
        int pidfd;
        bool stop_requested;
        bool exited;
        int status;
        int exit_code;          /* si_code: CLD_EXITED, CLD_KILLED, CLD_DUMPED */
        int exit_status;        /* si_status */
        EventSource *child_source;
        EventSource *timer_source;      /* the SIGKILL after TimeoutStopSec= ... */
        uint64_t kill_at;               /* ... at this CLOCK_MONOTONIC time */
        bool killed;                    /* ... which has come */
        EventSource *signal_sources[SUPERVISE_FORWARDED_MAX];
        EventSource *abort_source;      /* SUPERVISE_WATCHDOG_SIGNAL, when the watchdog is the payload's */
        void (*resize)(void *userdata);         /* supervisor_set_resize() */
        void *resize_userdata;
};

int supervisor_new(const Plan *p, Event *event, Supervisor **ret) {
        Supervisor *s = calloc(1, sizeof *s);

        if (!s)
                return -ENOMEM;
        s->plan = p;
        s->event = event_ref(event);
        s->pidfd = -EBADF;
        *ret = s;
        return 0;
}

Supervisor *supervisor_free(Supervisor *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(s->signal_sources); i++)
                event_source_disable_unref(s->signal_sources[i]);
        event_source_disable_unref(s->abort_source);
        event_source_disable_unref(s->child_source);
        event_source_disable_unref(s->timer_source);
        event_unref(s->event);
        free(s);
        return NULL;
}

static void supervisor_send(Supervisor *s, int sig) {
        /* The pidfd names our child exactly, never a recycled pid. */
        if (s->pidfd >= 0 && !s->exited)
                (void) syscall(SYS_pidfd_send_signal, s->pidfd, sig, NULL, 0);
}

static int on_stop_timeout(EventSource *source, uint64_t usec, void *userdata) {
        Supervisor *s = userdata;

        /* TimeoutStopSec= is over: the payload did not stop by itself. */
        s->killed = true;
        if (!s->exited)
                supervise_log_stop_timeout(s->plan->kill_signal);
        supervisor_send(s, SIGKILL);
        return 0;
}

/* KillSignal=, then SIGCONT, as systemd sends every stop signal: a
 * stopped payload (SIGSTOP, ^Z) would hold the stop signal pending until
 * TimeoutStopSec='s SIGKILL instead of ending gracefully at once. */
static void supervisor_send_stop_signal(Supervisor *s) {
        int sig = s->plan->kill_signal > 0 ? s->plan->kill_signal : SIGTERM;

        supervisor_send(s, sig);
        if (supervise_stop_needs_sigcont(sig))
                supervisor_send(s, SIGCONT);
}

void supervisor_stop(Supervisor *s) {
        uint64_t t = s->plan->timeout_stop_usec;
        bool first = !s->stop_requested;

        s->stop_requested = true;
        if (s->pidfd < 0)
                return;

        supervisor_send_stop_signal(s);
        if (!first)
                return;
        notify_supervisor_stopping(s->plan->name, t);
        s->kill_at = supervise_kill_at(now_monotonic_usec(), t);
        if (t == 0 || s->kill_at == USEC_INFINITY)
                return;
        if (event_add_time_relative(s->event, &s->timer_source, t, on_stop_timeout, s) < 0)
                /* No timer: do not leave a payload that ignores the signal. */
                supervisor_send(s, SIGKILL);
}

void supervisor_extend_stop(Supervisor *s, uint64_t usec) {
        uint64_t now = now_monotonic_usec(), at;
        EventSource *later = NULL;

        /* Only a SIGKILL still to come is put off. */
        if (!s->timer_source || s->killed)
                return;
        at = supervise_extend_kill_at(s->kill_at, now, usec);
        if (at == s->kill_at)
                return;
        /* If no new timer can be had, the one set stands. */
        if (at != USEC_INFINITY &&
            event_add_time_relative(s->event, &later, at - now, on_stop_timeout, s) < 0)
                return;
        event_source_disable_unref(s->timer_source);
        s->timer_source = later;
        s->kill_at = at;
}

static int on_signal(EventSource *source, const struct signalfd_siginfo *si, void *userdata) {
        Supervisor *s = userdata;

        if (si->ssi_signo == SIGTERM)
                supervisor_stop(s);
        else if (si->ssi_signo == SUPERVISE_WATCHDOG_SIGNAL) {
                if (!s->stop_requested)
                        supervise_log_watchdog_abort();
                supervisor_stop(s);
        } else if (si->ssi_signo == SIGWINCH && s->resize)
                s->resize(s->resize_userdata);
        else
                supervisor_send(s, (int) si->ssi_signo);
        return 0;
}

static int on_child(EventSource *source, const siginfo_t *si, void *userdata) {
        Supervisor *s = userdata;

        s->exited = true;
        s->status = supervise_exit_status(si->si_code, si->si_status);
        s->exit_code = si->si_code;
        s->exit_status = si->si_status;
        return event_exit(s->event, 0);
}

int supervisor_watch(Supervisor *s, pid_t pid, int pidfd) {
        int r;

        s->pid = pid;
        s->pidfd = pidfd;

        size_t n;
        const int *forwarded = supervise_forwarded_signals(&n);
        assert(n <= ELEMENTSOF(s->signal_sources));
        for (size_t i = 0; i < n; i++) {
                r = event_add_signal(s->event, &s->signal_sources[i], forwarded[i], on_signal, s);
                if (r < 0)
                        return r;
        }

        /* The watchdog is the payload's: its SIGABRT a stop (supervise-common.h),
         * blocked by the caller then; where it is not, it keeps its default. */
        if (!s->plan->boot)
                (void) event_add_signal(s->event, &s->abort_source, SUPERVISE_WATCHDOG_SIGNAL, on_signal, s);

        r = event_add_child_pidfd(s->event, &s->child_source, pidfd, WEXITED, on_child, s);
        if (r < 0)
                return r;

        /* A stop asked for while we were still starting. */
        if (s->stop_requested) {
                s->stop_requested = false;
                supervisor_stop(s);
        }
        return 0;
}

int supervisor_run(Supervisor *s, int *ret_status) {
        int r = event_loop(s->event);

        if (r < 0)
                return r;
        if (!s->exited)
                return -ESRCH;
        *ret_status = s->status;
        return 0;
}

void supervisor_exit_info(const Supervisor *s, int *ret_code, int *ret_status) {
        *ret_code = s->exited ? s->exit_code : 0;
        *ret_status = s->exited ? s->exit_status : 0;
}

void supervisor_set_resize(Supervisor *s, void (*resize)(void *userdata), void *userdata) {
        s->resize = resize;
        s->resize_userdata = userdata;
}

bool supervisor_stop_requested(const Supervisor *s) {
        return s->stop_requested;
}
