/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell's words to its own supervisor (systemd, through $NOTIFY_SOCKET), in
 * sd_notify(3)'s protocol but without libsystemd: cell-monitor (src/monitor),
 * which takes over the supervision of a long-running payload, links none. */

#include <stdbool.h>
#include <stdint.h>

#include "macros.h"

/* One datagram to the socket $NOTIFY_SOCKET names (a path, or "@name" in the
 * abstract namespace), never waited for: when the supervisor's queue is
 * full, text waits, coalesced with what comes after it (notify-internal.h),
 * until notify_flush() gets it out. > 0 sent or waiting, 0 when
 * $NOTIFY_SOCKET is unset, else -errno. */
int notify_send(const char *text);
/* While something waits: the fd to wait for EPOLLOUT on, then to call
 * notify_flush(); -EBADF when nothing waits. */
int notify_pending_fd(void);
/* Sends what waits, as much as the supervisor takes: 1 all of it, 0 some
 * still waits, -errno when it could not be sent (and is dropped). */
int notify_flush(void);
/* At exit: what still waits gets up to timeout_usec to be taken by the
 * supervisor, which goes by our exit, and should learn the payload's last
 * STATUS=, ERRNO= or STOPPING=1 before it. 1 all sent (or nothing waited),
 * 0 the rest dropped at the deadline, -errno as notify_flush(). */
#define NOTIFY_DRAIN_USEC (1 * USEC_PER_SEC)
int notify_drain(uint64_t timeout_usec);
/* hook is called whenever notify_pending_fd() changes: the loop's watch
 * follows it (the old fd is still open during the call). NULL: none. */
void notify_set_pending_hook(void (*hook)(void *userdata), void *userdata);
/* What waits, as the datagrams it would be now: for cell-monitor to send
 * (--notify-pending=). NULL when nothing waits. */
int notify_pending_texts(char ***ret);

/* name: the unit's name, for "STATUS=NAME: running"; NULL sends no STATUS=.
 * All are no-ops when $NOTIFY_SOCKET is unset. */
void notify_supervisor_ready(const char *name);
/* NotifyReady=yes: the payload's first READY=1 went up through the relay,
 * with its STATUS=: that one is the service's (as nspawn's NotifyReady=yes),
 * and cell sends no second READY=1 (systemd ignores it, but the payload's
 * STATUS= should not have to share it). Only cell's "STATUS=NAME: running",
 * when the payload has sent no STATUS= of its own. */
void notify_supervisor_ready_relayed(const char *name);
/* timeout_usec: the unit's TimeoutStopSec= (0 or USEC_INFINITY: none). The
 * service's own stop timeout must not end cell before cell's SIGKILL of a
 * payload that outlives it, and what cell does after (reap it, release the
 * scope, remove its state): "STATUS=NAME: stopping" comes with
 * EXTEND_TIMEOUT_USEC= of that much more, which systemd takes as "not
 * before" (it never shortens). No STOPPING=1 (notify-send.c says why). */
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
