/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs-util.h"

int fflush_and_check(FILE *f) {
        errno = 0;
        if (fflush(f) == 0 && !ferror(f))
                return 0;
        return errno > 0 ? -errno : -EIO;
}

void file_note_write_error(FILE *f, int *error) {
        if (*error == 0 && ferror(f))
                *error = errno > 0 ? errno : EIO;
}

int fflush_and_check_noted(FILE *f, int error) {
        int r = fflush_and_check(f);

        return error > 0 ? -error : r;
}

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

bool stat_is_null_device(const struct stat *st) {
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

int fd_above_stdio(int fd) {
        int moved;

        if (fd < 0 || fd > STDERR_FILENO)
                return fd;
        moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        safe_close(fd);
        return moved < 0 ? -errno : moved;
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

bool path_is_below(const char *path, const char *prefix) {
        for (;;) {
                size_t la, lb;

                path += strspn(path, "/");
                prefix += strspn(prefix, "/");
                if (!*prefix)
                        return true;
                la = strcspn(path, "/");
                lb = strcspn(prefix, "/");
                if (la != lb || memcmp(path, prefix, la) != 0)
                        return false;
                path += la;
                prefix += lb;
        }
}

const char *path_next_component(const char **path, size_t *ret_n) {
        for (;;) {
                const char *c = *path + strspn(*path, "/");
                size_t n = strcspn(c, "/");

                *path = c + n;
                if (n == 0)
                        return NULL;
                if (n != 1 || c[0] != '.') {
                        *ret_n = n;
                        return c;
                }
        }
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
        if (stat_is_null_device(&st))
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

/* buf to allocated bytes, its first used kept; a secret's old block erased. */
static int read_full_grow(char **buf, size_t *allocated, size_t used, size_t want, bool secret) {
        char *b;

        if (!secret) {
                b = realloc(*buf, want);
                if (!b)
                        return -ENOMEM;
        } else {
                b = malloc(want);
                if (!b)
                        return -ENOMEM;
                if (*buf) {
                        memcpy(b, *buf, used);
                        explicit_bzero(*buf, used);
                        free(*buf);
                }
        }
        *buf = b;
        *allocated = want;
        return 0;
}

int read_full_fd(int fd, size_t max, ReadFullFlags flags, char **ret, size_t *ret_size) {
        bool secret = flags & READ_FULL_SECRET;
        size_t size = 0, allocated = 0, first;
        char *buf = NULL;
        struct stat st;
        int r;

        if (max > SIZE_MAX / 4)
                return -EINVAL;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        /* Type before any read(): a FIFO's would block, a device's may never end. */
        if (!S_ISREG(st.st_mode) &&
            !((flags & READ_FULL_NULL_DEVICE) && stat_is_null_device(&st)))
                return -EBADFD;
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > max)
                return -EFBIG;

        /* Room for the file, its NUL and the byte the read that finds its
         * end asks for: read whole without a copy where its size is right.
         * Else reads of 4096 bytes, then twice as many each time (a NUL's
         * byte on top: procfs refuses some reads of odd sizes). Never more
         * than max + 2: the byte beyond max is what tells. */
        first = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t) st.st_size + 2 : MIN((size_t) 4096 + 1, max + 2);
        for (;;) {
                ssize_t n;

                if (size + 1 >= allocated) {
                        r = read_full_grow(&buf, &allocated, size, allocated == 0 ? first :
                                           MIN((allocated - 1) * 2 + 1, max + 2), secret);
                        if (r < 0)
                                goto fail;
                }
                n = read(fd, buf + size, allocated - size - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = negative_errno();
                        goto fail;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                /* A file that grew since the fstat() (or /proc's, whose size is 0). */
                if (size > max) {
                        r = -EFBIG;
                        goto fail;
                }
        }
        buf[size] = 0;
        /* Kept at its size: many small files must not each hold a large block. */
        if (allocated > size + 2) {
                if (secret) {
                        char *b = malloc(size + 1);

                        if (!b) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        memcpy(b, buf, size + 1);
                        explicit_bzero(buf, size + 1);
                        free(buf);
                        buf = b;
                } else {
                        char *b = realloc(buf, size + 1);

                        if (b)
                                buf = b;
                }
        }
        *ret = buf;
        *ret_size = size;
        return 0;
fail:
        if (buf && secret)
                explicit_bzero(buf, MIN(size, allocated));
        free(buf);
        return r;
}

int read_full_file_at(int dir_fd, const char *path, int open_flags, size_t max, ReadFullFlags flags, char **ret,
                      size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dir_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | open_flags);
        if (fd < 0)
                return negative_errno();
        return read_full_fd(fd, max, flags, ret, ret_size);
}

int atomic_tmp_name(const char *name, char *buf, size_t n) {
        int k = snprintf(buf, n, ".#%s.cell-new", name);

        if (k < 0 || (size_t) k >= n || (size_t) k > NAME_MAX)
                return -ENAMETOOLONG;
        return 0;
}

int write_all(int fd, const void *data, size_t size) {
        for (size_t done = 0; done < size;) {
                ssize_t w = write(fd, (const char *) data + done, size - done);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return negative_errno();
                if (w == 0)
                        return -EIO;    /* never again: no endless loop */
                done += (size_t) w;
        }
        return 0;
}

int pwrite_all(int fd, const void *data, size_t size, off_t offset) {
        for (size_t done = 0; done < size;) {
                ssize_t w = pwrite(fd, (const char *) data + done, size - done, offset + (off_t) done);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return negative_errno();
                if (w == 0)
                        return -EIO;
                done += (size_t) w;
        }
        return 0;
}

/* The O_TMPFILE fd at dir_fd/tmp: by the fd where the kernel lets us
 * (CAP_DAC_READ_SEARCH), else through /proc, as systemd's link_tmpfile(). */
static int link_tmpfile_at(int fd, int dir_fd, const char *tmp) {
        char proc[64];

        if (linkat(fd, "", dir_fd, tmp, AT_EMPTY_PATH) >= 0)
                return 0;
        if (errno != ENOENT && errno != EPERM && errno != EACCES)
                return negative_errno();
        (void) snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        return RET_NERRNO(linkat(AT_FDCWD, proc, dir_fd, tmp, AT_SYMLINK_FOLLOW));
}

static int own_like(int fd, const struct stat *like) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if ((st.st_uid != like->st_uid || st.st_gid != like->st_gid) &&
            fchown(fd, like->st_uid, like->st_gid) < 0)
                return negative_errno();
        /* After the chown, which drops the set-ID bits. */
        return RET_NERRNO(fchmod(fd, like->st_mode & 07777));
}

int write_file_atomic_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode,
                         const struct stat *like) {
        _cleanup_close_ int fd = -EBADF;
        char tmp[NAME_MAX + 1];
        bool named = false;
        int r;

        r = atomic_tmp_name(name, tmp, sizeof tmp);
        if (r < 0)
                return r;

        /* Nameless while it is written: a kill before the link leaves nothing. */
        fd = openat(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
        if (fd < 0) {
                if (errno != EOPNOTSUPP && errno != EISDIR)
                        return negative_errno();
                /* No O_TMPFILE here: under the temporary name, a killed
                 * writer's left there removed first. O_EXCL|O_NOFOLLOW: a
                 * link planted at that name is never followed. */
                if (unlinkat(dir_fd, tmp, 0) < 0 && errno != ENOENT)
                        return negative_errno();
                fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode);
                if (fd < 0)
                        return negative_errno();
                named = true;
        }
        r = write_all(fd, data, size);
        if (r >= 0 && like)
                r = own_like(fd, like);
        if (r < 0) {
                if (named)
                        (void) unlinkat(dir_fd, tmp, 0);
                return r;
        }

        for (unsigned attempt = 0;; attempt++) {
                if (!named) {
                        r = link_tmpfile_at(fd, dir_fd, tmp);
                        if (r == -EEXIST && attempt < 8) {
                                /* Whole, whoever's it is (a killed writer's, a
                                 * concurrent one's): unlinked, never written into. */
                                if (unlinkat(dir_fd, tmp, 0) < 0 && errno != ENOENT)
                                        return negative_errno();
                                continue;
                        }
                        if (r < 0)
                                return r;
                }
                if (renameat(dir_fd, tmp, dir_fd, name) >= 0)
                        return 0;
                r = negative_errno();
                /* A concurrent writer's rename took the temporary name first
                 * (ours or its own, whole either way) and put it in place.
                 * Not linked again: a second link of ours, renamed over the
                 * first where that is in place, would do nothing and stay. */
                if (r == -ENOENT && !named)
                        return 0;
                (void) unlinkat(dir_fd, tmp, 0);
                return r;
        }
}
