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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

/* The table of a unit: "cell-" + its name, "@" as "/" (nft takes no "@":
 * "worker@3" is "cell-worker/3"), so that no two units share one -- not
 * "web@1" and "web_1", one machine "web-1" that can run twice (its veth
 * "vb-web-1" on a bridge, "ve-web-1" alone). A name with ":" or "\", which
 * nft names cannot hold either, has "_" for them and "//" and a hash of the
 * name after them. Caller frees. NULL on OOM. */
char *netfw_table_name(const char *name);

/* nft's longest name (NFT_NAME_MAXLEN without its NUL). */
#define NETFW_NAME_MAX 255

/* Whether the n bytes at s are a name netfw_table_name() makes: "cell-",
 * then at least one of what nft takes unquoted (letters, digits, "_", ".",
 * "-", "/"), NETFW_NAME_MAX at most. What is read back from a file or a
 * command line goes into an nft script as it is: no space, newline or
 * quote may come with it. */
bool netfw_table_name_is_valid(const char *s, size_t n);

/* The nft script that replaces the family's table (AF_INET: "ip TABLE",
 * AF_INET6: "ip6 TABLE") by one forwarding p->ports to p->ports_ipv4 or
 * p->ports_ipv6; without that address it only deletes the table. NULL on
 * OOM. Exposed for the unit test. */
char *netfw_script(const char *table, int family, const Plan *p);

/* A table this start added is named for its removal by the handle nft
 * gave it: a late stop of one start (cell-monitor's "cell __finish" runs
 * after the container's port locks are let go) must not delete the table
 * of the next start of the unit, which has the same name. 0: none added;
 * NETFW_HANDLE_BY_NAME: added, but nft echoed no handle (by name then). */
#define NETFW_HANDLE_BY_NAME UINT64_MAX

/* Runs that script: 0, and *ret_handle the new table's handle (0 where the
 * family has no address: only an old table was deleted); -EOPNOTSUPP when
 * libnftables cannot be loaded (message says why); -ENOMEM; -EIO when
 * nftables refused it (message: its first error line), and then the
 * family's table of an earlier start is deleted too: nothing of the family
 * is left. */
int netfw_ports_add(const Plan *p, const char *table, int family, uint64_t *ret_handle, char *message,
                    size_t size);

/* The handle of the last "add table FAMILY TABLE # handle N" line of nft's
 * echo (with handles); 0 when there is none. Exposed for the unit test. */
uint64_t netfw_echo_table_handle(const char *echo, int family, const char *table);

/* Deletes the tables a start added: handles[0] the ip one, handles[1] the
 * ip6 one (as netfw_ports_add() gave them; 0: none). A table gone already
 * is no error. */
int netfw_tables_remove(const char *table, const uint64_t handles[static 2]);

/* The tables of one start as one word, "IPHANDLE:IP6HANDLE:NAME" (the
 * handles in decimal, as netfw_ports_add() gave them): what cell-monitor
 * hands to "cell __finish" (--netfw-table=) and a Port='s lock file
 * records (port-lock.h). A table's name holds no ":". NULL on OOM. */
char *netfw_tables_format(const char *table, const uint64_t handles[static 2]);

/* The n bytes at s as netfw_tables_format() wrote them: each handle
 * digits only, no sign nor leading 0, at most UINT64_MAX
 * (NETFW_HANDLE_BY_NAME); the name netfw_table_name_is_valid(), nothing
 * after it. 0, *ret_table (malloc'ed) and ret_handles; -EINVAL: not so;
 * -ENOMEM. Untouched on failure. */
int netfw_tables_parse(const char *s, size_t n, char **ret_table, uint64_t ret_handles[static 2]);

/* One number of that syntax (a Port='s lock file's cookie too). */
int netfw_handle_parse(const char *s, size_t n, uint64_t *ret);
