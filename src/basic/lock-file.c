/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs-util.h"
#include "lock-file.h"
#include "macros.h"

int lock_dir_open(const char *dir, int *ret_fd) {
        char parent[PATH_MAX];
        char *slash;
        int fd;

        if (strlen(dir) >= sizeof parent)
                return -ENAMETOOLONG;
        strcpy(parent, dir);
        slash = strrchr(parent, '/');
        if (slash && slash != parent) {
                *slash = 0;
                if (mkdir(parent, 0755) < 0 && errno != EEXIST)
                        return -errno;
        }
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

int lock_file_open(int dir_fd, const char *file, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        /* O_NOFOLLOW: a planted symlink must not make us create or lock a
         * file elsewhere. 0600: flock() needs no more than a read-only fd,
         * so a user who could open the file could hold its lock and refuse
         * every start that wants it (or hang one that waits for it). */
        fd = openat(dir_fd, file, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        /* A file an earlier cell made 0644 (it stays, as the lock's name) is
         * made root's only too: from now on nobody else opens it. */
        if (fstat(fd, &st) < 0)
                return -errno;
        if ((st.st_mode & 0077) != 0 && fchmod(fd, st.st_mode & 0700) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* One try: -EAGAIN when the file was replaced between open() and flock(). */
static int lock_file_try(int dir_fd, const char *file, const char *text, char *ret_previous, size_t size,
                         int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        ssize_t k;
        int r;

        r = lock_file_open(dir_fd, file, &fd);
        if (r < 0)
                return r;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? 0 : -errno;
        /* Still the file at that name? Its holder may have released and
         * removed it between our open() and flock(). */
        if (!lock_file_is_current(dir_fd, file, fd))
                return -EAGAIN;
        /* What the last holder wrote, before ours replaces it: it is gone
         * (its lock was free), and this is all that is left of it. */
        if (ret_previous) {
                k = pread(fd, ret_previous, size - 1, 0);
                ret_previous[MAX(k, (ssize_t) 0)] = 0;
        }
        if (text && ftruncate(fd, 0) >= 0)
                (void) !pwrite(fd, text, strlen(text), 0);
        *ret_fd = TAKE_FD(fd);
        return 1;
}

void lock_file_inode_name(char *buf, size_t size, dev_t dev, ino_t ino) {
        (void) snprintf(buf, size, "inode-%lu:%lu", (unsigned long) dev, (unsigned long) ino);
}

bool lock_file_is_current(int dir_fd, const char *file, int fd) {
        struct stat a, b;

        return fstat(fd, &a) >= 0 && fstatat(dir_fd, file, &b, AT_SYMLINK_NOFOLLOW) >= 0 &&
                a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void lock_file_release_shared_any(int fd, const char *const *dirs) {
        char self[64], path[PATH_MAX];
        ssize_t k;
        struct stat a, b;

        if (fd < 0)
                return;
        (void) snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
        k = readlink(self, path, sizeof path - 1);
        if (k <= 0)
                goto done;
        path[k] = 0;
        /* Only a file of one of dirs (any other lock is closed as it is, its
         * mode never converted), and only while it is still the one we hold. */
        for (const char *const *dir = dirs; *dir; dir++) {
                size_t n = strlen(*dir);

                if ((size_t) k <= n + 1 || strncmp(path, *dir, n) != 0 || path[n] != '/' ||
                    strchr(path + n + 1, '/'))
                        continue;
                /* Converting to LOCK_EX may drop ours first: we are leaving anyway. */
                if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                        break;
                if (fstat(fd, &a) >= 0 && lstat(path, &b) >= 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                        (void) unlink(path);
                break;
        }
done:
        safe_close(fd);
}

void lock_file_release_shared(int fd, const char *dir) {
        lock_file_release_shared_any(fd, (const char *const[]) { dir, NULL });
}

int lock_file_take(int dir_fd, const char *file, const char *text, int *ret_fd) {
        return lock_file_take_previous(dir_fd, file, text, NULL, 0, ret_fd);
}

int lock_file_take_previous(int dir_fd, const char *file, const char *text, char *ret_previous, size_t size,
                            int *ret_fd) {
        int r;

        do
                r = lock_file_try(dir_fd, file, text, ret_previous, size, ret_fd);
        while (r == -EAGAIN);
        return r;
}

void lock_file_read_text(int dir_fd, const char *file, char *buf, size_t n) {
        _cleanup_close_ int fd = -EBADF;
        ssize_t k;

        buf[0] = 0;
        fd = openat(dir_fd, file, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;
        k = read(fd, buf, n - 1);
        buf[MAX(k, (ssize_t) 0)] = 0;
}

/* One try of the lock, without waiting: 0, -EWOULDBLOCK when another open
 * file holds a conflicting one, or another -errno. */
static int lock_try(int fd, int op, bool ofd) {
        if (ofd) {
                struct flock fl = { .l_type = op == LOCK_SH ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET };

                if (fcntl(fd, F_OFD_SETLK, &fl) >= 0)
                        return 0;
                return errno == EAGAIN || errno == EACCES ? -EWOULDBLOCK : -errno;
        }
        return flock(fd, op | LOCK_NB) >= 0 ? 0 : -errno;
}

static int lock_wait(int fd, int op, bool ofd, unsigned timeout_msec) {
        for (unsigned waited = 0;;) {
                int r = lock_try(fd, op, ofd);

                if (r == -EINTR)
                        continue;
                if (r != -EWOULDBLOCK || waited >= timeout_msec)
                        return r;
                (void) usleep(10 * 1000);
                waited += 10;
        }
}

int lock_fd_wait(int fd, int op, unsigned timeout_msec) {
        return lock_wait(fd, op, false, timeout_msec);
}

int lock_fd_wait_ofd(int fd, unsigned timeout_msec) {
        return lock_wait(fd, LOCK_EX, true, timeout_msec);
}

/* Whether /proc/PID/fdinfo/FD lists an flock() on (dev, ino): lines
 * "lock:\t1: FLOCK  ADVISORY  WRITE PID MAJ:MIN:INODE 0 EOF" (the device in
 * hex), one for each lock held through that open file. */
static bool fdinfo_has_flock(int fdinfo_fd, const char *fd, dev_t dev, ino_t ino) {
        _cleanup_(fclosep) FILE *file = NULL;
        char line[256];
        int f;

        f = openat(fdinfo_fd, fd, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (f < 0)
                return false;
        file = fdopen(f, "re");
        if (!file) {
                safe_close(f);
                return false;
        }
        while (fgets(line, sizeof line, file)) {
                unsigned long long i;
                unsigned maj, mn;
                char type[16];

                if (sscanf(line, "lock: %*s %15s %*s %*s %*d %x:%x:%llu", type, &maj, &mn, &i) == 4 &&
                    streq(type, "FLOCK") && makedev(maj, mn) == dev && (ino_t) i == ino)
                        return true;
        }
        return false;
}

bool lock_file_held_by(pid_t pid, dev_t dev, ino_t ino) {
        _cleanup_close_ int fd_dir = -EBADF, fdinfo_dir = -EBADF;
        struct dirent *de;
        char path[64];
        bool held = false;
        DIR *d;

        if (pid <= 0)
                return false;
        /* pid's own open files, not /proc/locks: reading that takes the
         * kernel's file_rwsem for writing, which waits for an RCU grace
         * period (10-13 ms on a guest without expedited ones) and holds
         * off every flock() on the host meanwhile, a start's too. */
        snprintf(path, sizeof path, "/proc/%d/fd", (int) pid);
        fd_dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        snprintf(path, sizeof path, "/proc/%d/fdinfo", (int) pid);
        fdinfo_dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd_dir < 0 || fdinfo_dir < 0)
                return false;
        d = fdopendir(fd_dir);
        if (!d)
                return false;
        fd_dir = -EBADF;        /* the DIR's now */
        while (!held && (de = readdir(d))) {
                struct stat st;

                /* Each fd's file (the link followed), then the locks it holds. */
                if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0 || st.st_dev != dev ||
                    st.st_ino != ino)
                        continue;
                held = fdinfo_has_flock(fdinfo_dir, de->d_name, dev, ino);
        }
        closedir(d);
        return held;
}

/* A lock file of ours to try: a regular file but a dotfile, nothing else
 * (a device node would be opened). */
static bool lock_dir_candidate(DIR *d, const struct dirent *de) {
        struct stat st;

        if (de->d_name[0] == '.')
                return false;
        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_REG;
        return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISREG(st.st_mode);
}

int lock_dir_sweep(int dir_fd, size_t max_tries, size_t start) {
        _cleanup_close_ int fd = -EBADF;
        struct dirent *de;
        size_t total = 0, i = 0;
        int n = 0;
        DIR *d;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -EBADF;    /* the DIR's now */
        /* More than max_tries: counted first, then max_tries of them from
         * start on (wrapping), so that the starts of a host with thousands
         * of containers each pay for a few and between them try all. */
        while ((de = readdir(d)))
                if (lock_dir_candidate(d, de))
                        total++;
        if (total == 0) {
                closedir(d);
                return 0;
        }
        start = total > max_tries ? start % total : 0;
        rewinddir(d);
        /* Each file tried, not looked up in /proc/locks: reading that takes
         * the kernel's file-lock rwsem for writing, which waits for an RCU
         * grace period (10-13 ms on a guest without expedited ones, more
         * than all the rest of a start). A LOCK_NB try of a file another
         * holds fails at once and changes nothing for its holders (ours
         * too: our own open file's LOCK_SH conflicts with this one's). */
        while ((de = readdir(d))) {
                _cleanup_close_ int lock_fd = -EBADF;

                if (!lock_dir_candidate(d, de))
                        continue;
                /* Its place among them, counted from start: beyond max_tries, not this time. */
                if ((i++ + total - start) % total >= max_tries)
                        continue;
                /* No O_CREAT: what is gone since is not made again. */
                lock_fd = openat(dirfd(d), de->d_name, O_RDWR | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
                if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) < 0)
                        continue;
                /* Removed under our lock, as a last holder removes it, and
                 * only while it is the file at that name: a taker that
                 * opened it before checks that after its flock() and opens
                 * it anew (lock_file_is_current()). */
                if (lock_file_is_current(dirfd(d), de->d_name, lock_fd) &&
                    unlinkat(dirfd(d), de->d_name, 0) >= 0)
                        n++;
        }
        closedir(d);
        return n;
}
