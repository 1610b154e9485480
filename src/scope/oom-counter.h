/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The OOM kill counter of one memory cgroup, read from fds opened while the
 * cgroup exists (scope-oom.c says why and opens them). No event loop and no
 * libsystemd here: cell watches it from its event loop, cell-monitor from its epoll. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct OomCounter {
        int fd;                 /* cgroup2: memory.events; cgroup1: memory.oom_control */
        int efd;                /* cgroup1: the eventfd of the OOM notifier */
        int dirfd;              /* cgroup1: the cgroup's directory. Its oom_kill counts the kills of its
                                 * own processes only (cgroup2's memory.events counts those below it
                                 * too), so the counters of the cgroups below it (the payload's own,
                                 * Delegate=) are added. */
        bool unified;
        bool gone;              /* the cgroup was removed: the counter is final */
        bool oom_seen;          /* cgroup1: an OOM notification while the cgroup existed */
        uint64_t kills;         /* the last oom_kill read */
} OomCounter;

#define OOM_COUNTER_NULL ((OomCounter) { .fd = -EBADF, .efd = -EBADF, .dirfd = -EBADF })

/* The fd to poll and for what: cgroup2 memory.events for EPOLLPRI, cgroup1
 * the eventfd for EPOLLIN. -EBADF when nothing is watched (or no more). */
int oom_counter_poll_fd(const OomCounter *c, uint32_t *ret_events);
/* Reads the counter again. -errno once the cgroup is gone (then the fd polls
 * ready for good: stop polling it). */
int oom_counter_update(OomCounter *c);
/* The poll fd turned ready. Returns oom_counter_update()'s result. */
int oom_counter_event(OomCounter *c);
/* At the payload's exit: reads once more if the cgroup is still there, and
 * says whether anything in it was OOM-killed. */
bool oom_counter_killed(OomCounter *c);
void oom_counter_done(OomCounter *c);
