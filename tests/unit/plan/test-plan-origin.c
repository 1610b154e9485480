/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the unit set the keys the start may refuse (Plan.origins), and the
 * "FILE:LINE: " that goes in front of the start's messages about them. */

#include <limits.h>

#include "plan-test.h"

#define UNIT "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\nUser=nobody\nSupplementaryGroups=wheel\n" \
        "EnvironmentFile=-/etc/a.env\n[Isolation]\nCapability=CAP_NET_ADMIN\n[Limits]\nLimitNOFILE=1024\n"
#define DROPIN "[Exec]\nUser=test\nSupplementaryGroups=audio video\nEnvironmentFile=/etc/b.env\n" \
        "Exec=/bin/probe\n[Isolation]\nCapability=CAP_SYS_TIME\n"

/* The message's prefix, with the temporary directory cut off. */
static const char *prefix(const Plan *p, const char *message, char *buf, size_t n) {
        const char *slash;

        plan_message_origin(p, message, buf, n);
        slash = strstr(buf, "/web.cell");
        return slash ? slash + 1 : buf;
}

TEST(origin_from_files) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];
        const CellOrigin *o;

        config_from_files(&c, "web", UNIT, DROPIN);
        plan_ok(&c, NULL, &p);

        /* A key of one value: its last line, the drop-in's own path. */
        o = plan_key_origin(&p, "User", 0);
        ASSERT_NOT_NULL(o);
        ASSERT_STREQ(o->file, p.dropin_paths[0]);
        ASSERT_EQ(o->line, 2);
        ASSERT_STREQ(prefix(&p, "User=test: no such user in the container's /etc/passwd", buf, sizeof buf),
                     "web.cell.d/x.conf:2: ");
        ASSERT_STREQ(prefix(&p, "Exec=/bin/probe: not found in the container", buf, sizeof buf),
                     "web.cell.d/x.conf:5: ");
        /* The main file's lines are the main file's. */
        ASSERT_STREQ(prefix(&p, "Directory=/srv/r: does not exist", buf, sizeof buf), "web.cell:2: ");
        ASSERT_STREQ(prefix(&p, "LimitNOFILE=1024: setrlimit", buf, sizeof buf), "web.cell:11: ");

        /* A list's item: its own line. */
        ASSERT_STREQ(prefix(&p, "SupplementaryGroups=wheel: no such group", buf, sizeof buf), "web.cell:6: ");
        ASSERT_STREQ(prefix(&p, "SupplementaryGroups=video: no such group", buf, sizeof buf),
                     "web.cell.d/x.conf:3: ");
        ASSERT_STREQ(prefix(&p, "SupplementaryGroups=video", buf, sizeof buf), "web.cell.d/x.conf:3: ");
        /* The list as a whole (setgroups()): its first line, and how many more set it. */
        ASSERT_STREQ(prefix(&p, "SupplementaryGroups=: setgroups", buf, sizeof buf),
                     "web.cell:6 (and 1 more line): ");
        ASSERT_STREQ(prefix(&p, "SupplementaryGroups=kvm: no such group", buf, sizeof buf), "");
        ASSERT_STREQ(plan_key_origin(&p, "EnvironmentFile", 0)->file, p.unit_path);
        ASSERT_EQ(plan_key_origin(&p, "EnvironmentFile", 0)->line, 7);
        ASSERT_STREQ(plan_key_origin(&p, "EnvironmentFile", 1)->file, p.dropin_paths[0]);
        ASSERT_EQ(plan_key_origin(&p, "EnvironmentFile", 1)->line, 4);
        ASSERT_NULL(plan_key_origin(&p, "EnvironmentFile", 2));
        /* Its reader names the entry itself. */
        ASSERT_STREQ(prefix(&p, "EnvironmentFile=/etc/b.env: No such file", buf, sizeof buf), "");

        /* Capability= adds up over lines: the line that named the one refused. */
        ASSERT_STREQ(prefix(&p, "Capability=CAP_NET_ADMIN: cell itself does not hold it", buf, sizeof buf),
                     "web.cell:9: ");
        ASSERT_STREQ(prefix(&p, "Capability=CAP_SYS_TIME: cell itself does not hold it", buf, sizeof buf),
                     "web.cell.d/x.conf:7: ");

        /* None for: a key not set (a default), a message that names its
         * own origin or no key. */
        ASSERT_STREQ(prefix(&p, "Hostname=web: sethostname", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "/srv/web.cell:3: Bind=/a: source does not exist", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "pivot_root: cannot enter the root", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "", buf, sizeof buf), "");
        ASSERT_STREQ(plan_origin_prefix(&p, "User", 0, buf, 0), buf);   /* no room: nothing written */
        plan_done(&p);
        ASSERT_EQ(p.n_origins, 0);

        /* "cell run NAME -- ARGS": what runs is no line's. */
        plan_ok(&c, &(PlanOptions) { .argv_override = (char *[]) { (char *) "nosuch", NULL } }, &p);
        ASSERT_NULL(plan_key_origin(&p, "Exec", 0));
        ASSERT_STREQ(prefix(&p, "Exec=nosuch: not found in the container", buf, sizeof buf), "");
        ASSERT_NOT_NULL(plan_key_origin(&p, "User", 0));
        plan_done(&p);
        cell_config_done(&c);
}

/* The keys named in the start's messages: their lines, and no other's. */
TEST(origin_keys) {
        static const char *const keys[][2] = {
                { "Hostname", "web1" }, { "WorkingDirectory", "/srv" }, { "IOSchedulingPriority", "3" },
                { "MachineID", "0b6f5a2e6e3c4d6b9c2c740d3ec55d01" }, { "Group", "wheel" }, { "Nice", "5" },
        };
        _cleanup_free_ char *text = NULL;
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32], message[128];
        size_t n = 0;
        FILE *f = open_memstream(&text, &n);

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/srv/r\nVolatile=yes\n[Exec]\nExec=/bin/true\n", f);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                fprintf(f, "%s=%s\n", keys[i][0], keys[i][1]);
        fputs("[Limits]\nLimitCORE=0\nMemoryMax=1G\n", f);
        ASSERT_EQ(fclose(f), 0);
        config_from_text(&c, "web", text);
        plan_ok(&c, NULL, &p);

        ASSERT_STREQ(prefix(&p, "Volatile=yes: /srv/r/bin is a directory", buf, sizeof buf), "web.cell:3: ");
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                char want[32];

                snprintf(message, sizeof message, "%s=%s: refused", keys[i][0], keys[i][1]);
                snprintf(want, sizeof want, "web.cell:%zu: ", i + 6);
                ASSERT_STREQ(prefix(&p, message, buf, sizeof buf), want);
        }
        ASSERT_STREQ(prefix(&p, "LimitCORE=0: setrlimit", buf, sizeof buf), "web.cell:13: ");
        /* A cgroup limit the kernel or systemd refuses (the scope's message). */
        ASSERT_STREQ(prefix(&p, "MemoryMax=: the kernel refuses memory.max=1073741824 in /sys/fs/cgroup/x: "
                            "Device or resource busy", buf, sizeof buf), "web.cell:14: ");
        plan_done(&p);
        cell_config_done(&c);
}

/* The [Limits] keys the kernel (the cgroupfs manager's writes) or systemd
 * may refuse at the start: the scope's message says "Key=: ...", prefixed
 * with where the key was written. */
TEST(origin_limits) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Limits]\n"
                          "MemoryMax=1G\nTasksMax=10\nCPUQuota=50%\nCPUWeight=idle\nAllowedCPUs=0-1\n"
                          "AllowedMemoryNodes=0\nStartupCPUWeight=20\nMemoryHigh=1M\n",
                          "[Limits]\nMemoryHigh=2M\nAllowedMemoryNodes=1\nMemoryLow=1M\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(prefix(&p, "MemoryMax=: the kernel refuses memory.max=1073741824 in /x: Invalid argument",
                            buf, sizeof buf), "web.cell:6: ");
        ASSERT_STREQ(prefix(&p, "TasksMax=: systemd has no pids controller for cell-web.scope, so the limit "
                            "would not be enforced", buf, sizeof buf), "web.cell:7: ");
        ASSERT_STREQ(prefix(&p, "CPUQuota=: the kernel refuses cpu.max=50000 100000 in /x: Invalid argument",
                            buf, sizeof buf), "web.cell:8: ");
        ASSERT_STREQ(prefix(&p, "CPUWeight=idle: /x has no cpu.idle (Linux 5.15 and later have it)",
                            buf, sizeof buf), "web.cell:9: ");
        ASSERT_STREQ(prefix(&p, "StartupCPUWeight=: systemd has no cpu controller", buf, sizeof buf),
                     "web.cell:12: ");
        /* A drop-in's value: the drop-in's own path and line. */
        ASSERT_STREQ(prefix(&p, "MemoryHigh=: the kernel refuses memory.high=2097152", buf, sizeof buf),
                     "web.cell.d/x.conf:2: ");
        ASSERT_STREQ(prefix(&p, "MemoryLow=: cgroup v1 has no memory protection", buf, sizeof buf),
                     "web.cell.d/x.conf:4: ");
        /* A set of CPUs or nodes as a whole: its first line, and how many more. */
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=: the kernel refuses cpuset.cpus=0-1 in /x: Invalid argument",
                            buf, sizeof buf), "web.cell:10: ");
        ASSERT_STREQ(prefix(&p, "AllowedMemoryNodes=: the kernel refuses cpuset.mems=0-1 in /x: Invalid argument",
                            buf, sizeof buf), "web.cell:11 (and 1 more line): ");
        /* ... the node refused: the line it came from. */
        ASSERT_STREQ(prefix(&p, "AllowedMemoryNodes=1: the kernel refuses cpuset.mems=0-1 in /x: this machine "
                            "has no node 1", buf, sizeof buf), "web.cell.d/x.conf:3: ");
        plan_done(&p);
        cell_config_done(&c);
}

/* The sets of CPUs or NUMA nodes add up over lines, as systemd's: each
 * line keeps what it named, so that a refusal naming CPUs names the lines
 * they came from; the reset ("" or a line of no CPU, ",") forgets the lines
 * before it. */
TEST(origin_sets) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n"
                          "CPUAffinity=0-1\nCPUAffinity=3\n[Limits]\nAllowedCPUs=0-1\nAllowedCPUs=7\n"
                          "StartupAllowedCPUs=0\nStartupAllowedCPUs=,\nStartupAllowedCPUs=2\n",
                          "[Limits]\nAllowedCPUs=1 9\nAllowedCPUs=5\n[Exec]\nCPUAffinity=\nCPUAffinity=4\n");
        plan_ok(&c, NULL, &p);
        /* The CPU refused: the line that brought it. */
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=7: the kernel refuses cpuset.cpus=0-1,5,7,9 in /x: this machine "
                            "has no CPU 7", buf, sizeof buf), "web.cell:9: ");
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=9: refused", buf, sizeof buf), "web.cell.d/x.conf:2: ");
        /* CPU 1 came from line 8: the drop-in's line that names it again brought nothing. */
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=1: refused", buf, sizeof buf), "web.cell:8: ");
        /* CPUs of several lines: the first of them, and how many more. */
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=5,7,9: refused", buf, sizeof buf), "web.cell:9 (and 2 more lines): ");
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=5 9: refused", buf, sizeof buf), "web.cell.d/x.conf:2 (and 1 more line): ");
        /* The set as a whole: all four lines. */
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=: systemd refused AllowedCPUs", buf, sizeof buf),
                     "web.cell:8 (and 3 more lines): ");
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=0-1,5,7,9: refused", buf, sizeof buf), "web.cell:8 (and 3 more lines): ");
        /* A CPU no line named: no line. */
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=3: refused", buf, sizeof buf), "");
        /* The reset: "," as "" (CPU 0 is no line's any more), and for CPUAffinity= too. */
        ASSERT_STREQ(prefix(&p, "StartupAllowedCPUs=: refused", buf, sizeof buf), "web.cell:12: ");
        ASSERT_STREQ(prefix(&p, "StartupAllowedCPUs=0: refused", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "CPUAffinity=4: none of these CPUs is both online and in the container's cpuset",
                            buf, sizeof buf), "web.cell.d/x.conf:6: ");
        ASSERT_STREQ(prefix(&p, "CPUAffinity=3: refused", buf, sizeof buf), "");
        plan_done(&p);
        cell_config_done(&c);

        /* An empty value resets as well. */
        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\nCPUAffinity=0\n"
                          "CPUAffinity=1\n[Limits]\nAllowedCPUs=0\n", "[Limits]\nAllowedCPUs=\nAllowedCPUs=1\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(prefix(&p, "AllowedCPUs=: the kernel refuses cpuset.cpus=1", buf, sizeof buf),
                     "web.cell.d/x.conf:3: ");
        ASSERT_STREQ(prefix(&p, "CPUAffinity=0 1: none of these CPUs", buf, sizeof buf),
                     "web.cell:5 (and 1 more line): ");
        plan_done(&p);
        cell_config_done(&c);
}

/* Capability= and AmbientCapability= add up over lines: a start that cannot
 * grant one (caps_check_held(): "cell itself does not hold it") names the
 * line that asked for it, not the key's last; an empty line resets. */
TEST(origin_capabilities) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                          "Capability=CAP_CHOWN\nCapability=sys_time net_admin\nCapability=CAP_KILL\n"
                          "AmbientCapability=CAP_NET_RAW\nCapability=\nCapability=CAP_NET_RAW\n",
                          "[Isolation]\nCapability=CAP_SYS_TIME CAP_SYSLOG\nAmbientCapability=CAP_SYSLOG\n");
        plan_ok(&c, NULL, &p);
        /* Line 7's CAP_SYS_TIME was reset by line 10: the drop-in brought it again. */
        ASSERT_STREQ(prefix(&p, "Capability=CAP_SYS_TIME: cell itself does not hold it", buf, sizeof buf),
                     "web.cell.d/x.conf:2: ");
        ASSERT_STREQ(prefix(&p, "Capability=CAP_NET_RAW: cell itself does not hold it", buf, sizeof buf),
                     "web.cell:11: ");
        ASSERT_STREQ(prefix(&p, "AmbientCapability=CAP_NET_RAW: cell itself does not hold it", buf, sizeof buf),
                     "web.cell:9: ");
        ASSERT_STREQ(prefix(&p, "AmbientCapability=CAP_SYSLOG: cell itself does not hold it", buf, sizeof buf),
                     "web.cell.d/x.conf:3: ");
        /* One no line named (the default set's, or reset away): no line. */
        ASSERT_STREQ(prefix(&p, "Capability=CAP_KILL: cell itself does not hold it", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "Capability=CAP_SETUID: cell itself does not hold it", buf, sizeof buf), "");
        plan_done(&p);
        cell_config_done(&c);
}

/* [Unit]'s dependencies, counted: systemd's refusal at the start names a
 * unit (scope-bus-refused.c makes it "Requires=x.service: ..."), whose own
 * line is named; a refusal of the key as a whole names its first line. */
TEST(origin_dependencies) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_from_files(&c, "web", "[Unit]\nAfter=a.service foo@x.service\nRequires=x.service\n"
                          "After=b.service\nConflicts=\n[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n",
                          "[Unit]\nRequires=nonexistent.service\nBefore=c.service\nWants=\nWants=d.service\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(prefix(&p, "After=foo@x.service: systemd refused After: Invalid unit name foo@x.service",
                            buf, sizeof buf), "web.cell:2: ");
        ASSERT_STREQ(prefix(&p, "After=b.service: systemd refused After", buf, sizeof buf), "web.cell:4: ");
        ASSERT_STREQ(prefix(&p, "Requires=x.service: systemd refused Requires: Unit x.service not found.",
                            buf, sizeof buf), "web.cell:3: ");
        ASSERT_STREQ(prefix(&p, "Requires=nonexistent.service: systemd refused Requires: Unit "
                            "nonexistent.service not found.", buf, sizeof buf), "web.cell.d/x.conf:2: ");
        ASSERT_STREQ(prefix(&p, "Before=c.service: systemd refused Before", buf, sizeof buf),
                     "web.cell.d/x.conf:3: ");
        ASSERT_STREQ(prefix(&p, "Wants=d.service: systemd refused Wants", buf, sizeof buf),
                     "web.cell.d/x.conf:5: ");
        /* The key as a whole ("Cannot set property After"), with its value as
         * sent or none: the first line, and how many more. */
        ASSERT_STREQ(prefix(&p, "After=a.service foo@x.service b.service: systemd refused After: Cannot set "
                            "property After, or unknown property.", buf, sizeof buf),
                     "web.cell:2 (and 1 more line): ");
        ASSERT_STREQ(prefix(&p, "Requires=: systemd refused Requires", buf, sizeof buf),
                     "web.cell:3 (and 1 more line): ");
        ASSERT_STREQ(prefix(&p, "Before=: systemd refused Before", buf, sizeof buf), "web.cell.d/x.conf:3: ");
        /* Conflicting jobs, a unit required that failed (the scope's words). */
        ASSERT_STREQ(prefix(&p, "Requires=nonexistent.service: systemd refused the start: Transaction contains "
                            "conflicting jobs 'stop' and 'start' for nonexistent.service. (x; Conflicts="
                            "nonexistent.service too)", buf, sizeof buf), "web.cell.d/x.conf:2: ");
        ASSERT_STREQ(prefix(&p, "Requires=: systemd refused the start: Transaction contains conflicting jobs "
                            "'stop' and 'start' for cell-web.scope.", buf, sizeof buf),
                     "web.cell:3 (and 1 more line): ");
        ASSERT_STREQ(prefix(&p, "Requires=x.service: starting cell-web.scope failed: job result 'dependency': "
                            "x.service failed (systemctl status says why)", buf, sizeof buf), "web.cell:3: ");
        /* A unit no line names, a key cleared or never set: no line. */
        ASSERT_STREQ(prefix(&p, "After=x.service: systemd refused After", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "Conflicts=: systemd refused Conflicts", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "PartOf=: systemd refused PartOf", buf, sizeof buf), "");
        plan_done(&p);
        cell_config_done(&c);
}

/* Address= and Gateway=, which the child sets up: the address it cannot
 * add names its own line, also after an empty value reset the list. */
TEST(origin_addresses) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Isolation]\n"
                          "PrivateNetwork=yes\n[Network]\nVirtualEthernet=yes\nAddress=10.0.0.2/24\n"
                          "Gateway=10.0.1.254\nGateway=fd00::1\n",
                          "[Network]\nAddress=\nAddress=10.0.1.2/24\nAddress=fd00::2/64\nGateway=10.0.1.1\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(prefix(&p, "Gateway=fd00::1: cannot add the default route via host0: No route to host", buf,
                            sizeof buf), "web.cell:11: ");
        ASSERT_STREQ(prefix(&p, "Gateway=10.0.1.1: cannot add the default route via host0", buf, sizeof buf),
                     "web.cell.d/x.conf:5: ");
        ASSERT_STREQ(prefix(&p, "Address=fd00::2/64: cannot add it to host0: File exists", buf, sizeof buf),
                     "web.cell.d/x.conf:4: ");
        /* Reset by the drop-in's empty line: no line holds it now. */
        ASSERT_STREQ(prefix(&p, "Address=10.0.0.2/24: cannot add it to host0", buf, sizeof buf), "");
        plan_done(&p);
        cell_config_done(&c);
}

/* The IO device keys and DeviceAllow= keep each entry's origin: a message
 * about one path names its line, one about the key as a whole (systemd has
 * no io controller, or refused the property of several disks) its first
 * line and how many more. */
TEST(origin_entries) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Limits]\n"
                          "IOReadBandwidthMax=/dev/sda 1M\nIOReadIOPSMax=/dev/sda 10\n"
                          "DeviceAllow=/dev/fuse rw\nIOReadBandwidthMax=/dev/sdb 2M\n",
                          "[Limits]\nIOReadBandwidthMax=/srv/r 3M\nDeviceAllow=char-pts r\n"
                          "IODeviceLatencyTargetSec=/dev/sda 25ms\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(prefix(&p, "IOReadBandwidthMax=: systemd has no io controller for cell-web.scope",
                            buf, sizeof buf), "web.cell:6 (and 2 more lines): ");
        ASSERT_STREQ(prefix(&p, "IOReadBandwidthMax=: systemd refused IOReadBandwidthMax: Cannot set property",
                            buf, sizeof buf), "web.cell:6 (and 2 more lines): ");
        ASSERT_STREQ(prefix(&p, "IOReadIOPSMax=: systemd has no io controller", buf, sizeof buf),
                     "web.cell:7: ");
        ASSERT_STREQ(prefix(&p, "IODeviceLatencyTargetSec=: systemd refused IODeviceLatencyTargetUSec",
                            buf, sizeof buf), "web.cell.d/x.conf:4: ");
        ASSERT_STREQ(prefix(&p, "IOReadBandwidthMax=/dev/sdb 2000000: refused", buf, sizeof buf), "web.cell:9: ");
        ASSERT_STREQ(prefix(&p, "IOReadBandwidthMax=/srv/r: refused", buf, sizeof buf), "web.cell.d/x.conf:2: ");
        ASSERT_STREQ(prefix(&p, "DeviceAllow=: systemd refused DeviceAllow: DeviceAllow= requires device path "
                            "or device class", buf, sizeof buf), "web.cell:8 (and 1 more line): ");
        ASSERT_STREQ(prefix(&p, "DeviceAllow=char-pts r: refused", buf, sizeof buf), "web.cell.d/x.conf:3: ");
        /* A path no line names, a key not set: no line. */
        ASSERT_STREQ(prefix(&p, "IOReadBandwidthMax=/dev/sdc: refused", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "IOWriteIOPSMax=: systemd has no io controller", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "IODeviceWeight=: refused", buf, sizeof buf), "");
        plan_done(&p);
        cell_config_done(&c);
}

/* A config made by hand names no file: the main file's path stands in, as
 * for the entries. One that names no line has no origin. */
TEST(origin_by_hand) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_minimal(&c, "web");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_origins, 0);
        ASSERT_STREQ(plan_message_origin(&p, "Exec=/bin/sh: not found", buf, sizeof buf), "");
        plan_done(&p);

        c.origins = calloc(2, sizeof(CellOrigin));
        ASSERT_NOT_NULL(c.origins);
        c.origins[0] = (CellOrigin) { .key = "Personality", .line = 9 };
        c.origins[1] = (CellOrigin) { .key = "Hostname", .file = xstrdup("web.cell.d/x.conf") };
        c.n_origins = 2;
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_origins, 1);
        ASSERT_STREQ(plan_message_origin(&p, "Personality=x86: personality", buf, sizeof buf), "web.cell:9: ");
        ASSERT_STREQ(plan_message_origin(&p, "Hostname=web: sethostname", buf, sizeof buf), "");
        plan_done(&p);
        cell_config_done(&c);
}

/* PassEnvironment=: the variable a start refuses (too long, not UTF-8:
 * cli/environment-files.c) names the line that added it, in the unit file
 * or the drop-in, by the plan's list, which passes TERM first; a TERM no
 * line named is no line's; an empty value resets the lines before it. */
TEST(origin_pass_environment) {
        CellConfig c;
        Plan p = {};
        char buf[PATH_MAX + 32];

        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n"
                          "PassEnvironment=GONE\nPassEnvironment=\nPassEnvironment=A B\nPassEnvironment=C A\n",
                          "[Exec]\nPassEnvironment=D\n");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(p.pass_environment[0], "TERM");
        ASSERT_NULL(plan_key_origin(&p, "PassEnvironment", 0));
        ASSERT_NOT_NULL(plan_key_origin(&p, "PassEnvironment", 1));
        ASSERT_EQ(plan_key_origin(&p, "PassEnvironment", 1)->line, 7);
        ASSERT_STREQ(prefix(&p, "PassEnvironment=A: too long", buf, sizeof buf), "web.cell:7: ");
        ASSERT_STREQ(prefix(&p, "PassEnvironment=B: too long", buf, sizeof buf), "web.cell:7: ");
        /* A named again later is still the line that added it. */
        ASSERT_STREQ(prefix(&p, "PassEnvironment=C: not valid UTF-8", buf, sizeof buf), "web.cell:8: ");
        ASSERT_STREQ(prefix(&p, "PassEnvironment=D: too long", buf, sizeof buf), "web.cell.d/x.conf:2: ");
        ASSERT_STREQ(prefix(&p, "PassEnvironment=TERM: too long", buf, sizeof buf), "");
        ASSERT_STREQ(prefix(&p, "PassEnvironment=GONE: too long", buf, sizeof buf), "");
        /* The list as a whole: its first line, and the other lines (not names). */
        ASSERT_STREQ(prefix(&p, "PassEnvironment=: refused", buf, sizeof buf), "web.cell:7 (and 2 more lines): ");
        plan_done(&p);
        cell_config_done(&c);

        /* TERM named on a later line: that line, first in the plan's list. */
        config_from_files(&c, "web", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n"
                          "PassEnvironment=A\nPassEnvironment=B TERM\n", NULL);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.pass_environment), 3U);
        ASSERT_STREQ(prefix(&p, "PassEnvironment=TERM: too long", buf, sizeof buf), "web.cell:6: ");
        ASSERT_STREQ(prefix(&p, "PassEnvironment=A: too long", buf, sizeof buf), "web.cell:5: ");
        ASSERT_STREQ(prefix(&p, "PassEnvironment=B: too long", buf, sizeof buf), "web.cell:6: ");
        plan_done(&p);
        cell_config_done(&c);
}
