/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* sd_notify to cell's own supervisor. MAINPID is never sent: the main PID
 * of cell@NAME.service stays cell itself, which supervises the payload. */

#include <inttypes.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "macros.h"
#include "notify-internal.h"
#include "notify.h"

/* STATUS= is one text per service, and the last one sent wins. Once the
 * payload has said something (forwarded by the proxy as "NAME: text"), that is
 * the current status: cell's own "NAME: running" must not replace it, e.g.
 * when READY=1 and STATUS= came in one datagram and cell then reports ready.
 * Process-wide like $NOTIFY_SOCKET itself: one cell, one payload, one status. */
static bool payload_status_sent = false;

void notify_supervisor_payload_status(bool sent) {
        payload_status_sent = sent;
}

void notify_supervisor_ready(const Plan *p) {
        if (payload_status_sent)
                (void) sd_notify(0, "READY=1");
        else if (p && p->name)
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
