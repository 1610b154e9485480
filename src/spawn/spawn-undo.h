/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A failed start leaves the image and the host as they were, also when it
 * fails after the tree is built: the supervisor keeps the record of what
 * the build made (mount-undo.h) and an fd of the mount namespace it was
 * made in, and takes it back from there when the start fails -- the scope
 * refused, spawn_release() failing, the payload's exec failing, machined
 * refusing Register=yes, or a step of the child's after its pivot_root (a
 * missing Exec= or User=). When the start succeeds, the record and the
 * namespace are let go (spawn_started()).
 *
 *   without PrivateUsers=: the child builds in its own mount namespace,
 *     which the supervisor holds from the clone on; the child hands its
 *     record over (SPAWN_MSG_MADE, a memfd) right after its pivot_root and
 *     drops its own: after that only the supervisor takes back (before
 *     it, only the child does). Not later: the host's old root, detached
 *     at the pivot_root, no longer shows the host's other mounts, where
 *     an Overlay= upper may have been made.
 *   with PrivateUsers=: the builder builds in the supervisor's private
 *     namespace S (spawn-tree.c), which the supervisor holds past the
 *     builder's end; the builder writes its record to a memfd of the
 *     supervisor's before it says TREE_READY. The child's own copy of S is
 *     locked: no mount can be taken off there, in S every one can.
 *
 * The supervisor decides alone, after the child is dead: nothing has to
 * reach the child (whose privileges may be gone after GO), and a child
 * killed by anyone still has its tree taken back. Nothing of this is in
 * the container: the supervisor's fds are out of its reach. */

#include <stdbool.h>

#include "mount-undo.h"

typedef struct SpawnUndo {
        MountUndo record;       /* the list and ReadOnly='s seal; its fds are not used */
        int mntns_fd;           /* the mount namespace it was made in, held; -EBADF: none */
        bool in_tree;           /* PrivateUsers=: that is S, where the root sits at Directory= */
        int record_fd;          /* PrivateUsers=: the memfd the builder writes the record to */
} SpawnUndo;

#define SPAWN_UNDO_NULL ((SpawnUndo) { .record = MOUNT_UNDO_NULL, .mntns_fd = -EBADF, .record_fd = -EBADF })

struct Spawn;

/* Holds the mount namespace at ns_path ("/proc/PID/ns/mnt", or
 * "/proc/self/ns/mnt" in S). */
int spawn_undo_hold(SpawnUndo *u, const char *ns_path, bool in_tree);
/* The record the child sent (SPAWN_MSG_MADE's memfd). */
int spawn_undo_receive(SpawnUndo *u, int fd);

/* PrivateUsers=: the builder's end, waited for (a builder killed halfway
 * would leave what it made so far), a bounded time; then its record. */
void spawn_undo_builder_done(struct Spawn *s);
/* The start failed: the builder's end and, when the child may still build,
 * its PREPARED (or ERROR), waited for a bounded time; then the child may
 * be killed. */
void spawn_undo_collect(struct Spawn *s);
/* After the child is dead: what the record holds is taken back, by a
 * helper in the namespace held; then spawn_undo_done(). */
void spawn_undo_run(SpawnUndo *u, const char *root_directory);
/* Nothing was made (or it stays): the namespace and the record go. */
void spawn_undo_done(SpawnUndo *u);
