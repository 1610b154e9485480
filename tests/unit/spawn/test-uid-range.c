/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The UID range of PrivateUsers=: PrivateUsers=yes takes the owner of
 * Directory= as the container's root, and never host root's range. */
#include <errno.h>
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
                test_skip("running as UID %u, beyond the first range", (unsigned) st.st_uid);
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
                test_skip("not root: cannot chown");
                ASSERT_OK(rmdir(dir));
                return;
        }
        ASSERT_OK(chown(dir, 0x80000 + 5, 0x80000 + 7));
        /* Not /run/cell/uid: a running cell's pick there must not fail the test. */
        ASSERT_OK(uid_range_acquire(&p, p.root_directory, "/tmp", &r, NULL));
        ASSERT_EQ(r.base, (uint32_t) 0x80000);
        ASSERT_EQ(r.count, (uint32_t) 0x10000);
        uid_range_release(&r);

        /* The owner and group in different ranges: refused as before. */
        ASSERT_OK(chown(dir, 0x80000, 0x90000));
        ASSERT_ERROR(uid_range_acquire(&p, p.root_directory, "/tmp", &r, NULL), EINVAL);
        ASSERT_OK(rmdir(dir));
}

static uint32_t known_base;

static bool knows_first_range(uint32_t id) {
        return id >= known_base && id < known_base + UID_RANGE_PICK_SIZE;
}

/* PrivateUsers=pick: the plan's candidate when free, held by its lock and
 * freed by the release; never a range the host's user database knows
 * (nspawn's check: a user of LDAP or a machine's range there), whose lock
 * file is not left behind either. */
TEST(pick_skips_a_range_the_host_knows) {
        char lock_dir[] = "/tmp/test-uid-range-lock.XXXXXX", path[96];
        Plan p = { .name = (char *) "t", .users_mode = PLAN_USERS_PICK, .uid_base = 0x90000,
                   .uid_count = 0x10000 };
        UidRange r = UID_RANGE_NULL, r2 = UID_RANGE_NULL;

        ASSERT_NOT_NULL(mkdtemp(lock_dir));
        ASSERT_OK(uid_range_acquire(&p, NULL, lock_dir, &r, NULL));
        ASSERT_EQ(r.base, (uint32_t) 0x90000);
        ASSERT_EQ(r.count, (uint32_t) 0x10000);
        /* Held: a second start takes the next one. */
        ASSERT_OK(uid_range_acquire(&p, NULL, lock_dir, &r2, NULL));
        ASSERT_EQ(r2.base, (uint32_t) 0xA0000);
        uid_range_release(&r2);
        uid_range_release(&r);

        known_base = 0x90000;
        uid_range_host_knows = knows_first_range;
        ASSERT_OK(uid_range_acquire(&p, NULL, lock_dir, &r, NULL));
        ASSERT_EQ(r.base, (uint32_t) 0xA0000);
        snprintf(path, sizeof path, "%s/%u", lock_dir, 0x90000u);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        uid_range_release(&r);
        ASSERT_OK(rmdir(lock_dir));
}

/* PrivateUsers=UID[:COUNT] over a running picked cell's range is refused,
 * naming that cell (its root would be one of this container's users); a
 * free range leaves no lock file behind. */
TEST(fixed_range_over_a_picked_one_is_refused) {
        char lock_dir[] = "/tmp/test-uid-range-lock.XXXXXX";
        Plan fixed = { .name = (char *) "f", .users_mode = PLAN_USERS_FIXED, .uid_base = 0x90000 + 100,
                       .uid_count = 0x10000 };
        Plan pick = { .name = (char *) "picker", .users_mode = PLAN_USERS_PICK, .uid_base = 0xA0000,
                      .uid_count = 0x10000 };
        UidRange f = UID_RANGE_NULL, pr = UID_RANGE_NULL;
        SpawnError err = {};

        uid_range_host_knows = knows_first_range;
        known_base = 0;
        ASSERT_NOT_NULL(mkdtemp(lock_dir));
        /* 0x90064..0xA0063: slots 0x90000 and 0xA0000, both free. */
        ASSERT_OK(uid_range_acquire(&fixed, NULL, lock_dir, &f, NULL));
        ASSERT_EQ(f.base, (uint32_t) 0x90064);
        ASSERT_EQ(f.lock_fd, -EBADF);
        uid_range_release(&f);

        ASSERT_OK(uid_range_acquire(&pick, NULL, lock_dir, &pr, NULL));
        ASSERT_EQ(pr.base, (uint32_t) 0xA0000);
        ASSERT_ERROR(uid_range_acquire(&fixed, NULL, lock_dir, &f, &err), EBUSY);
        ASSERT_CONTAINS(err.message, "PrivateUsers=589924:65536: IDs 655360..720895 are the range of the running "
                        "cell \"picker\"");
        uid_range_release(&pr);
        ASSERT_OK(uid_range_acquire(&fixed, NULL, lock_dir, &f, NULL));
        uid_range_release(&f);

        /* Below pick's slots: nothing to check. */
        fixed.uid_base = 0x10000;
        ASSERT_OK(uid_range_acquire(&fixed, NULL, lock_dir, &f, NULL));
        ASSERT_EQ(f.n_slot_fds, 0u);
        uid_range_release(&f);
        ASSERT_OK(rmdir(lock_dir));             /* empty: no file left */
}

/* The other way round: a running fixed range holds the pick slots it
 * overlaps, so that a pick started later goes past them; let go, they are
 * free (and their files gone). Too many slots to hold: checked only. */
TEST(picked_never_over_a_running_fixed_one) {
        char lock_dir[] = "/tmp/test-uid-range-lock.XXXXXX";
        Plan fixed = { .name = (char *) "f", .users_mode = PLAN_USERS_FIXED, .uid_base = 0x90000 + 100,
                       .uid_count = 0x10000 };
        Plan pick = { .name = (char *) "picker", .users_mode = PLAN_USERS_PICK, .uid_base = 0xA0000,
                      .uid_count = 0x10000 };
        UidRange f = UID_RANGE_NULL, pr = UID_RANGE_NULL;

        uid_range_host_knows = knows_first_range;
        known_base = 0;
        ASSERT_NOT_NULL(mkdtemp(lock_dir));
        ASSERT_OK(uid_range_acquire(&fixed, NULL, lock_dir, &f, NULL));
        ASSERT_EQ(f.n_slot_fds, 2u);            /* 0x90000 and 0xA0000 */
        ASSERT_OK(uid_range_acquire(&pick, NULL, lock_dir, &pr, NULL));
        ASSERT_EQ(pr.base, (uint32_t) 0xB0000);
        uid_range_release(&pr);
        /* Another fixed range over the same slots: ranges written out are
         * the admin's to share. */
        UidRange g = UID_RANGE_NULL;
        ASSERT_OK(uid_range_acquire(&fixed, NULL, lock_dir, &g, NULL));
        uid_range_release(&g);
        uid_range_release(&f);
        ASSERT_EQ(f.n_slot_fds, 0u);
        ASSERT_OK(uid_range_acquire(&pick, NULL, lock_dir, &pr, NULL));
        ASSERT_EQ(pr.base, (uint32_t) 0xA0000);
        uid_range_release(&pr);

        /* 0x90000 + 9 slots: more than UID_RANGE_SLOTS_HELD_MAX, none held. */
        fixed.uid_count = 0x10000 * UID_RANGE_SLOTS_HELD_MAX + 1;
        ASSERT_OK(uid_range_acquire(&fixed, NULL, lock_dir, &f, NULL));
        ASSERT_EQ(f.n_slot_fds, 0u);
        uid_range_release(&f);
        ASSERT_OK(rmdir(lock_dir));             /* empty: no file left */
}
