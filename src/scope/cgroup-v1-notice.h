/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a unit's [Limits] come to on a host whose controllers are cgroup v1
 * ones (the hybrid and legacy layouts): the keys "cell run" refuses there and
 * those it runs without applying, for "cell verify" and "cell plan" to warn of
 * on the host they run on, and for the start to name what its manager
 * leaves unapplied without a word. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cgroup-util.h"
#include "plan.h"
#include "scope.h"

/* The host, as the notices are decided from it. */
typedef struct CgroupV1Host {
        const CgroupMount *mounts;      /* this mount namespace's cgroup mounts */
        size_t n_mounts;
        CgroupManager manager;          /* what "cell run" would use: systemd or cgroupfs */
        int blkio_weights;              /* > 0: the blkio hierarchy weighs IO; 0: it does not; < 0: unknown */
} CgroupV1Host;

typedef enum CgroupV1NoticeSet {
        CG_V1_NOTICE_ALL,               /* every key refused or not applied */
        CG_V1_NOTICE_IO_WEIGHTS,        /* the IO weights alone (the start says the rest itself) */
        CG_V1_NOTICE_CPU_IDLE,          /* CPUWeight=idle (with a systemd scope StartupCPUWeight=idle too) */
} CgroupV1NoticeSet;

/* The notices for l on host h, each "KEY=[VALUE]: what happens" (an IO
 * device key's naming its entry's path, so that plan_message_origin() finds
 * its line), in the order of the [Limits] section; *ret NULL for none (a host
 * without v1 controllers, the none manager). Pure: tested without root. */
int cg_v1_notices(const PlanLimits *l, const CgroupV1Host *h, CgroupV1NoticeSet set, char ***ret);

/* Whether the v1 blkio hierarchy mounted at where weighs IO: CFQ's
 * blkio.weight (also in its root) or BFQ's blkio.bfq.weight (never in the
 * root) in a cgroup of it; where it has no cgroup below its root, whether a
 * disk under sys_block ("/sys/block") may be given to BFQ. 1 or 0. */
int cg_blkio_weights(const char *where, const char *sys_block);

/* cg_v1_notices() for this host (its cgroup mounts read once per process;
 * manager CGROUP_MANAGER_AUTO: what "cell run" would pick, asked once too),
 * each with the origin of its key in front ("FILE:LINE: ", or the unit file's
 * "FILE: ") and kind after it ("warning: ", or ""). */
int cg_v1_host_notices(const Plan *p, CgroupManager manager, CgroupV1NoticeSet set, const char *kind, char ***ret);
/* cg_v1_notices() for host h, each with its origin in front and kind after
 * it, as cg_v1_host_notices() words them. Pure. */
int cg_v1_plan_notices(const Plan *p, const CgroupV1Host *h, CgroupV1NoticeSet set, const char *kind, char ***ret);
/* For a start: the notices of set (not CG_V1_NOTICE_ALL) for p with manager
 * (systemd or cgroupfs) on the host whose cgroup mounts are mounts (NULL:
 * this process's, read and forgotten again; given, a blkio hierarchy there
 * counts as weighing IO), each logged once as a warning
 * ("FILE:LINE: CPUWeight=idle: not applied as idle on this host: ...");
 * nothing on a host without v1 controllers. */
void cg_v1_start_warn(const Plan *p, CgroupManager manager, const CgroupMount *mounts, size_t n_mounts,
                      CgroupV1NoticeSet set);
/* Those of CG_V1_NOTICE_ALL, for the host "cell run" would pick here, as
 * warnings to f ("FILE:LINE: warning: MemoryMin=: refused on this host: ...");
 * nothing on a host without v1 controllers. 0, or -ENOMEM. */
int cg_v1_host_notices_print(const Plan *p, FILE *f);
/* Frees what cg_v1_host_notices() read of the host; the next call reads it again. */
void cg_v1_host_forget(void);
