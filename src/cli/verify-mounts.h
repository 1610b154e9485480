/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unit's mount targets against what the start will find there: a
 * device node cell makes (/dev/zero), a file system mounted before, or the
 * file of the Directory= root itself. A directory (a TemporaryFileSystem=,
 * an Overlay=, a Bind= of a directory) goes only on a directory, a file's
 * Bind= not on one, and nothing lies below a file: the start fails there
 * with the kernel's ENOTDIR or EISDIR, as systemd's and nspawn's do. The
 * plan knows its own mounts and reads no tree (plan_mount_target_found());
 * these are the host lookups, which "cell verify" and "cell run" (before
 * anything is made) share. Where the root is an Image=, or a link in the
 * root or another mount decides, nothing is said: the start does. */

#include "diag.h"
#include "plan.h"

/* Each problem into diag at its entry's line, in the start's words ("FILE:
 * LINE: ENTRY: target exists and is not a directory"). root_fd: an O_PATH
 * fd of the Directory= root, or < 0 for none to look in. Returns 0,
 * -EINVAL when it found one, or -ENOMEM. */
int cli_check_mount_targets(const Plan *p, int root_fd, Diagnostics *diag);
/* The same on the plan's Directory=, opened here and kept in *v for the
 * next plan of the same root (v->fd -EBADF at first); nothing for Image=. */
typedef struct VerifyRoot {
        char *path;
        int fd;
} VerifyRoot;
int cli_check_mount_targets_root(const Plan *p, VerifyRoot *v, Diagnostics *diag);
void verify_root_done(VerifyRoot *v);
