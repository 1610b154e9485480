/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/spawn-sched.c: OOMScoreAdjust= written from outside, on the
 * child's /proc/PID/oom_score_adj. From inside, a child in a user namespace
 * of its own (PrivateUsers=), non-dumpable as cell's child is, could not
 * open its own: every OOMScoreAdjust= failed there ("Permission denied").
 * And Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= set the same way
 * by sched_apply(). */
#include <fcntl.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-sched.h"
#include "test.h"

static int oom_score_adj_of(pid_t pid) {
        char path[64];
        int v = -2000;
        FILE *f;

        snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -2000;
        if (fscanf(f, "%d", &v) != 1)
                v = -2000;
        fclose(f);
        return v;
}

/* A child that (with userns) is in a user namespace of its own and
 * non-dumpable, and waits for its pipe to close; TEST_SKIP: no user namespace. */
static pid_t target_new(bool userns, int *ret_go) {
        int ready[2], go[2];
        char c = 0;
        pid_t pid;

        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
                return -1;
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                close(ready[0]);
                close(go[1]);
                bool none = userns && (unshare(CLONE_NEWUSER) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0);

                if (write(ready[1], &c, 1) != 1)
                        _exit(1);
                if (read(go[0], &c, 1) < 0)
                        _exit(2);
                _exit(none ? TEST_SKIP : 0);
        }
        close(ready[1]);
        close(go[0]);
        if (read(ready[0], &c, 1) != 1) {
                close(ready[0]);
                close(go[1]);
                (void) waitpid(pid, NULL, 0);
                return -1;
        }
        close(ready[0]);
        *ret_go = go[1];
        return pid;
}

static int target_end(pid_t pid, int go) {
        int status = 0;

        close(go);
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

TEST(oom_score_adjust_from_outside) {
        int self = oom_score_adj_of(getpid()), go = -1, r;
        SpawnError err = {};
        pid_t pid;

        ASSERT_TRUE(self > -2000);
        if (self >= 1000) {
                test_skip("oom_score_adj is 1000 here: nothing above it to set");
                return;
        }
        pid = target_new(false, &go);
        ASSERT_TRUE(pid > 0);
        ASSERT_OK(oom_score_adjust_apply(pid, self + 1, &err));
        ASSERT_EQ(oom_score_adj_of(pid), self + 1);
        ASSERT_EQ(target_end(pid, go), 0);

        /* Non-dumpable in a user namespace: only root outside reaches its
         * /proc files (as cell's supervisor is). */
        if (geteuid() != 0) {
                test_skip_part("not root: this test's second half");
                return;
        }
        pid = target_new(true, &go);
        ASSERT_TRUE(pid > 0);
        r = oom_score_adjust_apply(pid, self + 1, &err);
        close(go);
        if (!test_child_ran_part(pid, "no user namespace for this test's second half"))
                return;
        ASSERT_OK(r);
}

/* Below the lowest value the process had: only with CAP_SYS_RESOURCE,
 * which the refusal names (dropped here, as a host may withhold it). */
TEST(oom_score_adjust_lowering_names_the_capability) {
        pid_t caller = fork();

        ASSERT_TRUE(caller >= 0);
        if (caller == 0) {
                cap_value_t resource = CAP_SYS_RESOURCE;
                cap_t caps = cap_get_proc();
                SpawnError err = {};
                int go = -1, r;
                pid_t pid;

                if (!caps || cap_set_flag(caps, CAP_EFFECTIVE, 1, &resource, CAP_CLEAR) < 0 || cap_set_proc(caps) < 0)
                        _exit(20);
                cap_free(caps);
                if (oom_score_adj_of(getpid()) <= -1000)
                        _exit(TEST_SKIP);
                pid = target_new(false, &go);
                if (pid < 0)
                        _exit(21);
                r = oom_score_adjust_apply(pid, -1000, &err);
                if (target_end(pid, go) != 0)
                        _exit(22);
                if (r != -EACCES)
                        _exit(23);
                if (!streq(err.message, "OOMScoreAdjust=-1000: lowering it needs CAP_SYS_RESOURCE, which cell "
                           "itself does not hold")) {
                        fprintf(stderr, "got: %s\n", err.message);
                        _exit(24);
                }
                _exit(0);
        }
        (void) test_child_ran(caller, "oom_score_adj is -1000 here: nothing below it to set");
}

/* Each key set from outside, in systemd's order, and what the target then
 * has: a nice level kept by the policy set after it (sched_setscheduler()
 * leaves it, as systemd's exec_child() relies on), reset-on-fork with it,
 * the IO class idle with its priority (the kernel keeps it), one CPU. None
 * raises anything: as allowed unprivileged as to root. */
TEST(sched_apply_sets_each_key) {
        uint8_t cpus[1] = { 0 };
        PlanSched s = {
                .nice_set = true, .nice = 7,
                .cpu_set = true, .cpu_policy = SCHED_BATCH, .cpu_reset_on_fork = true,
                .io_set = true, .io_class = IOPRIO_CLASS_IDLE, .io_priority = 7,
                .cpu_affinity = cpus, .cpu_affinity_size = sizeof cpus,
        };
        struct sched_param sp = { .sched_priority = -1 };
        SpawnError err = {};
        cpu_set_t set;
        int go = -1, cpu;
        pid_t pid;

        /* A CPU this process may run on, so that the cpuset keeps it. */
        ASSERT_OK(sched_getaffinity(0, sizeof set, &set));
        for (cpu = 0; cpu < 8 && !CPU_ISSET(cpu, &set); cpu++)
                ;
        if (cpu == 8) {
                test_skip("none of the CPUs 0..7 is ours");
                return;
        }
        cpus[0] = (uint8_t) (1u << cpu);
        pid = target_new(false, &go);
        ASSERT_TRUE(pid > 0);
        ASSERT_OK(sched_apply(pid, &s, true, &err));
        errno = 0;
        ASSERT_EQ(getpriority(PRIO_PROCESS, (id_t) pid), 7);
        ASSERT_EQ(sched_getscheduler(pid), SCHED_BATCH | SCHED_RESET_ON_FORK);
        ASSERT_OK(sched_getparam(pid, &sp));
        ASSERT_EQ(sp.sched_priority, 0);
        ASSERT_EQ(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, (int) pid), IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 7));
        ASSERT_OK(sched_getaffinity(pid, sizeof set, &set));
        ASSERT_EQ(CPU_COUNT(&set), 1);
        ASSERT_TRUE(CPU_ISSET(cpu, &set));
        ASSERT_EQ(target_end(pid, go), 0);
}

/* A nice level below what the caller may set fails, naming the capability
 * (systemd would take the nearest level allowed: the man page says so). */
TEST(sched_apply_nice_names_the_capability) {
        pid_t caller = fork();

        ASSERT_TRUE(caller >= 0);
        if (caller == 0) {
                cap_value_t sys_nice = CAP_SYS_NICE;
                PlanSched s = { .nice_set = true, .nice = -20 };
                cap_t caps = cap_get_proc();
                SpawnError err = {};
                struct rlimit rl;
                int go = -1, r;
                pid_t pid;

                if (!caps || cap_set_flag(caps, CAP_EFFECTIVE, 1, &sys_nice, CAP_CLEAR) < 0 || cap_set_proc(caps) < 0)
                        _exit(20);
                cap_free(caps);
                /* RLIMIT_NICE 40 allows -20 without the capability: nothing to refuse. */
                if (getrlimit(RLIMIT_NICE, &rl) < 0 || rl.rlim_cur >= 40)
                        _exit(TEST_SKIP);
                pid = target_new(false, &go);
                if (pid < 0)
                        _exit(21);
                r = sched_apply(pid, &s, true, &err);
                if (target_end(pid, go) != 0)
                        _exit(22);
                if (r != -EACCES && r != -EPERM)
                        _exit(23);
                if (!streq(err.message, "Nice=-20: cell itself does not hold CAP_SYS_NICE")) {
                        fprintf(stderr, "got: %s\n", err.message);
                        _exit(24);
                }
                _exit(0);
        }
        (void) test_child_ran(caller, "RLIMIT_NICE allows nice level -20 here: nothing to refuse");
}
