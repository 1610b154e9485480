/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A start job that systemd ends before its reply to StartTransientUnit
 * leaves (the fake systemd of fake-systemd.c, unit names with "early"):
 * cell keeps the JobRemoved until the reply names the job. And when keeping
 * it fails for want of memory, the start says so at once rather than wait
 * for a signal that came already. Skips when dbus-daemon is missing. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake-bus.h"
#include "fake-systemd.h"
#include "scope-internal.h"
#include "test.h"

#define JOB_PATH_PREFIX "/org/freedesktop/systemd1/job/"

/* Armed: the next strdup() of a job's path fails, once. This test's own
 * strdup(), which cell's code (and sd-bus) in this process calls. */
static bool fail_next_job_copy;

char *strdup(const char *s) {
        size_t n = strlen(s) + 1;
        char *p;

        if (fail_next_job_copy && strncmp(s, JOB_PATH_PREFIX, strlen(JOB_PATH_PREFIX)) == 0) {
                fail_next_job_copy = false;
                errno = ENOMEM;
                return NULL;
        }
        p = malloc(n);
        return p ? memcpy(p, s, n) : NULL;
}

/* Far above the start's own time, far below the 3 s of the deadline. */
#define SLOW_HOST_USEC (2 * USEC_PER_SEC)

TEST(job_removed_before_the_reply) {
        Event *e = NULL;
        Scope *s = NULL;
        uint64_t t0;

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

        /* The copy of the early signal's job fails: ENOMEM at once, not the
         * deadline's ETIMEDOUT of a start that forgot the job ended. */
        fail_next_job_copy = true;
        t0 = mono_usec();
        ASSERT_ERROR(run_one("earlyoom", "cell-earlyoom.scope", e, &s), ENOMEM);
        ASSERT_TRUE(mono_usec() - t0 < SLOW_HOST_USEC);
        ASSERT_FALSE(fail_next_job_copy);
        scope_free(s);

        ASSERT_OK(unsetenv("CELL_SCOPE_TIMEOUT"));
        fake_bus_stop();
        event_unref(e);
}
