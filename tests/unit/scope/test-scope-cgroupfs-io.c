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
#include <unistd.h>

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
