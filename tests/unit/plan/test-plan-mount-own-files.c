/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_mounts_check_own_files(): the unit's mounts against the device nodes
 * and symlinks cell makes in /dev before them. "cell verify" passed
 * TemporaryFileSystem=/dev/zero, whose start then failed ("target exists
 * and is not a directory"), as systemd's and nspawn's would (ENOTDIR). */

#include "plan-internal.h"
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
