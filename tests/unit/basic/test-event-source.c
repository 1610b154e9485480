/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/basic/event-source.c: each kind of source (io, time, defer, signal,
 * child) as event-loop.h documents it, as sd-event has it. */
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

/* Blocks sig, leaving the old mask in *old. */
static void block_signal(int sig, sigset_t *old) {
        sigset_t m;

        ASSERT_OK(sigemptyset(&m));
        ASSERT_OK(sigaddset(&m, sig));
        ASSERT_OK(sigprocmask(SIG_BLOCK, &m, old));
}

static bool signal_pending_here(int sig) {
        sigset_t m;

        ASSERT_OK(sigpending(&m));
        return sigismember(&m, sig) == 1;
}

/* Takes a pending sig off the process, as nothing else would. */
static void consume_signal(int sig) {
        const struct timespec zero = {};
        sigset_t m;

        ASSERT_OK(sigemptyset(&m));
        ASSERT_OK(sigaddset(&m, sig));
        ASSERT_EQ(sigtimedwait(&m, NULL, &zero), sig);
}

TEST(signal_dispatch) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('s');
        sigset_t old;

        block_signal(SIGUSR1, &old);
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_signal(e, &s, SIGUSR1, on_signal, &r));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ON);
        ASSERT_EQ(event_run(e, 0), 0);

        ASSERT_OK(kill(getpid(), SIGUSR1));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.source == s);
        ASSERT_EQ(r.ssi.ssi_signo, (uint32_t) SIGUSR1);
        ASSERT_EQ(r.ssi.ssi_pid, (uint32_t) getpid());
        /* Taken off the process. */
        ASSERT_FALSE(signal_pending_here(SIGUSR1));
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 1u);

        /* On: again. raise() is sent to the thread, not the process. */
        ASSERT_OK(raise(SIGUSR1));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 2u);
        ASSERT_EQ(r.ssi.ssi_signo, (uint32_t) SIGUSR1);
        ASSERT_FALSE(signal_pending_here(SIGUSR1));

        /* Off: the signal stays pending in the kernel, for the source once on. */
        ASSERT_OK(event_source_set_enabled(s, EVENT_OFF));
        ASSERT_OK(kill(getpid(), SIGUSR1));
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 2u);
        ASSERT_TRUE(signal_pending_here(SIGUSR1));
        ASSERT_OK(event_source_set_enabled(s, EVENT_ON));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 3u);
        ASSERT_FALSE(signal_pending_here(SIGUSR1));

        /* Unref'd: a signal sent after is left to the process. */
        s = event_source_disable_unref(s);
        ASSERT_OK(kill(getpid(), SIGUSR1));
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 3u);
        ASSERT_TRUE(signal_pending_here(SIGUSR1));
        consume_signal(SIGUSR1);

        /* Sent while a source watched it but before any run, then the source
         * unref'd: not consumed either. */
        ASSERT_OK(event_add_signal(e, &s, SIGUSR1, on_signal, &r));
        ASSERT_OK(kill(getpid(), SIGUSR1));
        s = event_source_disable_unref(s);
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 3u);
        ASSERT_TRUE(signal_pending_here(SIGUSR1));
        consume_signal(SIGUSR1);

        /* The loop leaves the mask as it found it (blocked, by us). */
        sigset_t mask;
        ASSERT_OK(sigprocmask(SIG_SETMASK, NULL, &mask));
        ASSERT_TRUE(sigismember(&mask, SIGUSR1) == 1);

        ASSERT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

TEST(signal_refused) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL, *s2 = NULL;
        Record r = RECORD('s'), r2 = RECORD('S');
        sigset_t m, old;

        ASSERT_OK(sigemptyset(&m));
        ASSERT_OK(sigaddset(&m, SIGUSR2));
        ASSERT_OK(sigprocmask(SIG_UNBLOCK, &m, &old));
        ASSERT_OK(event_new(&e));

        /* Not blocked: it would be delivered (and kill us) before the loop
         * could read it. */
        ASSERT_ERROR(event_add_signal(e, &s, SIGUSR2, on_signal, &r), EBUSY);
        ASSERT_NULL(s);

        ASSERT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
        ASSERT_OK(event_add_signal(e, &s, SIGUSR2, on_signal, &r));
        /* One source per signal. */
        ASSERT_ERROR(event_add_signal(e, &s2, SIGUSR2, on_signal, &r2), EBUSY);
        ASSERT_NULL(s2);

        /* The first is unharmed by the refused second. */
        ASSERT_OK(kill(getpid(), SIGUSR2));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_EQ(r2.n, 0u);
        ASSERT_EQ(r.ssi.ssi_signo, (uint32_t) SIGUSR2);

        /* Once it is gone the signal is free for another. */
        s = event_source_disable_unref(s);
        ASSERT_OK(event_add_signal(e, &s2, SIGUSR2, on_signal, &r2));
        ASSERT_OK(kill(getpid(), SIGUSR2));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r2.n, 1u);
        ASSERT_EQ(r.n, 1u);
        s2 = event_source_disable_unref(s2);
        ASSERT_FALSE(signal_pending_here(SIGUSR2));

        ASSERT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

TEST(signal_two_at_once) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s1 = NULL, *s2 = NULL;
        Record r1 = RECORD('1'), r2 = RECORD('2');
        sigset_t m, old;

        ASSERT_OK(sigemptyset(&m));
        ASSERT_OK(sigaddset(&m, SIGUSR1));
        ASSERT_OK(sigaddset(&m, SIGUSR2));
        ASSERT_OK(sigprocmask(SIG_BLOCK, &m, &old));
        ASSERT_OK(event_new(&e));
        ASSERT_OK(event_add_signal(e, &s1, SIGUSR1, on_signal, &r1));
        ASSERT_OK(event_add_signal(e, &s2, SIGUSR2, on_signal, &r2));

        /* Both sent before the loop looks: each to its own source, one per
         * run. (Which first is left open: sd-event would order two signal
         * sources of different priorities, cell's loop takes the signalfd's
         * order; cell gives no signal source a priority.) */
        trace_reset();
        ASSERT_OK(kill(getpid(), SIGUSR1));
        ASSERT_OK(kill(getpid(), SIGUSR2));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(strlen(trace), 1u);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_TRUE(streq(trace, "12") || streq(trace, "21"));
        ASSERT_EQ(r1.n, 1u);
        ASSERT_EQ(r2.n, 1u);
        ASSERT_EQ(r1.ssi.ssi_signo, (uint32_t) SIGUSR1);
        ASSERT_EQ(r2.ssi.ssi_signo, (uint32_t) SIGUSR2);
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_FALSE(signal_pending_here(SIGUSR1));
        ASSERT_FALSE(signal_pending_here(SIGUSR2));

        ASSERT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

/* A child that waits for a byte on go (its exit status) or for its end. */
static pid_t fork_child(int *ret_pidfd, int *ret_go) {
        int go[2], pidfd;
        pid_t pid;

        ASSERT_OK(pipe2(go, O_CLOEXEC));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                unsigned char c = 0;

                (void) close(go[1]);
                if (read(go[0], &c, 1) != 1)
                        _exit(99);
                _exit(c);
        }
        go[0] = safe_close(go[0]);
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        ASSERT_TRUE(pidfd >= 0);
        *ret_pidfd = pidfd;
        *ret_go = go[1];
        return pid;
}

static bool reaped(int pidfd) {
        siginfo_t si = {};

        return waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOHANG) < 0 && errno == ECHILD;
}

TEST(child_exited) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('c');
        int pidfd, go;
        pid_t pid;

        ASSERT_OK(event_new(&e));
        pid = fork_child(&pidfd, &go);
        r.child_pidfd = pidfd;
        ASSERT_OK(event_add_child_pidfd(e, &s, pidfd, WEXITED, on_child, &r));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_ONESHOT);

        /* Alive: nothing. */
        ASSERT_EQ(event_run(e, MSEC(30)), 0);
        ASSERT_EQ(r.n, 0u);

        ASSERT_EQ(write(go, "\7", 1), 1);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.n, 1u);
        ASSERT_TRUE(r.source == s);
        ASSERT_EQ(r.si.si_signo, SIGCHLD);
        ASSERT_EQ(r.si.si_code, CLD_EXITED);
        ASSERT_EQ(r.si.si_status, 7);
        ASSERT_EQ(r.si.si_pid, pid);
        /* A zombie for the handler, reaped right after it. */
        ASSERT_EQ(r.zombie_seen, 1);
        ASSERT_TRUE(reaped(pidfd));
        ASSERT_EQ(event_source_get_enabled(s), EVENT_OFF);
        ASSERT_EQ(event_run(e, MSEC(20)), 0);
        ASSERT_EQ(r.n, 1u);

        /* The pidfd stays ours. */
        s = event_source_disable_unref(s);
        ASSERT_TRUE(fcntl(pidfd, F_GETFD) >= 0);
        safe_close(pidfd);
        safe_close(go);
}

TEST(child_killed) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('c');
        int pidfd, go;
        pid_t pid;

        ASSERT_OK(event_new(&e));
        pid = fork_child(&pidfd, &go);
        r.child_pidfd = pidfd;
        ASSERT_OK(event_add_child_pidfd(e, &s, pidfd, WEXITED, on_child, &r));
        ASSERT_OK(kill(pid, SIGKILL));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.si.si_code, CLD_KILLED);
        ASSERT_EQ(r.si.si_status, SIGKILL);
        ASSERT_EQ(r.si.si_pid, pid);
        ASSERT_EQ(r.zombie_seen, 1);
        ASSERT_TRUE(reaped(pidfd));
        safe_close(pidfd);
        safe_close(go);
}

TEST(child_exited_before_add) {
        _cleanup_(event_unrefp) Event *e = NULL;
        _cleanup_(event_source_disable_unrefp) EventSource *s = NULL;
        Record r = RECORD('c');
        siginfo_t si = {};
        int pidfd, go;
        pid_t pid;

        /* Already a zombie when the source is added (the pidfd is readable
         * from the start). */
        ASSERT_OK(event_new(&e));
        pid = fork_child(&pidfd, &go);
        r.child_pidfd = pidfd;
        ASSERT_EQ(write(go, "\3", 1), 1);
        ASSERT_OK(waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOWAIT));
        ASSERT_OK(event_add_child_pidfd(e, &s, pidfd, WEXITED, on_child, &r));
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_EQ(r.si.si_code, CLD_EXITED);
        ASSERT_EQ(r.si.si_status, 3);
        ASSERT_EQ(r.si.si_pid, pid);
        ASSERT_EQ(r.zombie_seen, 1);
        ASSERT_TRUE(reaped(pidfd));
        safe_close(pidfd);
        safe_close(go);
}

TEST(child_unref_in_handler) {
        _cleanup_(event_unrefp) Event *e = NULL;
        EventSource *s = NULL;
        Record r = RECORD('c');
        int pidfd, go;

        /* Unref'd by its own handler (as the supervisor's may be): reaped all the same. */
        ASSERT_OK(event_new(&e));
        (void) fork_child(&pidfd, &go);
        r.child_pidfd = pidfd;
        r.unref = &s;
        ASSERT_OK(event_add_child_pidfd(e, &s, pidfd, WEXITED, on_child, &r));
        ASSERT_EQ(write(go, "\1", 1), 1);
        ASSERT_EQ(event_run(e, LONG_WAIT), 1);
        ASSERT_NULL(s);
        ASSERT_EQ(r.si.si_status, 1);
        ASSERT_EQ(r.zombie_seen, 1);
        ASSERT_TRUE(reaped(pidfd));
        ASSERT_TRUE(fcntl(pidfd, F_GETFD) >= 0);
        safe_close(pidfd);
        safe_close(go);
}

TEST(child_options) {
        _cleanup_(event_unrefp) Event *e = NULL;
        EventSource *s = NULL;
        int pidfd, go;

        /* event-loop.h: WEXITED and nothing else; a pidfd never tells of a stop. */
        ASSERT_OK(event_new(&e));
        (void) fork_child(&pidfd, &go);
        ASSERT_EQ(event_add_child_pidfd(e, &s, pidfd, WEXITED | WSTOPPED, on_child, NULL), -EINVAL);
        ASSERT_EQ(event_add_child_pidfd(e, &s, pidfd, WSTOPPED, on_child, NULL), -EINVAL);
        ASSERT_EQ(event_add_child_pidfd(e, &s, pidfd, 0, on_child, NULL), -EINVAL);
        ASSERT_NULL(s);
        /* Its end, for the child: a byte of 0 on go. */
        ASSERT_EQ(write(go, "", 1), 1);
        ASSERT_OK(waitid(P_PIDFD, (id_t) pidfd, &(siginfo_t) {}, WEXITED));
        safe_close(pidfd);
        safe_close(go);
}

