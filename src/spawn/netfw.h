/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Port=: host ports forwarded to the container through nftables
 * (libnftables), in the supervisor's network namespace.
 *
 * The rules of each family live in a table of the cell's own, "ip TABLE"
 * and "ip6 TABLE", each added on its own, as nspawn adds its rules for each
 * family on its own: a kernel that cannot NAT IPv6 keeps the IPv4 ones (an
 * "inet" table would need both). Each table is replaced atomically at start
 * (so what a killed cell left is gone before the new rules are in) and
 * deleted when the cell stops. */

#include <stddef.h>

#include "plan.h"

/* "cell-" + the unit name with every byte nft does not take in an
 * identifier turned into '_'. Caller frees. NULL on OOM. */
char *netfw_table_name(const char *name);

/* The nft script that replaces the family's table (AF_INET: "ip TABLE",
 * AF_INET6: "ip6 TABLE") by one forwarding p->ports to p->ports_ipv4 or
 * p->ports_ipv6; without that address it only deletes the table. NULL on
 * OOM. Exposed for the unit test. */
char *netfw_script(const char *table, int family, const Plan *p);

/* Runs that script: 0; -EOPNOTSUPP when libnftables cannot be loaded
 * (message says why); -ENOMEM; -EIO when nftables refused it (message: its
 * first error line), and then the family's table of an earlier start is
 * deleted too: nothing of the family is left. */
int netfw_ports_add(const Plan *p, const char *table, int family, char *message, size_t size);

/* Deletes both tables if they are there (a stop, or the leftovers of a
 * killed cell): 0 also when there were none. */
int netfw_table_remove(const char *table);
