/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/basic/lock-file.c: lock_dir_sweep(), the lock files that no one
 * holds removed, every held one (by this process or another) left, and
 * nothing but regular files touched, at most so many a call;
 * lock_file_held_by(), who holds a file as its fds' fdinfo says. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lock-file.h"
#include "test.h"

static char *lock_test_dir(char *buf, size_t n) {
        const char *tmp = getenv("TMPDIR");

        (void) snprintf(buf, n, "%s/test-lock-file.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        return mkdtemp(buf);
}

static int touch_at(int dir_fd, const char *name) {
        int fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        return fd < 0 ? -errno : fd;
}

static bool exists_at(int dir_fd, const char *name) {
        struct stat st;
        return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0;
}

/* A child that holds op on dir/name until *ret_release is written to: its PID. */
static pid_t hold_in_child(int dir_fd, const char *name, int op, int *ret_release) {
        int ready[2], release[2];
        char c;

        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* Ours alone: EOF, should the test die. */
                close(ready[0]);
                close(release[1]);
                int fd = openat(dir_fd, name, O_RDWR | O_CLOEXEC);
                if (fd < 0 || flock(fd, op) < 0)
                        _exit(1);
                (void) !write(ready[1], "r", 1);
                (void) !read(release[0], &c, 1);
                _exit(0);
        }
        close(ready[1]);
        close(release[0]);
        if (read(ready[0], &c, 1) != 1) {
                close(ready[0]);
                close(release[1]);
                (void) waitpid(pid, NULL, 0);
                return -EIO;
        }
        close(ready[0]);
        *ret_release = release[1];
        return pid;
}

static int release_child(pid_t pid, int release) {
        int status;

        /* Written, not only closed: a later child holds this end too. */
        (void) !write(release, "x", 1);
        close(release);
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

TEST(lock_dir_sweep) {
        char dir[4096];
        int dir_fd, own_fd, release, fd;

        ASSERT_NOT_NULL(lock_test_dir(dir, sizeof dir));
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);

        /* Free: what a killed holder left. */
        ASSERT_OK(fd = touch_at(dir_fd, "inode-free"));
        close(fd);
        /* Held shared by this process, through another open file. */
        ASSERT_OK(own_fd = touch_at(dir_fd, "inode-ours"));
        ASSERT_OK(flock(own_fd, LOCK_SH) < 0 ? -errno : 0);
        /* Held by another process, shared and exclusively. */
        ASSERT_OK(fd = touch_at(dir_fd, "inode-child"));
        close(fd);
        pid_t child = hold_in_child(dir_fd, "inode-child", LOCK_SH, &release);
        ASSERT_OK(child);
        int release_ex;
        ASSERT_OK(fd = touch_at(dir_fd, "inode-child-ex"));
        close(fd);
        pid_t child_ex = hold_in_child(dir_fd, "inode-child-ex", LOCK_EX, &release_ex);
        ASSERT_OK(child_ex);
        /* Not lock files of ours: a dotfile, a directory, a FIFO (which an
         * O_RDWR open and a flock() would take), a link to a free file. */
        ASSERT_OK(fd = touch_at(dir_fd, ".dot"));
        close(fd);
        ASSERT_OK(mkdirat(dir_fd, "sub", 0700) < 0 ? -errno : 0);
        ASSERT_OK(fd = touch_at(dir_fd, "sub/target"));
        close(fd);
        ASSERT_OK(symlinkat("sub/target", dir_fd, "inode-link") < 0 ? -errno : 0);
        ASSERT_OK(mkfifoat(dir_fd, "inode-fifo", 0600) < 0 ? -errno : 0);

        ASSERT_EQ(lock_dir_sweep(dir_fd, 64, 0), 1);
        ASSERT_FALSE(exists_at(dir_fd, "inode-free"));
        ASSERT_TRUE(exists_at(dir_fd, "inode-ours"));
        ASSERT_TRUE(exists_at(dir_fd, "inode-child"));
        ASSERT_TRUE(exists_at(dir_fd, "inode-child-ex"));
        ASSERT_TRUE(exists_at(dir_fd, ".dot"));
        ASSERT_TRUE(exists_at(dir_fd, "sub/target"));
        ASSERT_TRUE(exists_at(dir_fd, "inode-link"));
        ASSERT_TRUE(exists_at(dir_fd, "inode-fifo"));

        /* The holders' locks are untouched by the tries: ours still
         * excludes another open file's LOCK_EX. */
        ASSERT_OK(fd = openat(dir_fd, "inode-ours", O_RDWR | O_CLOEXEC));
        ASSERT_ERROR(flock(fd, LOCK_EX | LOCK_NB) < 0 ? -errno : 0, EWOULDBLOCK);
        close(fd);

        /* Their holders gone, the next sweep takes theirs. */
        ASSERT_OK(release_child(child, release));
        ASSERT_OK(release_child(child_ex, release_ex));
        ASSERT_EQ(lock_dir_sweep(dir_fd, 64, 0), 2);
        ASSERT_FALSE(exists_at(dir_fd, "inode-child"));
        ASSERT_FALSE(exists_at(dir_fd, "inode-child-ex"));
        ASSERT_TRUE(exists_at(dir_fd, "inode-ours"));
        close(own_fd);
        ASSERT_EQ(lock_dir_sweep(dir_fd, 64, 0), 1);
        ASSERT_FALSE(exists_at(dir_fd, "inode-ours"));
        ASSERT_EQ(lock_dir_sweep(dir_fd, 64, 0), 0);

        (void) unlinkat(dir_fd, ".dot", 0);
        (void) unlinkat(dir_fd, "inode-link", 0);
        (void) unlinkat(dir_fd, "inode-fifo", 0);
        (void) unlinkat(dir_fd, "sub/target", 0);
        (void) unlinkat(dir_fd, "sub", AT_REMOVEDIR);
        close(dir_fd);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

TEST(lock_file_held_by) {
        char dir[4096];
        struct stat st;
        int dir_fd, fd, release;

        ASSERT_NOT_NULL(lock_test_dir(dir, sizeof dir));
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);
        ASSERT_OK(fd = touch_at(dir_fd, "held"));
        ASSERT_OK(fstat(fd, &st) < 0 ? -errno : 0);
        close(fd);

        pid_t child = hold_in_child(dir_fd, "held", LOCK_SH, &release);
        ASSERT_OK(child);
        ASSERT_TRUE(lock_file_held_by(child, st.st_dev, st.st_ino));
        ASSERT_FALSE(lock_file_held_by(getpid(), st.st_dev, st.st_ino));
        /* The file open here, unlocked: no holder either. */
        ASSERT_OK(fd = openat(dir_fd, "held", O_RDONLY | O_CLOEXEC) < 0 ? -errno : 0);
        ASSERT_FALSE(lock_file_held_by(getpid(), st.st_dev, st.st_ino));
        close(fd);
        ASSERT_FALSE(lock_file_held_by(child, st.st_dev, st.st_ino + 1));
        ASSERT_FALSE(lock_file_held_by(0, st.st_dev, st.st_ino));
        ASSERT_OK(release_child(child, release));
        ASSERT_FALSE(lock_file_held_by(child, st.st_dev, st.st_ino));
        (void) unlinkat(dir_fd, "held", 0);
        close(dir_fd);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

/* A mount namespace (and a user namespace without root) where
 * /proc/locks reads empty: /dev/null bound over it. */
static int hide_proc_locks(void) {
        uid_t uid = geteuid();
        char map[64];
        int fd;

        if (unshare(CLONE_NEWNS | (uid == 0 ? 0 : CLONE_NEWUSER)) < 0)
                return -1;
        if (uid != 0) {
                snprintf(map, sizeof map, "0 %u 1", (unsigned) uid);
                fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, map, strlen(map)) < 0)
                        return -1;
                close(fd);
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -1;
        return mount("/dev/null", "/proc/locks", NULL, MS_BIND, NULL);
}

/* Who holds a lock is never read from /proc/locks: that read waits for an
 * RCU grace period and holds off every flock() on the host meanwhile
 * ("cell list" during a boot storm stalled each start's locks). With
 * /proc/locks empty, the holder is still found. */
TEST(lock_file_held_by_without_proc_locks) {
        char dir[4096];
        struct stat st;
        int dir_fd, fd, release;

        ASSERT_NOT_NULL(lock_test_dir(dir, sizeof dir));
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);
        ASSERT_OK(fd = touch_at(dir_fd, "held"));
        ASSERT_OK(fstat(fd, &st) < 0 ? -errno : 0);
        close(fd);

        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                if (hide_proc_locks() < 0)
                        _exit(TEST_SKIP);
                /* Forked in here: a user namespace's process may not look
                 * at the fds of one outside it. */
                pid_t holder = hold_in_child(dir_fd, "held", LOCK_EX, &release);
                ASSERT_OK(holder);
                ASSERT_TRUE(lock_file_held_by(holder, st.st_dev, st.st_ino));
                ASSERT_FALSE(lock_file_held_by(holder, st.st_dev, st.st_ino + 1));
                ASSERT_OK(release_child(holder, release));
                _exit(0);
        }
        (void) test_child_ran(pid, "no mount namespace to hide /proc/locks in here");
        (void) unlinkat(dir_fd, "held", 0);
        close(dir_fd);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

/* At most max_tries tries a call; those from start on (wrapping): calls
 * with other starts take the rest. Held files count as tried. */
TEST(lock_dir_sweep_bounded) {
        char dir[4096], name[32];
        int dir_fd, held[3], fd;

        ASSERT_NOT_NULL(lock_test_dir(dir, sizeof dir));
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);

        for (int i = 0; i < 5; i++) {
                snprintf(name, sizeof name, "inode-free%d", i);
                ASSERT_OK(fd = touch_at(dir_fd, name));
                close(fd);
        }
        ASSERT_EQ(lock_dir_sweep(dir_fd, 2, 7), 2);
        /* 3 left: from 7 % 3 on, two again; then the last, fewer than max_tries. */
        ASSERT_EQ(lock_dir_sweep(dir_fd, 2, 7), 2);
        ASSERT_EQ(lock_dir_sweep(dir_fd, 2, 7), 1);
        ASSERT_EQ(lock_dir_sweep(dir_fd, 2, 7), 0);

        /* Three held among two free ones: a window of three may hold no free
         * one, but the starts 0 to 4 between them try every file. */
        for (int i = 0; i < 3; i++) {
                snprintf(name, sizeof name, "inode-held%d", i);
                ASSERT_OK(held[i] = touch_at(dir_fd, name));
                ASSERT_OK(flock(held[i], LOCK_SH) < 0 ? -errno : 0);
        }
        for (int i = 0; i < 2; i++) {
                snprintf(name, sizeof name, "inode-free%d", i);
                ASSERT_OK(fd = touch_at(dir_fd, name));
                close(fd);
        }
        int removed = 0;
        for (size_t start = 0; start < 5; start++) {
                int r = lock_dir_sweep(dir_fd, 3, start);
                ASSERT_TRUE(r >= 0 && r <= 2);
                removed += r;
        }
        ASSERT_EQ(removed, 2);
        ASSERT_FALSE(exists_at(dir_fd, "inode-free0"));
        ASSERT_FALSE(exists_at(dir_fd, "inode-free1"));
        for (int i = 0; i < 3; i++) {
                snprintf(name, sizeof name, "inode-held%d", i);
                ASSERT_TRUE(exists_at(dir_fd, name));
                close(held[i]);
                ASSERT_OK(unlinkat(dir_fd, name, 0) < 0 ? -errno : 0);
        }
        close(dir_fd);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}
