/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/basic/event-source.c: the io, time and defer sources as event-loop.h
 * documents them, as sd-event has them. (Signal and child sources:
 * test-event-source-signal.c, test-event-source-child.c.) */
#include "event-test.h"

TEST(io_readiness) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        int p[2];

        make_pipe(p);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, p[0], EPOLLIN, on_io, &r));
        ASSERT_NOT_NULL(s);
        ASSERT_TRUE(event_source_get_event(s) == e);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ON);

        /* Nothing to read: no dispatch. */
        ASSERT_EQ(event_run(e, 0), 0);
        ASSERT_EQ(r.n, 0u);

        put(p[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.source == s);
        ASSERT_EQ(r.fd, p[0]);
        ASSERT_TRUE(r.revents & EPOLLIN);
        ASSERT_FALSE(r.revents & EPOLLHUP);

        /* Level-triggered and still on: the unread byte dispatches again. */
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ON);

        /* Read dry: nothing more. */
        drain(p[0]);
        ASSERT_EQ(event_run(e, 0), 0);
        ASSERT_EQ(r.n, 2u);

        /* The writer gone: EPOLLHUP in revents. */
        p[1] = safe_close(p[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 3u);
        ASSERT_TRUE(r.revents & EPOLLHUP);

        s = event_source_disable_unref(s);
        ASSERT_NULL(s);
        ASSERT_EQ(event_run(e, 0), 0);
        ASSERT_EQ(r.n, 3u);
        close_pair(p);
}

TEST(io_enabled) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        int p[2];

        make_pipe(p);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, p[0], EPOLLIN, on_io, &r));
        put(p[1]);

        ASSERT_OK(event_source_set_enabled(s, EVENT_OFF));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 0u);

        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ON);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);

        /* ONESHOT: dispatched once, then off though the byte is still there. */
        ASSERT_OK(event_source_set_enabled(s, EVENT_ONESHOT));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 2u);

        /* Off, then on again, twice over (no stale registration left behind). */
        ASSERT_OK(event_source_set_enabled(s, EVENT_OFF));
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 3u);
        close_pair(p);
}

TEST(io_set_events) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        int sp[2];

        /* A socket: always writable, readable once the peer writes. */
        make_socketpair(sp);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, sp[0], EPOLLIN, on_io, &r));
        ASSERT_EQ(event_run(e, 0), 0);

        ASSERT_OK(event_source_set_io_events(s, EPOLLOUT));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.revents & EPOLLOUT);
        ASSERT_FALSE(r.revents & EPOLLIN);

        ASSERT_OK(event_source_set_io_events(s, EPOLLIN));
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 1u);

        put(sp[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        ASSERT_TRUE(r.revents & EPOLLIN);
        ASSERT_FALSE(r.revents & EPOLLOUT);
        drain(sp[0]);

        /* Changed while off: the new events count once it is on. */
        ASSERT_OK(event_source_set_enabled(s, EVENT_OFF));
        ASSERT_OK(event_source_set_io_events(s, EPOLLOUT));
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 3u);
        ASSERT_TRUE(r.revents & EPOLLOUT);

        /* No events at all (an sd-bus connection that waits for nothing yet):
         * accepted, and nothing is dispatched. */
        ASSERT_OK(event_source_set_io_events(s, 0));
        put(sp[1]);
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 3u);
        close_pair(sp);
}

TEST(io_add_no_events) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        int sp[2];

        /* sd_bus_attach_event() adds its io source with events 0. */
        make_socketpair(sp);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, sp[0], 0, on_io, &r));
        put(sp[1]);
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 0u);
        ASSERT_OK(event_source_set_io_events(s, EPOLLIN));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.revents & EPOLLIN);
        close_pair(sp);
}

TEST(io_set_fd) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        int a[2], b[2];

        make_pipe(a);
        make_pipe(b);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, a[0], EPOLLIN, on_io, &r));

        ASSERT_OK(event_source_set_io_fd(s, b[0]));
        /* The old fd is watched no more. */
        put(a[1]);
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 0u);

        put(b[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_EQ(r.fd, b[0]);
        drain(b[0]);
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 1u);

        /* Back to the first, while off; still readable from before. */
        ASSERT_OK(event_source_set_enabled(s, EVENT_OFF));
        ASSERT_OK(event_source_set_io_fd(s, a[0]));
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        ASSERT_EQ(r.fd, a[0]);

        /* The loop never owned either fd: both still open. */
        s = event_source_disable_unref(s);
        ASSERT_TRUE(fcntl(a[0], F_GETFD) >= 0);
        ASSERT_TRUE(fcntl(b[0], F_GETFD) >= 0);
        close_pair(a);
        close_pair(b);
}

TEST(time_relative) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('t');
        uint64_t t0, t1;

        ASSERT_OK(event_new(&e));
        t0 = now_monotonic_usec();
        ASSERT_OK(event_add_time_relative(e, &s, MSEC(30), on_time, &r));
        t1 = now_monotonic_usec();
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);

        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.source == s);
        /* Given the time it was due, and never before it. */
        ASSERT_TRUE(r.usec >= t0 + MSEC(30));
        ASSERT_TRUE(r.usec <= t1 + MSEC(30));
        ASSERT_TRUE(r.at >= r.usec);

        /* Oneshot: off once dispatched. */
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(50)), 0);
        ASSERT_EQ(r.n, 1u);

        /* A new time keeps it off... */
        ASSERT_OK(event_source_set_time_relative(s, MSEC(10)));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(50)), 0);
        ASSERT_EQ(r.n, 1u);

        /* ...and ONESHOT re-arms it. */
        ASSERT_OK(event_source_set_enabled(s, EVENT_ONESHOT));
        t0 = now_monotonic_usec();
        ASSERT_OK(event_source_set_time_relative(s, MSEC(30)));
        t1 = now_monotonic_usec();
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        ASSERT_TRUE(r.usec >= t0 + MSEC(30));
        ASSERT_TRUE(r.usec <= t1 + MSEC(30));
        ASSERT_TRUE(r.at >= r.usec);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
}

TEST(time_absolute) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL, *past = NULL;
        Record r = RECORD('t'), rp = RECORD('P');
        uint64_t deadline;

        ASSERT_OK(event_new(&e));
        deadline = now_monotonic_usec() + MSEC(30);
        ASSERT_OK(event_add_time(e, &s, deadline, on_time, &r));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_EQ_U64(r.usec, deadline);
        ASSERT_TRUE(r.at >= deadline);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);

        /* Re-armed with an absolute time. */
        deadline = now_monotonic_usec() + MSEC(20);
        ASSERT_OK(event_source_set_time(s, deadline));
        ASSERT_OK(event_source_set_enabled(s, EVENT_ONESHOT));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        ASSERT_EQ_U64(r.usec, deadline);
        ASSERT_TRUE(r.at >= deadline);

        /* A time already past is due at once, even for a run that does not wait. */
        deadline = now_monotonic_usec();
        ASSERT_OK(event_add_time(e, &past, deadline, on_time, &rp));
        ASSERT_EQ(event_run(e, 0), 1);
        ASSERT_EQ(rp.n, 1u);
        ASSERT_EQ_U64(rp.usec, deadline);
}

TEST(time_moved) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('t');
        uint64_t t0, t1, deadline;

        ASSERT_OK(event_new(&e));

        /* Moved later while armed: not dispatched at the first time. */
        ASSERT_OK(event_add_time_relative(e, &s, MSEC(10), on_time, &r));
        t0 = now_monotonic_usec();
        ASSERT_OK(event_source_set_time_relative(s, MSEC(300)));
        t1 = now_monotonic_usec();
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);
        ASSERT_EQ(event_run(e, MSEC(60)), 0);
        ASSERT_EQ(r.n, 0u);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.usec >= t0 + MSEC(300));
        ASSERT_TRUE(r.usec <= t1 + MSEC(300));
        ASSERT_TRUE(r.at >= r.usec);
        s = event_source_disable_unref(s);

        /* Moved earlier while armed: dispatched at the new time. */
        ASSERT_OK(event_add_time_relative(e, &s, 60 * USEC_PER_SEC, on_time, &r));
        deadline = now_monotonic_usec() + MSEC(20);
        ASSERT_OK(event_source_set_time(s, deadline));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        ASSERT_EQ_U64(r.usec, deadline);
        ASSERT_TRUE(r.at >= deadline);
}

TEST(time_beyond_run_timeout) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('t');

        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_time_relative(e, &s, MSEC(200), on_time, &r));
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 0u);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.at >= r.usec);
}

TEST(time_with_infinite_run) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('t');
        uint64_t t0;

        /* USEC_INFINITY is no deadline of its own (no overflow into the past),
         * and the timer still ends the wait. A hang is killed by the alarm. */
        ASSERT_OK(event_new(&e));
        t0 = now_monotonic_usec();
        ASSERT_OK(event_add_time_relative(e, &s, MSEC(20), on_time, &r));
        alarm(30);
        ASSERT_EQ(event_run(e, USEC_INFINITY), 1);
        alarm(0);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.at >= t0 + MSEC(20));
}

TEST(defer) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('d');

        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_defer(e, &s, on_defer, &r));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);

        /* Pending at once: a run that does not wait dispatches it. */
        ASSERT_EQ(event_run(e, 0), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.source == s);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 1u);

        /* On: pending whenever on, each run dispatches it. */
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        for (unsigned i = 2; i <= 4; i++) {
                ASSERT_EQ(event_run(e, 0), 1);
                ASSERT_EQ(r.n, i);
        }
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ON);

        /* Something pending: a run with no time limit does not wait. */
        alarm(30);
        ASSERT_EQ(event_run(e, USEC_INFINITY), 1);
        alarm(0);
        ASSERT_EQ(r.n, 5u);

        ASSERT_OK(event_source_set_enabled(s, EVENT_OFF));
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 5u);
}
