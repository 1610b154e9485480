/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The UID range of PrivateUsers=: PrivateUsers=yes takes the owner of
 * Directory= as the container's root, and never host root's range. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "uid-range.h"

static char dir[32];

/* A plan for PrivateUsers=yes with a fresh, empty Directory=. */
static Plan root_owner_plan(void) {
        snprintf(dir, sizeof dir, "/tmp/test-uid-range.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
        return (Plan) {
                .name = (char *) "t",
                .root_directory = dir,
                .users_mode = PLAN_USERS_ROOT_OWNER,
                .uid_count = 0x10000,
        };
}

/* An unshifted tree, owned by whoever runs the test (root, or a user below
 * 65536): its range would start at 0, the host's root. Refused, nothing held. */
TEST(root_owner_in_the_first_range_is_refused) {
        Plan p = root_owner_plan();
        UidRange r = UID_RANGE_NULL;
        SpawnError err = {};
        struct stat st;

        ASSERT_OK(stat(dir, &st));
        if (st.st_uid >= 0x10000) {
                fprintf(stderr, "running as UID %u, beyond the first range: not tested\n", (unsigned) st.st_uid);
                ASSERT_OK(rmdir(dir));
                return;
        }
        ASSERT_ERROR(uid_range_acquire(&p, p.root_directory, NULL, &r, &err), EPERM);
        ASSERT_EQ(err.error, EPERM);
        ASSERT_CONTAINS(err.message, "PrivateUsers=yes: Directory=");
        ASSERT_CONTAINS(err.message, dir);
        ASSERT_CONTAINS(err.message, "the container's root would be the host's root");
        ASSERT_CONTAINS(err.message, "PrivateUsers=pick");
        ASSERT_EQ(r.lock_fd, -EBADF);
        ASSERT_NULL(r.lock_path);
        ASSERT_OK(rmdir(dir));
}

/* A shifted tree (as root only: chown) gives its range. */
TEST(root_owner_of_a_shifted_tree_gives_its_range) {
        Plan p = root_owner_plan();
        UidRange r = UID_RANGE_NULL;

        if (geteuid() != 0) {
                fprintf(stderr, "not root: cannot chown, not tested\n");
                ASSERT_OK(rmdir(dir));
                return;
        }
        ASSERT_OK(chown(dir, 0x80000 + 5, 0x80000 + 7));
        ASSERT_OK(uid_range_acquire(&p, p.root_directory, NULL, &r, NULL));
        ASSERT_EQ(r.base, (uint32_t) 0x80000);
        ASSERT_EQ(r.count, (uint32_t) 0x10000);
        uid_range_release(&r);

        /* The owner and group in different ranges: refused as before. */
        ASSERT_OK(chown(dir, 0x80000, 0x90000));
        ASSERT_ERROR(uid_range_acquire(&p, p.root_directory, NULL, &r, NULL), EINVAL);
        ASSERT_OK(rmdir(dir));
}
