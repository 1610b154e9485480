/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* monitor-run.h: cell-monitor exec'd by the parent of a payload of ours. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monitor-handover.h"
#include "monitor-run.h"
#include "notify-internal.h"
#include "supervise-common.h"
#include "test.h"

int monitor_journal_sndbuf;
bool monitor_journal_full;
bool monitor_closer;

/* As the relay hands a datagram's fds on: a cell-closer, started for them,
 * takes its own references of a socket's. Its PID, the child of ours that is
 * not the payload. */
static pid_t start_closer(pid_t payload) {
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (char *) "FDSTORE=1", .iov_len = strlen("FDSTORE=1") };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        char path[64], buf[256] = {}, byte;
        int pair[2], notify[2], fd;
        pid_t a = 0, b = 0;

        if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, pair) < 0)
                return -1;
        if (socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, notify) < 0)
                return -1;
        safe_close(pair[1]);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pair[0], sizeof(int));
        if (sendmsg(notify[1], &mh, 0) < 0)
                return -1;
        safe_close(pair[0]);
        if (notify_closer_take(notify[0]) < 0)
                return -1;
        (void) recv(notify[0], &byte, 1, MSG_DONTWAIT);
        notify_closer_dequeued();
        safe_close(notify[0]);
        safe_close(notify[1]);
        snprintf(path, sizeof path, "/proc/self/task/%d/children", (int) getpid());
        fd = open(path, O_RDONLY|O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof buf - 1) < 0 || sscanf(buf, "%d %d", &a, &b) != 2)
                return -1;
        safe_close(fd);
        return a == payload ? b : a;
}

char payload_output_byte(size_t i) {
        return (char) ('a' + (i * 7 + i / 4096) % 26);
}

static void on_signal_exit(int sig) {
        _exit(10 + sig);
}

static int payload_notify_fd = -EBADF;

static void on_sigterm_extend(int sig) {
        static const char m[] = "EXTEND_TIMEOUT_USEC=2000000";

        (void) !send(payload_notify_fd, m, strlen(m), 0);
        (void) nanosleep(&(struct timespec) { .tv_nsec = 600 * 1000 * 1000 }, NULL);
        _exit(10 + sig);
}

/* FDSTORE=1 with one end of a new socketpair, as a payload passes a socket. */
static void send_socket(void) {
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (char *) "FDSTORE=1", .iov_len = strlen("FDSTORE=1") };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        int pair[2];

        if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, pair) < 0)
                _exit(100);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pair[0], sizeof(int));
        if (sendmsg(payload_notify_fd, &mh, 0) < 0)
                _exit(100);
        (void) close(pair[0]);
        (void) close(pair[1]);
}

static void on_usr1_send(int sig) {
        send_socket();
}

static void payload_run(Payload what, int notify_fd, int ready_fd) {
        sigset_t none;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);        /* a failed test leaves nothing */

        if (what == PAYLOAD_EXIT7)
                _exit(7);
        if (what == PAYLOAD_OUTPUT) {
                (void) !write(ready_fd, "x", 1);
                /* Blocks on the full pipe until cell-monitor relays it. */
                for (size_t i = 0; i < PAYLOAD_OUTPUT_SIZE; i++) {
                        char c = payload_output_byte(i);
                        if (write(STDOUT_FILENO, &c, 1) != 1)
                                _exit(100);
                }
                if (write(STDOUT_FILENO, PAYLOAD_LAST_LINE, strlen(PAYLOAD_LAST_LINE)) < 0)
                        _exit(100);
                _exit(0);
        }
        if (what == PAYLOAD_LAST_WORDS) {
                (void) !write(ready_fd, "x", 1);
                (void) nanosleep(&(struct timespec) { .tv_nsec = 200 * 1000 * 1000 }, NULL);
                for (unsigned i = 0; i < 40; i++) {
                        char m[32];

                        snprintf(m, sizeof m, "STATUS=%u", i);
                        if (send(notify_fd, m, strlen(m), 0) < 0)
                                _exit(100);
                }
                _exit(0);
        }
        payload_notify_fd = notify_fd;
        signal(SIGTERM, what == PAYLOAD_STUBBORN ? SIG_IGN : what == PAYLOAD_EXTEND ? on_sigterm_extend : on_signal_exit);
        signal(SIGUSR2, on_signal_exit);
        signal(SIGHUP, on_signal_exit);
        signal(SIGPWR, on_signal_exit);
        signal(SIGRTMIN + 4, on_signal_exit);
        if (what == PAYLOAD_FDS) {
                signal(SIGUSR1, on_usr1_send);
                send_socket();
        }
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        (void) !write(ready_fd, "x", 1);
        if (what == PAYLOAD_NOTIFY) {
                const char *m = "READY=1\nSTATUS=serving";
                (void) !send(notify_fd, m, strlen(m), 0);
        }
        for (;;)
                pause();
}

/* As cell: signals blocked, the payload cloned, then exec of cell-monitor
 * with the hand-over on its command line. */
void monitor_start(Payload what, const MonitorState *tmpl, Run *ret) {
        const char *bin = getenv("CELL_MONITOR_BIN");
        int sync[2], pair[2];
        pid_t pid;

        ASSERT_NOT_NULL(bin);
        snprintf(ret->log, sizeof ret->log, "/tmp/test-monitor-XXXXXX");
        int log_fd = mkostemp(ret->log, O_CLOEXEC);
        ASSERT_TRUE(log_fd >= 0);
        ASSERT_OK(pipe2(sync, O_CLOEXEC));
        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        /* As cell's proxy has it from the start: the kernel stamps the sender
         * on a datagram only if the receiver asked for that when it was sent. */
        int one = 1;
        ASSERT_OK(setsockopt(pair[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
        /* PAYLOAD_OUTPUT: the payload's stdout a pipe, the monitor's a socket (a journal stream). */
        int output[2] = { -EBADF, -EBADF }, journal[2] = { -EBADF, -EBADF };
        if (what == PAYLOAD_OUTPUT) {
                ASSERT_OK(pipe2(output, O_CLOEXEC));
                ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, journal));
                if (monitor_journal_sndbuf > 0)
                        ASSERT_OK(setsockopt(journal[0], SOL_SOCKET, SO_SNDBUF, &monitor_journal_sndbuf,
                                             sizeof monitor_journal_sndbuf));
        }
        ret->journal = journal[1];

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                MonitorState s = *tmpl;
                char **argv = NULL, c;
                int fds[MONITOR_FDS_MAX];
                size_t n = 0;

                /* A failed test leaves nothing: the monitor dies with it. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
                    supervise_block_signals() < 0 || dup2(log_fd, STDERR_FILENO) < 0)
                        _exit(100);
                /* As cell: the payload's watchdog's SIGABRT a stop, from before the exec on. */
                if (!s.boot && supervise_block_watchdog_abort() < 0)
                        _exit(100);
                int ready[2];
                if (pipe2(ready, O_CLOEXEC) < 0)
                        _exit(100);
                pid_t payload = fork();
                if (payload < 0)
                        _exit(100);
                if (payload == 0) {
                        if (what == PAYLOAD_OUTPUT && dup2(output[1], STDOUT_FILENO) < 0)
                                _exit(100);
                        payload_run(what, pair[1], ready[1]);
                }
                if (what == PAYLOAD_OUTPUT) {
                        int out = monitor_journal_full ? open("/dev/full", O_WRONLY|O_CLOEXEC) : journal[0];

                        if (out < 0 || dup2(out, STDOUT_FILENO) < 0)
                                _exit(100);
                        s.output_fds[0] = output[0];
                        safe_close(output[1]);
                }
                if (what != PAYLOAD_EXIT7 && read(ready[0], &c, 1) != 1)
                        _exit(100);
                s.pid = payload;
                s.pidfd = (int) syscall(SYS_pidfd_open, payload, 0);
                if (what == PAYLOAD_NOTIFY || what == PAYLOAD_EXTEND || what == PAYLOAD_LAST_WORDS ||
                    what == PAYLOAD_FDS)
                        s.relay.fd = pair[0];
                if (s.pidfd < 0 || monitor_state_to_argv(&s, bin, &argv, fds, &n) < 0)
                        _exit(100);
                for (size_t i = 0; i < n; i++)
                        (void) fcntl(fds[i], F_SETFD, 0);
                pid_t pids[2] = { payload, monitor_closer ? start_closer(payload) : 0 };
                if (pids[1] < 0 || write(sync[1], pids, sizeof pids) != sizeof pids)
                        _exit(100);
                execv(bin, argv);
                _exit(101);
        }
        safe_close(log_fd);
        safe_close(sync[1]);
        safe_close(pair[0]);
        safe_close(pair[1]);
        safe_close(output[0]);
        safe_close(output[1]);
        safe_close(journal[0]);
        pid_t pids[2];
        ASSERT_EQ(read(sync[0], pids, sizeof pids), (ssize_t) sizeof pids);
        ret->payload = pids[0];
        ret->closer = pids[1];
        safe_close(sync[0]);
        ret->monitor = pid;
}

/* The monitor's exit status; its log in *ret_log (freed by the caller). */
int monitor_wait(Run *r, char **ret_log) {
        int status;
        char buf[4096] = {};

        ASSERT_EQ(waitpid(r->monitor, &status, 0), r->monitor);
        ASSERT_TRUE(WIFEXITED(status));
        int fd = open(r->log, O_RDONLY|O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        (void) !read(fd, buf, sizeof buf - 1);
        safe_close(fd);
        unlink(r->log);
        *ret_log = strdup(buf);
        return WEXITSTATUS(status);
}

MonitorState template(void) {
        MonitorState s = MONITOR_STATE_NULL;

        s.name = (char *) "t";
        s.kill_signal = SIGTERM;
        s.timeout_stop_usec = USEC_INFINITY;
        s.ready_sent = true;
        return s;
}
