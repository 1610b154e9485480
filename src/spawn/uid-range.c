/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
#include "macros.h"
#include "uid-range.h"

static int uid_range_pick(const Plan *p, const char *lock_dir, UidRange *ret, SpawnError *err) {
        const uint32_t slots = (UID_RANGE_PICK_MAX - UID_RANGE_PICK_MIN) / UID_RANGE_PICK_SIZE + 1;
        _cleanup_close_ int dir_fd = -EBADF;
        uint32_t first;
        int r;

        if (p->uid_count > UID_RANGE_PICK_SIZE)
                return spawn_error(err, EINVAL, "PrivateUsers=pick: at most %" PRIu32 " ids", UID_RANGE_PICK_SIZE);
        r = lock_dir_open(lock_dir, &dir_fd);
        if (r < 0)
                return spawn_error(err, r, "PrivateUsers=pick: creating or opening %s", lock_dir);

        /* The plan's candidate first (stable per name: the same cell gets the
         * same range again if it is free), then a scan of every slot. */
        first = p->uid_base >= UID_RANGE_PICK_MIN && p->uid_base <= UID_RANGE_PICK_MAX ?
                (p->uid_base - UID_RANGE_PICK_MIN) / UID_RANGE_PICK_SIZE : 0;
        for (uint32_t i = 0; i < slots; i++) {
                uint32_t base = UID_RANGE_PICK_MIN + ((first + i) % slots) * UID_RANGE_PICK_SIZE;
                char file[32];
                int fd = -EBADF;

                (void) snprintf(file, sizeof file, "%" PRIu32, base);
                /* The file names its holder, for a human looking at /run/cell/uid. */
                r = lock_file_take(dir_fd, file, p->name, &fd);
                if (r < 0)
                        return spawn_error(err, r, "PrivateUsers=pick: locking %s/%" PRIu32, lock_dir, base);
                if (r > 0) {
                        char *path;

                        if (asprintf(&path, "%s/%" PRIu32, lock_dir, base) < 0) {
                                safe_close(fd);
                                return spawn_error(err, ENOMEM, "PrivateUsers=pick");
                        }
                        *ret = (UidRange) { .base = base, .count = p->uid_count ?: UID_RANGE_PICK_SIZE,
                                            .lock_fd = fd, .lock_path = path };
                        return 0;
                }
        }
        return spawn_error(err, EBUSY, "PrivateUsers=pick: every range in 0x%" PRIx32 "..0x%" PRIx32 " is taken",
                           UID_RANGE_PICK_MIN, UID_RANGE_PICK_MAX);
}

int uid_range_acquire(const Plan *p, const char *root, const char *lock_dir, UidRange *ret, SpawnError *err) {
        struct stat st;

        switch (p->users_mode) {
        case PLAN_USERS_FIXED:
                *ret = (UidRange) { .base = p->uid_base, .count = p->uid_count, .lock_fd = -EBADF };
                return 0;
        case PLAN_USERS_ROOT_OWNER:
                if (stat(root, &st) < 0)
                        return spawn_error(err, errno, "PrivateUsers=yes: %s=%s", plan_root_key(p),
                                           plan_root_source(p));
                /* The image's files are already shifted into their range:
                 * its root directory's owner is the container's root. */
                if ((st.st_uid & 0xFFFF0000U) != (st.st_gid & 0xFFFF0000U))
                        return spawn_error(err, EINVAL,
                                           "PrivateUsers=yes: %s=%s is owned by %u:%u, which are not in the same 64 Ki range",
                                           plan_root_key(p), plan_root_source(p), (unsigned) st.st_uid, (unsigned) st.st_gid);
                /* A tree that is not shifted (owned by 0..65535) would map the
                 * container's root to the host's: a setuid binary planted
                 * inside is one for any host user. */
                if ((st.st_uid & 0xFFFF0000U) == 0)
                        return spawn_error(err, EPERM,
                                           "PrivateUsers=yes: %s=%s is owned by UID %u, in the host's first 64 Ki "
                                           "range: the container's root would be the host's root. Shift the tree to a "
                                           "range of its own (chown every file by BASE, e.g. 0x80000), or use "
                                           "PrivateUsers=pick, which maps it with an idmapped mount",
                                           plan_root_key(p), plan_root_source(p), (unsigned) st.st_uid);
                *ret = (UidRange) { .base = st.st_uid & 0xFFFF0000U, .count = p->uid_count ?: 0x10000,
                                    .lock_fd = -EBADF };
                return 0;
        case PLAN_USERS_PICK:
                return uid_range_pick(p, lock_dir ?: UID_RANGE_LOCK_DIR, ret, err);
        case PLAN_USERS_HOST:
        default:
                return spawn_error(err, EINVAL, "PrivateUsers=: no user namespace planned");
        }
}

void uid_range_release(UidRange *r) {
        /* Removed while we still hold the lock (see uid-range.h). */
        if (r->lock_fd >= 0 && r->lock_path)
                (void) unlink(r->lock_path);
        r->lock_path = mfree(r->lock_path);
        r->lock_fd = safe_close(r->lock_fd);
}
