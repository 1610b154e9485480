/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell's words to its own supervisor (systemd, through $NOTIFY_SOCKET), in
 * sd_notify(3)'s protocol but without libsystemd: cell-monitor (src/monitor),
 * which takes over the supervision of a long-running payload, links none. */

#include <stdbool.h>
#include <stdint.h>

#include "macros.h"

/* One datagram to the socket $NOTIFY_SOCKET names (a path, or "@name" in the
 * abstract namespace). > 0 sent, 0 when $NOTIFY_SOCKET is unset, else -errno. */
int notify_send(const char *text);

/* name: the unit's name, for "STATUS=NAME: running"; NULL sends no STATUS=.
 * All are no-ops when $NOTIFY_SOCKET is unset. */
void notify_supervisor_ready(const char *name);
/* timeout_usec: the unit's TimeoutStopSec= (0 or USEC_INFINITY: none). The
 * service's own stop timeout must not end cell before cell's SIGKILL of a
 * payload that outlives it, and what cell does after (reap it, release the
 * scope, remove its state): STOPPING=1 comes with EXTEND_TIMEOUT_USEC= of
 * that much more, which systemd takes as "not before" (it never shortens). */
#define NOTIFY_STOP_MARGIN_USEC (10 * USEC_PER_SEC)
void notify_supervisor_stopping(const char *name, uint64_t timeout_usec);
/* Whether notify_supervisor_stopping() was called: the payload's own
 * EXTEND_TIMEOUT_USEC=N goes up as N and NOTIFY_STOP_MARGIN_USEC from then
 * on, as cell's SIGKILL comes after N and its reap and release after that. */
bool notify_supervisor_stopping_sent(void);
void notify_supervisor_stopping_reset(void);
/* N and the margin, saturating at USEC_INFINITY. */
uint64_t notify_stop_extension(uint64_t usec);

/* The proxy forwarded a STATUS= of the payload (true) / is gone (false): while
 * true, notify_supervisor_ready() sends READY=1 without cell's own STATUS=. */
void notify_supervisor_payload_status(bool sent);
bool notify_supervisor_payload_status_sent(void);
