/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell's side of the hand-over to cell-monitor (monitor.h). */

#include <stdbool.h>

#include "notify.h"
#include "plan.h"
#include "scope.h"
#include "spawn.h"

typedef struct MonitorHandover {
        const Plan *plan;
        const Spawn *spawn;
        const Scope *scope;
        const NotifyProxy *proxy;       /* NULL: none */
        bool ready_sent;
        bool stop_requested;
        int monitor_fd;                 /* monitor_open() */
} MonitorHandover;

/* cell-monitor as an O_PATH fd, opened as soon as the payload runs and
 * exec'd from it later: beside cell's own binary, else at CELL_MONITOR_PATH.
 * -errno when there is none. */
int monitor_open(void);

/* NULL when cell may hand over, else why not, in words for the debug log:
 * cell stays when it still has work for the payload's exit (the cgroupfs
 * manager's cgroup, VirtualEthernet='s host side, Port='s nft table), when a
 * stop is under way, when $CELL_MONITOR=0, or when there is no cell-monitor. */
const char *monitor_handover_refused(const MonitorHandover *h);
/* Execs cell-monitor from h->monitor_fd. Returns only when that failed
 * (-errno), with the process as it was. */
int monitor_hand_over(const MonitorHandover *h);
