/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Port=: a host port is forwarded by one running cell at most. Each cell
 * has an nft table of its own (netfw.h), so nftables lets two tables DNAT
 * one port, and which rule wins is undefined: one container silently gets
 * nothing. systemd-nspawn is refused by the kernel instead (its ports are
 * the keys of one map, io.systemd.nat). cell claims each port with a lock
 * file (lock-file.h):
 *
 *   PORT_LOCK_DIR/net-<INODE>-<tcp|udp>-<HOSTPORT>
 *
 * flock(LOCK_EX|LOCK_NB), the holder's unit name written into it for the
 * message of the one refused. <INODE> is the supervisor's network namespace
 * (where the rules go): cells in two network namespaces each have their
 * own ports. Taken before the rules are added, held by the supervisor for
 * the container's life and handed over to cell-monitor with the shared
 * places' locks; closing it (any exit, even SIGKILL) frees the port. The
 * file stays, as the lock, not the file, is the truth: the next holder
 * takes it over. */

#include "plan.h"
#include "shared-lock.h"
#include "spawn-error.h"

#define PORT_LOCK_DIR "/run/cell/port"

/* Locks each of p's host ports, each added to l as held (shared-lock.h).
 * lock_dir: NULL for PORT_LOCK_DIR (tests pass their own). A port another
 * cell holds: -EADDRINUSE, and err begins with the FILE:LINE of its Port=
 * and names the port and that cell. On failure none of p's port locks are
 * in l (what l held before stays). */
int port_locks_acquire(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err);
