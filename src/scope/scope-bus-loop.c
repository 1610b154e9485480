/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

#include "scope-bus-loop.h"

/* Whether fd's socket has a peer (getpeername() only: SO_ERROR is sd-bus's to read). */
static bool socket_connected(int fd) {
        struct sockaddr_storage sa;
        socklen_t n = sizeof sa;

        return getpeername(fd, (struct sockaddr *) &sa, &n) >= 0;
}

/* One message at a time, as sd-bus's own attachment does: a callback may
 * detach the connection, and what is left makes the timer due at once. */
static int bus_process(BusLoop *l) {
        int r;

        /* Before sd-bus reads the socket: a TCP connect is finished here, and one
         * that failed (refused, no route) is never connected, while one the broker
         * took and then dropped was, as the exchange of AUTH went on. */
        if (!l->connected)
                l->connected = socket_connected(l->fd);
        r = sd_bus_process(l->bus, NULL);

        /* An error that closes the connection (the broker refused Hello, or
         * hung up) is sd-bus's to report: its Disconnected message comes from
         * the turns to follow. */
        if (r >= 0 || sd_bus_is_open(l->bus) <= 0)
                return 0;
        /* One that leaves it open (a message that does not parse): sd-bus's own
         * attachment would close it, which nothing public does with a
         * Disconnected message to follow; so the connection is not driven
         * again, and whoever waits on it is told through l->error. */
        l->error = r;
        (void) event_source_set_enabled(l->io, EVENT_OFF);
        (void) event_source_set_enabled(l->timer, EVENT_OFF);
        return 0;
}

static int on_bus_io(EventSource *s, int fd, uint32_t revents, void *userdata) {
        return bus_process(userdata);
}

static int on_bus_timer(EventSource *s, uint64_t usec, void *userdata) {
        return bus_process(userdata);
}

/* Before each wait: what the connection waits for now, and until when. */
static int on_bus_prepare(EventSource *s, void *userdata) {
        BusLoop *l = userdata;
        uint64_t until;
        int events, r;

        events = sd_bus_get_events(l->bus);
        if (events < 0)
                return events;
        r = event_source_set_io_events(l->io, (uint32_t) events);
        if (r < 0)
                return r;
        r = sd_bus_get_timeout(l->bus, &until);
        if (r < 0)
                return r;
        if (until == UINT64_MAX)
                return event_source_set_enabled(l->timer, EVENT_OFF);
        r = event_source_set_time(l->timer, until);
        if (r < 0)
                return r;
        return event_source_set_enabled(l->timer, EVENT_ONESHOT);
}

int scope_bus_loop_attach(BusLoop *l, sd_bus *bus, Event *e, int64_t priority) {
        int fd, r;

        *l = BUS_LOOP_NULL;
        fd = sd_bus_get_fd(bus);
        if (fd < 0)
                return fd;
        /* A copy of our own in the epoll: sd-bus closes its fd when the peer
         * hangs up, before we hear of it, and a number reused meanwhile must
         * not be taken out of the epoll in its place. */
        l->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (l->fd < 0)
                return negative_errno();
        l->bus = bus;
        /* An AF_UNIX connect is synchronous: connected already, or sd-bus failed. */
        l->connected = socket_connected(l->fd);
        r = event_add_io(e, &l->io, l->fd, 0, on_bus_io, l);
        if (r >= 0)
                r = event_add_time(e, &l->timer, UINT64_MAX, on_bus_timer, l);
        if (r >= 0)
                r = event_source_set_enabled(l->timer, EVENT_OFF);
        if (r >= 0)
                r = event_source_set_prepare(l->io, on_bus_prepare);
        if (r >= 0)
                r = event_source_set_priority(l->io, priority);
        if (r >= 0)
                r = event_source_set_priority(l->timer, priority);
        if (r < 0) {
                scope_bus_loop_detach(l);
                return r;
        }
        return 0;
}

void scope_bus_loop_detach(BusLoop *l) {
        l->io = event_source_disable_unref(l->io);
        l->timer = event_source_disable_unref(l->timer);
        if (l->bus)
                l->fd = safe_close(l->fd);
        l->bus = NULL;
}
