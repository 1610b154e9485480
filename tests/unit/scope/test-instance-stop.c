/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/instance-stop.c: "cell stop" out of file descriptors. A PID
 * whose /proc/PID/stat cannot be read (EMFILE) is not a cell that is gone:
 * the stop fails, saying why, instead of reporting a running cell stopped
 * or SIGKILLing its payload for a supervisor it took for dead. The cell is
 * two children of the test's own (rootless), with the none manager. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instance.h"
#include "runtime-state.h"
#include "test.h"

static pid_t child_pausing(void) {
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                /* Gone with the test, also when an assertion aborts it. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;)
                        pause();
        }
        return pid;
}

/* Still running: not signalled (SIGTERM and SIGKILL would end a pause()). */
static void assert_running(pid_t pid) {
        ASSERT_EQ(waitpid(pid, NULL, WNOHANG), 0);
}

static void reap(pid_t pid) {
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

/* instance_stop() with room for n more fds than are open now. */
static int stop_with_fds(const CellInstance *i, int n) {
        TestNofile old = test_nofile_room(n);
        int r = instance_stop(i, false, 5 * USEC_PER_SEC);

        test_nofile_restore(old);
        return r;
}

static CellInstance cell_of(pid_t leader, pid_t supervisor) {
        CellInstance i = {
                .name = (char *) "qa-upg-stop",
                .manager = CGROUP_MANAGER_NONE,
                .leader = leader,
                .supervisor = supervisor,
        };

        ASSERT_OK(runtime_pid_start_time(leader, &i.leader_start));
        ASSERT_OK(runtime_pid_start_time(supervisor, &i.supervisor_start));
        return i;
}

/* Room for the leader's pidfd alone: its stat cannot be opened. It used to
 * count as gone: "cell stop" exited 0 and the cell ran on. */
TEST(leader_stat_unreadable) {
        pid_t leader = child_pausing(), supervisor = child_pausing();
        CellInstance i = cell_of(leader, supervisor);

        char want[64];

        ASSERT_EQ(stop_with_fds(&i, 1), -EMFILE);
        /* "cell stop" names the step, not a bare "Too many open files". */
        snprintf(want, sizeof want, "reading /proc/%d/stat of the container's init", (int) leader);
        ASSERT_NOT_NULL(instance_last_step());
        ASSERT_STREQ(instance_last_step(), want);
        assert_running(leader);
        assert_running(supervisor);
        reap(leader);
        reap(supervisor);
}

/* Room for the leader's pidfd and, once its stat is closed, the
 * supervisor's pidfd: the supervisor's stat cannot be opened. It used to
 * count as dead, and the leader got SIGKILL instead of a graceful stop. */
TEST(supervisor_stat_unreadable) {
        pid_t leader = child_pausing(), supervisor = child_pausing();
        CellInstance i = cell_of(leader, supervisor);

        char want[64];

        ASSERT_EQ(stop_with_fds(&i, 2), -EMFILE);
        snprintf(want, sizeof want, "reading /proc/%d/stat of its cell run", (int) supervisor);
        ASSERT_NOT_NULL(instance_last_step());
        ASSERT_STREQ(instance_last_step(), want);
        assert_running(leader);
        assert_running(supervisor);
        reap(leader);
        reap(supervisor);
}

/* A leader that is gone is still gone: nothing to stop (0). */
TEST(leader_gone) {
        pid_t leader = child_pausing(), supervisor = child_pausing();
        CellInstance i = cell_of(leader, supervisor);

        (void) stop_with_fds(&i, 1);    /* a step named before ... */
        reap(leader);
        ASSERT_EQ(instance_stop(&i, false, 5 * USEC_PER_SEC), 0);
        ASSERT_NULL(instance_last_step());      /* ... is not this stop's */
        assert_running(supervisor);
        reap(supervisor);
}
