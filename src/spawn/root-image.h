/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Image=: the container's root from a file system image, as
 * systemd-nspawn --image= and systemd.exec's RootImage= take one, for a
 * plain file system (no partition table: no GPT "discoverable disk image",
 * no verity, no LUKS).
 *
 * The supervisor, at the start, before anything else is made:
 *   - probes the file system type with libblkid: ext4, btrfs, xfs,
 *     squashfs or erofs, and refuses a partition table;
 *   - attaches a file to a free loop device (LO_FLAGS_AUTOCLEAR: the
 *     device goes with its last mount), a block device is used as it is,
 *     mounted from /proc/self/fd/N of the fd it was probed and locked by;
 *   - mounts it with the new mount API as a detached mount (read-only for
 *     squashfs and erofs, and with the plan's root_read_only; ext4 and xfs
 *     then with norecovery, so that no journal replay writes the image).
 * The detached mount's fd is all there is: the child (or the tree builder)
 * attaches a clone of it at ROOT_IMAGE_MOUNT_DIR in its private mount
 * namespace, and the root is made from there as from Directory=. When the
 * last of its mounts is gone -- the container's namespace, this fd -- the
 * loop device is detached by the kernel: a failed start leaves none. */

#include <stdbool.h>

#include "plan.h"
#include "spawn-error.h"

/* Where the image's mount is attached, in a private mount namespace only
 * (the child's, or the supervisor's S with PrivateUsers=): an empty
 * directory, made once, that nothing else uses. */
#define ROOT_IMAGE_MOUNT_DIR "/run/cell/image-root"

/* The images' locks, as systemd-nspawn's /run/systemd/nspawn/locks: a
 * file of root's per image, "inode-DEV:INO" (a block device's
 * "block-MAJOR:MINOR", a whole loop device's that of its file), never the
 * image itself. */
#define ROOT_IMAGE_LOCK_DIR "/run/cell/image-lock"

typedef struct RootImage {
        int mount_fd;           /* the detached mount of the image's file system, or -EBADF */
        char fstype[16];        /* "ext4", "squashfs", ... */
        bool read_only;
        char device[32];        /* "/dev/loop7", or empty for a block device */
        int lock_fd;            /* its file in ROOT_IMAGE_LOCK_DIR, flock'ed: LOCK_SH read-only, LOCK_EX written */
} RootImage;

#define ROOT_IMAGE_NULL ((RootImage) { .mount_fd = -EBADF, .lock_fd = -EBADF })

/* Whether blkid's TYPE is one cell mounts an image of; and whether that
 * file system is read-only whatever is asked. Pure, for the tests. */
bool root_image_fstype_supported(const char *fstype);
bool root_image_fstype_read_only(const char *fstype);

/* The plan's image (p->root_image), mounted: ret->mount_fd. Errors name
 * "Image=PATH" (plan_message_origin() puts the line in front). Nothing is
 * left behind on failure. */
int root_image_mount(const Plan *p, RootImage *ret, SpawnError *err);
void root_image_done(RootImage *img);

/* Where the supervisor opens the container's root: Directory=, or with an
 * image "/proc/self/fd/N" of its mount (buf of at least 32 bytes). */
const char *root_image_root_path(const Plan *p, const RootImage *img, char *buf, size_t size);
