/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* PrivateUsers=: the container's tree built with the host's privileges in
 * a private mount namespace of the supervisor, so that the child's copy of
 * it (made from inside the user namespace) has every mount locked. See
 * spawn-tree.c for the sequence. */

#include <stdbool.h>
#include <stdint.h>

#include "mount-setup.h"
#include "plan.h"
#include "spawn-error.h"
#include "spawn-undo.h"

/* The supervisor into a new mount namespace S (a slave of the host's);
 * *ret_host_mntns, *ret_host_cwd: fds of the one it left and of its working
 * directory there (-EBADF if it cannot be opened), for
 * spawn_tree_leave_private(); undo holds S (spawn_undo_hold()). */
int spawn_tree_enter_private(int *ret_host_mntns, int *ret_host_cwd, SpawnUndo *undo, SpawnError *err);
/* Back into the host's mount namespace and working directory; closes the
 * fds. No-op for host_mntns -EBADF. */
void spawn_tree_leave_private(int *host_mntns, int *host_cwd);

/* Keeps an idmapped tree (spawn_users_make_trees()'s callback): index is
 * SPAWN_TREE_ROOT or below n_mounts. Takes fd, also on failure. */
int spawn_tree_keep(MountIdmapTrees *t, size_t n_mounts, uint32_t index, int fd);
/* Closes and frees what spawn_tree_keep() kept. */
void spawn_tree_trees_done(MountIdmapTrees *t);

/* Forks the builder: it joins the child's pid, net and ipc namespaces and
 * builds the plan's tree in the supervisor's mount namespace, writing what
 * it makes to record_fd as it goes (mount-record.h), then sends TREE_READY with an
 * O_PATH fd of the root (or ERROR) to the child over sync_fd, the
 * supervisor's end of the sync socket. */
int spawn_tree_build(const Plan *p, const MountIdmapTrees *trees, int child_pidfd, int sync_fd, int record_fd,
                     int *ret_builder_pidfd, SpawnError *err);
/* Reaps the builder (SIGKILL first if kill). No-op for -EBADF. */
void spawn_tree_reap(int *builder_pidfd, bool kill);
/* The builder has ended (its pidfd turned readable before the child said
 * PREPARED): reaps it. 0 when it exited -- after its TREE_READY, or its
 * ERROR, which the child passes on -- and -EIO (err set) when it died of
 * a signal: then it told the child nothing, which would wait for its tree
 * for ever, and the start fails. */
int spawn_tree_ended(int *builder_pidfd, SpawnError *err);
