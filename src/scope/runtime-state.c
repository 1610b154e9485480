/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-util.h"
#include "config-build.h"
#include "lock-file.h"
#include "parse-util.h"
#include "runtime-state.h"
#include "strv.h"

void runtime_state_done(RuntimeState *s) {
        free(s->name);
        free(s->unit_path);
        free(s->service);
        *s = (RuntimeState) {};
}

const char *runtime_state_dir(void) {
        const char *e = getenv("CELL_RUNTIME_DIR");
        return !isempty(e) && e[0] == '/' ? e : CELL_RUNTIME_DIR;
}

int runtime_pid_start_time(pid_t pid, uint64_t *ret) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        unsigned long long start;
        const char *p;
        int r;

        if (pid <= 0)
                return -EINVAL;
        if (asprintf(&path, "/proc/%d/stat", (int) pid) < 0)
                return -ENOMEM;
        r = cg_read_file(path, &text);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        /* comm may hold anything, ')' too: the fields start after the last ')'. */
        p = strrchr(text, ')');
        if (!p)
                return -EIO;
        /* A zombie has exited: it merely waits for a parent that reaps it
         * (after a SIGKILLed cell, the host's init, which may take its time). */
        if (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
                return -ESRCH;
        /* After ")": state(3) ppid ... starttime is field 22, the 20th after comm. */
        if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &start) != 1)
                return -EIO;
        *ret = start;
        return 0;
}

bool runtime_pid_is(pid_t pid, uint64_t start) {
        uint64_t s;
        return pid > 0 && runtime_pid_start_time(pid, &s) >= 0 && s == start;
}

/* 1: pid still is the process of start time start; 0: it is gone (or
 * another); -errno: its /proc stat could not be read (EMFILE, ENOMEM, EACCES
 * under hidepid=), which says nothing about whether it runs. */
static int pid_check(pid_t pid, uint64_t start) {
        uint64_t s;
        int r;

        if (pid <= 0)
                return 0;
        r = runtime_pid_start_time(pid, &s);
        if (r == -ESRCH)
                return 0;
        if (r < 0)
                return r;
        return s == start;
}

int runtime_state_format(const RuntimeState *s, char **ret) {
        char *t;

        if (!s->name || strchr(s->name, '\n') || (s->unit_path && strchr(s->unit_path, '\n')) ||
            (s->service && strchr(s->service, '\n')))
                return -EINVAL;
        if (asprintf(&t,
                     "NAME=%s\n"
                     "UNIT=%s\n"
                     "SERVICE=%s\n"
                     "MANAGER=%s\n"
                     "SUPERVISOR=%d\n"
                     "SUPERVISOR_START=%" PRIu64 "\n"
                     "LEADER=%d\n"
                     "LEADER_START=%" PRIu64 "\n"
                     "SINCE=%" PRIu64 "\n",
                     s->name, strempty(s->unit_path), strempty(s->service),
                     strna(cgroup_manager_to_string(s->manager)),
                     (int) s->supervisor, s->supervisor_start, (int) s->leader, s->leader_start,
                     s->since_usec) < 0)
                return -ENOMEM;
        *ret = t;
        return 0;
}

static int parse_pid(const char *v, pid_t *ret) {
        uint64_t u;
        if (parse_uint64(v, &u) < 0 || u == 0 || u > INT32_MAX)
                return -EINVAL;
        *ret = (pid_t) u;
        return 0;
}

int runtime_state_parse(const char *text, RuntimeState *ret) {
        RuntimeState s = { .manager = _CGROUP_MANAGER_MAX };
        _cleanup_free_ char *copy = strdup(text);
        char *save = NULL;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        for (char *l = strtok_r(copy, "\n", &save); l && r >= 0; l = strtok_r(NULL, "\n", &save)) {
                char *v = strchr(l, '=');
                if (!v)
                        continue;
                *v++ = 0;
                if (streq(l, "NAME"))
                        r = (free(s.name), s.name = strdup(v)) ? 0 : -ENOMEM;
                else if (streq(l, "UNIT"))
                        r = (free(s.unit_path), s.unit_path = strdup(v)) ? 0 : -ENOMEM;
                else if (streq(l, "SERVICE")) {
                        s.service = mfree(s.service);
                        r = isempty(v) || (s.service = strdup(v)) ? 0 : -ENOMEM;
                }
                else if (streq(l, "MANAGER"))
                        s.manager = cgroup_manager_from_string(v);
                else if (streq(l, "SUPERVISOR"))
                        r = parse_pid(v, &s.supervisor);
                else if (streq(l, "SUPERVISOR_START"))
                        r = parse_uint64(v, &s.supervisor_start);
                else if (streq(l, "LEADER"))
                        r = parse_pid(v, &s.leader);
                else if (streq(l, "LEADER_START"))
                        r = parse_uint64(v, &s.leader_start);
                else if (streq(l, "SINCE"))
                        r = parse_uint64(v, &s.since_usec);
                /* unknown keys: written by a newer cell, ignored */
        }
        if (r >= 0 && (!s.name || s.leader <= 0 || s.supervisor <= 0 || s.manager == _CGROUP_MANAGER_MAX))
                r = -EBADMSG;
        /* A value that is no number ("LEADER_START=", another version's
         * format) is a state that does not parse too: -EINVAL would make
         * "cell list" list none of the other cells. */
        if (r < 0 && r != -ENOMEM)
                r = -EBADMSG;
        if (r < 0) {
                runtime_state_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

static int state_path(const char *name, const char *file, char **ret) {
        /* The name becomes one path component: never a way out of the directory. */
        if (isempty(name) || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return -EINVAL;
        return asprintf(ret, "%s/%s%s%s", runtime_state_dir(), name, file ? "/" : "", strempty(file)) < 0
                ? -ENOMEM : 0;
}

/* DIR/.state-lock, flock'ed while a state is replaced or removed: a check
 * of whose state is there and the rename or unlink after it are one step
 * for every other cell (two starts of a name run at once where no name
 * lock orders them, name-lock.h). Held for microseconds, so waited for
 * 1 s at most: a holder stopped there (SIGSTOP) must not stop every other
 * cell's start and end; without it, as without a lock that cannot be had
 * (the directory not writable: then there is no state either), the step
 * is taken unlocked. */
static int state_lock(void) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (asprintf(&path, "%s/.state-lock", runtime_state_dir()) < 0)
                return -ENOMEM;
        if (mkdir(runtime_state_dir(), 0755) < 0 && errno != EEXIST)
                return negative_errno();
        /* 0600, O_NOFOLLOW: only root opens it, nothing planted there is locked instead. */
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        r = lock_fd_wait(fd, LOCK_EX, 1000);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

/* The state file at path moved to gone, if it is the file of inode ino
 * (the one read): 0, and it waits at gone to be unlinked. One written
 * since (without the lock) is put back, unless yet another is there now:
 * -EEXIST. -ENOENT: none at path. */
static int state_take_away(const char *path, const char *gone, ino_t ino) {
        struct stat st;

        if (rename(path, gone) < 0)
                return negative_errno();
        if (lstat(gone, &st) >= 0 && st.st_ino == ino)
                return 0;
        if (renameat2(AT_FDCWD, gone, AT_FDCWD, path, RENAME_NOREPLACE) < 0)
                (void) unlink(gone);
        return -EEXIST;
}

/* Puts s's state file in place. check: only over the file of inode ino
 * (0: only where there is none): -EEXIST when another is there instead
 * (written since it was looked at, without the lock), which stays. */
static int state_write(const RuntimeState *s, bool check, ino_t ino) {
        _cleanup_free_ char *text = NULL, *dir = NULL, *tmp = NULL, *path = NULL, *gone = NULL;
        int r;

        r = runtime_state_format(s, &text);
        if (r < 0)
                return r;
        if ((r = state_path(s->name, NULL, &dir)) < 0 ||
            (r = state_path(s->name, "state", &path)) < 0)
                return r;
        /* Ours alone: two writers of one temporary file (one stopped
         * between its open() and write()) wrote into each other's state. */
        if (asprintf(&tmp, "%s/.state.tmp.%d", dir, (int) getpid()) < 0 ||
            asprintf(&gone, "%s/.state.gone.%d", dir, (int) getpid()) < 0)
                return -ENOMEM;
        /* Only root's: what is in here decides which PID "cell stop" signals. */
        if (mkdir(runtime_state_dir(), 0755) < 0 && errno != EEXIST)
                return negative_errno();
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();

        _cleanup_close_ int fd = open(tmp, O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW|O_CLOEXEC, 0644);
        if (fd < 0)
                return negative_errno();
        size_t n = strlen(text);
        if (write(fd, text, n) != (ssize_t) n) {
                r = errno > 0 ? -errno : -EIO;
                (void) unlink(tmp);
                return r;
        }
        /* The one looked at taken away first, then ours put where there is
         * none: a state another start wrote since is never replaced. */
        if (check && ino != 0) {
                r = state_take_away(path, gone, ino);
                if (r >= 0)
                        (void) unlink(gone);
                else if (r != -ENOENT) {
                        (void) unlink(tmp);
                        return r;
                }
        }
        if (check)
                r = RET_NERRNO(renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE));
        else
                r = RET_NERRNO(rename(tmp, path));
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int runtime_state_write(const RuntimeState *s) {
        return state_write(s, false, 0);
}

/* DIR/NAME/state, parsed, and which file it was: *ret_ino (if not NULL;
 * 0 when none is there). */
static int read_raw(const char *name, RuntimeState *ret, ino_t *ret_ino) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (ret_ino)
                *ret_ino = 0;
        r = state_path(name, "state", &path);
        if (r < 0)
                return r;
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        if (ret_ino)
                *ret_ino = st.st_ino;
        r = cg_read_fd(fd, &text);
        if (r < 0)
                return r;
        return runtime_state_parse(text, ret);
}

int runtime_state_read(const char *name, RuntimeState *ret) {
        RuntimeState s;
        int r;

        r = read_raw(name, &s, NULL);
        if (r < 0)
                return r;
        /* Stale only for a leader that is gone: one whose stat cannot be read
         * (out of fds) may run on, and "cell stop" would take it for ended. */
        r = pid_check(s.leader, s.leader_start);
        if (r <= 0) {
                runtime_state_done(&s);
                return r < 0 ? r : -ESTALE;
        }
        *ret = s;
        return 0;
}

int runtime_state_left(const char *name, RuntimeState *ret) {
        RuntimeState s;
        int r;

        r = read_raw(name, &s, NULL);
        /* None, or one that does not parse: nothing known of a killed run. */
        if (r == -ENOENT || r == -EBADMSG)
                return 0;
        if (r < 0)
                return r;
        /* Both gone: a payload that outlived its cell (it cleared its
         * parent-death signal) still runs, and a cell run still cleaning up
         * removes the state itself. */
        r = pid_check(s.leader, s.leader_start);
        if (r == 0)
                r = pid_check(s.supervisor, s.supervisor_start);
        if (r != 0) {
                runtime_state_done(&s);
                return r < 0 ? r : 0;
        }
        *ret = s;
        return 1;
}

int runtime_state_of_supervisor(const char *name, pid_t supervisor) {
        RuntimeState s;
        int r;

        if (supervisor <= 0)
                return 0;
        r = read_raw(name, &s, NULL);
        /* None, or one that does not parse (another version's): not this run's record. */
        if (r == -ENOENT || r == -EBADMSG)
                return 0;
        if (r < 0)
                return r;
        r = s.supervisor == supervisor ? pid_check(s.supervisor, s.supervisor_start) : 0;
        runtime_state_done(&s);
        return r;
}

/* What writers killed mid-write left in dir: their .state.tmp.PID and
 * .state.gone.PID (each writer names its own), removed where PID no longer
 * runs, so that the last state's removal takes the directory too. A
 * running writer's are its own to finish. */
static void state_dir_sweep(const char *dir) {
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct dirent *de;
        DIR *d;

        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d)
                return;
        fd = -EBADF;    /* the DIR's now */
        while ((de = readdir(d))) {
                const char *p = startswith(de->d_name, ".state.tmp.") ?: startswith(de->d_name, ".state.gone.");
                uint64_t pid;

                if (!p || parse_uint64(p, &pid) < 0 || pid == 0 || pid > INT32_MAX || (pid_t) pid == getpid())
                        continue;
                if (kill((pid_t) pid, 0) < 0 && errno == ESRCH)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
}

int runtime_state_remove(const char *name, pid_t supervisor) {
        _cleanup_free_ char *dir = NULL, *path = NULL, *gone = NULL;
        _cleanup_close_ int lock_fd = -EBADF;
        RuntimeState s;
        ino_t ino;
        int r;

        lock_fd = state_lock();
        r = read_raw(name, &s, &ino);
        if (r >= 0) {
                /* Ours, or a killed cell's that nobody else will remove; not
                 * one whose supervisor could not be looked at (out of fds). */
                int alive = s.supervisor == supervisor ? 0 : pid_check(s.supervisor, s.supervisor_start);
                runtime_state_done(&s);
                if (alive < 0)
                        return alive;
                if (alive > 0)
                        return -EBUSY;  /* a running cell of that name wrote it since */
        } else if (r == -ENOMEM)
                return r;
        if ((r = state_path(name, "state", &path)) < 0 || (r = state_path(name, NULL, &dir)) < 0)
                return r;
        if (asprintf(&gone, "%s/.state.gone.%d", dir, (int) getpid()) < 0)
                return -ENOMEM;
        /* Taken away first, then looked at: only the file read above goes.
         * Without the lock (a holder stopped there for a second) another
         * start may have put its state there since; and a remover stopped
         * between its check and an unlink() by the name removed that one,
         * a running cell's, which no one could list or stop any more. */
        r = state_take_away(path, gone, ino);
        if (r == -EEXIST)
                return -EBUSY;
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0 && unlink(gone) < 0 && errno != ENOENT)
                return negative_errno();
        state_dir_sweep(dir);
        /* Not empty: another start writes its state there right now. */
        if (rmdir(dir) < 0 && errno != ENOENT && errno != ENOTEMPTY)
                return negative_errno();
        return 0;
}

int runtime_state_list(char ***ret) {
        _cleanup_strv_free_ char **names = NULL;
        DIR *d = opendir(runtime_state_dir());
        struct dirent *de;
        int r;

        if (!d) {
                if (errno != ENOENT)
                        return negative_errno();
                *ret = NULL;
                return 0;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&p, "%s/%s/state", runtime_state_dir(), de->d_name) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
                if (access(p, F_OK) < 0)
                        continue;       /* unit files and drop-in dirs share /run/cell */
                r = strv_extend(&names, de->d_name);
                if (r < 0) {
                        closedir(d);
                        return r;
                }
        }
        closedir(d);
        if (names)
                strv_sort(names);
        *ret = TAKE_PTR(names);
        return 0;
}

int runtime_state_publish(const char *name, const char *unit_path, CgroupManager manager, pid_t leader,
                          pid_t *ret_other) {
        _cleanup_free_ char *abs = unit_path ? realpath(unit_path, NULL) : NULL, *unit = NULL;
        struct timespec ts;
        int r;
        RuntimeState s = {
                .name = (char *) name,
                /* absolute: cell exec reads the unit again from anywhere */
                .unit_path = (char *) (abs ?: unit_path),
                .manager = manager,
                .supervisor = getpid(),
                .leader = leader,
        };

        /* Run by a service (cell@NAME.service with the cgroupfs manager): "cell stop"
         * stops the service, so that its Restart= does not start it again. */
        if (cg_own_unit(false, &unit) >= 0 && endswith(unit, ".service"))
                s.service = unit;

        r = runtime_pid_start_time(s.supervisor, &s.supervisor_start);
        if (r < 0)
                return r;
        clock_gettime(CLOCK_REALTIME, &ts);
        s.since_usec = (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;

        _cleanup_close_ int lock_fd = state_lock();
        /* Again when another start put its state there between our look
         * and our write (possible only without the lock). */
        for (unsigned i = 0; i < 16; i++) {
                RuntimeState other;
                ino_t ino = 0;

                r = read_raw(name, &other, &ino);
                if (r >= 0) {
                        /* Another cell of this name runs (its supervisor and its
                         * container both): its state stays, or it could no longer
                         * be listed, stopped or entered, and our end would remove
                         * what names it. A killed cell's state is replaced. */
                        bool running = other.supervisor != s.supervisor &&
                                runtime_pid_is(other.supervisor, other.supervisor_start) &&
                                runtime_pid_is(other.leader, other.leader_start);
                        if (running && ret_other)
                                *ret_other = other.supervisor;
                        runtime_state_done(&other);
                        if (running)
                                return -EBUSY;
                } else if (r == -ENOMEM)
                        return r;
                /* After that check: another cell is named even when our payload
                 * ended already (a zombie: -ESRCH, no state of ours). */
                r = runtime_pid_start_time(leader, &s.leader_start);
                if (r < 0)
                        return r;
                r = state_write(&s, true, ino);
                if (r != -EEXIST)
                        return r;
        }
        return -EBUSY;
}
