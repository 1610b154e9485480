/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MACVLAN=: one running cell per macvlan address and parent (netif-lock.h). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
#include "macros.h"
#include "netif-internal.h"
#include "netif-lock.h"

/* Who holds the file, as it wrote itself there: its unit and machine
 * name, "" when it cannot be read (or has not been written yet: the
 * holder writes after its flock()). */
static void macvlan_lock_holder(int dir_fd, const char *file, char *unit, char *machine, size_t n) {
        char buf[256], *nl;

        unit[0] = machine[0] = 0;
        lock_file_read_text(dir_fd, file, buf, sizeof buf);
        nl = strchr(buf, '\n');
        if (!nl)
                return;
        *nl++ = 0;
        nl[strcspn(nl, "\n")] = 0;
        (void) snprintf(unit, n, "%s", buf);
        (void) snprintf(machine, n, "%s", nl);
}

/* The link whose macvlans' addresses the kernel keeps apart, for one made
 * on the parent of index: the parent, or for a macvlan (or macvtap) the
 * link below it, on which the kernel makes macvlans of a macvlan; 0 for
 * one below in another network namespace, where ours cannot name it (the
 * clash is then only met when the macvlan goes up). */
static unsigned macvlan_lower(struct mnl_socket **nl, unsigned index) {
        NetifMoved m;

        if (!*nl && netif_open(nl) < 0)
                return index;
        if (link_get(*nl, (int) index, NULL, &m) < 0 || (!streq(m.kind, "macvlan") && !streq(m.kind, "macvtap")))
                return index;
        return m.link_netnsid < 0 ? m.link : 0;
}

/* Undoes what this call added to l: its lock files go with their locks,
 * as their holder's release removes them (no one else holds them). */
static void macvlan_locks_drop(SharedLocks *l, size_t from, const char *lock_dir) {
        for (size_t i = from; i < l->n; i++) {
                lock_file_release_shared(l->locks[i].fd, lock_dir);
                free(l->locks[i].path);
        }
        l->n = MIN(l->n, from);
}

static int macvlan_lock_refused(const Plan *p, size_t i, unsigned lower, const uint8_t mac[static 6], int dir_fd,
                                const char *lock_dir, const char *file, SpawnError *err) {
        char origin[PATH_MAX + 32], unit[256], machine[256], who[300], below[IFNAMSIZ] = "";
        bool same = false;

        /* A macvlan parent: the clash is on the link below it. */
        if (lower > 0 && !if_indextoname(lower, below))
                (void) snprintf(below, sizeof below, "%u", lower);

        macvlan_lock_holder(dir_fd, file, unit, machine, sizeof unit);
        if (!*unit)
                (void) snprintf(who, sizeof who, "another cell");
        else if (streq(unit, p->name))
                (void) snprintf(who, sizeof who, "the cell %s, running already,", unit);
        else {
                (void) snprintf(who, sizeof who, "the cell %s", unit);
                same = streq(machine, p->network_machine_name);
        }
        return spawn_error(err, EADDRINUSE,
                           "%sMACVLAN=%s: %s has a macvlan on %s%s%s%s with this machine's MAC address "
                           "%02x:%02x:%02x:%02x:%02x:%02x already (its lock: %s/%s)%s%s%s",
                           plan_origin_prefix(p, "MACVLAN", i, origin, sizeof origin), p->macvlans[i].host, who,
                           *below ? below : p->macvlans[i].host, *below ? " (the link below the macvlan " : "",
                           *below ? p->macvlans[i].host : "", *below ? ")" : "",
                           mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], lock_dir,
                           file, same ? "; both units' names make the machine name " : "",
                           same ? machine : "",
                           same ? ", which the MAC address is made from: they cannot run at once" : "");
}

int netif_macvlan_locks_acquire(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        uint8_t machine_id[16];
        size_t n_before = l->n;
        char text[512];
        struct stat netns;
        int r;

        if (p->n_macvlans == 0)
                return 0;
        /* No machine ID: the kernel's random addresses, which do not clash. */
        if (netif_machine_id(machine_id) < 0)
                return 0;
        lock_dir = lock_dir ?: NETIF_LOCK_DIR;
        /* The macvlans are made from the supervisor's network namespace, ours,
         * on a parent of its: an address is claimed there, not in another. */
        if (stat("/proc/self/ns/net", &netns) < 0)
                return spawn_error(err, errno, "MACVLAN=: cannot tell which network namespace the parents are in");
        r = lock_dir_open(lock_dir, &dir_fd);
        if (r < 0)
                return spawn_error(err, r, "MACVLAN=: creating or opening %s", lock_dir);
        (void) snprintf(text, sizeof text, "%s\n%s\n", p->name, p->network_machine_name);

        for (size_t i = 0; i < p->n_macvlans; i++) {
                _cleanup_close_ int fd = -EBADF;
                char file[96], path[PATH_MAX];
                unsigned index, lower;
                uint8_t mac[6];

                /* Missing: spawn_network() fails on it, naming it. */
                index = if_nametoindex(p->macvlans[i].host);
                if (index == 0)
                        continue;
                lower = macvlan_lower(&nl, index);
                if (lower == 0)
                        continue;
                netif_mac(NETIF_MAC_MACVLAN, machine_id, p->network_machine_name, i, mac);
                (void) snprintf(file, sizeof file, "net-%" PRIu64 "-%u-%02x%02x%02x%02x%02x%02x",
                                (uint64_t) netns.st_ino, lower, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
                r = lock_file_take(dir_fd, file, text, &fd);
                if (r == 0) {
                        /* Refused before anything is made: the other cell's
                         * macvlan is untouched, and nothing is left of ours. */
                        r = macvlan_lock_refused(p, i, lower != index ? lower : 0, mac, dir_fd, lock_dir, file, err);
                        macvlan_locks_drop(l, n_before, lock_dir);
                        return r;
                }
                if (r > 0 && snprintf(path, sizeof path, "%s/%s", lock_dir, file) >= (int) sizeof path)
                        r = -ENAMETOOLONG;
                if (r > 0)
                        r = shared_locks_add_held(l, path, fd);
                if (r < 0) {
                        if (fd >= 0)
                                lock_file_release_shared(TAKE_FD(fd), lock_dir);
                        macvlan_locks_drop(l, n_before, lock_dir);
                        return spawn_error(err, r, "MACVLAN=%s: locking %s/%s", p->macvlans[i].host, lock_dir,
                                           file);
                }
        }
        /* With ours held: what holders killed (SIGKILL) left, which no
         * release removed, goes; a few where there are many. */
        (void) lock_dir_sweep(dir_fd, SHARED_LOCK_SWEEP_MAX, (size_t) getpid());
        return 0;
}
