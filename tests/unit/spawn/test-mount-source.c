/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How a mount's failure is named: a mount of the unit's by the file and line
 * it was written on (as "cell verify" names it), a built-in one by what it is. */
#include <sys/mount.h>

#include "mount-source.h"
#include "test.h"

#define DROPIN "/etc/cell/web.cell.d/10-x.conf"

TEST(describe_names_the_origin) {
        char buf[MOUNT_DESCRIBE_MAX];
        PlanMount bind = { .kind = PLAN_MOUNT_BIND, .source = (char *) "/srv/data", .target = (char *) "/data",
                           .flags = MS_REC, .file = (char *) DROPIN, .line = 3 };
        PlanMount tmp = { .kind = PLAN_MOUNT_FS, .source = (char *) "tmpfs", .fstype = (char *) "tmpfs",
                          .target = (char *) "/tmp", .file = (char *) "/etc/cell/web.cell", .line = 7 };
        PlanMount proc = { .kind = PLAN_MOUNT_FS, .source = (char *) "proc", .fstype = (char *) "proc",
                           .target = (char *) "/proc" };
        /* A plan made by hand, without the unit file's name: the key alone. */
        PlanMount mask = { .kind = PLAN_MOUNT_MASK, .target = (char *) "/secret", .line = 4 };

        ASSERT_STREQ(mount_describe(&bind, buf, sizeof buf), DROPIN ":3: Bind=/srv/data:/data");
        ASSERT_STREQ(mount_describe(&tmp, buf, sizeof buf), "/etc/cell/web.cell:7: TemporaryFileSystem=/tmp");
        ASSERT_STREQ(mount_describe(&proc, buf, sizeof buf), "proc on /proc");
        ASSERT_STREQ(mount_describe(&mask, buf, sizeof buf), "Inaccessible=/secret");
        /* Cut short, still a string. */
        ASSERT_STREQ(mount_describe(&bind, buf, 6), "/etc/");

        /* A ':' in a path as the unit writes it ("\:"): not another split. */
        PlanMount colon = { .kind = PLAN_MOUNT_BIND, .source = (char *) "/srv/a:b", .target = (char *) "/x:y\\z",
                            .flags = MS_REC, .file = (char *) DROPIN, .line = 5 };
        ASSERT_STREQ(mount_describe(&colon, buf, sizeof buf), DROPIN ":5: Bind=/srv/a\\:b:/x\\:y\\\\z");
        colon.target = colon.source;
        ASSERT_STREQ(mount_describe(&colon, buf, sizeof buf), DROPIN ":5: Bind=/srv/a\\:b");
        /* TemporaryFileSystem=PATH:OPTS: a ':' of the path is no option. */
        tmp.target = (char *) "/t:mp";
        ASSERT_STREQ(mount_describe(&tmp, buf, sizeof buf), "/etc/cell/web.cell:7: TemporaryFileSystem=/t\\:mp");
}

/* The plan keeps each entry of the unit's as written: that, options,
 * prefixes and specifiers and all, names the mount, whatever its kind. */
TEST(describe_gives_the_entry_as_written) {
        char buf[MOUNT_DESCRIBE_MAX];
        PlanMount m[] = {
                { .kind = PLAN_MOUNT_FS, .source = (char *) "tmpfs", .fstype = (char *) "tmpfs",
                  .target = (char *) "/z", .file = (char *) "/etc/cell/web.cell", .line = 7,
                  .entry = (char *) "TemporaryFileSystem=/z:nr_inodes=1E" },
                { .kind = PLAN_MOUNT_BIND, .source = (char *) "/srv/web", .target = (char *) "/srv",
                  .flags = MS_REC, .file = (char *) DROPIN, .line = 3, .entry = (char *) "Bind=-/srv/%N:/srv:norbind" },
                { .kind = PLAN_MOUNT_MASK, .target = (char *) "/proc/kcore", .file = (char *) DROPIN, .line = 4,
                  .entry = (char *) "Inaccessible=-/proc/kcore" },
                /* A built-in mount has no line: what it is, whatever it holds. */
                { .kind = PLAN_MOUNT_FS, .source = (char *) "proc", .fstype = (char *) "proc",
                  .target = (char *) "/proc", .entry = (char *) "Bind=/x" },
        };

        ASSERT_STREQ(mount_describe(&m[0], buf, sizeof buf),
                     "/etc/cell/web.cell:7: TemporaryFileSystem=/z:nr_inodes=1E");
        ASSERT_STREQ(mount_describe(&m[1], buf, sizeof buf), DROPIN ":3: Bind=-/srv/%N:/srv:norbind");
        ASSERT_STREQ(mount_describe(&m[2], buf, sizeof buf), DROPIN ":4: Inaccessible=-/proc/kcore");
        ASSERT_STREQ(mount_describe(&m[3], buf, sizeof buf), "proc on /proc");
}

TEST(missing_source_names_the_origin) {
        char *lower[] = { (char *) "/nonexistent-cell-layer", NULL };
        PlanMount m[] = {
                { .kind = PLAN_MOUNT_BIND, .source = (char *) "/nonexistent-cell-src", .target = (char *) "/srv",
                  .flags = MS_REC | MS_RDONLY, .file = (char *) DROPIN, .line = 3 },
                { .kind = PLAN_MOUNT_OVERLAY, .lower = lower, .upper = (char *) "", .target = (char *) "/usr",
                  .file = (char *) "/etc/cell/web.cell", .line = 9 },
        };
        Plan p = { .mounts = m, .n_mounts = 1 };
        SpawnError err = {};

        ASSERT_ERROR(mount_sources_check_host(&p, NULL, &err), ENOENT);
        ASSERT_STREQ(err.message, DROPIN ":3: BindReadOnly=/nonexistent-cell-src:/srv: source does not exist");

        p.mounts = m + 1;
        err = (SpawnError) {};
        ASSERT_ERROR(mount_sources_check_host(&p, NULL, &err), ENOENT);
        ASSERT_STREQ(err.message,
                     "/etc/cell/web.cell:9: Overlay=/usr: /nonexistent-cell-layer: cannot open the layer");
}
