/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A scope of our name that exists already when StartTransientUnit answers
 * UnitExists (scope-bus-leftover.c). Only ever used on that error path: the
 * hot path asks systemd nothing beyond the StartTransientUnit itself.
 * Not a contract: only src/scope and its tests include it. */

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#define SYSTEMD_UNIT_PATH "/org/freedesktop/systemd1/unit"
/* How long systemd may take to end a stale scope once it has its empty event:
 * it takes milliseconds; seconds only for a manager under heavy load. */
#define SCOPE_STALE_TIMEOUT_USEC (5 * USEC_PER_SEC)

typedef enum ScopeLeftover {
        SCOPE_LEFTOVER_RESET,   /* inactive or failed: ResetFailedUnit, start again */
        SCOPE_LEFTOVER_STALE,   /* active with no process left: clear it, start again */
        SCOPE_LEFTOVER_RUNNING, /* processes in it (or unknown): another cell of that name */
        _SCOPE_LEFTOVER_MAX,
} ScopeLeftover;

/* What the leftover is, from its ActiveState and the number of processes in
 * its cgroup (GetProcesses; < 0: not known). Only a unit that is active (or
 * activating, deactivating, reloading) and known to hold no process at all is
 * STALE: anything unsure counts as RUNNING, which refuses the start as before. */
ScopeLeftover scope_leftover_classify(const char *active_state, int n_processes);
const char *scope_leftover_to_string(ScopeLeftover l);

/* How long a leftover that looks stale is given to end by itself first: the
 * scope of a cell of the same name that has just ended is active with an empty
 * cgroup until systemd has handled the cgroup's empty event, 5-30 ms later
 * here. A name run again at once meets it; that is no stale scope. */
#define SCOPE_SETTLE_USEC (250 * USEC_PER_MSEC)

/* Polls the unit at unit_path while it is STALE (scope_leftover_classify()),
 * at most timeout_usec, and returns what it is then; *state, *n and
 * *first_pid are updated with what was read last. */
ScopeLeftover scope_bus_leftover_settle(sd_bus *bus, const char *unit_path, uint64_t timeout_usec,
                                        char **state, int *n, uint32_t *first_pid);

/* Synchronous reads of the unit at unit_path: its ActiveState, and the number
 * of processes in its cgroup with the first one's PID (0 when none). */
int scope_bus_leftover_state(sd_bus *bus, const char *unit_path, char **ret_state);
int scope_bus_leftover_processes(sd_bus *bus, const char *unit_path, int *ret_n, uint32_t *ret_first_pid);
/* Every PID in the unit's cgroup, sub-cgroups included (Scope.GetProcesses). */
int scope_bus_unit_pids(sd_bus *bus, const char *unit_path, pid_t **ret, size_t *ret_n);

/* systemd 252 keeps a scope active for good when StartTransientUnit named a
 * child that was already exiting: the kernel skips an exiting task when it
 * migrates one, so the cgroup is never populated and the populated 1 -> 0
 * event that ends a scope never comes. This gives systemd that event: a
 * short-lived child of ours is attached to the scope (AttachProcessesToUnit;
 * the scope is delegated) and exits, then the unit's ActiveState is polled
 * until it is inactive or failed (at most timeout_usec). 0 then; -errno with
 * *ret_why (systemd's words, or NULL) otherwise. Blocks its caller for that
 * long, the event loop included: it is only ever run on the UnitExists path. */
int scope_bus_clear_stale(sd_bus *bus, const char *unit, const char *unit_path, uint64_t timeout_usec,
                          char **ret_why);
