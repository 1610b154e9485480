/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which controllers a plan's limits need, and whether a cgroup has them: the
 * check behind "MemoryMax=: systemd has no memory controller for ...", from
 * sample /proc/PID/cgroup text of each layout. */

#include "cgroup-limits.h"
#include "test.h"

static const char *leaf = "cell-web.scope";

static PlanLimits no_limits(void) {
        return (PlanLimits) { .cpu_quota_per_sec_usec = USEC_INFINITY };
}

static PlanLimits all_limits(void) {
        static uint8_t cpus[1] = { 0x01 };
        PlanLimits l = no_limits();
        l.memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 64 << 20 };
        l.cpu_quota_per_sec_usec = 500000;
        l.io_weight = 300;
        l.allowed_cpus = cpus;
        l.allowed_cpus_size = sizeof cpus;
        l.tasks_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 32 };
        return l;
}

/* The first unmet need's controller for a /proc/PID/cgroup text, or NULL. */
static const char *unmet(const PlanLimits *l, const char *proc_cgroup, const char *v2_controllers) {
        CgroupNeed needs[CG_NEEDS_MAX];
        size_t n_needs = cg_limits_needs(l, needs);
        CgroupMembership *m = NULL;
        size_t n = 0;

        ASSERT_OK(cg_parse_proc_cgroup(proc_cgroup, &m, &n));
        const CgroupNeed *u = cg_limits_unmet(needs, n_needs, m, n, leaf, v2_controllers);
        cg_membership_free(m, n);
        return u ? u->controller : NULL;
}

TEST(needs_none) {
        PlanLimits l = no_limits();
        CgroupNeed needs[CG_NEEDS_MAX];

        ASSERT_EQ(cg_limits_needs(&l, needs), 0);
        ASSERT_NULL(unmet(&l, "0::/machine.slice/cell-web.scope\n", NULL));
}

TEST(needs_every_controller_in_order) {
        PlanLimits l = all_limits();
        CgroupNeed needs[CG_NEEDS_MAX];

        ASSERT_EQ(cg_limits_needs(&l, needs), 5);
        ASSERT_STREQ(needs[0].controller, "cpuset");
        ASSERT_STREQ(needs[0].key, "AllowedCPUs");
        ASSERT_STREQ(needs[1].controller, "cpu");
        ASSERT_STREQ(needs[1].key, "CPUQuota");
        ASSERT_STREQ(needs[2].controller, "io");
        ASSERT_STREQ(needs[2].v1, "blkio");
        ASSERT_TRUE(needs[2].optional_v1);
        ASSERT_STREQ(needs[3].controller, "memory");
        ASSERT_STREQ(needs[3].key, "MemoryMax");
        ASSERT_STREQ(needs[4].controller, "pids");
        ASSERT_STREQ(needs[4].key, "TasksMax");
}

TEST(needs_name_the_key_that_asks) {
        PlanLimits l = no_limits();
        CgroupNeed needs[CG_NEEDS_MAX];

        l.memory_swap_max = (CellLimit) { .kind = CELL_LIMIT_VALUE };
        l.cpu_weight = 200;
        ASSERT_EQ(cg_limits_needs(&l, needs), 2);
        ASSERT_STREQ(needs[0].key, "CPUWeight");
        ASSERT_STREQ(needs[1].key, "MemorySwapMax");

        /* infinity is a value too: both managers write "max" for it */
        l = no_limits();
        l.memory_high = (CellLimit) { .kind = CELL_LIMIT_INFINITY };
        ASSERT_EQ(cg_limits_needs(&l, needs), 1);
        ASSERT_STREQ(needs[0].key, "MemoryHigh");

        /* The protections need the memory controller, 0 (nothing
         * protected) too; CPUWeight=idle needs cpu. */
        l = no_limits();
        l.memory_low = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 0 };
        l.cpu_idle = true;
        ASSERT_EQ(cg_limits_needs(&l, needs), 2);
        ASSERT_STREQ(needs[0].controller, "cpu");
        ASSERT_STREQ(needs[0].key, "CPUWeight");
        ASSERT_STREQ(needs[1].controller, "memory");
        ASSERT_STREQ(needs[1].key, "MemoryLow");
        l.memory_min = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 100 };
        ASSERT_EQ(cg_limits_needs(&l, needs), 2);
        ASSERT_STREQ(needs[1].key, "MemoryMin");
        ASSERT_FALSE(needs[1].v2_only);
        /* MemoryMax= asks first. */
        l.memory_max = (CellLimit) { .kind = CELL_LIMIT_INFINITY };
        ASSERT_EQ(cg_limits_needs(&l, needs), 2);
        ASSERT_STREQ(needs[1].key, "MemoryMax");

        /* CPUQuotaPeriodSec= alone changes nothing (systemd applies its
         * default period without a quota): no controller for it. */
        l = no_limits();
        l.cpu_quota_period_set = true;
        l.cpu_quota_period_usec = 10000;
        ASSERT_EQ(cg_limits_needs(&l, needs), 0);
}

/* MemoryMin= and MemoryLow= have no cgroup1 twin, whichever manager. */
TEST(v2_only_keys) {
        PlanLimits l = no_limits();

        ASSERT_NULL(cg_limits_v2_only(&l));
        l.memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 64 << 20 };
        l.memory_high = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 32 << 20 };
        l.memory_swap_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 0 };
        l.cpu_idle = true;
        ASSERT_NULL(cg_limits_v2_only(&l));
        /* 0 and 0% protect nothing: the kernel's default, which v1 has too. */
        l.memory_low = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 0 };
        ASSERT_NULL(cg_limits_v2_only(&l));
        l.memory_min = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 0 };
        ASSERT_NULL(cg_limits_v2_only(&l));
        l.memory_low = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 1 };
        ASSERT_STREQ(cg_limits_v2_only(&l), "MemoryLow");
        l.memory_min = (CellLimit) { .kind = CELL_LIMIT_INFINITY };
        ASSERT_STREQ(cg_limits_v2_only(&l), "MemoryMin");
}

TEST(unmet_v2) {
        PlanLimits l = all_limits();
        const char *in_scope = "0::/machine.slice/cell-web.scope\n";

        ASSERT_NULL(unmet(&l, in_scope, "cpuset cpu io memory pids\n"));
        ASSERT_STREQ(unmet(&l, in_scope, "cpuset cpu io pids\n"), "memory");
        /* words, not substrings: "cpuset" is no "cpu" */
        ASSERT_STREQ(unmet(&l, in_scope, "cpuset io memory pids\n"), "cpu");
        ASSERT_STREQ(unmet(&l, in_scope, "\n"), "cpuset");
        ASSERT_STREQ(unmet(&l, in_scope, NULL), "cpuset");
        /* the controllers of a cgroup that is not the scope's do not count */
        ASSERT_STREQ(unmet(&l, "0::/user.slice/session-1.scope\n", "cpuset cpu io memory pids\n"), "cpuset");
        /* io has no excuse on cgroup2 */
        ASSERT_STREQ(unmet(&l, in_scope, "cpuset cpu memory pids"), "io");
}

TEST(unmet_v2_beside_v1_hierarchies_elsewhere) {
        /* A cgroup2 systemd on a host that mounts v1 hierarchies (this machine's
         * sealed v2): the kernel lists them, but not at the scope. */
        PlanLimits l = all_limits();
        const char *text =
                "8:pids:/\n"
                "4:memory:/process_api/e55aecd6\n"
                "3:cpuset:/\n"
                "2:cpu,cpuacct:/\n"
                "1:blkio:/\n"
                "0::/machine.slice/cell-web.scope\n";

        ASSERT_STREQ(unmet(&l, text, ""), "cpuset");
        l.allowed_cpus = NULL;
        ASSERT_STREQ(unmet(&l, text, ""), "cpu");
        l.cpu_quota_per_sec_usec = USEC_INFINITY;
        ASSERT_STREQ(unmet(&l, text, ""), "io");
        ASSERT_NULL(unmet(&l, text, "io memory pids"));
}

TEST(unmet_hybrid) {
        /* systemd on a hybrid host: the scope in the v1 hierarchies it manages,
         * not in cpuset (systemd has none on v1), blkio not mounted. */
        PlanLimits l = all_limits();
        const char *text =
                "9:name=systemd:/machine.slice/cell-web.scope\n"
                "8:pids:/machine.slice/cell-web.scope\n"
                "4:memory:/machine.slice/cell-web.scope\n"
                "3:cpuset:/\n"
                "2:cpu,cpuacct:/machine.slice/cell-web.scope\n"
                "1:blkio:/\n"
                "0::/machine.slice/cell-web.scope\n";

        ASSERT_STREQ(unmet(&l, text, ""), "cpuset");
        l.allowed_cpus = NULL;
        /* cpu from "cpu,cpuacct"; io skipped where v1 holds the limits (as both managers do) */
        ASSERT_NULL(unmet(&l, text, ""));
}

/* systemd enforces MemoryHigh= and MemorySwapMax= on cgroup2 alone: on a
 * hybrid host its scope sits in v1's memory hierarchy, which holds only
 * MemoryMax= there; the cgroupfs manager writes their v1 twins itself. */
static const char *unmet_systemd(const PlanLimits *l, const char *proc_cgroup, const char *v2_controllers,
                                 const char **ret_key) {
        CgroupNeed needs[CG_NEEDS_MAX];
        size_t n_needs = cg_limits_needs(l, needs);
        CgroupMembership *m = NULL;
        size_t n = 0;

        n_needs = cg_limits_needs_systemd(l, needs, n_needs);
        ASSERT_OK(cg_parse_proc_cgroup(proc_cgroup, &m, &n));
        const CgroupNeed *u = cg_limits_unmet(needs, n_needs, m, n, leaf, v2_controllers);
        cg_membership_free(m, n);
        *ret_key = u ? u->key : NULL;
        return u ? u->controller : NULL;
}

TEST(unmet_memory_high_needs_cgroup2_with_systemd) {
        const char *hybrid =
                "9:name=systemd:/machine.slice/cell-web.scope\n"
                "4:memory:/machine.slice/cell-web.scope\n"
                "0::/machine.slice/cell-web.scope\n";
        const char *v2 = "0::/machine.slice/cell-web.scope\n";
        PlanLimits l = no_limits();
        const char *key = NULL;

        l.memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 64 << 20 };
        ASSERT_NULL(unmet_systemd(&l, hybrid, "", &key));
        l.memory_high = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 16 << 20 };
        ASSERT_STREQ(unmet_systemd(&l, hybrid, "", &key), "memory");
        ASSERT_STREQ(key, "MemoryHigh");
        /* the cgroupfs manager: v1's memory hierarchy holds it (soft limit) */
        ASSERT_NULL(unmet(&l, hybrid, ""));
        /* cgroup2 with the controller: met */
        ASSERT_NULL(unmet_systemd(&l, v2, "cpu memory pids", &key));
        l.memory_high = (CellLimit) {};
        l.memory_swap_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 0 };
        ASSERT_STREQ(unmet_systemd(&l, hybrid, "", &key), "memory");
        ASSERT_STREQ(key, "MemorySwapMax");

        /* MemoryMin= and MemoryLow=: systemd writes nothing for them on v1
         * (it showed MemoryMin=infinity with memory.soft_limit_in_bytes
         * untouched), so cgroup2 only, whoever asks first. */
        l.memory_swap_max = (CellLimit) {};
        l.memory_min = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 16 << 20 };
        ASSERT_STREQ(unmet_systemd(&l, hybrid, "", &key), "memory");
        ASSERT_STREQ(key, "MemoryMin");
        ASSERT_NULL(unmet_systemd(&l, v2, "memory", &key));
        l.memory_min = (CellLimit) {};
        l.memory_low = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 1 };
        ASSERT_STREQ(unmet_systemd(&l, hybrid, "", &key), "memory");
        ASSERT_STREQ(key, "MemoryLow");
        ASSERT_NULL(unmet_systemd(&l, v2, "cpu memory", &key));
        /* MemoryLow=0% and MemoryMin=0 protect nothing, which is all v1 has:
         * met on the hybrid layout (systemd ignores them there), with or
         * without MemoryMax=; cgroup2 still needs its controller to write 0. */
        l.memory_max = (CellLimit) {};
        l.memory_low = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 0 };
        l.memory_min = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 0 };
        ASSERT_NULL(unmet_systemd(&l, hybrid, "", &key));
        ASSERT_NULL(unmet(&l, hybrid, ""));
        ASSERT_NULL(unmet_systemd(&l, "9:name=systemd:/machine.slice/cell-web.scope\n"
                                  "7:pids:/machine.slice/cell-web.scope\n" "0::/machine.slice/cell-web.scope\n",
                                  "", &key));
        ASSERT_STREQ(unmet_systemd(&l, v2, "cpu", &key), "memory");
        ASSERT_STREQ(key, "MemoryMin");
        ASSERT_NULL(unmet_systemd(&l, v2, "cpu memory", &key));
        l.memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 64 << 20 };
        ASSERT_NULL(unmet_systemd(&l, hybrid, "", &key));
        l.memory_max = (CellLimit) {};
        l.memory_low = (CellLimit) {};
        l.memory_min = (CellLimit) {};

        /* CPUWeight=idle: v1's cpu hierarchy holds it (the minimum shares). */
        l = no_limits();
        l.cpu_idle = true;
        ASSERT_NULL(unmet_systemd(&l, "5:cpu,cpuacct:/machine.slice/cell-web.scope\n" "0::/machine.slice/cell-web.scope\n",
                                  "", &key));
        ASSERT_STREQ(unmet_systemd(&l, hybrid, "", &key), "cpu");
        ASSERT_STREQ(key, "CPUWeight");
}

/* AllowedMemoryNodes= needs cpuset as AllowedCPUs= does, with either
 * manager. The Startup*= keys only with systemd, which applies them while the
 * system starts up or shuts down (the cgroupfs manager never does): each
 * adds its controller where no normal key asked, in order, the normal key
 * named where both ask. */
TEST(needs_memory_nodes_and_startup) {
        static uint8_t one[1] = { 0x01 };
        const char *hybrid =
                "9:name=systemd:/machine.slice/cell-web.scope\n"
                "6:cpu,cpuacct:/machine.slice/cell-web.scope\n"
                "4:memory:/machine.slice/cell-web.scope\n"
                "0::/machine.slice/cell-web.scope\n";
        PlanLimits l = no_limits();
        CgroupNeed needs[CG_NEEDS_MAX];
        const char *key = NULL;
        size_t n;

        l.allowed_memory_nodes = one;
        l.allowed_memory_nodes_size = sizeof one;
        ASSERT_EQ(cg_limits_needs(&l, needs), 1);
        ASSERT_STREQ(needs[0].controller, "cpuset");
        ASSERT_STREQ(needs[0].key, "AllowedMemoryNodes");
        ASSERT_STREQ(unmet_systemd(&l, hybrid, "", &key), "cpuset");
        ASSERT_STREQ(key, "AllowedMemoryNodes");
        ASSERT_NULL(unmet_systemd(&l, "0::/machine.slice/cell-web.scope\n", "cpuset cpu", &key));
        l.allowed_cpus = one;
        l.allowed_cpus_size = sizeof one;
        ASSERT_EQ(cg_limits_needs(&l, needs), 1);
        ASSERT_STREQ(needs[0].key, "AllowedCPUs");

        /* Startup*= alone: nothing for the cgroupfs manager, all for systemd. */
        l = no_limits();
        l.memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 64 << 20 };
        l.startup_cpu_idle = true;
        l.startup_io_weight = 50;
        l.startup_allowed_memory_nodes = one;
        l.startup_allowed_memory_nodes_size = sizeof one;
        n = cg_limits_needs(&l, needs);
        ASSERT_EQ(n, 1);
        ASSERT_STREQ(needs[0].key, "MemoryMax");
        ASSERT_EQ(cg_limits_needs_systemd(&l, needs, n), 4);
        ASSERT_STREQ(needs[0].controller, "cpuset");
        ASSERT_STREQ(needs[0].key, "StartupAllowedMemoryNodes");
        ASSERT_STREQ(needs[1].controller, "cpu");
        ASSERT_STREQ(needs[1].key, "StartupCPUWeight");
        ASSERT_STREQ(needs[2].controller, "io");
        ASSERT_STREQ(needs[2].key, "StartupIOWeight");
        ASSERT_TRUE(needs[2].optional_v1);      /* a weight, as IOWeight= */
        ASSERT_STREQ(needs[3].key, "MemoryMax");
        /* systemd has no cpuset on v1: refused there, as AllowedCPUs= is. */
        ASSERT_STREQ(unmet_systemd(&l, hybrid, "", &key), "cpuset");
        ASSERT_STREQ(key, "StartupAllowedMemoryNodes");
        l.startup_allowed_memory_nodes = NULL;
        l.startup_allowed_cpus = one;
        l.startup_allowed_cpus_size = sizeof one;
        ASSERT_STREQ(unmet_systemd(&l, hybrid, "", &key), "cpuset");
        ASSERT_STREQ(key, "StartupAllowedCPUs");
        /* ... and StartupCPUWeight= is met by v1's cpu hierarchy, the weight by v1 too. */
        l.startup_allowed_cpus = NULL;
        ASSERT_NULL(unmet_systemd(&l, hybrid, "", &key));
        ASSERT_STREQ(unmet_systemd(&l, "0::/machine.slice/cell-web.scope\n", "memory io", &key), "cpu");
        ASSERT_STREQ(key, "StartupCPUWeight");

        /* Where a normal key asks for the controller too, it is named. */
        l = no_limits();
        l.cpu_weight = 10;
        l.startup_cpu_weight = 20;
        l.tasks_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 5 };
        n = cg_limits_needs(&l, needs);
        ASSERT_EQ(cg_limits_needs_systemd(&l, needs, n), 2);
        ASSERT_STREQ(needs[0].key, "CPUWeight");
        ASSERT_STREQ(needs[1].key, "TasksMax");
}

TEST(unmet_named_hierarchy_is_not_v1_limits) {
        /* Only name=systemd at the scope: v1 does not hold its limits, io is required. */
        PlanLimits l = no_limits();
        l.io_weight = 100;
        const char *text =
                "9:name=systemd:/machine.slice/cell-web.scope\n"
                "0::/machine.slice/cell-web.scope\n";

        ASSERT_STREQ(unmet(&l, text, "memory pids"), "io");
        ASSERT_NULL(unmet(&l, text, "io"));
}

TEST(unmet_leaf_is_a_whole_component) {
        PlanLimits l = no_limits();
        l.tasks_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 10 };

        ASSERT_NULL(unmet(&l, "8:pids:/machine.slice/cell-web.scope\n0::/\n", NULL));
        ASSERT_STREQ(unmet(&l, "8:pids:/machine.slice/xcell-web.scope\n0::/\n", NULL), "pids");
        ASSERT_STREQ(unmet(&l, "8:pids:/machine.slice/cell-web.scope/payload\n0::/\n", NULL), "pids");
}

/* The IO per-device limits: throttles need the controller even where v1 holds
 * the limits (blkio has them), a latency target needs cgroup2's, and with
 * systemd on v1 the IOPS limits too (it turns only bandwidths into blkio's). */
TEST(needs_io_devices) {
        const char *hybrid_blkio =
                "9:name=systemd:/machine.slice/cell-web.scope\n"
                "4:memory:/machine.slice/cell-web.scope\n"
                "1:blkio:/machine.slice/cell-web.scope\n"
                "0::/machine.slice/cell-web.scope\n";
        const char *hybrid_no_blkio =
                "9:name=systemd:/machine.slice/cell-web.scope\n"
                "4:memory:/machine.slice/cell-web.scope\n"
                "1:blkio:/\n"
                "0::/machine.slice/cell-web.scope\n";
        const char *v2 = "0::/machine.slice/cell-web.scope\n";
        CellIODevice d[2] = {
                { .kind = CELL_IO_DEVICE_WEIGHT, .path = (char *) "/dev/vda", .value = 100 },
                { .kind = CELL_IO_WRITE_BPS, .path = (char *) "/dev/vda", .value = 1000 },
        };
        PlanLimits l = no_limits();
        CgroupNeed needs[CG_NEEDS_MAX];
        const char *key = NULL;

        /* A weight alone: skipped where v1 holds the limits, as IOWeight=. */
        l.io_devices = d;
        l.n_io_devices = 1;
        ASSERT_FALSE(cg_limits_io_required(&l));
        ASSERT_EQ(cg_limits_needs(&l, needs), 1);
        ASSERT_STREQ(needs[0].key, "IODeviceWeight");
        ASSERT_TRUE(needs[0].optional_v1);
        ASSERT_NULL(unmet(&l, hybrid_no_blkio, ""));

        /* A throttle: blkio must hold the scope. */
        l.n_io_devices = 2;
        ASSERT_TRUE(cg_limits_io_required(&l));
        ASSERT_EQ(cg_limits_needs(&l, needs), 1);
        ASSERT_STREQ(needs[0].key, "IOWriteBandwidthMax");
        ASSERT_FALSE(needs[0].optional_v1);
        ASSERT_STREQ(unmet(&l, hybrid_no_blkio, ""), "io");
        ASSERT_NULL(unmet(&l, hybrid_blkio, ""));
        ASSERT_NULL(unmet_systemd(&l, hybrid_blkio, "", &key));
        ASSERT_NULL(unmet(&l, v2, "io memory"));
        ASSERT_STREQ(unmet(&l, v2, "memory"), "io");

        /* IOPS: blkio for the cgroupfs manager, cgroup2 for systemd's scope. */
        d[1].kind = CELL_IO_READ_IOPS;
        ASSERT_NULL(unmet(&l, hybrid_blkio, ""));
        ASSERT_STREQ(unmet_systemd(&l, hybrid_blkio, "", &key), "io");
        ASSERT_STREQ(key, "IOReadIOPSMax");
        ASSERT_NULL(unmet_systemd(&l, v2, "io", &key));

        /* A latency target: cgroup2 for both. */
        d[1].kind = CELL_IO_LATENCY;
        ASSERT_EQ(cg_limits_needs(&l, needs), 1);
        ASSERT_STREQ(needs[0].key, "IODeviceLatencyTargetSec");
        ASSERT_TRUE(needs[0].v2_only);
        ASSERT_STREQ(unmet(&l, hybrid_blkio, ""), "io");
        ASSERT_NULL(unmet(&l, v2, "io"));
}

/* What of a cpuset the kernel refused: the CPUs outside those it allows
 * there, named so that the start names the line they came from. */
TEST(cpuset_outside) {
        char *t = NULL;

        ASSERT_OK(cg_limits_cpuset_outside("0-1,7", "0-1\n", &t));
        ASSERT_STREQ(t, "7");
        t = mfree(t);
        ASSERT_OK(cg_limits_cpuset_outside("0-3,9,12-13", "1-2,13\n", &t));
        ASSERT_STREQ(t, "0,3,9,12");
        t = mfree(t);
        /* A v1 parent with no CPUs yet: every one. */
        ASSERT_OK(cg_limits_cpuset_outside("0-1", "\n", &t));
        ASSERT_STREQ(t, "0-1");
        t = mfree(t);
        ASSERT_OK(cg_limits_cpuset_outside("2", NULL, &t));
        ASSERT_STREQ(t, "2");
        t = mfree(t);
        /* All allowed: the kernel refused it for something else. */
        ASSERT_ERROR(cg_limits_cpuset_outside("0-1", "0-3\n", &t), ENOENT);
        ASSERT_ERROR(cg_limits_cpuset_outside("0", "x", &t), EINVAL);
        ASSERT_NULL(t);
}

TEST(cpuset_read_back) {
        /* cpuset.cpus of systemd's scope as the kernel shows it: the list
         * asked for, or empty where the kernel refused it and systemd went on. */
        ASSERT_TRUE(cg_limits_cpuset_is("0-1,3\n", "0-1,3"));
        ASSERT_TRUE(cg_limits_cpuset_is("5", "5"));
        ASSERT_FALSE(cg_limits_cpuset_is("\n", "5"));
        ASSERT_FALSE(cg_limits_cpuset_is("", "5"));
        ASSERT_FALSE(cg_limits_cpuset_is(NULL, "5"));
        ASSERT_FALSE(cg_limits_cpuset_is("0-1,3\n", "0-1"));
        ASSERT_FALSE(cg_limits_cpuset_is("0-1\n", "0-1,3"));
        ASSERT_FALSE(cg_limits_cpuset_is("1\n", ""));

        /* With a Startup*= list: systemd shows it while the system starts up or
         * shuts down, the normal one (or, without one, none) otherwise. */
        ASSERT_TRUE(cg_limits_cpuset_holds("0-1\n", "0-1", NULL));
        ASSERT_FALSE(cg_limits_cpuset_holds("\n", "0-1", NULL));
        ASSERT_TRUE(cg_limits_cpuset_holds("0-1\n", "0-1", "0"));
        ASSERT_TRUE(cg_limits_cpuset_holds("0\n", "0-1", "0"));
        ASSERT_FALSE(cg_limits_cpuset_holds("\n", "0-1", "0"));
        ASSERT_FALSE(cg_limits_cpuset_holds("2\n", "0-1", "0"));
        ASSERT_TRUE(cg_limits_cpuset_holds("0\n", NULL, "0"));
        ASSERT_TRUE(cg_limits_cpuset_holds("\n", NULL, "0"));
        ASSERT_TRUE(cg_limits_cpuset_holds("", NULL, "0"));
        ASSERT_FALSE(cg_limits_cpuset_holds("1\n", NULL, "0"));
        ASSERT_FALSE(cg_limits_cpuset_holds(NULL, NULL, "0"));
        ASSERT_TRUE(cg_limits_cpuset_holds(NULL, NULL, NULL));
}

/* /proc/swaps: swap is on where a line follows the header. A MemorySwapMax=
 * where the kernel accounts no swap to cgroups was dropped without a word. */
TEST(swap_on) {
        ASSERT_FALSE(cg_limits_swap_on(NULL));
        ASSERT_FALSE(cg_limits_swap_on(""));
        ASSERT_FALSE(cg_limits_swap_on("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"));
        ASSERT_FALSE(cg_limits_swap_on("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n\n"));
        ASSERT_FALSE(cg_limits_swap_on("Filename Type Size Used Priority"));
        ASSERT_TRUE(cg_limits_swap_on("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                                      "/dev/zram0                              partition\t4194300\t\t0\t\t100\n"));
}

/* cgroup2 runs a cpuset with none of its parent's effective CPUs on the
 * parent's: told by the lists sharing none. It went unnoticed. */
TEST(cpuset_disjoint) {
        ASSERT_TRUE(cg_limits_cpuset_disjoint("1", "0"));
        ASSERT_TRUE(cg_limits_cpuset_disjoint("2-3,8", "0-1,4-7"));
        ASSERT_FALSE(cg_limits_cpuset_disjoint("1-3", "0-1"));
        ASSERT_FALSE(cg_limits_cpuset_disjoint("0", "0"));
        ASSERT_FALSE(cg_limits_cpuset_disjoint("9", "0-1,9"));
        /* Nothing to tell: an empty or missing effective list, or no list to want. */
        ASSERT_FALSE(cg_limits_cpuset_disjoint("1", ""));
        ASSERT_FALSE(cg_limits_cpuset_disjoint("1", "\n"));
        ASSERT_FALSE(cg_limits_cpuset_disjoint("1", NULL));
        ASSERT_FALSE(cg_limits_cpuset_disjoint("x", "0"));
}

/* The period systemd takes instead of the unit's (cgroup_cpu_adjust_period_and_log:
 * 1ms..1s, and 1ms of CPU time in each), which the cgroupfs manager says at the
 * start as systemd warns; 0 where the unit gets what it asks for. */
TEST(cpu_period_adjusted) {
        PlanLimits l = no_limits();

        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), 0);
        /* A period without a quota: systemd writes the default, and says nothing. */
        l.cpu_quota_period_set = true;
        l.cpu_quota_period_usec = 5 * USEC_PER_SEC;
        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), 0);
        l.cpu_quota_per_sec_usec = 500000;
        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), USEC_PER_SEC);
        /* 0: 1ms at least, and 2ms for 1ms of CPU time at 50%. */
        l.cpu_quota_period_usec = 0;
        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), 2 * USEC_PER_MSEC);
        l.cpu_quota_period_usec = 20 * USEC_PER_MSEC;
        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), 0);
        l.cpu_quota_period_usec = USEC_PER_SEC;
        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), 0);
        /* CPUQuota=0.5% in the default period: 200ms, for 1ms of CPU time in each. */
        l.cpu_quota_period_set = false;
        l.cpu_quota_per_sec_usec = 5000;
        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), 200 * USEC_PER_MSEC);
        /* ... and in one of 10ms asked for. */
        l.cpu_quota_period_set = true;
        l.cpu_quota_period_usec = 10 * USEC_PER_MSEC;
        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), 200 * USEC_PER_MSEC);
        l.cpu_quota_per_sec_usec = 100000;
        ASSERT_EQ_U64(cg_limits_cpu_period_adjusted(&l), 0);
}
