/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A cell's hold on its name, whatever its cgroup manager: an flock(LOCK_EX)
 * on RUNTIME/lock/NAME.lock (RUNTIME: runtime_state_dir(), /run/cell),
 * taken by "cell run" before anything of the start is made
 * (scope_lock_name(): before an image is attached, a credential read, the
 * init cloned, a cgroup looked at or a scope asked for), and held for the whole run
 * by the one process that is "cell run", then cell-monitor, then "cell
 * __finish" (by exec, the fd handed on), until the cgroups are gone or the
 * payload has ended. Two starts of one name at once, under any managers:
 * one holds it, the other is refused ("already running") before it touches
 * a cgroup or asks for a scope. Without it each cgroupfs start took the
 * other's new, still empty cgroup for a dead cell's leftover and replaced
 * it; two none starts ran, the second unseen; and a cgroupfs or none start
 * ran beside cell-NAME.scope (systemd makes a scope's name unique among its
 * scopes alone). A --user scope takes none: its names are the user
 * manager's (scope-bus.c).
 *
 * The file (lock-file.h: the lock, not the file, is the truth) holds the
 * holder's PID and its manager, for the message, "cell list" and a human. */

#include <stdbool.h>
#include <sys/types.h>

#include "scope.h"

/* A take-back of what a killed holder left (cgroup-leftover.h) holds the
 * name's lock too, for a few rmdir()s; it holds RUNTIME/lock/NAME.take-back
 * (its take-back lock) from before it takes the name's lock to after it
 * lets it go. A start that finds the name's lock held takes the take-back
 * lock itself: held, a take-back is at work and the start waits for it (up
 * to name_lock_take_back_wait_ms); taken, no take-back can hold the name's
 * lock, and a holder is a running cell: refused at once. Without it a
 * "cell stop NAME" of a killed cell refused a "cell run NAME" of that very
 * moment as if the name ran. */
#define NAME_LOCK_TAKE_BACK_WAIT_MS 5000U
/* The wait itself: NAME_LOCK_TAKE_BACK_WAIT_MS, shortened by tests alone. */
extern unsigned name_lock_take_back_wait_ms;

/* 0 and *ret_fd (O_CLOEXEC) when held; -EBUSY and *ret_holder (0: not
 * known) when another process holds it (a running cell); -EAGAIN (and
 * *ret_holder) when a take-back held it for name_lock_take_back_wait_ms.
 * Where the runtime directory cannot be written (not root: EACCES, EPERM,
 * EROFS) there is no lock: 0 and *ret_fd = -EBADF, as the runtime state is
 * then missing too.
 * ret_previous (may be NULL): when held, what the file held before (a
 * killed holder's notes, malloc'd; "" for none; NULL without a lock). */
int name_lock_acquire(const char *name, int *ret_fd, pid_t *ret_holder, char **ret_previous);
/* As name_lock_acquire(), and the file names manager (_CGROUP_MANAGER_MAX:
 * none named) on its second line, "manager NAME", for "cell list" to show
 * a start under way as the manager's. */
#define NAME_LOCK_NOTE_MANAGER "manager"
int name_lock_acquire_as(const char *name, CgroupManager manager, int *ret_fd, pid_t *ret_holder,
                         char **ret_previous);
/* NAME's lock if its file is there (-ENOENT if not) and no one holds it
 * (-EBUSY), with the take-back lock (-EBUSY: another take-back is at it)
 * into *ret_take_back_fd: a file left by a killed holder. Its notes are
 * left as they were and copied into *ret_notes. Both fds -EBADF where
 * nothing may be written. */
int name_lock_take_stale(const char *name, int *ret_fd, int *ret_take_back_fd, char **ret_notes);
/* Lets go of what name_lock_take_stale() took: the lock file removed if
 * remove (nothing left for a later try), else left with its notes. */
void name_lock_release_stale(const char *name, int fd, int take_back_fd, bool remove);
/* The holder of fd notes "KEY VALUE" in the file, before it makes what the
 * note names: what a killed holder made is then known to whoever takes the
 * lock after it (cgroup-leftover.h). fd < 0: nothing. */
void name_lock_note(int fd, const char *key, const char *value);
#define NAME_LOCK_NOTES_MAX 8192
/* RUNTIME/lock/NAME.lock, for messages and tests. */
int name_lock_path(const char *name, char **ret);
/* Removes the file if it is still ours, then closes fd (the lock goes with
 * it). fd < 0: nothing. */
void name_lock_release(const char *name, int fd);
/* Noted by a systemd run once its payload runs (scope_release()): its scope
 * is what names it from then on, found through the bus (and not where the
 * bus does not answer), and its holder is no start under way. */
#define NAME_LOCK_NOTE_STARTED "started"
/* The "cell run" that holds NAME's lock while it starts (before it writes
 * the runtime state or its scope runs, the only other traces of it), not
 * one that noted NAME_LOCK_NOTE_STARTED: a pidfd of the PID the
 * file names (O_CLOEXEC), if that process holds the lock and is no
 * take-back (it does not hold NAME.take-back too: a few rmdir()s, not to be
 * cut short), and that PID into *ret_pid (may be NULL); -ESRCH if there is
 * none. Opened before the lock is looked at, so that a PID reused since
 * cannot be taken for the holder. */
int name_lock_holder_pidfd(const char *name, pid_t *ret_pid);
/* The refusal of a start whose name's lock PID holds: name, PID, lock path. */
#define NAME_LOCK_RUNNING_FMT "cell %s is already running (PID %d holds %s)"
/* The manager the holder of NAME's lock named (name_lock_acquire_as()), or
 * _CGROUP_MANAGER_MAX. */
CgroupManager name_lock_holder_manager(const char *name);
/* The names whose lock file is in RUNTIME/lock (held or left by a killed
 * holder: name_lock_holder_pidfd() tells), sorted; an empty list where there
 * is no such directory. */
int name_lock_names(char ***ret);
