/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The IO per-device limits: the disk behind a path, and the lines the
 * cgroup files take on each layout. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup-io.h"
#include "test.h"

#define DEV(ma, mi) makedev(ma, mi)

static const char *joined(const CgroupIOWrite *w, size_t n, char *buf, size_t size) {
        size_t k = 0;

        buf[0] = 0;
        for (size_t i = 0; i < n; i++)
                k += snprintf(buf + k, size - MIN(k, size), "%s%s<%s%s%s>", i ? "|" : "", w[i].file, w[i].line,
                              w[i].fallback ? " or " : "", w[i].fallback ?: "");
        return buf;
}

/* writes(d, devs, n, v2, buf): the lines cg_io_writes() gives for the entries. */
static int writes(const CellIODevice *d, const dev_t *devs, size_t n, bool v2, char *buf, size_t size,
                  CgroupIOWrite **ret, size_t *ret_n, size_t *ret_bad) {
        _cleanup_free_ CgroupIODisk *disks = NULL;
        size_t nd = 0;
        int r;

        ASSERT_OK(cg_io_disks(d, devs, n, &disks, &nd));
        r = cg_io_writes(disks, nd, v2, ret, ret_n, ret_bad);
        if (r >= 0)
                joined(*ret, *ret_n, buf, size);
        return r;
}

TEST(disks_merge_entries_of_one_disk) {
        CellIODevice d[] = {
                { .kind = CELL_IO_READ_BPS,  .path = (char *) "/dev/vda", .value = 5000000 },
                { .kind = CELL_IO_READ_BPS,  .path = (char *) "/dev/vdb", .value = 1000 },
                { .kind = CELL_IO_WRITE_BPS, .path = (char *) "/srv", .value = 7 },
                { .kind = CELL_IO_READ_BPS,  .path = (char *) "/srv", .value = 9 },
        };
        dev_t devs[] = { DEV(254, 0), DEV(254, 16), DEV(254, 0), DEV(254, 0) };
        _cleanup_free_ CgroupIODisk *disks = NULL;
        size_t n = 0;

        ASSERT_OK(cg_io_disks(d, devs, ELEMENTSOF(d), &disks, &n));
        ASSERT_EQ(n, 2);
        ASSERT_EQ(disks[0].dev, DEV(254, 0));
        ASSERT_TRUE(disks[0].set[CELL_IO_READ_BPS]);
        ASSERT_EQ_U64(disks[0].value[CELL_IO_READ_BPS], 9);        /* the later line wins */
        ASSERT_EQ(disks[0].origin[CELL_IO_READ_BPS], 3);
        ASSERT_EQ_U64(disks[0].value[CELL_IO_WRITE_BPS], 7);
        ASSERT_FALSE(disks[0].set[CELL_IO_READ_IOPS]);
        ASSERT_EQ(disks[1].dev, DEV(254, 16));
        ASSERT_EQ_U64(disks[1].value[CELL_IO_READ_BPS], 1000);
        ASSERT_STREQ(cg_io_property(CELL_IO_LATENCY), "IODeviceLatencyTargetUSec");
        ASSERT_STREQ(cg_io_property(CELL_IO_WRITE_IOPS), "IOWriteIOPSMax");
}

TEST(writes_v2_one_io_max_line_per_disk) {
        CellIODevice d[] = {
                { .kind = CELL_IO_READ_BPS,      .path = (char *) "/dev/vda", .value = 5000000 },
                { .kind = CELL_IO_WRITE_IOPS,    .path = (char *) "/srv", .value = 100 },
                { .kind = CELL_IO_READ_BPS,      .path = (char *) "/dev/vdb", .value = 1000 },
                { .kind = CELL_IO_WRITE_BPS,     .path = (char *) "/dev/vda", .value = UINT64_MAX },
                { .kind = CELL_IO_DEVICE_WEIGHT, .path = (char *) "/dev/vda", .value = 300 },
                { .kind = CELL_IO_LATENCY,       .path = (char *) "/dev/vdb", .value = 25000 },
                { .kind = CELL_IO_READ_BPS,      .path = (char *) "/srv", .value = 7000 },
        };
        /* "/srv" is on vda too: its limits join vda's line, the later value wins. */
        dev_t devs[] = { DEV(254, 0), DEV(254, 0), DEV(254, 16), DEV(254, 0), DEV(254, 0), DEV(254, 16), DEV(254, 0) };
        _cleanup_free_ CgroupIOWrite *w = NULL;
        size_t n = 0;
        char buf[1024];

        ASSERT_OK(writes(d, devs, ELEMENTSOF(d), true, buf, sizeof buf, &w, &n, NULL));
        ASSERT_STREQ(buf, "io.max<254:0 rbps=7000 wbps=max wiops=100>|io.weight<254:0 300 or io.bfq.weight>|"
                          "io.max<254:16 rbps=1000>|io.latency<254:16 target=25000>");
        ASSERT_EQ(w[0].origin, 6);      /* the entry of its first key: rbps, from "/srv" */
        ASSERT_EQ(w[1].origin, 4);
        ASSERT_FALSE(w[0].optional);
        /* A weight needs a scheduler that has them: iocost's io.weight, else BFQ's
         * on its own scale (300 is 118 of BFQ's 1..1000); neither, none. */
        ASSERT_TRUE(w[1].optional);
        ASSERT_STREQ(w[1].fallback_line, "254:0 118");
}

TEST(writes_v1_blkio_files) {
        CellIODevice d[] = {
                { .kind = CELL_IO_READ_BPS,      .path = (char *) "/dev/vda", .value = 5000000 },
                { .kind = CELL_IO_WRITE_BPS,     .path = (char *) "/dev/vda", .value = UINT64_MAX },
                { .kind = CELL_IO_READ_IOPS,     .path = (char *) "/dev/vda", .value = 10 },
                { .kind = CELL_IO_WRITE_IOPS,    .path = (char *) "/dev/vda", .value = 20 },
                { .kind = CELL_IO_DEVICE_WEIGHT, .path = (char *) "/dev/vda", .value = 100 },
        };
        dev_t devs[] = { DEV(8, 0), DEV(8, 0), DEV(8, 0), DEV(8, 0), DEV(8, 0) };
        _cleanup_free_ CgroupIOWrite *w = NULL;
        size_t n = 0;
        char buf[1024];

        /* No limit is blkio's default: "infinity" writes nothing; the weight on v1's
         * scale (IOWeight=100 is blkio.weight 500), with CFQ or BFQ only. */
        ASSERT_OK(writes(d, devs, ELEMENTSOF(d), false, buf, sizeof buf, &w, &n, NULL));
        ASSERT_STREQ(buf, "blkio.weight_device<8:0 500 or blkio.bfq.weight_device>|"
                          "blkio.throttle.read_bps_device<8:0 5000000>|blkio.throttle.read_iops_device<8:0 10>|"
                          "blkio.throttle.write_iops_device<8:0 20>");
        ASSERT_TRUE(w[0].optional);
        /* BFQ's v1 file: the blkio weight on BFQ's scale, as systemd 252 gives
         * IOWeight= to BFQ on v1 (500 is 136), not blkio's 500 (5 times BFQ's default). */
        ASSERT_STREQ(w[0].fallback_line, "8:0 136");
        ASSERT_FALSE(w[1].optional);
        ASSERT_EQ(w[3].origin, 3);
}

TEST(writes_v1_has_no_latency) {
        CellIODevice d[] = {
                { .kind = CELL_IO_READ_BPS, .path = (char *) "/dev/vda", .value = 1 },
                { .kind = CELL_IO_LATENCY,  .path = (char *) "/dev/vda", .value = 1000 },
        };
        dev_t devs[] = { DEV(8, 0), DEV(8, 0) };
        CgroupIOWrite *w = NULL;
        size_t n = 0, bad = 99;
        char buf[256];

        ASSERT_ERROR(writes(d, devs, ELEMENTSOF(d), false, buf, sizeof buf, &w, &n, &bad), EOPNOTSUPP);
        ASSERT_EQ(bad, 1);
        ASSERT_NULL(w);
}

/* IODeviceLatencyTargetSec=DEV infinity is no target: io.latency's default,
 * and all v1 has. Nothing to write there, nothing refused (systemd on v1
 * ignores the key). */
TEST(writes_v1_latency_infinity_is_none) {
        CellIODevice d[] = {
                { .kind = CELL_IO_LATENCY,  .path = (char *) "/dev/vda", .value = USEC_INFINITY },
                { .kind = CELL_IO_READ_BPS, .path = (char *) "/dev/vda", .value = 1 },
        };
        dev_t devs[] = { DEV(8, 0), DEV(8, 0) };
        _cleanup_free_ CgroupIOWrite *w = NULL;
        size_t n = 0, bad = 99;
        char buf[256];

        ASSERT_OK(writes(d, devs, ELEMENTSOF(d), false, buf, sizeof buf, &w, &n, &bad));
        ASSERT_STREQ(buf, "blkio.throttle.read_bps_device<8:0 1>");
        ASSERT_EQ(bad, 99);
        free(w);
        w = NULL;
        /* cgroup2 writes it, clearing any target */
        ASSERT_OK(writes(d, devs, ELEMENTSOF(d), true, buf, sizeof buf, &w, &n, &bad));
        ASSERT_STREQ(buf, "io.max<8:0 rbps=1>|io.latency<8:0 target=max>");
}

TEST(resolve) {
        struct stat st;
        dev_t d = 0, again = 0;

        /* A character device is no block device; an anonymous one (procfs) has none. */
        ASSERT_ERROR(cg_io_resolve("/dev/null", &d), ENOTBLK);
        ASSERT_ERROR(cg_io_resolve("/proc/self", &d), ENODEV);
        ASSERT_ERROR(cg_io_resolve("/nonexistent/cell-test", &d), ENOENT);

        /* A file on a disk: that disk (or the disk its partition is on). */
        ASSERT_OK(stat("/", &st) < 0 ? -errno : 0);
        if (major(st.st_dev) == 0) {
                test_skip("/ is on no block device here");
                return;
        }
        ASSERT_OK(cg_io_resolve("/", &d));
        ASSERT_OK(cg_io_resolve("/etc/hostname", &again));
        ASSERT_EQ(d, again);
        /* A disk is no partition: its sysfs entry has no "partition" file. */
        char p[96];
        snprintf(p, sizeof p, "/sys/dev/block/%u:%u/partition", major(d), minor(d));
        ASSERT_TRUE(access(p, F_OK) < 0 && errno == ENOENT);
        if (major(st.st_dev) != major(d) || minor(st.st_dev) != minor(d)) {
                /* / is on a partition (or a mapped device) of d. */
                snprintf(p, sizeof p, "/sys/dev/block/%u:%u", major(d), minor(d));
                ASSERT_OK(access(p, F_OK) < 0 ? -errno : 0);
        }
}
