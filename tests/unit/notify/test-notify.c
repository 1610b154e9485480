/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/notify/notify.c: the watchdog cell passes on to its payload. */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "notify.h"
#include "test.h"

TEST(watchdog_usec) {
        char pid[32];

        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
        ASSERT_EQ_U64(notify_watchdog_usec(), 0);

        ASSERT_OK(setenv("WATCHDOG_USEC", "3000000", 1));
        ASSERT_EQ_U64(notify_watchdog_usec(), 3000000);         /* no WATCHDOG_PID: ours */

        snprintf(pid, sizeof pid, "%d", (int) getpid());
        ASSERT_OK(setenv("WATCHDOG_PID", pid, 1));
        ASSERT_EQ_U64(notify_watchdog_usec(), 3000000);

        ASSERT_OK(setenv("WATCHDOG_PID", "1", 1));              /* someone else's */
        ASSERT_EQ_U64(notify_watchdog_usec(), 0);
        ASSERT_OK(setenv("WATCHDOG_PID", "x", 1));              /* not a PID: not ours */
        ASSERT_EQ_U64(notify_watchdog_usec(), 0);
        unsetenv("WATCHDOG_PID");

        /* No watchdog: not a number, negative, anything after it, 0, infinity,
         * out of range (systemd writes both in decimal). */
        static const char * const bad[] = { "", "x", "-5", "5s", "5 ", "0",
                                            "18446744073709551615", "18446744073709551616" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_OK(setenv("WATCHDOG_USEC", bad[i], 1));
                ASSERT_EQ_U64(notify_watchdog_usec(), 0);
        }
        ASSERT_OK(setenv("WATCHDOG_USEC", " 20", 1));           /* leading blanks, as strtoull */
        ASSERT_EQ_U64(notify_watchdog_usec(), 20);
        unsetenv("WATCHDOG_USEC");
}
