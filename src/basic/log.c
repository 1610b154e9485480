/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "output-relay.h"

static int log_max_level = LOG_INFO;
static char log_prefix[256];

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

/* syslog's names, as systemd's log_level_to_string() has them. */
static const char *const level_names[] = {
        [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit", [LOG_ERR] = "err",
        [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/* A number as systemd 252's fallback (safe_atou(), base 0) takes it: leading
 * white space and "+" allowed, "0x7" hex and "07" octal ("010" is 8, too
 * high), "-0" is 0 and any other "-" refused, nothing after the digits. */
int log_level_from_string(const char *s) {
        char *end;
        unsigned long n;

        if (!s || !*s)
                return -EINVAL;
        for (int i = 0; i < (int) ELEMENTSOF(level_names); i++)
                if (streq(s, level_names[i]))
                        return i;
        s += strspn(s, " \t\n\r");
        errno = 0;
        n = strtoul(s, &end, 0);
        if (errno != 0 || end == s || *end || (n != 0 && s[0] == '-') || n > LOG_DEBUG)
                return -EINVAL;
        return (int) n;
}

void log_parse_environment(void) {
        const char *e = getenv("SYSTEMD_LOG_LEVEL");
        int level;

        if (!e)
                return;
        level = log_level_from_string(e);
        if (level < 0) {
                log_warning("Failed to parse $SYSTEMD_LOG_LEVEL=\"%s\" (emerg ... debug, or 0-7), ignoring.", e);
                return;
        }
        log_max_level = level;
}

void log_set_prefix(const char *prefix) {
        if (!prefix)
                log_prefix[0] = 0;
        else
                (void) snprintf(log_prefix, sizeof log_prefix, "%s", prefix);
}

/* One write per message, whole: stderr may be non-blocking while cell
 * relays the payload's output to the same journal stream (output-relay.h),
 * and a full stream is waited for, a second at most, rather than the
 * message lost or cut. */
static void log_write_stderr(const char *text, size_t n) {
        (void) fflush(stderr);
        while (n > 0) {
                ssize_t k = write(STDERR_FILENO, text, n);

                if (k > 0) {
                        text += k;
                        n -= (size_t) k;
                        continue;
                }
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN &&
                    poll(&(struct pollfd) { .fd = STDERR_FILENO, .events = POLLOUT }, 1, 1000) > 0)
                        continue;
                return;
        }
}

int log_internalv(int level, int error, const char *file, int line, const char *fmt, va_list ap) {
        int r = error < 0 ? error : (error > 0 ? -error : -EINVAL);
        char buf[4096];

        if (level > log_max_level)
                return r;

        /* %m is the error we were handed, not whatever errno is now. */
        errno = error < 0 ? -error : error;
        (void) vsnprintf(buf, sizeof buf, fmt, ap);

        /* On the service's journal stream, "<N>" (sd-daemon.h, SyslogLevelPrefix=):
         * journald files the line at our level, not at the stream's info,
         * so that "journalctl -p err" and "systemctl status" show cell's errors as such. */
        char pri[8] = "";
        if (output_relay_is_journal_stream(STDERR_FILENO, getenv("JOURNAL_STREAM")))
                (void) snprintf(pri, sizeof pri, "<%d>", LOG_PRI(level));

        char text[sizeof buf + sizeof log_prefix + 512];
        int n;
        if (log_max_level >= LOG_DEBUG)
                n = snprintf(text, sizeof text, "%scell: %s%s(%s:%d) %s\n",
                             pri, log_prefix, log_prefix[0] ? ": " : "", file, line, buf);
        else
                n = snprintf(text, sizeof text, "%scell: %s%s%s\n", pri, log_prefix, log_prefix[0] ? ": " : "", buf);
        log_write_stderr(text, n < 0 ? 0 : MIN((size_t) n, sizeof text - 1));
        return r;
}

int log_internal(int level, int error, const char *file, int line, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = log_internalv(level, error, file, line, fmt, ap);
        va_end(ap);
        return r;
}
