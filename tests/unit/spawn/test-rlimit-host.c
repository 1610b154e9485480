/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/rlimit.c: LimitNOFILE=infinity is the host's fs.nr_open, read
 * before the container's mounts. The exec reads it where the container's
 * /proc/sys is: with Inaccessible=/proc/sys there was none, the limit went
 * to the kernel as RLIM_INFINITY, which it refuses (EPERM) whatever the
 * privilege, and the start failed where systemd runs such a service. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-child.h"
#include "test.h"

static unsigned long long host_nr_open(void) {
        unsigned long long v = 0;
        FILE *f = fopen("/proc/sys/fs/nr_open", "re");

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fscanf(f, "%llu", &v), 1);
        fclose(f);
        return v;
}

/* In a child: fs.nr_open taken on the host, then /proc/sys hidden below a
 * tmpfs of a mount namespace of its own, as Inaccessible=/proc/sys hides it
 * in the container. Set where the hard limit may go that far, else refused
 * naming fs.nr_open: never RLIM_INFINITY. */
TEST(nofile_infinity_without_proc_sys) {
        unsigned long long nr_open = host_nr_open();
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                PlanRlimit inf = { .resource = RLIMIT_NOFILE, .soft = 64, .hard = RLIM_INFINITY,
                                   .value = (char *) "64:infinity" };
                SpawnError err = {};
                struct rlimit now;
                char want[128];

                rlimits_prepare(&inf, 1);
                if (unshare(geteuid() == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) < 0 ||
                    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount("tmpfs", "/proc/sys", "tmpfs", 0, "size=4k") < 0)
                        _exit(TEST_SKIP);
                if (access("/proc/sys/fs/nr_open", F_OK) == 0)
                        _exit(10);
                if (rlimits_apply(&inf, 1, &err) < 0) {
                        snprintf(want, sizeof want, "LimitNOFILE=64:infinity: setrlimit to fs.nr_open=%llu,",
                                 nr_open);
                        if (!startswith(err.message, want)) {
                                fprintf(stderr, "got: %s\nwant: %s ...\n", err.message, want);
                                _exit(11);
                        }
                        _exit(0);
                }
                if (getrlimit(RLIMIT_NOFILE, &now) < 0 || now.rlim_cur != 64 || now.rlim_max != nr_open)
                        _exit(12);
                _exit(0);
        }
        test_child_ran(pid, "no mount namespace of its own here");
}
