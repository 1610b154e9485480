/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The built cell-monitor exec'd as cell execs it, by the parent of a payload
 * of the test's own (test-monitor, test-monitor-output). The binary is
 * $CELL_MONITOR_BIN. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "monitor.h"

typedef enum Payload {
        PAYLOAD_EXIT7,          /* exits 7 */
        PAYLOAD_SIGNALS,        /* exits 10+N on signal N (SIGTERM, SIGUSR2, SIGHUP) */
        PAYLOAD_STUBBORN,       /* ignores SIGTERM */
        PAYLOAD_NOTIFY,         /* READY=1 and STATUS= to its notify socket, then as SIGNALS */
        PAYLOAD_EXTEND,         /* on SIGTERM: EXTEND_TIMEOUT_USEC=2 s, 0.6 s of work, exits 10+SIGTERM */
        PAYLOAD_OUTPUT,         /* PAYLOAD_OUTPUT_SIZE bytes to its stdout (a pipe), the last line last, exits 0 */
        PAYLOAD_FDS,            /* FDSTORE=1 with a socket (to cell-closer), again on SIGUSR1, then as SIGNALS */
        PAYLOAD_LAST_WORDS,     /* 0.2 s in, STATUS=0 ... STATUS=39, one datagram each, then exits 0 */
} Payload;

#define PAYLOAD_OUTPUT_SIZE (200U * 1024U)
#define PAYLOAD_LAST_LINE "the last line\n"

/* The byte PAYLOAD_OUTPUT writes at offset i. */
char payload_output_byte(size_t i);

typedef struct Run {
        pid_t monitor;          /* becomes cell-monitor */
        pid_t payload;
        pid_t closer;           /* monitor_closer: cell's cell-closer, a child of the monitor */
        char log[64];           /* its stderr */
        int journal;            /* PAYLOAD_OUTPUT: the other end of its stdout, a socket */
} Run;

/* PAYLOAD_OUTPUT: SO_SNDBUF of the monitor's stdout (the journal stream's
 * socket), so that it fills after a few KiB; 0: the kernel's default. */
extern int monitor_journal_sndbuf;
/* Before the exec, fds passed as a payload passes them, so that a
 * cell-closer runs, as in cell (notify-closer.c): it ends at the exec. */
extern bool monitor_closer;
/* PAYLOAD_OUTPUT: the monitor's stdout is /dev/full (a full disk), not the socket. */
extern bool monitor_journal_full;

/* As cell: signals blocked, the payload cloned, then exec of cell-monitor
 * with the hand-over on its command line. */
void monitor_start(Payload what, const MonitorState *tmpl, Run *ret);
/* The monitor's exit status; its log in *ret_log (freed by the caller). */
int monitor_wait(Run *r, char **ret_log);
/* A hand-over with nothing but a name, SIGTERM and no stop timeout. */
MonitorState template(void);
