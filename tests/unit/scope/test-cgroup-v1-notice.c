/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What "cell verify" and "cell plan" warn of on a host whose controllers are
 * cgroup v1 ones, and what the start says there: with a systemd scope of IO
 * weights, with either manager of CPUWeight=idle (src/scope/cgroup-v1-notice.c):
 * from sample mountinfo of each layout, and blkio hierarchies faked in a
 * temporary directory. */

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-v1-notice.h"
#include "strv.h"
#include "test.h"

static const char *mountinfo_hybrid =
        "31 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:28 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
        "34 31 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "35 31 0:30 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "36 31 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";
/* The same without a blkio hierarchy (not mounted, or no such controller). */
static const char *mountinfo_no_blkio =
        "31 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "34 31 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "35 31 0:30 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "36 31 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";
static const char *mountinfo_v2 =
        "26 21 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

static uint8_t cpu0[1] = { 0x01 };
static CellIODevice io_devices[] = {
        { .kind = CELL_IO_DEVICE_WEIGHT, .path = (char *) "/dev/vda", .value = 200, .file = (char *) "/etc/cell/w.cell",
          .line = 12 },
        { .kind = CELL_IO_LATENCY, .path = (char *) "/dev/vdb", .value = 25000, .file = (char *) "/etc/cell/w.cell",
          .line = 13 },
        { .kind = CELL_IO_READ_IOPS, .path = (char *) "/dev/vdc", .value = 1000, .file = (char *) "/etc/cell/w.cell",
          .line = 14 },
};

/* Every key a v1 host refuses or leaves unapplied with one manager or the other. */
static PlanLimits v1_limits(void) {
        return (PlanLimits) {
                .cpu_quota_per_sec_usec = USEC_INFINITY,
                .memory_min = { .kind = CELL_LIMIT_VALUE, .value = 10 << 20 },
                .memory_low = { .kind = CELL_LIMIT_VALUE, .value = 10 << 20 },
                .memory_high = { .kind = CELL_LIMIT_VALUE, .value = 32 << 20 },
                .memory_swap_max = { .kind = CELL_LIMIT_VALUE, .value = 32 << 20 },
                .cpu_idle = true,
                .startup_cpu_idle = true,
                .io_weight = 300,
                .startup_io_weight = 10,
                .allowed_cpus = cpu0, .allowed_cpus_size = 1,
                .startup_allowed_memory_nodes = cpu0, .startup_allowed_memory_nodes_size = 1,
                .io_devices = io_devices, .n_io_devices = ELEMENTSOF(io_devices),
        };
}

static char **notices(const char *mountinfo, const PlanLimits *l, CgroupManager m, int weights, CgroupV1NoticeSet set) {
        CgroupMount *mounts = NULL;
        size_t n = 0;
        char **r = NULL;

        ASSERT_OK(cg_parse_mountinfo(mountinfo, &mounts, &n));
        ASSERT_OK(cg_v1_notices(l, &(CgroupV1Host) { mounts, n, m, weights }, set, &r));
        cg_mount_free(mounts, n);
        return r;
}

/* A plan's notices on the hybrid host of mountinfo_hybrid. */
static char **plan_notices(const Plan *p, CgroupManager m, int weights, CgroupV1NoticeSet set, const char *kind) {
        CgroupMount *mounts = NULL;
        size_t n = 0;
        char **r = NULL;

        ASSERT_OK(cg_parse_mountinfo(mountinfo_hybrid, &mounts, &n));
        ASSERT_OK(cg_v1_plan_notices(p, &(CgroupV1Host) { mounts, n, m, weights }, set, kind, &r));
        cg_mount_free(mounts, n);
        return r;
}

/* The notice of n that begins with prefix, or NULL. */
static const char *find_prefix(char **n, const char *prefix) {
        for (size_t i = 0; n && n[i]; i++)
                if (startswith(n[i], prefix))
                        return n[i];
        return NULL;
}

static void assert_keys(char **n, const char * const *want) {
        size_t i = 0;

        for (; want[i]; i++) {
                ASSERT_NOT_NULL(n);
                ASSERT_NOT_NULL(n[i]);
                if (strncmp(n[i], want[i], strlen(want[i])) != 0)
                        TEST_FAIL("notice %zu: \"%s\", expected it to begin \"%s\"", i, n[i], want[i]);
        }
        if (n && n[i])
                TEST_FAIL("one notice more than expected: \"%s\"", n[i]);
}

TEST(hybrid_systemd) {
        PlanLimits l = v1_limits();
        char **n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_SYSTEMD, 0, CG_V1_NOTICE_ALL);

        assert_keys(n, (const char * const[]) {
                "MemoryMin=: refused on this host", "MemoryLow=: refused on this host",
                "MemoryHigh=: refused on this host: systemd sets it on cgroup2 only",
                "MemorySwapMax=: refused on this host: systemd sets it on cgroup2 only",
                "CPUWeight=idle: not applied as idle", "StartupCPUWeight=idle: not applied as idle",
                "IODeviceLatencyTargetSec=/dev/vdb: refused on this host",
                "IOReadIOPSMax=/dev/vdc: refused on this host: systemd sets it on cgroup2 only",
                "IOWeight=300: not applied on this host", "IODeviceWeight=/dev/vda: not applied on this host",
                "StartupIOWeight=10: not applied on this host",
                "AllowedCPUs=: refused on this host: systemd 252 has no cpuset controller on cgroup v1",
                "StartupAllowedMemoryNodes=: refused on this host", NULL });
        ASSERT_CONTAINS(n[0], "\"cell run\" fails here");
        ASSERT_CONTAINS(n[8], "(systemd says so in its debug log only)");
        strv_free(n);
}

TEST(hybrid_cgroupfs) {
        PlanLimits l = v1_limits();
        char **n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_CGROUPFS, 0, CG_V1_NOTICE_ALL);

        /* No IOPS, cpuset or Startup*= notice: the cgroupfs manager writes the
         * first two on v1, and says of the last at the start on any host. */
        assert_keys(n, (const char * const[]) {
                "MemoryMin=: refused on this host", "MemoryLow=: refused on this host",
                "MemoryHigh=: not applied as a throttling threshold",
                "MemorySwapMax=: refused on this host: cgroup v1 limits swap only together with memory",
                "CPUWeight=idle: not applied as idle",
                "IODeviceLatencyTargetSec=/dev/vdb: refused on this host",
                "IOWeight=300: not applied on this host", "IODeviceWeight=/dev/vda: not applied on this host",
                NULL });
        ASSERT_CONTAINS(n[3], "unless MemoryMax= is set too");
        ASSERT_NULL(strstr(n[6], "debug log"));
        strv_free(n);

        /* With a finite MemoryMax=, memsw holds the swap limit. */
        l.memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 64 << 20 };
        n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_CGROUPFS, 1, CG_V1_NOTICE_ALL);
        for (size_t i = 0; n && n[i]; i++)
                ASSERT_NULL(strstr(n[i], "MemorySwapMax"));
        strv_free(n);
}

/* MemoryMin=0, MemoryLow=0% and a latency target of infinity ask for the
 * kernel's default, which is all v1 has: nothing to warn of, with or without
 * a blkio hierarchy, whichever manager (systemd ignores them on v1). */
TEST(kernel_defaults_not_refused) {
        CellIODevice none[] = {
                { .kind = CELL_IO_LATENCY, .path = (char *) "/dev/vdb", .value = USEC_INFINITY,
                  .file = (char *) "/etc/cell/w.cell", .line = 13 },
        };
        PlanLimits l = {
                .cpu_quota_per_sec_usec = USEC_INFINITY,
                .memory_min = { .kind = CELL_LIMIT_VALUE, .value = 0 },
                .memory_low = { .kind = CELL_LIMIT_PERCENT, .permyriad = 0 },
                .io_devices = none, .n_io_devices = ELEMENTSOF(none),
        };
        const char *layouts[] = { mountinfo_hybrid, mountinfo_no_blkio };

        for (size_t i = 0; i < ELEMENTSOF(layouts); i++) {
                ASSERT_NULL(notices(layouts[i], &l, CGROUP_MANAGER_SYSTEMD, 1, CG_V1_NOTICE_ALL));
                ASSERT_NULL(notices(layouts[i], &l, CGROUP_MANAGER_CGROUPFS, 1, CG_V1_NOTICE_ALL));
        }
        /* 1 byte protected is refused as any protection */
        l.memory_low.permyriad = 1;
        char **n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_CGROUPFS, 1, CG_V1_NOTICE_ALL);
        assert_keys(n, (const char * const[]) { "MemoryLow=: refused on this host", NULL });
        strv_free(n);
}

TEST(weights_held_or_unknown) {
        PlanLimits l = v1_limits();

        for (int w = -1; w <= 1; w += 2) {
                char **n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_SYSTEMD, w, CG_V1_NOTICE_ALL);
                for (size_t i = 0; n && n[i]; i++)
                        ASSERT_NULL(strstr(n[i], "Weight=3") ?: strstr(n[i], "IODeviceWeight"));
                strv_free(n);
        }
}

/* What the start with a systemd scope adds: the weights alone. */
TEST(io_weights_set) {
        PlanLimits l = v1_limits();
        char **n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_SYSTEMD, 0, CG_V1_NOTICE_IO_WEIGHTS);

        assert_keys(n, (const char * const[]) { "IOWeight=300: not applied", "IODeviceWeight=/dev/vda: not applied",
                                                "StartupIOWeight=10: not applied", NULL });
        strv_free(n);
}

/* No blkio hierarchy at all: the weights are not applied either, whether
 * the host's blkio would weigh IO or not; systemd says nothing of them. */
TEST(io_weights_no_blkio) {
        PlanLimits l = v1_limits();
        l.n_io_devices = 1;             /* the weight alone: the others are refused with a blkio hierarchy */

        for (int w = -1; w <= 1; w++) {
                char **n = notices(mountinfo_no_blkio, &l, CGROUP_MANAGER_SYSTEMD, w, CG_V1_NOTICE_IO_WEIGHTS);
                assert_keys(n, (const char * const[]) { "IOWeight=300: not applied on this host",
                                                        "IODeviceWeight=/dev/vda: not applied on this host",
                                                        "StartupIOWeight=10: not applied on this host", NULL });
                ASSERT_STREQ(n[0], "IOWeight=300: not applied on this host: its cgroup controllers are v1 ones, "
                             "and no blkio hierarchy (cgroup v1's io controller) is mounted (systemd says nothing "
                             "of it)");
                strv_free(n);
        }

        /* verify's whole set, with either manager; the cgroupfs manager's
         * start says it itself, and applies no Startup*= key. */
        char **n = notices(mountinfo_no_blkio, &l, CGROUP_MANAGER_SYSTEMD, 1, CG_V1_NOTICE_ALL);
        ASSERT_NOT_NULL(find_prefix(n, "IODeviceWeight=/dev/vda: not applied on this host: its cgroup "
                                             "controllers are v1 ones"));
        ASSERT_NOT_NULL(find_prefix(n, "StartupIOWeight=10: not applied"));
        strv_free(n);
        n = notices(mountinfo_no_blkio, &l, CGROUP_MANAGER_CGROUPFS, 1, CG_V1_NOTICE_ALL);
        ASSERT_NOT_NULL(find_prefix(n, "IOWeight=300: not applied on this host: its cgroup controllers"));
        ASSERT_NULL(find_prefix(n, "StartupIOWeight"));
        ASSERT_NULL(strstr(find_prefix(n, "IOWeight=300"), "systemd"));
        strv_free(n);
}

/* No blkio hierarchy: the throttles and the latency target are refused by
 * "cell run" with either manager, each said at its own line, as the weights
 * are; the start's IO weight set names none of them. */
TEST(io_throttles_no_blkio) {
        CellIODevice d[] = {
                io_devices[0], io_devices[1], io_devices[2],
                { .kind = CELL_IO_WRITE_BPS, .path = (char *) "/dev/vdd", .value = 1 << 20,
                  .file = (char *) "/etc/cell/w.cell", .line = 15 },
        };
        PlanLimits l = { .cpu_quota_per_sec_usec = USEC_INFINITY, .io_devices = d, .n_io_devices = ELEMENTSOF(d) };
        Plan p = { .unit_path = (char *) "/etc/cell/w.cell", .limits = l };
        const CgroupManager managers[] = { CGROUP_MANAGER_SYSTEMD, CGROUP_MANAGER_CGROUPFS };
        CgroupMount *mounts = NULL;
        size_t nm = 0;

        ASSERT_OK(cg_parse_mountinfo(mountinfo_no_blkio, &mounts, &nm));
        for (size_t i = 0; i < ELEMENTSOF(managers); i++) {
                char **n = notices(mountinfo_no_blkio, &l, managers[i], 1, CG_V1_NOTICE_ALL);

                assert_keys(n, (const char * const[]) {
                        "IODeviceLatencyTargetSec=/dev/vdb: refused on this host: its cgroup controllers are v1 "
                        "ones, and no blkio hierarchy",
                        "IOReadIOPSMax=/dev/vdc: refused on this host: its cgroup controllers are v1 ones, and no "
                        "blkio hierarchy",
                        "IOWriteBandwidthMax=/dev/vdd: refused on this host: its cgroup controllers are v1 ones",
                        "IODeviceWeight=/dev/vda: not applied on this host", NULL });
                ASSERT_CONTAINS(n[1], "\"cell run\" fails here");
                strv_free(n);

                ASSERT_OK(cg_v1_plan_notices(&p, &(CgroupV1Host) { mounts, nm, managers[i], 1 }, CG_V1_NOTICE_ALL,
                                             "warning: ", &n));
                /* in line order: the weight's line 12 first */
                ASSERT_TRUE(startswith(n[0], "/etc/cell/w.cell:12: warning: IODeviceWeight=/dev/vda: "));
                ASSERT_TRUE(startswith(n[1], "/etc/cell/w.cell:13: warning: IODeviceLatencyTargetSec=/dev/vdb: "));
                ASSERT_TRUE(startswith(n[2], "/etc/cell/w.cell:14: warning: IOReadIOPSMax=/dev/vdc: "));
                ASSERT_TRUE(startswith(n[3], "/etc/cell/w.cell:15: warning: IOWriteBandwidthMax=/dev/vdd: "));
                strv_free(n);

                n = notices(mountinfo_no_blkio, &l, managers[i], 1, CG_V1_NOTICE_IO_WEIGHTS);
                assert_keys(n, (const char * const[]) { "IODeviceWeight=/dev/vda: not applied", NULL });
                strv_free(n);
        }
        cg_mount_free(mounts, nm);
}

/* What the start adds of CPUWeight=idle: with a systemd scope the Startup*=
 * one too (the cgroupfs manager's start says of every Startup*= key). */
TEST(cpu_idle_set) {
        PlanLimits l = v1_limits();
        char **n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_SYSTEMD, 0, CG_V1_NOTICE_CPU_IDLE);

        assert_keys(n, (const char * const[]) { "CPUWeight=idle: not applied as idle on this host",
                                                "StartupCPUWeight=idle: not applied as idle on this host", NULL });
        ASSERT_CONTAINS(n[0], "(cpu.shares 2)");
        strv_free(n);
        n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_CGROUPFS, 0, CG_V1_NOTICE_CPU_IDLE);
        assert_keys(n, (const char * const[]) { "CPUWeight=idle: not applied as idle on this host", NULL });
        strv_free(n);

        ASSERT_NULL(notices(mountinfo_v2, &l, CGROUP_MANAGER_SYSTEMD, 0, CG_V1_NOTICE_CPU_IDLE));
        ASSERT_NULL(notices(mountinfo_v2, &l, CGROUP_MANAGER_CGROUPFS, 0, CG_V1_NOTICE_CPU_IDLE));
        l.cpu_idle = l.startup_cpu_idle = false;
        l.cpu_weight = 1;
        ASSERT_NULL(notices(mountinfo_hybrid, &l, CGROUP_MANAGER_SYSTEMD, 0, CG_V1_NOTICE_CPU_IDLE));
}

/* The start's words: each notice at its key's line, or the unit file's. */
TEST(plan_notices) {
        CellOrigin o = { .key = "CPUWeight", .file = (char *) "/etc/cell/w.cell", .line = 7 };
        Plan p = { .unit_path = (char *) "/etc/cell/w.cell", .origins = &o, .n_origins = 1,
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .cpu_idle = true, .startup_cpu_idle = true } };
        char **n;

        n = plan_notices(&p, CGROUP_MANAGER_SYSTEMD, 1, CG_V1_NOTICE_CPU_IDLE, "");
        ASSERT_STREQ(n[0], "/etc/cell/w.cell:7: CPUWeight=idle: not applied as idle on this host: its cpu controller "
                     "is a cgroup v1 one, which has no cpu.idle; the container gets the minimum weight instead "
                     "(cpu.shares 2), as systemd gives it");
        ASSERT_TRUE(startswith(n[1], "/etc/cell/w.cell: StartupCPUWeight=idle: not applied as idle"));
        strv_free(n);
}

/* "cell verify" says them in the unit's line order, as it says parse errors:
 * the unit's own lines, then each drop-in's; one without a line last. */
TEST(plan_notices_in_line_order) {
        static uint8_t cpus[1] = { 0x01 };
        CellIODevice io[] = {
                { .kind = CELL_IO_LATENCY, .path = (char *) "/dev/vdb", .value = 25000,
                  .file = (char *) "/etc/cell/w.cell", .line = 7 },
        };
        CellOrigin o[] = {
                { .key = "AllowedCPUs", .file = (char *) "/etc/cell/w.cell", .line = 3 },
                { .key = "CPUWeight", .file = (char *) "/etc/cell/w.cell", .line = 5 },
                { .key = "MemoryMin", .file = (char *) "/etc/cell/w.cell", .line = 9 },
                { .key = "IOWeight", .file = (char *) "/etc/cell/w.cell.d/io.conf", .line = 2 },
        };
        Plan p = { .unit_path = (char *) "/etc/cell/w.cell", .origins = o, .n_origins = ELEMENTSOF(o),
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .cpu_idle = true, .startup_cpu_idle = true,
                               .memory_min = { .kind = CELL_LIMIT_VALUE, .value = 1 << 20 }, .io_weight = 300,
                               .allowed_cpus = cpus, .allowed_cpus_size = sizeof cpus,
                               .io_devices = io, .n_io_devices = ELEMENTSOF(io) } };
        char **n;

        n = plan_notices(&p, CGROUP_MANAGER_SYSTEMD, 0, CG_V1_NOTICE_ALL, "warning: ");
        assert_keys(n, (const char * const[]) {
                "/etc/cell/w.cell:3: warning: AllowedCPUs=: refused",
                "/etc/cell/w.cell:5: warning: CPUWeight=idle: not applied",
                "/etc/cell/w.cell:7: warning: IODeviceLatencyTargetSec=/dev/vdb: refused",
                "/etc/cell/w.cell:9: warning: MemoryMin=: refused",
                "/etc/cell/w.cell.d/io.conf:2: warning: IOWeight=300: not applied",
                "/etc/cell/w.cell: warning: StartupCPUWeight=idle: not applied", NULL });
        strv_free(n);
}

/* A drop-in's name may hold what the origin's words hold (": ", " (and "):
 * its notice is at its place all the same, before those without a line. */
TEST(plan_notices_in_line_order_any_file_name) {
        CellOrigin o[] = {
                { .key = "CPUWeight", .file = (char *) "/etc/cell/w.cell", .line = 5 },
                { .key = "IOWeight", .file = (char *) "/etc/cell/w.cell.d/a: (and 2 more lines).conf", .line = 2 },
        };
        Plan p = { .unit_path = (char *) "/etc/cell/w.cell", .origins = o, .n_origins = ELEMENTSOF(o),
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .cpu_idle = true, .startup_cpu_idle = true,
                               .io_weight = 300 } };
        char **n;

        n = plan_notices(&p, CGROUP_MANAGER_SYSTEMD, 0, CG_V1_NOTICE_ALL, "warning: ");
        assert_keys(n, (const char * const[]) {
                "/etc/cell/w.cell:5: warning: CPUWeight=idle: not applied",
                "/etc/cell/w.cell.d/a: (and 2 more lines).conf:2: warning: IOWeight=300: not applied",
                "/etc/cell/w.cell: warning: StartupCPUWeight=idle: not applied", NULL });
        strv_free(n);
}

/* Nothing on a pure cgroup2 host, nor without a manager. */
TEST(nothing_on_v2) {
        PlanLimits l = v1_limits();

        ASSERT_NULL(notices(mountinfo_v2, &l, CGROUP_MANAGER_SYSTEMD, 0, CG_V1_NOTICE_ALL));
        ASSERT_NULL(notices(mountinfo_v2, &l, CGROUP_MANAGER_CGROUPFS, 0, CG_V1_NOTICE_ALL));
        ASSERT_NULL(notices(mountinfo_hybrid, &l, CGROUP_MANAGER_NONE, 0, CG_V1_NOTICE_ALL));
}

/* Each notice names its key's line, an IO device entry its own. */
TEST(origins) {
        PlanLimits l = v1_limits();
        CellOrigin o[] = {
                { .key = "MemoryMin", .file = (char *) "/etc/cell/w.cell", .line = 8 },
                { .key = "IOWeight", .file = (char *) "/etc/cell/w.cell.d/io.conf", .line = 2 },
        };
        Plan p = { .unit_path = (char *) "/etc/cell/w.cell", .limits = l, .origins = o, .n_origins = ELEMENTSOF(o) };
        char **n = notices(mountinfo_hybrid, &l, CGROUP_MANAGER_CGROUPFS, 0, CG_V1_NOTICE_ALL);
        char buf[256];

        ASSERT_STREQ(plan_message_origin(&p, n[0], buf, sizeof buf), "/etc/cell/w.cell:8: ");
        ASSERT_STREQ(plan_message_origin(&p, n[5], buf, sizeof buf), "/etc/cell/w.cell:13: ");
        ASSERT_STREQ(plan_message_origin(&p, n[6], buf, sizeof buf), "/etc/cell/w.cell.d/io.conf:2: ");
        ASSERT_STREQ(plan_message_origin(&p, n[7], buf, sizeof buf), "/etc/cell/w.cell:12: ");
        strv_free(n);
}

/* This host, as verify sees it: warnings with their lines on v1, none on cgroup2. */
TEST(this_host) {
        CellOrigin o = { .key = "MemoryMin", .file = (char *) "/etc/cell/w.cell", .line = 8 };
        Plan p = { .unit_path = (char *) "/etc/cell/w.cell", .origins = &o, .n_origins = 1,
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY,
                               .memory_min = { .kind = CELL_LIMIT_VALUE, .value = 1 << 20 } } };
        int layout = cg_layout();
        CgroupMount *m = NULL;
        size_t nm = 0;
        char **n = NULL;

        ASSERT_TRUE(layout >= 0);
        ASSERT_OK(cg_read_mounts(&m, &nm));
        ASSERT_OK(cg_v1_host_notices(&p, CGROUP_MANAGER_CGROUPFS, CG_V1_NOTICE_ALL, "warning: ", &n));
        cg_v1_host_forget();
        if (cg_mount_find(m, nm, "memory"))
                ASSERT_STREQ(n[0], "/etc/cell/w.cell:8: warning: MemoryMin=: refused on this host: its memory "
                             "controller is a cgroup v1 one, which has no memory protection (cgroup2's memory.min); "
                             "\"cell run\" fails here, the unit needs a cgroup2 host");
        else if (!cg_mounts_have_v1_controllers(m, nm))
                ASSERT_NULL(n);
        cg_mount_free(m, nm);
        strv_free(n);
}

static char *fake_dir(const char *base, const char *sub) {
        char *p;

        ASSERT_TRUE(asprintf(&p, "%s/%s", base, sub) > 0);
        ASSERT_OK(mkdir(p, 0755));
        return p;
}

static void touch(const char *dir, const char *file, const char *text) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, file);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        fclose(f);
}

/* A blkio hierarchy weighs IO with CFQ's file (in its root too) or BFQ's
 * (never in the root); with no cgroup below the root, a disk BFQ may take tells. */
TEST(blkio_weights) {
        char tmpl[] = "/tmp/test-v1-notice.XXXXXX";
        const char *t = mkdtemp(tmpl);
        _cleanup_free_ char *cfq = NULL, *bfq = NULL, *bfq_child = NULL, *none = NULL, *none_child = NULL,
                            *bare = NULL, *sys = NULL, *disk = NULL, *queue = NULL;
        char cmd[128];

        ASSERT_NOT_NULL(t);
        cfq = fake_dir(t, "cfq");
        touch(cfq, "blkio.weight", "500\n");
        ASSERT_EQ(cg_blkio_weights(cfq, "/nonexistent"), 1);

        bfq = fake_dir(t, "bfq");
        bfq_child = fake_dir(bfq, "system.slice");
        touch(bfq_child, "blkio.bfq.weight", "100\n");
        ASSERT_EQ(cg_blkio_weights(bfq, "/nonexistent"), 1);

        none = fake_dir(t, "none");
        none_child = fake_dir(none, "system.slice");
        touch(none_child, "blkio.throttle.read_bps_device", "");
        ASSERT_EQ(cg_blkio_weights(none, "/nonexistent"), 0);

        bare = fake_dir(t, "bare");
        sys = fake_dir(t, "block");
        disk = fake_dir(sys, "vda");
        queue = fake_dir(disk, "queue");
        touch(queue, "scheduler", "[none] mq-deadline kyber\n");
        ASSERT_EQ(cg_blkio_weights(bare, sys), 0);
        touch(queue, "scheduler", "[mq-deadline] kyber bfq none\n");
        ASSERT_EQ(cg_blkio_weights(bare, sys), 1);
        ASSERT_EQ(cg_blkio_weights("/nonexistent", sys), 0);

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t);
        ASSERT_EQ(system(cmd), 0);
}

/* Thousands of IODeviceWeight= entries where blkio weighs nothing: a notice
 * each, in their order, each named by its own line. */
TEST(many_devices) {
        enum { MANY = 3000 };
        CellIODevice *d = calloc(MANY, sizeof(CellIODevice));
        char paths[MANY][16], want[128];
        char **n;

        ASSERT_NOT_NULL(d);
        for (size_t i = 0; i < MANY; i++) {
                snprintf(paths[i], sizeof paths[i], "/dev/d%zu", i);
                d[i] = (CellIODevice) { .kind = CELL_IO_DEVICE_WEIGHT, .path = paths[i], .value = 100,
                                        .file = (char *) "/etc/cell/w.cell", .line = 10 + i };
        }
        Plan p = { .unit_path = (char *) "/etc/cell/w.cell",
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .io_devices = d, .n_io_devices = MANY } };

        n = plan_notices(&p, CGROUP_MANAGER_CGROUPFS, 0, CG_V1_NOTICE_ALL, "warning: ");
        ASSERT_EQ(strv_length(n), (size_t) MANY);
        for (size_t i = 0; i < MANY; i++) {
                snprintf(want, sizeof want, "/etc/cell/w.cell:%zu: warning: IODeviceWeight=/dev/d%zu: not applied",
                         10 + i, i);
                ASSERT_TRUE(startswith(n[i], want));
        }
        strv_free(n);
        free(d);
}
