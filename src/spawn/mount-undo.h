/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a start made for the container's file system -- mount points,
 * Volatile=state's /var, Overlay= upper and work directories, new /etc
 * files -- taken back when the start fails: by the supervisor, from the
 * record written as it was made (mount-record.h, spawn-undo.h); without a
 * record (a test's build) by the process that built, while the tree is
 * built (mount-setup.c) or, kept past pivot_root, when the pivot_root
 * itself fails. */

#include <stdbool.h>

#include "mount-created.h"

typedef struct MountUndo {
        MountCreated created;   /* in the order made, in the root and on the host */
        bool sealed;            /* ReadOnly= made the root read-only */
        uint64_t root_mnt_id;   /* read from a record: the root's mount (mount_record_root()),
                                 * 0: none */
        int root_fd;            /* kept (mount_undo_keep()): the root's top */
        int host_fd;            /* kept: the host's "/", when something was made there */
} MountUndo;

#define MOUNT_UNDO_NULL ((MountUndo) { .created = MOUNT_CREATED_NULL, .root_fd = -EBADF, .host_fd = -EBADF })

/* With a record (u->created.record_fd), nothing but freeing the list: the
 * supervisor takes back from the record (spawn-undo.h). Else removes what
 * u holds (mount_created_undo()): root_fd is the root's top (-EBADF: what
 * was made in the root stays),
 * host_fd the host's "/" (-EBADF: this mount namespace's "/", which is the
 * host's until pivot_root). ReadOnly='s seal is lifted first from each
 * mount something was made on. Frees the list, and clears its record
 * (mount_created_undo()). */
void mount_undo_take_back(MountUndo *u, int root_fd, int host_fd);

/* For after pivot_root: u keeps its own fds of the root's top and (only
 * when something was made there) of the host's "/", opened now. The host's
 * "/" then stays reachable through that fd alone, in cell's own process,
 * until mount_undo_run() or mount_undo_done(), which the caller must call
 * before anything of the container runs. Once the old root is detached,
 * that "/" shows none of the host's other mounts: what was made on one is
 * not found from it (best effort only; the supervisor takes back from the
 * host as it is). Returns -errno, u untouched, when it cannot. */
int mount_undo_keep(MountUndo *u, int root_fd);

/* mount_undo_take_back() with the kept fds, then mount_undo_done(). */
void mount_undo_run(MountUndo *u);

/* Keeps what was made: frees the list, closes the fds (not the record's,
 * which is not u's). */
void mount_undo_done(MountUndo *u);
