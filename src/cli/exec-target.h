/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell exec's target: the running cell's PID 1 pinned by a pidfd, the
 * namespaces it has that we do not, its root, and the cgroup.procs files
 * of its cgroups, all opened while cell exec is still on the host, as the
 * host's root. Its functions log their failures. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "instance.h"
#include "plan.h"

#define EXEC_CGROUPS_MAX 16

typedef struct ExecTarget {
        pid_t leader;
        int pidfd;
        int root_fd;                    /* /proc/LEADER/root, O_PATH */
        int procs_fds[EXEC_CGROUPS_MAX]; /* cgroup.procs of each hierarchy it is in */
        size_t n_procs_fds;
        int namespaces;                 /* CLONE_NEW* that differ from ours */
        int device_programs;            /* BPF device filters on its cgroup2 cgroup, or -errno */
} ExecTarget;

void exec_target_done(ExecTarget *t);

/* inst's PID 1 pinned and checked, its namespaces, root and cgroups opened.
 * -EBUSY when the cell is still starting (its root is still the host's),
 * -ESRCH when its PID 1 has exited since it was looked up (not running), or
 * -errno (said). */
int exec_find_target(const CellInstance *inst, ExecTarget *t);
/* Whether t's PID 1, pinned, has exited since (a failure to read what
 * /proc said of it then says nothing else). */
bool exec_target_exited(const ExecTarget *t);
/* Says that inst's PID 1 exited since it was looked up, naming the step
 * that found it out and its error (step NULL or error 0: none); -ESRCH. */
int exec_target_gone(const CellInstance *inst, const char *step, int error);

/* CAP_MKNOD withheld from the plan where the target's cgroup has no device
 * policy (as cell run decided at the start); -EPERM (said) where the unit
 * requires it. */
int exec_withhold_mknod(Plan *p, const CellInstance *inst, const ExecTarget *t);
