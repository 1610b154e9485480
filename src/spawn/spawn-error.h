/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "macros.h"

/* A failure inside the child, built at the point of failure (crun's idea):
 * the child cannot print usefully, so it sends this over the sync socket and
 * the supervisor reports it once: "web: Bind=/srv/www: source does not exist". */
typedef struct SpawnError {
        int error;              /* positive errno */
        /* The step and the object, without the unit name and without strerror.
         * One about a key the unit sets begins "Key=value" (the key as the
         * unit file has it): the supervisor puts where it was set in front
         * (plan_message_origin()). One about an entry with an origin of its
         * own (a mount) begins with that, "FILE:LINE: ". */
        char message[512];
        /* The message says all there is ("no such user in the container's
         * /etc/passwd"): the reporter puts no strerror after it, which for
         * the errno that only carries the failure would mislead ("No such
         * process"). */
        bool complete;
} SpawnError;

_printf_(4, 0)
static inline int spawn_errorv(SpawnError *err, int error, bool complete, const char *fmt, va_list ap) {
        error = error < 0 ? -error : (error ?: EIO);
        if (err) {
                err->error = error;
                err->complete = complete;
                (void) vsnprintf(err->message, sizeof err->message, fmt, ap);
        }
        return -error;
}

/* Records the failure and returns -abs(error), for "return spawn_error(err, r, ...)". */
_printf_(3, 4)
static inline int spawn_error(SpawnError *err, int error, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = spawn_errorv(err, error, false, fmt, ap);
        va_end(ap);
        return r;
}

/* The same for a message that needs no strerror (see SpawnError.complete). */
_printf_(3, 4)
static inline int spawn_error_complete(SpawnError *err, int error, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = spawn_errorv(err, error, true, fmt, ap);
        va_end(ap);
        return r;
}
