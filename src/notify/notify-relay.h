/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The heart of the notify proxy, without an event loop: the payload's
 * sd_notify datagrams arrive on the socket the child bound inside the
 * container (/run/host/notify); the relay checks who sent each, filters it
 * down to what it understands (notify-internal.h), and tells cell's own
 * supervisor in cell's words. Nothing is ever forwarded raw. cell drives it
 * from its event loop (notify-proxy.c), cell-monitor from its own epoll loop. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct NotifyUidRange {
        uint32_t start, count;  /* host UIDs */
} NotifyUidRange;

typedef struct NotifyRelay {
        int fd;
        char *name;
        bool notify_ready;      /* NotifyReady=yes: the payload's READY=1 is ours */
        bool ready_seen;        /* the payload said READY=1 (it counts once) */
        bool watchdog;          /* the service's watchdog is the payload's (not with Boot=yes) */
        bool closer_wait;       /* the datagram at the head waits for a closer */
        dev_t pidns_dev;        /* the container's PID namespace */
        ino_t pidns_ino;
        /* The UIDs its user namespace maps (PrivateUsers=); none without one. */
        NotifyUidRange uid_ranges[8];
        unsigned n_uid_ranges;
} NotifyRelay;

#define NOTIFY_RELAY_NULL ((NotifyRelay) { .fd = -EBADF })

/* fd: taken over, also on failure. payload_pid: the container's PID 1 as
 * the caller sees it; only datagrams from processes of its PID namespace
 * are accepted, and from a sender that is gone by the time its datagram is
 * read, only when it sent as root or as a UID of the container's user
 * namespace (see notify-relay.c for why). watchdog: the service's watchdog
 * is the payload's, whose WATCHDOG=1, WATCHDOG=trigger and WATCHDOG_USEC= go
 * up; false with Boot=yes, where cell keeps it and drops those lines. */
int notify_relay_init(NotifyRelay *r, int fd, pid_t payload_pid, const char *name, bool notify_ready,
                      bool watchdog);
/* What a batch of the payload's datagrams means for cell's own supervision. */
typedef struct NotifyRelayEvents {
        bool first_ready;               /* the payload's first READY=1 came in */
        bool extend_timeout;            /* EXTEND_TIMEOUT_USEC= came in ... */
        uint64_t extend_timeout_usec;   /* ... the longest of this batch */
} NotifyRelayEvents;

/* Handles what is queued, a bounded batch per call (a chatty payload cannot
 * starve the loop), and says in *ret what of it the caller acts on too. */
void notify_relay_read(NotifyRelay *r, NotifyRelayEvents *ret);
/* At the payload's end, before the relay goes: what is still queued is
 * handled (up to a bound), as systemd handles a service's notifications
 * before its SIGCHLD: a payload's last STATUS=, or a READY=1 it sent right
 * before it exited, after more than one batch (a flood), would be lost
 * otherwise. What it means for supervision no longer matters. */
void notify_relay_drain(NotifyRelay *r);
/* The fd the caller's loop watches (EPOLLIN) for notify_relay_read(): the
 * socket, or while the datagram at its head waits for a closer (each busy
 * in a close of the payload's fds, notify-closer.c), the closers' wake pipe.
 * Changes only in notify_relay_read() and notify_relay_drain(). */
int notify_relay_poll_fd(const NotifyRelay *r);
void notify_relay_done(NotifyRelay *r);

/* Reaps every child of ours that has ended but keep (the payload, whose
 * status its pidfd's waitid() takes): the closers of the fds a payload
 * passes (notify-closer.c), ours or those cell started, which end when
 * cell execs cell-monitor and would stay a zombie of cell-monitor's until
 * its end. For a loop that reads SIGCHLD. Never waits. */
void notify_closer_reap(pid_t keep);
