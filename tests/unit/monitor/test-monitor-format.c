/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hand-over's format (monitor.h): cell passes its own first,
 * cell-monitor refuses another before it touches a handed-over fd, and
 * cell asks the cell-monitor it opened before it execs it (monitor_probe()):
 * the built one, one of a later format and one older than the formats
 * (fake-cell-monitor.c), as a package upgrade during a start pairs them. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config-build.h"
#include "monitor-handover.h"
#include "monitor-test.h"
#include "monitor.h"
#include "strv.h"
#include "test.h"

static int open_bin(const char *env) {
        const char *bin = getenv(env);
        int fd;

        ASSERT_NOT_NULL(bin);
        fd = open(bin, O_PATH|O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        return fd;
}

TEST(format_passed_first) {
        MonitorState in = MONITOR_STATE_NULL, out;
        char **argv = NULL, expect[64];
        int fds[MONITOR_FDS_MAX], status = -1;
        size_t n_fds = 0;

        in.pid = getpid();
        in.pidfd = fd_null();
        in.name = (char *) "web";
        in.timeout_stop_usec = USEC_INFINITY;
        ASSERT_OK(monitor_state_to_argv(&in, "cell-monitor", &argv, fds, &n_fds));
        snprintf(expect, sizeof expect, "--handover-format=%u", MONITOR_HANDOVER_FORMAT);
        ASSERT_STREQ(argv[1], expect);
        ASSERT_STREQ(argv[2], "--cell-version=" CELL_VERSION);
        ASSERT_EQ(monitor_handover_check((int) strv_length(argv), argv, &status), 0);
        ASSERT_OK(fcntl(in.pidfd, F_SETFD, 0));
        ASSERT_OK(monitor_state_parse((int) strv_length(argv), argv, &out));
        ASSERT_STREQ(out.name, "web");
        monitor_state_done(&out);
        strv_free(argv);
}

/* Another format: refused before any fd handed over is touched (it keeps
 * the flags the exec left it). None: a cell of before the formats, whose
 * options are format 1's, which format 2 reads as they were meant (it only
 * added one). */
TEST(check_refuses_another_format) {
        int fd = fd_null(), status = -1;
        char pidfd[32], pid[32], next[32];

        ASSERT_OK(fcntl(fd, F_SETFD, 0));
        snprintf(pidfd, sizeof pidfd, "--pidfd=%d", fd);
        snprintf(pid, sizeof pid, "--pid=%d", (int) getpid());
        snprintf(next, sizeof next, "--handover-format=%u", MONITOR_HANDOVER_FORMAT + 1);
        char *other[] = { (char *) "cell-monitor", next, (char *) "--cell-version=9",
                          pidfd, pid, (char *) "--name=a", NULL };
        ASSERT_ERROR(monitor_handover_check(6, other, &status), EPROTO);
        ASSERT_EQ(fcntl(fd, F_GETFD), 0);
        char *bad[] = { (char *) "cell-monitor", (char *) "--handover-format=1x", pidfd, NULL };
        ASSERT_ERROR(monitor_handover_check(3, bad, &status), EINVAL);
        char *none[] = { (char *) "cell-monitor", pidfd, pid, (char *) "--name=a", NULL };
        ASSERT_EQ(monitor_handover_check(4, none, &status), 0);
        char *ask[] = { (char *) "cell-monitor", (char *) "--handover-format=2", (char *) "--handover-check", NULL };
        ASSERT_EQ(monitor_handover_check(3, ask, &status), 1);
        ASSERT_EQ(status, 0);
        char *ask1[] = { (char *) "cell-monitor", (char *) "--handover-format=1", (char *) "--handover-check", NULL };
        ASSERT_EQ(monitor_handover_check(3, ask1, &status), 1);
        ASSERT_EQ(status, 0);
        char *ask_next[] = { (char *) "cell-monitor", next, (char *) "--handover-check", NULL };
        ASSERT_EQ(monitor_handover_check(3, ask_next, &status), 1);
        ASSERT_EQ(status, 1);
        safe_close(fd);
}

/* The built cell-monitor: exec'd with a hand-over of another format, it
 * exits 2 saying so and leaves the payload alone; without one (a cell of
 * before the formats) it supervises as ever: the payload's exit status. */
static int monitor_exec(const char *format, char **ret_log) {
        const char *bin = getenv("CELL_MONITOR_BIN");
        char log[] = "/tmp/test-monitor-format-XXXXXX", buf[2048] = {};
        int log_fd, status;
        pid_t pid;

        ASSERT_NOT_NULL(bin);
        log_fd = mkostemp(log, O_CLOEXEC);
        ASSERT_TRUE(log_fd >= 0);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                char pidfd[32], pid_opt[32];
                sigset_t mask;

                sigemptyset(&mask);
                sigaddset(&mask, SIGCHLD);
                if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || dup2(log_fd, STDERR_FILENO) < 0)
                        _exit(100);
                pid_t payload = fork();
                if (payload < 0)
                        _exit(100);
                if (payload == 0) {
                        usleep(200 * 1000);
                        _exit(7);
                }
                /* Through the exec, as cell hands it over. */
                int fd = (int) syscall(SYS_pidfd_open, payload, 0);
                if (fd < 0 || fcntl(fd, F_SETFD, 0) < 0)
                        _exit(100);
                snprintf(pidfd, sizeof pidfd, "--pidfd=%d", fd);
                snprintf(pid_opt, sizeof pid_opt, "--pid=%d", (int) payload);
                char *argv[] = { (char *) "cell-monitor", pidfd, pid_opt, (char *) "--name=t",
                                 (char *) format, NULL };
                execv(bin, argv);
                _exit(101);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        (void) !pread(log_fd, buf, sizeof buf - 1, 0);
        safe_close(log_fd);
        unlink(log);
        *ret_log = strdup(buf);
        return WEXITSTATUS(status);
}

TEST(monitor_refuses_another_format) {
        _cleanup_free_ char *log = NULL, *log2 = NULL;

        ASSERT_EQ(monitor_exec("--handover-format=999", &log), 2);
        ASSERT_CONTAINS(log, "format 999");
        ASSERT_CONTAINS(log, "takes nothing over");
        /* An unversioned hand-over is read as format 1's. */
        if (monitor_exec(NULL, &log2) != 7)
                TEST_FAIL("An unversioned hand-over: %s", log2);
}

TEST(probe_the_built_monitor) {
        int fd = open_bin("CELL_MONITOR_BIN");
        unsigned format = 0;
        char version[64] = "", why[512] = "";

        ASSERT_OK(monitor_probe(fd, &format, version, sizeof version));
        ASSERT_EQ(format, MONITOR_HANDOVER_FORMAT);
        ASSERT_STREQ(version, CELL_VERSION);
        ASSERT_OK(monitor_agrees(fd, why, sizeof why));
        safe_close(fd);
}

/* A later format's: cell does not exec it (-EPROTO), and says which. */
TEST(probe_a_newer_monitor) {
        int fd = open_bin("FAKE_MONITOR_NEWER");
        unsigned format = 0;
        char version[64] = "", why[512] = "";

        ASSERT_OK(monitor_probe(fd, &format, version, sizeof version));
        ASSERT_EQ(format, 999);
        ASSERT_STREQ(version, "9.9.9");
        ASSERT_ERROR(monitor_agrees(fd, why, sizeof why), EPROTO);
        ASSERT_CONTAINS(why, "fake-cell-monitor-newer is another version's (cell 9.9.9, hand-over format 999;");
        safe_close(fd);
}

/* One older than the formats refuses the option: no answer. */
TEST(probe_an_older_monitor) {
        int fd = open_bin("FAKE_MONITOR_OLDER");
        unsigned format = 0;
        char version[64] = "", why[512] = "";

        ASSERT_ERROR(monitor_probe(fd, &format, version, sizeof version), EPROTONOSUPPORT);
        ASSERT_ERROR(monitor_agrees(fd, why, sizeof why), EPROTONOSUPPORT);
        ASSERT_CONTAINS(why, "does not say which hand-over format it reads");
        safe_close(fd);
}

/* Nothing that could be exec'd, no fd: asked of nothing, said so. */
TEST(probe_nothing_to_exec) {
        int fd = open("/dev/null", O_PATH|O_CLOEXEC);
        unsigned format = 0;
        char version[64] = "", why[512] = "";

        ASSERT_TRUE(fd >= 0);
        ASSERT_ERROR(monitor_probe(fd, &format, version, sizeof version), ENOEXEC);
        ASSERT_ERROR(monitor_agrees(fd, why, sizeof why), ENOEXEC);
        ASSERT_CONTAINS(why, "asking /dev/null for its hand-over format: ");
        safe_close(fd);
        ASSERT_ERROR(monitor_probe(-EBADF, &format, version, sizeof version), EBADF);
}
