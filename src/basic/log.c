/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int log_max_level = LOG_INFO;
static char log_prefix[256];

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

void log_set_prefix(const char *prefix) {
        if (!prefix)
                log_prefix[0] = 0;
        else
                (void) snprintf(log_prefix, sizeof log_prefix, "%s", prefix);
}

int log_internalv(int level, int error, const char *file, int line, const char *fmt, va_list ap) {
        int r = error < 0 ? error : (error > 0 ? -error : -EINVAL);
        char buf[4096];

        if (level > log_max_level)
                return r;

        /* %m is the error we were handed, not whatever errno is now. */
        errno = error < 0 ? -error : error;
        (void) vsnprintf(buf, sizeof buf, fmt, ap);

        if (log_max_level >= LOG_DEBUG)
                fprintf(stderr, "cell: %s%s(%s:%d) %s\n",
                        log_prefix, log_prefix[0] ? ": " : "", file, line, buf);
        else
                fprintf(stderr, "cell: %s%s%s\n", log_prefix, log_prefix[0] ? ": " : "", buf);
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
