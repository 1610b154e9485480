/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A cgroup and everything below it. A container whose root owns its cgroup
 * (PrivateUsers= with a cgroup manager: its init manages the subtree)
 * leaves child cgroups, and processes in them, that the plain directory
 * calls do not see: cgroup.procs lists only a cgroup's own members, and
 * rmdir() refuses a cgroup with children. */

#include <sys/types.h>

/* How deep cell follows a subtree the container made. */
#define CG_TREE_DEPTH_MAX 256U

/* The first PID found at or below dirfd, 0 if none, -errno on failure. */
pid_t cg_tree_first_pid(int dirfd);

/* sig (through a pidfd) to every process at or below dirfd but except (0:
 * none); returns how many were listed, except among them. */
int cg_tree_signal(int dirfd, int sig, pid_t except);

/* Removes the cgroups below dirfd, deepest first. Returns 0, or -errno of
 * the first that could not be removed. path itself stays (the caller
 * removes it, and retries while the last exit is accounted). */
int cg_tree_trim(int dirfd);
