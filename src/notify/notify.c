/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The watchdog cell passes on to its payload. (What cell says to its own
 * supervisor is in notify-send.c, which needs no libsystemd either.) */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "notify.h"

/* A decimal number and nothing else (leading blanks, as strtoull skips them);
 * systemd writes both variables in decimal. */
static bool parse_u64(const char *s, uint64_t *ret) {
        char *end = NULL;

        s += strspn(s, " \t\n");
        if (*s < '0' || *s > '9')
                return false;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || !end || *end != '\0')
                return false;
        *ret = v;
        return true;
}

/* What sd_watchdog_enabled() reads, read here without libsystemd: "cell run"
 * loads that only after it has cloned the container's init. */
uint64_t notify_watchdog_usec(void) {
        const char *s = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
        uint64_t usec, pid;

        /* Unset, not a number, 0 or infinity: no watchdog. */
        if (!s || !parse_u64(s, &usec) || usec == 0 || usec == UINT64_MAX)
                return 0;
        /* A watchdog meant for another process (one we merely inherited the
         * environment of) is not passed on. */
        if (p && (!parse_u64(p, &pid) || pid != (uint64_t) getpid()))
                return 0;
        return usec;
}
