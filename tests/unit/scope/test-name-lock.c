/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/name-lock.c: the cgroupfs manager's lock on a cell's name, in a
 * runtime directory of the test's own (CELL_RUNTIME_DIR). */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "name-lock.h"
#include "strv.h"
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
        _cleanup_free_ char *path = NULL, *notes = NULL, *previous = NULL, *want = NULL, *mark_path = NULL;
        int fd = -EBADF, other = -EBADF, mark = -EBADF;

        ASSERT_OK(name_lock_path("web", &path));
        ASSERT_TRUE(asprintf(&mark_path, "%s/lock/web.take-back", d) > 0);
        /* No file: nothing stale (and none made). */
        ASSERT_ERROR(name_lock_take_stale("web", &fd, &mark, &notes), ENOENT);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        ASSERT_TRUE(access(mark_path, F_OK) < 0 && errno == ENOENT);

        ASSERT_OK(name_lock_acquire("web", &fd, NULL, &previous));
        ASSERT_STREQ(previous, "");
        previous = mfree(previous);
        name_lock_note(fd, "cgroup", "/sys/fs/cgroup/cell-web");
        name_lock_note(fd, "leaf", "/x\ny");   /* a newline: not noted */
        name_lock_note(fd, "enabled", "memory /sys/fs/cgroup");
        ASSERT_TRUE(asprintf(&want, "%d\ncgroup /sys/fs/cgroup/cell-web\nenabled memory /sys/fs/cgroup\n",
                             (int) getpid()) > 0);

        /* Held: not stale. */
        ASSERT_ERROR(name_lock_take_stale("web", &other, &mark, &notes), EBUSY);
        ASSERT_TRUE(access(mark_path, F_OK) < 0 && errno == ENOENT);
        /* Killed (the fd closed without a release): taken, notes as they were. */
        close(fd);
        ASSERT_OK(name_lock_take_stale("web", &fd, &mark, &notes));
        ASSERT_STREQ(notes, want);
        ASSERT_TRUE(mark >= 0);
        ASSERT_OK(access(mark_path, F_OK));
        /* Not all taken back: the file and its notes stay; the take-back lock goes. */
        name_lock_release_stale("web", fd, mark, false);
        ASSERT_OK(access(path, F_OK));
        ASSERT_TRUE(access(mark_path, F_OK) < 0 && errno == ENOENT);
        /* The next start of the name gets them too, and its own PID replaces them. */
        ASSERT_OK(name_lock_acquire("web", &fd, NULL, &previous));
        ASSERT_STREQ(previous, want);
        name_lock_release("web", fd);
        dir_free(d);
}

/* A child that takes NAME's lock, stale (a take-back, as "cell stop NAME"
 * of a killed cell does) or as a start (a running cell), tells the parent
 * through up, and lets go when down is written or closed. */
static pid_t fork_holder(const char *name, bool stale, int up, int down) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                _cleanup_free_ char *notes = NULL;
                int fd = -EBADF, mark = -EBADF;
                char c;

                if ((stale ? name_lock_take_stale(name, &fd, &mark, &notes) :
                             name_lock_acquire(name, &fd, NULL, NULL)) < 0 || fd < 0)
                        _exit(1);
                (void) !write(up, "x", 1);
                (void) !read(down, &c, 1);
                if (stale)
                        name_lock_release_stale(name, fd, mark, true);
                else
                        name_lock_release(name, fd);
                _exit(0);
        }
        return pid;
}

static void reap(pid_t pid) {
        int status;

        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* "cell stop web; cell run web" from two places: the stop's take-back of
 * a killed cell's leftovers holds the name's lock as the start comes. The
 * start waits for it (it was refused: "already running"). */
TEST(a_start_waits_for_a_take_back) {
        char *d = dir_new();
        _cleanup_free_ char *path = NULL, *mark_path = NULL, *notes = NULL;
        int fd = -EBADF, mark = -EBADF, up[2], down[2];
        pid_t holder = 0, pid;
        uint64_t t;
        char c;

        ASSERT_OK(name_lock_path("web", &path));
        ASSERT_TRUE(asprintf(&mark_path, "%s/lock/web.take-back", d) > 0);
        ASSERT_OK(name_lock_acquire("web", &fd, NULL, NULL));
        name_lock_note(fd, "cgroup", "/sys/fs/cgroup/cell-web");
        safe_close(fd);         /* killed */

        ASSERT_OK(pipe2(up, O_CLOEXEC));
        ASSERT_OK(pipe2(down, O_CLOEXEC));
        /* Held until told (a hold of 300 ms could end before the checks
         * below on a loaded host, and they would not see it held). */
        pid = fork_holder("web", true, up[1], down[0]);
        ASSERT_EQ(read(up[0], &c, 1), 1);
        /* Another take-back meanwhile (a start's sweep): not two at once. */
        ASSERT_ERROR(name_lock_take_stale("web", &fd, &mark, &notes), EBUSY);
        /* Told to let go 200 ms after t, by a child of ours, while we are
         * in the start's wait, which may last as long as the test needs. */
        t = now_monotonic_usec();
        pid_t teller = fork();
        ASSERT_TRUE(teller >= 0);
        if (teller == 0) {
                (void) usleep(200 * 1000);
                _exit(write(down[1], "x", 1) != 1);
        }
        name_lock_take_back_wait_ms = 60 * 1000;
        ASSERT_OK(name_lock_acquire("web", &fd, &holder, NULL));
        name_lock_take_back_wait_ms = NAME_LOCK_TAKE_BACK_WAIT_MS;
        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(now_monotonic_usec() - t >= 100 * USEC_PER_MSEC);  /* it did wait */
        reap(teller);
        reap(pid);
        /* The take-back's lock is gone with it; the name's is the start's. */
        ASSERT_TRUE(access(mark_path, F_OK) < 0 && errno == ENOENT);
        ASSERT_ERROR(name_lock_take_stale("web", &mark, &mark, &notes), EBUSY);
        name_lock_release("web", fd);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
        dir_free(d);
}

/* A running cell's lock is no take-back's: a second start is refused at
 * once, not after the wait, and leaves no take-back lock behind. */
TEST(a_running_cell_is_refused_at_once) {
        char *d = dir_new();
        _cleanup_free_ char *mark_path = NULL;
        int fd = -EBADF, up[2], down[2];
        pid_t holder = 0, pid;
        uint64_t t;
        char c;

        ASSERT_TRUE(asprintf(&mark_path, "%s/lock/web.take-back", d) > 0);
        ASSERT_OK(pipe2(up, O_CLOEXEC));
        ASSERT_OK(pipe2(down, O_CLOEXEC));
        pid = fork_holder("web", false, up[1], down[0]);
        ASSERT_EQ(read(up[0], &c, 1), 1);
        t = now_monotonic_usec();
        ASSERT_ERROR(name_lock_acquire("web", &fd, &holder, NULL), EBUSY);
        /* Not the take-back's wait: that would take NAME_LOCK_TAKE_BACK_WAIT_MS (5 s)
         * at least; 4 s is room for a loaded host (ASan, parallel tests). */
        ASSERT_TRUE(now_monotonic_usec() - t < NAME_LOCK_TAKE_BACK_WAIT_MS * USEC_PER_MSEC * 4 / 5);
        ASSERT_EQ(holder, pid);
        ASSERT_EQ(fd, -EBADF);
        ASSERT_TRUE(access(mark_path, F_OK) < 0 && errno == ENOENT);
        ASSERT_EQ(write(down[1], "x", 1), 1);
        reap(pid);
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
        dir_free(d);
}

/* A take-back that does not end (stuck): the start waits no longer than
 * name_lock_take_back_wait_ms (NAME_LOCK_TAKE_BACK_WAIT_MS, 5 s; 300 ms
 * here, so that the test does not wait 5 s), then is refused (-EAGAIN). */
TEST(the_wait_is_bounded) {
        char *d = dir_new();
        int fd = -EBADF, up[2], down[2];
        pid_t pid;
        uint64_t t;
        char c;

        ASSERT_OK(name_lock_acquire("web", &fd, NULL, NULL));
        safe_close(fd);
        ASSERT_OK(pipe2(up, O_CLOEXEC));
        ASSERT_OK(pipe2(down, O_CLOEXEC));
        pid = fork_holder("web", true, up[1], down[0]);
        ASSERT_EQ(read(up[0], &c, 1), 1);
        ASSERT_EQ(name_lock_take_back_wait_ms, NAME_LOCK_TAKE_BACK_WAIT_MS);
        name_lock_take_back_wait_ms = 300;
        t = now_monotonic_usec();
        ASSERT_ERROR(name_lock_acquire("web", &fd, NULL, NULL), EAGAIN);
        t = now_monotonic_usec() - t;
        name_lock_take_back_wait_ms = NAME_LOCK_TAKE_BACK_WAIT_MS;
        ASSERT_TRUE(t >= 300 * USEC_PER_MSEC);
        /* Bounded by the 300 ms set, not the 5 s default nor for ever; 4 s
         * of room for a loaded host, still short of the default. */
        ASSERT_TRUE(t < (300 + 4000) * USEC_PER_MSEC);
        ASSERT_EQ(write(down[1], "x", 1), 1);
        reap(pid);
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
        dir_free(d);
}

/* A take-back killed halfway (its lock fds closed, nothing released) leaves
 * its lock file: the next cell of the name removes it as it ends; one that a
 * take-back holds stays. */
TEST(a_killed_take_back_leaves_nothing) {
        char *d = dir_new();
        _cleanup_free_ char *path = NULL, *mark_path = NULL, *notes = NULL;
        int fd = -EBADF, mark = -EBADF, held = -EBADF, held_mark = -EBADF;

        ASSERT_OK(name_lock_path("web", &path));
        ASSERT_TRUE(asprintf(&mark_path, "%s/lock/web.take-back", d) > 0);
        ASSERT_OK(name_lock_acquire("web", &fd, NULL, NULL));
        close(fd);                              /* the cell killed */
        ASSERT_OK(name_lock_take_stale("web", &fd, &mark, &notes));
        close(fd);                              /* and its take-back */
        close(mark);
        ASSERT_OK(access(mark_path, F_OK));

        ASSERT_OK(name_lock_acquire("web", &fd, NULL, NULL));
        ASSERT_OK(access(mark_path, F_OK));     /* not while the cell runs */
        name_lock_release("web", fd);
        ASSERT_TRUE(access(mark_path, F_OK) < 0 && errno == ENOENT);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);

        /* A take-back's own file is the take-back's to remove. */
        ASSERT_OK(name_lock_acquire("web", &fd, NULL, NULL));
        close(fd);
        notes = mfree(notes);
        ASSERT_OK(name_lock_take_stale("web", &held, &held_mark, &notes));
        name_lock_release_stale("web", held, held_mark, true);
        ASSERT_TRUE(access(mark_path, F_OK) < 0 && errno == ENOENT);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        dir_free(d);
}

/* An empty file DIR/NAME. */
static int touch_file(const char *dir, const char *name) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

/* The PID a pidfd names, from its fdinfo. */
static pid_t pidfd_pid(int pidfd) {
        _cleanup_free_ char *path = NULL;
        char line[128];
        pid_t pid = 0;
        FILE *f;

        ASSERT_TRUE(asprintf(&path, "/proc/self/fdinfo/%d", pidfd) > 0);
        f = fopen(path, "re");
        ASSERT_TRUE(f);
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "Pid: %d", &pid) == 1)
                        break;
        fclose(f);
        return pid;
}

/* "cell stop web" while web starts: the "cell run" holding the name's lock
 * is found, as a pidfd of that very process; not a holder that is gone
 * (its PID still in the file), nor the caller itself. */
TEST(the_holder_of_a_start) {
        char *d = dir_new();
        pid_t holder = 0;
        _cleanup_free_ char *path = NULL;
        int fd = -EBADF, pidfd, up[2], down[2];
        pid_t pid;
        char c;

        ASSERT_ERROR(name_lock_holder_pidfd("web", NULL), ESRCH);    /* no file */
        _cleanup_strv_free_ char **names = NULL;
        ASSERT_OK(name_lock_names(&names));
        ASSERT_NULL(names);
        ASSERT_OK(pipe2(up, O_CLOEXEC));
        ASSERT_OK(pipe2(down, O_CLOEXEC));
        pid = fork_holder("web", false, up[1], down[0]);
        ASSERT_EQ(read(up[0], &c, 1), 1);
        pidfd = name_lock_holder_pidfd("web", &holder);
        ASSERT_TRUE(pidfd >= 0);
        ASSERT_EQ(pidfd_pid(pidfd), pid);
        ASSERT_EQ(holder, pid);
        /* Listed by name (cell list's starts), a take-back's file not. */
        ASSERT_OK(touch_file(d, "lock/db.take-back"));
        ASSERT_OK(name_lock_names(&names));
        ASSERT_TRUE(names && streq_ptr(names[0], "web") && !names[1]);
        ASSERT_TRUE(fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
        safe_close(pidfd);
        ASSERT_ERROR(name_lock_holder_pidfd("other", NULL), ESRCH);
        /* Noted started (its scope names it from then on): no start to
         * stop, but the name's holder all the same, whom a start meets. */
        ASSERT_TRUE(asprintf(&path, "%s/lock/web.lock", d) > 0);
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(dprintf(fd, NAME_LOCK_NOTE_STARTED " scope\n") > 0);
        fd = safe_close(fd);
        ASSERT_ERROR(name_lock_holder_pidfd("web", NULL), ESRCH);
        ASSERT_EQ(write(down[1], "x", 1), 1);
        reap(pid);
        ASSERT_ERROR(name_lock_holder_pidfd("web", NULL), ESRCH);

        /* Killed while it held it: its PID stays in the file, unheld. */
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                if (name_lock_acquire("web", &fd, NULL, NULL) < 0 || fd < 0)
                        _exit(1);
                _exit(0);
        }
        reap(pid);
        ASSERT_ERROR(name_lock_holder_pidfd("web", NULL), ESRCH);
        /* Its PID given to another process since, which holds nothing. */
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                (void) !read(down[0], &c, 1);
                _exit(0);
        }
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(dprintf(fd, "%d\n", (int) pid) > 0);
        safe_close(fd);
        ASSERT_ERROR(name_lock_holder_pidfd("web", NULL), ESRCH);
        ASSERT_EQ(write(down[1], "x", 1), 1);
        reap(pid);

        /* Our own lock is no start to stop. */
        ASSERT_OK(name_lock_acquire("web", &fd, NULL, NULL));
        ASSERT_ERROR(name_lock_holder_pidfd("web", NULL), ESRCH);
        name_lock_release("web", fd);
        close(up[0]);
        close(up[1]);
        close(down[0]);
        close(down[1]);
        dir_free(d);
}

/* The manager on the file's second line (name_lock_acquire_as()), for "cell
 * list" to show a start under way as its manager's; the PID stays the first
 * line, and a file an earlier holder left 0644, with notes, is made 0600 and
 * holds the new holder's lines alone. */
TEST(the_manager_of_a_holder) {
        char *d = dir_new();
        _cleanup_free_ char *path = NULL, *text = NULL, *want = NULL, *previous = NULL;
        pid_t holder = 0;
        struct stat st;
        int fd = -EBADF, b = -EBADF;

        ASSERT_OK(name_lock_path("web", &path));
        ASSERT_EQ(name_lock_holder_manager("web"), _CGROUP_MANAGER_MAX);
        ASSERT_OK(name_lock_acquire_as("web", CGROUP_MANAGER_NONE, &fd, NULL, NULL));
        text = read_text(path);
        ASSERT_TRUE(asprintf(&want, "%d\nmanager none\n", (int) getpid()) > 0);
        ASSERT_STREQ(text, want);
        ASSERT_EQ(name_lock_holder_manager("web"), CGROUP_MANAGER_NONE);
        /* The refusal still names the holder's PID. */
        ASSERT_ERROR(name_lock_acquire_as("web", CGROUP_MANAGER_SYSTEMD, &b, &holder, NULL), EBUSY);
        ASSERT_EQ(holder, getpid());
        name_lock_note(fd, "cgroup", "/sys/fs/cgroup/cell-web");
        ASSERT_OK(fchmod(fd, 0644));
        safe_close(fd);         /* killed */

        ASSERT_OK(name_lock_acquire_as("web", CGROUP_MANAGER_SYSTEMD, &fd, NULL, &previous));
        free(want);
        ASSERT_TRUE(asprintf(&want, "%d\nmanager none\ncgroup /sys/fs/cgroup/cell-web\n", (int) getpid()) > 0);
        ASSERT_STREQ(previous, want);
        free(text);
        text = read_text(path);
        free(want);
        ASSERT_TRUE(asprintf(&want, "%d\nmanager systemd\n", (int) getpid()) > 0);
        ASSERT_STREQ(text, want);
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ(st.st_mode & 0777, 0600u);
        ASSERT_EQ(name_lock_holder_manager("web"), CGROUP_MANAGER_SYSTEMD);
        name_lock_release("web", fd);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
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
