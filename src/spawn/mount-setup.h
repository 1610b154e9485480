/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's file system, built by the child in its own mount
 * namespace from plan->root_* and plan->mounts. */

#include "mount-undo.h"
#include "plan.h"
#include "shared-lock.h"
#include "spawn-error.h"

/* In the child, after clone into a new mount namespace, as (namespace) root:
 * makes / MS_REC|MS_PRIVATE, binds Directory= onto itself, applies
 * ReadOnly=/Volatile=, makes every mount of plan->mounts except
 * PLAN_MOUNT_CGROUP (targets resolved inside the root with openat2
 * RESOLVE_IN_ROOT, attached with open_tree/move_mount/mount_setattr), then
 * pivot_root(".", ".") and detaches the old root. On return the cwd and
 * root are the container's "/". The mounts' sources are checked before the
 * first mount point is made (mount-source.h); a failure after that removes
 * what it made again (mount-undo.h), unless a record takes it to the
 * supervisor, which takes back. ret_undo (NULL: none) gets what was
 * made, for a later step that fails: mount_undo_run(), or mount_undo_done()
 * to keep it; it must be one or the other before the payload runs. Its
 * record fd (ret_undo->created.record_fd, -EBADF: none) gets each entry
 * as it is made (mount-record.h); then nothing is taken back here.
 * image_fd: Image='s detached mount (root-image.h), attached here at
 * ROOT_IMAGE_MOUNT_DIR (mount_root_image_attach()), or -EBADF. places: the
 * start's locks (shared-lock.h), which Directory= and the Bind= source
 * directories must still be when they are opened (NULL: not asked). */
int mount_setup_root(const Plan *p, int image_fd, const SharedLocks *places, MountUndo *ret_undo, SpawnError *err);

/* In the child, after it unshared its cgroup namespace inside its final
 * cgroup: the PLAN_MOUNT_CGROUP entries (cgroup2, or on a hybrid host the
 * host's layout of hierarchies), read-only -- writable only when the
 * supervisor delegated the cgroup to the container's (user namespace's)
 * root, whose init then manages its subtree. */
/* memberships: NULL where cgroup_host_unified() (mount-util.h, read before
 * pivot_root); else our /proc/self/cgroup, read before the cgroup namespace
 * was made: each v1 hierarchy and the unified tree are shown only where we
 * are in the container's own cgroup (cgroup_path_is_container()). */
int mount_setup_cgroup(const Plan *p, bool delegated, const char *memberships, SpawnError *err);

/* The two halves of mount_setup_root(), for callers (and tests) that look at
 * the tree before pivoting: mount_setup_build() does everything up to
 * pivot_root and returns an O_PATH fd of the future root (the caller closes
 * it); mount_setup_pivot() makes that fd "/", detaches the old root and
 * changes to "/". mount_setup_root() is exactly these two in a row. */
int mount_setup_build(const Plan *p, int *ret_root_fd, MountUndo *ret_undo, SpawnError *err);
int mount_setup_pivot(int root_fd, SpawnError *err);

/* PrivateUsers=: the detached idmapped trees the supervisor made (it alone
 * may idmap the host's file systems), for the tree builder (spawn-tree.c);
 * and Image='s mount, with or without PrivateUsers=. */
typedef struct MountIdmapTrees {
        int image_fd;           /* Image=: the supervisor's mount of it (not idmapped; with PrivateUsers=
                                 * attached in S already), or -EBADF */
        int root_fd;            /* the root (Volatile=yes: its /usr), idmapped, or -EBADF */
        int *mount_fds;         /* per index of plan->mounts: an idmap Bind='s tree, or -EBADF */
        size_t n_mount_fds;
        /* The host uid (= gid) of the container's root: the tree is built
         * with the host's privileges (spawn-tree.c), so every tmpfs gets it
         * as its owner -- else "/run" and "/tmp" would be nobody's inside. */
        uid_t owner;
        /* The supervisor's locks of Directory= and the Bind= source
         * directories (shared-lock.h), which the build's own opens of
         * their paths must find (shared_locks_check()); NULL: not asked. */
        const SharedLocks *places;
} MountIdmapTrees;

#define MOUNT_IDMAP_TREES_NULL ((MountIdmapTrees) { .image_fd = -EBADF, .root_fd = -EBADF, .owner = (uid_t) -1 })

/* mount_setup_build() attaching those trees instead of plain clones (trees
 * NULL: exactly mount_setup_build()). The fds are not consumed. An idmap
 * Bind= without a tree is skipped if optional and missing, else an error. */
int mount_setup_build_idmapped(const Plan *p, const MountIdmapTrees *trees, int *ret_root_fd, MountUndo *ret_undo,
                               SpawnError *err);
