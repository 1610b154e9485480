/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's cgroup: a transient systemd scope over sd-bus, or a
 * directory cell manages itself on cgroupfs, or nothing at all.
 *
 * The supervisor (cli/run.c) drives it in this order:
 *
 *   scope_prime()          first thing: the kernel's wait for systemd's move begins
 *   spawn the child        with systemd (scope_expects_systemd()): first, so that it
 *                          builds its mounts while cell connects
 *   scope_new()            connect the bus / create the cgroup dir (cgroupfs: no
 *                          event loop needed, so before cell loads libsystemd)
 *   scope_clone_into_fd()  cgroupfs on cgroup2: fd for clone3(CLONE_INTO_CGROUP)
 *   spawn the child        otherwise: now, born in its cgroup
 *   scope_attach()         StartTransientUnit(PIDs) / write cgroup.procs; does not wait
 *   scope_wait()           the job is done: the child is in its final cgroup
 *   release the child      (it unshares its cgroup namespace and execs)
 *   scope_child_released() systemd: the scope's OOM kills are watched from now
 *   scope_release()        the payload runs: the bus connection goes
 *   ... supervise ...
 *   scope_free()           a failed start: stop the scope; remove the cgroup dir
 */

#include <stdbool.h>
#include <sys/types.h>
#include "event-loop.h"

#include "oom-counter.h"
#include "plan.h"

typedef enum CgroupManager {
        CGROUP_MANAGER_AUTO,    /* systemd if sd_booted() and the bus answers, else cgroupfs */
        CGROUP_MANAGER_SYSTEMD,
        CGROUP_MANAGER_CGROUPFS,
        CGROUP_MANAGER_NONE,    /* no cgroup, no limits (warned about) */
        _CGROUP_MANAGER_MAX,
} CgroupManager;

const char *cgroup_manager_to_string(CgroupManager m);
CgroupManager cgroup_manager_from_string(const char *s); /* _CGROUP_MANAGER_MAX when unknown */

/* What AUTO would resolve to right now (for "cell plan"): SYSTEMD when
 * sd_booted() and the system (user_bus: the user) bus answers, else CGROUPFS
 * when a writable cgroup hierarchy is found, else NONE. Connects and
 * disconnects; never logs. */
CgroupManager scope_detect_manager(bool user_bus);

/* Whether systemd will make the scope, as far as can be told without the bus
 * (and without libsystemd): the systemd manager, or AUTO where systemd is PID
 * 1. Then the child needs no cgroup to be born in and is cloned before
 * scope_new(), with SYSTEMD; should that fail for AUTO, the child goes and
 * scope_new() decides again. */
bool scope_expects_systemd(CgroupManager manager);

/* As early as "cell run" can (before the unit is loaded): when manager (AUTO
 * as scope_new() would likely resolve it, without asking the bus) means that
 * systemd will move the payload into its scope, starts the kernel's wait that
 * such a move begins with, so that it runs while cell loads, connects and
 * clones instead of inside systemd's job (src/scope/cgroup-prime.c). Best
 * effort, never fails. Not where the kernel makes that wait short
 * (cg_prime_useful()), unless force. The next scope_new() takes it over; with
 * none to come (the unit did not load), scope_prime_cancel() ends it. */
void scope_prime(CgroupManager manager, bool force);
void scope_prime_cancel(void);

/* The name's lock (name-lock.h), taken by "cell run" before anything of the
 * start is made (an image attached, a credential read, the init cloned): a
 * start of a name that runs is refused there, having spent nothing, and one
 * that waits meanwhile (for a credential's server) is a start under way to
 * "cell stop" and "cell list". The next scope_new() of the name takes it
 * over, and gives it back when it fails; scope_lock_name_cancel() lets go of
 * one that none took. Not for a --user scope (name-lock.h). 0 (also where
 * the runtime directory cannot be written: no lock), or -EEXIST with
 * scope_last_error(NULL)'s text when the name runs. */
int scope_lock_name(const char *name, CgroupManager manager, bool user_bus);
void scope_lock_name_cancel(void);

typedef struct Scope Scope;

/* Chooses the manager (AUTO resolved here), connects / creates, and attaches
 * to the event loop. event: needed by the systemd manager alone; NULL for
 * cgroupfs or none (then AUTO never picks systemd), so that a caller can make
 * a cgroup and clone into it before it loads libsystemd. On failure returns
 * -errno and has logged nothing; the caller reports with scope_last_error()
 * text if set. */
int scope_new(const Plan *p, CgroupManager manager, bool user_bus, Event *event, Scope **ret);

CgroupManager scope_manager(const Scope *s);   /* the one actually in use */
int scope_clone_into_fd(const Scope *s);       /* -EBADF when clone3 CLONE_INTO_CGROUP does not apply */
/* born_in: the child was cloned into scope_clone_into_fd() already, so
 * nothing moves it (a move costs a wait for an RCU grace period). */
int scope_attach(Scope *s, pid_t pid, bool born_in);
int scope_wait(Scope *s);                      /* runs the event loop until the job is done; 0 or -errno */
/* Register=yes: the container as a machine of systemd-machined
 * (scope-machine.c), under the systemd manager alone (another is refused:
 * -EOPNOTSUPP). scope_register_machine() sends RegisterMachineWithNetwork
 * once scope_wait() is done (machined finds the scope from the leader's
 * cgroup) and does not wait; scope_register_machine_wait() waits for the
 * answer, as long as the scope's job had ($CELL_SCOPE_TIMEOUT), and before
 * scope_release(). Both: 0, or -errno with scope_last_error() saying what
 * failed in machined's own words. */
typedef struct ScopeMachine {
        const char *name;               /* a valid machine name (plan_machine_name()) */
        const uint8_t *id;              /* 16 bytes, or NULL for none */
        const char *root_directory;
        pid_t leader;                   /* the container's PID 1 */
        const int32_t *ifindices;       /* the host side of the links cell made (VirtualEthernet=) */
        size_t n_ifindices;
} ScopeMachine;
int scope_register_machine(Scope *s, const ScopeMachine *m);
int scope_register_machine_wait(Scope *s);
/* After a registration that succeeded, before scope_release(): drops the
 * machine again if machined still has it with our leader (0 when it is
 * gone or another's). For a payload that ended before machined registered
 * it: machined, which learns a machine's end from its unit's, missed the
 * scope's and would keep the machine of a container that is no more. */
int scope_unregister_machine(Scope *s);
/* The child is let go (GO), and execs: a systemd scope's OOM kills are
 * watched from now on, while it exists (scope-oom.c). Nothing is reported:
 * without the watch only the report of a kill is missing. A no-op for the
 * other managers, which read their own cgroup at the end. */
void scope_child_released(Scope *s);
/* The payload runs: systemd's part of the start is over, and the bus
 * connection goes (scope-bus.c says why). Nothing after this talks to
 * systemd: the scope ends with its payload, and systemd stops it by itself
 * when asked to. A no-op for the other managers. */
void scope_release(Scope *s);
const char *scope_last_error(const Scope *s);  /* human text of the last failure ("job failed: ..."), or NULL */
/* After a failed scope_new() there is no Scope: scope_last_error(NULL)
 * returns the text of that failure (until the next scope_new()). */
/* -errno when the cgroupfs manager should have enforced the device policy
 * but the kernel refused BPF (the payload runs with device access
 * unrestricted, as under systemd without BPF); 0 otherwise. */
int scope_devices_unrestricted(const Scope *s);
/* Whether a device policy restricts the container: systemd's scope (its
 * DevicePolicy=closed, or cell's program, without which the start fails) or
 * cell's program on the cgroupfs manager's cgroup. Decided by scope_new():
 * cgroupfs attaches the program before the payload is cloned. false for
 * CGROUP_MANAGER_NONE, and for cgroupfs where the kernel refused BPF or
 * there is no cgroup2 tree. */
bool scope_devices_restricted(const Scope *s);
/* The device policy of a cell started on this host with manager (AUTO
 * resolved by the caller) and who enforces it, in words for "cell plan". */
const char *scope_devices_enforcer(CgroupManager manager, bool user_bus);
bool scope_oom_killed(Scope *s);               /* the payload was OOM-killed in this cgroup */
/* The OOM counter of the container's cgroup, for cell-monitor to carry on
 * with (src/monitor): systemd's scope as watched, cell's own memory cgroup
 * opened here. NULL when there is none. */
const OomCounter *scope_oom_counter(Scope *s);

/* The cgroupfs manager's cgroups as plain data: what cell-monitor carries
 * for the clean-up after the payload, which "cell __finish" does after an
 * exec (src/cli/finish.c). */
typedef struct ScopeCgroupfsDirs {
        char **dirs;            /* the container's cgroup directories, one per hierarchy */
        bool pure_v2;           /* a pure cgroup2 host: dirs[unified] is all */
        int unified;            /* index of the one in the cgroup2 tree, or -1 */
        char *own_v2;           /* cell moved itself from this cgroup ... */
        char *leaf;             /* ... into this leaf below it (cgroup-leaf.c), or NULL */
        int lock_fd;            /* the name's lock (name-lock.h), or -EBADF: this very fd is
                                 * handed on through each exec, and never closed by _done() */
} ScopeCgroupfsDirs;
/* -ENODATA: not cgroupfs. lock_fd is still the Scope's own. */
int scope_cgroupfs_dirs(const Scope *s, ScopeCgroupfsDirs *ret);
void scope_cgroupfs_dirs_done(ScopeCgroupfsDirs *d);
/* The name's lock, which every manager holds from scope_new() on (systemd:
 * before StartTransientUnit) until scope_free(), or -EBADF (none where the
 * runtime directory cannot be written): what cell-monitor and "cell
 * __finish" hold on for the container's life (src/monitor). Still the
 * Scope's own. */
int scope_name_lock_fd(const Scope *s);
/* Notes "KEY VALUE" in the name's lock file (name_lock_note()): s's lock,
 * or before scope_new() (s NULL) the start's (scope_lock_name()); none held:
 * nothing. What a killed run noted so is taken back with its cgroups
 * (cgroup_leftover_take_back()). */
void scope_name_note(const Scope *s, const char *key, const char *value);
/* A Scope of those cgroups, for scope_free() to empty and remove them, to
 * move cell back out of its leaf and then to release the name's lock, whose
 * fd it takes over. Dirs that are gone already are skipped. */
int scope_adopt_cgroupfs(const char *name, const ScopeCgroupfsDirs *d, Scope **ret);
/* "cell stop NAME" of a cell that does not run: what a killed cgroupfs run
 * of it left (its cgroups, its leaf, the controllers it turned on, its
 * runtime state) taken back, as its next start would (cgroup-leftover.c).
 * *ret_removed: how many cgroups went. 0 also when there was nothing. */
int scope_cgroupfs_take_back(const char *name, unsigned *ret_removed);
/* systemd: a leftover scope of this name, active with no process in it (an
 * earlier cell of the name that has just ended, or one killed while starting),
 * was stopped before this start. For the caller's debug log; never an error. */
bool scope_leftover_stopped(const Scope *s);
/* systemd ended the scope's start (scope_wait(): -ECANCELED, the job
 * cancelled; -ESHUTDOWN, refused for a stop job queued on the service cell
 * runs in), and no stop signal has reached cell yet. What systemd does with
 * that service, asked over the start's connection: */
typedef enum ScopeServiceStop {
        SCOPE_SERVICE_NOT_MAIN,         /* cell is not its main process, or runs in no service */
        SCOPE_SERVICE_STOPPING,         /* it is deactivating: its stop signal has been sent */
        SCOPE_SERVICE_STOP_QUEUED,      /* a stop or restart job waits to run: the signal comes then */
        SCOPE_SERVICE_NOT_STOPPING,     /* neither: systemd stopped the scope alone */
} ScopeServiceStop;
/* 0 and *ret, or -errno when systemd could not be asked. */
int scope_service_stop(Scope *s, ScopeServiceStop *ret);

/* Stops what is left (kills remaining processes of the cgroup), removes the
 * cgroup dir or lets systemd collect the scope, disconnects, and then lets
 * the name's lock go. NULL-safe. */
Scope *scope_free(Scope *s);
