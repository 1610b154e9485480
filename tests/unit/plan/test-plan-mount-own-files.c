/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_mounts_check_own_files(): the unit's mounts against the device nodes
 * and symlinks cell makes in /dev before them. "cell verify" passed
 * TemporaryFileSystem=/dev/zero, whose start then failed ("target exists
 * and is not a directory"), as systemd's and nspawn's would (ENOTDIR). */

#include "plan-internal.h"
#include "plan-mount-check.h"
#include "plan-test.h"

TEST(file_system_over_own_node_or_link) {
        plan_entries_fail("TemporaryFileSystem=/dev/zero",
                          "m.cell:3: TemporaryFileSystem=/dev/zero: cannot mount over /dev/zero: cell makes "
                          "/dev/zero a device "
                          "node (as the host's) before the unit's mounts, and a file system goes only on a directory");
        plan_entries_fail("TemporaryFileSystem=/dev/null:size=1M",
                          "m.cell:3: TemporaryFileSystem=/dev/null:size=1M: cannot mount over /dev/null");
        plan_entries_fail("TemporaryFileSystem=/dev/ptmx",
                          "m.cell:3: TemporaryFileSystem=/dev/ptmx: cannot mount over /dev/ptmx: cell makes "
                          "/dev/ptmx a symlink (pts/ptmx)");
        plan_entries_fail("Overlay=/srv/a::/dev/zero",
                          "m.cell:3: Overlay=/srv/a::/dev/zero: cannot mount over /dev/zero");
}

TEST(nothing_below_own_node_or_link) {
        plan_entries_fail("TemporaryFileSystem=/dev/null/x",
                          "m.cell:3: TemporaryFileSystem=/dev/null/x: cannot mount on /dev/null/x: cell makes "
                          "/dev/null a "
                          "device node (as the host's) before the unit's mounts, and nothing can be below it");
        plan_entries_fail("Bind=/srv:/dev/zero/x", "m.cell:3: Bind=/srv:/dev/zero/x: cannot mount on /dev/zero/x");
        plan_entries_fail("TemporaryFileSystem=/dev/fd/x",
                          "m.cell:3: TemporaryFileSystem=/dev/fd/x: cannot mount on /dev/fd/x: cell makes /dev/fd a "
                          "symlink (/proc/self/fd)");
}

/* A Bind= at a node may bring a file (the start decides by the host's
 * source); the masks go on anything; a unit's own /dev lies over cell's
 * nodes, and what goes below it lands in it; a directory of cell's /dev
 * (/dev/shm) takes a file system. */
TEST(own_nodes_not_in_the_way) {
        plan_entries_pass("Bind=/srv/file:/dev/zero");
        plan_entries_pass("Inaccessible=/dev/zero");
        plan_entries_pass("TemporaryFileSystem=/dev\nTemporaryFileSystem=/dev/zero");
        plan_entries_pass("TemporaryFileSystem=/dev/shm/x");
        plan_entries_pass("TemporaryFileSystem=/dev/zeros");
}

/* plan_mount_target_found() of the unit's mount of target (the last one
 * there), for "cell verify" and "cell run" (cli/verify-mounts.c), which look
 * into the root only where it says ROOT. */
static PlanTargetFound found_for(const char *entries, const char *target, const char *path) {
        _cleanup_free_ char *text = NULL;
        PlanTargetIndex x = {};
        PlanTargetFound f;
        size_t bind = SIZE_MAX;
        CellConfig c;
        Plan p = {};
        size_t i = SIZE_MAX;

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n%s\n[Exec]\nExec=/bin/true\n", entries) > 0);
        config_from_text(&c, "m", text);
        plan_ok(&c, NULL, &p);
        for (size_t k = 0; k < p.n_mounts; k++)
                if (streq(p.mounts[k].target, target) && p.mounts[k].line > 0)
                        i = k;
        ASSERT_TRUE(i != SIZE_MAX);
        ASSERT_OK(plan_target_index_build(&p, &x));
        f = plan_mount_target_found(&p, &x, i, path ?: target, &bind);
        plan_target_index_done(&x);
        plan_done(&p);
        cell_config_done(&c);
        return f;
}

TEST(target_found) {
        /* cell's nodes, but an optional one (/dev/net/tun), which the host may lack. */
        ASSERT_EQ(found_for("Bind=/srv:/dev/zero", "/dev/zero", NULL), PLAN_TARGET_NODE);
        ASSERT_EQ(found_for("Bind=/srv:/dev/net/tun", "/dev/net/tun", NULL), PLAN_TARGET_UNKNOWN);
        /* A file system of cell's or the unit's own, at the target (of one
         * target, the binds are mounted first, whatever the lines' order). */
        ASSERT_EQ(found_for("Bind=/srv/file:/dev/shm", "/dev/shm", NULL), PLAN_TARGET_DIRECTORY);
        ASSERT_EQ(found_for("TemporaryFileSystem=/x\nOverlay=/srv/a::/x", "/x", NULL), PLAN_TARGET_DIRECTORY);
        /* A Bind= of the unit's at it: the caller looks at its source. */
        ASSERT_EQ(found_for("TemporaryFileSystem=/x\nBind=/srv/file:/x", "/x", NULL), PLAN_TARGET_BIND);
        ASSERT_EQ(found_for("Bind=/srv/file:/x\nBind=/srv:/x", "/x", NULL), PLAN_TARGET_BIND);
        ASSERT_EQ(found_for("Bind=-/srv/file:/x\nBind=/srv:/x", "/x", NULL), PLAN_TARGET_UNKNOWN);
        /* In a file system or a bind: what is there is not the root's. */
        ASSERT_EQ(found_for("TemporaryFileSystem=/dev/x", "/dev/x", NULL), PLAN_TARGET_UNKNOWN);
        ASSERT_EQ(found_for("Bind=/srv:/x\nBind=/srv/file:/x/y", "/x/y", NULL), PLAN_TARGET_UNKNOWN);
        ASSERT_EQ(found_for("Bind=/srv:/x\nBind=/srv/file:/y", "/y", "/x/z"), PLAN_TARGET_UNKNOWN);
        /* A unit's own /dev over cell's nodes. */
        ASSERT_EQ(found_for("TemporaryFileSystem=/dev\nBind=/srv:/dev/zero", "/dev/zero", NULL), PLAN_TARGET_UNKNOWN);
        /* The root's; a mount after it, or only below it, changes nothing. */
        ASSERT_EQ(found_for("TemporaryFileSystem=/bin/sh", "/bin/sh", NULL), PLAN_TARGET_ROOT);
        ASSERT_EQ(found_for("TemporaryFileSystem=/a\nTemporaryFileSystem=/a/b", "/a", NULL), PLAN_TARGET_ROOT);
        /* Paths as the kernel takes them: "//a/" is "/a". */
        ASSERT_EQ(found_for("TemporaryFileSystem=/a\nOverlay=/srv/a::/a", "/a", "/a//b"), PLAN_TARGET_UNKNOWN);
        ASSERT_EQ(found_for("Bind=/srv/file:/dev/shm", "/dev/shm", "//dev//shm/"), PLAN_TARGET_DIRECTORY);
        ASSERT_EQ(found_for("Bind=/srv:/dev/zero", "/dev/zero", "/dev/zero/"), PLAN_TARGET_NODE);
}
