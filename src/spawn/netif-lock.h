/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* MACVLAN=: a macvlan's MAC address is nspawn's, hashed from the machine
 * name (netif_mac()), and the kernel refuses to bring up a macvlan whose
 * address another macvlan of the same lower device has (EADDRINUSE). Two
 * units whose names make one machine name ("web@1", "web_1": "web-1") so
 * get one address on a parent both name, and once the first's is in its
 * container's network namespace nothing on the host says whose it is: the
 * second start took it for its own last start's, whose namespace the
 * kernel tears down in the background, and waited for it 5 s in vain. So
 * each macvlan's address is claimed on its parent with a lock file
 * (lock-file.h),
 *
 *   NETIF_LOCK_DIR/net-<INODE>-<IFINDEX>-<MAC>
 *
 * flock(LOCK_EX|LOCK_NB), "UNIT\nMACHINE\n" written into it for the message
 * of the one refused: <INODE> is the supervisor's network namespace, where
 * the parent of index <IFINDEX> is (for a parent that is a macvlan, the
 * link below it: the kernel makes a macvlan of a macvlan on that). Taken before the clone, held for the
 * container's life with the shared places' locks (handed over to
 * cell-monitor), released by its holder (the file removed), or freed by a
 * SIGKILL (the file left, swept by the next start with MACVLAN= and by
 * "cell stop"). A killed cell's own macvlan, still in its dying namespace,
 * holds no lock: its next start (or another unit's of its machine name)
 * gets it and waits for that macvlan to go, as before. ipvlan needs none:
 * an ipvlan has its parent's MAC address, and no machine name makes it. */

#include "plan.h"
#include "shared-lock.h"
#include "spawn-error.h"

#define NETIF_LOCK_DIR CELL_MACVLAN_LOCK_DIR

/* Locks the address of each of p's MACVLAN= entries on its parent, each
 * added to l as held. Nothing (not a system call) for a plan without
 * MACVLAN=; nothing either without a machine ID (random addresses that do
 * not clash) or for a parent that is not there (the start fails on it
 * later, saying so). lock_dir: NULL for NETIF_LOCK_DIR (tests pass their
 * own). An address another cell holds: -EADDRINUSE, err beginning with the
 * FILE:LINE of that MACVLAN= and naming the parent, that cell and the
 * machine name. On failure none of this call's locks are in l (what l
 * held before stays), and no file of its is left. */
int netif_macvlan_locks_acquire(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err);
