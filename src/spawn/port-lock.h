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
 * A holder killed (SIGKILL of cell or cell-monitor) leaves its tables:
 * its own next start replaces them by name, but another unit's start with
 * the port gets the lock and would add a second table forwarding it. So
 * each port's lock file says which tables its holder has, and which tables
 * of earlier holders are still to be deleted:
 *
 *   UNIT
 *   IPHANDLE:IP6HANDLE:TABLE    the holder's own (netfw_tables_format())
 *   NETNSCOOKIE                 of the network namespace of them all; 0: none
 *   IPHANDLE:IP6HANDLE:TABLE    (any number) earlier holders' still there
 *
 * A start writes it when it takes the lock, before any table of its own
 * exists, with its table's name and no handle yet, NETFW_HANDLE_BY_NAME for
 * both ("by name"), and again with the handles nft gave once they exist (0:
 * that family has none): there is no moment a table of its is recorded
 * nowhere (a start that clones its init again, spawn-locks.h, records it
 * by name again as soon as the first clone's tables are deleted, before
 * the second clone adds its own). A start that gets a lock reads what was
 * there first, and writes
 * the holders' tables back as its lines after the cookie, its own name and
 * record before them, before it deletes any of them, and afterwards leaves
 * there only those whose deletion failed (nft refused), for the next taker
 * to try again. Each write is one pwrite() of less than a page (killed,
 * all or nothing of it is there), padded with empty lines to the length of
 * what it replaces and then cut: never a line half of one text and half of
 * another.
 *
 * A table recorded by handle is deleted by it: a table that forwards a port
 * whose lock this start holds can only be of a holder that lost the lock --
 * killed, or ending after its "cell __finish" let the locks go, whose own
 * removal then meets a table gone, which is no error. And nft never gives
 * a handle twice in a network namespace: a table of that handle, if there
 * is one, is the dead holder's (a later start of its unit has new handles).
 * But only in that namespace: once it is gone, the kernel may give its
 * inode number (the lock file's name) to a new one, where handles begin
 * anew; a record of another cookie than ours is left alone (without
 * cookies, before Linux 5.14, the inode is trusted, as by the lock).
 *
 * A table recorded by name (its holder was killed before it wrote the
 * handles, or nft echoed none) may have the name of a running cell's: the
 * dead holder's unit started again, perhaps with other ports (so not
 * holding this one), has a table of that very name. So every start with
 * Port= holds, from before its tables are added until it ends, a shared
 * lock on its table's name in its network namespace,
 *
 *   PORT_LOCK_DIR/table-<INODE>-<HASH>     (siphash of the table's name)
 *
 * and a table is deleted by name only by a start that got that lock
 * exclusively (LOCK_EX|LOCK_NB), and while it holds it: then no start of
 * that unit runs in this namespace or is adding its tables (one that
 * starts meanwhile waits for its shared lock, SHARED_LOCK_WAIT_SEC at
 * most, then fails naming it), so a table of that name here is of one
 * that ended or was killed -- one that ended after its
 * clean-up let the locks go is deleting it by handle itself, and finds it
 * gone. Busy, the record is kept for the next taker: the running start of
 * that unit replaced, or is about to replace, the dead one's table by name
 * as it added its own (netfw.h), and if that start dies first, the table
 * is still to go. (Two table names of one hash only make the lock busier.)
 * A start does not delete by name a table of its own name: its own
 * tables replace it, and its own record covers it until they are there.
 *
 * That replacement deletes by name too: a second start of a running unit
 * (its file edited: other ports, so free, and a veth of another name)
 * would take the running one's forwarding away before systemd refused its
 * scope ("already running"), or run beside it (--cgroup-manager=none).
 * So one start of a unit at a time holds, on the same file, an OFD write
 * lock (fcntl(F_OFD_SETLK), which flock() does not see); a second is
 * refused there (-EBUSY), before it takes any port. */

#include <stdint.h>

#include "plan.h"
#include "shared-lock.h"
#include "spawn-error.h"

#define PORT_LOCK_DIR "/run/cell/port"

/* What a lock file holds at most: less than a page, one pwrite() that a
 * SIGKILL cannot cut. Records of earlier holders that do not fit are
 * dropped, with a warning. */
#define PORT_LOCK_TEXT_MAX 4000

/* Locks each of p's host ports, each added to l as held (shared-lock.h),
 * with the shared lock of its table's name. lock_dir: NULL for
 * PORT_LOCK_DIR (tests pass their own). A port another cell holds:
 * -EADDRINUSE, and err begins with the FILE:LINE of its Port= and names the
 * port and that cell. The lock of its table's name held exclusively for
 * SHARED_LOCK_WAIT_SEC: -EWOULDBLOCK; a start of p's unit runs here:
 * -EBUSY. On failure none of p's port locks
 * are in l (what l held before stays). Either way, the tables dead holders of a port taken
 * recorded are deleted (port_stale_remove()); those that stay are recorded
 * again in each lock file held. */
int port_locks_acquire(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err);

/* The tables one start recorded: netfw_tables_remove()'s arguments. */
typedef struct PortTables {
        char *table;
        uint64_t handles[2];    /* ip, ip6; 0: none; NETFW_HANDLE_BY_NAME: by name */
} PortTables;

/* Tables of dead holders, each once (several ports of one holder name the
 * same ones). */
typedef struct PortStale {
        PortTables *tables;
        size_t n;
} PortStale;

#define PORT_STALE_NULL ((PortStale) {})

void port_stale_done(PortStale *stale);

/* t to stale, unless it is there already, or names no table (0:0). */
int port_stale_add(PortStale *stale, const PortTables *t);

/* A lock file's text, read. */
typedef struct PortLockRecord {
        PortTables own;         /* table NULL: none written yet (a new file, or an older cell's) */
        uint64_t netns_cookie;  /* 0: none */
        PortStale left;         /* earlier holders' tables still to delete */
} PortLockRecord;

void port_lock_record_done(PortLockRecord *r);

/* Reads a lock file's text: 0 and *ret; -ENODATA: no record at all (a
 * new file, or only a unit's name: an older cell killed before it wrote
 * one); -EINVAL: any line not as port_lock_text() writes it (nothing of
 * such a file is trusted); -ENOMEM. */
int port_lock_parse(const char *text, PortLockRecord *ret);

/* A lock file's text: unit, own's record, netns_cookie (0: none), and
 * left's tables, those that fit in PORT_LOCK_TEXT_MAX (*ret_dropped: how
 * many did not; may be NULL). NULL on OOM. */
char *port_lock_text(const char *unit, const PortTables *own, uint64_t netns_cookie, const PortStale *left,
                     size_t *ret_dropped);

/* port_locks_acquire() without the removal: the tables recorded in each
 * lock file taken (also by a call refused a later port) whose network
 * namespace is ours and that are not of p's own table are added to stale,
 * once, and written back into the file after p's name and pending record.
 * Exposed for the unit test. */
int port_locks_take(const Plan *p, const char *lock_dir, SharedLocks *l, PortStale *stale, SpawnError *err);

/* Which of t's tables a start may delete now, in the network namespace
 * whose lock files are in dir_fd (inode netns_inode): each one by handle;
 * those by name only with the lock of t's name taken exclusively, into
 * *ret_lock_fd (-EBADF: none taken; the caller closes it once they are
 * deleted). ret_handles: what to pass netfw_tables_remove(), 0 for what
 * must stay. Exposed for the unit test. */
int port_stale_claim(int dir_fd, uint64_t netns_inode, const PortTables *t, uint64_t ret_handles[static 2],
                     int *ret_lock_fd);

/* A start's own tables at their removal, where nft echoed no handle
 * (NETFW_HANDLE_BY_NAME): by name only while no other start of the unit
 * runs in this network namespace, one whose table has that very name. So
 * when l no longer holds the lock of the table's name ("cell __finish",
 * run after cell-monitor let the locks go, when the unit may have started
 * again), with it taken exclusively (port_stale_claim(): *ret_lock_fd, to
 * be closed once they are deleted); else (busy, or it cannot be told) 0
 * for what is by name in handles. l NULL: holds none. */
int port_table_claim_own(const SharedLocks *l, const char *table, uint64_t handles[static 2], int *ret_lock_fd);

/* "cell stop NAME" of a cell that does not run: the nft tables of NAME's
 * unit (netfw_table_name()) in our network namespace, which a killed run
 * left forwarding its ports to an address that may be another's by then,
 * deleted by name as port_table_claim_own() allows (no start of the unit
 * runs here). Otherwise only the unit's next start replaced them, or
 * another unit's taking a port deleted them. 1: deleted (if there); 0:
 * none to look for, or a start of the unit runs here; -errno. */
int port_table_take_back(const char *name);

/* Rewrites each Port= lock file in l (SharedLock.port) through the fd
 * held, once its tables exist: its own record becomes table and handles;
 * the earlier holders' records after it stay. */
int port_locks_record(const SharedLocks *l, const char *unit, const char *table, const uint64_t handles[static 2]);

/* Our network namespace's cookie (SO_NETNS_COOKIE, Linux 5.14): unlike its
 * inode, never given to another one while the host runs. */
int port_lock_netns_cookie(uint64_t *ret);
