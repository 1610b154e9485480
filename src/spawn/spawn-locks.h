/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The locks a start holds from before its clone until its container ends
 * (spawn.h's Spawn, handed over to cell-monitor): LOCK_SH on the shared
 * places (Directory=, each Bind= source: shared-lock.h), Image='s
 * (root-image.h), each Port='s host port (port-lock.h), each MACVLAN='s
 * address on its parent (netif-lock.h), and the UID range
 * (uid-range.h: PrivateUsers=pick's lock; the other modes hold none, and
 * keep only what they decided).
 *
 * "cell run" clones the container's init a second time when systemd's bus
 * went between its probe and the scope (the cgroupfs manager wants the
 * child born in its cgroup). That is the same start: the first init's
 * locks are kept across (spawn_kill_keep_locks()) and taken over by the
 * second spawn_start() (SpawnParams.locks), never let go in between, where
 * another unit's start could take a port or the range and this one, which
 * held them first, would fail. The ports, the range and the places are the
 * same: so the second init maps the same UIDs, and builds on the places
 * the first decided on. None of them depends on the cgroup manager: the
 * ports are of the supervisor's network namespace, the range and the
 * places of the host. */

#include <stdbool.h>

#include "shared-lock.h"
#include "spawn-error.h"
#include "uid-range.h"

typedef struct SpawnLocks {
        SharedLocks shared;     /* the places', Image='s and Port='s (Spawn.shared) */
        UidRange users;         /* PrivateUsers=: the range, pick's with its lock (Spawn.users) */
} SpawnLocks;

#define SPAWN_LOCKS_NULL ((SpawnLocks) { .shared = SHARED_LOCKS_NULL, .users = UID_RANGE_NULL })

struct Spawn;
struct SpawnParams;

/* Before the clone: params->locks taken over when given (consumed, also on
 * failure; the ports' lock files name the table by name since
 * spawn_locks_tables_gone()), else each lock taken anew (a port another
 * cell holds, a range that cannot be had, a place held exclusively too
 * long fail the start with nothing held). Into s->shared and s->users. */
int spawn_locks_take(const struct SpawnParams *params, struct Spawn *s, SpawnError *err);

/* The take-back of a failed start's build (spawn_kill()): whether what was
 * made in the root and its Bind= mounts may go, only with every place
 * locked exclusively, all or nothing (shared-lock.h); each busy place said
 * once. keep: the locks are kept (shared_locks_exclusive_kept()), and go
 * back to LOCK_SH after the take-back (spawn_locks_keep()). */
bool spawn_locks_may_take_back_root(struct Spawn *s, bool keep);

/* After that take-back: s's locks into *ret, each place's LOCK_SH again;
 * s holds none then. On failure (a place's lock lost) they stay in s. */
int spawn_locks_keep(struct Spawn *s, SpawnLocks *ret, SpawnError *err);

/* After the first init's nft tables are deleted (kept, spawn_kill_keep_locks()):
 * each Port= lock file names unit's table by name again, as the take wrote
 * it, until the second init records its own tables' handles. */
void spawn_locks_tables_gone(SpawnLocks *l, const char *unit, const char *table);

/* Lets them go (the range's lock file removed, the places' lock files by
 * their last holder). */
void spawn_locks_done(SpawnLocks *l);
