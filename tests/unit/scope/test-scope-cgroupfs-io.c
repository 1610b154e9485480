/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/scope-cgroupfs-io.c: IOWeight= in a cgroup2 dir with neither
 * io.weight (iocost) nor io.bfq.weight (BFQ) runs the container with a
 * warning, as on cgroup v1; the cgroup2 one named no file or line of the
 * unit, where v1's and every other start notice of [Limits] name them.
 * Rootless: the dir is a plain temporary directory, which has neither. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup-io.h"
#include "scope-cgroupfs.h"
#include "scope-internal.h"
#include "test.h"

TEST(io_weight_v2_unheld_names_the_line) {
        CellOrigin o = { .key = "IOWeight", .file = (char *) "/etc/cell/web.cell", .line = 9 };
        Plan p = { .name = (char *) "web", .origins = &o, .n_origins = 1,
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .io_weight = 300 } };
        char dir[] = "/tmp/test-scope-cgroupfs-io.XXXXXX", text[1024], want[512];
        ScopeCgroupfs fs = { .n_dirs = 1, .unified_idx = 0 };
        Scope s = { .manager = CGROUP_MANAGER_CGROUPFS, .fs = &fs };
        TestStderr c;

        ASSERT_NOT_NULL(mkdtemp(dir));
        fs.dirs[0] = (CgroupDir) { .path = dir, .fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), .unified = true };
        ASSERT_TRUE(fs.dirs[0].fd >= 0);

        c = test_stderr_capture();
        ASSERT_OK(scope_cgroupfs_write_io_weight_v2(&s, &p, 0));
        test_stderr_release(c, text, sizeof text);
        snprintf(want, sizeof want, "/etc/cell/web.cell:9: IOWeight=300: %s has neither io.weight nor io.bfq.weight "
                 "(no IO scheduler with weights): not applied.\n", dir);
        ASSERT_CONTAINS(text, want);

        close(fs.dirs[0].fd);
        ASSERT_OK(rmdir(dir));
        free(s.error);
}

/* IODeviceLatencyTargetSec= in a cgroup2 dir with io.max but no io.latency (a
 * kernel without blk-iolatency: Debian 12's) runs the container with a
 * warning at the key's line, as systemd 252 runs its scope; without io.max
 * either (no io controller there) it still fails the start. */
TEST(io_latency_without_blk_iolatency_is_a_warning) {
        CellIODevice d = { .kind = CELL_IO_LATENCY, .path = (char *) "/dev/vda", .value = 25000,
                           .file = (char *) "/etc/cell/db.cell", .line = 6 };
        CgroupIODisk disk = { .dev = makedev(254, 0) };
        Plan p = { .name = (char *) "db", .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .io_devices = &d,
                                                      .n_io_devices = 1 } };
        char dir[] = "/tmp/test-scope-cgroupfs-io.XXXXXX", text[1024], want[512], f[PATH_MAX];
        ScopeCgroupfs fs = { .n_dirs = 1, .unified_idx = 0 };
        Scope s = { .manager = CGROUP_MANAGER_CGROUPFS, .fs = &fs, .io_disks = &disk, .n_io_disks = 1 };
        TestStderr c;
        int fd;

        disk.set[CELL_IO_LATENCY] = true;
        disk.value[CELL_IO_LATENCY] = 25000;
        ASSERT_NOT_NULL(mkdtemp(dir));
        fs.dirs[0] = (CgroupDir) { .path = dir, .fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), .unified = true };
        ASSERT_TRUE(fs.dirs[0].fd >= 0);

        /* No io.max: the io controller is not there, which is no kernel's lack. */
        ASSERT_ERROR(scope_cgroupfs_write_io(&s, &p, 0, true), ENOENT);
        free(s.error);
        s.error = NULL;

        snprintf(f, sizeof f, "%s/io.max", dir);
        fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        c = test_stderr_capture();
        ASSERT_OK(scope_cgroupfs_write_io(&s, &p, 0, true));
        test_stderr_release(c, text, sizeof text);
        snprintf(want, sizeof want, "/etc/cell/db.cell:6: IODeviceLatencyTargetSec=/dev/vda: this kernel has no IO "
                 "latency targets (no io.latency in %s: blk-iolatency, CONFIG_BLK_CGROUP_IOLATENCY): not applied.\n",
                 dir);
        ASSERT_CONTAINS(text, want);

        ASSERT_OK(unlink(f));
        close(fs.dirs[0].fd);
        ASSERT_OK(rmdir(dir));
        free(s.error);
}
