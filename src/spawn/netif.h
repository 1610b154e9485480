/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Network interfaces over rtnetlink with libmnl (no ip(8): nothing from the
 * host runs for the container, and nothing from the container runs on the
 * host). */

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macros.h"
#include "spawn-error.h"

/* Sets IFF_UP on the loopback ("lo") of the current network namespace, the
 * container's. Messages begin with what, the key that made the namespace
 * ("PrivateNetwork=yes: bringing the container's loopback (lo) up: ..."). */
int netif_loopback_up(const char *what, SpawnError *err);

/* How long a macvlan whose address is in use on its lower device
 * (EADDRINUSE: the container's macvlan of its last start, in a namespace
 * going away) is tried again. */
#define NETIF_ADDRESS_WAIT_USEC (5 * USEC_PER_SEC)

/* IFLA_IFALIAS's size (IFALIASZ, <linux/if.h>, which clashes with <net/if.h>). */
#define NETIF_ALIAS_MAX 256
/* In the alias of a veth's host side cell makes ("VirtualEthernet= of the
 * cell web@1, the machine web-1"), what the machine name follows: a start
 * that meets another cell's veth of its name says when both units' names
 * make one machine name. */
#define NETIF_ALIAS_MACHINE ", the machine "

/* A veth pair to make: the host side's name (and an alternative name for
 * it, or NULL; and an alias, IFLA_IFALIAS, saying whose it is to a start
 * that meets it, or NULL), the container side's, and their MAC addresses
 * (6 bytes each; NULL: the kernel's random one). */
typedef struct NetifVethPair {
        const char *host;
        const char *host_altname;
        const char *host_alias;
        const uint8_t *host_mac;
        const char *peer;
        const uint8_t *peer_mac;
} NetifVethPair;

/* In the supervisor's (the host's) network namespace: the veth pair, the
 * peer created straight in the network namespace of pid; with bridge, the
 * host side is enslaved to that existing bridge; then the host side is
 * brought up. The alternative name is given if the kernel takes it (as
 * nspawn, a failure there is no failure). A failure leaves no link on the
 * host (the pair is deleted again). A veth of the host side's name that
 * may be this container's of its last start is waited for
 * (NETIF_ADDRESS_WAIT_USEC); another's fails at once, saying whose.
 * Messages start with what ("VirtualEthernet=yes", "Zone=web", ...). */
int netif_veth_create(const char *what, const NetifVethPair *pair, pid_t pid, const char *bridge, SpawnError *err);

/* A host side cell made (VirtualEthernet=, VirtualEthernetExtra=): its
 * index and name then; deleted at the end only if the link at that index
 * is still a veth of that name. */
typedef struct NetifVeth {
        int index;
        char name[IFNAMSIZ];
} NetifVeth;

/* Deletes v's link if the link at v->index is still a veth named v->name:
 * 1 deleted, 0 gone already (with the container's network namespace),
 * renamed or another link, else -errno. */
int netif_veth_remove(const NetifVeth *v);

/* Zone=: under a lock all cells share (/run/cell/zone.lock), and then
 * systemd-nspawn's (/run/systemd/nspawn-network-zone), the bridge
 * (a "vz-NAME") is made if missing and brought up, and a veth pair as
 * netif_veth_create() put on it, so that netif_zone_leave() of another
 * cell never removes a bridge this one is joining. The bridge may be left
 * without ports on a failure: netif_zone_leave() is for every end, but
 * for -ETIME: either lock held by another for 10 s, nothing made. */
int netif_zone_join(const char *bridge, const NetifVethPair *pair, pid_t pid, SpawnError *err);

/* Zone=, at the end (after the veth's host side was deleted): under the
 * same locks, removes the bridge if no link is a port of it any more. 1
 * removed, 0 left (ports on it, or gone already), else -errno. */
int netif_zone_leave(const char *bridge);

/* -ENODEV with "KEY=IFNAME: no such interface on the host" when the host
 * (the calling thread's network namespace) has no ifname; else its index
 * in *ret_index (if not NULL). */
int netif_check_host(const char *key, const char *ifname, unsigned *ret_index, SpawnError *err);

/* An interface moved into the container (Interface=): its index in the
 * container's network namespace, its name on the host, and what tells that
 * the link at that index is still the one moved in (read there right after
 * the move, before the payload runs; netif_move_back() compares). */
typedef struct NetifMoved {
        int index;
        char name[IFNAMSIZ];
        char kind[16];                  /* IFLA_INFO_KIND; "" for none (a physical NIC) */
        uint8_t perm_addr[32];          /* IFLA_PERM_ADDRESS, when the driver has one */
        uint8_t perm_addr_len;
        int32_t link_netnsid;           /* IFLA_LINK_NETNSID: its peer (a veth's) or lower link is
                                         * outside the container, in that namespace; -1 = none */
        uint32_t link;                  /* ... IFLA_LINK: that peer's or lower link's index there */
        uint8_t addr[32];               /* IFLA_ADDRESS, compared only when neither of the above is */
        uint8_t addr_len;
        unsigned short type;            /* ifi_type: ARPHRD_ETHER, ... (not compared) */
        uint16_t ipvlan_mode;           /* an ipvlan's IFLA_IPVLAN_MODE (not compared) */
        uint32_t master;                /* IFLA_MASTER: the bridge (bond) it is a port of; 0: none (not compared) */
        char alias[32];                 /* IFLA_IFALIAS, cut short: enough to tell cell's own (not compared) */
        unsigned flags;                 /* ifi_flags: IFF_UP, ... (not compared) */
} NetifMoved;

/* Moves the host's ifname (by name) into the network namespace netns_fd;
 * *ret says how to find it there, how to know it, and what to call it on
 * the way back. A failure after the move moves it back at once. */
int netif_move_in(const char *ifname, int netns_fd, NetifMoved *ret, SpawnError *err);

/* Whether a and b are the same link by what NetifMoved records. */
bool netif_moved_same(const NetifMoved *a, const NetifMoved *b);

/* Moves moved from the network namespace netns_fd back into the calling
 * thread's, under its old name (the kernel would send a physical interface
 * to the initial namespace when netns_fd's goes away, and delete a virtual
 * one), if the link at its index there is still the one moved in. 0: back
 * as moved->name; 1: that name was taken on the host, back as ret_name
 * (NAME-cellN); -ESTALE: the link at that index is another one, left where
 * it is; -ENODEV: no link at that index any more; else -errno. */
int netif_move_back(int netns_fd, const NetifMoved *moved, char ret_name[static IFNAMSIZ]);

/* kind "macvlan" (bridge mode) or "ipvlan" (L2 mode): a link named name on
 * the host's parent, created straight in the network namespace of pid, with
 * the MAC address mac (6 bytes; NULL: the kernel's random one). An ipvlan
 * is not made (-EBUSY) on a parent with an ipvlan of the host's in another
 * mode, which the kernel would switch to L2. Messages name MACVLAN= or
 * IPVLAN= and parent. */
int netif_vlan_create(const char *kind, const char *parent, const char *name, const uint8_t *mac,
                      pid_t pid, SpawnError *err);

/* Whether the host's link parent (by name) is down (no IFF_UP): a macvlan
 * or ipvlan on it is made, and brought up, but carries nothing until the
 * parent is up. 1: down; 0: up; -errno (-ENODEV: no such link). */
int netif_vlan_parent_down(const char *parent);

/* /etc/machine-id's 16 bytes; -ENOMEDIUM when it holds no ID yet. */
int netif_machine_id(uint8_t ret[static 16]);

/* The links nspawn gives a MAC address of its own, each hashed with a key
 * of its own. */
typedef enum NetifMacKind {
        NETIF_MAC_VETH_HOST,            /* VirtualEthernet='s host side */
        NETIF_MAC_VETH_CONTAINER,       /* ... host0 */
        NETIF_MAC_VETH_EXTRA_HOST,      /* VirtualEthernetExtra='s host side */
        NETIF_MAC_VETH_EXTRA_CONTAINER, /* ... its container side */
        NETIF_MAC_MACVLAN,
        _NETIF_MAC_KIND_MAX,
} NetifMacKind;

/* nspawn's address for the idx-th (from 0) link of that kind of the
 * container name on the machine machine_id: stable across starts (DHCP
 * leases and IPv6 addresses derived from it hold), unicast and locally
 * administered. */
void netif_mac(NetifMacKind kind, const uint8_t machine_id[static 16], const char *name, uint64_t idx,
               uint8_t ret[static 6]);

/* In the container's network namespace: ifname up, each "ADDR/PREFIX" of
 * addresses on it, and a default route via each address of gateways.
 * Messages about the link begin with what, the key that made it
 * ("MACVLAN=eth0: bringing mv-eth0 up: ..."); those about an address or a
 * gateway with "Address=ADDR/PREFIX: " or "Gateway=ADDR: ". */
int netif_configure(const char *what, const char *ifname, char * const *addresses, char * const *gateways,
                    SpawnError *err);
