/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Network interfaces over rtnetlink with libmnl (no ip(8): nothing from the
 * host runs for the container, and nothing from the container runs on the
 * host). */

#include <net/if.h>
#include <sys/types.h>

#include "spawn-error.h"

/* Sets IFF_UP on the interface named ifname in the current network namespace. */
int netif_set_up(const char *ifname, SpawnError *err);

/* The name of the host side of a cell's veth: "ve-" + the unit name cut to
 * IFNAMSIZ-1 bytes (systemd-nspawn's rule). */
void netif_veth_host_name(const char *name, char ret[static IFNAMSIZ]);

/* In the supervisor's (the host's) network namespace: a veth pair, host side
 * host_ifname, the peer created straight in the network namespace of pid
 * as peer_ifname; with bridge, the host side is enslaved to that existing
 * bridge; then the host side is brought up. A failure leaves no link on the
 * host (the pair is deleted again). */
int netif_veth_create(const char *host_ifname, const char *peer_ifname, pid_t pid,
                      const char *bridge, SpawnError *err);

/* Deletes the link host_ifname in the current network namespace; -ENODEV
 * when there is none. */
int netif_delete(const char *ifname);

/* -ENODEV with "KEY=IFNAME: no such interface on the host" when the host
 * (the calling thread's network namespace) has no ifname. */
int netif_check_host(const char *key, const char *ifname, SpawnError *err);

/* An interface moved into the container (Interface=): its index in the
 * container's network namespace and its name on the host. */
typedef struct NetifMoved {
        int index;
        char name[IFNAMSIZ];
} NetifMoved;

/* Moves the host's ifname into the network namespace netns_fd; *ret says
 * how to find it there and what to call it on the way back. */
int netif_move_in(const char *ifname, int netns_fd, NetifMoved *ret, SpawnError *err);

/* Moves each of moved from the network namespace netns_fd back into the
 * calling thread's, under its old name (the kernel would send a physical
 * interface to the initial namespace when netns_fd's goes away, and delete
 * a virtual one). Tries all; the first failure's -errno. */
int netif_move_back(int netns_fd, const NetifMoved *moved, size_t n);

/* kind "macvlan" (bridge mode) or "ipvlan" (L2 mode): a link named name on
 * the host's parent, created straight in the network namespace of pid.
 * Messages name MACVLAN= or IPVLAN= and parent. */
int netif_vlan_create(const char *kind, const char *parent, const char *name, pid_t pid, SpawnError *err);

/* In the container's network namespace: ifname up, each "ADDR/PREFIX" of
 * addresses on it, and a default route via each address of gateways. */
int netif_configure(const char *ifname, char * const *addresses, char * const *gateways, SpawnError *err);
