/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
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
} SpawnError;

/* Records the failure and returns -abs(error), for "return spawn_error(err, r, ...)". */
_printf_(3, 4)
static inline int spawn_error(SpawnError *err, int error, const char *fmt, ...) {
        va_list ap;

        error = error < 0 ? -error : (error ?: EIO);
        if (err) {
                err->error = error;
                va_start(ap, fmt);
                (void) vsnprintf(err->message, sizeof err->message, fmt, ap);
                va_end(ap);
        }
        return -error;
}
