/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The supervisor's half of PrivateUsers=, done between clone and the
 * child's first step (the child waits for IDMAP_DONE):
 *
 *  - the uid/gid maps of the child's user namespace;
 *  - the idmapped trees: Directory= (PrivateUsers=pick or UID) and every
 *    Bind= with "idmap", cloned with open_tree and given the child's user
 *    namespace with mount_setattr(MOUNT_ATTR_IDMAP). Only the supervisor can
 *    do that: idmapping a mount needs CAP_SYS_ADMIN in the user namespace
 *    the file system was mounted in -- the host's. The tree builder
 *    attaches them (spawn-tree.c);
 *  - once the child sits in its cgroup, the delegation of that cgroup to the
 *    container's root (chown), so that an init system inside can manage its
 *    own subtree. */

#include <sys/types.h>

#include "plan.h"
#include "shared-lock.h"
#include "spawn-error.h"
#include "uid-range.h"

/* Writes /proc/PID/uid_map and gid_map (setgroups stays "allow": the
 * supervisor writing the maps holds CAP_SETGID over the parent namespace,
 * so the kernel does not require "deny", and the container's root may then
 * call setgroups() for its own users). */
int spawn_users_write_maps(pid_t pid, const Plan *p, const UidRange *range, SpawnError *err);

/* The index of the root tree in spawn_users_make_trees()'s callback. */
#define SPAWN_TREE_ROOT UINT32_MAX

/* Makes each idmapped tree and hands it to send(index, fd, userdata), index
 * being SPAWN_TREE_ROOT or the index in p->mounts; send does not take the
 * fd. A file system that cannot be idmapped is an error naming the path.
 * image_fd: Image='s detached mount, or -EBADF: first attached at
 * ROOT_IMAGE_MOUNT_DIR in S (the caller's namespace), where the builder
 * builds on it; the root is cloned from there.
 * Directory= and each Bind= source are opened by their paths in the
 * supervisor's S (spawn-tree.c), where they are cloned: each must be the
 * place the start locked (places, shared_locks_check()). */
int spawn_users_make_trees(pid_t pid, const Plan *p, int image_fd, const SharedLocks *places,
                           int (*send)(uint32_t index, int fd, void *userdata), void *userdata,
                           SpawnError *err);

/* chown of the child's own cgroup directories (those named p->scope_unit,
 * or that without ".scope" as the cgroupfs manager does, in every hierarchy /proc/PID/cgroup lists) and of their
 * delegation files to the range's root. A cgroup of another name (no
 * scope: --cgroup-manager=none) is never touched. Returns > 0 if a cgroup
 * was delegated, 0 if there was none to delegate. range NULL: nothing is
 * chowned (no user namespace: root inside owns it), the cgroup is only found. */
int spawn_users_delegate_cgroup(pid_t pid, const Plan *p, const UidRange *range, SpawnError *err);
