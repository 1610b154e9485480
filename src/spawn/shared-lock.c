/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Advisory locks on the places containers share (shared-lock.h). */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
#include "shared-lock.h"

static int place_open(const char *path) {
        /* Followed as the build follows it (mount-root.c, mount-source.c):
         * the lock is on the directory a link leads to now, and the build
         * checks that it finds that one (shared_locks_check()). O_PATH:
         * only its identity is wanted. CLOEXEC: the container never holds
         * it, only its supervisor. */
        return RET_NERRNO(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

static int lock_file_openat(int dir_fd, dev_t dev, ino_t ino, int *ret_fd) {
        char name[64];

        lock_file_inode_name(name, sizeof name, dev, ino);
        /* No symlink followed, and root's alone: no one else can flock() it. */
        return lock_file_open(dir_fd, name, ret_fd);
}

int shared_lock_file_open(const char *lock_dir, dev_t dev, ino_t ino, int *ret_fd) {
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        r = lock_dir_open(lock_dir ?: SHARED_LOCK_DIR, &dir_fd);
        if (r < 0)
                return r;
        return lock_file_openat(dir_fd, dev, ino, ret_fd);
}

/* Whether fd is still the lock file at its name: the last holder removes
 * it when it leaves (lock_file_release_shared()), maybe between our
 * open() and our flock(); then we lock it anew. */
static bool lock_file_current(int dir_fd, dev_t dev, ino_t ino, int fd) {
        char name[64];

        lock_file_inode_name(name, sizeof name, dev, ino);
        return lock_file_is_current(dir_fd, name, fd);
}

static int flock_retry(int fd, int op) {
        while (flock(fd, op) < 0)
                if (errno != EINTR)
                        return negative_errno();
        return 0;
}

/* LOCK_SH on the lock file of the place (dev, ino), through *fd, or a
 * fresh open of it where *fd is -EBADF or is no longer the file at its
 * name once locked (its last holder removes it as it leaves:
 * lock_file_release_shared()); waited for while a take-back holds it
 * (lock_fd_wait()). *ret_opening: what failed was the open. */
static int place_lock(int dir_fd, dev_t dev, ino_t ino, int *fd, bool *ret_opening) {
        for (;;) {
                int r;

                if (*fd < 0) {
                        r = lock_file_openat(dir_fd, dev, ino, fd);
                        if (r < 0) {
                                *ret_opening = true;
                                return r;
                        }
                }
                r = lock_fd_wait(*fd, LOCK_SH, SHARED_LOCK_WAIT_SEC * 1000);
                if (r < 0) {
                        *ret_opening = false;
                        return r;
                }
                if (lock_file_current(dir_fd, dev, ino, *fd))
                        return 0;
                *fd = safe_close(*fd);
        }
}

/* The place's identity: of place_fd (the caller's, opened already), else
 * of path opened here. 0: missing, or a file. */
static int place_stat(const char *path, int place_fd, bool optional, const char *key, struct stat *ret,
                      SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;

        if (place_fd < 0) {
                fd = place_open(path);
                /* Missing: the build reports it (or skips it, "-"), having
                 * made nothing there. A file source has no mount point made
                 * in it. */
                if (fd == -ENOENT || fd == -ENOTDIR)
                        return 0;
                if (fd < 0)
                        return spawn_error(err, fd, "%s=%s%s: cannot open it to lock it against another "
                                           "container's take-back", key, optional ? "-" : "", path);
                place_fd = fd;
        }
        if (fstat(place_fd, ret) < 0)
                return spawn_error(err, errno, "%s=%s: cannot stat", key, path);
        return S_ISDIR(ret->st_mode);
}

static int place_add(SharedLocks *l, int *dir_fd, const char *path, const struct stat *st, const char *key,
                     SpawnError *err) {
        _cleanup_close_ int lock_fd = -EBADF;
        SharedLock *n;
        bool opening;
        int r;

        /* Each place once: a second fresh open would conflict with the
         * first one's LOCK_EX in the take-back. */
        for (size_t i = 0; i < l->n; i++)
                if (!l->locks[i].held && l->locks[i].dev == st->st_dev && l->locks[i].ino == st->st_ino)
                        return 0;
        /* The lock files' directory, once per start. */
        r = *dir_fd >= 0 ? 0 : lock_dir_open(l->dir ?: SHARED_LOCK_DIR, dir_fd);
        if (r < 0)
                return spawn_error(err, r, "%s=%s: cannot open %s", key, path, l->dir ?: SHARED_LOCK_DIR);
        r = place_lock(*dir_fd, st->st_dev, st->st_ino, &lock_fd, &opening);
        if (r < 0 && opening)
                return spawn_error(err, r, "%s=%s: cannot open its lock file in %s", key, path,
                                   l->dir ?: SHARED_LOCK_DIR);
        /* Waited for: a take-back under way holds LOCK_EX for milliseconds;
         * after it, whatever it removed is gone before we look. Not for
         * ever: a start must not hang unsaid, whatever holds it (above). */
        if (r == -EWOULDBLOCK) {
                char name[64];

                lock_file_inode_name(name, sizeof name, st->st_dev, st->st_ino);
                return spawn_error(err, r, "%s=%s: its lock (%s/%s) has been held exclusively for %u s; cell takes "
                                   "a shared one against another container's take-back", key, path,
                                   l->dir ?: SHARED_LOCK_DIR, name, SHARED_LOCK_WAIT_SEC);
        }
        if (r < 0)
                return spawn_error(err, r, "%s=%s: cannot lock it against another container's take-back", key,
                                   path);
        n = realloc(l->locks, (l->n + 1) * sizeof *n);
        if (!n)
                return spawn_error(err, ENOMEM, "%s=%s: locking", key, path);
        l->locks = n;
        n[l->n] = (SharedLock) { .path = strdup(path), .fd = -EBADF, .dev = st->st_dev, .ino = st->st_ino };
        if (!n[l->n].path)
                return spawn_error(err, ENOMEM, "%s=%s: locking", key, path);
        n[l->n++].fd = TAKE_FD(lock_fd);
        return 0;
}

int shared_locks_acquire(const Plan *p, int root_fd, const char *lock_dir, SharedLocks *ret, SpawnError *err) {
        SharedLocks l = { .dir = lock_dir };
        _cleanup_close_ int dir_fd = -EBADF;
        struct stat st;
        int r = 0;

        if (p->root_directory && !p->root_image) {
                r = place_stat(p->root_directory, root_fd, false, "Directory", &st, err);
                if (r > 0) {
                        l.root_known = true;
                        l.root_dev = st.st_dev;
                        l.root_ino = st.st_ino;
                }
                /* The root is Directory= itself (not cell's tmpfs or
                 * overlay over it, which nothing is made in). */
                if (r > 0 && (p->root_volatile == CELL_VOLATILE_NO || p->root_volatile == CELL_VOLATILE_STATE))
                        r = place_add(&l, &dir_fd, p->root_directory, &st, "Directory", err);
        }
        for (size_t i = 0; r >= 0 && i < p->n_mounts; i++) {
                const PlanMount *m = p->mounts + i;
                const char *key = m->flags & MS_RDONLY ? "BindReadOnly" : "Bind";

                if (!shared_lock_mount_is_place(m))
                        continue;
                r = place_stat(m->source, -EBADF, m->optional, key, &st, err);
                if (r > 0)
                        r = place_add(&l, &dir_fd, m->source, &st, key, err);
        }
        if (r < 0) {
                shared_locks_done(&l);
                return r;
        }
        /* With ours held: the lock files that holders killed (SIGKILL) left,
         * which no release removed -- of places that may be gone for good
         * (a removed directory's identity names nothing any more) -- go,
         * as a last holder removes its own; a few of them where there are
         * many, others at each start (from a place our PID picks). */
        if (dir_fd >= 0)
                (void) lock_dir_sweep(dir_fd, SHARED_LOCK_SWEEP_MAX, (size_t) getpid());
        *ret = l;
        return 0;
}

int shared_locks_check(const SharedLocks *l, const PlanMount *m, int fd) {
        struct stat st;

        if (!l || (m ? !shared_lock_mount_is_place(m) : !l->root_known))
                return 0;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!m)
                return st.st_dev == l->root_dev && st.st_ino == l->root_ino ? 0 : -ESTALE;
        if (!S_ISDIR(st.st_mode))
                return 0;
        /* The lock taken for this path... */
        for (size_t i = 0; i < l->n; i++)
                if (!l->locks[i].held && streq(l->locks[i].path, m->source))
                        return l->locks[i].dev == st.st_dev && l->locks[i].ino == st.st_ino ? 0 : -ESTALE;
        /* ... or, for a second name of a place locked once, any place's. */
        for (size_t i = 0; i < l->n; i++)
                if (!l->locks[i].held && l->locks[i].dev == st.st_dev && l->locks[i].ino == st.st_ino)
                        return 0;
        return -ESTALE;
}

int shared_locks_add_held(SharedLocks *l, const char *path, int fd) {
        _cleanup_close_ int copy = -EBADF;
        SharedLock *n;

        /* A copy of the same open file: the lock is the open file's. */
        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return -errno;
        n = realloc(l->locks, (l->n + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        l->locks = n;
        n[l->n] = (SharedLock) { .path = strdup(path), .fd = -EBADF, .held = true };
        if (!n[l->n].path)
                return -ENOMEM;
        n[l->n++].fd = TAKE_FD(copy);
        return 0;
}

int shared_locks_exclusive(SharedLocks *l, bool *busy) {
        _cleanup_close_ int dir_fd = -EBADF;
        int n_busy = 0;

        for (size_t i = 0; i < l->n; i++) {
                _cleanup_close_ int fd = -EBADF;

                busy[i] = false;
                /* Nothing is taken back from an image by another's leave:
                 * a written one is ours alone, a read-only one unwritten;
                 * nor from a port. */
                if (l->locks[i].held)
                        continue;
                /* A fresh open of the lock file of the directory locked,
                 * not of its path: a link in Directory= or a Bind= source
                 * turned since, or the directory renamed, must not move
                 * the lock off what another container may hold. */
                if (dir_fd < 0)
                        (void) lock_dir_open(l->dir ?: SHARED_LOCK_DIR, &dir_fd);
                if (dir_fd >= 0)
                        (void) lock_file_openat(dir_fd, l->locks[i].dev, l->locks[i].ino, &fd);
                /* Ours next, or it conflicts with the fresh one. */
                l->locks[i].fd = safe_close(l->locks[i].fd);
                /* Removed before our flock (by a last holder, or another
                 * start's sweep, lock_dir_sweep(), now that ours is let
                 * go): the file at its name now is the lock, made anew
                 * where missing; one another start holds is busy. */
                for (unsigned tries = 0; fd >= 0; tries++) {
                        if (flock_retry(fd, LOCK_EX | LOCK_NB) < 0) {
                                fd = safe_close(fd);
                                break;
                        }
                        if (lock_file_current(dir_fd, l->locks[i].dev, l->locks[i].ino, fd))
                                break;
                        fd = safe_close(fd);
                        if (tries < 16)
                                (void) lock_file_openat(dir_fd, l->locks[i].dev, l->locks[i].ino, &fd);
                }
                if (fd < 0) {
                        busy[i] = true;         /* another's, or cannot tell: kept */
                        n_busy++;
                        continue;
                }
                l->locks[i].fd = TAKE_FD(fd);
        }
        return n_busy;
}

int shared_locks_exclusive_kept(SharedLocks *l, bool *busy) {
        _cleanup_close_ int dir_fd = -EBADF;
        int n_busy = 0;

        for (size_t i = 0; i < l->n; i++) {
                SharedLock *k = l->locks + i;
                bool opening;

                busy[i] = false;
                if (k->held)
                        continue;
                /* Our own lock converted where it is: a fresh open would
                 * conflict with it. Still the file at its name: no last
                 * holder removes it while we hold it. */
                if (k->fd >= 0 && flock_retry(k->fd, LOCK_EX | LOCK_NB) >= 0)
                        continue;
                busy[i] = true;
                n_busy++;
                /* Another holds it, and the kernel let ours go with the
                 * failed conversion (flock(2)): taken again at once, as at
                 * the start. Nothing of ours is in the place meanwhile (the
                 * first init is dead, the second not cloned), so a
                 * take-back of another start that gets it in between takes
                 * nothing from under us. */
                if (dir_fd < 0 && lock_dir_open(l->dir ?: SHARED_LOCK_DIR, &dir_fd) < 0)
                        k->fd = safe_close(k->fd);
                else if (place_lock(dir_fd, k->dev, k->ino, &k->fd, &opening) < 0)
                        k->fd = safe_close(k->fd);
        }
        return n_busy;
}

int shared_locks_share(SharedLocks *l, SpawnError *err) {
        for (size_t i = 0; i < l->n; i++) {
                SharedLock *k = l->locks + i;
                int r;

                if (k->held)
                        continue;
                /* LOCK_EX to LOCK_SH in one step of the kernel's (the old
                 * lock goes and the new one comes under the inode's lock
                 * list's lock): no other start's or take-back's flock()
                 * gets between. LOCK_SH already: nothing to do. */
                r = k->fd < 0 ? -ENOLCK : flock_retry(k->fd, LOCK_SH | LOCK_NB);
                if (r < 0)
                        return spawn_error(err, r, "%s: cannot lock it again against another container's "
                                           "take-back, for the container's init cloned again", k->path);
        }
        return 0;
}

bool shared_locks_on(const SharedLocks *l, dev_t dev) {
        for (size_t i = 0; i < l->n; i++)
                if (!l->locks[i].held && l->locks[i].dev == dev)
                        return true;
        return false;
}

void shared_locks_done(SharedLocks *l) {
        for (size_t i = 0; i < l->n; i++) {
                /* A place's lock file goes with its last holder; of the
                 * locks only held (shared_locks_add_held()), an image's and
                 * a macvlan address's (netif-lock.h). */
                if (l->locks[i].held)
                        lock_file_release_shared_any(l->locks[i].fd, (const char *const[]) { CELL_IMAGE_LOCK_DIR,
                                                                                             CELL_MACVLAN_LOCK_DIR,
                                                                                             NULL });
                else
                        lock_file_release_shared(l->locks[i].fd, l->dir ?: SHARED_LOCK_DIR);
                free(l->locks[i].path);
        }
        l->locks = mfree(l->locks);
        l->n = 0;
}
