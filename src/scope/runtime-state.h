/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a running cell leaves under /run/cell/NAME/state when systemd does
 * not keep track of it (the cgroupfs and none managers): enough for "cell
 * list/status/stop/kill/exec" to find the container. systemd-run scopes are
 * found over the bus instead.
 *
 * The file is KEY=VALUE lines, written atomically (temporary file and
 * rename), removed by cell run when the payload is gone. A PID is trusted
 * only together with its start time (field 22 of /proc/PID/stat), so a
 * state left behind by a killed cell never names a recycled PID. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "scope.h"

typedef struct RuntimeState {
        char *name;             /* "web", "worker@3" */
        char *unit_path;        /* the unit file it was started from */
        char *service;          /* the .service cell runs in (cell@NAME.service), or NULL */
        CgroupManager manager;  /* CGROUPFS or NONE */
        pid_t supervisor;       /* the "cell run" process */
        uint64_t supervisor_start;
        pid_t leader;           /* the container's PID 1, as the host sees it */
        uint64_t leader_start;
        uint64_t since_usec;    /* CLOCK_REALTIME when the payload started */
} RuntimeState;

void runtime_state_done(RuntimeState *s);

/* $CELL_RUNTIME_DIR if set (tests), else CELL_RUNTIME_DIR ("/run/cell"). */
const char *runtime_state_dir(void);

/* The start time of PID in clock ticks since boot, from /proc/PID/stat;
 * -ESRCH when it is gone or a zombie. */
int runtime_pid_start_time(pid_t pid, uint64_t *ret);
/* Whether pid still is the process that had start time start. */
bool runtime_pid_is(pid_t pid, uint64_t start);

/* Text form, for the file and the tests. parse: -EBADMSG for a state
 * that does not parse (a key missing, a value that is not one), whatever
 * is wrong with it; -ENOMEM. */
int runtime_state_format(const RuntimeState *s, char **ret);
int runtime_state_parse(const char *text, RuntimeState *ret);

/* DIR/NAME/state. write fills in nothing: the caller sets every field. */
int runtime_state_write(const RuntimeState *s);
/* -ENOENT: no state; -ESTALE: a state whose leader is gone (not removed);
 * -errno when the leader's /proc stat cannot be read (EMFILE): not stale. */
int runtime_state_read(const char *name, RuntimeState *ret);
/* Whether DIR/NAME/state is what a killed run left: it parses, and its
 * leader and supervisor are both gone (1, *ret filled; 0 otherwise, also
 * for no state or one that does not parse); -errno where a /proc stat
 * cannot be read (EMFILE): not known either way. */
int runtime_state_left(const char *name, RuntimeState *ret);
/* Whether DIR/NAME/state, its leader there or gone, was written by
 * supervisor, the very process (its start time checked): the run is past
 * its start. A cgroupfs "cell run" (cell-monitor, cell __finish) that
 * still holds the name's lock with this true has seen its payload end and
 * is cleaning up (the state goes last), rather than starting. 1 or 0 (also
 * for a state that does not parse); -errno where the state or the
 * supervisor's /proc stat cannot be read (EMFILE): not known either way. */
int runtime_state_of_supervisor(const char *name, pid_t supervisor);
/* Removes DIR/NAME/ if its state names supervisor, or a supervisor that is
 * gone (a killed cell's), or is unreadable; -EBUSY: a running cell's;
 * -errno when that supervisor's /proc stat cannot be read (kept). */
int runtime_state_remove(const char *name, pid_t supervisor);
/* The names with a state file, sorted; stale ones included. */
int runtime_state_list(char ***ret);

/* For cell run: the state of the run that is this process (supervisor =
 * getpid()), payload leader, started now, and the service it runs in, if any
 * (read from its own cgroup). -EBUSY and *ret_other (if not NULL): the
 * state of another cell of that name that runs stays (where no name lock
 * could be taken, name-lock.h, two starts of one name may run at once). */
int runtime_state_publish(const char *name, const char *unit_path, CgroupManager manager, pid_t leader,
                          pid_t *ret_other);
