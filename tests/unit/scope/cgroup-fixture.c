/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and clearing the tests' own cgroups (cgroup-fixture.h). */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-fixture.h"
#include "cgroup-util.h"
#include "test.h"

char *fixture_read(const char *dir, const char *file) {
        char *path = NULL, *s = NULL;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, file) > 0);
        if (cg_read_file(path, &s) >= 0)
                s[strcspn(s, "\n")] = 0;
        free(path);
        return s;
}

void fixture_kill_procs(const char *dir) {
        char *procs = fixture_read(dir, "cgroup.procs");

        for (char *p = procs; p && *p; ) {
                char *e;
                long pid = strtol(p, &e, 10);
                if (e == p)
                        break;
                (void) kill((pid_t) pid, SIGKILL);
                p = *e ? e + 1 : e;
        }
        free(procs);
}

void fixture_run(void (*body)(void), void (*cleanup)(void)) {
        int status;
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                body();
                /* exit(), not _exit(): LeakSanitizer checks at exit */
                exit(test_skipped() ? TEST_SKIP : EXIT_SUCCESS);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        cleanup();
        (void) test_child_status(status, "in the test's child, as it said");
}

char *fixture_child_dir(const char *controller, const char *child) {
        char *path = NULL, *full = NULL;
        CgroupMembership *own = NULL;
        CgroupMount *mounts = NULL;
        size_t n_own = 0, n_mounts = 0;

        ASSERT_OK(cg_read_both(0, &own, &n_own, &mounts, &n_mounts));
        const CgroupMount *m = cg_mount_find(mounts, n_mounts, controller);
        const char *p = cg_membership_path(own, n_own, controller);
        if (m && p) {
                path = cg_mount_path(m, p);
                ASSERT_TRUE(asprintf(&full, "%s/%s", path, child) > 0);
        }
        free(path);
        cg_membership_free(own, n_own);
        cg_mount_free(mounts, n_mounts);
        return full;
}

void fixture_remove_child(const char *controller, const char *child) {
        char *d = fixture_child_dir(controller, child);

        if (!d)
                return;
        fixture_kill_procs(d);
        for (int i = 0; i < 100 && rmdir(d) < 0 && errno == EBUSY; i++)
                usleep(10000);
        free(d);
}
