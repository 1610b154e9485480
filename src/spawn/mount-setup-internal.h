/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Between mount-setup.c, which builds the container's tree in order, and
 * mount-one.c, which makes each mount of the plan. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "mount-setup.h"
#include "mount-undo.h"
#include "plan.h"
#include "spawn-error.h"

typedef struct MountContext {
        const Plan *plan;
        int root_fd;            /* O_PATH, top of the future "/" */
        int devnull_fd;         /* O_PATH, the host's /dev/null, checked to be 1:3 */
        struct statx root_id;   /* root_fd's identity, for mount_root_check_not() */
        bool create_only;       /* the pass before ReadOnly=: make mount points, mount nothing */
        MountUndo made;         /* what the start made, removed again if it fails */
        const MountIdmapTrees *trees;   /* NULL without PrivateUsers= */
        SpawnError *err;
        int dev_fd;             /* /dev, once a /dev/char link looked (mount-devchar.c); -EBADF: not yet */
        bool dev_fresh;         /* ... and it is the tmpfs this start mounted */
} MountContext;

/* m, by its kind, on the tree of c (with c->create_only, only its mount
 * point): the source checked, the target resolved inside the root, the
 * mount made detached and attached with its flags. -errno, said in c->err. */
int mount_one(MountContext *c, const PlanMount *m);

/* devpts's mount data with its "uid=" and "gid=" (the container's IDs: the
 * plan's gid=5, its tty group) as the host's, for a devpts the tree builder
 * mounts with the host's privileges under PrivateUsers=, where the kernel
 * reads them in the host's user namespace: N becomes base+N. An ID of count
 * or more (a range that does not map it) is left out: the pty then gets its
 * opener's group, which the container has, not one that shows as nobody
 * and that no root inside may chown. *ret: the new data (NULL: none);
 * -EINVAL for an ID that is not a number, -ENOMEM. */
int mount_devpts_data_shifted(const char *data, uid_t base, uint32_t count, char **ret);
