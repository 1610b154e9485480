/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The locks a start holds until its container ends, taken or kept from a
 * first clone of the same start (spawn-locks.h), and the take-back's
 * moment of holding the places alone. */

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "log.h"
#include "netfw.h"
#include "netif-lock.h"
#include "port-lock.h"
#include "spawn-locks.h"
#include "spawn.h"

int spawn_locks_take(const SpawnParams *params, Spawn *s, SpawnError *err) {
        const Plan *p = params->plan;
        char root[32];
        int r;

        /* The init cloned again: what its first clone held, never let go
         * in between. The image's locks are among them (the new mount
         * took over the same ones: root_image_mount_again()). */
        if (params->locks) {
                s->shared = params->locks->shared;
                s->users = params->locks->users;
                *params->locks = SPAWN_LOCKS_NULL;
                return 0;
        }

        /* Before anything is looked up or made in a place another
         * container may share: its take-back waits for none of ours.
         * Directory=: the one the start opened and decided on. */
        r = shared_locks_acquire(p, params->root_directory_fd, NULL, &s->shared, err);
        if (r < 0)
                return r;
        /* The image's lock lives as long as the container, handed over
         * with the places' to cell-monitor. */
        if (p->root_image && params->root_image_lock_fd >= 0) {
                r = shared_locks_add_held(&s->shared, p->root_image, params->root_image_lock_fd);
                if (r < 0)
                        return spawn_error(err, r, "Image=%s: cannot keep its lock", p->root_image);
        }
        if (p->root_image && params->root_image_whole_lock_fd >= 0) {
                r = shared_locks_add_held(&s->shared, p->root_image, params->root_image_whole_lock_fd);
                if (r < 0)
                        return spawn_error(err, r, "Image=%s: cannot keep its lock", p->root_image);
        }
        /* Port=: each host port ours before clone, and so before the rules
         * (spawn_network()): a port another cell forwards is refused with
         * nothing made, its traffic untouched. Held, handed over, with the
         * places' locks. */
        r = port_locks_acquire(p, NULL, &s->shared, err);
        if (r < 0)
                return r;
        /* MACVLAN=: each macvlan's address on its parent, as Port='s
         * ports: another cell's (of a unit whose name makes the same
         * machine name) refused at once, before anything is made. */
        r = netif_macvlan_locks_acquire(p, NULL, &s->shared, err);
        if (r < 0)
                return r;
        /* The range (and for pick its lock) before clone: a start that
         * cannot get one leaves nothing behind. */
        if (p->namespaces & CLONE_NEWUSER) {
                /* PrivateUsers=yes: the owner of the root locked, not of
                 * what its path leads to now. */
                int root_fd = p->root_image ? params->root_image_fd : params->root_directory_fd;

                if (root_fd >= 0)
                        (void) snprintf(root, sizeof root, "/proc/self/fd/%d", root_fd);
                r = uid_range_acquire(p, root_fd >= 0 ? root : p->root_directory, NULL, &s->users, err);
                if (r < 0)
                        return r;
                /* The pick slots a fixed range overlaps: held as long as the
                 * container, cell-monitor's too, so that no pick takes them. */
                for (size_t i = 0; i < s->users.n_slot_fds; i++) {
                        r = shared_locks_add_held(&s->shared, "PrivateUsers=", s->users.slot_fds[i]);
                        if (r < 0)
                                return spawn_error(err, r, "PrivateUsers=: cannot keep the lock of its range");
                }
        }
        return 0;
}

/* "/data, /etc/resolv.conf, ..." of what stays in the root, the first few:
 * what is on the shared places' file systems (not on the container's own
 * tmpfs, say), or if nothing is (a file system mounted below a Bind=
 * source), all of it. */
static void undo_left_paths(const SpawnUndo *u, const SharedLocks *shared, char *buf, size_t n) {
        size_t shown = 0, k = 0;
        bool any_on = false;

        for (size_t i = 0; i < u->record.created.n; i++) {
                const MountCreatedEntry *e = &u->record.created.entries[i];

                if (!e->host && shared_locks_on(shared, makedev(e->dev_major, e->dev_minor)))
                        any_on = true;
        }
        buf[0] = 0;
        for (size_t i = u->record.created.n; i > 0 && k + 1 < n; i--) {
                const MountCreatedEntry *e = &u->record.created.entries[i - 1];
                int w;

                if (e->host || (any_on && !shared_locks_on(shared, makedev(e->dev_major, e->dev_minor))))
                        continue;
                w = shown == 3 ? snprintf(buf + k, n - k, ", ...") :
                        snprintf(buf + k, n - k, "%s%s", shown > 0 ? ", " : "", e->path);
                if (w < 0)
                        break;
                k = MIN(k + (size_t) w, n - 1);
                if (shown++ == 3)
                        break;
        }
}

bool spawn_locks_may_take_back_root(Spawn *s, bool keep) {
        _cleanup_free_ bool *busy = NULL;
        char left[512];
        int n_busy;

        if (s->shared.n == 0 || !spawn_undo_has_root_entries(&s->undo))
                return true;
        busy = calloc(s->shared.n, sizeof *busy);
        if (!busy)
                return false;
        n_busy = keep ? shared_locks_exclusive_kept(&s->shared, busy) : shared_locks_exclusive(&s->shared, busy);
        if (n_busy == 0)
                return true;
        undo_left_paths(&s->undo, &s->shared, left, sizeof left);
        for (size_t i = 0; i < s->shared.n; i++)
                if (busy[i])
                        log_warning("left %s: another container uses %s", left, s->shared.locks[i].path);
        return false;
}

int spawn_locks_keep(Spawn *s, SpawnLocks *ret, SpawnError *err) {
        int r;

        /* The places the take-back held alone are shared again, before
         * anything of the second init is looked up in them. */
        r = shared_locks_share(&s->shared, err);
        if (r < 0)
                return r;
        *ret = (SpawnLocks) { .shared = s->shared, .users = s->users };
        s->shared = SHARED_LOCKS_NULL;
        s->users = UID_RANGE_NULL;
        return 0;
}

void spawn_locks_tables_gone(SpawnLocks *l, const char *unit, const char *table) {
        int r;

        /* By name, as from the take on: a start killed after the second
         * init's tables and before their record leaves them to the next
         * taker of a port (by name, while no start of the unit runs), not
         * the first init's handles, deleted already. */
        r = port_locks_record(&l->shared, unit, table,
                              (const uint64_t[2]) { NETFW_HANDLE_BY_NAME, NETFW_HANDLE_BY_NAME });
        if (r < 0)
                log_warning_errno(r, "Port=: cannot record the nft table %s by name in the ports' lock files: "
                                  "if this cell is killed before its second init's tables are recorded, a cell "
                                  "that takes its ports next does not remove them: %m", table);
}

void spawn_locks_done(SpawnLocks *l) {
        uid_range_release(&l->users);
        shared_locks_done(&l->shared);
}
