/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs-util.h"

DIR *opendir_at(int dirfd, const char *path) {
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;

        if (fd < 0)
                return NULL;
        d = fdopendir(fd);
        if (!d) {
                int saved = errno;
                safe_close(fd);
                errno = saved;
        }
        return d;
}

bool stat_ours_alone(const struct stat *st) {
        return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

void block_device_node(dev_t d, char *buf, size_t n) {
        _cleanup_close_ int fd = -EBADF;
        char path[64], text[512];
        const char *name;
        ssize_t k;

        if (n == 0)
                return;
        buf[0] = 0;
        (void) snprintf(path, sizeof path, "/sys/dev/block/%u:%u/uevent", major(d), minor(d));
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        k = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
        if (k <= 0)
                return;
        text[k] = 0;
        name = strncmp(text, "DEVNAME=", 8) == 0 ? text : strstr(text, "\nDEVNAME=");
        if (!name)
                return;
        name += name == text ? 8 : 9;
        if ((size_t) snprintf(buf, n, "/dev/%.*s", (int) strcspn(name, "\n"), name) >= n)
                buf[0] = 0;
}

int fs_magic_of(int fd, int64_t *ret) {
        struct statfs sfs;

        if (fstatfs(fd, &sfs) < 0)
                return negative_errno();
        *ret = (int64_t) sfs.f_type;
        return 0;
}

uint64_t hash_fnv1a64(const void *p, size_t n) {
        const uint8_t *s = p;
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (size_t i = 0; i < n; i++) {
                h ^= s[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

int open_text_file(const char *path, uint64_t max, int *ret_fd, uint64_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        uint64_t size;

        fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
                size = 0;
        else if (!S_ISREG(st.st_mode))
                return -EBADFD;
        else
                size = (uint64_t) st.st_size;
        if (size > max)
                return -EFBIG;
        *ret_fd = TAKE_FD(fd);
        if (ret_size)
                *ret_size = size;
        return 0;
}
