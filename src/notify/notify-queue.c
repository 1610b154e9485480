/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The coalescing queue of cell's messages to its supervisor
 * (notify-internal.h). Plain data: notify-send.c owns the socket. libc
 * only, for cell-monitor. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "notify-internal.h"
#include "parse-util.h"
#include "strv.h"
#include "utf8.h"

static bool key_is(const char *line, const char *key, size_t key_len) {
        return strncmp(line, key, key_len) == 0 && line[key_len] == '=';
}

/* The line of l whose key is key (key_len bytes), or NULL. */
static char **find_key(char **l, const char *key, size_t key_len) {
        for (char **i = l; i && *i; i++)
                if (key_is(*i, key, key_len))
                        return i;
        return NULL;
}

static bool is_transition(const char *line) {
        return startswith(line, "READY=") || startswith(line, "STOPPING=") || startswith(line, "RELOADING=");
}

/* now + usec, saturating at USEC_INFINITY (systemd's usec_add()). */
static uint64_t deadline_of(uint64_t now, uint64_t usec) {
        return usec >= USEC_INFINITY - now ? USEC_INFINITY : now + usec;
}

/* text, line by line (a line ends at '\n' or '\r'), into l (each key's
 * first line) and *extend_until. */
static int message_parse(const char *text, uint64_t now, char ***l, uint64_t *extend_until) {
        bool extend_seen = false;

        for (const char *p = text; *p; ) {
                size_t n = strcspn(p, "\n\r");
                const char *eq = memchr(p, '=', n);

                if (eq && eq > p) {
                        size_t k = (size_t) (eq - p);
                        _cleanup_free_ char *line = strndup(p, n);

                        if (!line)
                                return -ENOMEM;
                        if (key_is(line, "EXTEND_TIMEOUT_USEC", k)) {
                                uint64_t usec;

                                if (!extend_seen && parse_uint64(line + k + 1, &usec) >= 0)
                                        *extend_until = deadline_of(now, usec);
                                extend_seen = true;
                        } else if (!find_key(*l, line, k)) {
                                int r = strv_push(l, TAKE_PTR(line));
                                if (r < 0)
                                        return r;
                        }
                }
                p += n;
                if (*p)
                        p++;
        }
        return 0;
}

/* Puts line into segment s, in place of the line of its key. */
static int segment_put(NotifySegment *s, char *line) {
        size_t k = (size_t) (strchr(line, '=') - line);
        char **old = find_key(s->lines, line, k);

        if (!old)
                return strv_push(&s->lines, line);
        /* A ping after a trigger would hide the trigger (systemd reads one WATCHDOG=). */
        if (streq(line, "WATCHDOG=1") && streq(*old, "WATCHDOG=trigger")) {
                free(line);
                return 0;
        }
        free(*old);
        *old = line;
        return 0;
}

int notify_queue_add(NotifyQueue *q, const char *text, uint64_t now) {
        _cleanup_strv_free_ char **l = NULL;
        uint64_t extend_until = 0;
        const char *transition = NULL;
        NotifySegment *s;
        int r;

        r = message_parse(text, now, &l, &extend_until);
        if (r < 0)
                return r;
        STRV_FOREACH(i, l)
                if (is_transition(*i))
                        transition = *i;
        if (!l && extend_until == 0)
                return 0;

        s = q->n > 0 ? &q->segments[q->n - 1] : NULL;
        /* A state change of its own goes after what was before it, as
         * systemd takes only one of READY=1, STOPPING=1 and RELOADING=1 per
         * datagram. (Cell sends READY=1 and STOPPING=1 once each: the queue
         * never runs full; if it did, the change would share the last.) */
        if (!s || (transition && !strv_contains(s->lines, transition) && q->n < NOTIFY_QUEUE_MAX)) {
                s = &q->segments[q->n++];
                *s = (NotifySegment) {};
        }
        for (size_t i = 0; l && l[i]; i++) {
                r = segment_put(s, l[i]);
                l[i] = NULL;
                if (r < 0) {
                        for (i++; l[i]; i++)
                                l[i] = mfree(l[i]);
                        return r;
                }
        }
        s->extend_until = MAX(s->extend_until, extend_until);
        return 0;
}

int notify_queue_format_front(const NotifyQueue *q, uint64_t now, char **ret) {
        const NotifySegment *s = &q->segments[0];
        char extend[64] = "";
        size_t len = 0, status_cut = 0;
        char *buf, *p;

        /* What is left of the extension: systemd counts from when it reads it. */
        if (s->extend_until == USEC_INFINITY)
                (void) snprintf(extend, sizeof extend, "EXTEND_TIMEOUT_USEC=%" PRIu64, USEC_INFINITY);
        else if (s->extend_until > now)
                (void) snprintf(extend, sizeof extend, "EXTEND_TIMEOUT_USEC=%" PRIu64, s->extend_until - now);
        STRV_FOREACH(i, s->lines)
                len += strlen(*i) + 1;
        len += strlen(extend);
        if (len == 0) {
                *ret = NULL;
                return 0;
        }
        /* systemd ignores a longer datagram as a whole: the end of STATUS= goes. */
        if (len > NOTIFY_DATAGRAM_MAX)
                status_cut = len - NOTIFY_DATAGRAM_MAX;

        p = buf = malloc(len + 1);
        if (!buf)
                return -ENOMEM;
        STRV_FOREACH(i, s->lines) {
                size_t n = strlen(*i);

                if (status_cut > 0 && startswith(*i, "STATUS=")) {
                        const char *v = *i + strlen("STATUS=");
                        size_t vl = strlen(v);

                        n = strlen("STATUS=") + utf8_cut(v, vl, vl > status_cut ? vl - status_cut : 0);
                }
                memcpy(p, *i, n);
                p += n;
                *p++ = '\n';
        }
        if (extend[0])
                p = stpcpy(p, extend);
        else
                p--;    /* no newline after the last line, as cell's own messages */
        *p = 0;
        *ret = buf;
        return 0;
}

void notify_queue_pop_front(NotifyQueue *q) {
        if (q->n == 0)
                return;
        strv_free(q->segments[0].lines);
        memmove(q->segments, q->segments + 1, (q->n - 1) * sizeof q->segments[0]);
        q->segments[--q->n] = (NotifySegment) {};
}

void notify_queue_done(NotifyQueue *q) {
        while (q->n > 0)
                notify_queue_pop_front(q);
}
