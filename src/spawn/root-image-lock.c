/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image=: the image's locks (root-image-lock.h). */

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs-util.h"
#include "lock-file.h"
#include "macros.h"
#include "root-image-lock.h"
#include "root-image.h"

static bool is_partition(dev_t rdev) {
        char sys[64];

        (void) snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u/partition", major(rdev), minor(rdev));
        return access(sys, F_OK) >= 0;
}

/* The file a loop device reads (its identity, as stat() gives it) and the
 * offset it starts at; false for any other device. */
static bool loop_file(int fd, dev_t *ret_dev, ino_t *ret_ino, uint64_t *ret_offset) {
        struct loop_info64 info;

        if (ioctl(fd, LOOP_GET_STATUS64, &info) < 0 || info.lo_inode == 0)
                return false;
        /* The kernel's encoding (new_encode_dev()) is glibc's makedev(). */
        *ret_dev = (dev_t) info.lo_device;
        *ret_ino = (ino_t) info.lo_inode;
        *ret_offset = info.lo_offset;
        return true;
}

/* A small sysfs file, whole, into buf. */
static int sysfs_read(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        return 0;
}

/* The disk of the partition device rdev: its number, and its node opened
 * (/dev/ and the DEVNAME of its uevent, checked to be that number) into
 * *ret_fd, or -EBADF where there is none to open. */
static int partition_disk(dev_t rdev, dev_t *ret_disk, int *ret_fd) {
        char sys[96], buf[512], node[300];
        unsigned ma, mi;
        struct stat st;
        int fd, r;

        *ret_fd = -EBADF;
        (void) snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u/../dev", major(rdev), minor(rdev));
        r = sysfs_read(sys, buf, sizeof buf);
        if (r < 0)
                return r;
        if (sscanf(buf, "%u:%u", &ma, &mi) != 2)
                return -EIO;
        *ret_disk = makedev(ma, mi);

        block_device_node(*ret_disk, node, sizeof node);
        if (!node[0])
                return 0;
        /* Only asked what it is (LOOP_GET_STATUS64): never read nor written. */
        fd = open(node, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return 0;
        if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != *ret_disk) {
                safe_close(fd);
                return 0;
        }
        *ret_fd = fd;
        return 0;
}

/* The lock's name of the block device fd (rdev) as a whole; and in whole
 * (else "") that of what it is a part of, if anything. */
static int block_names(int fd, dev_t rdev, char *name, char *whole, size_t size) {
        dev_t dev;
        ino_t ino;
        uint64_t offset;

        whole[0] = 0;
        if (is_partition(rdev)) {
                _cleanup_close_ int disk_fd = -EBADF;
                dev_t disk;
                char unused[64];
                int r;

                /* Its disk, named as Image= of the disk locks it: a loop
                 * device over all of a file as that file. */
                (void) snprintf(name, size, "block-%u:%u", major(rdev), minor(rdev));
                r = partition_disk(rdev, &disk, &disk_fd);
                if (r < 0)
                        return r;
                if (disk_fd >= 0)
                        return block_names(disk_fd, disk, whole, unused, size);
                (void) snprintf(whole, size, "block-%u:%u", major(disk), minor(disk));
                return 0;
        }
        if (loop_file(fd, &dev, &ino, &offset) && offset == 0)
                /* A loop device is its file: Image= of the file, attached
                 * anew, would be a second superblock of the same file
                 * system (and Image= of the device beside a start of the
                 * file, the same). systemd-nspawn locks the device by its
                 * number alone, and lets both write. */
                lock_file_inode_name(name, size, dev, ino);
        else if (loop_file(fd, &dev, &ino, &offset)) {
                /* Past its file's start: a part of it, as a partition is. */
                (void) snprintf(name, size, "block-%u:%u", major(rdev), minor(rdev));
                lock_file_inode_name(whole, size, dev, ino);
        } else
                /* One device, whichever node names it. */
                (void) snprintf(name, size, "block-%u:%u", major(rdev), minor(rdev));
        return 0;
}

/* dir_fd/name flock'ed with op | LOCK_NB. Not the image: whoever may read
 * it could flock() it, and so refuse every start of it. 0600 in a
 * directory only root writes: only cell opens it. Its last holder removes
 * it (lock_file_release_shared_any()), maybe between our open() and
 * flock(): a lock of a file no longer there is no one's, so again. */
static int lock_take(int dir_fd, const char *name, int op, int *ret_fd) {
        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                int r;

                /* Root's alone, no symlink followed (lock_file_open()). */
                r = lock_file_open(dir_fd, name, &fd);
                if (r < 0)
                        return r;
                r = RET_NERRNO(flock(fd, op | LOCK_NB));
                if (r < 0)
                        return r;
                if (lock_file_is_current(dir_fd, name, fd)) {
                        *ret_fd = TAKE_FD(fd);
                        return 0;
                }
        }
}

int image_lock(int fd, const struct stat *st, int op, int *ret_fd, int *ret_whole_fd, char *ret_whole,
               size_t size) {
        _cleanup_close_ int dir_fd = -EBADF, lock_fd = -EBADF, whole_fd = -EBADF;
        char name[64], whole[64];
        int r;

        r = lock_dir_open(ROOT_IMAGE_LOCK_DIR, &dir_fd);
        if (r < 0)
                return r;
        if (S_ISBLK(st->st_mode)) {
                r = block_names(fd, st->st_rdev, name, whole, sizeof name);
                if (r < 0)
                        return r;
        } else {
                lock_file_inode_name(name, sizeof name, st->st_dev, st->st_ino);
                whole[0] = 0;
        }
        r = lock_take(dir_fd, name, op, &lock_fd);
        if (r < 0)
                return r;
        /* The whole, shared whatever op is: parts of it may be used side
         * by side, but not while a start of the whole writes it (its
         * LOCK_EX). A start of the whole that only reads it does not see
         * a part written: that is not covered (root-image.h). */
        if (whole[0]) {
                r = lock_take(dir_fd, whole, LOCK_SH, &whole_fd);
                if (r == -EWOULDBLOCK) {
                        (void) snprintf(ret_whole, size, "%s", whole);
                        return -EBUSY;
                }
                if (r < 0)
                        return r;
        }
        *ret_fd = TAKE_FD(lock_fd);
        *ret_whole_fd = TAKE_FD(whole_fd);
        return 0;
}
