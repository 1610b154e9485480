/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/basic/event-loop.c: the turn of a loop (one wait, one source
 * dispatched, by priority, then by when it became pending), exit, nesting,
 * prepare callbacks and the loop's references; each behaviour event-loop.h
 * documents, as sd-event has it (cell relied on sd-event before it had its
 * own loop). */
#include "event-test.h"

TEST(new_ref_unref) {
        Event *e = NULL;

        ASSERT_OK(event_new(&e));
        ASSERT_NOT_NULL(e);
        ASSERT_TRUE(event_ref(e) == e);
        event_unref(e);
        ASSERT_EQ(event_get_state(e), EVENT_INITIAL);
        ASSERT_EQ(event_run(e, 0), 0);
        event_unref(e);
        ASSERT_NULL(event_unref(NULL));
        ASSERT_NULL(event_source_disable_unref(NULL));
}

TEST(run_timeout) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        uint64_t t0, t1;
        int p[2];

        ASSERT_OK(event_new(&e));

        /* An empty loop. */
        t0 = now_monotonic_usec();
        ASSERT_EQ(event_run(e, MSEC(50)), 0);
        t1 = now_monotonic_usec();
        ASSERT_TRUE(t1 - t0 >= MSEC(49));

        /* A loop with an fd that stays quiet. */
        make_pipe(p);
        ASSERT_OK(event_add_io(e, &s, p[0], EPOLLIN, on_io, &r));
        t0 = now_monotonic_usec();
        ASSERT_EQ(event_run(e, MSEC(50)), 0);
        t1 = now_monotonic_usec();
        ASSERT_TRUE(t1 - t0 >= MSEC(49));
        ASSERT_EQ(r.n, 0u);

        /* 0: does not wait. */
        ASSERT_EQ(event_run(e, 0), 0);
        ASSERT_EQ(event_get_state(e), EVENT_INITIAL);
        close_pair(p);
}

TEST(priority_order) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *sa = NULL, *sb = NULL, *sd = NULL;
        Record ra = RECORD('a'), rb = RECORD('b'), rd = RECORD('d');
        int a[2], b[2];

        make_pipe(a);
        make_pipe(b);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &sa, a[0], EPOLLIN, on_io, &ra));
        ASSERT_OK(event_add_io(e, &sb, b[0], EPOLLIN, on_io, &rb));
        ra.drain_fd = a[0];
        rb.drain_fd = b[0];
        ASSERT_OK(event_source_set_priority(sa, 10));
        ASSERT_OK(event_source_set_priority(sb, -10));

        /* Both pending: the lower value first, one per run. */
        trace_reset();
        put(a[1]);
        put(b[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "b");
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "ba");
        ASSERT_EQ(event_run(e, 0), 0);

        /* Swapped. */
        ASSERT_OK(event_source_set_priority(sa, EVENT_PRIORITY_IMPORTANT));
        ASSERT_OK(event_source_set_priority(sb, EVENT_PRIORITY_IDLE));
        trace_reset();
        put(b[1]);
        put(a[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "ab");

        /* Across types: a defer source at IDLE after an io source at NORMAL;
         * the io source at IDLE + 1 after the defer source. */
        ASSERT_OK(event_source_set_priority(sa, EVENT_PRIORITY_NORMAL));
        ASSERT_OK(event_add_defer(e, &sd, on_defer, &rd));
        ASSERT_OK(event_source_set_priority(sd, EVENT_PRIORITY_IDLE));
        trace_reset();
        put(a[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "ad");
        ASSERT_OK(event_source_set_priority(sa, EVENT_PRIORITY_IDLE + 1));
        ASSERT_OK(event_source_set_enabled(sd, EVENT_ONESHOT));
        trace_reset();
        put(a[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "da");
        close_pair(a);
        close_pair(b);
}

TEST(priority_time_sources) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s1 = NULL, *s2 = NULL;
        Record r1 = RECORD('1'), r2 = RECORD('2');
        uint64_t deadline = now_monotonic_usec() + MSEC(20);

        /* Both due at the same time: the priority decides, not the order
         * they were added in. */
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_time(e, &s1, deadline, on_time, &r1));
        ASSERT_OK(event_add_time(e, &s2, deadline, on_time, &r2));
        ASSERT_OK(event_source_set_priority(s2, EVENT_PRIORITY_IMPORTANT));
        trace_reset();
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "2");
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "21");
}

TEST(time_sources_in_the_order_they_fell_due) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s1 = NULL, *s2 = NULL, *s3 = NULL;
        Record r1 = RECORD('1'), r2 = RECORD('2'), r3 = RECORD('3');
        uint64_t t = now_monotonic_usec();

        /* All three due by the time the loop looks (it did not run while they
         * fell due): the earliest first, as sd-event's, not the one added
         * last (a stop's SIGKILL timer ran before an extension due earlier). */
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_time(e, &s2, t + 2, on_time, &r2));
        ASSERT_OK(event_add_time(e, &s1, t + 1, on_time, &r1));
        ASSERT_OK(event_add_time(e, &s3, t + 3, on_time, &r3));
        usleep(MSEC(5));
        trace_reset();
        for (int i = 0; i < 3; i++)
                ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "123");
}

TEST(pending_first_at_equal_priority) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *sx = NULL, *sa = NULL, *sb = NULL;
        Record rx = RECORD('x'), ra = RECORD('a'), rb = RECORD('b');
        int x[2], a[2], b[2];

        make_pipe(x);
        make_pipe(a);
        make_pipe(b);
        ASSERT_OK(event_new(&e));
        /* b added before a, both at the same priority; x before both. */
        ASSERT_OK(event_add_io(e, &sb, b[0], EPOLLIN, on_io, &rb));
        ASSERT_OK(event_add_io(e, &sa, a[0], EPOLLIN, on_io, &ra));
        ASSERT_OK(event_add_io(e, &sx, x[0], EPOLLIN, on_io, &rx));
        ASSERT_OK(event_source_set_priority(sx, EVENT_PRIORITY_IMPORTANT));
        rx.drain_fd = x[0];
        ra.drain_fd = a[0];
        rb.drain_fd = b[0];

        trace_reset();
        put(x[1]);
        put(a[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "x");
        /* a has been pending since that wait, b only from now on. */
        put(b[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "xab");
        close_pair(x);
        close_pair(a);
        close_pair(b);
}

TEST(pending_stays_pending) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *sa = NULL, *sb = NULL;
        Record ra = RECORD('a'), rb = RECORD('b');
        uint64_t t0, t1;
        int a[2], b[2];

        make_pipe(a);
        make_pipe(b);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &sa, a[0], EPOLLIN, on_io, &ra));
        ASSERT_OK(event_add_io(e, &sb, b[0], EPOLLIN, on_io, &rb));
        ASSERT_OK(event_source_set_priority(sa, EVENT_PRIORITY_IMPORTANT));
        /* a's handler reads b's pipe dry: b was found pending by the same
         * wait, and stays so; the next run dispatches it without waiting. */
        ra.drain_fd = b[0];

        trace_reset();
        put(a[1]);
        put(b[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "a");
        drain(a[0]);
        t0 = now_monotonic_usec();
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        t1 = now_monotonic_usec();
        ASSERT_STREQ(trace, "ab");
        ASSERT_TRUE(rb.revents & EPOLLIN);
        /* Not the timeout that ended that run: it did not wait for it. */
        ASSERT_TRUE(t1 - t0 < LONG_WAIT / 2);
        ASSERT_EQ(event_run(e, 0), 0);
        close_pair(a);
        close_pair(b);
}

TEST(handler_error_turns_off) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL, *d = NULL, *t = NULL;
        Record r = RECORD('i'), rd = RECORD('d'), rt = RECORD('t');
        int p[2];

        make_pipe(p);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, p[0], EPOLLIN, on_io, &r));
        r.ret = -EIO;
        put(p[1]);
        /* The handler's error is the source's, not the run's. */
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 1u);
        /* Turned back on, it works again. */
        r.ret = 0;
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        s = event_source_disable_unref(s);

        /* In event_loop(): an always-pending source that fails is off, the
         * loop goes on to the time source that ends it. */
        ASSERT_OK(event_add_defer(e, &d, on_defer, &rd));
        ASSERT_OK(event_source_set_enabled(d, EVENT_ON));
        rd.ret = -EINVAL;
        ASSERT_OK(event_add_time_relative(e, &t, MSEC(30), on_time, &rt));
        rt.exit = e;
        rt.exit_code = 3;
        ASSERT_EQ(event_loop(e), 3);
        ASSERT_EQ(rd.n, 1u);
        ASSERT_EQ(rt.n, 1u);
        ASSERT_EQ(event_source_get_enabled(d), EVENT_OFF);
        close_pair(p);
}

TEST(unref_self_in_handler) {
        _cleanup_(event_unrefp) Event *e = NULL;
        EventSource *s = NULL, *d = NULL, *t = NULL;
        Record r = RECORD('i'), rd = RECORD('d'), rt = RECORD('t');
        int p[2];

        make_pipe(p);
        ASSERT_OK(event_new(&e));

        /* io, still readable after its handler. */
        ASSERT_OK(event_add_io(e, &s, p[0], EPOLLIN, on_io, &r));
        r.unref = &s;
        put(p[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_NULL(s);
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 1u);

        /* defer, on (pending again right after). */
        ASSERT_OK(event_add_defer(e, &d, on_defer, &rd));
        ASSERT_OK(event_source_set_enabled(d, EVENT_ON));
        rd.unref = &d;
        ASSERT_EQ(event_run(e, 0), 1);
        ASSERT_NULL(d);
        ASSERT_EQ(event_run(e, 0), 0);
        ASSERT_EQ(rd.n, 1u);

        /* time, oneshot (turned off by the loop around the handler). */
        ASSERT_OK(event_add_time_relative(e, &t, MSEC(10), on_time, &rt));
        rt.unref = &t;
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_NULL(t);
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(rt.n, 1u);
        close_pair(p);
}

TEST(unref_other_pending_in_handler) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *sa = NULL;
        EventSource *sb = NULL;
        Record ra = RECORD('a'), rb = RECORD('b');
        int a[2], b[2];

        make_pipe(a);
        make_pipe(b);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &sa, a[0], EPOLLIN, on_io, &ra));
        ASSERT_OK(event_add_io(e, &sb, b[0], EPOLLIN, on_io, &rb));
        ASSERT_OK(event_source_set_priority(sa, EVENT_PRIORITY_IMPORTANT));
        ra.drain_fd = a[0];
        ra.unref = &sb;

        /* b pending when a's handler drops it: never dispatched. */
        trace_reset();
        put(a[1]);
        put(b[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_NULL(sb);
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_STREQ(trace, "a");
        ASSERT_EQ(rb.n, 0u);
        close_pair(a);
        close_pair(b);
}

TEST(run_in_handler_busy) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('d');

        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_defer(e, &s, on_defer, &r));
        r.nested = e;
        r.nested_r = 12345;
        r.state_of = e;
        ASSERT_EQ(event_get_state(e), EVENT_INITIAL);
        ASSERT_EQ(event_run(e, 0), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_EQ(r.nested_r, -EBUSY);
        ASSERT_EQ(r.state, EVENT_RUNNING);
        ASSERT_EQ(event_get_state(e), EVENT_INITIAL);
}

TEST(exit_outside) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        int code = 99, p[2];

        make_pipe(p);
        ASSERT_OK(event_new(&e));
        ASSERT_ERROR(event_get_exit_code(e, &code), ENODATA);
        ASSERT_EQ(code, 99);

        ASSERT_OK(event_exit(e, 42));
        /* Something is pending: the exit comes first, and no wait. */
        ASSERT_OK(event_add_io(e, &s, p[0], EPOLLIN, on_io, &r));
        put(p[1]);
        ASSERT_EQ(event_run(e, LONG_WAIT), 0);
        ASSERT_EQ(event_get_state(e), EVENT_FINISHED);
        ASSERT_OK(event_get_exit_code(e, &code));
        ASSERT_EQ(code, 42);
        ASSERT_EQ(r.n, 0u);
        close_pair(p);
}

TEST(exit_in_handler) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('d');
        int code = 99;

        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_defer(e, &s, on_defer, &r));
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        r.exit = e;
        r.exit_code = 7;
        ASSERT_EQ(event_run(e, 0), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_OK(event_get_exit_code(e, &code));
        ASSERT_EQ(code, 7);
        /* The defer source is still on and pending; the exit wins. */
        ASSERT_EQ(event_run(e, 0), 0);
        ASSERT_EQ(event_get_state(e), EVENT_FINISHED);
        ASSERT_EQ(r.n, 1u);
        code = 99;
        ASSERT_OK(event_get_exit_code(e, &code));
        ASSERT_EQ(code, 7);
}

TEST(loop_returns_exit_code) {
        _cleanup_(event_unrefp) Event *e = NULL, *e0 = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *d = NULL, *t = NULL, *i = NULL, *t0 = NULL;
        Record rd = RECORD(0), rt = RECORD('t'), ri = RECORD('i'), rt0 = RECORD('z');
        int p[2];

        make_pipe(p);
        ASSERT_OK(event_new(&e));
        /* Several sources, many dispatches, then the exit from a handler. */
        ASSERT_OK(event_add_io(e, &i, p[0], EPOLLIN, on_io, &ri));
        ASSERT_OK(event_add_defer(e, &d, on_defer, &rd));
        ASSERT_OK(event_source_set_enabled(d, EVENT_ON));
        ASSERT_OK(event_source_set_priority(d, EVENT_PRIORITY_IDLE));
        ASSERT_OK(event_add_time_relative(e, &t, MSEC(30), on_time, &rt));
        rt.exit = e;
        rt.exit_code = 5;
        /* The defer source, always pending, starves no timer. */
        alarm(30);
        ASSERT_EQ(event_loop(e), 5);
        alarm(0);
        ASSERT_EQ(event_get_state(e), EVENT_FINISHED);
        ASSERT_EQ(rt.n, 1u);
        ASSERT_TRUE(rd.n >= 1);
        ASSERT_EQ(ri.n, 0u);
        ASSERT_TRUE(rt.at >= rt.usec);

        /* 0 is a code like any other. */
        ASSERT_OK(event_new(&e0));
        ASSERT_OK(event_add_time_relative(e0, &t0, MSEC(10), on_time, &rt0));
        rt0.exit = e0;
        rt0.exit_code = 0;
        ASSERT_EQ(event_loop(e0), 0);
        ASSERT_EQ(rt0.n, 1u);
        close_pair(p);
}

TEST(prepare_each_wait) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        int sp[2];

        make_socketpair(sp);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, sp[0], EPOLLIN, on_io, &r));
        ASSERT_OK(event_source_set_prepare(s, on_prepare));

        for (unsigned i = 1; i <= 3; i++) {
                ASSERT_EQ(event_run(e, MSEC(1)), 0);
                ASSERT_EQ(r.n_prepare, i);
        }

        /* Not while off. */
        ASSERT_OK(event_source_set_enabled(s, EVENT_OFF));
        ASSERT_EQ(event_run(e, MSEC(1)), 0);
        ASSERT_EQ(event_run(e, MSEC(1)), 0);
        ASSERT_EQ(r.n_prepare, 3u);
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_EQ(event_run(e, MSEC(1)), 0);
        ASSERT_EQ(r.n_prepare, 4u);

        /* Before the wait: what it sets is what that wait waits for. */
        trace_reset();
        r.prepare_events = EPOLLOUT;
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_STREQ(trace, "pi");
        ASSERT_TRUE(r.revents & EPOLLOUT);
        ASSERT_EQ(r.n, 1u);
        close_pair(sp);
}

TEST(prepare_error_turns_off) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('i');
        int sp[2];

        make_socketpair(sp);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, sp[0], EPOLLIN, on_io, &r));
        ASSERT_OK(event_source_set_prepare(s, on_prepare));
        r.prepare_ret = -EIO;
        put(sp[1]);
        /* Readable, but its prepare failed: off, not dispatched. */
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n_prepare, 1u);
        ASSERT_EQ(r.n, 0u);
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(10)), 0);
        ASSERT_EQ(r.n_prepare, 1u);

        r.prepare_ret = 0;
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n_prepare, 2u);
        ASSERT_EQ(r.n, 1u);
        close_pair(sp);
}

TEST(prepare_arms_timer) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL, *t = NULL;
        Record r = RECORD('i'), rt = RECORD('t');
        uint64_t t0, t1;
        int sp[2];

        /* sd_bus_attach_event()'s pattern: an io source waiting for nothing
         * yet, a time source added due at 0 and a prepare callback that sets
         * both before each wait. The time it sets is the one honoured (not 0),
         * and it ends that wait. */
        make_socketpair(sp);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, sp[0], 0, on_io, &r));
        ASSERT_OK(event_add_time(e, &t, 0, on_time, &rt));
        ASSERT_OK(event_source_set_prepare(s, on_prepare));
        r.prepare_time = t;
        r.prepare_deadline = now_monotonic_usec() + MSEC(30);

        t0 = now_monotonic_usec();
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        t1 = now_monotonic_usec();
        ASSERT_EQ(r.n_prepare, 1u);
        ASSERT_EQ(rt.n, 1u);
        ASSERT_EQ(r.n, 0u);
        ASSERT_EQ_U64(rt.usec, r.prepare_deadline);
        ASSERT_TRUE(rt.at >= r.prepare_deadline);
        ASSERT_TRUE(t1 - t0 < LONG_WAIT / 2);
        close_pair(sp);
}

TEST(source_holds_loop) {
        Event *e = NULL;
        EventSource *s = NULL, *t = NULL;
        Record r = RECORD('d'), rt = RECORD('t');

        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_defer(e, &s, on_defer, &r));
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));

        /* The caller's reference gone, the source's keeps the loop. */
        event_unref(e);
        ASSERT_TRUE(event_source_get_event(s) == e);
        ASSERT_EQ(event_run(e, 0), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_OK(event_add_time_relative(e, &t, MSEC(5), on_time, &rt));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_OK(event_source_set_enabled(s, EVENT_OFF));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(rt.n, 1u);
        t = event_source_disable_unref(t);
        ASSERT_EQ(event_get_state(e), EVENT_INITIAL);
        /* The last one: the loop goes with it (valgrind or ASan sees a leak
         * or a use after free otherwise). */
        s = event_source_disable_unref(s);
        ASSERT_NULL(s);
}

static int on_prepare_unref_self(EventSource *s, void *userdata) {
        Record *r = userdata;

        r->n_prepare++;
        *r->unref = event_source_disable_unref(*r->unref);
        return 0;
}

TEST(last_reference_dropped_in_callbacks) {
        Event *e = NULL;
        EventSource *s = NULL;
        Record r = RECORD('d');
        int sp[2];

        /* The caller holds no reference of the loop, its one source does, and
         * drops it from its own handler: the loop lasts until event_run()
         * returns (ASan or valgrind sees it otherwise). */
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_defer(e, &s, on_defer, &r));
        r.unref = &s;
        event_unref(e);
        ASSERT_EQ(event_run(e, 0), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_NULL(s);

        /* The same from its prepare callback. */
        make_socketpair(sp);
        r = RECORD('i');
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_io(e, &s, sp[0], EPOLLIN, on_io, &r));
        ASSERT_OK(event_source_set_prepare(s, on_prepare_unref_self));
        r.unref = &s;
        event_unref(e);
        ASSERT_EQ(event_run(e, 0), 0);
        ASSERT_EQ(r.n_prepare, 1u);
        ASSERT_EQ(r.n, 0u);
        ASSERT_NULL(s);
        close_pair(sp);
}
