/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
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

/* The PID the holder wrote into the file (0: not known), for the message. */
static pid_t read_holder(int dir_fd, const char *file) {
        _cleanup_close_ int fd = -EBADF;
        char buf[32];
        ssize_t n;
        long pid;
        char *e;

        fd = openat(dir_fd, file, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return 0;
        buf[n] = 0;
        pid = strtol(buf, &e, 10);
        return e != buf && (*e == 0 || *e == '\n') && pid > 0 && pid <= INT32_MAX ? (pid_t) pid : 0;
}

/* Takes NAME's lock: create makes the file where it is missing, else
 * -ENOENT; text (the holder's PID) replaces what was there, and
 * *ret_previous (if not NULL) gets that, malloc'd. */
static int take(const char *name, bool create, const char *text, int *ret_fd, pid_t *ret_holder,
                char **ret_previous) {
        _cleanup_free_ char *dir = NULL, *file = NULL, *previous = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        int fd = -EBADF, r;

        if (isempty(name) || strchr(name, '/'))
                return -EINVAL;
        if (asprintf(&dir, "%s/" NAME_LOCK_SUBDIR, runtime_state_dir()) < 0 || asprintf(&file, "%s.lock", name) < 0)
                return -ENOMEM;
        if (ret_previous && !(previous = malloc(NAME_LOCK_NOTES_MAX)))
                return -ENOMEM;
        r = lock_dir_open(dir, &dir_fd);
        if (r >= 0 && !create && faccessat(dir_fd, file, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (r >= 0)
                r = lock_file_take_previous(dir_fd, file, text, previous, previous ? NAME_LOCK_NOTES_MAX : 0, &fd);
        if (r < 0) {
                if (!not_ours_to_write(r))
                        return r;
                *ret_fd = -EBADF;       /* no lock where the runtime state cannot be either */
                if (ret_previous)
                        *ret_previous = NULL;
                return 0;
        }
        if (r == 0) {
                if (ret_holder)
                        *ret_holder = read_holder(dir_fd, file);
                return -EBUSY;
        }
        *ret_fd = fd;
        if (ret_previous)
                *ret_previous = TAKE_PTR(previous);
        return 0;
}

int name_lock_acquire(const char *name, int *ret_fd, pid_t *ret_holder, char **ret_previous) {
        char pid[32];

        (void) snprintf(pid, sizeof pid, "%d\n", (int) getpid());
        return take(name, true, pid, ret_fd, ret_holder, ret_previous);
}

int name_lock_take_stale(const char *name, int *ret_fd, char **ret_notes) {
        return take(name, false, NULL, ret_fd, NULL, ret_notes);
}

void name_lock_note(int fd, const char *key, const char *value) {
        _cleanup_free_ char *line = NULL;

        /* One line a note: a value with a newline is not noted (the cell
         * that made it then takes it back itself, or the next of its name). */
        if (fd < 0 || strchr(value, '\n') || asprintf(&line, "%s %s\n", key, value) < 0)
                return;
        if (lseek(fd, 0, SEEK_END) >= 0)
                (void) !write(fd, line, strlen(line));
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
