/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Image=: the container's root from a file system image, as
 * systemd-nspawn --image= and systemd.exec's RootImage= take one: a plain
 * file system, or a GPT "discoverable disk image" (no verity, no LUKS).
 *
 * The supervisor, at the start, before anything else is made:
 *   - probes the image with libblkid (root-image-probe.c): a file system
 *     (ext4, btrfs, xfs, squashfs or erofs), or a GPT, whose partitions
 *     are chosen as systemd 252 does (root-image-gpt.h: the architecture's
 *     root, its /usr, /home, /srv, /var, /var/tmp), their extents checked
 *     (within the image, not empty, none overlapping another) and each
 *     probed; any other partition table, a LUKS or verity-protected root
 *     or /usr, is refused;
 *   - attaches a file to a free loop device (LO_FLAGS_AUTOCLEAR: the
 *     device goes with its last mount), a GPT partition (of a file or a
 *     block device) to one of its extent (lo_offset, lo_sizelimit); a
 *     whole block device is used as it is, mounted from /proc/self/fd/N
 *     of the fd it was probed and locked by;
 *   - mounts each with the new mount API as a detached mount (read-only for
 *     squashfs and erofs, a partition flagged read-only, and with the
 *     plan's root_read_only; ext4 and xfs then with norecovery, so that no
 *     journal replay writes the image);
 *   - a GPT's further partitions are moved onto their places in the
 *     root's detached mount: one detached tree.
 * The detached tree's fd is all there is: the child (with PrivateUsers=
 * the supervisor, in its private S) attaches that very tree at
 * ROOT_IMAGE_MOUNT_DIR in its private mount namespace -- never a clone,
 * which a kernel before 6.15 refuses (mount_root_image_attach()) -- and
 * the root is made from there as from Directory=.
 * When the last of its mounts is gone -- the container's namespace, this
 * fd -- each loop device is detached by the kernel: a failed start leaves
 * none. */

#include <stdbool.h>

#include "lock-file.h"
#include "plan.h"
#include "spawn-error.h"

/* Where the image's mount is attached, in a private mount namespace only
 * (the child's, or the supervisor's S with PrivateUsers=): an empty
 * directory, made once, that nothing else uses. */
#define ROOT_IMAGE_MOUNT_DIR "/run/cell/image-root"

/* The images' locks, as systemd-nspawn's /run/systemd/nspawn/locks: a
 * file of root's per image, "inode-DEV:INO" (a block device's
 * "block-MAJOR:MINOR", a whole loop device's that of its file), never the
 * image itself (root-image-lock.h). A part of a whole -- a partition
 * device of its disk, a loop device past its file's start -- also holds
 * the whole's shared: a start of the whole that writes it and a start of
 * a part exclude each other. Not covered: a start of the whole that only
 * reads it beside one that writes a part (the whole's start would have
 * to find every device over a part of it), and a part of a part (a
 * partition of a loop device past its file's start). */
#define ROOT_IMAGE_LOCK_DIR CELL_IMAGE_LOCK_DIR

typedef struct RootImage {
        int mount_fd;           /* the detached mount (tree, for a GPT) of the image's file systems, or -EBADF */
        char fstype[16];        /* the root's: "ext4", "squashfs", ... */
        bool read_only;         /* the root's */
        char device[32];        /* the root's: "/dev/loop7", or empty for a whole block device */
        int lock_fd;            /* its file in ROOT_IMAGE_LOCK_DIR, flock'ed: LOCK_SH read-only, LOCK_EX written */
        int whole_lock_fd;      /* a partition's, a loop device's past its file's start: the whole's, LOCK_SH */
        dev_t dev;              /* the image file's, or the block device's (rdev), as locked */
        ino_t ino;
        dev_t rdev;
        bool written;           /* locked LOCK_EX */
} RootImage;

#define ROOT_IMAGE_NULL ((RootImage) { .mount_fd = -EBADF, .lock_fd = -EBADF, .whole_lock_fd = -EBADF })

/* Whether blkid's TYPE is one cell mounts an image of; and whether that
 * file system is read-only whatever is asked. Pure, for the tests. */
bool root_image_fstype_supported(const char *fstype);
bool root_image_fstype_read_only(const char *fstype);

/* The plan's image (p->root_image), mounted: ret->mount_fd. Errors name
 * "Image=PATH" (plan_message_origin() puts the line in front). Nothing is
 * left behind on failure. */
int root_image_mount(const Plan *p, RootImage *ret, SpawnError *err);
/* The same for a start that mounts its image a second time (its init
 * cloned again): held's locks are taken over (held keeps its mount), not
 * let go and taken again, where another start could take the image in
 * between. The image at the path must still be the one held locks (else
 * -ESTALE, saying so, and held keeps them); a later failure ends the
 * start, its locks with it. */
int root_image_mount_again(const Plan *p, RootImage *held, RootImage *ret, SpawnError *err);
void root_image_done(RootImage *img);

/* Where the supervisor opens the container's root: Directory=, or with an
 * image "/proc/self/fd/N" of its mount (buf of at least 32 bytes). */
const char *root_image_root_path(const Plan *p, const RootImage *img, char *buf, size_t size);
