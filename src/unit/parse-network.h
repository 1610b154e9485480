/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"

/* Port=[tcp|udp:]HOST[:CONTAINER] as systemd-nspawn's --port=: ports
 * 1..65535, the container port defaults to the host port, tcp by default. */
int parse_port(const char *s, CellPort *ret);

/* Address=ADDR/PREFIX (IPv4 or IPv6, the prefix required): *ret gets the
 * canonical text ("10.0.0.2/24", "fd00::2/64"), malloc'ed. -EINVAL when
 * malformed, -ENOMEM. */
int parse_address_prefix(const char *s, char **ret);
/* Gateway=ADDR (IPv4 or IPv6, no prefix): the canonical text, malloc'ed. */
int parse_gateway(const char *s, char **ret);

/* Whether Port= forwards to this Address= (canonical "ADDR/PREFIX"):
 * AF_INET or AF_INET6 when it does, 0 when it cannot. nspawn's rule: an
 * address of a scope wider than link, so not IPv6's link-local fe80::/10
 * (link scope) nor ::1 (host scope), which the host's other links do not
 * reach; every IPv4 Address= is added with global scope. Neither family's
 * loopback (127.0.0.0/8, ::1: the host's own), unspecified (0.0.0.0/8, ::)
 * nor multicast addresses, nor 255.255.255.255. */
int address_port_family(const char *address);

/* VirtualEthernetExtra=HOSTIF[:CONTAINERIF] as systemd-nspawn's
 * --network-veth-extra=: two interface names (CONTAINERIF defaults to
 * HOSTIF), malloc'ed. -EINVAL for a bad or empty one, -ENOMEM. */
int parse_veth_extra(const char *s, char **ret_host, char **ret_container);
