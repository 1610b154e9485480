/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The watchdog cell passes on to its payload. (What cell says to its own
 * supervisor is in notify-send.c, which needs no libsystemd either.) */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"
#include "parse-util.h"

/* Blanks before a number, which sd_watchdog_enabled() skips too. */
#define WHITESPACE " \t\n\r"

/* What sd_watchdog_enabled() reads, read here without libsystemd: "cell run"
 * loads that only after it has cloned the container's init. systemd writes
 * both variables in decimal. */
uint64_t notify_watchdog_usec(void) {
        const char *s = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
        uint64_t usec, pid;

        /* Unset, not a number, 0 or infinity: no watchdog. */
        if (!s || parse_uint64(s + strspn(s, WHITESPACE), &usec) < 0 || usec == 0 || usec == UINT64_MAX)
                return 0;
        /* A watchdog meant for another process (one we merely inherited the
         * environment of) is not passed on. */
        if (p && (parse_uint64(p + strspn(p, WHITESPACE), &pid) < 0 || pid != (uint64_t) getpid()))
                return 0;
        return usec;
}
