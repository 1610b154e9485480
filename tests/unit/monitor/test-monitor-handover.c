/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/monitor/monitor-handover.c: the command line of "cell __finish", as
 * cell-monitor writes it and as cell reads it. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "monitor-handover.h"
#include "monitor-test.h"
#include "monitor.h"
#include "strv.h"
#include "test.h"

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
