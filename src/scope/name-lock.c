/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "name-lock.h"
#include "runtime-state.h"

#define NAME_LOCK_SUBDIR "lock"

int name_lock_path(const char *name, char **ret) {
        /* One path component: never a way out of the directory. */
        if (isempty(name) || strchr(name, '/'))
                return -EINVAL;
        return asprintf(ret, "%s/" NAME_LOCK_SUBDIR "/%s.lock", runtime_state_dir(), name) < 0 ? -ENOMEM : 0;
}

static bool not_ours_to_write(int r) {
        return r == -EACCES || r == -EPERM || r == -EROFS;
}

static pid_t read_holder(int fd) {
        char buf[32];
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        long pid;
        char *e;

        if (n <= 0)
                return 0;
        buf[n] = 0;
        pid = strtol(buf, &e, 10);
        return e != buf && (*e == 0 || *e == '\n') && pid > 0 && pid <= INT32_MAX ? (pid_t) pid : 0;
}

/* 1: held, fd in *ret_fd; 0: another holds it; -EAGAIN: the file was
 * replaced under us, try again. */
static int lock_try(int dir_fd, const char *file, int *ret_fd, pid_t *ret_holder) {
        _cleanup_close_ int fd = -EBADF;
        struct stat a, b;
        char pid[32];

        /* O_NOFOLLOW: a planted symlink must not make us create or lock a
         * file elsewhere. */
        fd = openat(dir_fd, file, O_RDWR|O_CREAT|O_NOFOLLOW|O_NOCTTY|O_CLOEXEC, 0644);
        if (fd < 0)
                return negative_errno();
        if (flock(fd, LOCK_EX|LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK)
                        return negative_errno();
                *ret_holder = read_holder(fd);
                return 0;
        }
        /* Still the file at that name? Its holder may have released and
         * removed it between our open() and flock(). */
        if (fstat(fd, &a) < 0)
                return negative_errno();
        if (fstatat(dir_fd, file, &b, AT_SYMLINK_NOFOLLOW) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                return -EAGAIN;
        (void) snprintf(pid, sizeof pid, "%d\n", (int) getpid());
        if (ftruncate(fd, 0) >= 0)
                (void) !pwrite(fd, pid, strlen(pid), 0);
        *ret_fd = TAKE_FD(fd);
        return 1;
}

int name_lock_acquire(const char *name, int *ret_fd, pid_t *ret_holder) {
        _cleanup_free_ char *dir = NULL, *file = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        pid_t holder = 0;
        int fd = -EBADF, r;

        if (isempty(name) || strchr(name, '/'))
                return -EINVAL;
        if (asprintf(&dir, "%s/" NAME_LOCK_SUBDIR, runtime_state_dir()) < 0 || asprintf(&file, "%s.lock", name) < 0)
                return -ENOMEM;
        /* 0755: only root writes there, as in the runtime state's directory. */
        if ((mkdir(runtime_state_dir(), 0755) < 0 && errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST)) {
                r = negative_errno();
                goto no_lock;
        }
        dir_fd = open(dir, O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (dir_fd < 0) {
                r = negative_errno();
                goto no_lock;
        }
        do
                r = lock_try(dir_fd, file, &fd, &holder);
        while (r == -EAGAIN);
        if (r < 0)
                goto no_lock;
        if (r == 0) {
                if (ret_holder)
                        *ret_holder = holder;
                return -EBUSY;
        }
        *ret_fd = fd;
        return 0;

no_lock:
        if (!not_ours_to_write(r))
                return r;
        *ret_fd = -EBADF;
        return 0;
}

void name_lock_release(const char *name, int fd) {
        _cleanup_free_ char *path = NULL;
        struct stat a, b;

        if (fd < 0)
                return;
        /* Removed while held, and only if the file at the path is the one
         * we hold: a locker that opened it in between finds it replaced
         * after its flock() and starts over. */
        if (name_lock_path(name, &path) >= 0 && fstat(fd, &a) >= 0 && lstat(path, &b) >= 0 &&
            a.st_ino == b.st_ino && a.st_dev == b.st_dev)
                (void) unlink(path);
        safe_close(fd);
}
