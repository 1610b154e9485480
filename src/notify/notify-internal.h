/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The proxy's datagram filter, separate from the socket so the tests can
 * feed it directly. Not a contract: only src/notify and its tests use it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "notify-relay.h"

#define NOTIFY_DATAGRAM_MAX 4096

/* Room for every fd one message can pass (the kernel's SCM_MAX_FD), so that
 * the closer holds all of them (notify-closer.c); the datagram itself counts:
 * systemd takes a datagram with FDSTORE='s fds (up to 768, more than the
 * kernel passes) and acts on its READY=1 and STATUS= lines, so does cell. */
#define NOTIFY_FDS_MAX 253

/* The fds a payload passes along with a datagram, which cell never takes in
 * (notify-closer.c): a closer peeks the datagram at the head of notify_fd
 * and holds its own references of them, then the caller takes it off the
 * queue with no room for fds and calls notify_closer_dequeued(), and the
 * closer closes them. 0: taken; -EBUSY: every closer is busy closing (the
 * datagram must wait until notify_closer_wake_fd() is readable:
 * notify_closer_wake_drain(), then again); other negative errno: no closer
 * could be made. Never waits but for an idle closer's answer. */
int notify_closer_take(int notify_fd);
void notify_closer_dequeued(void);
int notify_closer_wake_fd(void);
void notify_closer_wake_drain(void);

/* What a payload's datagram asked for, after filtering. */
typedef struct NotifyMessage {
        bool ready;                     /* READY=1 */
        bool watchdog;                  /* WATCHDOG=1 */
        bool watchdog_trigger;          /* WATCHDOG=trigger */
        bool watchdog_usec_set;
        uint64_t watchdog_usec;         /* WATCHDOG_USEC=... */
        char *status;                   /* STATUS=..., without the prefix */
        bool extend_timeout;
        uint64_t extend_timeout_usec;   /* EXTEND_TIMEOUT_USEC=... */
        unsigned n_ignored;             /* other lines, dropped */
} NotifyMessage;

/* Line by line, as systemd reads a datagram (a line ends at '\n' or '\r',
 * empty lines are none): the lines above are taken, each on its own, and
 * every other line is ignored (counted in n_ignored): other keys (MAINPID=,
 * FDSTORE=, ... are not the payload's to say), a line that is not KEY=VALUE,
 * READY= other than 1, WATCHDOG= other than 1 or trigger,
 * EXTEND_TIMEOUT_USEC= or WATCHDOG_USEC= that is not a decimal number,
 * STATUS= that is not UTF-8 or holds a control character but a tab. Of
 * WATCHDOG=, WATCHDOG_USEC=, STATUS= and EXTEND_TIMEOUT_USEC= only the first
 * line of the key counts, valid or not, as systemd looks each up once per
 * datagram; READY=1 counts on any line. buf need not end in a NUL; one NUL at
 * its end is allowed.
 * -EMSGSIZE when longer than NOTIFY_DATAGRAM_MAX, -EBADMSG for a NUL byte
 * inside (not text): then nothing of it is used. */
int notify_message_parse(const char *buf, size_t len, NotifyMessage *ret);
void notify_message_done(NotifyMessage *m);

/* The datagram cell sends upward: READY=1 only if forward_ready, STATUS=
 * as "STATUS=NAME: text" (an empty one as "STATUS=", which clears it), the
 * text cut (between characters) so that the whole is at most
 * NOTIFY_DATAGRAM_MAX bytes, all systemd takes. *ret = NULL (and 0) when
 * there is nothing to send. */
int notify_message_format(const NotifyMessage *m, const char *name, bool forward_ready, char **ret);

/* Whether a datagram stamped with UID uid can only have come from the
 * container: root, or a UID its user namespace maps. The rule for a sender
 * that is gone before its datagram is read (notify-relay.c). */
bool notify_relay_uid_is_container(const NotifyRelay *r, uid_t uid);

/* What waits for the supervisor's socket to take it again (notify-send.c):
 * cell's messages, coalesced so that a payload's flood costs memory of one
 * message, never a wait. A segment is one datagram to come; each KEY= in it
 * once, the one given last (STATUS=, ERRNO=, WATCHDOG_USEC=: systemd keeps
 * the last one too), but WATCHDOG=trigger is not undone by a WATCHDOG=1 after
 * it, and EXTEND_TIMEOUT_USEC= is kept as the moment it reaches (the longest
 * one given: systemd never shortens), sent as what is left of it then.
 * READY=1, STOPPING=1 and RELOADING=1 are state changes of which systemd
 * takes one per datagram: a message with one of them starts a segment of
 * its own unless the last segment has the same one, so that each arrives,
 * once, in order, with the lines that came with it. No file descriptors:
 * cell sends none (FDSTORE= of the payload is never forwarded). */
#define NOTIFY_QUEUE_MAX 8

typedef struct NotifySegment {
        char **lines;           /* "KEY=VALUE" */
        uint64_t extend_until;  /* CLOCK_MONOTONIC; 0: none; USEC_INFINITY: "infinity" */
} NotifySegment;

typedef struct NotifyQueue {
        NotifySegment segments[NOTIFY_QUEUE_MAX];
        size_t n;
} NotifyQueue;

/* Adds the message text (lines of KEY=VALUE, the first line of each key
 * counting, as systemd reads them) at now (CLOCK_MONOTONIC). */
int notify_queue_add(NotifyQueue *q, const char *text, uint64_t now);
/* The first segment as a datagram sent at now, within NOTIFY_DATAGRAM_MAX
 * bytes (the STATUS= text cut to fit); *ret = NULL when it has nothing left
 * to say (an extension that ran out). -ENOMEM; the queue must not be empty. */
int notify_queue_format_front(const NotifyQueue *q, uint64_t now, char **ret);
void notify_queue_pop_front(NotifyQueue *q);
void notify_queue_done(NotifyQueue *q);
