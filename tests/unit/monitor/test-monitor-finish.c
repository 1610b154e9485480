/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell-monitor's way back to "cell __finish" when cell's binary changed on
 * disk while the payload ran: removed (or renamed over, as an upgrade does),
 * the file cell ran from is exec'd all the same; rewritten in place (cp over
 * it), it is another version's, and not exec'd: cell-monitor says so and
 * exits 2, as cell on a failure of its own, instead of the stand-in's status. */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "finish-stand-in.h"
#include "monitor.h"
#include "strv.h"
#include "supervise-common.h"
#include "test.h"


static void on_signal_exit(int sig) {
        _exit(10 + sig);
}

/* A copy of this binary beside it (the build tree: exec is allowed there,
 * perhaps not in /tmp), as cell's own, into path. */
static void copy_self(char path[static PATH_MAX]) {
        char exe[PATH_MAX] = {};
        struct stat st;

        ASSERT_TRUE(readlink("/proc/self/exe", exe, sizeof exe - 1) > 0);
        snprintf(path, PATH_MAX, "%s/test-monitor-cell-XXXXXX", dirname(exe));
        int out = mkostemp(path, O_CLOEXEC);
        ASSERT_TRUE(out >= 0);
        int in = open("/proc/self/exe", O_RDONLY|O_CLOEXEC);
        ASSERT_TRUE(in >= 0);
        ASSERT_OK(fstat(in, &st));
        ASSERT_EQ(sendfile(out, in, NULL, (size_t) st.st_size), (ssize_t) st.st_size);
        ASSERT_OK(fchmod(out, 0755));
        close(in);
        close(out);     /* no writer left: it can be exec'd */
}

/* As cell: signals blocked, a payload that exits 10+N on signal N, cell-monitor
 * exec'd with the hand-over (--debug: it says when it supervises). */
static pid_t monitor_start(const MonitorState *tmpl, const char *log) {
        const char *bin = getenv("CELL_MONITOR_BIN");
        int ready[2];

        ASSERT_NOT_NULL(bin);
        ASSERT_OK(pipe2(ready, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid > 0) {
                close(ready[1]);
                close(ready[0]);
                return pid;
        }
        MonitorState s = *tmpl;
        char **argv = NULL, c;
        int fds[MONITOR_FDS_MAX], log_fd = open(log, O_WRONLY|O_CLOEXEC);
        size_t n = 0;

        /* A failed test leaves nothing: the monitor dies with it. */
        if (log_fd < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || supervise_block_signals() < 0 ||
            dup2(log_fd, STDERR_FILENO) < 0)
                _exit(100);
        pid_t payload = fork();
        if (payload < 0)
                _exit(100);
        if (payload == 0) {
                sigset_t none;

                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                signal(SIGTERM, on_signal_exit);
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                (void) !write(ready[1], "x", 1);
                for (;;)
                        pause();
        }
        if (read(ready[0], &c, 1) != 1)
                _exit(100);
        s.pid = payload;
        s.pidfd = (int) syscall(SYS_pidfd_open, payload, 0);
        if (s.pidfd < 0 || monitor_state_to_argv(&s, bin, &argv, fds, &n) < 0)
                _exit(100);
        for (size_t i = 0; i < n; i++)
                (void) fcntl(fds[i], F_SETFD, 0);
        execv(bin, argv);
        _exit(101);
}

static char *read_all(const char *path) {
        char buf[4096] = {};
        int fd = open(path, O_RDONLY|O_CLOEXEC);

        ASSERT_TRUE(fd >= 0);
        (void) !read(fd, buf, sizeof buf - 1);
        close(fd);
        return strdup(buf);
}

static void wait_until_supervised(const char *log) {
        for (int i = 0; i < 500; i++) {
                char *l = read_all(log);
                bool up = strstr(l, "cell-monitor supervises PID");

                free(l);
                if (up)
                        return;
                (void) nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        TEST_FAIL("cell-monitor did not start");
}

typedef enum Change {
        CHANGE_REMOVED,         /* rm, or an upgrade's rename over it */
        CHANGE_REWRITTEN,       /* cp over it: the same file, new content */
} Change;

/* The monitor's exit status; what the stand-in got into *ret_finish, its
 * log into *ret_log. */
static int run_with(Change change, char **ret_finish, char **ret_log) {
        char *finish[] = { (char *) "--state", NULL };
        char cell[PATH_MAX], out[] = "/tmp/test-monitor-finish-XXXXXX", log[] = "/tmp/test-monitor-log-XXXXXX";
        MonitorState t = MONITOR_STATE_NULL;
        int status;

        ASSERT_OK(close(mkostemp(out, O_CLOEXEC)));
        ASSERT_OK(close(mkostemp(log, O_CLOEXEC)));
        ASSERT_OK(setenv("TEST_MONITOR_FINISH", out, 1));
        copy_self(cell);
        t.name = (char *) "t";
        t.kill_signal = SIGTERM;
        t.timeout_stop_usec = USEC_INFINITY;
        t.ready_sent = true;
        t.debug = true;
        t.finish = finish;
        t.cell_fd = open(cell, O_PATH|O_CLOEXEC);
        ASSERT_TRUE(t.cell_fd >= 0);

        pid_t pid = monitor_start(&t, log);
        wait_until_supervised(log);
        if (change == CHANGE_REWRITTEN) {
                /* As cp(1) over an existing file: the same inode, written anew. */
                int fd = open(cell, O_WRONLY|O_APPEND|O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                ASSERT_EQ(write(fd, "", 1), 1);
                close(fd);
        }
        ASSERT_OK(unlink(cell));
        ASSERT_OK(kill(pid, SIGTERM));
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        *ret_finish = read_all(out);
        *ret_log = read_all(log);
        unlink(out);
        unlink(log);
        close(t.cell_fd);
        unsetenv("TEST_MONITOR_FINISH");
        return WEXITSTATUS(status);
}

TEST(finish_from_a_removed_binary) {
        char *finish, *log;

        /* The stand-in ran, from the file cell-monitor had, and exited with the payload's status. */
        ASSERT_EQ(run_with(CHANGE_REMOVED, &finish, &log), 10 + SIGTERM);
        ASSERT_CONTAINS(finish, "--status=25\n--name=t\n--state\n");
        free(finish);
        free(log);
}

TEST(no_finish_from_a_rewritten_binary) {
        char *finish, *log;

        ASSERT_EQ(run_with(CHANGE_REWRITTEN, &finish, &log), 2);
        ASSERT_STREQ(finish, "");
        ASSERT_CONTAINS(log, "cell's binary was rewritten in place");
        free(finish);
        free(log);
}
