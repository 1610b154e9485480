/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell's event loop: the part of sd-event that "cell run" uses, on one epoll,
 * so that a start which asks no bus (--cgroup-manager=cgroupfs or none, a
 * host without systemd) never loads libsystemd and the five libraries it
 * brings (tests/bench/RESULTS.md, the twenty-third session). A start with a
 * systemd scope attaches its sd-bus connection to this loop
 * (src/scope/scope-bus-loop.c).
 *
 * The semantics are sd-event's, where cell relies on them:
 *   - each event_run() waits once and dispatches one source: of those
 *     pending, the one of lowest priority value, then the one pending first;
 *     the others stay pending for the next call, which does not wait;
 *   - io and signal sources are created EVENT_ON; time, defer and child
 *     sources EVENT_ONESHOT (turned off as they are dispatched); a defer
 *     source is pending whenever it is on;
 *   - a handler that returns < 0 turns its source off;
 *   - a source may be unref'd from inside its own handler;
 *   - event_run() called from inside a handler returns -EBUSY;
 *   - a child source watches a pidfd; with WEXITED the exited child is left
 *     a zombie for the handler (its pid cannot be reused meanwhile) and
 *     reaped right after it;
 *   - a signal must be blocked before a source for it is added (-EBUSY
 *     otherwise), and only one source may watch a signal (-EBUSY).
 * Every time is CLOCK_MONOTONIC, in microseconds. */

#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>   /* an io source's events are EPOLLIN, EPOLLOUT, ... */
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "macros.h"

typedef struct Event Event;
typedef struct EventSource EventSource;

enum {
        EVENT_OFF = 0,
        EVENT_ON = 1,
        EVENT_ONESHOT = -1,
};

enum {
        EVENT_PRIORITY_IMPORTANT = -100,
        EVENT_PRIORITY_NORMAL = 0,
        EVENT_PRIORITY_IDLE = 100,
};

typedef enum EventState {
        EVENT_INITIAL,          /* between calls of event_run() */
        EVENT_RUNNING,          /* in a handler */
        EVENT_FINISHED,         /* event_exit() was seen by event_run() */
} EventState;

typedef int (*event_handler_t)(EventSource *s, void *userdata);
typedef int (*event_io_handler_t)(EventSource *s, int fd, uint32_t revents, void *userdata);
typedef int (*event_time_handler_t)(EventSource *s, uint64_t usec, void *userdata);
typedef int (*event_signal_handler_t)(EventSource *s, const struct signalfd_siginfo *si, void *userdata);
typedef int (*event_child_handler_t)(EventSource *s, const siginfo_t *si, void *userdata);

int event_new(Event **ret);
Event *event_ref(Event *e);
Event *event_unref(Event *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(Event *, event_unref);

/* Each source holds a reference to its loop until it is unref'd. */
int event_add_io(Event *e, EventSource **ret, int fd, uint32_t events, event_io_handler_t handler, void *userdata);
int event_add_time(Event *e, EventSource **ret, uint64_t usec, event_time_handler_t handler, void *userdata);
int event_add_time_relative(Event *e, EventSource **ret, uint64_t usec, event_time_handler_t handler,
                            void *userdata);
int event_add_signal(Event *e, EventSource **ret, int sig, event_signal_handler_t handler, void *userdata);
/* options: WEXITED (nothing else is watched for: -EINVAL). The pidfd stays the caller's. */
int event_add_child_pidfd(Event *e, EventSource **ret, int pidfd, int options, event_child_handler_t handler,
                          void *userdata);
int event_add_defer(Event *e, EventSource **ret, event_handler_t handler, void *userdata);

/* Turns the source off and drops the caller's reference: NULL, for
 * s = event_source_disable_unref(s). */
EventSource *event_source_disable_unref(EventSource *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(EventSource *, event_source_disable_unref);

int event_source_set_enabled(EventSource *s, int enabled);
int event_source_get_enabled(EventSource *s);
int event_source_set_priority(EventSource *s, int64_t priority);
int event_source_set_io_events(EventSource *s, uint32_t events);
int event_source_set_io_fd(EventSource *s, int fd);
/* A time source's next expiry, absolute or from now; its enabled state stays. */
int event_source_set_time(EventSource *s, uint64_t usec);
int event_source_set_time_relative(EventSource *s, uint64_t usec);
/* Called before each wait while the source is on (an sd-bus connection
 * updates what its fd waits for, src/scope/scope-bus-loop.c). < 0 turns it off. */
int event_source_set_prepare(EventSource *s, event_handler_t prepare);
Event *event_source_get_event(EventSource *s);

/* Waits up to timeout_usec (USEC_INFINITY: no limit) and dispatches one
 * source: 1 if one was, 0 on a timeout or once event_exit() was called
 * (the state is EVENT_FINISHED from then on), < 0 on an error. */
int event_run(Event *e, uint64_t timeout_usec);
/* event_run() until event_exit(): the code given to it, or < 0. */
int event_loop(Event *e);
int event_exit(Event *e, int code);
/* The code given to event_exit(); -ENODATA if it was not called. */
int event_get_exit_code(Event *e, int *ret);
EventState event_get_state(Event *e);
