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
 * takes it over.
 *
 * A holder killed (SIGKILL of cell or cell-monitor) leaves its tables: its
 * own next start replaces them by name, but another unit's start with the
 * port gets the lock and would add a second table forwarding it. So the
 * holder records in each of its port lock files, once its tables exist,
 * which they are, by the handles nftables gave them, on a second line,
 * and on a third the cookie of the network namespace they are in:
 *
 *   UNIT
 *   IPHANDLE:IP6HANDLE:TABLE
 *   NETNSCOOKIE
 *
 * (the second as cell-monitor hands them to "cell __finish",
 * --netfw-table=; the third where the kernel gives one), and a
 * start that gets a lock reads what the last holder recorded before its own
 * name replaces it, and deletes those tables by handle (each once) before
 * it adds its own. That is exact: a table that forwards a port whose lock
 * this start holds can only be of a holder that lost the lock -- killed,
 * or ending after its "cell __finish" let the locks go, whose own removal
 * then meets a table gone, which is no error. And nft never gives a handle
 * twice in a network namespace: a table of that handle, if there is one,
 * is the dead holder's (a later start of its unit has new handles). But
 * only in that namespace: once it is gone, the kernel may give its inode
 * number (the lock file's name) to a new one, where handles begin anew; a
 * record of another cookie than ours is left alone (without cookies,
 * before Linux 5.14, the inode is trusted, as by the lock). A table nft
 * echoed no handle for (NETFW_HANDLE_BY_NAME) is left: by its name it
 * might be a later start's. */

#include <stdint.h>

#include "plan.h"
#include "shared-lock.h"
#include "spawn-error.h"

#define PORT_LOCK_DIR "/run/cell/port"

/* Locks each of p's host ports, each added to l as held (shared-lock.h).
 * lock_dir: NULL for PORT_LOCK_DIR (tests pass their own). A port another
 * cell holds: -EADDRINUSE, and err begins with the FILE:LINE of its Port=
 * and names the port and that cell. On failure none of p's port locks are
 * in l (what l held before stays). Either way, the tables a dead holder of
 * a port taken recorded are deleted (by handle; a table gone already is no
 * error, another failure a warning naming it). */
int port_locks_acquire(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err);

/* The tables one holder recorded: netfw_tables_remove()'s arguments. */
typedef struct PortTables {
        char *table;
        uint64_t handles[2];    /* ip, ip6; 0: none */
        uint64_t netns_cookie;  /* SO_NETNS_COOKIE of the network namespace of its tables; 0: none */
} PortTables;

/* The tables dead holders recorded in the lock files a start took, each
 * once (several ports of one holder name the same ones). */
typedef struct PortStale {
        PortTables *tables;
        size_t n;
} PortStale;

#define PORT_STALE_NULL ((PortStale) {})

/* port_locks_acquire() without the removal: each table recorded in a lock
 * file taken (also by a call refused a later port) is added to stale, once.
 * Exposed for the unit test. */
int port_locks_take(const Plan *p, const char *lock_dir, SharedLocks *l, PortStale *stale, SpawnError *err);

void port_stale_done(PortStale *stale);

/* Rewrites each Port= lock file in l (SharedLock.port) through the fd
 * held, once its tables exist: "UNIT\nIPHANDLE:IP6HANDLE:TABLE\nCOOKIE\n"
 * (COOKIE: our network namespace's, where the kernel gives one). */
int port_locks_record(const SharedLocks *l, const char *unit, const char *table, const uint64_t handles[static 2]);

/* A lock file's text as port_locks_record() writes it (netns_cookie 0: no
 * third line); NULL on OOM. */
char *port_lock_text(const char *unit, const char *table, const uint64_t handles[static 2], uint64_t netns_cookie);

/* Our network namespace's cookie (SO_NETNS_COOKIE, Linux 5.14): unlike its
 * inode, never given to another one while the host runs. */
int port_lock_netns_cookie(uint64_t *ret);

/* The tables recorded in a lock file's text (its second line): 0 and
 * *ret (table malloc'ed); -ENODATA: none recorded (a holder that had not
 * got that far); -EINVAL: not a record; -ENOMEM. */
int port_lock_parse(const char *text, PortTables *ret);
