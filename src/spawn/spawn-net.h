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
