/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/basic/event-source.c: the signal sources as event-loop.h documents
 * them, as sd-event has them. */
#include "event-test.h"

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
