/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Port=: host ports forwarded to the container through nftables
 * (libnftables), in the supervisor's network namespace.
 *
 * Every rule of a cell lives in one table of its own, "inet cell-NAME": it
 * is replaced atomically at start (so what a killed cell left is gone
 * before the new rules are in) and deleted when the cell stops. */

#include <net/if.h>

#include "plan.h"
#include "spawn-error.h"

/* "cell-" + the unit name with every byte nft does not take in an
 * identifier turned into '_'. Caller frees. NULL on OOM. */
char *netfw_table_name(const char *name);

/* The nft script that replaces the table by one forwarding p->ports to
 * p->ports_ipv4 and p->ports_ipv6, those of them that are set; NULL on
 * OOM. Exposed for the unit test. */
char *netfw_script(const char *table, const Plan *p);

/* Replaces the table by the plan's rules: each port over IPv4 and IPv6, to
 * the container's address of each family the plan has (an error saying so
 * when it has neither). */
int netfw_ports_add(const Plan *p, const char *table, SpawnError *err);

/* Deletes the table if it is there (a stop, or the leftovers of a killed
 * cell): 0 also when there was none. */
int netfw_table_remove(const char *table);
