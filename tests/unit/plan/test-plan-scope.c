/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scope: name, slice, description, typed limits and D-Bus properties. */

#include "plan-internal.h"
#include "plan-test.h"

static const char *property_names(const Plan *p, char *buf, size_t size) {
        size_t n = 0;

        buf[0] = 0;
        for (size_t i = 0; i < p->n_properties; i++)
                n += snprintf(buf + n, size - MIN(n, size), "%s%s:%s", i ? " " : "", p->properties[i].name,
                              p->properties[i].signature);
        return buf;
}

TEST(scope_names) {
        struct {
                const char *name, *scope;
        } cases[] = {
                { "web",       "cell-web.scope" },
                { "worker@3",  "cell-worker\\x403.scope" },
                { "a-b",       "cell-a\\x2db.scope" },
                { "x.y_z:1",   "cell-x.y_z:1.scope" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                CellConfig c;
                Plan p = {};

                config_minimal(&c, cases[i].name);
                plan_ok(&c, NULL, &p);
                ASSERT_STREQ(p.scope_unit, cases[i].scope);
                plan_done(&p);
                cell_config_done(&c);
        }
}

TEST(scope_minimal_properties) {
        CellConfig c;
        Plan p = {};
        char buf[1024];
        const PlanProperty *q;

        config_minimal(&c, "web");
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(property_names(&p, buf, sizeof buf),
                     "Description:s Slice:s Delegate:b CollectMode:s DefaultDependencies:b DevicePolicy:s DeviceAllow:a(ss)");
        ASSERT_STREQ(p.properties[0].s, "cell web");
        ASSERT_STREQ(p.properties[1].s, "machine.slice");
        ASSERT_TRUE(p.properties[2].b);
        ASSERT_STREQ(p.properties[3].s, "inactive-or-failed");
        ASSERT_FALSE(p.properties[4].b);        /* DefaultDependencies: no shutdown.target deps */
        ASSERT_STREQ(p.properties[5].s, "closed");

        q = plan_property(&p, "DeviceAllow");
        ASSERT_EQ(strv_length(q->as) % 2, 0);
        ASSERT_STREQ(q->as[0], "/dev/null");
        ASSERT_STREQ(q->as[1], "rwm");
        ASSERT_TRUE(strv_contains(q->as, "/dev/urandom"));
        ASSERT_TRUE(strv_contains(q->as, "/dev/tty"));
        ASSERT_TRUE(strv_contains(q->as, "/dev/net/tun"));
        ASSERT_TRUE(strv_contains(q->as, "/dev/ptmx"));
        ASSERT_TRUE(strv_contains(q->as, "char-pts"));

        /* Nothing set, nothing in the typed limits either. */
        ASSERT_EQ(p.limits.memory_max.kind, CELL_LIMIT_UNSET);
        ASSERT_EQ_U64(p.limits.cpu_quota_per_sec_usec, USEC_INFINITY);
        ASSERT_FALSE(p.limits.cpu_quota_period_set);
        ASSERT_EQ_U64(plan_cpu_quota_period(&p.limits), USEC_INFINITY);
        ASSERT_EQ(p.limits.cpu_weight, 0);
        ASSERT_FALSE(p.limits.cpu_idle);
        ASSERT_EQ(p.limits.memory_min.kind, CELL_LIMIT_UNSET);
        ASSERT_EQ(p.limits.memory_low.kind, CELL_LIMIT_UNSET);
        ASSERT_NULL(p.limits.allowed_cpus);
        ASSERT_EQ(p.limits.n_device_allow, 0);
        /* TasksMax= unset: none for systemd (its DefaultTasksMax= applies, the
         * minimal properties above), systemd's 15% for the cgroupfs manager. */
        ASSERT_EQ(p.limits.tasks_max.kind, CELL_LIMIT_UNSET);
        ASSERT_EQ(p.limits.tasks_max_default.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(p.limits.tasks_max_default.permyriad, 1500);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(scope_all_properties) {
        CellConfig c;
        Plan p = {};
        char buf[2048];
        const PlanProperty *q;

        config_minimal(&c, "web");
        c.description = xstrdup("A web server");
        c.slice = xstrdup("cells.slice");
        ASSERT_OK(strv_extend(&c.after, "network.target"));
        ASSERT_OK(strv_extend(&c.after, "db.service"));
        ASSERT_OK(strv_extend(&c.wants, "db.service"));
        ASSERT_OK(strv_extend(&c.conflicts, "old.service"));
        c.memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 256u << 20 };
        c.memory_high = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 5000 };
        c.memory_swap_max = (CellLimit) { .kind = CELL_LIMIT_INFINITY };
        c.memory_min = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 0 };
        c.memory_low = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 2500 };
        c.cpu_quota_set = true;
        c.cpu_quota_per_sec_usec = 1500000;
        c.cpu_quota_period_set = true;
        c.cpu_quota_period_usec = 10000;
        c.cpu_weight = 200;
        c.io_weight = 50;
        c.allowed_cpus = calloc(1, 1);
        ASSERT_NOT_NULL(c.allowed_cpus);
        c.allowed_cpus[0] = 0x05;       /* CPUs 0 and 2 */
        c.allowed_cpus_size = 1;
        c.tasks_max = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 1234 };
        c.device_allow = calloc(1, sizeof(CellDeviceAllow));
        ASSERT_NOT_NULL(c.device_allow);
        c.device_allow[0] = (CellDeviceAllow) { .path = xstrdup("/dev/fuse"), .perms = "rw",
                                                .file = xstrdup("/etc/cell/x.cell.d/10-dev.conf"), .line = 3 };
        c.n_device_allow = 1;
        plan_ok(&c, NULL, &p);

        ASSERT_STREQ(p.description, "cell web: A web server");
        ASSERT_STREQ(p.slice, "cells.slice");
        ASSERT_STREQ(property_names(&p, buf, sizeof buf),
                     "Description:s Slice:s Delegate:b CollectMode:s DefaultDependencies:b After:as Wants:as Conflicts:as "
                     "MemoryMax:t MemoryHighScale:u MemorySwapMax:t MemoryMin:t MemoryLowScale:u "
                     "CPUQuotaPerSecUSec:t CPUQuotaPeriodUSec:t CPUWeight:t "
                     "IOWeight:t AllowedCPUs:ay TasksMaxScale:u DevicePolicy:s DeviceAllow:a(ss)");

        ASSERT_STREQ(plan_property(&p, "Description")->s, "cell web: A web server");
        q = plan_property(&p, "After");
        ASSERT_EQ(strv_length(q->as), 2);
        ASSERT_STREQ(q->as[1], "db.service");
        ASSERT_EQ_U64(plan_property(&p, "MemoryMax")->t, 268435456);
        ASSERT_EQ(plan_property(&p, "MemoryHighScale")->u, 2147483648u);
        ASSERT_EQ_U64(plan_property(&p, "MemorySwapMax")->t, UINT64_MAX);
        /* MemoryMin=0 is a protection of nothing, passed as such. */
        ASSERT_EQ_U64(plan_property(&p, "MemoryMin")->t, 0);
        ASSERT_EQ(plan_property(&p, "MemoryLowScale")->u, 1073741824u);
        ASSERT_EQ_U64(plan_property(&p, "CPUQuotaPerSecUSec")->t, 1500000);
        ASSERT_EQ_U64(plan_property(&p, "CPUQuotaPeriodUSec")->t, 10000);
        ASSERT_EQ_U64(plan_property(&p, "CPUWeight")->t, 200);
        ASSERT_EQ_U64(plan_property(&p, "IOWeight")->t, 50);
        q = plan_property(&p, "AllowedCPUs");
        ASSERT_EQ(q->ay_size, 1);
        ASSERT_EQ(q->ay[0], 0x05);
        /* 12.34% of UINT32_MAX, rounded to the closest, as systemd does. */
        ASSERT_EQ(plan_property(&p, "TasksMaxScale")->u, 529998964u);
        q = plan_property(&p, "DeviceAllow");
        size_t n = strv_length(q->as);
        ASSERT_STREQ(q->as[n - 2], "/dev/fuse");
        ASSERT_STREQ(q->as[n - 1], "rw");

        /* The typed copy for the cgroupfs manager. */
        ASSERT_EQ(p.limits.memory_high.kind, CELL_LIMIT_PERCENT);
        ASSERT_EQ(p.limits.memory_high.permyriad, 5000);
        ASSERT_EQ_U64(p.limits.cpu_quota_per_sec_usec, 1500000);
        ASSERT_EQ_U64(p.limits.cpu_quota_period_usec, 10000);
        ASSERT_EQ(p.limits.memory_min.kind, CELL_LIMIT_VALUE);
        ASSERT_EQ(p.limits.memory_low.permyriad, 2500);
        ASSERT_FALSE(p.limits.cpu_idle);
        ASSERT_EQ(p.limits.allowed_cpus_size, 1);
        ASSERT_EQ(p.limits.n_device_allow, 1);
        ASSERT_STREQ(p.limits.device_allow[0].path, "/dev/fuse");
        ASSERT_STREQ(p.limits.device_allow[0].perms, "rw");
        /* Where it was written, for the start to name if the entry fails there. */
        ASSERT_STREQ(p.limits.device_allow[0].file, "/etc/cell/x.cell.d/10-dev.conf");
        ASSERT_EQ(p.limits.device_allow[0].line, 3);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(scope_tasks_max_value_and_infinity) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "t");
        c.tasks_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 64 };
        c.memory_max = (CellLimit) { .kind = CELL_LIMIT_INFINITY };
        plan_ok(&c, NULL, &p);
        ASSERT_EQ_U64(plan_property(&p, "TasksMax")->t, 64);
        ASSERT_EQ_U64(plan_property(&p, "MemoryMax")->t, UINT64_MAX);
        ASSERT_NULL(plan_find_property(&p, "TasksMaxScale", NULL));
        /* Set (infinity too): no default beside it. */
        ASSERT_EQ(p.limits.tasks_max_default.kind, CELL_LIMIT_UNSET);
        plan_done(&p);
        cell_config_done(&c);
}

/* CPUWeight=idle is systemd 252's weight 0 on the bus (CGROUP_WEIGHT_IDLE:
 * systemctl show says "CPUWeight=idle"); CPUQuotaPeriodSec= goes as written,
 * without CPUQuota= too (systemd takes it and applies the default period);
 * memory protections in bytes and "infinity". */
TEST(scope_cpu_idle_period_protections) {
        CellConfig c;
        Plan p = {};
        char buf[2048];

        config_minimal(&c, "idle");
        c.cpu_weight_idle = true;
        c.cpu_quota_period_set = true;
        c.cpu_quota_period_usec = 0;
        c.memory_min = (CellLimit) { .kind = CELL_LIMIT_INFINITY };
        c.memory_low = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 1 << 20 };
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(property_names(&p, buf, sizeof buf),
                     "Description:s Slice:s Delegate:b CollectMode:s DefaultDependencies:b "
                     "MemoryMin:t MemoryLow:t CPUQuotaPeriodUSec:t CPUWeight:t DevicePolicy:s DeviceAllow:a(ss)");
        ASSERT_EQ_U64(plan_property(&p, "CPUWeight")->t, 0);
        ASSERT_EQ_U64(plan_property(&p, "CPUQuotaPeriodUSec")->t, 0);
        ASSERT_EQ_U64(plan_property(&p, "MemoryMin")->t, UINT64_MAX);
        ASSERT_EQ_U64(plan_property(&p, "MemoryLow")->t, 1 << 20);
        ASSERT_TRUE(p.limits.cpu_idle);
        ASSERT_EQ_U64(p.limits.cpu_weight, 0);
        ASSERT_TRUE(p.limits.cpu_quota_period_set);
        ASSERT_EQ_U64(plan_cpu_quota_period(&p.limits), 0);
        ASSERT_EQ_U64(p.limits.cpu_quota_per_sec_usec, USEC_INFINITY);
        plan_done(&p);
        cell_config_done(&c);
}

static uint8_t *bitmap(uint8_t byte) {
        uint8_t *b = calloc(1, 1);
        ASSERT_NOT_NULL(b);
        b[0] = byte;
        return b;
}

/* systemd 252's AllowedMemoryNodes= and Startup*= keys: properties of their
 * own, each beside its normal key, with the normal key's type
 * (StartupCPUWeight=idle is weight 0 too), and typed for the scope stage. */
TEST(scope_memory_nodes_and_startup) {
        CellConfig c;
        Plan p = {};
        char buf[2048];
        const PlanProperty *q;

        config_minimal(&c, "boot");
        c.cpu_weight = 100;
        c.startup_cpu_weight_idle = true;
        c.startup_io_weight = 500;
        c.allowed_cpus = bitmap(0x03);
        c.allowed_cpus_size = 1;
        c.startup_allowed_cpus = bitmap(0x01);
        c.startup_allowed_cpus_size = 1;
        c.allowed_memory_nodes = bitmap(0x02);
        c.allowed_memory_nodes_size = 1;
        c.startup_allowed_memory_nodes = bitmap(0x01);
        c.startup_allowed_memory_nodes_size = 1;
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(property_names(&p, buf, sizeof buf),
                     "Description:s Slice:s Delegate:b CollectMode:s DefaultDependencies:b "
                     "CPUWeight:t StartupCPUWeight:t StartupIOWeight:t AllowedCPUs:ay StartupAllowedCPUs:ay "
                     "AllowedMemoryNodes:ay StartupAllowedMemoryNodes:ay DevicePolicy:s DeviceAllow:a(ss)");
        ASSERT_EQ_U64(plan_property(&p, "StartupCPUWeight")->t, 0);
        ASSERT_EQ_U64(plan_property(&p, "StartupIOWeight")->t, 500);
        q = plan_property(&p, "AllowedMemoryNodes");
        ASSERT_EQ(q->ay_size, 1);
        ASSERT_EQ(q->ay[0], 0x02);
        ASSERT_EQ(plan_property(&p, "StartupAllowedCPUs")->ay[0], 0x01);
        ASSERT_EQ(plan_property(&p, "StartupAllowedMemoryNodes")->ay[0], 0x01);

        ASSERT_EQ_U64(p.limits.cpu_weight, 100);
        ASSERT_TRUE(p.limits.startup_cpu_idle);
        ASSERT_EQ_U64(p.limits.startup_cpu_weight, 0);
        ASSERT_EQ_U64(p.limits.startup_io_weight, 500);
        ASSERT_EQ(p.limits.allowed_memory_nodes_size, 1);
        ASSERT_EQ(p.limits.allowed_memory_nodes[0], 0x02);
        ASSERT_EQ(p.limits.startup_allowed_cpus[0], 0x01);
        ASSERT_EQ(p.limits.startup_allowed_memory_nodes[0], 0x01);
        const char *keys[PLAN_STARTUP_KEYS_MAX];
        ASSERT_EQ(plan_limits_startup_keys(&p.limits, keys), 4);
        ASSERT_STREQ(keys[0], "StartupCPUWeight");
        p.limits.startup_cpu_idle = false;
        ASSERT_EQ(plan_limits_startup_keys(&p.limits, keys), 3);
        ASSERT_STREQ(keys[0], "StartupIOWeight");
        p.limits.startup_io_weight = 0;
        ASSERT_EQ(plan_limits_startup_keys(&p.limits, keys), 2);
        ASSERT_STREQ(keys[0], "StartupAllowedCPUs");
        p.limits.startup_allowed_cpus = mfree(p.limits.startup_allowed_cpus);
        ASSERT_EQ(plan_limits_startup_keys(&p.limits, keys), 1);
        ASSERT_STREQ(keys[0], "StartupAllowedMemoryNodes");
        p.limits.startup_allowed_memory_nodes = mfree(p.limits.startup_allowed_memory_nodes);
        ASSERT_EQ(plan_limits_startup_keys(&p.limits, keys), 0);
        plan_done(&p);
        cell_config_done(&c);

        /* Startup*= alone: only those properties. */
        config_minimal(&c, "boot");
        c.startup_cpu_weight = 20;
        c.startup_allowed_memory_nodes = bitmap(0x01);
        c.startup_allowed_memory_nodes_size = 1;
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(property_names(&p, buf, sizeof buf),
                     "Description:s Slice:s Delegate:b CollectMode:s DefaultDependencies:b "
                     "StartupCPUWeight:t StartupAllowedMemoryNodes:ay DevicePolicy:s DeviceAllow:a(ss)");
        ASSERT_EQ_U64(plan_property(&p, "StartupCPUWeight")->t, 20);
        ASSERT_NULL(p.limits.allowed_memory_nodes);
        plan_done(&p);
        cell_config_done(&c);
}

static void io_add(CellConfig *c, CellIOKind kind, const char *path, uint64_t value, unsigned line) {
        c->io_devices = realloc(c->io_devices, sizeof(CellIODevice) * (c->n_io_devices + 1));
        ASSERT_NOT_NULL(c->io_devices);
        c->io_devices[c->n_io_devices++] = (CellIODevice) {
                .kind = kind, .path = xstrdup(path), .value = value, .file = xstrdup("io.cell"), .line = line,
        };
}

/* The IO limits are typed for the start, which finds each disk: no property
 * is planned for them (the scope stage adds them, per disk). */
TEST(scope_io_devices) {
        CellConfig c;
        Plan p = {};
        char buf[2048];

        config_minimal(&c, "io");
        io_add(&c, CELL_IO_WRITE_BPS, "/dev/vdb", UINT64_MAX, 3);
        io_add(&c, CELL_IO_READ_BPS, "/dev/vda", 5000000, 4);
        io_add(&c, CELL_IO_LATENCY, "/srv", 25000, 6);
        plan_ok(&c, NULL, &p);
        ASSERT_STREQ(property_names(&p, buf, sizeof buf),
                     "Description:s Slice:s Delegate:b CollectMode:s DefaultDependencies:b DevicePolicy:s DeviceAllow:a(ss)");
        ASSERT_EQ(p.limits.n_io_devices, 3);
        ASSERT_EQ(p.limits.io_devices[0].kind, CELL_IO_WRITE_BPS);
        ASSERT_EQ_U64(p.limits.io_devices[0].value, UINT64_MAX);
        ASSERT_STREQ(p.limits.io_devices[2].path, "/srv");
        ASSERT_EQ_U64(p.limits.io_devices[2].value, 25000);
        /* Where each was written, for the start's messages. */
        ASSERT_STREQ(p.limits.io_devices[2].file, "io.cell");
        ASSERT_EQ(p.limits.io_devices[2].line, 6);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(scale_from_permyriad) {
        ASSERT_EQ(plan_scale_from_permyriad(0), 0);
        ASSERT_EQ(plan_scale_from_permyriad(10000), UINT32_MAX);
        ASSERT_EQ(plan_scale_from_permyriad(5000), 2147483648u);
        ASSERT_EQ(plan_scale_from_permyriad(1), 429497u);
        ASSERT_EQ(plan_scale_from_permyriad(2500), 1073741824u);
        ASSERT_EQ(plan_scale_from_permyriad(20000), UINT32_MAX);        /* clamped */
}

/* A value too long for the refusal's buffer is cut after a whole item and
 * says so ("..."), rather than ending in a CPU number the set does not have:
 * every other CPU of 64, and a list of units. */
TEST(property_value_cut_short) {
        uint8_t set[8];
        char *units[] = { (char *) "a.service", (char *) "bb.service", (char *) "c.service", NULL };
        PlanProperty cpus = { .name = "AllowedCPUs", .signature = "ay", .ay = set, .ay_size = sizeof set };
        PlanProperty after = { .name = "After", .signature = "as", .as = units };
        char buf[24], big[256];

        memset(set, 0x55, sizeof set);
        ASSERT_STREQ(plan_property_value(&cpus, big, sizeof big),
                     "0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40,42,44,46,48,50,52,54,56,58,60,62");
        ASSERT_STREQ(plan_property_value(&cpus, buf, sizeof buf), "0,2,4,6,8,10,12,14,...");
        ASSERT_STREQ(plan_property_value(&cpus, buf, 4), "...");
        memset(set, 0, sizeof set);
        set[0] = 0x0f;
        ASSERT_STREQ(plan_property_value(&cpus, buf, 4), "0-3");
        ASSERT_STREQ(plan_property_value(&after, big, sizeof big), "a.service bb.service c.service");
        ASSERT_STREQ(plan_property_value(&after, buf, sizeof buf), "a.service ...");
        ASSERT_STREQ(plan_property_value(&after, buf, 12), "...");
}

/* A time span is named in the largest unit it is a whole number of, as a
 * unit file writes it: TimeoutStopSec=90s (the default) is "90s", not
 * "90000ms". */
TEST(property_value_time_span) {
        PlanProperty t = { .name = "TimeoutStopUSec", .signature = "t" };
        static const struct {
                uint64_t usec;
                const char *text;
        } spans[] = {
                { 90 * USEC_PER_SEC, "90s" }, { 120 * USEC_PER_SEC, "2min" }, { 7200 * USEC_PER_SEC, "2h" },
                { 2000 * USEC_PER_SEC, "2000s" }, { 1500 * USEC_PER_MSEC, "1500ms" }, { 2500, "2500us" },
                { 0, "0us" }, { UINT64_MAX, "infinity" },
        };
        char buf[32];

        for (size_t i = 0; i < ELEMENTSOF(spans); i++) {
                t.t = spans[i].usec;
                ASSERT_STREQ(plan_property_value(&t, buf, sizeof buf), spans[i].text);
        }
        t = (PlanProperty) { .name = "CPUQuotaPeriodUSec", .signature = "t", .t = 10 * USEC_PER_MSEC };
        ASSERT_STREQ(plan_property_value(&t, buf, sizeof buf), "10ms");
}

TEST(property_value_bytes) {
        PlanProperty m = { .name = "MemoryMax", .signature = "t" };
        static const struct {
                uint64_t bytes;
                const char *text;
        } sizes[] = {
                { UINT64_C(1) << 30, "1G" }, { UINT64_C(3) << 40, "3T" }, { 1536 * 1024, "1536K" },
                { 1000, "1000" }, { 0, "0" }, { UINT64_MAX, "infinity" }, { UINT64_C(1) << 62, "4E" },
        };
        char buf[32];

        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                m.t = sizes[i].bytes;
                ASSERT_STREQ(plan_property_value(&m, buf, sizeof buf), sizes[i].text);
        }
        m = (PlanProperty) { .name = "MemorySwapMax", .signature = "t", .t = 64 << 20 };
        ASSERT_STREQ(plan_property_value(&m, buf, sizeof buf), "64M");
}
