/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The notify proxy: the relay (notify-relay.c) on cell's event loop. */

#include <errno.h>
#include <stdlib.h>

#include "macros.h"
#include "notify-relay.h"
#include "notify.h"

struct NotifyProxy {
        NotifyRelay relay;
        EventSource *source;
        NotifyCallbacks cb;
};

static int on_notify_io(EventSource *source, int fd, uint32_t revents, void *userdata) {
        NotifyProxy *n = userdata;
        NotifyRelayEvents ev;

        notify_relay_read(&n->relay, &ev);
        /* The socket, or the closers' wake pipe while its head waits for one. */
        if (notify_relay_poll_fd(&n->relay) != fd)
                (void) event_source_set_io_fd(source, notify_relay_poll_fd(&n->relay));
        if (ev.extend_timeout && n->cb.extend_timeout)
                n->cb.extend_timeout(ev.extend_timeout_usec, n->cb.userdata);
        if (ev.first_ready && n->cb.ready)
                n->cb.ready(n->cb.userdata);
        return 0;
}

int notify_proxy_new(const Plan *p, Event *event, int fd, pid_t payload_pid,
                     const NotifyCallbacks *cb, NotifyProxy **ret) {
        NotifyProxy *n;
        int r;

        if (!p || !event || fd < 0 || payload_pid <= 0 || !ret) {
                safe_close(fd);
                return -EINVAL;
        }
        n = calloc(1, sizeof(NotifyProxy));
        if (!n) {
                safe_close(fd);
                return -ENOMEM;
        }
        if (cb)
                n->cb = *cb;
        /* Boot=yes: the service's watchdog is cell's (run.c), not the payload's. */
        r = notify_relay_init(&n->relay, fd, payload_pid, p->name, p->notify_ready, !p->boot);
        if (r >= 0)
                r = event_add_io(event, &n->source, n->relay.fd, EPOLLIN, on_notify_io, n);
        if (r < 0) {
                notify_proxy_free(n);
                return r;
        }
        *ret = n;
        return 0;
}

const NotifyRelay *notify_proxy_relay(const NotifyProxy *n) {
        return n ? &n->relay : NULL;
}

NotifyProxy *notify_proxy_free(NotifyProxy *n) {
        if (!n)
                return NULL;
        event_source_disable_unref(n->source);
        /* Its last words first: the loop may have seen its exit before them. */
        notify_relay_drain(&n->relay);
        /* The payload is gone: cell's own words are the status again, and
         * its stop is over. */
        notify_supervisor_payload_status(false);
        notify_supervisor_stopping_reset();
        notify_relay_done(&n->relay);
        free(n);
        return NULL;
}
