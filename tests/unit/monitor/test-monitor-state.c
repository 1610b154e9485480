/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/monitor/monitor-state.c: the hand-over from cell to cell-monitor as a
 * command line, both ways, and what its parser refuses. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "monitor-handover.h"
#include "monitor-test.h"
#include "monitor.h"
#include "strv.h"
#include "test.h"

TEST(state_round_trip) {
        int pidfd = fd_null(), oom = fd_null(), efd = fd_null(), lock = fd_null(), name_lock = fd_null(),
            netns = fd_null(), cell = fd_null(), shared0 = fd_null(), shared1 = fd_null(), pair[2],
            out0 = fd_null(), out1 = fd_null(), oomdir = fd_null(), slave = fd_null();
        char *finish[] = { (char *) "--state", (char *) "--cgroup=/sys/fs/cgroup/x y", NULL };
        char *pending[] = { (char *) "READY=1\nSTATUS=web: up", (char *) "STOPPING=1", NULL };
        char **argv = NULL;
        int fds[MONITOR_FDS_MAX];
        size_t n_fds = 0;
        MonitorState in = MONITOR_STATE_NULL, out;

        ASSERT_OK(socketpair(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0, pair));
        in.pid = getpid();
        in.pidfd = pidfd;
        in.name = (char *) "web";
        in.kill_signal = SIGUSR2;
        in.timeout_stop_usec = 1500000;
        in.watchdog_usec = 3000000;
        in.init = in.boot = in.ready_sent = in.status_sent = true;
        in.relay = NOTIFY_RELAY_NULL;
        in.relay.fd = pair[0];
        in.relay.notify_ready = in.relay.ready_seen = true;
        in.oom = (OomCounter) { .fd = oom, .efd = efd, .dirfd = oomdir, .kills = 3, .oom_seen = true };
        in.uid_lock_fd = lock;
        in.uid_lock_path = (char *) "/run/cell/uid/x.lock";
        in.name_lock_fd = name_lock;
        in.netns_fd = netns;
        in.shared_lock_fds[0] = shared0;
        in.shared_lock_fds[1] = shared1;
        in.n_shared_lock_fds = 2;
        in.cell_fd = cell;
        in.finish = finish;
        in.notify_pending = pending;
        in.output_fds[0] = out0;
        in.output_fds[1] = out1;
        in.console = true;
        in.console_cr_held = 3;
        in.console_slave_fd = slave;
        in.output_gone[0] = true;
        in.output_dropping[1] = true;

        ASSERT_OK(monitor_state_to_argv(&in, "/x/cell-monitor", &argv, fds, &n_fds));
        ASSERT_STREQ(argv[0], "/x/cell-monitor");
        /* pidfd, notify, oom, its eventfd and cgroup, uid lock, name lock, 2 shared locks, netns, cell,
         * 2 outputs, the console's slave */
        ASSERT_EQ((int) n_fds, 14);
        for (size_t i = 0; i < n_fds; i++)
                ASSERT_OK(fcntl(fds[i], F_SETFD, 0));

        ASSERT_OK(monitor_state_parse((int) strv_length(argv), argv, &out));
        ASSERT_EQ(out.pid, getpid());
        ASSERT_EQ(out.pidfd, pidfd);
        ASSERT_STREQ(out.name, "web");
        ASSERT_EQ(out.kill_signal, SIGUSR2);
        ASSERT_EQ_U64(out.timeout_stop_usec, 1500000);
        ASSERT_EQ_U64(out.watchdog_usec, 3000000);
        ASSERT_TRUE(out.init && out.ready_sent && out.status_sent);
        ASSERT_EQ(out.relay.fd, pair[0]);
        ASSERT_TRUE(out.relay.notify_ready && out.relay.ready_seen);
        /* Boot=yes: the watchdog is cell-monitor's, not the payload's to ping or change. */
        ASSERT_TRUE(out.boot && !out.relay.watchdog);
        ASSERT_EQ(out.oom.fd, oom);
        ASSERT_EQ(out.oom.efd, efd);
        ASSERT_EQ(out.oom.dirfd, oomdir);
        ASSERT_FALSE(out.oom.unified);  /* an eventfd: cgroup1 */
        ASSERT_EQ_U64(out.oom.kills, 3);
        ASSERT_TRUE(out.oom.oom_seen && !out.oom.gone);
        ASSERT_EQ(out.uid_lock_fd, lock);
        ASSERT_STREQ(out.uid_lock_path, "/run/cell/uid/x.lock");
        ASSERT_EQ(out.name_lock_fd, name_lock);
        ASSERT_EQ(out.netns_fd, netns);
        ASSERT_EQ((int) out.n_shared_lock_fds, 2);
        ASSERT_EQ(out.shared_lock_fds[0], shared0);
        ASSERT_EQ(out.shared_lock_fds[1], shared1);
        ASSERT_EQ(out.cell_fd, cell);
        ASSERT_EQ(out.output_fds[0], out0);
        ASSERT_EQ(out.output_fds[1], out1);
        ASSERT_EQ(out.console_slave_fd, slave);
        ASSERT_TRUE(out.console);
        ASSERT_EQ(out.console_cr_held, 3U);
        ASSERT_TRUE(out.output_gone[0] && !out.output_gone[1]);
        ASSERT_TRUE(!out.output_dropping[0] && out.output_dropping[1]);
        ASSERT_EQ((int) strv_length(out.finish), 2);
        ASSERT_STREQ(out.finish[0], "--state");
        ASSERT_STREQ(out.finish[1], "--cgroup=/sys/fs/cgroup/x y");
        ASSERT_EQ((int) strv_length(out.notify_pending), 2);
        ASSERT_STREQ(out.notify_pending[0], "READY=1\nSTATUS=web: up");
        ASSERT_STREQ(out.notify_pending[1], "STOPPING=1");
        ASSERT_FALSE(out.debug);
        /* Close-on-exec again from here on. */
        for (size_t i = 0; i < n_fds; i++)
                ASSERT_EQ(fcntl(fds[i], F_GETFD), FD_CLOEXEC);
        monitor_state_done(&out);
        strv_free(argv);
        safe_close(pair[1]);

        /* Defaults: no timer, nothing optional. */
        in = MONITOR_STATE_NULL;
        in.pid = getpid();
        in.pidfd = pidfd = fd_null();
        in.name = (char *) "a";
        in.timeout_stop_usec = USEC_INFINITY;
        ASSERT_OK(monitor_state_to_argv(&in, "m", &argv, fds, &n_fds));
        ASSERT_EQ((int) n_fds, 1);
        ASSERT_OK(monitor_state_parse((int) strv_length(argv), argv, &out));
        ASSERT_EQ_U64(out.timeout_stop_usec, USEC_INFINITY);
        ASSERT_TRUE(out.relay.fd < 0 && out.oom.fd < 0 && out.uid_lock_fd < 0 && out.name_lock_fd < 0 &&
                    out.netns_fd < 0 && out.cell_fd < 0 && !out.finish && out.output_fds[0] < 0 &&
                    out.output_fds[1] < 0 && out.console_slave_fd < 0 && !out.console);
        ASSERT_TRUE(!out.output_gone[0] && !out.output_gone[1] && !out.output_dropping[0] &&
                    !out.output_dropping[1]);
        monitor_state_done(&out);
        strv_free(argv);
}

/* fd: "--pidfd=" with a new open fd (a failed parse closes what it was handed). */
static int parse_args(bool fd, const char *a1, const char *a2, const char *a3) {
        char pidfd[32], pid[32];
        char *argv[6] = { (char *) "cell-monitor" };
        int n = 1;
        MonitorState s;

        snprintf(pidfd, sizeof pidfd, "--pidfd=%d", fd_null());
        snprintf(pid, sizeof pid, "--pid=%d", (int) getpid());
        if (fd)
                argv[n++] = pidfd;
        for (const char *a = a1, **next = (const char *[]) { a2, a3, NULL }; a; a = *next++)
                argv[n++] = (char *) a;
        argv[n] = NULL;
        int r = monitor_state_parse(n, argv, &s);
        if (r >= 0)
                monitor_state_done(&s);
        else if (!fd)
                safe_close(atoi(pidfd + strlen("--pidfd=")));
        (void) pid;
        return r;
}

TEST(state_refuses_what_cell_did_not_write) {
        char pid[32];

        snprintf(pid, sizeof pid, "--pid=%d", (int) getpid());
        ASSERT_ERROR(parse_args(false, pid, "--name=a", NULL), EINVAL);            /* no pidfd */
        ASSERT_ERROR(parse_args(true, pid, NULL, NULL), EINVAL);                   /* no name */
        ASSERT_ERROR(parse_args(true, "--name=a", NULL, NULL), EINVAL);            /* no pid */
        ASSERT_ERROR(parse_args(false, "--pidfd=999", pid, "--name=a"), EBADF);    /* not open */
        ASSERT_ERROR(parse_args(false, "--pidfd=1", pid, "--name=a"), EBADF);      /* stdio */
        ASSERT_ERROR(parse_args(true, "--pid=12x", "--name=a", NULL), EINVAL);
        ASSERT_ERROR(parse_args(true, pid, "--name=a", "--kill-signal=65"), EINVAL);
        ASSERT_ERROR(parse_args(true, pid, "--name=a", "extra"), EINVAL);
        ASSERT_ERROR(parse_args(true, pid, "--name=a", "--bogus"), EINVAL);
        ASSERT_ERROR(parse_args(true, pid, "--name=a", "--finish=--state"), EINVAL);   /* no cell-fd */
        /* A console's slave without the console, the console without its master (--stdout-pipe-fd=). */
        char slave[32];
        snprintf(slave, sizeof slave, "--console-slave-fd=%d", fd_null());
        ASSERT_ERROR(parse_args(true, pid, "--name=a", slave), EINVAL);
        ASSERT_ERROR(parse_args(true, pid, "--name=a", "--console-relay=0"), EINVAL);
        ASSERT_ERROR(parse_args(true, pid, "--name=a", "--console-relay=17"), EINVAL);
        ASSERT_OK(parse_args(true, pid, "--name=a", NULL));
}

/* One option given twice, or one fd handed over for two things: never
 * what cell writes, and the fd would be left open or closed twice. */
TEST(state_refuses_an_fd_twice) {
        int a = fd_null(), b = fd_null();
        char pid[32], pidfd_a[32], pidfd_b[32], cell_a[32], shared_a[32];
        MonitorState s;

        snprintf(pid, sizeof pid, "--pid=%d", (int) getpid());
        snprintf(pidfd_a, sizeof pidfd_a, "--pidfd=%d", a);
        snprintf(pidfd_b, sizeof pidfd_b, "--pidfd=%d", b);
        snprintf(cell_a, sizeof cell_a, "--cell-fd=%d", a);
        snprintf(shared_a, sizeof shared_a, "--shared-lock-fd=%d", a);

        char *twice[] = { (char *) "cell-monitor", pidfd_a, pidfd_b, pid, (char *) "--name=a", NULL };
        ASSERT_ERROR(monitor_state_parse(5, twice, &s), EINVAL);
        /* the one taken is closed with the failure, the other is not ours */
        ASSERT_TRUE(fcntl(a, F_GETFD) < 0);
        ASSERT_OK(fcntl(b, F_GETFD));
        safe_close(b);

        char *two_things[] = { (char *) "cell-monitor", pidfd_a, cell_a, pid, (char *) "--name=a", NULL };
        a = fd_null();
        snprintf(pidfd_a, sizeof pidfd_a, "--pidfd=%d", a);
        snprintf(cell_a, sizeof cell_a, "--cell-fd=%d", a);
        ASSERT_ERROR(monitor_state_parse(5, two_things, &s), EINVAL);
        a = fd_null();
        snprintf(pidfd_a, sizeof pidfd_a, "--pidfd=%d", a);
        snprintf(shared_a, sizeof shared_a, "--shared-lock-fd=%d", a);
        char *shared[] = { (char *) "cell-monitor", pidfd_a, shared_a, pid, (char *) "--name=a", NULL };
        ASSERT_ERROR(monitor_state_parse(5, shared, &s), EINVAL);

        int lock = fd_null();
        char lock_opt[32], netns_opt[32];
        snprintf(lock_opt, sizeof lock_opt, "--name-lock-fd=%d", lock);
        snprintf(netns_opt, sizeof netns_opt, "--netns-fd=%d", lock);
        char *finish[] = { (char *) "__finish", (char *) "--status=0", (char *) "--name=a", lock_opt, netns_opt, NULL };
        MonitorFinish f;
        ASSERT_ERROR(monitor_finish_parse(5, finish, &f), EINVAL);
        ASSERT_TRUE(fcntl(lock, F_GETFD) < 0);  /* closed once, as the namespace's */
        lock = fd_null();
        snprintf(netns_opt, sizeof netns_opt, "--netns-fd=%d", lock);
        char *finish_twice[] = { (char *) "__finish", (char *) "--status=0", (char *) "--name=a", netns_opt, netns_opt, NULL };
        ASSERT_ERROR(monitor_finish_parse(5, finish_twice, &f), EINVAL);
        ASSERT_TRUE(fcntl(lock, F_GETFD) < 0);
}

/* The name's lock goes on to "cell __finish" only for cgroups to remove:
 * else the payload's end frees it (a next start meanwhile is no "already
 * running"). */
TEST(finish_removes_cgroups) {
        MonitorState s = MONITOR_STATE_NULL;

        ASSERT_FALSE(monitor_finish_removes_cgroups(&s));
        s.finish = (char *[]) { (char *) "--state", (char *) "--veth=12:ve-web", (char *) "--zone=z", NULL };
        ASSERT_FALSE(monitor_finish_removes_cgroups(&s));
        s.finish = (char *[]) { (char *) "--state", (char *) "--cgroup=/a", NULL };
        ASSERT_TRUE(monitor_finish_removes_cgroups(&s));
        s.finish = (char *[]) { (char *) "--cgroup2=/b", (char *) "--pure-v2", NULL };
        ASSERT_TRUE(monitor_finish_removes_cgroups(&s));
}
