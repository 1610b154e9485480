/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The proxy's datagram filter, separate from the socket so the tests can
 * feed it directly. Not a contract: only src/notify and its tests use it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOTIFY_DATAGRAM_MAX 4096

/* What a payload's datagram asked for, after filtering. */
typedef struct NotifyMessage {
        bool ready;                     /* READY=1 */
        bool watchdog;                  /* WATCHDOG=1 */
        char *status;                   /* STATUS=..., without the prefix */
        bool extend_timeout;
        uint64_t extend_timeout_usec;   /* EXTEND_TIMEOUT_USEC=... */
        unsigned n_ignored;             /* other assignments, dropped */
} NotifyMessage;

/* -EMSGSIZE when longer than NOTIFY_DATAGRAM_MAX, -EBADMSG when not
 * "KEY=VALUE" lines (a NUL byte, a line without '=', a key that is not
 * [A-Z0-9_]+, control characters in a value). Then nothing of it is used. */
int notify_message_parse(const char *buf, size_t len, NotifyMessage *ret);
void notify_message_done(NotifyMessage *m);

/* The datagram cell sends upward: READY=1 only if forward_ready, STATUS=
 * as "STATUS=NAME: text". *ret = NULL (and 0) when there is nothing to send. */
int notify_message_format(const NotifyMessage *m, const char *name, bool forward_ready, char **ret);
