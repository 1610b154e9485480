/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd manager's conversation, rootless: a private dbus-daemon and a
 * fake org.freedesktop.systemd1 (a child process, fake-systemd.c) that
 * answers like systemd 252 -- PIDFDs refused with PropertyReadOnly,
 * JobRemoved after the reply, UnitExists -- and fails the job when cell sends
 * what PID 1 would pay for in vain (PIDFDs, AddRef=, Controller=) or leaves
 * out what its own stop of the scope needs (KillSignal=, TimeoutStopUSec=).
 * The real systemd is exercised by tests/integration/systemd/. Skips when
 * dbus-daemon is missing. */

#include <unistd.h>

#include "fake-bus.h"
#include "fake-systemd.h"
#include "scope-internal.h"
#include "test.h"

TEST(systemd_conversation) {
        Event *e = NULL;
        Scope *s = NULL;

        if (!fake_bus_start(NULL, fake_systemd, NULL))
                return;
        ASSERT_OK(event_new(&e));

        /* PIDs, Slice, KillSignal and TimeoutStopUSec; no PIDFDs, AddRef= or
         * Controller=: checked by the fake. */
        ASSERT_OK(run_one("ok", "cell-ok.scope", e, &s));
        ASSERT_NULL(scope_last_error(s));
        scope_free(s);

        /* Once the payload runs, cell lets go of the bus: no connection held for the
         * container's life, and nothing sent at its end (the scope ends with it). */
        ASSERT_OK(run_one("release", "cell-release.scope", e, &s));
        probe("cell-release.scope", true, 0);
        scope_release(s);
        probe("cell-release.scope", false, 0);
        scope_free(s);
        usleep(100 * 1000);     /* time for a StopUnit, were one sent */
        probe("cell-release.scope", false, 0);

        /* A job that fails: the result is named, and the scope systemd made is
         * stopped before cell lets go of the bus. */
        ASSERT_ERROR(run_one("fail", "cell-fail.scope", e, &s), EIO);
        ASSERT_STREQ(scope_last_error(s), "starting cell-fail.scope failed: job result 'failed'");
        scope_free(s);
        probe("cell-fail.scope", false, 1);

        /* A JobRemoved from anyone but the manager that made the job is not believed:
         * a forged "done" would release the payload before it is in its cgroup. */
        ASSERT_ERROR(run_one("forged", "cell-forged.scope", e, &s), EIO);
        ASSERT_STREQ(scope_last_error(s), "starting cell-forged.scope failed: job result 'failed'");
        scope_free(s);

        /* Refused outright: systemd's own words. */
        ASSERT_TRUE(run_one("refused", "cell-refused.scope", e, &s) < 0);
        ASSERT_STREQ(scope_last_error(s), "StartTransientUnit(cell-refused.scope) failed: Unit nope.slice not found. "
                                          "(org.freedesktop.systemd1.NoSuchUnit)");
        scope_free(s);

        /* Running already. */
        ASSERT_ERROR(run_one("busy", "cell-busy.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell busy is already running (cell-busy.scope, PID 4242)");
        ASSERT_FALSE(scope_leftover_stopped(s));
        leftover_stops("busy", 0, 0, 0);
        scope_free(s);

        /* A failed leftover without an activation: ResetFailedUnit, then the retry works. */
        ASSERT_OK(run_one("left", "cell-left.scope", e, &s));
        ASSERT_FALSE(scope_leftover_stopped(s));
        scope_free(s);

        /* Active with no process in it (a cell of that name that has just ended, or
         * one systemd missed the end of): that activation is stopped, through its
         * invocation ID and never by name, and the start goes through. */
        ASSERT_OK(run_one("stale", "cell-stale.scope", e, &s));
        ASSERT_NULL(scope_last_error(s));
        ASSERT_TRUE(scope_leftover_stopped(s));
        leftover_stops("stale", 1, 0, 0);
        scope_free(s);

        /* ... a stop that leaves it failed: reset, then started. */
        ASSERT_OK(run_one("unclean", "cell-unclean.scope", e, &s));
        ASSERT_TRUE(scope_leftover_stopped(s));
        leftover_stops("unclean", 1, 0, 0);
        scope_free(s);

        /* ... a stop systemd refuses: the start is refused, with its words. */
        ASSERT_ERROR(run_one("nostop", "cell-nostop.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell-nostop.scope is active with no process in it, and could not be "
                                          "stopped: Access denied");
        ASSERT_FALSE(scope_leftover_stopped(s));
        scope_free(s);

        /* ... over by itself after it was read, and the name taken by another cell's
         * start: the stop names the activation that was read, so the new one is not
         * touched, and this start is refused as for any running cell. */
        ASSERT_ERROR(run_one("swapped", "cell-swapped.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell swapped is already running (cell-swapped.scope, PID 4343)");
        leftover_stops("swapped", 1, 0, 0);
        scope_free(s);

        /* Inactive with a start job queued: another cell's start, before systemd
         * ran its job. Refused as running, never reset or stopped. */
        ASSERT_ERROR(run_one("starting", "cell-starting.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell starting is already running (cell-starting.scope, activating)");
        leftover_stops("starting", 0, 0, 0);
        scope_free(s);
        /* ... also when the unit still has the ID of its last activation. */
        ASSERT_ERROR(run_one("again", "cell-again.scope", e, &s), EEXIST);
        ASSERT_STREQ(scope_last_error(s), "cell again is already running (cell-again.scope, activating)");
        leftover_stops("again", 0, 0, 0);
        scope_free(s);

        /* A limit systemd did not put in force: the fake makes no cgroup, so this
         * process is in no cell-unenforced.scope, and TasksMax= is refused. */
        PlanLimits tasks = { .cpu_quota_per_sec_usec = USEC_INFINITY,
                             .tasks_max = { .kind = CELL_LIMIT_VALUE, .value = 32 } };
        ASSERT_ERROR(run_limited("unenforced", "cell-unenforced.scope", &tasks, e, &s), EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "TasksMax=: systemd has no pids controller for cell-unenforced.scope, "
                                             "so the limit would not be enforced");
        scope_free(s);
        /* ... with a CPUQuota= whose period systemd clamps: the notice of the
         * period is for a start that goes on, not before the refusal. */
        PlanLimits quota = tasks;
        quota.cpu_quota_per_sec_usec = 5000;
        char text[4096];
        TestStderr c = test_stderr_capture();
        int r = run_limited("unenforced3", "cell-unenforced3.scope", &quota, e, &s);
        test_stderr_release(c, text, sizeof text);
        ASSERT_ERROR(r, EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "systemd has no ");
        if (strstr(text, "the period is"))
                TEST_FAIL("the period notice came with the refusal: %s", text);
        scope_free(s);
        /* ... nor a Startup*= one, which systemd applies while the system
         * starts up or shuts down: it needs the controller all the same. */
        static uint8_t cpu0[1] = { 0x01 };
        PlanLimits startup = { .cpu_quota_per_sec_usec = USEC_INFINITY,
                               .startup_allowed_cpus = cpu0, .startup_allowed_cpus_size = sizeof cpu0 };
        ASSERT_ERROR(run_limited("unenforced2", "cell-unenforced2.scope", &startup, e, &s), EOPNOTSUPP);
        ASSERT_CONTAINS(scope_last_error(s), "StartupAllowedCPUs=: systemd has no cpuset controller for "
                                             "cell-unenforced2.scope");
        scope_free(s);

        /* The bus goes away while waiting for the job. */
        Plan p = { .name = (char *) "hang", .scope_unit = (char *) "cell-hang.scope",
                   .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_SYSTEMD, false, e, &s));
        ASSERT_OK(scope_attach(s, getpid(), false));
        fake_bus_stop();
        ASSERT_ERROR(scope_wait(s), ECONNRESET);
        ASSERT_STREQ(scope_last_error(s), "lost the connection to the bus while waiting for cell-hang.scope");
        scope_free(s);

        event_unref(e);
}
