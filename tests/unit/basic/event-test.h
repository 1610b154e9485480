/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What test-event-loop.c and test-event-source*.c share: handlers that
 * record what they saw and do what a test tells them. Each test includes
 * it once; its functions are static. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event-loop.h"
#include "test.h"

/* Times are tens of milliseconds and only ever checked against the deadlines
 * the loop was given, never against how fast the machine is. */

#define MSEC(n) ((uint64_t) (n) * USEC_PER_MSEC)
/* Long enough for any machine; a wait this long that ends in a timeout is
 * a failure, not a slow run. */
#define LONG_WAIT (5 * USEC_PER_SEC)

/* The order sources were dispatched in, one letter each (and 'p' for a
 * prepare callback); a Record of tag 0 is left out. */
static char trace[64];

_unused_ static void trace_reset(void) {
        memset(trace, 0, sizeof trace);
}

static void trace_add(char c) {
        size_t n = strlen(trace);

        if (c == 0)             /* a source dispatched too often to trace */
                return;
        ASSERT_TRUE(n + 1 < sizeof trace);
        trace[n] = c;
}

/* What a handler saw, and what it is told to do. */
typedef struct Record {
        char tag;
        unsigned n;
        EventSource *source;
        uint64_t at;

        int fd;
        uint32_t revents;
        uint64_t usec;
        struct signalfd_siginfo ssi;
        siginfo_t si;
        int zombie_seen;            /* 1: waitid(WNOWAIT) saw the child exited, in the handler */
        int child_pidfd;

        int ret;                    /* what the handler returns */
        int drain_fd;               /* read dry in the handler (-1: none) */
        EventSource **unref;        /* event_source_disable_unref'd in the handler */
        Event *nested;              /* event_run() from inside the handler */
        int nested_r;
        Event *state_of;
        EventState state;
        Event *exit;                /* event_exit(exit, exit_code) in the handler */
        int exit_code;

        /* The prepare callback of an io source. */
        unsigned n_prepare;
        int prepare_ret;
        uint32_t prepare_events;    /* set as the io events in prepare (0: leave) */
        EventSource *prepare_time;  /* set to prepare_deadline, ONESHOT, on the first prepare */
        uint64_t prepare_deadline;
} Record;

#define RECORD(t) ((Record) { .tag = (t), .drain_fd = -1, .child_pidfd = -1 })

_unused_ static void drain(int fd) {
        char buf[256];

        while (read(fd, buf, sizeof buf) > 0)
                ;
}

static int record_hit(Record *r, EventSource *s) {
        r->n++;
        r->source = s;
        r->at = now_monotonic_usec();
        trace_add(r->tag);
        if (r->state_of)
                r->state = event_get_state(r->state_of);
        if (r->nested)
                r->nested_r = event_run(r->nested, 0);
        if (r->drain_fd >= 0)
                drain(r->drain_fd);
        if (r->unref)
                *r->unref = event_source_disable_unref(*r->unref);
        if (r->exit)
                ASSERT_OK(event_exit(r->exit, r->exit_code));
        return r->ret;
}

_unused_ static int on_io(EventSource *s, int fd, uint32_t revents, void *userdata) {
        Record *r = userdata;

        r->fd = fd;
        r->revents = revents;
        return record_hit(r, s);
}

_unused_ static int on_time(EventSource *s, uint64_t usec, void *userdata) {
        Record *r = userdata;

        r->usec = usec;
        return record_hit(r, s);
}

_unused_ static int on_defer(EventSource *s, void *userdata) {
        return record_hit(userdata, s);
}

_unused_ static int on_signal(EventSource *s, const struct signalfd_siginfo *si, void *userdata) {
        Record *r = userdata;

        r->ssi = *si;
        return record_hit(r, s);
}

_unused_ static int on_child(EventSource *s, const siginfo_t *si, void *userdata) {
        Record *r = userdata;
        siginfo_t w = {};

        r->si = *si;
        /* Still a zombie: seen by a waitid() that leaves it so. */
        if (waitid(P_PIDFD, (id_t) r->child_pidfd, &w, WEXITED | WNOHANG | WNOWAIT) == 0)
                r->zombie_seen = w.si_pid == si->si_pid;
        else
                r->zombie_seen = -errno;
        return record_hit(r, s);
}

_unused_ static int on_prepare(EventSource *s, void *userdata) {
        Record *r = userdata;

        r->n_prepare++;
        trace_add('p');
        if (r->prepare_events != 0)
                ASSERT_OK(event_source_set_io_events(s, r->prepare_events));
        if (r->prepare_time && r->n_prepare == 1) {
                ASSERT_OK(event_source_set_time(r->prepare_time, r->prepare_deadline));
                ASSERT_OK(event_source_set_enabled(r->prepare_time, EVENT_ONESHOT));
        }
        return r->prepare_ret;
}

_unused_ static void make_pipe(int p[2]) {
        ASSERT_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
}

_unused_ static void make_socketpair(int sp[2]) {
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sp));
}

_unused_ static void put(int fd) {
        ASSERT_EQ(write(fd, "x", 1), 1);
}

_unused_ static void close_pair(int p[2]) {
        p[0] = safe_close(p[0]);
        p[1] = safe_close(p[1]);
}
