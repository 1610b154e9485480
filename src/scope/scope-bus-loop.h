/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An sd-bus connection driven by cell's event loop (src/basic/event-loop.h),
 * as sd_bus_attach_event() drives one from sd-event: its fd waits for what
 * sd_bus_get_events() asks, a timer for sd_bus_get_timeout() (0 while
 * messages read already wait to be processed), and each wake-up calls
 * sd_bus_process() once. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "event-loop.h"

typedef struct BusLoop {
        sd_bus *bus;                    /* not a reference: the caller's outlives the attachment; NULL: detached */
        int fd;                         /* our copy of the connection's fd, in the loop's epoll */
        EventSource *io, *timer;
        int error;                      /* < 0: sd_bus_process() failed and left the connection open */
        bool connected;                 /* the socket was seen connected: the broker took the connection */
} BusLoop;

#define BUS_LOOP_NULL ((BusLoop) { .fd = -EBADF })

/* *l must stay where it is until scope_bus_loop_detach(). On failure nothing
 * is attached and *l is detached. */
int scope_bus_loop_attach(BusLoop *l, sd_bus *bus, Event *e, int64_t priority);
/* Also for a BusLoop never attached, zeroed or BUS_LOOP_NULL. */
void scope_bus_loop_detach(BusLoop *l);
