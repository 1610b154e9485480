/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_mounts_check_own_files(): the unit's mounts against the device nodes
 * and symlinks cell makes in /dev before them. "cell verify" passed
 * TemporaryFileSystem=/dev/zero, whose start then failed ("target exists
 * and is not a directory"), as systemd's and nspawn's would (ENOTDIR). */

#include "plan-internal.h"
#include "plan-test.h"

static void fails(const char *entry, const char *needle) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n%s\n[Exec]\nExec=/bin/true\n", entry) > 0);
        config_from_text(&c, "m", text);
        plan_fails(&c, needle);
        cell_config_done(&c);
}

static void passes(const char *entries) {
        _cleanup_free_ char *text = NULL;
        CellConfig c;
        Plan p = {};

        ASSERT_TRUE(asprintf(&text, "[Root]\nDirectory=/var/lib/cell/test\n%s\n[Exec]\nExec=/bin/true\n", entries) > 0);
        config_from_text(&c, "m", text);
        plan_ok(&c, NULL, &p);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(file_system_over_own_node_or_link) {
        fails("TemporaryFileSystem=/dev/zero",
              "m.cell:3: TemporaryFileSystem=/dev/zero: cannot mount over /dev/zero: cell makes /dev/zero a device "
              "node (as the host's) before the unit's mounts, and a file system goes only on a directory");
        fails("TemporaryFileSystem=/dev/null:size=1M",
              "m.cell:3: TemporaryFileSystem=/dev/null:size=1M: cannot mount over /dev/null");
        fails("TemporaryFileSystem=/dev/ptmx",
              "m.cell:3: TemporaryFileSystem=/dev/ptmx: cannot mount over /dev/ptmx: cell makes /dev/ptmx a "
              "symlink (pts/ptmx)");
        fails("Overlay=/srv/a::/dev/zero", "m.cell:3: Overlay=/srv/a::/dev/zero: cannot mount over /dev/zero");
}

TEST(nothing_below_own_node_or_link) {
        fails("TemporaryFileSystem=/dev/null/x",
              "m.cell:3: TemporaryFileSystem=/dev/null/x: cannot mount on /dev/null/x: cell makes /dev/null a "
              "device node (as the host's) before the unit's mounts, and nothing can be below it");
        fails("Bind=/srv:/dev/zero/x", "m.cell:3: Bind=/srv:/dev/zero/x: cannot mount on /dev/zero/x");
        fails("TemporaryFileSystem=/dev/fd/x",
              "m.cell:3: TemporaryFileSystem=/dev/fd/x: cannot mount on /dev/fd/x: cell makes /dev/fd a symlink "
              "(/proc/self/fd)");
}

/* A Bind= at a node may bring a file (the start decides by the host's
 * source); the masks go on anything; a unit's own /dev lies over cell's
 * nodes, and what goes below it lands in it; a directory of cell's /dev
 * (/dev/shm) takes a file system. */
TEST(own_nodes_not_in_the_way) {
        passes("Bind=/srv/file:/dev/zero");
        passes("Inaccessible=/dev/zero");
        passes("TemporaryFileSystem=/dev\nTemporaryFileSystem=/dev/zero");
        passes("TemporaryFileSystem=/dev/shm/x");
        passes("TemporaryFileSystem=/dev/zeros");
}
