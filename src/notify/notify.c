/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The watchdog cell passes on to its payload. (What cell says to its own
 * supervisor is in notify-send.c, which needs no libsystemd.) */

#include <systemd/sd-daemon.h>

#include "notify.h"

uint64_t notify_watchdog_usec(void) {
        uint64_t usec = 0;

        /* sd_watchdog_enabled() honours WATCHDOG_PID: a watchdog meant for another
         * process (one we merely inherited the environment of) is not passed on. */
        if (sd_watchdog_enabled(0, &usec) <= 0)
                return 0;
        return usec;
}
