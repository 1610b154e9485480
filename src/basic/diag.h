/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "macros.h"

/* Problems found in units, collected so that "cell verify" can report all
 * of them, not only the first. Each message is complete and ready to print:
 * "FILE:LINE: Key=value: what was expected". Each has its level beside it:
 * a warning's text says "warning: ", but so may a value quoted in an error,
 * so a caller asks diag_level(), never the text. */
typedef struct Diagnostics {
        char **messages;        /* NULL-terminated */
        uint8_t *levels;        /* LOG_ERR or LOG_WARNING, one per message */
        size_t n_messages;      /* its length, and room for n_allocated - 1: a file */
        size_t n_allocated;     /* of garbage has a message a line, not a copy each */
        size_t n_errors;
        size_t n_warnings;
        char **once;            /* diag_error_once()'s "FILE\nTEXT", open-addressed by hash */
        size_t n_once;
        size_t n_once_allocated;
} Diagnostics;

/* Both return 0, or -ENOMEM. A NULL Diagnostics swallows the message (and
 * still counts nothing): for callers that only want the return code. */
int diag_error(Diagnostics *d, const char *file, unsigned line, const char *fmt, ...) _printf_(4, 5);
int diag_warning(Diagnostics *d, const char *file, unsigned line, const char *fmt, ...) _printf_(4, 5);
/* As diag_error(), unless the same text was reported by it for the same file
 * before (at any line): an unknown section is named once per file, at its
 * first header, not again for each key below it or each repeated header. */
int diag_error_once(Diagnostics *d, const char *file, unsigned line, const char *fmt, ...) _printf_(4, 5);
void diag_done(Diagnostics *d);

/* The level of messages[i] (i < n_messages), as syslog has it: LOG_ERR
 * (diag_error()) or LOG_WARNING (diag_warning()). */
static inline int diag_level(const Diagnostics *d, size_t i) {
        return d->levels[i];
}
