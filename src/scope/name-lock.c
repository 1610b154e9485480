/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdbool.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lock-file.h"
#include "macros.h"
#include "name-lock.h"
#include "runtime-state.h"
#include "strv.h"

#define NAME_LOCK_SUBDIR "lock"
#define NAME_LOCK_TAKE_BACK_SUFFIX ".take-back"

unsigned name_lock_take_back_wait_ms = NAME_LOCK_TAKE_BACK_WAIT_MS;

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
        char buf[32], *e;
        long pid;

        lock_file_read_text(dir_fd, file, buf, sizeof buf);
        pid = strtol(buf, &e, 10);
        return e != buf && (*e == 0 || *e == '\n') && pid > 0 && pid <= INT32_MAX ? (pid_t) pid : 0;
}

/* Takes RUNTIME/lock/FILE: create makes the file where it is missing,
 * else -ENOENT; text (the holder's PID) replaces what was there, and
 * *ret_previous (if not NULL) gets that, malloc'd. The protocol of
 * lock_file_take_previous() (lock-file.h), in as few system calls as a
 * start can pay for its name whatever the manager: by path, with no
 * directory fd; the directory made only where it is missing; a new file
 * (the rule: the last holder removed its own) neither read nor truncated. */
static int take(const char *file, bool create, const char *text, int *ret_fd, pid_t *ret_holder,
                char **ret_previous) {
        _cleanup_free_ char *dir = NULL, *path = NULL, *previous = NULL;
        bool made_dir = false;
        int r;

        if (asprintf(&dir, "%s/" NAME_LOCK_SUBDIR, runtime_state_dir()) < 0 || asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        if (ret_previous && !(previous = calloc(1, NAME_LOCK_NOTES_MAX)))
                return -ENOMEM;
        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                struct stat st, at;

                /* O_NOFOLLOW: a planted symlink must not make us create or lock a
                 * file elsewhere. 0600: whoever can open it can flock() it. */
                /* O_APPEND: a note is one write() (name_lock_note()); the
                 * holder's text goes to an empty file all the same. */
                fd = open(path, O_RDWR | O_APPEND | (create ? O_CREAT : 0) | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
                          0600);
                if (fd < 0 && errno == ENOENT && create && !made_dir) {
                        _cleanup_close_ int dir_fd = -EBADF;

                        r = lock_dir_open(dir, &dir_fd);
                        if (r < 0)
                                goto fail;
                        made_dir = true;
                        continue;
                }
                if (fd < 0) {
                        r = negative_errno();
                        goto fail;
                }
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        if (errno != EWOULDBLOCK)
                                return negative_errno();
                        if (ret_holder)
                                *ret_holder = read_holder(AT_FDCWD, path);
                        return -EBUSY;
                }
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                /* Still the file at that name? Its holder may have released and
                 * removed it between our open() and flock(). */
                if (lstat(path, &at) < 0 || at.st_dev != st.st_dev || at.st_ino != st.st_ino)
                        continue;
                /* One an earlier cell made 0644 is made root's only too. */
                if ((st.st_mode & 0077) != 0 && fchmod(fd, st.st_mode & 0700) < 0)
                        return negative_errno();
                /* What the last holder wrote, before ours replaces it: it is gone
                 * (its lock was free), and this is all that is left of it. */
                if (previous && st.st_size > 0) {
                        ssize_t k = pread(fd, previous, NAME_LOCK_NOTES_MAX - 1, 0);
                        previous[MAX(k, (ssize_t) 0)] = 0;
                }
                if (text && (st.st_size == 0 || ftruncate(fd, 0) >= 0))
                        (void) !write(fd, text, strlen(text));
                *ret_fd = TAKE_FD(fd);
                if (ret_previous)
                        *ret_previous = TAKE_PTR(previous);
                return 0;
        }
fail:
        if (!not_ours_to_write(r))
                return r;
        *ret_fd = -EBADF;       /* no lock where the runtime state cannot be either */
        if (ret_previous)
                *ret_previous = NULL;
        return 0;
}

/* NAME.lock, or NAME.take-back (the take-back lock): never one of
 * the other (a name has no '/', and the two end differently). */
static int file_name(const char *name, const char *suffix, char **ret) {
        if (isempty(name) || strchr(name, '/'))
                return -EINVAL;
        return asprintf(ret, "%s%s", name, suffix) < 0 ? -ENOMEM : 0;
}

static void release_file(const char *file, int fd) {
        _cleanup_free_ char *path = NULL;
        struct stat a, b;

        if (fd < 0)
                return;
        /* Removed while held, and only if the file at the path is the one
         * we hold: a locker that opened it in between finds it replaced
         * after its flock() and starts over. */
        if (asprintf(&path, "%s/" NAME_LOCK_SUBDIR "/%s", runtime_state_dir(), file) >= 0 && fstat(fd, &a) >= 0 &&
            lstat(path, &b) >= 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
                (void) unlink(path);
        safe_close(fd);
}

/* NAME's take-back lock: 0 and *ret_fd (-EBADF where nothing may be
 * written), -EBUSY while another process holds it. */
static int take_back_lock(const char *name, int *ret_fd) {
        _cleanup_free_ char *file = NULL;
        char pid[32];
        int r;

        r = file_name(name, NAME_LOCK_TAKE_BACK_SUFFIX, &file);
        if (r < 0)
                return r;
        (void) snprintf(pid, sizeof pid, "%d\n", (int) getpid());
        return take(file, true, pid, ret_fd, NULL, NULL);
}

static void take_back_unlock(const char *name, int fd) {
        _cleanup_free_ char *file = NULL;

        if (file_name(name, NAME_LOCK_TAKE_BACK_SUFFIX, &file) < 0) {
                safe_close(fd);
                return;
        }
        release_file(file, fd);
}

int name_lock_acquire(const char *name, int *ret_fd, pid_t *ret_holder, char **ret_previous) {
        return name_lock_acquire_as(name, _CGROUP_MANAGER_MAX, ret_fd, ret_holder, ret_previous);
}

int name_lock_acquire_as(const char *name, CgroupManager manager, int *ret_fd, pid_t *ret_holder,
                         char **ret_previous) {
        uint64_t deadline = now_monotonic_usec() + name_lock_take_back_wait_ms * USEC_PER_MSEC;
        _cleanup_free_ char *file = NULL;
        const char *m = cgroup_manager_to_string(manager);
        char pid[64];
        int r;

        r = file_name(name, ".lock", &file);
        if (r < 0)
                return r;
        /* The PID first (read_holder()), then the manager, for "cell list". */
        (void) snprintf(pid, sizeof pid, "%d\n%s%s%s", (int) getpid(), m ? NAME_LOCK_NOTE_MANAGER " " : "",
                        strempty(m), m ? "\n" : "");
        for (;;) {
                int mark_fd = -EBADF;

                r = take(file, true, pid, ret_fd, ret_holder, ret_previous);
                if (r != -EBUSY)
                        return r;
                /* Held: by a running cell, or by a take-back of what a
                 * killed one left, which holds the take-back lock from
                 * before it takes the name's to after it lets it go. */
                r = take_back_lock(name, &mark_fd);
                if (r == -EBUSY) {
                        /* A take-back is at it (a few rmdir()s): wait for it. */
                        if (now_monotonic_usec() >= deadline)
                                return -EAGAIN;
                        (void) nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000000L }, NULL);
                        continue;
                }
                if (r < 0 || mark_fd < 0)
                        return -EBUSY;  /* no take-back lock: as a running cell's */
                /* Ours: no take-back holds the name's lock now, or takes it
                 * while we look; a holder is a running cell. */
                r = take(file, true, pid, ret_fd, ret_holder, ret_previous);
                take_back_unlock(name, mark_fd);
                return r;
        }
}

int name_lock_take_stale(const char *name, int *ret_fd, int *ret_take_back_fd, char **ret_notes) {
        _cleanup_free_ char *file = NULL;
        int mark_fd = -EBADF, r;

        r = file_name(name, ".lock", &file);
        if (r < 0)
                return r;
        /* Before the name's lock, so that a start that finds that held
         * tells this take-back from a running cell and waits for it. */
        r = take_back_lock(name, &mark_fd);
        if (r < 0)
                return r;
        r = take(file, false, NULL, ret_fd, NULL, ret_notes);
        if (r < 0) {
                take_back_unlock(name, mark_fd);
                return r;
        }
        *ret_take_back_fd = mark_fd;
        return 0;
}

void name_lock_release_stale(const char *name, int fd, int take_back_fd, bool remove) {
        if (remove)
                name_lock_release(name, fd);
        else
                safe_close(fd);
        /* After the name's: a start that waited finds it free. */
        take_back_unlock(name, take_back_fd);
}

void name_lock_note(int fd, const char *key, const char *value) {
        _cleanup_free_ char *line = NULL;

        /* One line a note: a value with a newline is not noted (the cell
         * that made it then takes it back itself, or the next of its name). */
        if (fd < 0 || strchr(value, '\n') || asprintf(&line, "%s %s\n", key, value) < 0)
                return;
        (void) !write(fd, line, strlen(line));   /* O_APPEND (take()) */
}

/* A take-back killed halfway leaves its lock file, unheld: removed by the
 * cell that ends while it holds the name, so that none outlives the name's
 * own. Never waits: a take-back that holds it now removes it itself. */
static void drop_take_back_left(const char *name) {
        _cleanup_free_ char *file = NULL, *path = NULL;
        int fd;

        if (file_name(name, NAME_LOCK_TAKE_BACK_SUFFIX, &file) < 0 ||
            asprintf(&path, "%s/" NAME_LOCK_SUBDIR "/%s", runtime_state_dir(), file) < 0)
                return;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return;         /* the usual case: none was left */
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                safe_close(fd);
                return;
        }
        release_file(file, fd);
}

void name_lock_release(const char *name, int fd) {
        _cleanup_free_ char *file = NULL;

        if (fd < 0)
                return;
        if (file_name(name, ".lock", &file) < 0) {
                safe_close(fd);
                return;
        }
        /* Before the name's: no take-back of it can begin meanwhile. */
        drop_take_back_left(name);
        release_file(file, fd);
}

/* Whether the file RUNTIME/lock/FILE is locked by pid. */
static bool held_by(int dir_fd, const char *file, pid_t pid) {
        struct stat st;

        return fstatat(dir_fd, file, &st, AT_SYMLINK_NOFOLLOW) >= 0 && lock_file_held_by(pid, st.st_dev, st.st_ino);
}

/* Whether the holder noted NAME_LOCK_NOTE_STARTED: a run whose systemd scope
 * is the trace of it from then on. */
static bool holder_started(int dir_fd, const char *file) {
        _cleanup_close_ int fd = openat(dir_fd, file, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        char buf[4096];
        ssize_t n;

        if (fd < 0 || (n = read(fd, buf, sizeof buf - 1)) <= 0)
                return false;
        buf[n] = 0;
        return strstr(buf, "\n" NAME_LOCK_NOTE_STARTED " ");
}

/* The PID NAME's lock file names, if that process holds the lock, is no
 * take-back (it does not hold NAME.take-back too) and did not note
 * NAME_LOCK_NOTE_STARTED; 0 if none. *ret_pidfd: a pidfd of it
 * (O_CLOEXEC), opened before the lock is looked at, so that a PID reused
 * since cannot be taken for the holder. */
static pid_t lock_holder(const char *name, int *ret_pidfd) {
        _cleanup_free_ char *dir = NULL, *file = NULL, *take_back = NULL;
        _cleanup_close_ int dir_fd = -EBADF, pidfd = -EBADF;
        pid_t pid;

        if (file_name(name, ".lock", &file) < 0 || file_name(name, NAME_LOCK_TAKE_BACK_SUFFIX, &take_back) < 0 ||
            asprintf(&dir, "%s/" NAME_LOCK_SUBDIR, runtime_state_dir()) < 0)
                return 0;
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return 0;
        pid = read_holder(dir_fd, file);
        if (pid <= 0 || pid == getpid() || holder_started(dir_fd, file))
                return 0;
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return 0;
        if (!held_by(dir_fd, file, pid) || held_by(dir_fd, take_back, pid))
                return 0;
        *ret_pidfd = TAKE_FD(pidfd);
        return pid;
}

int name_lock_holder_pidfd(const char *name, pid_t *ret_pid) {
        int pidfd = -EBADF;
        pid_t pid = lock_holder(name, &pidfd);

        if (pid <= 0)
                return -ESRCH;
        if (ret_pid)
                *ret_pid = pid;
        return pidfd;
}

CgroupManager name_lock_holder_manager(const char *name) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        char buf[256], *l;
        ssize_t n;

        if (name_lock_path(name, &path) < 0)
                return _CGROUP_MANAGER_MAX;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || (n = read(fd, buf, sizeof buf - 1)) <= 0)
                return _CGROUP_MANAGER_MAX;
        buf[n] = 0;
        /* "PID\nmanager NAME\n...": the second line, as the holder wrote it. */
        l = strchr(buf, '\n');
        l = l ? (char *) startswith(l + 1, NAME_LOCK_NOTE_MANAGER " ") : NULL;
        if (!l)
                return _CGROUP_MANAGER_MAX;
        l[strcspn(l, "\n")] = 0;
        return cgroup_manager_from_string(l);
}

int name_lock_names(char ***ret) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_strv_free_ char **names = NULL;
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (asprintf(&dir, "%s/" NAME_LOCK_SUBDIR, runtime_state_dir()) < 0)
                return -ENOMEM;
        d = opendir(dir);
        if (!d) {
                *ret = NULL;
                return errno == ENOENT ? 0 : -errno;
        }
        while (r >= 0 && (de = readdir(d))) {
                const char *e = endswith(de->d_name, ".lock");
                char *n;

                /* NAME.lock; not NAME.take-back, nor a dot file of ours. */
                if (!e || e == de->d_name || de->d_name[0] == '.')
                        continue;
                n = strndup(de->d_name, (size_t) (e - de->d_name));
                r = n ? strv_push(&names, n) : -ENOMEM;
        }
        closedir(d);
        if (r < 0)
                return r;
        strv_sort(names);
        *ret = TAKE_PTR(names);
        return 0;
}
