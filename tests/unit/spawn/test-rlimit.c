/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/rlimit.c: a Limit*= the kernel refuses is told with the value
 * asked and the hard limit in force. Only refused calls are made here, so
 * the test's own limits never change. */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
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

static void hard_in_force(int resource, char buf[static 32]) {
        struct rlimit now;

        ASSERT_OK(getrlimit((__rlimit_resource_t) resource, &now));
        if (now.rlim_max == RLIM_INFINITY)
                snprintf(buf, 32, "infinity");
        else if (resource == RLIMIT_NICE && now.rlim_max >= 1 && now.rlim_max <= 40)
                snprintf(buf, 32, "%+d", 20 - (int) now.rlim_max);
        else
                snprintf(buf, 32, "%llu", (unsigned long long) now.rlim_max);
}

/* The value as the unit wrote it, not as the kernel takes it: LimitNICE=-1
 * was told as "LimitNICE=21", LimitMEMLOCK=8G as 8589934592, a value no
 * grep finds in the unit. Soft above hard, which the kernel refuses
 * (EINVAL) whatever the privilege. */
TEST(refused_limit_says_value_as_written) {
        SpawnError err = {};
        char want[256], hard[32];

        PlanRlimit nice = { .resource = RLIMIT_NICE, .soft = 21, .hard = 20, .value = (char *) "-1:+0" };
        hard_in_force(RLIMIT_NICE, hard);
        ASSERT_ERROR(rlimits_apply(&nice, 1, &err), EINVAL);
        snprintf(want, sizeof want, "LimitNICE=-1:+0: setrlimit (the hard limit in force is %s)", hard);
        ASSERT_STREQ(err.message, want);

        PlanRlimit memlock = { .resource = RLIMIT_MEMLOCK, .soft = UINT64_C(8) << 30, .hard = UINT64_C(4) << 30,
                               .value = (char *) "8G:4G" };
        hard_in_force(RLIMIT_MEMLOCK, hard);
        ASSERT_ERROR(rlimits_apply_early(&memlock, 1, &err), EINVAL);
        snprintf(want, sizeof want, "LimitMEMLOCK=8G:4G: setrlimit (the hard limit in force is %s)", hard);
        ASSERT_STREQ(err.message, want);

        /* "infinity" as written too (LimitCORE=infinity:1 is refused the same way). */
        PlanRlimit core = { .resource = RLIMIT_CORE, .soft = RLIM_INFINITY, .hard = 1024,
                            .value = (char *) "infinity:1K" };
        hard_in_force(RLIMIT_CORE, hard);
        ASSERT_ERROR(rlimits_apply(&core, 1, &err), EINVAL);
        snprintf(want, sizeof want, "LimitCORE=infinity:1K: setrlimit (the hard limit in force is %s)", hard);
        ASSERT_STREQ(err.message, want);
}

/* The hard limit in force as a unit would write it: RLIMIT_NICE's raw
 * value as the nice level it allows (the message said "21" for "-1", the
 * raw value the page says cell never shows); raw 0 allows no level. */
TEST(hard_limit_in_force_as_written) {
        char buf[32];

        ASSERT_STREQ(rlimit_format_in_force(RLIMIT_NICE, 21, buf), "-1");
        ASSERT_STREQ(rlimit_format_in_force(RLIMIT_NICE, 40, buf), "-20");
        ASSERT_STREQ(rlimit_format_in_force(RLIMIT_NICE, 20, buf), "+0");
        ASSERT_STREQ(rlimit_format_in_force(RLIMIT_NICE, 1, buf), "+19");
        ASSERT_STREQ(rlimit_format_in_force(RLIMIT_NICE, 0, buf), "0");
        ASSERT_STREQ(rlimit_format_in_force(RLIMIT_NICE, RLIM_INFINITY, buf), "infinity");
        ASSERT_STREQ(rlimit_format_in_force(RLIMIT_NOFILE, 21, buf), "21");
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
                        const char *end;

                        /* Then the privilege the raise lacks (refused_raise_names_the_privilege). */
                        snprintf(want, sizeof want, "LimitNOFILE=infinity: setrlimit to fs.nr_open=%llu, the most the "
                                 "kernel allows (the hard limit in force is %llu", nr_open,
                                 (unsigned long long) now.rlim_max);
                        end = startswith(err.message, want);
                        if (!end || !(streq(end, ")") || startswith(end, "; raising it needs CAP_SYS_RESOURCE"))) {
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

/* A refused raise of a hard limit says which privilege it lacks: the
 * message named only the hard limit in force, as if cell could not raise
 * it, where cell lacked CAP_SYS_RESOURCE (a host that withholds it) or ran
 * in the container's user namespace (PrivateUsers=: the kernel asks for it
 * in the host's, so root inside cannot raise one either). In children, each
 * first lowering RLIMIT_MSGQUEUE's hard limit to raise it again by one. */
static int raise_msgqueue(char *ret_message, size_t size) {
        struct rlimit now;
        SpawnError err = {};

        if (getrlimit(RLIMIT_MSGQUEUE, &now) < 0 || now.rlim_max < 2)
                return 10;
        now.rlim_max = now.rlim_cur = now.rlim_max == RLIM_INFINITY ? 4096 : now.rlim_max - 1;
        if (setrlimit(RLIMIT_MSGQUEUE, &now) < 0)
                return 11;
        PlanRlimit up = { .resource = RLIMIT_MSGQUEUE, .soft = now.rlim_max, .hard = now.rlim_max + 1 };
        if (rlimits_apply(&up, 1, &err) != -EPERM)
                return 12;
        snprintf(ret_message, size, "%s", err.message);
        return 0;
}

static int wait_child(pid_t pid) {
        int status = 0;

        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

TEST(refused_raise_names_the_privilege) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                cap_t caps = cap_get_proc();
                cap_value_t resource = CAP_SYS_RESOURCE;
                char got[512], want[512];
                int r;

                /* Without the capability (as a host that withholds it). */
                if (!caps || cap_set_flag(caps, CAP_EFFECTIVE, 1, &resource, CAP_CLEAR) < 0 ||
                    cap_set_proc(caps) < 0)
                        _exit(20);
                cap_free(caps);
                r = raise_msgqueue(got, sizeof got);
                if (r != 0)
                        _exit(r);
                /* The test's own user namespace may be a container's already. */
                if (!strstr(got, "; raising it needs CAP_SYS_RESOURCE in the host's user namespace, which the "
                            "container's (PrivateUsers=) does not give)")) {
                        struct rlimit now;

                        if (getrlimit(RLIMIT_MSGQUEUE, &now) < 0)
                                _exit(21);
                        snprintf(want, sizeof want, "LimitMSGQUEUE=%llu:%llu: setrlimit (the hard limit in force is "
                                 "%llu; raising it needs CAP_SYS_RESOURCE, which cell itself does not hold)",
                                 (unsigned long long) now.rlim_max, (unsigned long long) now.rlim_max + 1,
                                 (unsigned long long) now.rlim_max);
                        if (!streq(got, want)) {
                                fprintf(stderr, "got: %s\nwant: %s\n", got, want);
                                _exit(22);
                        }
                }
                _exit(0);
        }
        ASSERT_EQ(wait_child(pid), 0);

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                char got[512];
                int r;

                /* In a user namespace of its own, with every capability there. */
                if (unshare(CLONE_NEWUSER) < 0)
                        _exit(TEST_SKIP);
                r = raise_msgqueue(got, sizeof got);
                if (r != 0)
                        _exit(r);
                if (!strstr(got, "; raising it needs CAP_SYS_RESOURCE in the host's user namespace, which the "
                            "container's (PrivateUsers=) does not give)")) {
                        fprintf(stderr, "got: %s\n", got);
                        _exit(30);
                }
                _exit(0);
        }
        (void) test_child_ran_part(pid, "no user namespace for this test's second half");
}
