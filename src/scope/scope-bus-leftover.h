/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A scope of our name that exists already when StartTransientUnit answers
 * UnitExists (scope-bus-leftover.c). Only ever used on that error path: the
 * hot path asks systemd nothing beyond the StartTransientUnit itself.
 * Not a contract: only src/scope and its tests include it. */

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#define SYSTEMD_SERVICE "org.freedesktop.systemd1"
#define SYSTEMD_UNIT_PATH "/org/freedesktop/systemd1/unit"
/* How long systemd may take to end a leftover once asked to: it takes a
 * millisecond; seconds only for a manager under heavy load. */
#define SCOPE_STALE_TIMEOUT_USEC (5 * USEC_PER_SEC)

typedef enum ScopeLeftover {
        SCOPE_LEFTOVER_RESET,   /* inactive or failed: ResetFailedUnit, start again */
        SCOPE_LEFTOVER_STALE,   /* active with no process left: stop it, start again */
        SCOPE_LEFTOVER_RUNNING, /* processes in it (or unknown): another cell of that name */
        _SCOPE_LEFTOVER_MAX,
} ScopeLeftover;

/* What the leftover is, from its ActiveState and the number of processes in
 * its cgroup (GetProcesses; < 0: not known). Only a unit that is active or
 * deactivating and known to hold no process at all is STALE: anything unsure
 * counts as RUNNING, which refuses the start. */
ScopeLeftover scope_leftover_classify(const char *active_state, int n_processes);
const char *scope_leftover_to_string(ScopeLeftover l);

/* One activation of the unit, read through its invocation ID
 * (/org/freedesktop/systemd1/unit/<ID>), so that what is stopped is what was
 * read: a start of the same name in between is a new activation, with another
 * ID, and is never touched. */
typedef struct ScopeLeftoverUnit {
        char *path;             /* the activation's object path; NULL: it has no invocation ID */
        char *state;            /* its ActiveState; NULL: not read */
        int n_processes;        /* processes in its cgroup, sub-cgroups included; < 0: not known */
        uint32_t first_pid;     /* the first of them, 0 when none */
} ScopeLeftoverUnit;

/* Reads the activation of unit that is there now; fields left unknown where a
 * call fails (never an error: unknown is RUNNING to the classification). An
 * activation that ends in between reads as "inactive". */
void scope_bus_leftover_read(sd_bus *bus, const char *unit, ScopeLeftoverUnit *ret);
void scope_leftover_unit_done(ScopeLeftoverUnit *u);

/* Stops that activation (Unit.Stop on its invocation path) and polls it until
 * it is over, at most timeout_usec. Why a STALE leftover is there at all:
 *  - the scope of a cell of this name that has just ended: the kernel notifies
 *    a cgroup's cgroup.events at most 100 times a second (DIV_ROUND_UP(HZ,
 *    100) jiffies apart; 12 ms at HZ=250), so the "populated 0" of a payload
 *    that ran for less than that waits for a timer, and systemd ends its scope
 *    only then;
 *  - systemd 252 keeps a scope active for good when StartTransientUnit named a
 *    child that was already exiting (a cell killed in its first milliseconds):
 *    the kernel's migration skips an exiting task, the cgroup is never
 *    populated, and the event never comes.
 * A stop ends either at once: systemd finds nothing to kill. 0 when it is over
 * and gone or inactive, 1 when it is over and failed (ResetFailedUnit due);
 * -errno with *ret_why (systemd's words, or NULL) when not. Blocks its caller,
 * the event loop included: it is only ever run on the UnitExists path. */
int scope_bus_leftover_stop(sd_bus *bus, const ScopeLeftoverUnit *u, uint64_t timeout_usec, char **ret_why);

/* The units the unit at unit_path is PartOf= (cell run's link to the service
 * it runs in, and the unit's own), then BindsTo= (a scope of an older
 * cell's): where to find the service a scope's cell runs in. */
int scope_bus_unit_service_links(sd_bus *bus, const char *unit_path, char ***ret);
/* SIGKILL to every process of that activation (Unit.Kill "all"), as systemd
 * ends what a service's dead main process left (KillMode=mixed); 0 also when
 * it ended in between. Then scope_bus_leftover_stop() waits for its end. */
int scope_bus_leftover_kill(sd_bus *bus, const ScopeLeftoverUnit *u, char **ret_why);

/* Every PID in the cgroup of the unit at unit_path, sub-cgroups included
 * (Scope.GetProcesses). */
int scope_bus_unit_pids(sd_bus *bus, const char *unit_path, pid_t **ret, size_t *ret_n);
/* The job queued or running for the unit at unit_path: its ID (0: none) and,
 * if ret_job, its object path. */
int scope_bus_unit_job(sd_bus *bus, const char *unit_path, uint32_t *ret_id, char **ret_job);
/* The MainPID of the service at unit_path (0: none). */
int scope_bus_unit_main_pid(sd_bus *bus, const char *unit_path, pid_t *ret);
