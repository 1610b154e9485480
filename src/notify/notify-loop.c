/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* cell's words to its supervisor on cell's event loop: what waits for
 * the supervisor's socket (notify-send.h) goes when the socket is writable
 * again, and with Boot=yes the service's watchdog is pinged through the same
 * queue. (cell-monitor does both on its epoll loop, monitor-loop.c.) */

#include <errno.h>

#include "log.h"
#include "notify.h"

static struct {
        Event *event;
        EventSource *writable;          /* EPOLLOUT on notify_pending_fd() ... */
        int fd;                         /* ... this one */
        EventSource *watchdog;
        uint64_t watchdog_usec;
} loop = { .fd = -EBADF };

static int on_writable(EventSource *source, int fd, uint32_t revents, void *userdata) {
        (void) notify_flush();
        return 0;
}

/* notify_pending_fd() changed: watch the new one, or none. */
static void on_pending_changed(void *userdata) {
        int fd = notify_pending_fd();

        if (loop.writable && fd != loop.fd)
                loop.writable = event_source_disable_unref(loop.writable);
        loop.fd = -EBADF;
        if (fd < 0 || loop.writable)
                return;
        if (event_add_io(loop.event, &loop.writable, fd, EPOLLOUT, on_writable, NULL) < 0) {
                /* What waits then goes with the next message, if any. */
                log_debug("notify: cannot watch the service manager's socket");
                loop.writable = NULL;
                return;
        }
        loop.fd = fd;
}

/* Boot=yes: every half of WatchdogSec=, as sd_event_set_watchdog() would,
 * but never waiting for the supervisor (its sd_notify() would). */
static int on_watchdog(EventSource *source, uint64_t usec, void *userdata) {
        (void) notify_send("WATCHDOG=1");
        if (event_source_set_time_relative(source, loop.watchdog_usec / 2) >= 0)
                (void) event_source_set_enabled(source, EVENT_ONESHOT);
        return 0;
}

int notify_loop_attach(Event *event, uint64_t watchdog_usec) {
        int r;

        notify_loop_detach();
        loop.event = event_ref(event);
        notify_set_pending_hook(on_pending_changed, NULL);
        on_pending_changed(NULL);       /* what waits already (a READY=1 sent before the loop) */
        loop.watchdog_usec = watchdog_usec;
        if (watchdog_usec / 2 == 0)
                return 0;
        r = event_add_time_relative(event, &loop.watchdog, 0, on_watchdog, NULL);
        if (r < 0)
                loop.watchdog = NULL;
        return r;
}

void notify_loop_detach(void) {
        notify_set_pending_hook(NULL, NULL);
        loop.writable = event_source_disable_unref(loop.writable);
        loop.fd = -EBADF;
        loop.watchdog = event_source_disable_unref(loop.watchdog);
        loop.event = event_unref(loop.event);
}
