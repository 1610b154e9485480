/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A start job that systemd ends before its reply to StartTransientUnit
 * leaves (the fake systemd of fake-systemd.c, unit names with "early"):
 * cell keeps the JobRemoved until the reply names the job. And a copy of a
 * job's end that fails for want of memory (this test's strdup() fails one):
 * the start says so at once rather than wait for a signal that came already,
 * and "cell stop" says it rather than report a stop that failed. Skips when
 * dbus-daemon is missing. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake-bus.h"
#include "fake-systemd.h"
#include "instance-internal.h"
#include "scope-internal.h"
#include "test.h"

/* Armed (not NULL): the next strdup() of a string that begins so fails,
 * once. This test's own strdup(), which cell's code (and sd-bus) in this
 * process calls. */
static const char *fail_next_copy_of;

char *strdup(const char *s) {
        size_t n = strlen(s) + 1;
        char *p;

        if (fail_next_copy_of && startswith(s, fail_next_copy_of)) {
                fail_next_copy_of = NULL;
                errno = ENOMEM;
                return NULL;
        }
        p = malloc(n);
        return p ? memcpy(p, s, n) : NULL;
}

TEST(job_removed_before_the_reply) {
        Event *e = NULL;
        Scope *s = NULL;

        if (!fake_bus_start(NULL, fake_systemd, NULL))
                return;
        ASSERT_OK(event_new(&e));
        ASSERT_OK(setenv("CELL_SCOPE_TIMEOUT", "3s", 1));

        /* The signal kept, the job's end taken once the reply names it. */
        ASSERT_OK(run_one("early", "cell-early.scope", e, &s));
        ASSERT_NULL(scope_last_error(s));
        scope_free(s);

        /* ... its result too: a failed job is told as failed. */
        ASSERT_ERROR(run_one("earlyfail", "cell-earlyfail.scope", e, &s), EIO);
        ASSERT_STREQ(scope_last_error(s), "starting cell-earlyfail.scope failed: job result 'failed'");
        scope_free(s);

        /* The copy of the early signal's job fails: ENOMEM, not the deadline's
         * ETIMEDOUT of a start that forgot the job ended. */
        fail_next_copy_of = "/org/freedesktop/systemd1/job/";
        ASSERT_ERROR(run_one("earlyoom", "cell-earlyoom.scope", e, &s), ENOMEM);
        ASSERT_NULL(fail_next_copy_of);
        scope_free(s);

        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));
        fake_bus_stop();
        event_unref(e);
}

/* "cell stop" through the bus (instance_bus_stop()): StopUnit, then its job's
 * JobRemoved. A result that could not be copied is not a failed stop. */
TEST(stop_job_result_not_copied) {
        CellInstance i = { .unit = (char *) "cell-jobdone.scope" };
        sd_bus *bus = NULL;

        if (!fake_bus_start(NULL, fake_systemd, NULL))
                return;
        ASSERT_OK(sd_bus_open_system(&bus));

        ASSERT_OK(instance_bus_stop(bus, &i, 3 * USEC_PER_SEC));

        fail_next_copy_of = "done";
        ASSERT_ERROR(instance_bus_stop(bus, &i, 3 * USEC_PER_SEC), ENOMEM);
        ASSERT_NULL(fail_next_copy_of);

        sd_bus_flush_close_unref(bus);
        fake_bus_stop();
}
