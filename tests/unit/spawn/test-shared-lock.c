/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The locks on the places containers share (shared-lock.h): a start holds
 * LOCK_SH on Directory= and each Bind= source directory, once each; a
 * take-back gets them exclusively only where nobody else holds them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock-dir-test.h"
#include "shared-lock.h"
#include "test.h"

static char dir[40], root[64], x[64], file[64], nosuch[64], locks[64];

static void make_places(void) {
        int fd;

        lock_dir_test_make(dir, sizeof dir, "test-shared-lock");
        snprintf(root, sizeof root, "%s/root", dir);
        snprintf(x, sizeof x, "%s/x", dir);
        snprintf(file, sizeof file, "%s/file", dir);
        snprintf(nosuch, sizeof nosuch, "%s/nosuch", dir);
        snprintf(locks, sizeof locks, "%s/locks", dir);
        ASSERT_OK(mkdir(root, 0755));
        ASSERT_OK(mkdir(x, 0755));
        fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
}

static void remove_places(void) {
        /* The lock files, named after what they lock, where a start made their directory. */
        if (access(locks, F_OK) >= 0)
                lock_dir_test_remove(locks);
        (void) rmdir(root);
        (void) rmdir(x);
        (void) unlink(file);
        (void) rmdir(dir);
}

/* The lock file of the directory at path, opened as another cell does. */
static int lock_file_of(const char *path) {
        struct stat st;
        int fd = -EBADF;

        ASSERT_OK(stat(path, &st));
        ASSERT_OK(shared_lock_file_open(locks, st.st_dev, st.st_ino, &fd));
        return fd;
}

/* Another container's start: LOCK_SH on its own open. */
static int hold(const char *path) {
        int fd = lock_file_of(path);

        ASSERT_OK(flock(fd, LOCK_SH | LOCK_NB));
        return fd;
}

TEST(places_locked_once_each) {
        PlanMount m[] = {
                { .kind = PLAN_MOUNT_BIND, .source = x, .target = (char *) "/data", .line = 3 },
                { .kind = PLAN_MOUNT_BIND, .source = x, .target = (char *) "/again", .flags = MS_RDONLY, .line = 4 },
                { .kind = PLAN_MOUNT_BIND, .source = file, .target = (char *) "/f", .line = 5 },
                { .kind = PLAN_MOUNT_BIND, .source = (char *) "/srv", .target = (char *) "/in", .source_in_root = true,
                  .line = 6 },
                { .kind = PLAN_MOUNT_BIND, .source = nosuch, .target = (char *) "/opt", .optional = true, .line = 7 },
        };
        Plan p = { .root_directory = root, .mounts = m, .n_mounts = ELEMENTSOF(m) };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};
        struct stat st;
        bool busy[2];
        int other;

        make_places();
        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_EQ((int) l.n, 2);
        ASSERT_STREQ(l.locks[0].path, root);
        ASSERT_STREQ(l.locks[1].path, x);
        /* What is made on its file system is in a place; on another one
         * (the container's own tmpfs, say) not. */
        ASSERT_OK(stat(root, &st));
        ASSERT_TRUE(shared_locks_on(&l, st.st_dev));
        ASSERT_FALSE(shared_locks_on(&l, makedev(0, 0)));
        /* Shared: another start goes on beside it. */
        other = hold(x);

        /* The take-back: the root is free, x is another's. */
        ASSERT_EQ(shared_locks_exclusive(&l, busy), 1);
        ASSERT_FALSE(busy[0]);
        ASSERT_TRUE(busy[1]);
        shared_locks_done(&l);
        close(other);

        /* Alone: both exclusive, and a start waits for them. */
        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_EQ(shared_locks_exclusive(&l, busy), 0);
        other = lock_file_of(root);
        ASSERT_ERROR(flock(other, LOCK_SH | LOCK_NB) < 0 ? -errno : 0, EWOULDBLOCK);
        shared_locks_done(&l);
        ASSERT_OK(flock(other, LOCK_SH | LOCK_NB));
        close(other);
        remove_places();
}

TEST(volatile_root_is_not_locked) {
        Plan p = { .root_directory = root, .root_volatile = CELL_VOLATILE_YES };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};

        make_places();
        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_EQ((int) l.n, 0);
        shared_locks_done(&l);
        remove_places();
}

/* The lock file of a place as a holder killed by SIGKILL leaves it: there,
 * and free. Its path into buf. */
static void leave_lock_file(const char *path, char *buf, size_t size) {
        struct stat st;
        int fd;

        ASSERT_OK(stat(path, &st));
        snprintf(buf, size, "%s/inode-%lu:%lu", locks, (unsigned long) st.st_dev, (unsigned long) st.st_ino);
        fd = hold(path);
        close(fd);
        ASSERT_OK(access(buf, F_OK));
}

/* A holder killed (SIGKILL) removes nothing: its place's lock file stays,
 * free, until the next start of that place takes it and, last, removes
 * it. Of a place that is gone (its directory removed: its identity names
 * nothing any more) there is no such start: the file stayed until reboot.
 * The next start that locks any place removes every free one; held ones
 * (a running container's, its own) stay. */
TEST(free_lock_files_swept_by_the_next_start) {
        Plan p = { .root_directory = root };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};
        char gone[128], held[128], own[128], dot[128];
        int other, fd;

        make_places();
        ASSERT_OK(mkdir(nosuch, 0755));
        leave_lock_file(nosuch, gone, sizeof gone);
        ASSERT_OK(rmdir(nosuch));
        leave_lock_file(x, held, sizeof held);
        other = hold(x);
        /* Not a lock file of cell's: left alone. */
        snprintf(dot, sizeof dot, "%s/.keep", locks);
        fd = open(dot, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        close(fd);

        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_EQ((int) l.n, 1);
        ASSERT_ERROR(access(gone, F_OK) < 0 ? -errno : 0, ENOENT);
        ASSERT_OK(access(held, F_OK));
        ASSERT_OK(access(dot, F_OK));
        snprintf(own, sizeof own, "%s", gone);
        leave_lock_file(root, own, sizeof own);        /* ours: held by l, so "left" as it was */
        ASSERT_OK(access(own, F_OK));
        /* Still the lock another start meets: x's holder's is the file at its name. */
        fd = lock_file_of(x);
        ASSERT_ERROR(flock(fd, LOCK_EX | LOCK_NB) < 0 ? -errno : 0, EWOULDBLOCK);
        close(fd);
        shared_locks_done(&l);
        ASSERT_ERROR(access(own, F_OK) < 0 ? -errno : 0, ENOENT);
        close(other);
        (void) unlink(dot);
        remove_places();
}

/* A place another process holds exclusively: a start waits for a
 * take-back's moment, and then goes on; for something holding it longer
 * (a script's "flock DIR job"), it gives up after SHARED_LOCK_WAIT_SEC,
 * naming the place, instead of hanging unsaid. */
TEST(exclusive_holder_waited_for_then_refused) {
        Plan p = { .root_directory = root };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};
        int other, status;
        pid_t pid;

        make_places();
        other = lock_file_of(root);
        ASSERT_OK(flock(other, LOCK_EX | LOCK_NB));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                usleep(300 * 1000);
                _exit(flock(other, LOCK_UN) < 0);
        }
        close(other);
        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_EQ((int) l.n, 1);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_EQ(status, 0);
        shared_locks_done(&l);

        other = lock_file_of(root);
        ASSERT_OK(flock(other, LOCK_EX | LOCK_NB));
        ASSERT_ERROR(shared_locks_acquire(&p, -EBADF, locks, &l, &err), EWOULDBLOCK);
        ASSERT_EQ((int) l.n, 0);
        ASSERT_CONTAINS(err.message, "Directory=");
        ASSERT_CONTAINS(err.message, root);
        ASSERT_CONTAINS(err.message, "held exclusively");
        close(other);
        remove_places();
}

/* Whoever may open a place (a user, a container on its own "/") flocks
 * the directory itself: neither a start nor a take-back cares, only
 * cell's lock files, which only root opens, count. */
TEST(a_flock_on_the_directory_itself_is_not_cells) {
        Plan p = { .root_directory = NULL };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};
        struct stat st;
        char lock[128];
        bool busy[1];
        int other;

        make_places();
        p.root_directory = root;
        other = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(other >= 0);
        ASSERT_OK(flock(other, LOCK_EX | LOCK_NB));
        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_EQ((int) l.n, 1);
        /* The lock file: root's alone. */
        ASSERT_OK(stat(root, &st));
        snprintf(lock, sizeof lock, "%s/inode-%lu:%lu", locks, (unsigned long) st.st_dev, (unsigned long) st.st_ino);
        ASSERT_OK(stat(lock, &st));
        ASSERT_EQ(st.st_mode & 07777, 0600u);
        ASSERT_EQ(shared_locks_exclusive(&l, busy), 0);
        shared_locks_done(&l);
        close(other);
        remove_places();
}

/* A link in Directory= turned elsewhere after the start locked (and built
 * in) what it led to: the take-back asks the directory locked, which
 * another container holds, not the one the link leads to now. */
TEST(take_back_asks_the_directory_locked) {
        Plan p = { .root_directory = NULL };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};
        char link[80];
        bool busy[1];
        int other;

        make_places();
        snprintf(link, sizeof link, "%s/link", dir);
        ASSERT_OK(symlink(root, link));
        p.root_directory = link;
        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_EQ((int) l.n, 1);
        other = hold(root);
        ASSERT_OK(unlink(link));
        ASSERT_OK(symlink(x, link));
        ASSERT_EQ(shared_locks_exclusive(&l, busy), 1);
        ASSERT_TRUE(busy[0]);
        shared_locks_done(&l);
        close(other);

        /* Removed since: empty, nothing of ours in it, not busy. */
        ASSERT_OK(unlink(link));
        ASSERT_OK(symlink(root, link));
        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_OK(rmdir(root));
        ASSERT_EQ(shared_locks_exclusive(&l, busy), 0);
        ASSERT_FALSE(busy[0]);
        shared_locks_done(&l);
        ASSERT_OK(unlink(link));
        remove_places();
}

/* The take-back of a start that clones the container's init again and
 * keeps its locks (spawn-locks.h): a free place is held alone for the
 * take-back without being let go, a busy one is held shared again at
 * once; after it both are shared, and never free in between. */
TEST(take_back_that_keeps_the_locks) {
        PlanMount m[] = {
                { .kind = PLAN_MOUNT_BIND, .source = x, .target = (char *) "/data", .line = 3 },
        };
        Plan p = { .root_directory = root, .mounts = m, .n_mounts = ELEMENTSOF(m) };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};
        bool busy[2];
        int other, probe;

        make_places();
        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        ASSERT_EQ((int) l.n, 2);
        other = hold(x);
        ASSERT_EQ(shared_locks_exclusive_kept(&l, busy), 1);
        ASSERT_FALSE(busy[0]);
        ASSERT_TRUE(busy[1]);
        /* The root ours alone: no other start gets it. */
        probe = lock_file_of(root);
        ASSERT_ERROR(flock(probe, LOCK_SH | LOCK_NB) < 0 ? -errno : 0, EWOULDBLOCK);
        close(probe);
        /* x ours again, shared: the other gone, still no take-back gets it. */
        close(other);
        probe = lock_file_of(x);
        ASSERT_ERROR(flock(probe, LOCK_EX | LOCK_NB) < 0 ? -errno : 0, EWOULDBLOCK);
        close(probe);

        ASSERT_OK(shared_locks_share(&l, &err));
        for (size_t i = 0; i < 2; i++) {
                probe = lock_file_of(i == 0 ? root : x);
                ASSERT_ERROR(flock(probe, LOCK_EX | LOCK_NB) < 0 ? -errno : 0, EWOULDBLOCK);
                ASSERT_OK(flock(probe, LOCK_SH | LOCK_NB));
                close(probe);
        }
        /* Alone again: both converted, none lost. */
        ASSERT_EQ(shared_locks_exclusive_kept(&l, busy), 0);
        ASSERT_OK(shared_locks_share(&l, &err));
        /* A lock lost is said, naming the place. */
        l.locks[1].fd = safe_close(l.locks[1].fd);
        ASSERT_ERROR(shared_locks_share(&l, &err), ENOLCK);
        ASSERT_CONTAINS(err.message, x);
        shared_locks_done(&l);
        probe = lock_file_of(root);
        ASSERT_OK(flock(probe, LOCK_EX | LOCK_NB));
        close(probe);
        remove_places();
}

/* A place's lock file goes with its last holder, cell or cell-monitor,
 * and not before: /run/cell/place-lock holds the places in use. */
TEST(last_holder_removes_the_lock_file) {
        Plan p = { .root_directory = NULL };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};
        struct stat st;
        char lock[128];
        int other;

        make_places();
        p.root_directory = root;
        ASSERT_OK(stat(root, &st));
        snprintf(lock, sizeof lock, "%s/inode-%lu:%lu", locks, (unsigned long) st.st_dev, (unsigned long) st.st_ino);

        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        shared_locks_done(&l);
        ASSERT_ERROR(stat(lock, &st) < 0 ? -errno : 0, ENOENT);

        ASSERT_OK(shared_locks_acquire(&p, -EBADF, locks, &l, &err));
        other = hold(root);
        shared_locks_done(&l);
        ASSERT_OK(stat(lock, &st));                     /* another holds it */
        lock_file_release_shared(other, locks);         /* as cell-monitor leaves */
        ASSERT_ERROR(stat(lock, &st) < 0 ? -errno : 0, ENOENT);
        remove_places();
}

/* A lock file of none of the directories named is only closed: its
 * lock, which a copy of the same open file still holds (a UID slot's in
 * cell-monitor's list, a Port='s), is not made exclusive on the way. */
TEST(release_leaves_a_lock_of_another_directory_alone) {
        struct stat st;
        char lock[128];
        int fd, copy, other;

        make_places();
        ASSERT_OK(stat(root, &st));
        snprintf(lock, sizeof lock, "%s/inode-%lu:%lu", locks, (unsigned long) st.st_dev, (unsigned long) st.st_ino);
        fd = hold(root);
        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        ASSERT_TRUE(copy >= 0);

        lock_file_release_shared_any(copy, (const char *const[]) { root, x, NULL });
        other = lock_file_of(root);
        ASSERT_OK(flock(other, LOCK_SH | LOCK_NB));     /* ours is still LOCK_SH */
        ASSERT_OK(stat(lock, &st));                     /* and its file there */
        close(other);
        close(fd);
        remove_places();
}

/* open(path, O_PATH), as the build opens a place by its path again. */
static int open_place(const char *path) {
        int fd = open(path, O_PATH | O_CLOEXEC);

        ASSERT_TRUE(fd >= 0);
        return fd;
}

/* The build finds at each path the directory the start opened and locked
 * there, or is told it changed: Directory= locked through the fd the start
 * opened it by (not its path, turned before the lock already), a Bind=
 * source through a link turned after the lock, a second name of a place
 * locked once, a file source (never a place), a source missing at the lock
 * and a directory by the build. */
TEST(build_finds_the_places_locked) {
        char rlink[80], xlink[80], alias[80], y[80];
        PlanMount m[] = {
                { .kind = PLAN_MOUNT_BIND, .source = xlink, .target = (char *) "/data", .line = 3 },
                { .kind = PLAN_MOUNT_BIND, .source = alias, .target = (char *) "/again", .line = 4 },
                { .kind = PLAN_MOUNT_BIND, .source = file, .target = (char *) "/f", .line = 5 },
                { .kind = PLAN_MOUNT_BIND, .source = nosuch, .target = (char *) "/opt", .optional = true, .line = 6 },
                { .kind = PLAN_MOUNT_BIND, .source = y, .target = (char *) "/y" },      /* cell's own: no place */
        };
        Plan p = { .root_directory = rlink, .mounts = m, .n_mounts = ELEMENTSOF(m) };
        SharedLocks l = SHARED_LOCKS_NULL;
        SpawnError err = {};
        int root_fd, fd;

        make_places();
        snprintf(rlink, sizeof rlink, "%s/rlink", dir);
        snprintf(xlink, sizeof xlink, "%s/xlink", dir);
        snprintf(alias, sizeof alias, "%s/alias", dir);
        snprintf(y, sizeof y, "%s/y", dir);
        ASSERT_OK(mkdir(y, 0755));
        ASSERT_OK(symlink(root, rlink));
        ASSERT_OK(symlink(x, xlink));
        ASSERT_OK(symlink(x, alias));
        root_fd = open_place(rlink);
        /* Turned before the lock: the start locks what it opened. */
        ASSERT_OK(unlink(rlink));
        ASSERT_OK(symlink(y, rlink));
        ASSERT_OK(shared_locks_acquire(&p, root_fd, locks, &l, &err));
        ASSERT_EQ((int) l.n, 2);
        ASSERT_STREQ(l.locks[0].path, rlink);
        ASSERT_ERROR(shared_locks_check(&l, NULL, fd = open_place(rlink)), ESTALE);
        close(fd);
        ASSERT_OK(shared_locks_check(&l, NULL, fd = open_place(root)));
        close(fd);

        ASSERT_OK(shared_locks_check(&l, &m[0], fd = open_place(xlink)));
        close(fd);
        ASSERT_OK(shared_locks_check(&l, &m[1], fd = open_place(alias)));
        close(fd);
        ASSERT_OK(shared_locks_check(&l, &m[2], fd = open_place(file)));
        close(fd);
        ASSERT_OK(shared_locks_check(&l, &m[4], fd = open_place(y)));
        close(fd);
        ASSERT_OK(mkdir(nosuch, 0755));
        ASSERT_ERROR(shared_locks_check(&l, &m[3], fd = open_place(nosuch)), ESTALE);
        close(fd);
        /* Turned after the lock. */
        ASSERT_OK(unlink(xlink));
        ASSERT_OK(symlink(y, xlink));
        ASSERT_ERROR(shared_locks_check(&l, &m[0], fd = open_place(xlink)), ESTALE);
        close(fd);
        /* Not asked. */
        ASSERT_OK(shared_locks_check(NULL, &m[0], fd = open_place(xlink)));
        close(fd);
        shared_locks_done(&l);

        /* Volatile=yes: nothing locked, the root still what was opened. */
        p.root_volatile = CELL_VOLATILE_YES;
        p.n_mounts = 0;
        ASSERT_OK(shared_locks_acquire(&p, root_fd, locks, &l, &err));
        ASSERT_EQ((int) l.n, 0);
        ASSERT_ERROR(shared_locks_check(&l, NULL, fd = open_place(rlink)), ESTALE);
        close(fd);
        shared_locks_done(&l);
        close(root_fd);
        ASSERT_OK(unlink(rlink));
        ASSERT_OK(unlink(xlink));
        ASSERT_OK(unlink(alias));
        ASSERT_OK(rmdir(nosuch));
        ASSERT_OK(rmdir(y));
        remove_places();
}
