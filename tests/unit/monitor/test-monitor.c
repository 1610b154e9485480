/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell-monitor against real processes (no namespaces, no systemd): the
 * hand-over's command line both ways, and the binary itself exec'd the way
 * cell execs it, by the parent of a payload: the exit status, signals,
 * TimeoutStopSec=, the notify relay, the words about a death by signal. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "finish-stand-in.h"
#include "monitor-handover.h"
#include "monitor-run.h"
#include "monitor.h"
#include "strv.h"
#include "supervise-common.h"
#include "test-upstream.h"
#include "test.h"

static int fd_null(void) {
        int fd = open("/dev/null", O_RDONLY|O_CLOEXEC);
        ASSERT_TRUE(fd >= 3);
        return fd;
}

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

TEST(finish_parse) {
        int lock = fd_null(), netns = fd_null();
        char lock_opt[32], netns_opt[32];
        ASSERT_OK(fcntl(lock, F_SETFD, 0));     /* as through the exec */
        ASSERT_OK(fcntl(netns, F_SETFD, 0));
        snprintf(lock_opt, sizeof lock_opt, "--name-lock-fd=%d", lock);
        snprintf(netns_opt, sizeof netns_opt, "--netns-fd=%d", netns);
        char *argv[] = { (char *) "__finish", (char *) "--status=7", (char *) "--name=web", (char *) "--state",
                         (char *) "--cgroup=/a", (char *) "--cgroup2=/b", (char *) "--pure-v2",
                         (char *) "--own-v2=/o", (char *) "--leaf=/o/l", (char *) "--veth=12:ve-web",
                         (char *) "--netfw-table=7:0:cell-web", lock_opt, netns_opt,
                         (char *) "--interface=5:eth1:veth::0:17:0a0b0c0d0e0f",
                         (char *) "--interface=2:enp0s31f6abcdef::001122334455:-1:2:", NULL };
        MonitorFinish f;

        ASSERT_OK(monitor_finish_parse((int) strv_length(argv), argv, &f));
        /* The name's lock: for scope_adopt_cgroupfs() to take over, close-on-exec again. */
        ASSERT_EQ(f.dirs.lock_fd, lock);
        ASSERT_EQ(fcntl(lock, F_GETFD), FD_CLOEXEC);
        ASSERT_EQ(f.status, 7);
        ASSERT_STREQ(f.name, "web");
        ASSERT_TRUE(f.state && f.dirs.dirs && f.dirs.pure_v2);
        ASSERT_EQ((int) strv_length(f.dirs.dirs), 2);
        ASSERT_STREQ(f.dirs.dirs[1], "/b");
        ASSERT_EQ(f.dirs.unified, 1);
        ASSERT_STREQ(f.dirs.own_v2, "/o");
        ASSERT_STREQ(f.dirs.leaf, "/o/l");
        /* The veth's host side by index and name: netif_veth_remove() deletes it only if both still match. */
        ASSERT_EQ(f.veth.index, 12);
        ASSERT_STREQ(f.veth.name, "ve-web");
        /* Port='s tables by the handles nft gave them (0: that family has none). */
        ASSERT_STREQ(f.netfw_table, "cell-web");
        ASSERT_EQ(f.netfw_handles[0], 7u);
        ASSERT_EQ(f.netfw_handles[1], 0u);
        /* Interface=: the namespace to move them out of, close-on-exec again, and the list. */
        ASSERT_EQ(f.netns_fd, netns);
        ASSERT_EQ(fcntl(netns, F_GETFD), FD_CLOEXEC);
        ASSERT_EQ((int) f.n_moved, 2);
        ASSERT_EQ(f.moved[0].index, 5);
        ASSERT_STREQ(f.moved[0].name, "eth1");
        /* ... with what tells the link moved in from another (netif_moved_same()). */
        ASSERT_STREQ(f.moved[0].kind, "veth");
        ASSERT_EQ(f.moved[0].perm_addr_len, 0);
        ASSERT_EQ(f.moved[0].link_netnsid, 0);
        ASSERT_EQ((int) f.moved[0].link, 17);
        ASSERT_EQ(f.moved[0].addr_len, 6);
        ASSERT_EQ(f.moved[0].addr[0], 0x0a);
        ASSERT_EQ(f.moved[0].addr[5], 0x0f);
        ASSERT_EQ(f.moved[1].index, 2);
        ASSERT_STREQ(f.moved[1].name, "enp0s31f6abcdef");
        ASSERT_STREQ(f.moved[1].kind, "");
        ASSERT_EQ(f.moved[1].perm_addr_len, 6);
        ASSERT_EQ(f.moved[1].perm_addr[1], 0x11);
        ASSERT_EQ(f.moved[1].link_netnsid, -1);
        ASSERT_EQ(f.moved[1].addr_len, 0);
        monitor_finish_done(&f);
        ASSERT_EQ(fcntl(lock, F_GETFD), FD_CLOEXEC);    /* _done() leaves it to its owner */
        ASSERT_TRUE(fcntl(netns, F_GETFD) < 0);         /* ... but the namespace is its own */
        safe_close(lock);

        char *none[] = { (char *) "__finish", (char *) "--status=0", (char *) "--name=a", NULL };
        ASSERT_OK(monitor_finish_parse(3, none, &f));
        ASSERT_TRUE(!f.state && !f.dirs.dirs && f.veth.index == 0 && !f.netfw_table && f.dirs.lock_fd < 0 &&
                    f.netns_fd < 0 && f.n_moved == 0);
        monitor_finish_done(&f);

        char *bad1[] = { (char *) "__finish", (char *) "--name=a", NULL };
        char *bad2[] = { (char *) "__finish", (char *) "--status=256", (char *) "--name=a", NULL };
        char *bad3[] = { (char *) "__finish", (char *) "--status=1", (char *) "--name=a", (char *) "--veth=-1:ve-a", NULL };
        char *bad4[] = { (char *) "__finish", (char *) "--status=1", (char *) "--name=a", (char *) "x", NULL };
        ASSERT_ERROR(monitor_finish_parse(2, bad1, &f), EINVAL);
        ASSERT_ERROR(monitor_finish_parse(3, bad2, &f), EINVAL);
        ASSERT_ERROR(monitor_finish_parse(4, bad3, &f), EINVAL);
        ASSERT_ERROR(monitor_finish_parse(4, bad4, &f), EINVAL);
        /* --interface=INDEX:NAME:KIND:PERM:NETNSID:LINK:ADDR, the name at most 15 bytes:
         * without what identifies the link, nothing is moved back. */
        static const char *const bad_moved[] = {
                "--interface=eth1", "--interface=5:eth1", "--interface=x:eth1:veth::0:17:",
                "--interface=3:0123456789abcdef:veth::0:17:", "--interface=3::veth::0:17:",
                "--interface=3:eth1:veth::0:17", "--interface=3:eth1:veth::0:17::",
                "--interface=3:eth1:veth:0:0:17:", "--interface=3:eth1:veth::0:17:zz",
                "--interface=3:eth1:veth::-2:17:", "--interface=3:eth1:0123456789abcdef::0:17:",
        };
        /* --netfw-table=IPHANDLE:IP6HANDLE:NAME: a name alone would delete the
         * table of the unit's next start too. */
        static const char *const bad_netfw[] = {
                "--netfw-table=cell-web", "--netfw-table=1:cell-web", "--netfw-table=1:2:",
                "--netfw-table=:2:cell-web", "--netfw-table=1::cell-web", "--netfw-table=x:2:cell-web",
                "--netfw-table=18446744073709551616:0:cell-web",
                /* One parser with a Port='s lock file (netfw_tables_parse()): a
                 * name that is not cell-'s, or more than one, goes into no nft script. */
                "--netfw-table=1:2:web", "--netfw-table=1:2:cell-web\nflush ruleset", "--netfw-table=1:2:cell-web;",
                "--netfw-table=1:2:cell-web x", "--netfw-table=01:2:cell-web", "--netfw-table=1:2:cell-a:b",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_netfw); i++) {
                char *bad[] = { (char *) "__finish", (char *) "--status=1", (char *) "--name=a",
                                (char *) bad_netfw[i], NULL };
                ASSERT_ERROR(monitor_finish_parse(4, bad, &f), EINVAL);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad_moved); i++) {
                char *bad[] = { (char *) "__finish", (char *) "--status=1", (char *) "--name=a",
                                (char *) bad_moved[i], NULL };
                ASSERT_ERROR(monitor_finish_parse(4, bad, &f), EINVAL);
        }
}

/* Zone=, VirtualEthernetExtra= and the veth (its index with its name:
 * "cell __finish" deletes only that link): what cell hands to "cell
 * __finish" comes back as it was, and needs cell's binary. */
TEST(finish_args_zone_veth_extra) {
        NetifVeth extras[2] = { { 7, "vx0" }, { 9, "vy0" } };
        Spawn s = SPAWN_NULL;
        Plan p = { .name = (char *) "web" };
        MonitorHandover h = { .plan = &p, .spawn = &s, .monitor_fd = fd_null(), .cell_fd = -EBADF };
        _cleanup_strv_free_ char **l = NULL, **argv = NULL;
        MonitorFinish f;

        s.zone = (char *) "vz-web";
        s.extras = extras;
        s.n_extras = 2;
        s.veth_index = 5;
        strcpy(s.veth_name, "vb-web");
        ASSERT_OK(monitor_finish_args(&h, &l));
        ASSERT_TRUE(strv_contains(l, "--veth=5:vb-web"));
        ASSERT_TRUE(strv_contains(l, "--zone=vz-web"));
        ASSERT_TRUE(strv_contains(l, "--veth-extra=7:vx0"));
        ASSERT_TRUE(strv_contains(l, "--veth-extra=9:vy0"));
        ASSERT_STREQ(monitor_handover_refused(&h),
                     "cell's own binary could not be opened for the clean-up at the payload's exit");
        s.zone = NULL;
        ASSERT_NOT_NULL(monitor_handover_refused(&h));   /* the extras alone need it too */
        s.n_extras = 0;
        ASSERT_NOT_NULL(monitor_handover_refused(&h));   /* the veth alone too */
        s.veth_index = 0;
        ASSERT_NULL(monitor_handover_refused(&h));
        safe_close(h.monitor_fd);

        ASSERT_OK(strv_extend(&argv, "__finish"));
        ASSERT_OK(strv_extend(&argv, "--status=0"));
        ASSERT_OK(strv_extend(&argv, "--name=web"));
        ASSERT_OK(strv_extend_strv(&argv, l));
        ASSERT_OK(monitor_finish_parse((int) strv_length(argv), argv, &f));
        ASSERT_EQ(f.veth.index, 5);
        ASSERT_STREQ(f.veth.name, "vb-web");
        ASSERT_STREQ(f.zone, "vz-web");
        ASSERT_EQ((int) f.n_extras, 2);
        ASSERT_EQ(f.extras[0].index, 7);
        ASSERT_STREQ(f.extras[0].name, "vx0");
        ASSERT_EQ(f.extras[1].index, 9);
        ASSERT_STREQ(f.extras[1].name, "vy0");
        monitor_finish_done(&f);
        ASSERT_NULL(f.zone);
        ASSERT_NULL(f.extras);

        /* Only a "vz-" bridge is removed by name; INDEX:NAME, the name at most 15 bytes (a
         * veth by its index alone is not taken: it could be any veth that has the index now). */
        static const char *const bad_opts[] = {
                "--zone=br0", "--zone=vz-0123456789abc", "--zone=vz-a/b",
                "--veth-extra=vx0", "--veth-extra=7:", "--veth-extra=:vx0", "--veth-extra=x:vx0",
                "--veth-extra=-1:vx0", "--veth-extra=7:0123456789abcdef",
                "--veth=4", "--veth=4:", "--veth=:ve-a", "--veth=4:0123456789abcdef",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_opts); i++) {
                char *bad[] = { (char *) "__finish", (char *) "--status=1", (char *) "--name=a",
                                (char *) bad_opts[i], NULL };
                ASSERT_ERROR(monitor_finish_parse(4, bad, &f), EINVAL);
        }
}

/* The container's /run/host on a host directory: what the start made
 * there goes at the end, in "cell __finish" after a hand-over. */
TEST(finish_args_run_host) {
        Spawn s = SPAWN_NULL;
        Plan p = { .name = (char *) "web" };
        MonitorHandover h = { .plan = &p, .spawn = &s, .monitor_fd = fd_null(), .cell_fd = -EBADF };
        _cleanup_strv_free_ char **l = NULL, **argv = NULL;
        MonitorFinish f;

        s.run_host = (char *) "/srv/run/host";
        s.run_host_absent = 7;
        ASSERT_OK(monitor_finish_args(&h, &l));
        ASSERT_TRUE(strv_contains(l, "--run-host=7:/srv/run/host"));
        ASSERT_STREQ(monitor_handover_refused(&h),
                     "cell's own binary could not be opened for the clean-up at the payload's exit");
        safe_close(h.monitor_fd);

        ASSERT_OK(strv_extend(&argv, "__finish"));
        ASSERT_OK(strv_extend(&argv, "--status=0"));
        ASSERT_OK(strv_extend(&argv, "--name=web"));
        ASSERT_OK(strv_extend_strv(&argv, l));
        ASSERT_OK(monitor_finish_parse((int) strv_length(argv), argv, &f));
        ASSERT_STREQ(f.run_host, "/srv/run/host");
        ASSERT_EQ(f.run_host_absent, 7u);
        monitor_finish_done(&f);
        ASSERT_NULL(f.run_host);

        static const char *const bad_opts[] = { "--run-host=/srv/run/host", "--run-host=0:/srv", "--run-host=9:/srv",
                                                "--run-host=1:srv" };
        for (size_t i = 0; i < ELEMENTSOF(bad_opts); i++) {
                char *bad[] = { (char *) "__finish", (char *) "--status=1", (char *) "--name=a",
                                (char *) bad_opts[i], NULL };
                ASSERT_ERROR(monitor_finish_parse(4, bad, &f), EINVAL);
        }
}

/* --- the binary (monitor-run.h) */

TEST(exit_status_is_the_payloads) {
        MonitorState t = template();
        Run r;
        char *log;

        monitor_start(PAYLOAD_EXIT7, &t, &r);
        ASSERT_EQ(monitor_wait(&r, &log), 7);
        free(log);
}

TEST(signals_reach_the_payload) {
        MonitorState t = template();
        Run r;
        char *log;

        /* SIGTERM is a stop: KillSignal= goes to the payload, "stopping" up (no STOPPING=1). */
        int up = test_upstream_open("test-monitor");
        t.kill_signal = SIGUSR2;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGUSR2);
        ASSERT_NULL(strstr(log, "signal"));     /* a stop asked for: no words about it */
        free(log);
        char *s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");

        /* Others as they are. */
        t = template();
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGHUP));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGHUP);
        free(log);

        /* Also those whose default would end the monitor, and the container
         * with it: "systemctl kill --signal=SIGRTMIN+4 cell@NAME" (a systemd
         * inside powers off), SIGPWR. */
        int more[] = { SIGRTMIN + 4, SIGPWR };
        for (size_t i = 0; i < ELEMENTSOF(more); i++) {
                t = template();
                monitor_start(PAYLOAD_SIGNALS, &t, &r);
                ASSERT_OK(kill(r.monitor, more[i]));
                ASSERT_EQ(monitor_wait(&r, &log), 10 + more[i]);
                free(log);
        }

        /* Not the faults, cell's own resource limits, SIGPIPE or job control. */
        sigset_t set;
        supervise_signal_set(&set);
        ASSERT_TRUE(sigismember(&set, SIGRTMAX) == 1 && sigismember(&set, SIGALRM) == 1);
        int never[] = { SIGSEGV, SIGBUS, SIGABRT, SIGXCPU, SIGXFSZ, SIGPIPE, SIGTSTP, SIGCONT };
        for (size_t i = 0; i < ELEMENTSOF(never); i++)
                ASSERT_TRUE(sigismember(&set, never[i]) == 0);
}

TEST(timeout_stop_ends_in_sigkill) {
        MonitorState t = template();
        struct timespec a, b;
        Run r;
        char *log;

        t.timeout_stop_usec = 200 * USEC_PER_MSEC;
        monitor_start(PAYLOAD_STUBBORN, &t, &r);
        clock_gettime(CLOCK_MONOTONIC, &a);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 128 + SIGKILL);
        clock_gettime(CLOCK_MONOTONIC, &b);
        long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        ASSERT_TRUE(ms >= 190);         /* not before TimeoutStopSec= */
        free(log);
}

/* Whether pid is stopped (state T in /proc/PID/stat). */
static bool pid_is_stopped(pid_t pid) {
        char path[64], buf[256] = {};
        const char *p;

        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY|O_CLOEXEC);
        if (fd < 0)
                return false;
        (void) !read(fd, buf, sizeof buf - 1);
        safe_close(fd);
        p = strrchr(buf, ')');
        return p && p[1] == ' ' && p[2] == 'T';
}

/* A stopped payload (SIGSTOP, ^Z) gets SIGCONT after KillSignal=, as systemd
 * sends it: it ends on KillSignal= at once, not by TimeoutStopSec='s SIGKILL. */
TEST(stopped_payload_is_continued_on_stop) {
        MonitorState t = template();
        Run r;
        char *log;

        t.timeout_stop_usec = 5 * USEC_PER_SEC;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_OK(kill(r.payload, SIGSTOP));
        for (unsigned i = 0; i < 500 && !pid_is_stopped(r.payload); i++)
                (void) usleep(10 * 1000);
        ASSERT_TRUE(pid_is_stopped(r.payload));
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);       /* not 128 + SIGKILL */
        free(log);
}

/* As systemd extends a service's TimeoutStopSec=, the payload's
 * EXTEND_TIMEOUT_USEC= while it stops puts off cell's SIGKILL (and goes up,
 * with cell's margin). */
TEST(timeout_stop_is_extended) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        t.timeout_stop_usec = 200 * USEC_PER_MSEC;
        monitor_start(PAYLOAD_EXTEND, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);       /* not 128 + SIGKILL at 0.2 s */
        free(log);
        /* Its own TimeoutStopSec= and cell's 10 s, for the service's timeout. */
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=10200000\nSTATUS=t: stopping");
        free(s);
        /* The payload's 2 s and cell's 10 s: systemd's stop timeout must not
         * come with cell's SIGKILL, before cell has reaped and released. */
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "EXTEND_TIMEOUT_USEC=12000000\n");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* Boot=yes: the service's watchdog is cell-monitor's to ping (a systemd in
 * the container pings no container manager): at once, then every half. */
TEST(watchdog_is_pinged) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        t.watchdog_usec = 400 * USEC_PER_MSEC;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        for (unsigned i = 0; i < 3; i++) {
                s = test_upstream_read(up, 1000);
                ASSERT_STREQ(s, "WATCHDOG=1");
                free(s);
        }
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        close(up);
        unsetenv("NOTIFY_SOCKET");

        /* Not Boot=yes (0): the payload pings, cell-monitor does not. */
        t = template();
        up = test_upstream_open("test-monitor");
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        ASSERT_NULL(test_upstream_read(up, 500));
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        s = test_upstream_read(up, 1000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

TEST(death_by_signal_is_told) {
        MonitorState t = template();
        Run r;
        char *log;

        monitor_start(PAYLOAD_STUBBORN, &t, &r);
        ASSERT_OK(kill(r.payload, SIGKILL));
        ASSERT_EQ(monitor_wait(&r, &log), 128 + SIGKILL);
        ASSERT_CONTAINS(log, "cell: t: The payload died of signal SIGKILL.");
        free(log);
}

TEST(notify_relay_carries_on) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        /* NotifyReady=yes and READY=1 not yet sent: the payload's is the
         * service's, with its STATUS=, once: no READY=1 of cell's after it. */
        t.ready_sent = false;
        t.relay.notify_ready = true;
        monitor_start(PAYLOAD_NOTIFY, &t, &r);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "READY=1\nSTATUS=t: serving\n");
        free(s);
        ASSERT_NULL(test_upstream_read(up, 500));
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);

        /* READY=1 sent by cell before the hand-over, and seen: not again. */
        t.ready_sent = true;
        t.relay.ready_seen = true;
        monitor_start(PAYLOAD_NOTIFY, &t, &r);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: serving\n");
        free(s);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* What the payload sent right before it exited, more than one batch of
 * the relay's, is still passed up: cell-monitor (stopped meanwhile) finds
 * its exit and 40 datagrams at once, and reads them all before it goes. */
TEST(last_words_after_the_exit) {
        MonitorState t = template();
        Run r;
        char *log, *s;
        bool last = false;

        /* Gone when they are read, its datagrams are the container's by
         * their UID alone: root's, with no user namespace of the payload's. */
        if (geteuid() != 0) {
                test_skip("not root: a gone sender of another UID is dropped");
                return;
        }
        int up = test_upstream_open("test-monitor");
        monitor_start(PAYLOAD_LAST_WORDS, &t, &r);
        ASSERT_OK(kill(r.monitor, SIGSTOP));
        (void) nanosleep(&(struct timespec) { .tv_nsec = 600 * 1000 * 1000 }, NULL);
        ASSERT_OK(kill(r.monitor, SIGCONT));
        /* Read as it sends (the socket holds a few datagrams only). */
        while (!last && (s = test_upstream_read(up, 1000))) {
                last = strstr(s, "STATUS=t: 39") != NULL;
                free(s);
        }
        ASSERT_TRUE(last);
        ASSERT_EQ(monitor_wait(&r, &log), 0);
        free(log);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* What cell could not send yet (its supervisor's socket full at the
 * hand-over) goes first, as it was: before anything of cell-monitor's own. */
TEST(pending_goes_first) {
        MonitorState t = template();
        char *pending[] = { (char *) "READY=1\nSTATUS=t: up", NULL };
        Run r;
        char *log, *s;
        int up = test_upstream_open("test-monitor");

        t.notify_pending = pending;
        monitor_start(PAYLOAD_SIGNALS, &t, &r);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "READY=1\nSTATUS=t: up");
        free(s);
        ASSERT_OK(kill(r.monitor, SIGTERM));
        ASSERT_EQ(monitor_wait(&r, &log), 10 + SIGTERM);
        free(log);
        s = test_upstream_read(up, 5000);
        ASSERT_STREQ(s, "STATUS=t: stopping");
        free(s);
        close(up);
        unsetenv("NOTIFY_SOCKET");
}

/* The payload's output, a pipe handed over, goes on to the monitor's stdout
 * until its end: more than a pipeful, and the line it wrote right before it
 * exited, before the monitor exits. */
TEST(output_relay_carries_on) {
        MonitorState t = template();
        Run r;
        char *log, *in = malloc(PAYLOAD_OUTPUT_SIZE + 64);
        size_t got = 0;
        ssize_t n;

        ASSERT_NOT_NULL(in);
        monitor_start(PAYLOAD_OUTPUT, &t, &r);
        while ((n = read(r.journal, in + got, PAYLOAD_OUTPUT_SIZE + 64 - got)) > 0)
                got += (size_t) n;
        ASSERT_EQ(monitor_wait(&r, &log), 0);
        free(log);
        ASSERT_EQ(got, PAYLOAD_OUTPUT_SIZE + strlen(PAYLOAD_LAST_LINE));
        for (size_t i = 0; i < PAYLOAD_OUTPUT_SIZE; i++)
                if (in[i] != payload_output_byte(i))
                        TEST_FAIL("byte %zu: '%c', expected '%c'", i, in[i], payload_output_byte(i));
        ASSERT_TRUE(memcmp(in + PAYLOAD_OUTPUT_SIZE, PAYLOAD_LAST_LINE, strlen(PAYLOAD_LAST_LINE)) == 0);
        safe_close(r.journal);
        free(in);
}

TEST(finish_is_execd) {
        char *finish[] = { (char *) "--state", (char *) "--veth=4:ve-t", NULL };
        char out[] = "/tmp/test-monitor-finish-XXXXXX", buf[512] = {};
        MonitorState t = template();
        Run r;
        char *log;

        int fd = mkostemp(out, O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(setenv("TEST_MONITOR_FINISH", out, 1));
        t.cell_fd = open("/proc/self/exe", O_PATH|O_CLOEXEC);
        ASSERT_TRUE(t.cell_fd >= 0);
        t.finish = finish;
        monitor_start(PAYLOAD_EXIT7, &t, &r);
        ASSERT_EQ(monitor_wait(&r, &log), 7);   /* the stand-in's exit: the payload's status */
        free(log);
        ASSERT_TRUE(read(fd, buf, sizeof buf - 1) > 0);
        ASSERT_STREQ(buf, "--status=7\n--name=t\n--state\n--veth=4:ve-t\n");
        safe_close(fd);
        safe_close(t.cell_fd);
        unlink(out);
        unsetenv("TEST_MONITOR_FINISH");
}
