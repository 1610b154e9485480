/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The host UID/GID range of a container with PrivateUsers=, decided by the
 * supervisor at start:
 *
 *   PrivateUsers=UID[:COUNT]  the range as written;
 *   PrivateUsers=yes          the range starting at the owner of the root
 *                             directory, rounded down to 64 Ki (nspawn's
 *                             rule: the image is already shifted);
 *   PrivateUsers=pick         a free 64 Ki range in 0x80000..0x6FFF0000,
 *                             first the plan's uid_base (a hash of the
 *                             name), then the following ones, wrapping
 *                             around; one whose first or last ID the
 *                             host's user database knows (getpwuid,
 *                             getgrgid: nspawn's check) is skipped.
 *
 * A range of PrivateUsers=UID[:COUNT] or yes that overlaps a slot a
 * running picked cell holds is refused (EBUSY, naming that cell): a
 * LOCK_SH|LOCK_NB on each slot's file, held for the container's life (up to
 * UID_RANGE_SLOTS_HELD_MAX slots; a larger range is only checked at its
 * start), so that a later pick, whose LOCK_EX it refuses, goes past it.
 * spawn hands the held fds on with the places' locks (shared-lock.h).
 *
 * A picked range is held by an flock(LOCK_EX) on /run/cell/uid/<BASE>: the
 * lock, not the file, is the truth, so the file of a cell that died is
 * simply taken over. The supervisor keeps the fd for the container's life;
 * closing it (any exit path, even SIGKILL) frees the range. A clean release
 * also removes the file, under the lock; a locker checks after flock() that
 * the file it locked is still the one at the path, so a removal between
 * its open() and its flock() cannot give two cells one range. */

#include <stdbool.h>
#include <stdint.h>

#include "lock-file.h"
#include "plan.h"
#include "spawn-error.h"

#define UID_RANGE_LOCK_DIR CELL_UID_LOCK_DIR
#define UID_RANGE_PICK_MIN UINT32_C(0x00080000)
#define UID_RANGE_PICK_MAX UINT32_C(0x6FFF0000)
#define UID_RANGE_PICK_SIZE UINT32_C(0x10000)

#define UID_RANGE_SLOTS_HELD_MAX 8

typedef struct UidRange {
        uint32_t base;
        uint32_t count;
        int lock_fd;            /* PICK: the flock'ed file, else -EBADF */
        char *lock_path;        /* PICK: its path, removed at release */
        /* UID[:COUNT] and yes: the pick slots the range overlaps, LOCK_SH */
        int slot_fds[UID_RANGE_SLOTS_HELD_MAX];
        size_t n_slot_fds;
        char *slot_dir;         /* where their files are */
} UidRange;

#define UID_RANGE_NULL ((UidRange) { .lock_fd = -EBADF })

/* Decides (and for PICK locks) the range. root: the path the container's
 * root is opened by (PrivateUsers=yes takes its owner: Directory=, or
 * Image='s mount as /proc/self/fd/N). lock_dir: NULL for
 * UID_RANGE_LOCK_DIR (tests pass their own). */
int uid_range_acquire(const Plan *p, const char *root, const char *lock_dir, UidRange *ret, SpawnError *err);
/* Whether the host has a user or group of this ID (getpwuid, getgrgid);
 * tests replace it. */
extern bool (*uid_range_host_knows)(uint32_t id);
/* Removes the lock file and closes the lock; the range is free again. */
void uid_range_release(UidRange *r);
