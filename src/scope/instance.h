/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running cells, as "cell list/status/stop/kill/exec" see them: transient
 * scopes cell-*.scope found over systemd's bus, and cells run with the
 * cgroupfs (or no) manager found through their runtime state
 * (runtime-state.h). Used by cli/ only; never logs. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "scope.h"

typedef struct CellInstance {
        char *name;             /* "web", "worker@3" */
        CgroupManager manager;  /* SYSTEMD, CGROUPFS or NONE */
        char *unit;             /* "cell-web.scope" (systemd), else NULL */
        char *slice;            /* systemd only */
        char *description;      /* the scope's, or NULL */
        char *state;            /* "running", or systemd's "active (running)"-style pair "active/running" */
        char *service;          /* the .service cell runs in (the scope's PartOf=) and is the main
                                 * process of, or NULL */
        pid_t service_main_pid; /* the MainPID of the scope's PartOf= service, 0 unknown */
        char *unit_path;        /* the unit file (the runtime state's, or the scope's SourcePath=), or NULL */
        pid_t leader;           /* the container's PID 1 in our PID namespace, 0 unknown */
        uint64_t leader_start;  /* its start time (clock ticks), to pin it */
        pid_t supervisor;       /* the "cell run" process, 0 unknown */
        uint64_t supervisor_start; /* its start time (runtime state only), to pin it; 0 unknown */
        uint64_t since_usec;    /* CLOCK_REALTIME of the start, 0 unknown */
        char *control_group;    /* the cgroup path in its hierarchy ("/machine.slice/cell-web.scope") */
        uint64_t memory_current; /* bytes, UINT64_MAX unknown */
        uint64_t tasks_current;  /* UINT64_MAX unknown */
} CellInstance;

void instance_done(CellInstance *i);
void instance_free_many(CellInstance *l, size_t n);

/* The running cell NAME: the systemd scope first (when a bus answers), then
 * the runtime state. -ESRCH when it is not running. */
int instance_find(const char *name, bool user_bus, CellInstance *ret);
/* Every running cell, sorted by name. A missing bus is not an error, nor is
 * a runtime state that is stale or does not parse (left out). */
int instance_list(bool user_bus, CellInstance **ret, size_t *ret_n);
/* By name, as instance_list() returns them. */
void instance_sort(CellInstance *l, size_t n);

/* Graceful stop: systemd stops the service cell runs in (or the scope), cell
 * sends KillSignal= and SIGKILL after TimeoutStopSec=; for cgroupfs runs the
 * supervisor gets SIGTERM and does the same. Waits at most timeout_usec for
 * the container to be gone; -ETIMEDOUT then. */
int instance_stop(const CellInstance *i, bool user_bus, uint64_t timeout_usec);
/* A cell@NAME.service with no running cell found: stopped (StopUnit, mode
 * "replace", its job waited for) where it is activating (its start before
 * the scope, or RestartSec='s wait: auto-restart), has a start job queued,
 * or is active, so that its Restart= (or that job) does not start it again. 0 stopped (*ret_service: its name),
 * -ESRCH when there is none such or no bus, -EIO when the job failed,
 * -ECANCELED when another job (a start) replaced it. */
int instance_stop_service(const char *name, bool user_bus, uint64_t timeout_usec, char **ret_service);
/* The instances (cell@NAME.service: NAME, as written) of the loaded cell@
 * services that are starting, wait out RestartSec= or have a start job
 * queued (include_active: or are up, reloading or stopping): what may start
 * a cell (again). An alias's
 * (cell@web.service for web.cell -> nginx.cell) starts the unit's cell; the
 * caller resolves them. None without a bus. */
int instance_service_instances(bool user_bus, bool include_active, char ***ret);
/* sig to the container's PID 1 (all: to every process of its cgroup). */
int instance_kill(const CellInstance *i, bool user_bus, int sig, bool all);
/* The step the last instance_stop() or instance_kill() failed at ("opening
 * a pidfd of the container's init (PID 42)"), for the caller's message; NULL
 * when it named none (a refusal of systemd's, a process that is gone). */
const char *instance_last_step(void);

/* Whether the container's PID 1 is cell's reaper (Init=yes): it passes
 * every signal on to the payload but SIGSTOP, which it cannot catch. */
bool instance_leader_is_reaper(const CellInstance *i);
/* Whether /proc/PID/comm is comm (the first 15 bytes of a process's name). */
bool instance_pid_comm_is(pid_t pid, const char *comm);

/* Where the container's PID 1 is in the cgroup v1 hierarchies of the limits
 * controllers (memory, pids, cpu, cpuset, blkio) when that is not
 * control_group: "PATH (CONTROLLERS)", one a path, or NULL when all agree
 * (a pure cgroup2 host, or one path for all). For "cell status". */
int instance_cgroups_elsewhere(const CellInstance *i, char ***ret);

/* The leader among pids: the one that is PID 1 of a PID namespace nested
 * in ours (the container's init), 0 if none. Reads /proc/PID/status. */
pid_t instance_pick_leader(const pid_t *pids, size_t n);

/* Scope unit name <-> cell name: "cell-worker\x403.scope" <-> "worker@3". */
int instance_name_from_unit(const char *unit, char **ret);
int instance_unit_from_name(const char *name, char **ret);
