/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config.c and config-parse.c: CellConfig's defaults, the key
 * table's dispatch (unknown keys and sections, what to write instead) and
 * where each value came from. */
#include "config-assign-test.h"
#include "test.h"

TEST(defaults) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_TRUE(c.private_network);
        ASSERT_TRUE(c.no_new_privileges);
        ASSERT_EQ(c.umask, 0022);
        ASSERT_FALSE(c.umask_set);
        ASSERT_EQ(c.syscall_error_number, -1);
        ASSERT_NULL(c.slice);
        ASSERT_NULL(c.exec);
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_NO);
        cell_config_done(&c);
        cell_config_done(&c);   /* twice is harmless */
}

TEST(unknown_and_extensions) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "X-Ansible", "Anything", "goes");
        OK(&c, "Limits", "X-Owner", "team-web");
        BAD_EXACT(&c, "Limits", "MemroyMax", "1G",
                  "web.cell:7: unknown key \"MemroyMax\" in section [Limits], did you mean \"MemoryMax\"?");
        BAD_EXACT(&c, "Limits", "memorymax", "1G",
                  "web.cell:7: unknown key \"memorymax\" in section [Limits], did you mean \"MemoryMax\"?");
        BAD_EXACT(&c, "Exec", "MemoryMax", "1G",
                  "web.cell:7: unknown key \"MemoryMax\" in section [Exec], it belongs in [Limits]");
        BAD_EXACT(&c, "Exec", "Frobnicate", "1",
                  "web.cell:7: unknown key \"Frobnicate\" in section [Exec]");
        /* A .nspawn file's key that cell has elsewhere, under another name. */
        BAD_EXACT(&c, "Network", "Private", "yes", "web.cell:7: unknown key \"Private\" in section [Network]: "
                  "systemd-nspawn's Private= is PrivateNetwork= in [Isolation]");
        BAD_EXACT(&c, "Limit", "MemoryMax", "1G",
                  "web.cell:7: unknown section [Limit], did you mean [Limits]?");
        /* the same unknown section is reported once per file */
        OK(&c, "Limit", "TasksMax", "5");
        ASSERT_EQ(c.tasks_max.kind, CELL_LIMIT_UNSET);
        BAD_EXACT(&c, "Service", "ExecStart", "/bin/true", "web.cell:7: unknown section [Service]: a .service "
                  "unit's section: what runs is in [Exec] here (Exec=, User=, Environment=, ...), its resources in "
                  "[Limits] (MemoryMax=, CPUQuota=, TasksMax=, LimitNOFILE=, ...)");
        BAD_EXACT(&c, "Unknown", "Key", "1", "web.cell:7: unknown section [Unknown]");
        BAD(&c, "", "Exec", "x", "outside of any [Section]");
        /* keys are case-sensitive, as systemd's */
        BAD(&c, "exec", "Exec", "x", "unknown section [exec], did you mean [Exec]?");
        ASSERT_NULL(c.exec);
        ASSERT_EQ(diag.n_errors, 10);
        cell_config_done(&c);
        diag_done(&diag);
}

/* A unit ported from a .nspawn file or a .service: what to write instead. */
TEST(unknown_with_hints) {
        CellConfig c;

        cell_config_init(&c);
        BAD_EXACT(&c, "Files", "Bind", "/srv", "web.cell:7: unknown section [Files]: systemd-nspawn's [Files] keys "
                  "(Bind=, BindReadOnly=, TemporaryFileSystem=, Inaccessible=, Overlay=, OverlayReadOnly=, "
                  "ReadOnly=, Volatile=) are in [Root] here");
        BAD(&c, "Exec", "Ephemeral", "yes", "unknown key \"Ephemeral\" in section [Exec]: systemd-nspawn's "
            "Ephemeral= is not supported: Volatile=overlay in [Root]");
        BAD(&c, "Exec", "ProcessTwo", "yes", "systemd-nspawn's ProcessTwo= is Init=yes in [Exec]");
        BAD(&c, "Exec", "Parameters", "-b", "the command line is Exec= in [Exec]");
        BAD(&c, "Exec", "PivotRoot", "/usr", "systemd-nspawn's PivotRoot= is not supported");
        BAD(&c, "Exec", "LinkJournal", "no", "systemd-nspawn's LinkJournal= is not supported");
        BAD(&c, "Exec", "ExecStart", "/bin/true", "a .service unit's ExecStart= is Exec= in [Exec]");
        BAD(&c, "Exec", "RootDirectory", "/srv/root", "a .service unit's RootDirectory= is Directory= in [Root]");
        BAD(&c, "Isolation", "CapabilityBoundingSet", "CAP_NET_ADMIN",
            "Capability= and DropCapability= in [Isolation]");
        BAD(&c, "Exec", "DynamicUser", "yes", "PrivateUsers=pick in [Isolation]");
        BAD(&c, "Isolation", "SystemCallLog", "@raw-io", "systemd's SystemCallLog= is not supported");
        BAD(&c, "Exec", "Restart", "on-failure", "a drop-in of cell@NAME.service (cell@.service(8), RESTARTING)");
        BAD_EXACT(&c, "Limits", "CPUShares", "512", "web.cell:7: unknown key \"CPUShares\" in section [Limits]: "
                  "systemd's deprecated cgroup v1 name: CPUWeight= in [Limits], 1-10000 with 100 the default "
                  "(CPUShares= counted 2-262144, 1024 the default)");
        BAD(&c, "Limits", "MemoryLimit", "1G", "systemd's deprecated cgroup v1 name: MemoryMax= in [Limits]");
        BAD(&c, "Limits", "BlockIOWeight", "500", "IOWeight= in [Limits]");
        BAD(&c, "Limits", "BlockIOReadBandwidth", "/dev/sda 1M", "IOReadBandwidthMax= in [Limits]");
        /* Whatever section it is in: the name says where it went. */
        BAD(&c, "Exec", "MemoryLimit", "1G", "MemoryMax= in [Limits]");
        /* systemd's switches that cell's scope settles: what it does instead. */
        BAD_EXACT(&c, "Limits", "MemoryAccounting", "yes", "web.cell:7: unknown key \"MemoryAccounting\" in section "
                  "[Limits]: systemd's MemoryAccounting= has no key here: cell asks for no accounting, so a systemd "
                  "scope gets systemd's DefaultMemoryAccounting= (systemd-system.conf(5)), and a limit (MemoryMax=, "
                  "...) turns its controller on, with either manager");
        BAD(&c, "Limits", "TasksAccounting", "yes", "DefaultTasksAccounting= (systemd-system.conf(5)), and a limit "
            "(TasksMax=)");
        BAD(&c, "Limits", "CPUAccounting", "yes", "DefaultCPUAccounting=");
        BAD(&c, "Limits", "IOAccounting", "yes", "DefaultIOAccounting=");
        BAD(&c, "Limits", "Delegate", "yes", "cell's systemd scope always has Delegate=yes (cell plan shows it)");
        /* A section's own hint only for that section. */
        BAD_EXACT(&c, "Exec", "Private", "yes", "web.cell:7: unknown key \"Private\" in section [Exec]");
        ASSERT_EQ(diag.n_errors, 23);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(no_diag_swallows) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_OK(config_assign(&c, "Limits", "MemoryMax", "12Q", "x.cell", 1, NULL));
        ASSERT_OK(config_assign(&c, "Nope", "A", "b", "x.cell", 1, NULL));
        ASSERT_EQ(c.memory_max.kind, CELL_LIMIT_UNSET);
        ASSERT_OK(config_finish(&c, "x.cell", NULL));
        cell_config_done(&c);
}

/* The origin of key in c: its index in c->origins, or -1. */
static int origin_find(const CellConfig *c, const char *key, size_t nth) {
        for (size_t i = 0; i < c->n_origins; i++)
                if (streq(c->origins[i].key, key) && nth-- == 0)
                        return (int) i;
        return -1;
}

TEST(origins) {
        CellConfig c;
        int i;

        cell_config_init(&c);
        /* A key of one value: its last line, the drop-in's own path. */
        ASSERT_NULL(assign_at(&c, "Exec", "User", "nobody", "web.cell", 3));
        ASSERT_NULL(assign_at(&c, "Exec", "User", "test", "web.cell.d/10-x.conf", 2));
        i = origin_find(&c, "User", 0);
        ASSERT_TRUE(i >= 0);
        ASSERT_STREQ(c.origins[i].file, "web.cell.d/10-x.conf");
        ASSERT_EQ(c.origins[i].line, 2);
        ASSERT_EQ(c.origins[i].items, 0);
        ASSERT_EQ(origin_find(&c, "User", 1), -1);
        /* A bad value changes nothing, its line either. */
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "User", "bad:name", "web.cell.d/20-y.conf", 9));
        ASSERT_STREQ(c.origins[origin_find(&c, "User", 0)].file, "web.cell.d/10-x.conf");
        /* Each key its own; the main file's lines keep no copy of its path. */
        c.path = strdup("web.cell");
        ASSERT_NOT_NULL(c.path);
        ASSERT_NULL(assign_at(&c, "Limits", "LimitNOFILE", "1024", "web.cell", 12));
        ASSERT_EQ(c.origins[origin_find(&c, "LimitNOFILE", 0)].line, 12);
        ASSERT_NULL(c.origins[origin_find(&c, "LimitNOFILE", 0)].file);
        /* The reset forgets it. */
        ASSERT_NULL(assign_at(&c, "Exec", "User", "", "web.cell.d/30-z.conf", 1));
        ASSERT_EQ(origin_find(&c, "User", 0), -1);
        ASSERT_TRUE(origin_find(&c, "LimitNOFILE", 0) >= 0);

        /* A counted list: a record a line, with the list's length after it. */
        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "wheel", "web.cell", 5));
        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "audio video", "web.cell.d/10-x.conf", 4));
        i = origin_find(&c, "SupplementaryGroups", 0);
        ASSERT_EQ(c.origins[i].line, 5);
        ASSERT_EQ(c.origins[i].items, 1);
        i = origin_find(&c, "SupplementaryGroups", 1);
        ASSERT_STREQ(c.origins[i].file, "web.cell.d/10-x.conf");
        ASSERT_EQ(c.origins[i].items, 3);
        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "", "web.cell.d/10-x.conf", 5));
        ASSERT_EQ(origin_find(&c, "SupplementaryGroups", 0), -1);
        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "kvm", "web.cell.d/10-x.conf", 6));
        ASSERT_EQ(c.origins[origin_find(&c, "SupplementaryGroups", 0)].items, 1);

        ASSERT_NULL(assign_at(&c, "Exec", "EnvironmentFile", "-/etc/a.env", "web.cell", 8));
        ASSERT_NULL(assign_at(&c, "Exec", "EnvironmentFile", "/etc/b.env", "web.cell.d/10-x.conf", 7));
        ASSERT_EQ(c.origins[origin_find(&c, "EnvironmentFile", 0)].items, 1);
        ASSERT_EQ(c.origins[origin_find(&c, "EnvironmentFile", 1)].items, 2);
        ASSERT_EQ(c.origins[origin_find(&c, "EnvironmentFile", 1)].line, 7);

        /* A set of CPUs or nodes: a record a line, with the CPUs it named
         * (a CPU refused at the start names its line); a line of no CPU
         * (",") resets as the empty value does; a bad line changes nothing. */
        ASSERT_NULL(assign_at(&c, "Limits", "AllowedCPUs", "0-1", "web.cell", 9));
        ASSERT_NULL(assign_at(&c, "Limits", "AllowedCPUs", "9", "web.cell.d/10-x.conf", 8));
        ASSERT_NOT_NULL(assign_at(&c, "Limits", "AllowedCPUs", "2-1", "web.cell.d/10-x.conf", 9));
        ASSERT_EQ(c.allowed_cpus_size, 2);
        ASSERT_EQ(c.allowed_cpus[0], 0x03);
        ASSERT_EQ(c.allowed_cpus[1], 0x02);
        i = origin_find(&c, "AllowedCPUs", 0);
        ASSERT_EQ(c.origins[i].line, 9);
        ASSERT_EQ(c.origins[i].set_size, 1);
        ASSERT_EQ(c.origins[i].set[0], 0x03);
        i = origin_find(&c, "AllowedCPUs", 1);
        ASSERT_EQ(c.origins[i].line, 8);
        ASSERT_EQ(c.origins[i].lines, 2);
        ASSERT_EQ(c.origins[i].set_size, 2);
        ASSERT_EQ(c.origins[i].set[0], 0x00);
        ASSERT_EQ(c.origins[i].set[1], 0x02);
        ASSERT_EQ(origin_find(&c, "AllowedCPUs", 2), -1);
        ASSERT_NULL(assign_at(&c, "Limits", "AllowedCPUs", ",", "web.cell.d/10-x.conf", 10));
        ASSERT_NULL(c.allowed_cpus);
        ASSERT_EQ(origin_find(&c, "AllowedCPUs", 0), -1);
        ASSERT_NULL(assign_at(&c, "Limits", "AllowedCPUs", "1", "web.cell.d/10-x.conf", 11));
        ASSERT_EQ(c.origins[origin_find(&c, "AllowedCPUs", 0)].lines, 1);
        ASSERT_NULL(assign_at(&c, "Exec", "CPUAffinity", "3", "web.cell", 6));
        ASSERT_NULL(assign_at(&c, "Exec", "CPUAffinity", "0 3", "web.cell", 7));
        ASSERT_EQ(c.origins[origin_find(&c, "CPUAffinity", 1)].set[0], 0x09);
        ASSERT_NULL(assign_at(&c, "Exec", "CPUAffinity", "", "web.cell", 8));
        ASSERT_EQ(origin_find(&c, "CPUAffinity", 0), -1);
        diag_done(&diag);
        cell_config_done(&c);
        ASSERT_EQ(c.n_origins, 0);
}
