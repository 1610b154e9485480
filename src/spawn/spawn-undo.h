/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A failed start leaves the image and the host as they were, also when it
 * fails after the tree is built, and also when the process that builds it
 * is killed halfway: the supervisor makes the record of what the build
 * makes (a memfd, mount-record.h) before that process exists, which
 * writes each entry to it as it goes, before the object is made; and the
 * supervisor holds the mount namespace it is made in before anything is
 * made there. It reads the record and takes back from there when the
 * start fails -- the child or the builder dying (killed by anyone), the
 * scope refused, spawn_release() failing, the payload's exec failing,
 * machined refusing Register=yes, or a step of the child's after its
 * pivot_root (a missing Exec= or User=). When the start succeeds, the
 * record and the namespace are let go (spawn_started()).
 *
 *   without PrivateUsers=: the child builds in its own mount namespace,
 *     which the supervisor holds from the clone on; the child makes
 *     nothing before the supervisor says it holds it (SPAWN_MSG_HELD, or
 *     IDMAP_DONE with links), and a start whose supervisor cannot hold it
 *     fails there. The child closes its record right after its pivot_root
 *     (the hand-over): nothing more is written to it after that.
 *   with PrivateUsers=: the builder builds in the supervisor's private
 *     namespace S (spawn-tree.c), held before the clone and past the
 *     builder's end. The child's own copy of S is locked: no mount can
 *     be taken off there, in S every one can.
 *
 * With a record, only the supervisor takes back, never the child or the
 * builder: it alone holds the locks of the places other containers may
 * share (shared-lock.h), and asks them first.
 *
 * The supervisor decides alone, after the child is dead: nothing has to
 * reach the child (whose privileges may be gone after GO), and a child
 * killed by anyone still has its tree taken back. Nothing of this is in
 * the container: the supervisor's fds are out of its reach, the child's
 * record fd is closed before anything of the container is read. */

#include <stdbool.h>

#include "mount-undo.h"

typedef struct SpawnUndo {
        MountUndo record;       /* the list and ReadOnly='s seal, read from record_fd; its fds
                                 * are not used */
        int mntns_fd;           /* the mount namespace it was made in, held; -EBADF: none */
        bool in_tree;           /* PrivateUsers=: that is S, where the root sits at Directory= */
        int record_fd;          /* the memfd the child or the builder writes the record to,
                                 * until it is read (spawn_undo_load()) */
} SpawnUndo;

#define SPAWN_UNDO_NULL ((SpawnUndo) { .record = MOUNT_UNDO_NULL, .mntns_fd = -EBADF, .record_fd = -EBADF })

struct Spawn;

/* Holds the mount namespace at ns_path ("/proc/PID/ns/mnt", or
 * "/proc/self/ns/mnt" in S). */
int spawn_undo_hold(SpawnUndo *u, const char *ns_path, bool in_tree);
/* The record, empty, for the process that builds (before it exists). */
int spawn_undo_record_new(SpawnUndo *u);
/* The record, read once nothing writes it any more (the child handed it
 * over or is dead, the builder is gone); then closed. */
int spawn_undo_load(SpawnUndo *u);

/* PrivateUsers=: the builder's end, waited for a bounded time (then it is
 * killed: its record says what it made so far). */
void spawn_undo_builder_done(struct Spawn *s);
/* After the child is dead: what the record holds is taken back, by a
 * helper in the namespace held; then spawn_undo_done(). keep_root: what
 * was made in the root and in its Bind= mounts stays (another container
 * uses a place it is in, shared-lock.h); what was made on the host goes. */
void spawn_undo_run(SpawnUndo *u, const char *root_directory, bool keep_root);
/* Whether the record holds anything made in the root or a Bind= mount. */
bool spawn_undo_has_root_entries(const SpawnUndo *u);
/* Nothing was made (or it stays): the namespace and the record go. */
void spawn_undo_done(SpawnUndo *u);
