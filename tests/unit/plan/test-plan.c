/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_build(): namespaces, users, privileges, what runs. Mounts, seccomp and
 * the scope have test files of their own. */

#include <linux/capability.h>
#include <linux/ioprio.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>

#include "parse-caps.h"
#include "parse-value.h"
#include "plan-internal.h"
#include "plan-test.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define CAP(x) (UINT64_C(1) << (x))

static const uint64_t default_caps =
        CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FSETID) | CAP(CAP_FOWNER) | CAP(CAP_MKNOD) |
        CAP(CAP_NET_RAW) | CAP(CAP_SETGID) | CAP(CAP_SETUID) | CAP(CAP_SETFCAP) | CAP(CAP_SETPCAP) |
        CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SYS_CHROOT) | CAP(CAP_KILL) | CAP(CAP_AUDIT_WRITE);

TEST(defaults) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "web");
        plan_ok(&c, NULL, &p);

        ASSERT_STREQ(p.name, "web");
        ASSERT_STREQ(p.unit_path, "web.cell");
        ASSERT_STREQ(p.root_directory, "/var/lib/cell/test");
        ASSERT_FALSE(p.root_read_only);
        ASSERT_EQ(p.namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET);
        ASSERT_TRUE(p.cgroup_namespace);
        ASSERT_EQ(p.users_mode, PLAN_USERS_HOST);
        ASSERT_EQ(p.n_uid_map, 0);

        ASSERT_EQ(strv_length(p.argv), 3);
        ASSERT_STREQ(p.argv[0], "/bin/sh");
        ASSERT_STREQ(p.argv[2], "true");
        ASSERT_EQ(strv_length(p.environment), 2);
        ASSERT_STREQ(p.environment[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        ASSERT_STREQ(p.environment[1], "container=cell");
        ASSERT_EQ(strv_length(p.pass_environment), 1);
        ASSERT_STREQ(p.pass_environment[0], "TERM");
        ASSERT_NULL(p.user);
        ASSERT_NULL(p.group);
        ASSERT_STREQ(p.working_directory, "/");
        ASSERT_EQ(p.umask, 0022);
        ASSERT_STREQ(p.hostname, "web");
        ASSERT_FALSE(p.boot);
        ASSERT_FALSE(p.init);
        ASSERT_FALSE(p.notify_ready);
        ASSERT_STREQ(p.notify_socket, "/run/host/notify");
        ASSERT_EQ(p.kill_signal, SIGTERM);
        ASSERT_EQ_U64(p.timeout_stop_usec, 90 * USEC_PER_SEC);

        ASSERT_EQ_U64(p.cap_bounding, default_caps);
        ASSERT_EQ_U64(p.cap_effective, default_caps);
        ASSERT_EQ_U64(p.cap_permitted, default_caps);
        ASSERT_EQ_U64(p.cap_inheritable, 0);
        ASSERT_EQ_U64(p.cap_ambient, 0);
        ASSERT_TRUE(p.no_new_privileges);
        ASSERT_TRUE(p.seccomp);
        ASSERT_EQ(p.n_rlimits, 0);
        ASSERT_FALSE(p.oom_score_adjust_set);

        ASSERT_STREQ(p.scope_unit, "cell-web.scope");
        ASSERT_STREQ(p.slice, "machine.slice");
        ASSERT_STREQ(p.description, "cell web");
        ASSERT_FALSE(p.virtual_ethernet);
        ASSERT_EQ(p.n_ports, 0);

        plan_done(&p);
        cell_config_done(&c);
}

TEST(namespaces) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "ns");
        c.private_network = false;
        c.private_users = CELL_PRIVATE_USERS_PICK;
        c.private_time = true;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                  CLONE_NEWTIME);
        ASSERT_FALSE(p.namespaces & CLONE_NEWCGROUP);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(capabilities_arithmetic) {
        CellConfig c;
        Plan p = {};

        /* Capability= adds, DropCapability= removes. */
        config_minimal(&c, "caps");
        c.capability = CAP(CAP_SYS_ADMIN) | CAP(CAP_NET_ADMIN);
        c.drop_capability = CAP(CAP_MKNOD) | CAP(CAP_NET_ADMIN);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_bounding, (default_caps | CAP(CAP_SYS_ADMIN)) & ~CAP(CAP_MKNOD));
        ASSERT_EQ_U64(p.cap_effective, p.cap_bounding);
        ASSERT_EQ_U64(p.cap_permitted, p.cap_bounding);
        /* What is named must be held by cell (checked at run time). */
        ASSERT_EQ_U64(p.cap_required, CAP(CAP_SYS_ADMIN));
        plan_done(&p);

        /* DropCapability=all wins over everything. */
        c.drop_capability = UINT64_C(0x1ffffffffff);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_bounding, 0);
        ASSERT_EQ_U64(p.cap_effective, 0);
        plan_done(&p);

        /* Capability=all minus one. */
        c.capability = UINT64_C(0x1ffffffffff);
        c.drop_capability = CAP(CAP_SYS_MODULE);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_bounding, UINT64_C(0x1ffffffffff) & ~CAP(CAP_SYS_MODULE));
        plan_done(&p);

        /* Capability=all names none: everything cell holds, as nspawn keeps
         * all it has, not a refusal where cell lacks one. */
        c.capability = cap_mask_all();
        c.drop_capability = CAP(CAP_SYS_MODULE);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_bounding, cap_mask_all() & ~CAP(CAP_SYS_MODULE));
        ASSERT_EQ_U64(p.cap_required, 0);
        plan_done(&p);
        cell_config_done(&c);
}

/* AmbientCapability=: in the inheritable and ambient sets, so that a user
 * other than root has it after the exec; within the bounding set only, and
 * required (cell must hold it), as Capability=. */
TEST(capabilities_ambient) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "amb");
        c.user = xstrdup("www-data");
        c.ambient_capability = CAP(CAP_NET_BIND_SERVICE);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_bounding, default_caps);
        ASSERT_EQ_U64(p.cap_ambient, CAP(CAP_NET_BIND_SERVICE));
        ASSERT_EQ_U64(p.cap_inheritable, CAP(CAP_NET_BIND_SERVICE));
        ASSERT_EQ_U64(p.cap_effective, CAP(CAP_NET_BIND_SERVICE));
        ASSERT_EQ_U64(p.cap_permitted, CAP(CAP_NET_BIND_SERVICE));
        ASSERT_EQ_U64(p.cap_required, CAP(CAP_NET_BIND_SERVICE));
        plan_done(&p);

        /* Outside the bounding set: refused, naming it and what to do. */
        c.ambient_capability = CAP(CAP_SYS_TIME);
        plan_fails(&c, "AmbientCapability=CAP_SYS_TIME: not in the container's bounding set (add it with Capability=");
        c.capability = CAP(CAP_SYS_TIME);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_ambient, CAP(CAP_SYS_TIME));
        plan_done(&p);
        c.drop_capability = CAP(CAP_SYS_TIME);
        plan_fails(&c, "AmbientCapability=CAP_SYS_TIME: not in the container's bounding set");
        /* Not with Boot=yes, as nspawn: the init would pass them on. */
        c.drop_capability = 0;
        c.boot = true;
        plan_fails(&c, "AmbientCapability= cannot be combined with Boot=yes");
        cell_config_done(&c);
}

/* An ambient capability outside the bounding set, set by one line (a
 * drop-in's): that line is named, not the unit file, which may not have the
 * key at all. Set over several lines, the values add up and no one line
 * need be the one at fault: the unit file. */
TEST(ambient_capability_names_its_only_line) {
        CellConfig c;

        config_from_files(&c, "amb", "[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n",
                          "[Isolation]\n"
                          "AmbientCapability=CAP_SYS_TIME\n");
        plan_fails(&c, ".cell.d/x.conf:2: AmbientCapability=CAP_SYS_TIME: not in the container's bounding set");
        cell_config_done(&c);

        config_from_files(&c, "amb", "[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n"
                          "[Isolation]\nAmbientCapability=CAP_CHOWN\n",
                          "[Isolation]\n"
                          "AmbientCapability=CAP_SYS_TIME\n");
        plan_fails(&c, "/amb.cell: AmbientCapability=CAP_SYS_TIME: not in the container's bounding set");
        cell_config_done(&c);
}

/* NoNewPrivileges=no holds only for a payload with CAP_SYS_ADMIN: without
 * it the kernel takes the system call filter only with no_new_privs, and
 * the plan says so (as systemd implies it for SystemCallFilter=). */
TEST(no_new_privileges_implied_by_the_filter) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "nnp");
        c.no_new_privileges = false;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.no_new_privileges);
        plan_done(&p);

        c.capability = CAP(CAP_SYS_ADMIN);
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(p.no_new_privileges);
        plan_done(&p);

        /* In the bounding set, but not effective for another user. */
        c.user = xstrdup("www-data");
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.no_new_privileges);
        plan_done(&p);
        c.ambient_capability = CAP(CAP_SYS_ADMIN);
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(p.no_new_privileges);
        plan_done(&p);

        c.user = mfree(c.user);
        c.ambient_capability = c.capability = 0;
        c.boot = true;
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(p.no_new_privileges);
        plan_done(&p);

        /* NoNewPrivileges=yes whatever the capabilities. */
        c.no_new_privileges = true;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.no_new_privileges);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(capabilities_non_root) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "caps");
        c.user = xstrdup("www-data");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_bounding, default_caps);
        ASSERT_EQ_U64(p.cap_effective, 0);
        ASSERT_EQ_U64(p.cap_permitted, 0);
        ASSERT_EQ_U64(p.cap_ambient, 0);
        ASSERT_STREQ(p.user, "www-data");
        plan_done(&p);

        /* root by name or number is root. */
        free(c.user);
        c.user = xstrdup("0");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_effective, default_caps);
        plan_done(&p);
        free(c.user);
        c.user = xstrdup("root");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(p.cap_permitted, default_caps);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(rlimits_and_oom) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "rl");
        c.rlimits[RLIMIT_NPROC] = (CellRlimit) { true, 100, 200 };
        c.rlimits[RLIMIT_NOFILE] = (CellRlimit) { true, 1024, RLIM_INFINITY };
        c.oom_score_adjust_set = true;
        c.oom_score_adjust = -500;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_rlimits, 2);
        /* In RLIMIT_* order, only those set. */
        ASSERT_EQ(p.rlimits[0].resource, RLIMIT_NPROC);
        ASSERT_EQ(p.rlimits[0].soft, 100);
        ASSERT_EQ(p.rlimits[0].hard, 200);
        ASSERT_EQ(p.rlimits[1].resource, RLIMIT_NOFILE);
        ASSERT_EQ_U64(p.rlimits[1].hard, RLIM_INFINITY);
        ASSERT_TRUE(p.oom_score_adjust_set);
        ASSERT_EQ(p.oom_score_adjust, -500);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(environment_override) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "env");
        ASSERT_OK(strv_extend(&c.environment, "FOO=1"));
        ASSERT_OK(strv_extend(&c.environment, "PATH=/opt/bin"));
        ASSERT_OK(strv_extend(&c.environment, "BAR=x=y"));
        ASSERT_OK(strv_extend(&c.environment, "FOO=2"));
        ASSERT_OK(strv_extend(&c.environment, "FO=3"));
        c.environment_files = calloc(2, sizeof(CellEnvironmentFile));
        ASSERT_NOT_NULL(c.environment_files);
        c.environment_files[0] = (CellEnvironmentFile) { xstrdup("/etc/a.env"), false };
        c.environment_files[1] = (CellEnvironmentFile) { xstrdup("/etc/b.env"), true };
        c.n_environment_files = 2;
        plan_ok(&c, NULL, &p);

        ASSERT_EQ(strv_length(p.environment), 5);
        ASSERT_STREQ(p.environment[0], "PATH=/opt/bin");        /* replaced where it was */
        ASSERT_STREQ(p.environment[1], "container=cell");
        ASSERT_STREQ(p.environment[2], "FOO=2");
        ASSERT_STREQ(p.environment[3], "BAR=x=y");
        ASSERT_STREQ(p.environment[4], "FO=3");
        ASSERT_EQ(p.n_environment_files, 2);
        ASSERT_STREQ(p.environment_files[0].path, "/etc/a.env");
        ASSERT_FALSE(p.environment_files[0].ignore_missing);
        ASSERT_TRUE(p.environment_files[1].ignore_missing);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(users_modes) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "u");
        c.private_users = CELL_PRIVATE_USERS_FIXED;
        c.private_users_uid = 100000;
        c.private_users_count = 65536;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.users_mode, PLAN_USERS_FIXED);
        ASSERT_TRUE(p.namespaces & CLONE_NEWUSER);
        ASSERT_EQ(p.uid_base, 100000);
        ASSERT_EQ(p.uid_count, 65536);
        ASSERT_EQ(p.n_uid_map, 1);
        ASSERT_EQ(p.n_gid_map, 1);
        ASSERT_EQ(p.uid_map[0].inside, 0);
        ASSERT_EQ(p.uid_map[0].outside, 100000);
        ASSERT_EQ(p.uid_map[0].count, 65536);
        ASSERT_EQ(p.gid_map[0].outside, 100000);
        plan_done(&p);

        /* A range that runs past the last UID. */
        c.private_users_uid = 0xffff0000u;
        c.private_users_count = 0x20000;
        plan_fails(&c, "the range ends beyond the last UID");

        /* A range at UID 0: the container's root would be the host's. */
        c.private_users_uid = 0;
        c.private_users_count = 65536;
        plan_fails(&c, "PrivateUsers=0:65536: a range that starts at UID 0 makes the container's root the host's root");

        c.private_users = CELL_PRIVATE_USERS_YES;
        c.private_users_count = 0;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.users_mode, PLAN_USERS_ROOT_OWNER);
        ASSERT_EQ(p.uid_count, 65536);
        ASSERT_EQ(p.n_uid_map, 0);
        plan_done(&p);

        c.private_users = CELL_PRIVATE_USERS_PICK;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.users_mode, PLAN_USERS_PICK);
        ASSERT_EQ(p.uid_base, plan_users_pick_base("u"));
        ASSERT_EQ(p.uid_count, 65536);
        ASSERT_EQ(p.n_uid_map, 0);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(users_pick_range) {
        char name[32];
        uint32_t first = plan_users_pick_base("web");
        bool differs = false;

        for (int i = 0; i < 2000; i++) {
                snprintf(name, sizeof name, "unit%d", i);
                uint32_t b = plan_users_pick_base(name);
                ASSERT_EQ(b % 0x10000, 0);              /* 64 Ki aligned */
                ASSERT_TRUE(b >= 0x80000);
                ASSERT_TRUE(b <= 0x6fff0000);
                differs = differs || b != first;
        }
        ASSERT_TRUE(differs);
        ASSERT_EQ(plan_users_pick_base("web"), first);  /* stable */
}

TEST(hostname) {
        struct {
                const char *name, *hostname;
        } cases[] = {
                { "web",        "web"       },
                { "worker@3",   "worker-3"  },
                { "a_b:c\\d",   "a-b-c-d"   },
                { "@x@",        "x"         },
                { "-.a.-",      "a"         },
                { "@@@",        "cell"      },
                { "Web.Example","Web.Example" },
                { "a.-b--c.@d", "a.b--c.d"  },
                { "a@.b..c",    "a.b.c"     },
        };
        char long_name[101];

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *h = plan_hostname_from_name(cases[i].name);
                ASSERT_STREQ(h, cases[i].hostname);
                ASSERT_TRUE(hostname_is_valid(h));
        }

        memset(long_name, 'a', 100);
        long_name[100] = 0;
        _cleanup_free_ char *h = plan_hostname_from_name(long_name);
        ASSERT_EQ(strlen(h), 63);

        /* Hostname= wins over the name. */
        CellConfig c;
        Plan p = {};
        config_minimal(&c, "worker@7");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.hostname, "worker-7");
        plan_done(&p);
        c.hostname = xstrdup("box");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.hostname, "box");
        plan_done(&p);
        cell_config_done(&c);
}

TEST(identity) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "id");
        c.user = xstrdup("app");
        c.group = xstrdup("staff");
        ASSERT_OK(strv_extend(&c.supplementary_groups, "wheel"));
        c.working_directory = xstrdup("/srv");
        c.umask_set = true;
        c.umask = 0077;
        c.notify_ready = true;
        c.init = true;
        c.timeout_stop_set = true;
        c.timeout_stop_usec = USEC_INFINITY;
        c.kill_signal = SIGINT;
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.group, "staff");
        ASSERT_STREQ(p.supplementary_groups[0], "wheel");
        ASSERT_STREQ(p.working_directory, "/srv");
        ASSERT_EQ(p.umask, 0077);
        ASSERT_TRUE(p.notify_ready);
        ASSERT_TRUE(p.init);
        ASSERT_EQ_U64(p.timeout_stop_usec, USEC_INFINITY);
        ASSERT_EQ(p.kill_signal, SIGINT);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(argv_override_and_boot) {
        CellConfig c;
        Plan p = {};
        char *args[] = { (char *) "/bin/echo", (char *) "hi", NULL };
        char *empty[] = { NULL };
        PlanOptions o = { .argv_override = args };

        config_minimal(&c, "b");
        plan_ok(&c, &o, &p);
        ASSERT_EQ(strv_length(p.argv), 2);
        ASSERT_STREQ(p.argv[0], "/bin/echo");
        /* The command line's arguments are run as given, Exec='s expanded. */
        ASSERT_FALSE(p.argv_expand);
        plan_done(&p);

        /* An empty override is no override. */
        o.argv_override = empty;
        plan_ok(&c, &o, &p);
        ASSERT_STREQ(p.argv[0], "/bin/sh");
        ASSERT_TRUE(p.argv_expand);
        plan_done(&p);

        /* Boot=yes: /sbin/init, the arguments after it, SIGRTMIN+3. */
        c.boot = true;
        o.argv_override = args;
        plan_ok(&c, &o, &p);
        ASSERT_EQ(strv_length(p.argv), 3);
        ASSERT_STREQ(p.argv[0], "/sbin/init");
        ASSERT_STREQ(p.argv[1], "/bin/echo");
        ASSERT_FALSE(p.argv_expand);
        ASSERT_TRUE(p.boot);
        ASSERT_EQ(p.kill_signal, SIGRTMIN + 3);
        ASSERT_STREQ(p.environment[1], "container=cell");
        plan_done(&p);

        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.argv), 1);
        plan_done(&p);

        /* KillSignal= wins over the Boot= default. */
        c.kill_signal = SIGTERM;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.kill_signal, SIGTERM);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(nothing_to_run) {
        CellConfig c;

        config_minimal(&c, "n");
        c.exec = strv_free(c.exec);
        plan_fails(&c, "n.cell: Neither Exec= nor Boot=yes is set");
        cell_config_done(&c);

        config_minimal(&c, "n");
        c.directory = mfree(c.directory);
        plan_fails(&c, "Directory= is not set");
        cell_config_done(&c);
}

TEST(read_only_and_volatile) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "v");
        c.volatile_mode = CELL_VOLATILE_STATE;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.root_read_only);
        ASSERT_EQ(p.root_volatile, CELL_VOLATILE_STATE);
        plan_done(&p);
        c.volatile_mode = CELL_VOLATILE_NO;
        c.read_only = true;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.root_read_only);
        plan_done(&p);
        cell_config_done(&c);
}

/* The host's own root is no container's, but under a root of the
 * container's own (nspawn's rule for --directory=/). */
TEST(host_root_refused) {
        const CellVolatile refused[] = { CELL_VOLATILE_NO, CELL_VOLATILE_STATE };
        const CellVolatile allowed[] = { CELL_VOLATILE_YES, CELL_VOLATILE_OVERLAY };
        CellConfig c;
        Plan p = {};

        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                config_minimal(&c, "h");
                free(c.directory);
                c.directory = xstrdup("/");
                c.volatile_mode = refused[i];
                c.read_only = true;
                plan_fails(&c, "Directory=/: the host's own root cannot be the container's");
                cell_config_done(&c);
        }
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
                config_minimal(&c, "h");
                free(c.directory);
                c.directory = xstrdup("/");
                c.volatile_mode = allowed[i];
                plan_ok(&c, NULL, &p);
                ASSERT_STREQ(p.root_directory, "/");
                plan_done(&p);
                cell_config_done(&c);
        }
}

TEST(network_copied) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "net");
        c.virtual_ethernet = true;
        c.bridge = xstrdup("br0");
        c.ports = calloc(1, sizeof(CellPort));
        ASSERT_NOT_NULL(c.ports);
        c.ports[0] = (CellPort) { IPPROTO_UDP, 5353, 53 };
        c.n_ports = 1;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.virtual_ethernet);
        ASSERT_STREQ(p.bridge, "br0");
        ASSERT_EQ(p.n_ports, 1);
        ASSERT_EQ(p.ports[0].protocol, IPPROTO_UDP);
        ASSERT_EQ(p.ports[0].host_port, 5353);
        ASSERT_EQ(p.ports[0].container_port, 53);
        ASSERT_NULL(p.ports_ipv4);
        ASSERT_NULL(p.ports_ipv6);
        plan_done(&p);

        /* Where the ports go: the first Address= of each family, as nspawn
         * forwards to the container's address of each; not an IPv6
         * link-local one (nor ::1), which the host's other links cannot reach. */
        ASSERT_OK(strv_extend(&c.addresses, "fe80::2/64"));
        ASSERT_OK(strv_extend(&c.addresses, "fd00::2/64"));
        ASSERT_OK(strv_extend(&c.addresses, "10.0.0.2/24"));
        ASSERT_OK(strv_extend(&c.addresses, "fd00::3/64"));
        ASSERT_OK(strv_extend(&c.addresses, "10.0.0.3/24"));
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.ports_ipv4, "10.0.0.2");
        ASSERT_STREQ(p.ports_ipv6, "fd00::2");
        plan_done(&p);
        c.addresses = strv_free(c.addresses);
        ASSERT_OK(strv_extend(&c.addresses, "fd00::2/64"));
        plan_ok(&c, NULL, &p);
        ASSERT_NULL(p.ports_ipv4);
        ASSERT_STREQ(p.ports_ipv6, "fd00::2");
        plan_done(&p);
        cell_config_done(&c);
}

/* The veth's host side as systemd-nspawn 252 names it: "ve-NAME", "vb-NAME"
 * on a bridge (Bridge=, Zone=); past 15 bytes, the first 11 and a hash of
 * the whole (the names nspawn gave "webserver-production-1" and
 * "wxbserver-production-2"), which is kept as an alternative name. */
static void assert_veth_host(const char *name, const char *bridge, const char *zone, const char *want,
                             const char *want_altname) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, name);
        c.virtual_ethernet = true;
        c.bridge = bridge ? xstrdup(bridge) : NULL;
        c.zone = zone ? xstrdup(zone) : NULL;
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.veth_host, want);
        if (want_altname)
                ASSERT_STREQ(p.veth_host_altname, want_altname);
        else
                ASSERT_NULL(p.veth_host_altname);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(network_veth_host) {
        CellConfig c;
        Plan p = {};

        assert_veth_host("web", NULL, NULL, "ve-web", NULL);
        assert_veth_host("web", "br0", NULL, "vb-web", NULL);
        assert_veth_host("web", NULL, "z1", "vb-web", NULL);
        assert_veth_host("webserver-pr", NULL, NULL, "ve-webserver-pr", NULL);
        assert_veth_host("webserver-production-1", NULL, NULL, "ve-webserveafJQ", "ve-webserver-production-1");
        assert_veth_host("webserver-production-1", "br0", NULL, "vb-webserveCuW_", "vb-webserver-production-1");
        assert_veth_host("wxbserver-production-2", NULL, NULL, "ve-wxbserveTOIX", "ve-wxbserver-production-2");
        /* From the machine name, as nspawn's (what machinectl shows): a
         * template instance "web@3" is the machine "web-3", "my_app" is
         * "my-app", registered or not. */
        assert_veth_host("web@3", NULL, NULL, "ve-web-3", NULL);
        assert_veth_host("web@3", "br0", NULL, "vb-web-3", NULL);
        assert_veth_host("my_app", NULL, NULL, "ve-my-app", NULL);
        assert_veth_host("webserver-production@1", NULL, NULL, "ve-webserveafJQ", "ve-webserver-production-1");

        /* None without the veth. */
        config_minimal(&c, "web");
        plan_ok(&c, NULL, &p);
        ASSERT_NULL(p.veth_host);
        ASSERT_NULL(p.network_machine_name);
        plan_done(&p);
        cell_config_done(&c);

        /* The name the MAC addresses are hashed from (the veths' and the
         * macvlans'), in the plan for spawn: the machine name too. */
        config_minimal(&c, "worker@3");
        c.virtual_ethernet = true;
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.network_machine_name, "worker-3");
        ASSERT_NULL(p.machine_name);            /* not registered */
        plan_done(&p);
        cell_config_done(&c);
        config_minimal(&c, "worker@3");
        ASSERT_OK(strv_extend(&c.macvlan, "eth0"));
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.network_machine_name, "worker-3");
        plan_done(&p);
        cell_config_done(&c);
}

TEST(network_links) {
        CellConfig c;
        Plan p = {};

        /* nspawn's names inside: the same for Interface=, "mv-"/"iv-" + the
         * host's for MACVLAN=/IPVLAN=, shortened past 15 bytes with a hash
         * of the whole, as the veth's host side. */
        config_minimal(&c, "links");
        ASSERT_OK(strv_extend(&c.macvlan, "eth0"));
        ASSERT_OK(strv_extend(&c.macvlan, "enp0s31f6abcdef"));
        ASSERT_OK(strv_extend(&c.ipvlan, "bond0"));
        ASSERT_OK(strv_extend(&c.interfaces, "eth1"));
        ASSERT_OK(strv_extend(&c.interfaces, "eth2"));
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(plan_network_has_links(&p));
        ASSERT_FALSE(p.virtual_ethernet);
        ASSERT_EQ(p.n_interfaces, 2);
        ASSERT_STREQ(p.interfaces[0].host, "eth1");
        ASSERT_STREQ(p.interfaces[0].name, "eth1");
        ASSERT_STREQ(p.interfaces[1].name, "eth2");
        ASSERT_EQ(p.n_macvlans, 2);
        ASSERT_STREQ(p.macvlans[0].host, "eth0");
        ASSERT_STREQ(p.macvlans[0].name, "mv-eth0");
        ASSERT_STREQ(p.macvlans[1].host, "enp0s31f6abcdef");
        ASSERT_STREQ(p.macvlans[1].name, "mv-enp0s31ftT1f");
        ASSERT_EQ(p.n_ipvlans, 1);
        ASSERT_STREQ(p.ipvlans[0].name, "iv-bond0");
        /* Address= goes on the first interface: the moved ones come first. */
        ASSERT_STREQ(p.address_interface, "eth1");
        plan_done(&p);

        /* Then the macvlans, then the ipvlans; host0 before all. */
        c.interfaces = strv_free(c.interfaces);
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.address_interface, "mv-eth0");
        plan_done(&p);
        c.macvlan = strv_free(c.macvlan);
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.address_interface, "iv-bond0");
        plan_done(&p);
        c.virtual_ethernet = true;
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.address_interface, "host0");
        plan_done(&p);
        c.virtual_ethernet = false;
        c.ipvlan = strv_free(c.ipvlan);
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(plan_network_has_links(&p));
        ASSERT_NULL(p.address_interface);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(network_links_one_name_each) {
        CellConfig c;

        config_minimal(&c, "links");
        ASSERT_OK(strv_extend(&c.macvlan, "eth0"));
        ASSERT_OK(strv_extend(&c.macvlan, "eth0"));
        plan_fails(&c, "links.cell: MACVLAN=eth0: the container would have two interfaces named mv-eth0");
        c.macvlan = strv_free(c.macvlan);
        /* Two long names alike in their first 12 bytes: the hash keeps them apart. */
        ASSERT_OK(strv_extend(&c.ipvlan, "enp0s31f6abcde0"));
        ASSERT_OK(strv_extend(&c.ipvlan, "enp0s31f6abcde1"));
        Plan p = {};
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_ipvlans, 2);
        ASSERT_TRUE(startswith(p.ipvlans[0].name, "iv-enp0s31f"));
        ASSERT_TRUE(startswith(p.ipvlans[1].name, "iv-enp0s31f"));
        ASSERT_EQ(strlen(p.ipvlans[0].name), 15);
        ASSERT_FALSE(streq(p.ipvlans[0].name, p.ipvlans[1].name));
        plan_done(&p);
        c.ipvlan = strv_free(c.ipvlan);
        /* The veth's host0 and the loopback interface are taken. */
        c.virtual_ethernet = true;
        ASSERT_OK(strv_extend(&c.interfaces, "host0"));
        plan_fails(&c, "Interface=host0: the container would have two interfaces named host0");
        c.interfaces = strv_free(c.interfaces);
        ASSERT_OK(strv_extend(&c.interfaces, "lo"));
        plan_fails(&c, "Interface=lo: the container would have two interfaces named lo");
        /* A moved interface that happens to be called like a macvlan. */
        c.interfaces = strv_free(c.interfaces);
        ASSERT_OK(strv_extend(&c.interfaces, "mv-eth0"));
        ASSERT_OK(strv_extend(&c.macvlan, "eth0"));
        plan_fails(&c, "MACVLAN=eth0: the container would have two interfaces named mv-eth0");
        cell_config_done(&c);
}

/* Nice= ... CPUAffinity=, Personality=: in the plan only when written, with
 * systemd's defaults for what goes with them. */
TEST(sched) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "s");
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(plan_sched_any(&p.sched));
        ASSERT_FALSE(p.personality_set);
        plan_done(&p);

        c.sched.nice_set = true;
        c.sched.nice = -5;
        c.sched.cpu_policy_set = true;
        c.sched.cpu_policy = SCHED_FIFO;        /* no priority: fifo's lowest, 1 */
        c.sched.io_set = true;
        c.sched.io_class = IOPRIO_CLASS_RT;
        c.sched.io_priority = 2;
        c.sched.cpu_affinity = calloc(2, 1);
        ASSERT_NOT_NULL(c.sched.cpu_affinity);
        c.sched.cpu_affinity[1] = 0x01;         /* CPU 8 */
        c.sched.cpu_affinity_size = 2;
        c.personality_set = true;
        c.personality = PER_LINUX32;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(plan_sched_any(&p.sched));
        ASSERT_TRUE(p.sched.nice_set);
        ASSERT_EQ(p.sched.nice, -5);
        ASSERT_TRUE(p.sched.cpu_set);
        ASSERT_EQ(p.sched.cpu_policy, SCHED_FIFO);
        ASSERT_EQ(p.sched.cpu_priority, 1);
        ASSERT_FALSE(p.sched.cpu_reset_on_fork);
        ASSERT_TRUE(p.sched.io_set);
        ASSERT_EQ(p.sched.io_class, IOPRIO_CLASS_RT);
        ASSERT_EQ(p.sched.io_priority, 2);
        /* The plan's own copy. */
        ASSERT_TRUE(p.sched.cpu_affinity != c.sched.cpu_affinity);
        ASSERT_EQ(p.sched.cpu_affinity_size, 2);
        ASSERT_EQ(p.sched.cpu_affinity[1], 0x01);
        ASSERT_TRUE(p.personality_set);
        ASSERT_EQ(p.personality, PER_LINUX32);
        plan_done(&p);
        ASSERT_NULL(p.sched.cpu_affinity);

        /* A priority written is kept; reset-on-fork alone is in force, on
         * the policy and priority the child inherits. */
        c.sched.cpu_priority_set = true;
        c.sched.cpu_priority = 42;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.sched.cpu_priority, 42);
        plan_done(&p);
        c.sched.cpu_policy_set = c.sched.cpu_priority_set = false;
        c.sched.cpu_reset_on_fork = true;
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.sched.cpu_set);
        ASSERT_TRUE(p.sched.cpu_inherit);
        ASSERT_TRUE(p.sched.cpu_reset_on_fork);
        plan_done(&p);
        c.sched.cpu_policy_set = true;
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(p.sched.cpu_inherit);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(network_zone_veth_extra) {
        CellConfig c;
        Plan p = {};

        /* Zone=web: the veth (implied) on the bridge "vz-web", not Bridge=;
         * VirtualEthernetExtra= pairs in the unit's order. */
        config_from_text(&c, "zx",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "[Network]\n"
                         "Zone=web\n"
                         "VirtualEthernetExtra=vx0:inner0\n"
                         "VirtualEthernetExtra=vy0\n");
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.virtual_ethernet);
        ASSERT_NULL(p.bridge);
        ASSERT_STREQ(p.zone, "vz-web");
        ASSERT_EQ(p.n_veth_extras, 2);
        ASSERT_STREQ(p.veth_extras[0].host, "vx0");
        ASSERT_STREQ(p.veth_extras[0].name, "inner0");
        ASSERT_STREQ(p.veth_extras[1].host, "vy0");
        ASSERT_STREQ(p.veth_extras[1].name, "vy0");
        /* Address= stays on host0. */
        ASSERT_STREQ(p.address_interface, "host0");
        plan_done(&p);
        cell_config_done(&c);

        /* The extra pairs alone are links the supervisor puts in, but no
         * interface for Address=. */
        config_from_text(&c, "zx",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "[Network]\n"
                         "VirtualEthernetExtra=vx0\n");
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(p.virtual_ethernet);
        ASSERT_NULL(p.zone);
        ASSERT_TRUE(plan_network_has_links(&p));
        ASSERT_NULL(p.address_interface);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(network_veth_extra_one_name_each) {
        CellConfig c;

        /* Each refused pair said where it was written: its container side
         * taken in the container, its host side one of cell's own. */
        config_from_text(&c, "xx",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "[Network]\n"
                         "Zone=web\n"                                   /* line 6 */
                         "Interface=eth1\n"
                         "MACVLAN=eth0\n"
                         "VirtualEthernetExtra=a:host0\n"               /* line 9 */
                         "VirtualEthernetExtra=b:lo\n"
                         "VirtualEthernetExtra=c:eth1\n"
                         "VirtualEthernetExtra=d:mv-eth0\n"
                         "VirtualEthernetExtra=e:x\n"                   /* line 13: fine */
                         "VirtualEthernetExtra=f:x\n"
                         "VirtualEthernetExtra=e:y\n"
                         "VirtualEthernetExtra=vb-xx:z\n"
                         "VirtualEthernetExtra=eth0:w\n"
                         "VirtualEthernetExtra=eth1:v\n"
                         "VirtualEthernetExtra=vz-web:u\n");            /* line 19 */
        plan_fails(&c, "xx.cell:9: VirtualEthernetExtra=a:host0: the container would have two interfaces named host0 "
                   "(VirtualEthernet='s container side)");
        plan_fails(&c, "xx.cell:10: VirtualEthernetExtra=b:lo: the container would have two interfaces named lo "
                   "(its loopback)");
        plan_fails(&c, "xx.cell:11: VirtualEthernetExtra=c:eth1: the container would have two interfaces named eth1 "
                   "(Interface=)");
        plan_fails(&c, "xx.cell:12: VirtualEthernetExtra=d:mv-eth0: the container would have two interfaces named "
                   "mv-eth0 (MACVLAN=)");
        plan_fails(&c, "xx.cell:14: VirtualEthernetExtra=f:x: the container would have two interfaces named x "
                   "(another VirtualEthernetExtra=)");
        plan_fails(&c, "xx.cell:15: VirtualEthernetExtra=e:y: the host side e is also another "
                   "VirtualEthernetExtra='s host side");
        plan_fails(&c, "xx.cell:16: VirtualEthernetExtra=vb-xx:z: the host side vb-xx is also VirtualEthernet='s "
                   "host side");
        plan_fails(&c, "xx.cell:17: VirtualEthernetExtra=eth0:w: the host side eth0 is also a MACVLAN= parent");
        plan_fails(&c, "xx.cell:18: VirtualEthernetExtra=eth1:v: the host side eth1 is also an Interface=");
        plan_fails(&c, "xx.cell:19: VirtualEthernetExtra=vz-web:u: the host side vz-web is also Zone='s bridge");
        /* Ten of them; the pair of line 13 is the first "x" and "e". */
        Diagnostics d = {};
        Plan p = {};
        ASSERT_ERROR(plan_build(&c, NULL, &p, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 10);
        STRV_FOREACH(m, d.messages)
                ASSERT_TRUE(!strstr(*m, "xx.cell:13:"));
        diag_done(&d);
        cell_config_done(&c);

        /* Bridge='s bridge is no extra's host side either. */
        config_from_text(&c, "xx",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "[Exec]\n"
                         "Exec=/bin/true\n"
                         "[Network]\n"
                         "Bridge=br0\n"
                         "VirtualEthernetExtra=br0:u\n");
        plan_fails(&c, "xx.cell:7: VirtualEthernetExtra=br0:u: the host side br0 is also Bridge=");
        cell_config_done(&c);
}

/* A check of the plan says where the key it is about was written, as the
 * parser does ("FILE:LINE: Key=value: ..."), a drop-in's own path. */
TEST(errors_name_their_line) {
        CellConfig c;

        config_from_files(&c, "web", "[Root]\nDirectory=/srv/web\n[Exec]\nExec=/bin/true\n"
                          "[Network]\nInterface=eth0\n",
                          "[Network]\nVirtualEthernet=yes\nInterface=eth1\nInterface=host0\n");
        plan_fails(&c, "/web.cell.d/x.conf:4: Interface=host0: the container would have two interfaces "
                   "named host0");
        cell_config_done(&c);

        config_from_files(&c, "web", "[Root]\nDirectory=/srv/web\n[Exec]\nBoot=yes\n[Isolation]\n"
                          "PrivateUsers=pick\nAmbientCapability=CAP_NET_RAW\n",
                          "[Isolation]\nPrivateUsers=0:65536\n");
        plan_fails(&c, "/web.cell.d/x.conf:2: PrivateUsers=0:65536: a range that starts at UID 0");
        plan_fails(&c, "/web.cell:7: AmbientCapability= cannot be combined with Boot=yes");
        cell_config_done(&c);
}
