/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which cgroup controllers a plan's [Limits] need, and whether a cgroup has
 * them. Both managers refuse a unit whose limits would not be enforced: the
 * cgroupfs manager when it enables the controllers, the systemd manager
 * after the scope's job (systemd sets what it has and drops the rest
 * without a word). Pure: tested without root. */

#include <stdbool.h>
#include <stddef.h>

#include "cgroup-util.h"
#include "plan.h"

typedef struct CgroupNeed {
        const char *controller;         /* cgroup2's name: "memory", "io" */
        const char *v1;                 /* the v1 hierarchy's: "memory", "blkio" */
        const char *key;                /* the first key that asks for it: "MemoryMax" */
        bool optional_v1;               /* where v1 holds it, a missing one is skipped */
        bool v2_only;                   /* only cgroup2's controller enforces it */
} CgroupNeed;

#define CG_NEEDS_MAX 5

/* The controllers l needs, in the order cpuset, cpu, io, memory, pids (the
 * order their cgroup2 files are written in); returns how many. */
size_t cg_limits_needs(const PlanLimits *l, CgroupNeed ret[static CG_NEEDS_MAX]);
/* The first key of l that needs the v1 hierarchy controller ("pids": "TasksMax"),
 * or fallback: never NULL, so that a hierarchy a limit needs is always required. */
const char *cg_limits_v1_key(const PlanLimits *l, const char *controller, const char *fallback);

/* The first key that no cgroup1 hierarchy can hold, whichever manager: the
 * memory protections MemoryMin= and MemoryLow= (cgroup2's memory.min and
 * memory.low have no v1 twin; systemd drops them there without a word).
 * NULL if l has none that protects anything: 0 (0%) is the kernel's default,
 * which v1 has too, so it needs no cgroup2 (systemd on v1 ignores it as any
 * other). The cgroupfs manager refuses them on v1. */
const char *cg_limits_v2_only(const PlanLimits *l);

/* Whether a MemoryMin=/MemoryLow= value protects any memory: set, and
 * neither 0 nor 0% (the kernel's default, nothing protected). */
bool cg_limit_protects(const CellLimit *l);
/* Whether an IO device entry asks for something the kernel does not do by
 * default: all but a latency target of infinity (io.latency's default: no
 * target, what cgroup v1 has too). */
bool cg_io_device_sets(const CellIODevice *d);

/* Whether l's IO limits need a controller to hold them: throttles or a
 * latency target (weights alone are skipped where v1 has no CFQ or BFQ). */
bool cg_limits_io_required(const PlanLimits *l);

/* systemd enforces MemoryHigh=, MemorySwapMax=, MemoryMin= and MemoryLow= on
 * cgroup2 alone (on v1 it has only MemoryMax=, as memory.limit_in_bytes), so
 * with its scope the memory need of such a unit is met by cgroup2's
 * controller only (v2_only). The cgroupfs manager writes v1 twins of the
 * first two itself, and refuses the others (cg_limits_v2_only()). The same
 * for IOReadIOPSMax= and IOWriteIOPSMax=: systemd has them on cgroup2 only
 * (blkio has them too, and the cgroupfs manager writes them there).
 * The Startup*= keys, which systemd applies and the cgroupfs manager does not
 * (it has no start-up phase), add their controllers where the others did
 * not ask for them, in order. Returns the new number of needs. */
size_t cg_limits_needs_systemd(const PlanLimits *l, CgroupNeed needs[static CG_NEEDS_MAX], size_t n_needs);

/* The first need that the cgroup named leaf ("cell-web.scope") does not meet,
 * or NULL. A process in it is described by its /proc/PID/cgroup (m) and the
 * text of cgroup.controllers of its cgroup2 directory (v2_controllers; NULL
 * if it has none). A need is met by a v1 hierarchy carrying the controller in
 * which the process is in leaf, or else by cgroup2 listing the controller
 * while the process is in leaf there.
 * v2_only needs are met by cgroup2 alone.
 * optional_v1 needs count as met where v1 holds the process's limits (some v1
 * hierarchy has it in leaf): blkio weights exist only with CFQ/BFQ, and
 * systemd and the cgroupfs manager skip them there. */
const CgroupNeed *cg_limits_unmet(const CgroupNeed *needs, size_t n_needs,
                                  const CgroupMembership *m, size_t n_m,
                                  const char *leaf, const char *v2_controllers);

/* Whether text, read from a scope's cpuset.cpus (cpuset.mems), is the list
 * want (cg_format_cpuset(), the kernel's own format): systemd drops
 * AllowedCPUs= (AllowedMemoryNodes=) where the kernel refuses it, leaving the
 * file empty. */
bool cg_limits_cpuset_is(const char *text, const char *want);
/* Whether text, read from a systemd scope's cpuset.cpus (cpuset.mems), holds
 * what the unit asked for: its AllowedCPUs= list want, or the Startup*= list
 * want_startup, which systemd applies while the system starts up or shuts
 * down; with only the latter asked for (want NULL), an empty file too (after
 * start-up). True when neither is asked for. */
bool cg_limits_cpuset_holds(const char *text, const char *want, const char *want_startup);
/* The CPUs (nodes) of the list want that the list have lacks, as a list
 * ("7,9"): what of a cpuset the kernel refused, have being what it allows
 * there (a v1 parent's cpuset.cpus, cgroup2's possible CPUs). have NULL or
 * empty: none. -ENOENT: have holds them all, the refusal is about something
 * else; -EINVAL: a list that does not parse. */
int cg_limits_cpuset_outside(const char *want, const char *have, char **ret);

/* Whether the lists want and have, both as the kernel writes them, share no
 * CPU (node): cgroup2 takes a cpuset.cpus with none of its parent's effective
 * CPUs and runs the cgroup on the parent's instead (cpuset.cpus.effective).
 * False where either does not parse or have is empty (nothing to tell). */
bool cg_limits_cpuset_disjoint(const char *want, const char *have);

/* The period CPUQuota= is measured over where systemd (and the cgroupfs
 * manager) takes another than the unit asks for (CPUQuotaPeriodSec=, else
 * 100ms): clamped to the kernel's 1ms..1s, and long enough that each holds
 * 1ms of CPU time (CPUQuota=0.5%: 200ms). systemd applies it with a warning
 * ("Clamping CPU interval"); 0 where the unit gets what it asks for or has
 * no quota. */
uint64_t cg_limits_cpu_period_adjusted(const PlanLimits *l);

/* What a percentage of the memory limits (UINT64_MAX where none is one) and
 * of TasksMax= (0 where it is none) is of, as cgroup-system.c finds it: read
 * only where a limit is a percentage, so that a start reads no more than it
 * uses. */
uint64_t cg_limits_memory_base(const PlanLimits *l);
uint64_t cg_limits_tasks_base(const PlanLimits *l);
/* TasksMax= as the cgroupfs manager applies it: the unit's, else the default
 * (PLAN_DEFAULT_TASKS_MAX_PERMYRIAD) as a count, as systemd resolves its
 * DefaultTasksMax=; CELL_LIMIT_UNSET in neither. */
CellLimit cg_limits_tasks(const PlanLimits *l);

/* Whether text, read from /proc/swaps, lists a swap area in use (a line below
 * its header): where the kernel accounts no swap to cgroups, a MemorySwapMax=
 * would then not hold. NULL: none. */
bool cg_limits_swap_on(const char *text);
