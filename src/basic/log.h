/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "macros.h"

/* The one place cell reports to a human. Library code returns -errno and
 * never logs; the caller that decides what to do logs once.
 *
 * Messages go to stderr as "cell: message" (or "cell: NAME: message" once a
 * unit name is known, see log_set_prefix()). %m in the format expands to the
 * error passed in, not to the ambient errno. */

void log_set_max_level(int level);      /* LOG_ERR .. LOG_DEBUG; default LOG_INFO */
int log_get_max_level(void);
void log_set_prefix(const char *prefix); /* e.g. the unit name; NULL clears it */

/* A level's syslog name ("err", "warning", "debug", ...) or number 0-7;
 * -EINVAL for anything else. */
int log_level_from_string(const char *s) _pure_;
/* The level from $SYSTEMD_LOG_LEVEL, as systemd's tools read it (a value
 * that does not parse is ignored with a warning). Options given later, such
 * as "cell run -v", override it. */
void log_parse_environment(void);

/* Returns -abs(error) (or -EINVAL when error is 0) so callers can
 * "return log_error_errno(r, ...)". */
int log_internal(int level, int error, const char *file, int line, const char *fmt, ...) _printf_(5, 6);
int log_internalv(int level, int error, const char *file, int line, const char *fmt, va_list ap) _printf_(5, 0);

#define log_full_errno(level, error, ...) log_internal((level), (error), __FILE__, __LINE__, __VA_ARGS__)
#define log_full(level, ...) ((void) log_internal((level), 0, __FILE__, __LINE__, __VA_ARGS__))

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(error, ...)   log_full_errno(LOG_DEBUG, error, __VA_ARGS__)
#define log_info_errno(error, ...)    log_full_errno(LOG_INFO, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, error, __VA_ARGS__)
#define log_error_errno(error, ...)   log_full_errno(LOG_ERR, error, __VA_ARGS__)

/* Out of memory: the one message, and -ENOMEM. */
#define log_oom() log_full_errno(LOG_ERR, ENOMEM, "Out of memory.")
