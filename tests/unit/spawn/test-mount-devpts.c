/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/mount-one.c: mount_devpts_data_shifted(), the container's tty
 * group (the plan's devpts "gid=5") as the host's GID for a devpts the
 * tree builder mounts with the host's privileges under PrivateUsers=
 * (nspawn's gid=UID_SHIFT+TTY_GID); left out where the range does not map
 * it. */
#include <errno.h>
#include <stdlib.h>

#include "mount-setup-internal.h"
#include "test.h"

static void check(const char *data, uid_t base, uint32_t count, const char *expected) {
        char *s = (char *) "unset";

        ASSERT_OK(mount_devpts_data_shifted(data, base, count, &s));
        if (!expected)
                ASSERT_NULL(s);
        else {
                ASSERT_NOT_NULL(s);
                ASSERT_STREQ(s, expected);
        }
        free(s);
}

TEST(devpts_gid_shifted) {
        /* What the plan has: GID 5 inside is BASE+5 outside. */
        check("newinstance,ptmxmode=0666,mode=0620,gid=5", 524288, 65536,
              "newinstance,ptmxmode=0666,mode=0620,gid=524293");
        check("gid=5", 0x6FFF0000, 65536, "gid=1878982661");
        /* uid= alike, wherever they stand. */
        check("uid=0,newinstance,gid=0", 100000, 65536, "uid=100000,newinstance,gid=100000");
        /* The last ID of the range is still mapped. */
        check("gid=65535", 131072, 65536, "gid=196607");
}

TEST(devpts_gid_unmapped) {
        /* A range of 5 IDs or fewer has no GID 5: no gid= at all, the pty
         * gets its opener's group. */
        check("newinstance,ptmxmode=0666,mode=0620,gid=5", 524288, 5, "newinstance,ptmxmode=0666,mode=0620");
        check("newinstance,gid=5", 524288, 1, "newinstance");
        check("gid=5", 524288, 5, NULL);
        check("newinstance,ptmxmode=0666,mode=0620,gid=5", 524288, 6,
              "newinstance,ptmxmode=0666,mode=0620,gid=524293");
}

TEST(devpts_data_other) {
        char *s = (char *) "unset";

        check(NULL, 524288, 65536, NULL);
        check("", 524288, 65536, NULL);
        check("newinstance,mode=0620", 524288, 65536, "newinstance,mode=0620");
        /* "gidx=" is not "gid=": kept as it is. */
        check("gidx=5", 524288, 65536, "gidx=5");
        ASSERT_ERROR(mount_devpts_data_shifted("gid=tty", 524288, 65536, &s), EINVAL);
        ASSERT_NULL(s);
        ASSERT_ERROR(mount_devpts_data_shifted("gid=-1", 524288, 65536, &s), EINVAL);
        ASSERT_ERROR(mount_devpts_data_shifted("gid=", 524288, 65536, &s), EINVAL);
}
