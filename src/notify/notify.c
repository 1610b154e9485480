/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* sd_notify to cell's own supervisor. MAINPID is never sent: the main PID
 * of cell@NAME.service stays cell itself, which supervises the payload. */

#include <inttypes.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "macros.h"
#include "notify.h"

void notify_supervisor_ready(const Plan *p) {
        if (p && p->name)
                (void) sd_notifyf(0, "READY=1\nSTATUS=%s: running", p->name);
        else
                (void) sd_notify(0, "READY=1");
}

void notify_supervisor_stopping(const Plan *p) {
        if (p && p->name)
                (void) sd_notifyf(0, "STOPPING=1\nSTATUS=%s: stopping", p->name);
        else
                (void) sd_notify(0, "STOPPING=1");
}

void notify_supervisor_extend_timeout(uint64_t usec) {
        (void) sd_notifyf(0, "EXTEND_TIMEOUT_USEC=%" PRIu64, usec);
}

uint64_t notify_watchdog_usec(void) {
        uint64_t usec = 0;

        /* sd_watchdog_enabled() honours WATCHDOG_PID: a watchdog meant for another
         * process (one we merely inherited the environment of) is not passed on. */
        if (sd_watchdog_enabled(0, &usec) <= 0)
                return 0;
        return usec;
}
