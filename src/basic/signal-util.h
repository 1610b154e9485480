/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* Signal names as systemd writes and reads them (its signal_to_string()
 * table): "TERM" for SIGTERM, "IO" for SIGIO, without "SIG". NULL for
 * real-time signals and numbers without a name. glibc's sigabbrev_np() is
 * not used: it says "POLL" for 29, which systemd does not read. The parser
 * is parse_signal() (src/unit/parse-value.h). */
const char *signal_name(int sig);

/* sig as systemd prints it: "SIGTERM", "SIGRTMIN+3", else its number. */
#define SIGNAL_STRING_MAX 24
const char *signal_to_string(int sig, char buf[static SIGNAL_STRING_MAX]);

/* The "SigIgn:" line of a /proc/PID/status text: the signals ignored, bit
 * sig - 1 for signal sig. 0 and *ret set, or -EBADMSG without such a line. */
int status_signals_ignored(const char *status, uint64_t *ret);
