/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The places a container builds on that another one may share: the
 * Directory= root (two instances of a template, worker@1 and worker@2, have
 * the same one) and each Bind=/BindReadOnly= source that is a host
 * directory (two units may bind one). A mount point a start made there may
 * be another container's mount point by now, in its own mount namespace:
 * the kernel lets a take-back rmdir() it (since Linux 3.18) and detaches
 * that container's mount, lazily and silently. So cell processes keep a
 * protocol of advisory locks on them (flock, not on the directory itself,
 * which whoever may open it could flock() too -- a container on its own
 * "/" -- and so hold every other start or take-back of the place, but on a
 * file named after its identity in SHARED_LOCK_DIR, which only root opens,
 * as systemd-nspawn locks an image):
 *
 *   every start holds LOCK_SH on each place before anything is looked up
 *   or made in it, and for as long as its container runs (the supervisor;
 *   cell-monitor after the hand-over; never the container);
 *   a take-back of a failed start drops its own locks and takes LOCK_EX
 *   without waiting on each place anew: all of them, and it removes what
 *   it made in the root and in the Bind= mounts; any one busy, and it
 *   removes none of that (all or nothing), and says which place was busy.
 *
 * Advisory: only cell keeps it; what is not cell is not asked. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lock-file.h"
#include "plan.h"
#include "spawn-error.h"

typedef struct SharedLock {
        char *path;             /* as the unit names it: Directory=, a Bind= source, Image=; a Port='s lock file */
        int fd;                 /* the directory, or Image='s or a Port='s lock file, flock'ed; -EBADF: let go */
        dev_t dev;              /* its file system, when it was locked (an image: 0) */
        ino_t ino;              /* ... and its inode: the lock file's name */
        bool held;              /* only held, never part of a take-back: Image='s lock against a second
                                 * writer, a Port='s against a second cell forwarding the host port */
        bool port;              /* a Port='s lock file, where its holder records its nft tables (port-lock.h) */
        bool table;             /* the lock of a Port= start's nft table name (port-lock.h), held */
} SharedLock;

typedef struct SharedLocks {
        SharedLock *locks;
        size_t n;
        const char *dir;        /* where the places' lock files are: SHARED_LOCK_DIR, or a test's */
        /* Directory='s identity as the start opened it, locked or not
         * (Volatile=yes and overlay build on it too, lock nothing): what
         * the build must find at its path (shared_locks_check()). */
        bool root_known;
        dev_t root_dev;
        ino_t root_ino;
} SharedLocks;

#define SHARED_LOCK_DIR CELL_PLACE_LOCK_DIR

#define SHARED_LOCKS_NULL ((SharedLocks) {})

/* How long a start waits for a place that is locked exclusively: a
 * take-back holds it for milliseconds; anything longer is not cell's. */
#define SHARED_LOCK_WAIT_SEC 10u
/* How many lock files a start tries at most, for those that killed holders left (lock_dir_sweep()). */
#define SHARED_LOCK_SWEEP_MAX 64u

/* Whether the plan's mount m is a place: a Bind=/BindReadOnly= of the
 * unit's with a host source (a "+" source is in the root, locked with it). */
static inline bool shared_lock_mount_is_place(const PlanMount *m) {
        return m->kind == PLAN_MOUNT_BIND && !m->source_in_root && m->source && m->line > 0;
}

/* LOCK_SH on each place of p, waiting for a take-back under way (short;
 * SHARED_LOCK_WAIT_SEC at most, then an error naming the place).
 * root_fd: Directory= as the start opened it (O_PATH, not consumed), the
 * one locked and recorded whatever its path leads to now; -EBADF: opened
 * by its path here. A place that is missing, or a file, is left out:
 * nothing of the start is made in it (a missing Bind= source fails the
 * build, or is skipped with "-"). Each place once, however often it is
 * named. On failure nothing is held. */
int shared_locks_acquire(const Plan *p, int root_fd, const char *lock_dir, SharedLocks *ret, SpawnError *err);

/* The build opens Directory= and the Bind= sources by their paths again,
 * in its own mount namespace (the child's, or the tree builder's S): the
 * mount API takes no fd of another one (open_tree() and move_mount() fail
 * with EINVAL), so the fd the start locked cannot be used there. Whether
 * fd, so opened, is the place the start opened and locked there: Directory=
 * (m NULL) or the source of m. A source that is no place, or not a
 * directory, is not asked; a directory that was missing or a file at the
 * lock is no place locked. 0, or -ESTALE: another inode -- a link on the
 * way turned since, or the directory renamed -- which the build must not
 * use: it would make the container's root, or a mount point in a shared
 * place, somewhere the start did not check nor lock (a take-back of
 * another start could remove it from under the container). l NULL: not
 * asked (tests). */
int shared_locks_check(const SharedLocks *l, const PlanMount *m, int fd);

/* How the build says so, after "Directory=PATH: " or "Bind=...: source ". */
#define SHARED_LOCK_CHANGED "changed while the container started (a link turned?)"

/* The lock file of the place of identity (dev, ino) in lock_dir (NULL:
 * SHARED_LOCK_DIR), opened (made 0600 where missing), not locked: what
 * another cell's start or take-back flocks. */
int shared_lock_file_open(const char *lock_dir, dev_t dev, ino_t ino, int *ret_fd);

/* For a take-back: each own lock dropped, LOCK_EX|LOCK_NB on a fresh open
 * of each place's lock file (of the directory locked, not of its path anew), kept
 * until shared_locks_done(). Returns 0 when all were got; else the number
 * of places busy (another start or running container holds them, or it
 * cannot be opened again), each place's busy[i] set (an array of l->n). */
int shared_locks_exclusive(SharedLocks *l, bool *busy);

/* As shared_locks_exclusive(), for a take-back that keeps the locks (a
 * start that clones the container's init again, spawn-locks.h): each own
 * lock converted to LOCK_EX|LOCK_NB in place, never let go where no one
 * else holds the place; a busy place's, which the failed conversion may
 * have dropped, taken LOCK_SH again at once (waited for as by a start; -EBADF
 * if it could not be). Then shared_locks_share(), after the take-back. */
int shared_locks_exclusive_kept(SharedLocks *l, bool *busy);
/* Each place's lock back to LOCK_SH (from LOCK_EX without letting go);
 * a place whose lock was lost is an error naming it. */
int shared_locks_share(SharedLocks *l, SpawnError *err);

/* Whether something made on the file system dev is in one of the places' file
 * systems (and not, say, on the container's own /dev tmpfs). */
bool shared_locks_on(const SharedLocks *l, dev_t dev);

/* A lock that is only held, with the others, until the container ends
 * (handed over to cell-monitor with them), never taken back: Image='s, which
 * root_image_mount() took for the image (shared when it is mounted
 * read-only, exclusive when written, as systemd-nspawn locks an image), or
 * a Port='s (port-lock.h). A copy of fd: the caller keeps its own. */
int shared_locks_add_held(SharedLocks *l, const char *path, int fd);

/* Closes the fds (the locks go with them), frees the list. */
void shared_locks_done(SharedLocks *l);
