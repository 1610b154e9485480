/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "cell run"'s start steps around run_container() (run-start.c): the scope
 * and the child, each reporting its own failure, and reading what ended a
 * start that did not get to the payload. */

#include <stdbool.h>
#include "event-loop.h"

#include "plan.h"
#include "root-image.h"
#include "run-stdio.h"
#include "scope.h"
#include "seccomp-filter.h"
#include "spawn.h"

/* scope_new(), its failure reported; withholds CAP_MKNOD where no device
 * policy holds (refusing a unit that requires it). */
int run_new_scope(Plan *p, CgroupManager manager, bool user_bus, Event *event, Scope **ret);
/* Clones the container's init into scope's cgroup (scope_clone_into_fd(); scope
 * may be NULL), failure reported; what it makes on the host noted in the
 * name's lock (scope_name_note());
 * CONSOLE: with a pty of the container's own (cell run --console=);
 * output_fds: the relay's write ends as its fd 1 and 2, or NULL (ours);
 * stdio: what else stands in for ours (run-stdio.h).
 * root_fd: Directory= as run_open_root() opened it, or -EBADF. locks: for
 * an init cloned again, the first one's (spawn_kill_keep_locks()), taken
 * over; NULL: taken anew. */
int run_start_child(const Plan *p, char **env_before, char **env_after, const Scope *scope,
                    const SeccompProgram *seccomp, bool console, const int *output_fds, const RunStdio *stdio,
                    const RootImage *image, int root_fd, SpawnLocks *locks, Spawn *spawn);

/* What cell sets in the payload's environment, before and after the
 * plan's (PassEnvironment=, EnvironmentFile=, NOTIFY_SOCKET, ...), checked
 * against the kernel's limit; failure reported. */
int run_build_environment(const Plan *p, char ***before, char ***after);

/* Image=: a new mount of the image, for a child cloned again; the first
 * attached the mount it had (a kernel attaches a detached mount once), and
 * it went with that child's namespace. Failure reported. */
int run_image_mount_again(const Plan *p, RootImage *image);

/* Once the scope is made: what a systemd scope leaves unapplied on this host
 * (IO weights on a v1 blkio without weight files), then with --verbose the
 * plan's root, manager, scope, mounts and Exec=. */
void run_log_plan(const Plan *p, CgroupManager m);

/* The child's or the scope's failure, once; -EINTR is left to the caller. */
int run_report_spawn_error(const Plan *p, const SpawnError *err, int r);
int run_report_scope_error(const Plan *p, const char *text, int r);

/* After the scope's start failed: the child's own failure, if it reported
 * one before dying (r < 0, err filled), for the caller to report instead;
 * 0 when the child has said nothing (it runs, or died silently). */
int run_child_failed_first(Spawn *spawn, int interrupt_fd, SpawnError *err);

/* Whether the start ended because a stop was asked for (exit status 0). */
bool run_stopped_while_starting(int r);
/* After systemd ended the scope's start for the service's queued stop:
 * kills the child and waits for the stop's signal. 0: a stop; -ESRCH: the
 * service is not being stopped. */
int run_await_service_stop(Scope *scope, int r, int interrupt_fd, Spawn *spawn);
