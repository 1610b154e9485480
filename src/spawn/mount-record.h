/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The record of what a start made (mount-undo.h), as it grows: a memfd the
 * supervisor makes before the child (or the PrivateUsers= tree builder)
 * exists, written by that process entry by entry while it builds, read by
 * the supervisor after it is gone -- also when it was killed halfway, so
 * that nothing it made is left in the image or on the host (spawn-undo.h).
 *
 * Each entry is written before its object is made ("pending": the path,
 * the type, the file system and mount of its parent, the time), and
 * completed once it is (its inode, size and modification time, then the
 * state "made", one aligned word written last), or dropped (it was there
 * already, or the making failed). A process killed in the middle of
 * writing leaves a short last entry: it is ignored, its object was not
 * made yet. Both ends are cell, the same binary: host byte order. */

#include <stdint.h>
#include <sys/types.h>

#include "mount-created.h"
#include "mount-undo.h"

/* fd, a new memfd: an empty record (its header). */
int mount_record_init(int fd);

/* Before the object at path (below parent_fd, as walked; host: on the
 * host) is made: a pending entry. size: at most the size it gets (a
 * file's bytes, a link's target; 0 for a directory). *ret_slot: where it
 * is, for mount_record_made() or mount_record_drop(). */
int mount_record_announce(int fd, int parent_fd, const char *path, bool host, mode_t type, uint64_t size,
                          int64_t *ret_slot);
/* The object of slot is made, e its identity: the entry is completed. */
int mount_record_made(int fd, int64_t slot, const MountCreatedEntry *e);
/* The object of slot was not made: the entry says so. */
int mount_record_drop(int fd, int64_t slot);
/* ReadOnly= is about to make the root read-only: what is taken back from
 * it is unsealed first. */
int mount_record_seal(int fd);
/* The root (root_fd, the top of the container's tree) is attached, before
 * anything is made in it: the supervisor finds it by its mount, at
 * Directory= or, after the child's pivot_root, at "/". */
int mount_record_root(int fd, int root_fd);
/* What the record holds was taken back by the process that made it:
 * nothing is left to take back. */
int mount_record_clear(int fd);

/* The record in fd into *ret (its list replaced, its seal and root set; its fds
 * untouched): each entry made, and each pending one (MountCreatedEntry's
 * pending, removed only while it looks made by this start: see
 * mount_created_undo()); a short last entry is left out. An empty or
 * cleared file: nothing. -EBADMSG for anything else, *ret untouched. */
int mount_record_load(int fd, MountUndo *ret);
