/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/runtime-state.c when a PID's /proc stat cannot be read (out of
 * fds, hidepid=, ENOMEM): that says nothing about whether it runs. The
 * state is no stale one then (runtime_state_read() fails with the errno),
 * and runtime_state_remove() keeps it. A stat that cannot be read is made
 * in a mount namespace of the test's own: a tmpfs over /proc where
 * PID/stat is a directory (EISDIR). Skipped where no namespace can be had. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime-state.h"
#include "test.h"

#define UNREADABLE 4000000      /* PIDs above pid_max's limit: none of the host's */
#define GONE 4000001

static int write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY|O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

        if (fd >= 0)
                close(fd);
        return n == (ssize_t) strlen(text) ? 0 : -1;
}

/* A mount namespace (and a user namespace without root) with a tmpfs on
 * /proc, where UNREADABLE's stat is a directory and GONE is not. */
static int mask_proc(void) {
        uid_t uid = geteuid();
        gid_t gid = getegid();
        char map[64], dir[64];

        if (unshare(CLONE_NEWNS | (uid == 0 ? 0 : CLONE_NEWUSER)) < 0)
                return -1;
        if (uid != 0) {
                snprintf(map, sizeof map, "0 %u 1", (unsigned) uid);
                if (write_file("/proc/self/uid_map", map) < 0 || write_file("/proc/self/setgroups", "deny") < 0)
                        return -1;
                snprintf(map, sizeof map, "0 %u 1", (unsigned) gid);
                if (write_file("/proc/self/gid_map", map) < 0)
                        return -1;
        }
        if (mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) < 0 || mount("tmpfs", "/proc", "tmpfs", 0, NULL) < 0)
                return -1;
        snprintf(dir, sizeof dir, "/proc/%d", UNREADABLE);
        if (mkdir(dir, 0755) < 0)
                return -1;
        snprintf(dir, sizeof dir, "/proc/%d/stat", UNREADABLE);
        return mkdir(dir, 0755);
}

static void state_put(const char *name, pid_t supervisor, pid_t leader) {
        RuntimeState s = {
                .name = (char *) name, .unit_path = (char *) "/etc/cell/x.cell",
                .manager = CGROUP_MANAGER_NONE, .supervisor = supervisor, .supervisor_start = 5,
                .leader = leader, .leader_start = 6, .since_usec = 1,
        };
        ASSERT_OK(runtime_state_write(&s));
}

TEST(unreadable_stat_is_not_stale) {
        char *dir = test_runtime_dir_new("runtime-state-proc");
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                RuntimeState s;

                state_put("unreadable", GONE, UNREADABLE);
                state_put("gone", GONE, GONE);
                if (mask_proc() < 0)
                        _exit(TEST_SKIP);
                /* Not "gone": the error, for the verb to say. */
                ASSERT_ERROR(runtime_state_read("unreadable", &s), EISDIR);
                ASSERT_ERROR(runtime_state_read("gone", &s), ESTALE);
                _exit(0);
        }
        (void) test_child_ran(pid, "no mount namespace with a tmpfs on /proc here");
        test_runtime_dir_free(dir);
}

TEST(unreadable_supervisor_keeps_its_state) {
        char *dir = test_runtime_dir_new("runtime-state-proc");
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                char path[PATH_MAX];

                state_put("unreadable", UNREADABLE, UNREADABLE);
                state_put("gone", GONE, GONE);
                if (mask_proc() < 0)
                        _exit(TEST_SKIP);
                ASSERT_ERROR(runtime_state_remove("unreadable", 0), EISDIR);
                snprintf(path, sizeof path, "%s/unreadable/state", runtime_state_dir());
                ASSERT_OK(access(path, F_OK));
                /* A killed cell's: taken away. */
                ASSERT_OK(runtime_state_remove("gone", 0));
                snprintf(path, sizeof path, "%s/gone", runtime_state_dir());
                ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
                _exit(0);
        }
        (void) test_child_ran(pid, "no mount namespace with a tmpfs on /proc here");
        test_runtime_dir_free(dir);
}

/* Whether a run of the name is past its start ("cell stop" waits for its
 * clean-up, "cell kill" refuses): not known where its supervisor's stat
 * cannot be read. It used to say "no", and "cell kill" sent SIGTERM to a
 * run cleaning up as to a start. */
TEST(unreadable_supervisor_is_not_starting) {
        char *dir = test_runtime_dir_new("runtime-state-proc");
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                char path[PATH_MAX];
                int fd;

                state_put("unreadable", UNREADABLE, UNREADABLE);
                state_put("gone", GONE, GONE);
                if (mask_proc() < 0)
                        _exit(TEST_SKIP);
                ASSERT_ERROR(runtime_state_of_supervisor("unreadable", UNREADABLE), EISDIR);
                ASSERT_EQ(runtime_state_of_supervisor("gone", GONE), 0);
                /* Another supervisor's state, or none: not this run's. */
                ASSERT_EQ(runtime_state_of_supervisor("unreadable", GONE), 0);
                ASSERT_EQ(runtime_state_of_supervisor("none", UNREADABLE), 0);
                /* One that does not parse (another version's) is no record of it either. */
                snprintf(path, sizeof path, "%s/garbled", runtime_state_dir());
                ASSERT_OK(mkdir(path, 0755));
                snprintf(path, sizeof path, "%s/garbled/state", runtime_state_dir());
                fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                ASSERT_TRUE(fd >= 0 && write(fd, "LEADER_START=\n", 14) == 14);
                close(fd);
                ASSERT_EQ(runtime_state_of_supervisor("garbled", UNREADABLE), 0);
                _exit(0);
        }
        (void) test_child_ran(pid, "no mount namespace with a tmpfs on /proc here");
        test_runtime_dir_free(dir);
}
