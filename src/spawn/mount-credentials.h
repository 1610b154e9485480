/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's credentials at plan->credentials_directory, as
 * systemd-nspawn puts them: a ramfs (never swapped out; a tmpfs only where
 * the kernel has no ramfs, as systemd), nosuid, nodev, noexec. */

#include <sys/types.h>

#include "mount-created.h"
#include "plan.h"
#include "spawn-error.h"

/* In the tree build, before pivot_root: the mount point made (recorded in
 * created, for the failed start's take-back), the files written into the
 * detached mount (0400, the directory 0700, owned by owner: the host's uid
 * of the container's root, (uid_t) -1 for this process's), then attached.
 * This process's copy of the data is erased after. No-op without
 * credentials. */
int mount_credentials_make(const Plan *p, int root_fd, uid_t owner, MountCreated *created, SpawnError *err);

/* In the child, after pivot_root and once the payload's user is known (uid,
 * gid inside the container): the files and the directory (0500) handed to
 * it, and the mount made read-only -- its superblock too where this
 * process may (not from inside a user namespace, which does not own it).
 * Erases this process's copy of the data. No-op without credentials. */
int mount_credentials_seal(const Plan *p, uid_t uid, gid_t gid, SpawnError *err);
