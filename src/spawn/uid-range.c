/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
#include "macros.h"
#include "uid-range.h"

static bool host_knows_id(uint32_t id) {
        return getpwuid((uid_t) id) || getgrgid((gid_t) id);
}

bool (*uid_range_host_knows)(uint32_t id) = host_knows_id;

/* nspawn's superficial check (uid_shift_pick()): a range whose first or
 * last id (nspawn's +0xFFFE) the host's user database knows -- a user of
 * LDAP or userdb there, a machine nss-mymachines reports -- is someone's:
 * the container's files would be theirs. */
static bool range_known(uint32_t base) {
        return uid_range_host_knows(base) || uid_range_host_knows(base + UID_RANGE_PICK_SIZE - 2);
}

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
                if (r > 0 && range_known(base)) {
                        /* Not ours after all: the file goes again, under our lock. */
                        (void) unlinkat(dir_fd, file, 0);
                        fd = safe_close(fd);
                        continue;
                }
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
        return spawn_error(err, EBUSY, "PrivateUsers=pick: every range in 0x%" PRIx32 "..0x%" PRIx32 " is taken "
                           "(by a running cell, or by a user or group the host knows)",
                           UID_RANGE_PICK_MIN, UID_RANGE_PICK_MAX);
}

/* Whether a running picked cell holds slot base: its LOCK_EX refuses our
 * LOCK_SH (see uid-range.h). */
static int uid_range_check_slot(const Plan *p, int dir_fd, const char *lock_dir, uint32_t base, UidRange *r,
                                bool hold, SpawnError *err) {
        char file[32], holder[NAME_MAX + 1], mode[32];
        int r2;

        (void) snprintf(file, sizeof file, "%" PRIu32, base);
        if (p->users_mode == PLAN_USERS_FIXED)
                (void) snprintf(mode, sizeof mode, "%" PRIu32 ":%" PRIu32, r->base, r->count);
        else
                (void) snprintf(mode, sizeof mode, "yes");
        for (unsigned tries = 0; tries < 100; tries++) {
                _cleanup_close_ int fd = -EBADF;
                ssize_t k;

                r2 = lock_file_open(dir_fd, file, &fd);
                if (r2 < 0)
                        return spawn_error(err, r2, "PrivateUsers=%s: locking %s/%s", mode, lock_dir, file);
                if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
                        if (errno != EWOULDBLOCK)
                                return spawn_error(err, errno, "PrivateUsers=%s: locking %s/%s", mode, lock_dir, file);
                        /* Only a picked cell holds it LOCK_EX; its name is the file's text. */
                        k = pread(fd, holder, sizeof holder - 1, 0);
                        holder[MAX(k, (ssize_t) 0)] = 0;
                        holder[strcspn(holder, "\n")] = 0;
                        return spawn_error_complete(err, EBUSY, "PrivateUsers=%s: IDs %" PRIu32 "..%" PRIu32 " are "
                                                    "the range of the running cell \"%s\" (PrivateUsers=pick, "
                                                    "%s/%s): its root would be one of this container's users",
                                                    mode, base, base + UID_RANGE_PICK_SIZE - 1, holder, lock_dir,
                                                    file);
                }
                /* Removed by a picked cell's release between our open and
                 * flock: that file is no lock any more, open it again. */
                if (!lock_file_is_current(dir_fd, file, fd))
                        continue;
                /* Free: held, so that no pick takes it while we run; or, for
                 * a range of too many slots to hold, let go at once. */
                if (hold) {
                        r->slot_fds[r->n_slot_fds++] = TAKE_FD(fd);
                        return 0;
                }
                lock_file_release_shared(TAKE_FD(fd), lock_dir);
                return 0;
        }
        return spawn_error(err, EAGAIN, "PrivateUsers=%s: locking %s/%s", mode, lock_dir, file);
}

/* PrivateUsers=UID[:COUNT] and yes: no pick slot the range overlaps is a
 * running picked cell's, and (up to UID_RANGE_SLOTS_HELD_MAX of them) none
 * becomes one while this cell runs. On failure r holds nothing. */
static int uid_range_check_picked(const Plan *p, const char *lock_dir, UidRange *r, SpawnError *err) {
        _cleanup_close_ int dir_fd = -EBADF;
        uint64_t end = (uint64_t) r->base + r->count, first, b;
        bool hold;
        int k;

        if (end <= UID_RANGE_PICK_MIN || r->base > UID_RANGE_PICK_MAX + UID_RANGE_PICK_SIZE - 1)
                return 0;
        k = lock_dir_open(lock_dir, &dir_fd);
        if (k < 0)
                return spawn_error(err, k, "PrivateUsers=: creating or opening %s", lock_dir);
        first = MAX(r->base & ~(UID_RANGE_PICK_SIZE - 1), UID_RANGE_PICK_MIN);
        hold = (MIN(end - 1, (uint64_t) UID_RANGE_PICK_MAX) - first) / UID_RANGE_PICK_SIZE + 1 <=
                UID_RANGE_SLOTS_HELD_MAX;
        if (hold && !(r->slot_dir = strdup(lock_dir)))
                return spawn_error(err, ENOMEM, "PrivateUsers=");
        for (b = first; b < end && b <= UID_RANGE_PICK_MAX; b += UID_RANGE_PICK_SIZE) {
                k = uid_range_check_slot(p, dir_fd, lock_dir, (uint32_t) b, r, hold, err);
                if (k < 0) {
                        uid_range_release(r);
                        return k;
                }
        }
        return 0;
}

int uid_range_acquire(const Plan *p, const char *root, const char *lock_dir, UidRange *ret, SpawnError *err) {
        UidRange r;
        struct stat st;
        int k;

        switch (p->users_mode) {
        case PLAN_USERS_FIXED:
                r = (UidRange) { .base = p->uid_base, .count = p->uid_count, .lock_fd = -EBADF };
                k = uid_range_check_picked(p, lock_dir ?: UID_RANGE_LOCK_DIR, &r, err);
                if (k < 0)
                        return k;
                *ret = r;
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
                r = (UidRange) { .base = st.st_uid & 0xFFFF0000U, .count = p->uid_count ?: 0x10000,
                                 .lock_fd = -EBADF };
                k = uid_range_check_picked(p, lock_dir ?: UID_RANGE_LOCK_DIR, &r, err);
                if (k < 0)
                        return k;
                *ret = r;
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
        /* A slot's file goes with its last holder. */
        for (size_t i = 0; i < r->n_slot_fds; i++)
                lock_file_release_shared(r->slot_fds[i], r->slot_dir);
        r->n_slot_fds = 0;
        r->slot_dir = mfree(r->slot_dir);
}
