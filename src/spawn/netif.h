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

/* In the container's network namespace: ifname up, each "ADDR/PREFIX" of
 * addresses on it, and a default route via each address of gateways. */
int netif_configure(const char *ifname, char * const *addresses, char * const *gateways, SpawnError *err);
