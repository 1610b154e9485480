/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/name-lock.c: the cgroupfs manager's lock on a cell's name, in a
 * runtime directory of the test's own (CELL_RUNTIME_DIR). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "name-lock.h"
#include "test.h"

static char *dir_new(void) {
        return test_runtime_dir_new("name-lock");
}

static void dir_free(char *d) {
        test_runtime_dir_free(d);
}

static char *read_text(const char *path) {
        char buf[64] = {};
        int fd = open(path, O_RDONLY|O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(read(fd, buf, sizeof buf - 1) >= 0);
        close(fd);
        return strdup(buf);
}

TEST(acquire_refuse_release) {
        char *d = dir_new();
        _cleanup_free_ char *path = NULL, *text = NULL, *want = NULL;
        int a = -EBADF, b = -EBADF;
        pid_t holder = -1;

        ASSERT_OK(name_lock_path("web", &path));
        ASSERT_TRUE(asprintf(&want, "%s/lock/web.lock", d) > 0);
        ASSERT_STREQ(path, want);

        ASSERT_OK(name_lock_acquire("web", &a, &holder, NULL));
        ASSERT_TRUE(a >= 0);
        ASSERT_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
        text = read_text(path);
        free(want);
        ASSERT_TRUE(asprintf(&want, "%d\n", (int) getpid()) > 0);
        ASSERT_STREQ(text, want);

        /* A second start of the name (another open file description, as in
         * another process): refused, with who holds it. */
        ASSERT_ERROR(name_lock_acquire("web", &b, &holder, NULL), EBUSY);
        ASSERT_EQ(b, -EBADF);
        ASSERT_EQ(holder, getpid());
        /* Another name is another lock. */
        ASSERT_OK(name_lock_acquire("db", &b, NULL, NULL));
        name_lock_release("db", b);

        /* Released: the file is gone, and the name can be taken again. */
        name_lock_release("web", a);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        ASSERT_OK(name_lock_acquire("web", &a, NULL, NULL));
        name_lock_release("web", a);
        name_lock_release("web", -EBADF);       /* nothing */
        dir_free(d);
}

/* The lock, not the file: a killed cell's file is taken over; the lock
 * of one that is alive (here a child) is not, and its death frees it. */
TEST(lock_is_the_truth) {
        char *d = dir_new();
        _cleanup_free_ char *path = NULL;
        int fd = -EBADF, up[2], down[2];
        pid_t holder = 0, pid;
        char c;

        ASSERT_OK(name_lock_path("w@3", &path));
        ASSERT_OK(name_lock_acquire("w@3", &fd, NULL, NULL));
        safe_close(fd);         /* as a SIGKILL would: the file stays, unlocked */
        ASSERT_OK(access(path, F_OK));
        ASSERT_OK(name_lock_acquire("w@3", &fd, NULL, NULL));
        name_lock_release("w@3", fd);

        ASSERT_OK(pipe2(up, O_CLOEXEC));
        ASSERT_OK(pipe2(down, O_CLOEXEC));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int l = -EBADF;
                if (name_lock_acquire("w@3", &l, NULL, NULL) < 0)
                        _exit(1);
                (void) !write(up[1], "x", 1);
                (void) !read(down[0], &c, 1);   /* until the parent writes or dies */
                _exit(0);
        }
        ASSERT_EQ(read(up[0], &c, 1), 1);
        ASSERT_ERROR(name_lock_acquire("w@3", &fd, &holder, NULL), EBUSY);
        ASSERT_EQ(holder, pid);
        ASSERT_EQ(write(down[1], "x", 1), 1);
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_OK(name_lock_acquire("w@3", &fd, &holder, NULL));
        name_lock_release("w@3", fd);
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
        dir_free(d);
}

/* A release removes only the file it holds: one that replaced it (after a
 * killed holder's file was removed by hand) stays. */
TEST(release_removes_only_its_own_file) {
        char *d = dir_new();
        _cleanup_free_ char *path = NULL;
        int fd = -EBADF, other = -EBADF;

        ASSERT_OK(name_lock_path("web", &path));
        ASSERT_OK(name_lock_acquire("web", &fd, NULL, NULL));
        ASSERT_OK(unlink(path));
        ASSERT_OK(name_lock_acquire("web", &other, NULL, NULL));
        name_lock_release("web", fd);
        ASSERT_OK(access(path, F_OK));
        name_lock_release("web", other);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        dir_free(d);
}

/* A holder's notes (what it is about to make) outlive it when it is killed:
 * its lock file stays, free, and whoever takes it next reads them. */
TEST(notes_of_a_killed_holder) {
        char *d = dir_new();
        _cleanup_free_ char *path = NULL, *notes = NULL, *previous = NULL, *want = NULL;
        int fd = -EBADF, other = -EBADF;

        ASSERT_OK(name_lock_path("web", &path));
        /* No file: nothing stale (and none made). */
        ASSERT_ERROR(name_lock_take_stale("web", &fd, &notes), ENOENT);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);

        ASSERT_OK(name_lock_acquire("web", &fd, NULL, &previous));
        ASSERT_STREQ(previous, "");
        previous = mfree(previous);
        name_lock_note(fd, "cgroup", "/sys/fs/cgroup/cell-web");
        name_lock_note(fd, "leaf", "/x\ny");   /* a newline: not noted */
        name_lock_note(fd, "enabled", "memory /sys/fs/cgroup");
        ASSERT_TRUE(asprintf(&want, "%d\ncgroup /sys/fs/cgroup/cell-web\nenabled memory /sys/fs/cgroup\n",
                             (int) getpid()) > 0);

        /* Held: not stale. */
        ASSERT_ERROR(name_lock_take_stale("web", &other, &notes), EBUSY);
        /* Killed (the fd closed without a release): taken, notes as they were. */
        close(fd);
        ASSERT_OK(name_lock_take_stale("web", &fd, &notes));
        ASSERT_STREQ(notes, want);
        close(fd);
        /* The next start of the name gets them too, and its own PID replaces them. */
        ASSERT_OK(name_lock_acquire("web", &fd, NULL, &previous));
        ASSERT_STREQ(previous, want);
        name_lock_release("web", fd);
        dir_free(d);
}

TEST(bad_names) {
        char *d = dir_new();
        int fd = -EBADF;
        char *path = NULL;

        ASSERT_ERROR(name_lock_acquire("", &fd, NULL, NULL), EINVAL);
        ASSERT_ERROR(name_lock_acquire("../x", &fd, NULL, NULL), EINVAL);
        ASSERT_ERROR(name_lock_path("a/b", &path), EINVAL);
        ASSERT_NULL(path);
        dir_free(d);
}
