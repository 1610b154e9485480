/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The host's side of the container's network, for spawn_start() and
 * spawn_done(): what is made on the host or moved into the child's network
 * namespace, and taken away again. */

#include "spawn.h"

/* VirtualEthernet= (Bridge=, Zone=), VirtualEthernetExtra=, Interface=,
 * MACVLAN=, IPVLAN=, Port= for the child s->pid; what is made is recorded in
 * s as it is made, for spawn_network_done(), also when a later step fails. */
int spawn_network(Spawn *s, const Plan *p, SpawnError *err);
/* Removes the Port= table and the host sides of the veths (if still there),
 * the zone's bridge if that was its last port, moves Interface= links back. */
void spawn_network_done(Spawn *s);

/* In the child, in the container's network namespace, once spawn_network()
 * put the links in: lo and each link up, Address= and Gateway= on
 * Plan.address_interface. A message about a link begins "FILE:LINE: KEY=VALUE: "
 * of the entry that made it (VirtualEthernet=, Bridge=, Zone=, Interface=,
 * MACVLAN=, IPVLAN=, VirtualEthernetExtra=); one about an address or a
 * gateway "Address=..." or "Gateway=...", which plan_message_origin()
 * names the line of. */
int spawn_network_configure(const Plan *p, SpawnError *err);

/* After a failure of the item-th entry of the list key (Interface=,
 * MACVLAN=, IPVLAN=, VirtualEthernetExtra=), whose message begins
 * "KEY=...": "FILE:LINE: " of the line that wrote that entry in front of it,
 * where plan_message_origin() would name the key's first line. Returns
 * -err->error, for "return spawn_net_item_origin(...)". */
int spawn_net_item_origin(const Plan *p, const char *key, size_t item, SpawnError *err);
