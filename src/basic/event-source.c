/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The event loop's sources (event-loop.h): made, turned on and off, changed
 * and let go. An io source's fd and a child source's pidfd are in the
 * loop's epoll while the source is on, a signal source's signal in its
 * signalfd's mask; time and defer sources are only looked at. */

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include "event-internal.h"

static int source_epoll_fd(EventSource *s) {
        return s->type == SOURCE_IO ? s->io.fd : s->child.pidfd;
}

static int source_online(EventSource *s) {
        Event *e = s->event;

        switch (s->type) {
        case SOURCE_IO:
        case SOURCE_CHILD: {
                struct epoll_event ev = {
                        .events = s->type == SOURCE_IO ? s->io.events : EPOLLIN,
                        .data.ptr = s,
                };

                return RET_NERRNO(epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, source_epoll_fd(s), &ev));
        }
        case SOURCE_SIGNAL:
                /* The signalfd takes the new mask at the next event_run(), before it
                 * reads: a supervisor turns some forty signals on at once. */
                sigaddset(&e->sigmask, s->signal.sig);
                e->signal_mask_changed = true;
                return 0;
        case SOURCE_TIME:
        case SOURCE_DEFER:
        default:
                return 0;
        }
}

static void source_offline(EventSource *s) {
        Event *e = s->event;

        s->pending = false;
        /* An io or child source that is on is in the epoll. Fails only for an
         * fd closed already, which the epoll dropped then. */
        if (s->type == SOURCE_IO || s->type == SOURCE_CHILD)
                (void) epoll_ctl(e->epoll_fd, EPOLL_CTL_DEL, source_epoll_fd(s), NULL);
        if (s->type == SOURCE_SIGNAL) {
                sigdelset(&e->sigmask, s->signal.sig);
                e->signal_mask_changed = true;
        }
}

int event_source_set_enabled(EventSource *s, int enabled) {
        int r;

        if (!s || (enabled != EVENT_OFF && enabled != EVENT_ON && enabled != EVENT_ONESHOT))
                return -EINVAL;
        /* One its owner let go is only ever turned off. */
        if (s->gone && enabled != EVENT_OFF)
                return -EINVAL;
        if ((s->enabled == EVENT_OFF) == (enabled == EVENT_OFF)) {
                s->enabled = enabled;
                return 0;
        }
        if (enabled == EVENT_OFF) {
                source_offline(s);
                s->enabled = EVENT_OFF;
                return 0;
        }
        r = source_online(s);
        if (r < 0)
                return r;
        s->enabled = enabled;
        return 0;
}

int event_source_get_enabled(EventSource *s) {
        return s ? s->enabled : -EINVAL;
}

EventSource *event_source_ref(EventSource *s) {
        s->n_ref++;
        return s;
}

void event_source_unref(EventSource *s) {
        if (--s->n_ref > 0)
                return;
        if (s->prev)
                s->prev->next = s->next;
        else
                s->event->sources = s->next;
        if (s->next)
                s->next->prev = s->prev;
        event_unref(s->event);
        free(s);
}

EventSource *event_source_disable_unref(EventSource *s) {
        if (!s)
                return NULL;
        (void) event_source_set_enabled(s, EVENT_OFF);
        s->gone = true;
        event_source_unref(s);
        return NULL;
}

/* A new source, linked in and off: its type's fields are the caller's to fill. */
static EventSource *source_new(Event *e, SourceType type, void *userdata) {
        EventSource *s = calloc(1, sizeof(EventSource));

        if (!s)
                return NULL;
        s->n_ref = 1;
        s->event = event_ref(e);
        s->type = type;
        s->userdata = userdata;
        s->next = e->sources;
        if (s->next)
                s->next->prev = s;
        e->sources = s;
        return s;
}

/* ... then turned on, or freed again if it cannot be. */
static int source_start(EventSource *s, int enabled, EventSource **ret) {
        int r = event_source_set_enabled(s, enabled);

        if (r < 0) {
                s->gone = true;
                event_source_unref(s);
                return r;
        }
        *ret = s;
        return 0;
}

int event_add_io(Event *e, EventSource **ret, int fd, uint32_t events, event_io_handler_t handler, void *userdata) {
        EventSource *s;

        if (!e || !ret || fd < 0 || !handler)
                return -EINVAL;
        s = source_new(e, SOURCE_IO, userdata);
        if (!s)
                return -ENOMEM;
        s->io.handler = handler;
        s->io.fd = fd;
        s->io.events = events;
        return source_start(s, EVENT_ON, ret);
}

int event_add_time(Event *e, EventSource **ret, uint64_t usec, event_time_handler_t handler, void *userdata) {
        EventSource *s;

        if (!e || !ret || !handler)
                return -EINVAL;
        s = source_new(e, SOURCE_TIME, userdata);
        if (!s)
                return -ENOMEM;
        s->time.handler = handler;
        s->time.next = usec;
        return source_start(s, EVENT_ONESHOT, ret);
}

/* now + usec, USEC_INFINITY where that would not fit. */
static uint64_t usec_from_now(uint64_t usec) {
        uint64_t now = now_monotonic_usec();

        return usec >= USEC_INFINITY - now ? USEC_INFINITY : now + usec;
}

int event_add_time_relative(Event *e, EventSource **ret, uint64_t usec, event_time_handler_t handler,
                            void *userdata) {
        return event_add_time(e, ret, usec_from_now(usec), handler, userdata);
}

int event_add_signal(Event *e, EventSource **ret, int sig, event_signal_handler_t handler, void *userdata) {
        EventSource *s;
        sigset_t blocked;

        if (!e || !ret || sig <= 0 || sig >= _NSIG || !handler)
                return -EINVAL;
        /* A signal that is not blocked would be delivered, not read from the signalfd. */
        if (sigprocmask(SIG_SETMASK, NULL, &blocked) < 0)
                return negative_errno();
        if (sigismember(&blocked, sig) != 1)
                return -EBUSY;
        for (s = e->sources; s; s = s->next)
                if (s->type == SOURCE_SIGNAL && !s->gone && s->signal.sig == sig)
                        return -EBUSY;
        s = source_new(e, SOURCE_SIGNAL, userdata);
        if (!s)
                return -ENOMEM;
        s->signal.handler = handler;
        s->signal.sig = sig;
        return source_start(s, EVENT_ON, ret);
}

int event_add_child_pidfd(Event *e, EventSource **ret, int pidfd, int options, event_child_handler_t handler,
                          void *userdata) {
        EventSource *s;

        if (!e || !ret || pidfd < 0 || options != WEXITED || !handler)
                return -EINVAL;
        s = source_new(e, SOURCE_CHILD, userdata);
        if (!s)
                return -ENOMEM;
        s->child.handler = handler;
        s->child.pidfd = pidfd;
        return source_start(s, EVENT_ONESHOT, ret);
}

int event_add_defer(Event *e, EventSource **ret, event_handler_t handler, void *userdata) {
        EventSource *s;

        if (!e || !ret || !handler)
                return -EINVAL;
        s = source_new(e, SOURCE_DEFER, userdata);
        if (!s)
                return -ENOMEM;
        s->defer.handler = handler;
        return source_start(s, EVENT_ONESHOT, ret);
}

int event_source_set_priority(EventSource *s, int64_t priority) {
        if (!s)
                return -EINVAL;
        s->priority = priority;
        return 0;
}

int event_source_set_io_events(EventSource *s, uint32_t events) {
        if (!s || s->type != SOURCE_IO)
                return -EINVAL;
        /* Unchanged (a bus connection's prepare asks at every turn): nothing to tell the kernel. */
        if (events == s->io.events)
                return 0;
        if (s->enabled != EVENT_OFF) {
                struct epoll_event ev = { .events = events, .data.ptr = s };

                if (epoll_ctl(s->event->epoll_fd, EPOLL_CTL_MOD, s->io.fd, &ev) < 0)
                        return negative_errno();
        }
        s->io.events = events;
        s->pending = false;
        return 0;
}

int event_source_set_io_fd(EventSource *s, int fd) {
        int enabled, r;

        if (!s || s->type != SOURCE_IO || fd < 0)
                return -EINVAL;
        enabled = s->enabled;
        (void) event_source_set_enabled(s, EVENT_OFF);
        s->io.fd = fd;
        r = event_source_set_enabled(s, enabled);
        return r;
}

int event_source_set_time(EventSource *s, uint64_t usec) {
        if (!s || s->type != SOURCE_TIME)
                return -EINVAL;
        if (usec == s->time.next)
                return 0;
        s->time.next = usec;
        s->pending = false;
        return 0;
}

int event_source_set_time_relative(EventSource *s, uint64_t usec) {
        return event_source_set_time(s, usec_from_now(usec));
}

int event_source_set_prepare(EventSource *s, event_handler_t prepare) {
        if (!s)
                return -EINVAL;
        s->prepare = prepare;
        return 0;
}

Event *event_source_get_event(EventSource *s) {
        return s ? s->event : NULL;
}

