/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/rlimit.c: a Limit*= the kernel refuses is told with the value
 * asked and the hard limit in force. Only refused calls are made here, so
 * the test's own limits never change. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-child.h"
#include "test.h"

TEST(refused_limit_says_value_and_hard_limit) {
        struct rlimit now;
        SpawnError err = {};
        char want[256];
        unsigned long long nr_open;
        FILE *f = fopen("/proc/sys/fs/nr_open", "re");

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fscanf(f, "%llu", &nr_open), 1);
        fclose(f);

        /* Past fs.nr_open: refused even with CAP_SYS_RESOURCE. */
        PlanRlimit nofile = { .resource = RLIMIT_NOFILE, .soft = nr_open + 1, .hard = nr_open + 1 };
        ASSERT_OK(getrlimit(RLIMIT_NOFILE, &now));
        ASSERT_ERROR(rlimits_apply(&nofile, 1, &err), EPERM);
        snprintf(want, sizeof want, "LimitNOFILE=%llu: setrlimit (the hard limit in force is %llu; at most "
                 "fs.nr_open=%llu)", nr_open + 1, (unsigned long long) now.rlim_max, nr_open);
        ASSERT_STREQ(err.message, want);

        /* Soft above hard, as SOFT:HARD; infinity by name. */
        PlanRlimit core = { .resource = RLIMIT_CORE, .soft = RLIM_INFINITY, .hard = 1 };
        ASSERT_OK(getrlimit(RLIMIT_CORE, &now));
        ASSERT_ERROR(rlimits_apply(&core, 1, &err), EINVAL);
        if (now.rlim_max == RLIM_INFINITY)
                snprintf(want, sizeof want, "LimitCORE=infinity:1: setrlimit (the hard limit in force is infinity)");
        else
                snprintf(want, sizeof want, "LimitCORE=infinity:1: setrlimit (the hard limit in force is %llu)",
                         (unsigned long long) now.rlim_max);
        ASSERT_STREQ(err.message, want);
}

/* LimitNOFILE=infinity: the kernel has no unlimited RLIMIT_NOFILE, so it is
 * fs.nr_open, as systemd's services get it; it was refused on every host
 * ("setrlimit ... at most fs.nr_open"). Tried in a child, whose limits may
 * change: set where cell may raise its hard limit that far, else refused
 * naming the value it is. */
TEST(nofile_infinity_is_nr_open) {
        unsigned long long nr_open;
        FILE *f = fopen("/proc/sys/fs/nr_open", "re");
        int status = 0;
        pid_t pid;

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fscanf(f, "%llu", &nr_open), 1);
        fclose(f);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                PlanRlimit inf = { .resource = RLIMIT_NOFILE, .soft = RLIM_INFINITY, .hard = RLIM_INFINITY };
                PlanRlimit half = { .resource = RLIMIT_NOFILE, .soft = 64, .hard = RLIM_INFINITY };
                SpawnError err = {};
                struct rlimit now;
                char want[256];

                if (getrlimit(RLIMIT_NOFILE, &now) < 0)
                        _exit(10);
                if (rlimits_apply(&inf, 1, &err) < 0) {
                        snprintf(want, sizeof want, "LimitNOFILE=infinity: setrlimit to fs.nr_open=%llu, the most the "
                                 "kernel allows (the hard limit in force is %llu)", nr_open,
                                 (unsigned long long) now.rlim_max);
                        if (!streq(err.message, want)) {
                                fprintf(stderr, "got: %s\nwant: %s\n", err.message, want);
                                _exit(11);
                        }
                        _exit(0);
                }
                if (getrlimit(RLIMIT_NOFILE, &now) < 0 || now.rlim_cur != nr_open || now.rlim_max != nr_open)
                        _exit(12);
                /* SOFT:infinity keeps SOFT. */
                if (rlimits_apply(&half, 1, &err) < 0 || getrlimit(RLIMIT_NOFILE, &now) < 0 ||
                    now.rlim_cur != 64 || now.rlim_max != nr_open)
                        _exit(13);
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

/* LimitNOFILE=4 (as low as systemd runs a service with):
 * rlimits_apply_early(), while privileged, lowers nothing of it, so cell's own opens on the way
 * to exec (OOMScoreAdjust=, WorkingDirectory=) still work; rlimits_apply(),
 * last, sets the limit exactly. Both were one step, before those opens:
 * "WorkingDirectory=/: Too many open files". The other limits are set
 * exactly early, as systemd sets them before the ids change (LimitNPROC= is
 * checked at setuid() and the exec). In a child. */
TEST(early_lowers_no_nofile_apply_sets) {
        int status = 0;
        pid_t pid;

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                PlanRlimit four = { .resource = RLIMIT_NOFILE, .soft = 4, .hard = 4 };
                SpawnError err = {};
                struct rlimit before, now, core;
                int fds[8];

                if (getrlimit(RLIMIT_NOFILE, &before) < 0 || before.rlim_cur < 16)
                        _exit(10);
                if (getrlimit(RLIMIT_CORE, &core) < 0 || core.rlim_max == 0)
                        _exit(10);
                PlanRlimit both[] = { four, { .resource = RLIMIT_CORE, .soft = 0, .hard = core.rlim_max - 1 } };
                if (rlimits_apply_early(both, ELEMENTSOF(both), &err) < 0 || getrlimit(RLIMIT_NOFILE, &now) < 0 ||
                    now.rlim_cur != before.rlim_cur || now.rlim_max != before.rlim_max)
                        _exit(11);
                if (getrlimit(RLIMIT_CORE, &now) < 0 || now.rlim_cur != 0 || now.rlim_max != core.rlim_max - 1)
                        _exit(14);
                for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                        if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
                                _exit(12);
                for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                        close(fds[i]);
                if (rlimits_apply(&four, 1, &err) < 0 || getrlimit(RLIMIT_NOFILE, &now) < 0 ||
                    now.rlim_cur != 4 || now.rlim_max != 4)
                        _exit(13);
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}
