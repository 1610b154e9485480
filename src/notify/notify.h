/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* sd_notify in both directions: cell tells its own supervisor (systemd,
 * through $NOTIFY_SOCKET) about the container, and proxies what the payload
 * sends to /run/host/notify inside the container. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "event-loop.h"

#include "notify-relay.h"
#include "notify-send.h"
#include "plan.h"

typedef struct NotifyProxy NotifyProxy;

typedef struct NotifyCallbacks {
        void (*ready)(void *userdata);  /* the payload sent READY=1 */
        /* the payload sent EXTEND_TIMEOUT_USEC=usec (after it went up) */
        void (*extend_timeout)(uint64_t usec, void *userdata);
        void *userdata;
} NotifyCallbacks;

/* fd: the AF_UNIX SOCK_DGRAM socket the child bound at plan->notify_socket
 * inside the container (received over the sync socket; taken over).
 * payload_pid: the container's PID 1 as seen from the supervisor; only
 * datagrams from processes of that PID namespace are accepted. With
 * p->boot the service's watchdog is cell's: the payload's watchdog lines are
 * dropped.
 * The fd is owned by the proxy from the call on, also when it fails. */
int notify_proxy_new(const Plan *p, Event *event, int fd, pid_t payload_pid,
                     const NotifyCallbacks *cb, NotifyProxy **ret);
NotifyProxy *notify_proxy_free(NotifyProxy *n);
/* The relay's state, for cell-monitor to carry on with (src/monitor). */
const NotifyRelay *notify_proxy_relay(const NotifyProxy *n);

/* notify-send.h's queue on event: what waits for the supervisor is sent
 * when its socket is writable again. watchdog_usec > 0 (Boot=yes, the
 * service's watchdog is cell's): WATCHDOG=1 every half of it, through the
 * same queue. Detach before the loop goes. */
int notify_loop_attach(Event *event, uint64_t watchdog_usec);
void notify_loop_detach(void);

/* The WATCHDOG_USEC= value to put into the payload's environment: cell's own
 * $WATCHDOG_USEC when $WATCHDOG_PID is unset or names cell itself (the
 * watchdog is ours to pass on), else 0 (no watchdog for the payload). */
uint64_t notify_watchdog_usec(void);
