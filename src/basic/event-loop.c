/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* cell's event loop (event-loop.h says what it keeps of sd-event). One epoll
 * holds the io sources' fds, the child sources' pidfds and one signalfd for
 * all signal sources; time and defer sources are looked at on each turn. A
 * loop has a handful of sources, so they sit in one list and each turn walks
 * it. */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event-internal.h"

int event_new(Event **ret) {
        Event *e = calloc(1, sizeof(Event));

        if (!e)
                return -ENOMEM;
        e->n_ref = 1;
        e->signal_fd = -EBADF;
        sigemptyset(&e->sigmask);
        e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (e->epoll_fd < 0) {
                int r = negative_errno();

                free(e);
                return r;
        }
        *ret = e;
        return 0;
}

Event *event_ref(Event *e) {
        if (e)
                e->n_ref++;
        return e;
}

Event *event_unref(Event *e) {
        if (!e || --e->n_ref > 0)
                return NULL;
        /* No source is left: each holds a reference. */
        safe_close(e->epoll_fd);
        safe_close(e->signal_fd);
        free(e);
        return NULL;
}

int event_signal_fd_update(Event *e) {
        int fd;

        if (e->signal_fd < 0 && sigisemptyset(&e->sigmask))
                return 0;
        fd = signalfd(e->signal_fd >= 0 ? e->signal_fd : -1, &e->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (e->signal_fd < 0) {
                struct epoll_event ev = { .events = EPOLLIN, .data.ptr = e };

                if (epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                        int r = negative_errno();

                        safe_close(fd);
                        return r;
                }
                e->signal_fd = fd;
        }
        return 0;
}

int event_exit(Event *e, int code) {
        if (!e)
                return -EINVAL;
        e->exit_requested = true;
        e->exit_code = code;
        return 0;
}

int event_get_exit_code(Event *e, int *ret) {
        if (!e)
                return -EINVAL;
        if (!e->exit_requested)
                return -ENODATA;
        if (ret)
                *ret = e->exit_code;
        return 0;
}

EventState event_get_state(Event *e) {
        return e->state;
}

static void source_set_pending(EventSource *s) {
        if (s->pending)
                return;
        s->pending = true;
        s->pending_seq = ++s->event->pending_seq;
}

/* The one signal the signalfd has first, given to its source. While a
 * signal source is pending, the rest wait in the kernel. */
static void signal_fd_read(Event *e) {
        struct signalfd_siginfo si;

        for (EventSource *s = e->sources; s; s = s->next)
                if (s->type == SOURCE_SIGNAL && s->pending)
                        return;
        if (read(e->signal_fd, &si, sizeof(si)) != (ssize_t) sizeof(si))
                return;
        for (EventSource *s = e->sources; s; s = s->next)
                if (s->type == SOURCE_SIGNAL && s->enabled != EVENT_OFF && s->signal.sig == (int) si.ssi_signo) {
                        s->signal.si = si;
                        source_set_pending(s);
                        return;
                }
}

/* A pidfd that polls readable: the child has exited. WNOWAIT leaves it a
 * zombie, so that its pid names it until the handler has run. */
static void child_check(EventSource *s) {
        siginfo_t si = {};

        if (s->pending)
                return;
        if (waitid(P_PIDFD, (id_t) s->child.pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
                /* Not ours to wait for, or gone: nothing will ever come. */
                (void) event_source_set_enabled(s, EVENT_OFF);
                return;
        }
        if (si.si_pid == 0)
                return;
        s->child.si = si;
        source_set_pending(s);
}

static void epoll_event_take(Event *e, const struct epoll_event *ev) {
        EventSource *s = ev->data.ptr;

        if (ev->data.ptr == e) {
                signal_fd_read(e);
                return;
        }
        if (s->type == SOURCE_CHILD) {
                child_check(s);
                return;
        }
        s->io.revents = s->pending ? s->io.revents | ev->events : ev->events;
        source_set_pending(s);
}

static int source_dispatch(EventSource *s) {
        Event *e = s->event;
        bool zombie;
        int r = 0;

        s->pending = false;
        if (s->enabled == EVENT_ONESHOT)
                (void) event_source_set_enabled(s, EVENT_OFF);
        event_source_ref(s);
        e->state = EVENT_RUNNING;
        switch (s->type) {
        case SOURCE_IO:
                r = s->io.handler(s, s->io.fd, s->io.revents, s->userdata);
                break;
        case SOURCE_TIME:
                r = s->time.handler(s, s->time.next, s->userdata);
                break;
        case SOURCE_SIGNAL:
                r = s->signal.handler(s, &s->signal.si, s->userdata);
                break;
        case SOURCE_CHILD:
                r = s->child.handler(s, &s->child.si, s->userdata);
                break;
        case SOURCE_DEFER:
                r = s->defer.handler(s, s->userdata);
                break;
        default:
                break;
        }
        e->state = EVENT_INITIAL;
        zombie = s->type == SOURCE_CHILD && (s->child.si.si_code == CLD_EXITED || s->child.si.si_code == CLD_KILLED ||
                                             s->child.si.si_code == CLD_DUMPED);
        if (zombie) {
                siginfo_t si = {};

                /* The handler has seen it: now the child is reaped for good. */
                (void) waitid(P_PIDFD, (id_t) s->child.pidfd, &si, WEXITED | WNOHANG);
        }
        if (r < 0 && !s->gone)
                (void) event_source_set_enabled(s, EVENT_OFF);
        event_source_unref(s);
        return 1;
}

/* Prepare callbacks, of the sources that are on. Each is held while it runs,
 * so that the walk goes on from it whatever the callback let go. */
static void sources_prepare(Event *e) {
        EventSource *next;

        for (EventSource *s = e->sources; s; s = next) {
                if (!s->prepare || s->enabled == EVENT_OFF) {
                        next = s->next;
                        continue;
                }
                event_source_ref(s);
                e->state = EVENT_RUNNING;
                int r = s->prepare(s, s->userdata);
                e->state = EVENT_INITIAL;
                if (r < 0 && !s->gone)
                        (void) event_source_set_enabled(s, EVENT_OFF);
                next = s->next;
                event_source_unref(s);
        }
}

/* Time and defer sources that are due now; the earliest time still to come.
 * Timers due in one turn become pending in the order they fell due, as
 * sd-event dispatches them (earliest first): of two at one priority, the
 * one due first runs first, whichever was added last. */
static uint64_t sources_due(Event *e, uint64_t now) {
        uint64_t earliest = USEC_INFINITY;

        for (EventSource *s = e->sources; s; s = s->next) {
                if (s->enabled == EVENT_OFF)
                        continue;
                if (s->type == SOURCE_DEFER)
                        source_set_pending(s);
                else if (s->type == SOURCE_TIME && s->time.next > now)
                        earliest = MIN(earliest, s->time.next);
        }
        for (;;) {
                EventSource *first = NULL;

                for (EventSource *s = e->sources; s; s = s->next)
                        if (s->enabled != EVENT_OFF && s->type == SOURCE_TIME && !s->pending &&
                            s->time.next <= now && (!first || s->time.next < first->time.next))
                                first = s;
                if (!first)
                        break;
                source_set_pending(first);
        }
        return earliest;
}

static EventSource *sources_first_pending(Event *e) {
        EventSource *best = NULL;

        for (EventSource *s = e->sources; s; s = s->next)
                if (s->pending && (!best || s->priority < best->priority ||
                                   (s->priority == best->priority && s->pending_seq < best->pending_seq)))
                        best = s;
        return best;
}

static int wait_msec(uint64_t usec) {
        if (usec == USEC_INFINITY)
                return -1;
        /* Rounded up: a wait never ends before a timer is due. */
        usec = (usec + USEC_PER_MSEC - 1) / USEC_PER_MSEC;
        return usec > INT_MAX ? INT_MAX : (int) usec;
}

int event_run(Event *e, uint64_t timeout_usec) {
        struct epoll_event events[16];
        uint64_t now, earliest, wait;
        EventSource *s;
        int n;

        if (!e)
                return -EINVAL;
        if (e->state == EVENT_RUNNING)
                return -EBUSY;
        if (e->exit_requested) {
                e->state = EVENT_FINISHED;
                return 0;
        }

        /* The signals turned on or off since the last turn, before anything is read. */
        if (e->signal_mask_changed) {
                int r = event_signal_fd_update(e);
                if (r < 0)
                        return r;
                e->signal_mask_changed = false;
        }
        /* Ours until we return, whatever a callback lets go. */
        event_ref(e);
        sources_prepare(e);
        now = now_monotonic_usec();
        earliest = sources_due(e, now);
        if (sources_first_pending(e))
                wait = 0;
        else {
                wait = earliest == USEC_INFINITY ? USEC_INFINITY : earliest - now;
                wait = MIN(wait, timeout_usec);
        }

        n = epoll_wait(e->epoll_fd, events, (int) ELEMENTSOF(events), wait_msec(wait));
        if (n < 0) {
                if (errno != EINTR) {
                        n = negative_errno();
                        event_unref(e);
                        return n;
                }
                n = 0;
        }
        for (int i = 0; i < n; i++)
                epoll_event_take(e, &events[i]);
        (void) sources_due(e, now_monotonic_usec());

        s = sources_first_pending(e);
        n = s ? source_dispatch(s) : 0;
        event_unref(e);
        return n;
}

int event_loop(Event *e) {
        int r = 0;

        if (!e)
                return -EINVAL;
        if (e->state != EVENT_INITIAL)
                return -EBUSY;
        event_ref(e);
        while (e->state != EVENT_FINISHED) {
                r = event_run(e, USEC_INFINITY);
                if (r < 0)
                        break;
        }
        if (r >= 0)
                r = e->exit_code;
        event_unref(e);
        return r;
}
