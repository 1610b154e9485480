/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell's side of the hand-over to cell-monitor (monitor.h), and of the way
 * back: what cell still had to do when the payload exits (remove the
 * cgroupfs manager's cgroups and the runtime state, the host side of
 * VirtualEthernet= and VirtualEthernetExtra=, Zone='s bridge,
 * Interface='s interfaces, Port='s nft table)
 * cell-monitor leaves to "cell __finish", which it execs from cell's own
 * binary (src/cli/finish.c). */

#include <stdbool.h>

#include "notify.h"
#include "plan.h"
#include "scope.h"
#include "spawn.h"

typedef struct MonitorHandover {
        const Plan *plan;
        const Spawn *spawn;
        Scope *scope;
        const NotifyProxy *proxy;       /* NULL: none */
        bool ready_sent;
        bool stop_requested;
        bool state_published;           /* /run/cell/NAME/state, removed at the end */
        int monitor_fd;                 /* monitor_open() */
        int cell_fd;                    /* ... and cell's own binary */
        int output_fds[2];              /* the read ends of the payload's stdout and stderr,
                                         * relayed to our fd 1 and 2 (src/cli/run-relay.h); -EBADF: none */
        bool output_gone[2];            /* ... whose stream failed for good (said so already) */
        bool output_dropping[2];        /* ... whose stream refused for now (said so already) */
        bool console;                   /* output_fds[0] is the console's master (run_relay_take_console()) ... */
        unsigned console_cr_held;       /* ... its CRs our relay held back (output-relay.h) ... */
        int console_slave_fd;           /* ... and its slave, held; -EBADF: none */
} MonitorHandover;

/* cell-monitor and cell's own binary as O_PATH fds, opened as soon as the
 * payload runs and exec'd from later: cell-monitor beside cell, else at
 * CELL_MONITOR_PATH. -errno when there is no cell-monitor; *ret_cell_fd
 * may be -EBADF (then nothing that needs "cell __finish" is handed over). */
int monitor_open(int *ret_monitor_fd, int *ret_cell_fd);

/* NULL when cell may hand over, else why not, in words for the debug log:
 * when a stop is under way, with $CELL_MONITOR=0, without cell-monitor, and
 * when there is clean-up to do but cell's binary could not be opened. */
const char *monitor_handover_refused(const MonitorHandover *h);
/* Asks the cell-monitor at monitor_fd which hand-over format it reads
 * ("cell-monitor --handover-check" in a child of ours: nothing is handed
 * over), within MONITOR_PROBE_USEC. 0: it answered, with its format and its
 * cell version (*ret_format, ret_version); -EPROTONOSUPPORT: it gave no
 * answer (a cell-monitor of before the formats refuses the option and exits
 * 2); -ENOEXEC: it could not be exec'd; -ETIMEDOUT; -errno when it could not
 * be asked (no pipe, no fork). Logs nothing. */
#define MONITOR_PROBE_USEC (5 * USEC_PER_SEC)
int monitor_probe(int monitor_fd, unsigned *ret_format, char *ret_version, size_t version_size);
/* monitor_probe() in words: 0 when that cell-monitor reads our format;
 * -EPROTO when it reads another, -EPROTONOSUPPORT when it did not say (an
 * upgrade or downgrade during this start), else as monitor_probe(); why:
 * a sentence naming the cell-monitor, its version and format and ours. */
int monitor_agrees(int monitor_fd, char *why, size_t size);
/* Execs cell-monitor from h->monitor_fd. Returns only when that failed
 * (-errno), with the process as it was. */
int monitor_hand_over(const MonitorHandover *h);

/* What "cell __finish" does, as plain data. */
typedef struct MonitorFinish {
        int status;                     /* the payload's, to exit with */
        char *name;
        bool state;                     /* remove /run/cell/NAME/state */
        ScopeCgroupfsDirs dirs;         /* the cgroupfs manager's cgroups; dirs.dirs NULL: none */
        NetifVeth veth;                 /* VirtualEthernet='s host side, index 0: none */
        char *netfw_table;              /* Port='s nft table, NULL: none ... */
        uint64_t netfw_handles[2];      /* ... the ip and ip6 ones the start added (netfw.h) */
        int netns_fd;                   /* Interface=: the container's network namespace ... */
        NetifMoved *moved;              /* ... and the interfaces to move back out of it */
        size_t n_moved;
        char *zone;                     /* Zone='s bridge "vz-NAME", removed if no port is left; NULL: none */
        NetifVeth *extras;              /* VirtualEthernetExtra='s host sides */
        size_t n_extras;
        char *run_host;                 /* the container's /run/host on the host, NULL: none ... */
        unsigned run_host_absent;       /* ... and what the start made there (spawn-run-host.h) */
} MonitorFinish;

/* The options for "cell __finish" that h needs (none: *ret NULL). */
int monitor_finish_args(const MonitorHandover *h, char ***ret);
/* "cell __finish --status=N [those options]". -EINVAL (logged) otherwise. */
int monitor_finish_parse(int argc, char *argv[], MonitorFinish *ret);
void monitor_finish_done(MonitorFinish *f);
