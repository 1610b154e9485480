/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
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

/* Only an ignored signal outlives exec (exec resets a handler), so the
 * signals this process ignores are what must go back to SIG_DFL before it
 * execs another program: a SIG_IGN of whoever started us (nohup, a shell's
 * "trap '' INT", a background job's SIGINT and SIGQUIT) must not reach it.
 * signals_ignored_self() reads them from /proc/self/status (so it must be
 * our procfs, not one of a container), UINT64_MAX, every signal, when that
 * cannot be read; signals_reset() sets the signals of mask (bit sig - 1)
 * to SIG_DFL. Both never fail. */
uint64_t signals_ignored_self(void);
void signals_reset(uint64_t mask);

/* Whether sig is one of the terminal's signals that whoever started us
 * made us ignore, and which a supervisor keeps ignored rather than blocking
 * and forwarding it: SIGHUP (nohup, trap '' HUP), SIGINT and SIGQUIT (a
 * non-interactive shell's background job, which POSIX starts with both
 * ignored, so that a ^C on the script's terminal reaches the script alone).
 * cell sets no SIG_IGN of its own, so the one there is inherited; one that
 * came through an exec (cell-monitor, "cell __finish") answers the same.
 * The payload still starts with SIG_DFL (signals_reset()). */
bool signal_ignore_kept(int sig);

/* The sigqueue value with which "cell kill --all" sends the container's PID 1
 * its signal, after every other process of the cell's cgroup got it: under
 * Init=yes cell's reaper does not pass such a one on to the payload, which
 * has it already (each process gets it once, as with nspawn's stub init,
 * which keeps what it gets). Any other PID 1 simply gets its signal. */
#define SIGNAL_VALUE_EVERY_PROCESS 0x63656c6c   /* "cell" */
