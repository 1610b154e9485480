/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between scope.c (the front), scope-bus.c (systemd) and
 * scope-cgroupfs.c (cell's own cgroup). Not a contract: only src/scope and
 * its tests include it. */

#include <stdarg.h>
#include <systemd/sd-bus.h>

#include "cgroup-io.h"
#include "cgroup-limits.h"
#include "cgroup-util.h"
#include "macros.h"
#include "scope.h"

typedef struct ScopeBus ScopeBus;
typedef struct ScopeCgroupfs ScopeCgroupfs;
typedef struct ScopeOom ScopeOom;
typedef struct ScopeMachined ScopeMachined;
typedef struct CgroupDeviceRule CgroupDeviceRule;
typedef struct CgroupPrime CgroupPrime;

typedef enum ScopeCpuset {
        SCOPE_CPUSET_CPUS,      /* AllowedCPUs=, cpuset.cpus */
        SCOPE_CPUSET_MEMS,      /* AllowedMemoryNodes=, cpuset.mems */
        _SCOPE_CPUSET_MAX,
} ScopeCpuset;

struct Scope {
        CgroupManager manager;
        char *name;             /* plan->name */
        char *unit;             /* plan->scope_unit */
        Event *event;
        char *error;            /* scope_last_error() */
        uint64_t bus_timeout_usec;      /* how long systemd has to make the scope (USEC_INFINITY: no limit) */
        ScopeBus *bus;          /* CGROUP_MANAGER_SYSTEMD */
        ScopeCgroupfs *fs;      /* CGROUP_MANAGER_CGROUPFS */
        int lock_fd;            /* the name's lock (name-lock.h) under the systemd and none managers,
                                 * or -EBADF; the cgroupfs manager's is fs->lock_fd */
        bool lock_named;        /* its file names the manager (for "cell list") */
        bool lock_early;        /* the start's, taken before scope_new() (scope_lock_name()) */
        ScopeOom *oom;          /* CGROUP_MANAGER_SYSTEMD: watches the scope for OOM kills */
        CgroupPrime *prime;     /* the grace period of the move ahead, started early (cgroup-prime.c) */
        ScopeMachined *machined; /* Register=yes: the call to systemd-machined (scope-machine.c) */
        char *period_notice;    /* CGROUP_MANAGER_SYSTEMD: the CPUQuota= period notice, logged once the
                                 * limits are found in force (NULL: none) */
        CgroupNeed needs[CG_NEEDS_MAX]; /* the controllers the plan's limits need */
        size_t n_needs;
        /* CGROUP_MANAGER_SYSTEMD: AllowedCPUs= and AllowedMemoryNodes= (SCOPE_CPUSET_*)
         * as cpuset.cpus and cpuset.mems show them, and their Startup*= values; checked there. */
        char *cpuset[_SCOPE_CPUSET_MAX], *cpuset_startup[_SCOPE_CPUSET_MAX];
        CgroupIODisk *io_disks; /* the disks the plan's IO limits name (cgroup-io.h) */
        size_t n_io_disks;
        /* The device policy as cell's own BPF program (scope-devices.c). */
        bool devices_own;               /* cell attaches it; DevicePolicy= is not sent */
        int devices_unrestricted;       /* -errno: the kernel refused BPF, no policy */
        bool devices_attached;          /* cell's program is on the container's cgroup */
        int devices_prog_fd;
        CgroupDeviceRule *devices_rules;
        size_t n_devices_rules;
        CgroupMount devices_v2;         /* the cgroup2 mount (where, root); set: the rules are resolved */
};

/* scope-limits-check.c: s's cpuset lists as the kernel shows them, for
 * scope_check_and_attach(), which checks the limits and attaches the device
 * policy on the systemd scope's child pid before GO. */
int scope_cpuset_expect(Scope *s, const PlanLimits *l);
int scope_check_and_attach(Scope *s, pid_t pid);
/* The text of a limit whose controller systemd's scope lacks (u, from
 * cg_limits_unmet() on the membership m): set, and -EOPNOTSUPP returned. */
int scope_limits_unmet_error(Scope *s, const CgroupNeed *u, const CgroupMembership *m, size_t n);
/* Records the human text of a failure (replacing an earlier one) and returns r. */
int scope_set_error(Scope *s, int r, const char *fmt, ...) _printf_(3, 4);
/* The name's lock (name-lock.h) into *ret_fd, whatever the manager (named
 * in its file, for "cell list"): -EEXIST
 * with the text "cell NAME is already running ..." while another cell run
 * holds it; what a killed cgroupfs holder left, taken back. s->lock_fd
 * held already (the start's, or taken by the manager tried before): handed
 * over. */
int scope_name_lock(Scope *s, CgroupManager manager, int *ret_fd);

/* systemd (scope-bus.c). */
int scope_bus_open(bool user_bus, sd_bus **ret);        /* -errno when no bus answers */
/* The address scope_bus_open() connects to, as sd-bus picks it, for messages;
 * NULL on ENOMEM. */
char *scope_bus_address(bool user_bus);
/* s->bus_timeout_usec from $CELL_SCOPE_TIMEOUT, or the default; -EINVAL with
 * the text set when that is no time span. Before scope_bus_new(). */
int scope_bus_timeout(Scope *s);
int scope_bus_new(Scope *s, const Plan *p, bool user_bus);
int scope_bus_attach(Scope *s, pid_t pid);
int scope_bus_wait(Scope *s);
/* While s's event loop runs, a stop request (SIGTERM, SIGINT, SIGHUP) sets
 * *requested: a signalfd that only wakes the loop and is never read, so the
 * signal stays pending for cell's own reader. The caller owns both returned. */
int scope_watch_stop_signals(Scope *s, bool *requested, EventSource **ret_source, int *ret_fd);
/* scope-bus-service.c: what systemd does with service, whose main process
 * cell (self) may be; for scope_service_stop(). */
int scope_bus_service_stop(sd_bus *bus, const char *service, pid_t self, ScopeServiceStop *ret);
pid_t scope_bus_pid(const Scope *s);                  /* the PID given to scope_bus_attach() */
sd_bus *scope_bus_connection(const Scope *s);         /* the start's connection, for machined's call; or NULL */
int scope_bus_connection_error(const Scope *s);      /* < 0: sd_bus_process() failed on it (scope-bus-loop.h) */
void scope_bus_release(Scope *s);                     /* the payload runs: disconnect */
void scope_bus_free(Scope *s);
/* Appends one "(sv)" entry to an open "a(sv)" container, by p->signature. */
int scope_bus_append_property(sd_bus_message *m, const PlanProperty *p);
/* A plan property as StartTransientUnit carries it: q itself, or *buf
 * filled for one sent otherwise (a TasksMaxScale of 100% as TasksMax, the
 * system's number of tasks); what a refusal names (scope-bus-refused.c). */
const PlanProperty *scope_bus_property_sent(const PlanProperty *q, PlanProperty *buf);
/* What StartTransientUnit carries besides the unit's name and mode
 * (scope-bus-props.c): the plan's properties and what cell adds. */
typedef struct ScopeStartProps {
        const PlanProperty *props;
        size_t n_props;
        bool skip_device_policy;        /* DevicePolicy=/DeviceAllow= left out: cell's own program */
        const char *slice, *description;        /* added when props lack them */
        int kill_signal;                /* KillSignal= likewise, when > 0 */
        uint64_t timeout_stop_usec;     /* TimeoutStopUSec= likewise, when > 0 */
        pid_t pid;                      /* PIDs= */
        const char *service;            /* PartOf= and Before= it, or NULL */
        const char *source_path;        /* SourcePath=, or NULL */
        const CgroupIODisk *io_disks;   /* IOReadBandwidthMax= and the rest, per disk */
        size_t n_io_disks;
} ScopeStartProps;
/* Appends the whole "a(sv)" of StartTransientUnit. -EINVAL with *ret_bad set for a
 * plan property that cannot be marshalled. */
int scope_bus_append_start_properties(sd_bus_message *m, const ScopeStartProps *p, const PlanProperty **ret_bad);

/* systemd-machined (scope-machine.c): its state goes before the connection. */
void scope_machined_free(Scope *s);

/* cgroupfs (scope-cgroupfs.c). */
int scope_cgroupfs_usable(void);                         /* > 0 when some cgroup fs is mounted */
int scope_cgroupfs_new(Scope *s, const Plan *p);
int scope_cgroupfs_clone_into_fd(const Scope *s);
int scope_cgroupfs_attach(Scope *s, pid_t pid, bool born_in);
bool scope_cgroupfs_oom_killed(Scope *s);
const OomCounter *scope_cgroupfs_oom_counter(Scope *s);
void scope_cgroupfs_free(Scope *s);

/* The device policy (scope-devices.c). prepare: decides whether cell enforces it
 * itself (root, pure cgroup2) and resolves the plan's DeviceAllow rules; load:
 * BPF_PROG_LOAD (before StartTransientUnit; refused: devices_own drops and
 * systemd is asked instead); attach_*: onto the container's
 * cgroup, before the payload runs. All are no-ops when cell does not own it. */
int scope_devices_prepare(Scope *s, const Plan *p, bool user_bus);
int scope_devices_load(Scope *s);
void scope_devices_own_hybrid(Scope *s);        /* cgroupfs on a hybrid host: ours after all */
int scope_devices_attach_fd(Scope *s, int cgroup_fd);
/* ... onto the cgroup2 directory of a process in the container's cgroup (its /proc/PID/cgroup). */
int scope_devices_attach_member(Scope *s, const CgroupMembership *m, size_t n);
void scope_devices_free(Scope *s);

/* The cgroupfs manager's message for mkdir of the cgroup path failing with r. */
int scope_cgroupfs_mkdir_error(Scope *s, int r, const char *path);
/* cgroup2's no-internal-process rule (cgroup-leaf.c): cell, alone in its own
 * cgroup own, moves itself into a leaf below it (-EBUSY and a text naming the
 * other processes when it is not alone); on exit back, and the leaf removed. */
/* TasksMax= unset: whether the cgroupfs manager gives the container systemd's
 * default (plan.h) on cgroup2: where own has the pids controller, and cell
 * need not leave own for it alone (leaf_anyway: other limits move it) while
 * other processes share own; a limit that is set is refused there, saying
 * why, the default is only skipped, as before there was one. */
bool scope_leaf_tasks_default(const char *own, int own_fd, bool leaf_anyway);
int scope_leaf_enter(Scope *s, const char *own, int own_fd, char **ret_leaf);
void scope_leaf_leave(const char *own, const char *leaf);

/* OOM kills in a cgroup systemd owns (scope-oom.c): the cgroup named
 * cgroup_name on PID's path, opened and read now, then watched from the
 * event loop. -errno (and no watch) when PID has no memory cgroup there. */
int scope_oom_watch_new(Event *event, pid_t pid, const char *cgroup_name, ScopeOom **ret);
bool scope_oom_watch_killed(ScopeOom *o);      /* reads once more if the cgroup is still there */
const OomCounter *scope_oom_watch_counter(const ScopeOom *o);
ScopeOom *scope_oom_watch_free(ScopeOom *o);
