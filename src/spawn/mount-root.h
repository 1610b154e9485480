/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The mount that becomes the container's "/": Directory= bound onto itself,
 * or the Volatile= variants. Used by mount-setup.c (and mount-one.c, which
 * checks a target against its identity), and for Image= with PrivateUsers=
 * by spawn-users.c (mount_root_image_attach()). */

#include <stdbool.h>
#include <sys/stat.h>

#include "mount-created.h"
#include "plan.h"
#include "shared-lock.h"
#include "spawn-error.h"

/* Attaches the future root (over Directory= itself, in our private mount
 * namespace) and returns an O_PATH fd of its top. *ret_read_only says
 * whether the caller must make the whole tree read-only (recursively) once
 * every mount point on the root file system exists and before the other
 * mounts go on top. What it makes in the image (Volatile=state's /var) is
 * recorded in *created (NULL: nothing), for a start that fails. */
int mount_root_prepare(const Plan *p, MountCreated *created, int *ret_root_fd, bool *ret_read_only,
                       SpawnError *err);
/* The same, with image_fd the supervisor's mount of Image= (the plan has
 * one): detached, attached here at ROOT_IMAGE_MOUNT_DIR (the mount itself,
 * which the supervisor then finds in our namespace); with PrivateUsers=
 * attached there in S by the supervisor already. Then as Directory=. And
 * idmapped_fd (>= 0) a detached idmapped clone of the root (of its /usr
 * with Volatile=yes, already read-only) made by the supervisor: it is
 * attached instead of a plain clone. Neither fd is closed.
 * owner ((uid_t) -1: none): the host uid of the container's root, made the
 * owner of Volatile='s tmpfs. places: the start's (shared-lock.h), which
 * Directory= must still be (shared_locks_check()); NULL: not asked. */
int mount_root_prepare_idmapped(const Plan *p, int image_fd, int idmapped_fd, uid_t owner, const SharedLocks *places,
                                MountCreated *created, int *ret_root_fd, bool *ret_read_only, SpawnError *err);

/* Attaches image_fd, the supervisor's detached mount of Image=, at
 * ROOT_IMAGE_MOUNT_DIR of the caller's mount namespace, which must be
 * private (or a slave): the kernel attaches a detached mount once, so this
 * is done once per mount of the image. image_fd then refers to its root
 * there, and clones of it (open_tree) are what every kernel makes. */
int mount_root_image_attach(const Plan *p, int image_fd, SpawnError *err);

/* What goes on top after the read-only step: Volatile=state's tmpfs /var. */
int mount_root_finish(const Plan *p, int root_fd, uid_t owner, SpawnError *err);

/* Refuses with -ELOOP when fd is the root itself (a target that resolves to
 * "/" would stack a mount over the root and hide it from pivot_root). */
int mount_root_check_not_root(int root_fd, int fd);
/* The same against the root's identity taken once (mount_root_identity()),
 * for a caller that checks many targets. */
int mount_root_identity(int root_fd, struct statx *ret);
int mount_root_check_not(const struct statx *root, int fd);
