/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What event-loop.c (the loop: waiting, dispatching) and event-source.c (the
 * sources: adding, changing, freeing) share. Not for anyone else. */

#include <stdbool.h>

#include "event-loop.h"

typedef enum SourceType {
        SOURCE_IO,
        SOURCE_TIME,
        SOURCE_SIGNAL,
        SOURCE_CHILD,
        SOURCE_DEFER,
} SourceType;

struct EventSource {
        unsigned n_ref;
        Event *event;                   /* a reference of ours */
        EventSource *prev, *next;       /* in event->sources */
        SourceType type;
        int enabled;
        int64_t priority;
        bool pending;
        uint64_t pending_seq;           /* when it became pending: the first goes first */
        bool gone;                      /* its owner let go; freed with the last reference */
        event_handler_t prepare;
        void *userdata;
        union {
                struct {
                        event_io_handler_t handler;
                        int fd;
                        uint32_t events, revents;
                } io;
                struct {
                        event_time_handler_t handler;
                        uint64_t next;
                } time;
                struct {
                        event_signal_handler_t handler;
                        int sig;
                        struct signalfd_siginfo si;
                } signal;
                struct {
                        event_child_handler_t handler;
                        int pidfd;
                        siginfo_t si;
                } child;
                struct {
                        event_handler_t handler;
                } defer;
        };
};

struct Event {
        unsigned n_ref;
        int epoll_fd;
        int signal_fd;                  /* -EBADF until event_run() with a signal source on */
        sigset_t sigmask;               /* the signals of the sources that are on */
        bool signal_mask_changed;       /* ... and not yet the signalfd's: event_run() makes them so */
        EventSource *sources;
        uint64_t pending_seq;
        EventState state;
        bool exit_requested;
        int exit_code;
};

/* The signalfd made, or changed, to take exactly the signals of the sources
 * that are on; none is made while there are none. */
int event_signal_fd_update(Event *e);
EventSource *event_source_ref(EventSource *s);
void event_source_unref(EventSource *s);
