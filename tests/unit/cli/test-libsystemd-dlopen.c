/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/cli/libsystemd-dlopen.c, linked here as in the cell executable (without
 * libsystemd): the process that exec'd loads libsystemd on its first sd-*
 * call; a process it cloned never does, since "cell run" clones the
 * container's init, which pivots into the image, before it loads libsystemd. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "libsystemd-dlopen.h"
#include "test.h"
#include "verbs.h"

/* The wait status of fn() run in a forked child, which exits with its result. */
static int in_child(int (*fn)(void)) {
        int status = 0;
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                _exit(fn());
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        return status;
}

static int load_refused(void) {
        return libsystemd_load() == -EPERM ? 0 : 1;
}

/* 0 once the call returned (whatever it found). */
static int call_sd(void) {
        sd_bus_error e = SD_BUS_ERROR_NULL;

        (void) sd_bus_error_get_errno(&e);
        return 0;
}

/* What releases needs nothing loaded: nothing of libsystemd's exists yet. In
 * a clone, where a load would end it with status 2. */
static int release_unloaded(void) {
        sd_bus_error e = SD_BUS_ERROR_NULL;

        if (sd_bus_unref(NULL) || sd_bus_flush_close_unref(NULL) || sd_bus_slot_unref(NULL) ||
            sd_bus_message_unref(NULL))
                return 1;
        sd_bus_error_free(&e);
        return 0;
}

/* In another root (as after cell exec's setns into a container's mount
 * namespace): refused, and said why. As root, in a child (chroot). */
static char other_root[] = "/tmp/cell-dlopen-root.XXXXXX";

static int load_in_other_root(void) {
        int pipefd[2];
        char buf[512] = "";

        if (pipe(pipefd) < 0 || chroot(other_root) < 0 || chdir("/") < 0)
                return 10;
        /* What it logs, read back through a pipe. */
        if (dup2(pipefd[1], STDERR_FILENO) < 0)
                return 11;
        int r = libsystemd_load();
        close(pipefd[1]);
        close(STDERR_FILENO);
        if (read(pipefd[0], buf, sizeof buf - 1) < 0)
                return 12;
        return r == -EPERM && strstr(buf, "is not the root cell started in") ? 0 : 1;
}

TEST(other_root_never_loads) {
        if (geteuid() != 0) {
                test_skip("not root (chroot)");
                return;
        }
        ASSERT_NOT_NULL(mkdtemp(other_root));
        int status = in_child(load_in_other_root);
        ASSERT_OK(rmdir(other_root) < 0 ? -errno : 0);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

/* Before the first load of this process: a clone has nothing loaded either. */
TEST(clone_never_loads) {
        int status = in_child(load_refused);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);

        status = in_child(release_unloaded);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);

        /* An sd-* call in a clone ends it as a failure of cell, before the call. */
        status = in_child(call_sd);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), CELL_EXIT_FAILURE);
}

TEST(owner_loads) {
        ASSERT_EQ(libsystemd_load(), 0);
        ASSERT_EQ(libsystemd_load(), 0);        /* once */
        ASSERT_EQ(call_sd(), 0);
        /* Loaded before the fork: the child uses what is there. */
        int status = in_child(call_sd);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}
