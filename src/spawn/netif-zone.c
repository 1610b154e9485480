/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Zone=: the bridge "vz-NAME" made when the first cell of the zone starts
 * and removed when the last one has gone, under one lock all cells share
 * (systemd-nspawn's --network-zone=); and the end of the veth pairs of
 * VirtualEthernetExtra=. */

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock-file.h"
#include "macros.h"
#include "netif-internal.h"
#include "netif.h"

#define ZONE_LOCK_DIR "/run/cell"
#define ZONE_LOCK_FILE "zone.lock"
/* The alias (IFLA_IFALIAS) of the bridges cell makes: cell removes only
 * those, never a vz-NAME an administrator (or networkd's .netdev) made. */
#define ZONE_BRIDGE_ALIAS "cell zone bridge"
/* systemd-nspawn's (252) lock around its zones' bridges: an OFD write lock
 * (F_OFD_SETLKW) on this file, which each holder removes as it lets go. */
#define NSPAWN_ZONE_LOCK "/run/systemd/nspawn-network-zone"
/* How long a start or end of a Zone= cell waits for either lock. */
#define ZONE_LOCK_WAIT_SEC 10u

/* The lock around every look at a zone's bridge and every change of it:
 * a cell joining (the bridge made, its veth put on it) and one leaving
 * (its ports counted, the bridge removed) never interleave. Its file is
 * never removed; a killed holder's lock goes with its fd. */
static int zone_lock_cell(unsigned timeout_sec, int *ret_fd) {
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        int r;

        r = lock_dir_open(ZONE_LOCK_DIR, &dir_fd);
        if (r < 0)
                return r;
        /* Root's only (lock_file_open()): a user holding it would hang
         * every Zone= start and end, which wait for it. */
        r = lock_file_open(dir_fd, ZONE_LOCK_FILE, &fd);
        if (r < 0)
                return r;
        /* Bounded: a holder that hangs must not hang every start and end of the zone. */
        r = lock_fd_wait(fd, LOCK_EX, timeout_sec * 1000);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int netif_nspawn_zone_lock(const char *path, unsigned timeout_sec, int *ret_fd) {
        for (;;) {
                _cleanup_close_ int fd = -EBADF;
                struct stat st;
                int r;

                /* O_NOFOLLOW, 0600: nspawn's own open() of it. */
                fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
                if (fd < 0) {
                        /* No /run/systemd (no systemd, so no nspawn), or
                         * one we may not write to (a cell in a container):
                         * no nspawn of this host takes the lock there. */
                        if (errno == ENOENT || errno == EROFS || errno == EACCES || errno == EPERM) {
                                *ret_fd = -EBADF;
                                return 0;
                        }
                        return -errno;
                }
                /* nspawn waits for it (F_OFD_SETLKW); we do, but not for ever. */
                r = lock_fd_wait_ofd(fd, timeout_sec * 1000);
                if (r < 0)
                        return r;
                if (fstat(fd, &st) < 0)
                        return -errno;
                /* Removed by the holder we waited for, as it let go: a
                 * lock on it guards nothing any more. */
                if (st.st_nlink > 0) {
                        *ret_fd = TAKE_FD(fd);
                        return 0;
                }
        }
}

void netif_nspawn_zone_unlock(const char *path, int fd) {
        if (fd < 0)
                return;
        /* Removed while still held, as nspawn's release does. */
        (void) unlink(path);
        (void) safe_close(fd);
}

/* Both locks of zone_lock(), let go of at the end of the scope. */
typedef struct ZoneLock {
        int fd;
        int nspawn_fd;
} ZoneLock;

static void zone_unlockp(ZoneLock *l) {
        netif_nspawn_zone_unlock(NSPAWN_ZONE_LOCK, l->nspawn_fd);
        l->nspawn_fd = -EBADF;
        l->fd = safe_close(l->fd);
}

/* cell's lock, then systemd-nspawn's: a vz-NAME is nspawn's name for
 * its zone's bridge too, and a host may run both; nspawn removes the
 * bridge once it has no port (under its lock only), and would take it
 * from a cell joining it between the bridge's check and the veth on it. */
static int zone_lock(ZoneLock *ret, const char **ret_what) {
        int r;

        *ret_what = ZONE_LOCK_DIR "/" ZONE_LOCK_FILE;
        r = zone_lock_cell(ZONE_LOCK_WAIT_SEC, &ret->fd);
        if (r < 0)
                return r;
        *ret_what = NSPAWN_ZONE_LOCK " (systemd-nspawn's)";
        return netif_nspawn_zone_lock(NSPAWN_ZONE_LOCK, ZONE_LOCK_WAIT_SEC, &ret->nspawn_fd);
}

/* The bridge, then cell's alias on it (RTM_NEWLINK takes no IFLA_IFALIAS
 * when it creates a link); without the alias it is deleted again. */
static int bridge_new(struct mnl_socket *nl, const char *bridge) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        struct nlattr *linkinfo;
        unsigned index;
        int r;

        mnl_attr_put_strz(nlh, IFLA_IFNAME, bridge);
        linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(nlh, linkinfo);
        r = netif_request(nl, nlh);
        if (r < 0)
                return r;
        index = if_nametoindex(bridge);
        if (index == 0)
                return -errno;
        nlh = link_message(buf, RTM_NEWLINK, 0, (int) index);
        mnl_attr_put_strz(nlh, IFLA_IFALIAS, ZONE_BRIDGE_ALIAS);
        r = netif_request(nl, nlh);
        if (r < 0)
                (void) netif_request(nl, link_message(buf, RTM_DELLINK, 0, (int) index));
        return r;
}

int netif_zone_join(const char *bridge, const NetifVethPair *pair, pid_t pid, SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        _cleanup_(zone_unlockp) ZoneLock lock = { .fd = -EBADF, .nspawn_fd = -EBADF };
        const char *lock_what;
        char what[IFNAMSIZ + 8];
        unsigned index;
        int r;

        (void) snprintf(what, sizeof what, "Zone=%s", startswith(bridge, "vz-") ?: bridge);
        r = zone_lock(&lock, &lock_what);
        /* -ETIME: nothing of the zone's was made (spawn-net.c leaves it alone). */
        if (r == -EWOULDBLOCK)
                return spawn_error_complete(err, ETIME, "%s: the lock %s has been held by another for %u s (a start "
                                            "or end of a container of a zone holds it for milliseconds)", what,
                                            lock_what, ZONE_LOCK_WAIT_SEC);
        if (r < 0)
                return spawn_error(err, r, "%s: taking the lock %s", what, lock_what);
        r = netif_open(&nl);
        if (r < 0)
                return spawn_error(err, r, "%s: opening rtnetlink", what);
        index = if_nametoindex(bridge);
        if (index == 0) {
                /* The zone's first cell: nothing but a cell of this zone
                 * makes or removes it, and all of them wait for the lock.
                 * A bridge that exists already is used as it is, and stays. */
                r = bridge_new(nl, bridge);
                if (r < 0 && r != -EEXIST)
                        return spawn_error(err, r, "%s: creating the bridge %s", what, bridge);
                index = if_nametoindex(bridge);
                if (index == 0)
                        return spawn_error(err, errno, "%s: the bridge %s vanished", what, bridge);
        } else {
                NetifMoved l;

                /* Another kind of link of that name (an administrator's
                 * veth, a NIC) is no zone: refused before it is brought up,
                 * which a failed start would leave it. */
                r = link_get(nl, (int) index, NULL, &l);
                if (r < 0)
                        return spawn_error(err, r, "%s: reading the link %s", what, bridge);
                if (!streq(l.kind, "bridge"))
                        return spawn_error(err, EINVAL, "%s: %s exists on the host and is no bridge (%s%s): "
                                           "a zone's bridge is of kind \"bridge\"", what, bridge,
                                           *l.kind ? "a " : "a physical interface", l.kind);
        }
        /* Up at every join: a bridge that is down forwards nothing. */
        r = link_set_up(nl, index);
        if (r < 0)
                return spawn_error(err, r, "%s: bringing the bridge %s up", what, bridge);
        return netif_veth_create(what, pair, pid, bridge, err);
}

/* What a dump of the links says about the bridge of index bridge. */
typedef struct ZoneScan {
        unsigned bridge;
        bool is_bridge;         /* the link at that index is of kind "bridge" ... */
        bool is_ours;           /* ... with cell's alias: cell made it */
        unsigned ports;         /* links whose master it is (or that could not be read) */
} ZoneScan;

static int zone_scan_msg(const struct nlmsghdr *nlh, void *data) {
        ZoneScan *z = data;
        NetifMoved l;
        int r;

        r = link_parse(nlh, &l);
        if (r == 0)
                return MNL_CB_OK;
        /* A link that cannot be read might be a port: the bridge stays. */
        if (r < 0) {
                z->ports++;
                return MNL_CB_OK;
        }
        if ((unsigned) l.index == z->bridge) {
                z->is_bridge = streq(l.kind, "bridge");
                z->is_ours = streq(l.alias, ZONE_BRIDGE_ALIAS);
        }
        else if (l.master == z->bridge)
                z->ports++;
        return MNL_CB_OK;
}

int netif_zone_leave(const char *bridge) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        _cleanup_(zone_unlockp) ZoneLock lock = { .fd = -EBADF, .nspawn_fd = -EBADF };
        const char *lock_what;
        char buf[MNL_SOCKET_BUFFER_SIZE];
        ZoneScan z = {};
        int r;

        r = zone_lock(&lock, &lock_what);
        if (r < 0)
                return r;
        z.bridge = if_nametoindex(bridge);
        if (z.bridge == 0)
                return 0;
        r = netif_open(&nl);
        if (r < 0)
                return r;
        /* Over rtnetlink, not /sys/class/net/BRIDGE/brif: that shows the
         * namespace /sys was mounted in, which need not be ours. */
        r = netif_query(nl, link_message(buf, RTM_GETLINK, NLM_F_DUMP, 0), zone_scan_msg, &z);
        if (r < 0)
                return r;
        /* Only a bridge cell made, and only one no cell of the zone is on
         * any more (nor anything else). */
        if (!z.is_bridge || !z.is_ours || z.ports > 0)
                return 0;
        r = netif_request(nl, link_message(buf, RTM_DELLINK, 0, (int) z.bridge));
        if (r == -ENODEV)
                return 0;
        return r < 0 ? r : 1;
}

int netif_veth_remove(const NetifVeth *v) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        char buf[MNL_SOCKET_BUFFER_SIZE];
        NetifMoved now;
        int r;

        if (v->index <= 0)
                return 0;
        r = netif_open(&nl);
        if (r < 0)
                return r;
        /* By its index, and only if the link there is still a veth with the
         * name cell gave it: the index may be another link's by now (one
         * made with that index, or a stale hand-over to "cell __finish"),
         * and deleting a veth that is not ours would take its peer along. */
        r = link_get(nl, v->index, NULL, &now);
        if (r == -ENODEV)
                return 0;
        if (r < 0)
                return r;
        if (!streq(now.name, v->name) || !streq(now.kind, "veth"))
                return 0;
        r = netif_request(nl, link_message(buf, RTM_DELLINK, 0, v->index));
        if (r == -ENODEV)
                return 0;
        return r < 0 ? r : 1;
}
