/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "config.h"

/* Port=[tcp|udp:]HOST[:CONTAINER] as systemd-nspawn's --port=: ports
 * 1..65535, the container port defaults to the host port, tcp by default. */
int parse_port(const char *s, CellPort *ret);

/* Address=ADDR/PREFIX (IPv4 or IPv6, the prefix required): *ret gets the
 * canonical text ("10.0.0.2/24", "fd00::2/64"), malloc'ed. -EINVAL when
 * malformed, -EADDRNOTAVAIL for an address address_unusable() refuses (its
 * reason in *ret_why, if not NULL), -ENOMEM. */
int parse_address_prefix(const char *s, char **ret, const char **ret_why);
/* Why the address a (of family, its 4 or 16 bytes) with that prefix length
 * is no address for a container's link, or NULL when it is one: a null one
 * (networkd's "any free one", which cell does not pick); IPv6's that the
 * kernel refuses at the start (::1, multicast); and those it takes but
 * that cut the container off, as every host drops their packets or takes
 * them for another's: IPv4 loopback, 0.0.0.0/8, multicast,
 * 255.255.255.255, the subnet's own and broadcast address (up to a /30),
 * IPv6 v4-mapped (::ffff:0:0/96) and subnet-router anycast (up to a /126). */
const char *address_unusable(int family, const uint8_t a[static 16], unsigned prefix);
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

/* "ADDR[/PREFIX]" (Address=, Gateway=: canonical) into its family, its 16
 * bytes (an IPv4 address in the first 4, the rest 0) and, if ret_prefix,
 * its prefix length (the family's whole length without one). -EINVAL. */
int address_parse(const char *s, int *ret_family, uint8_t ret_addr[static 16], unsigned *ret_prefix);

/* The subnet "NET/PREFIX" of an Address= ("10.0.0.2/24": "10.0.0.0/24")
 * into buf (INET6_ADDRSTRLEN + 4 bytes hold any); the text as it is when
 * it is none. Returns buf. */
const char *address_subnet(const char *address, char *buf, size_t size);

/* Where a Gateway= (canonical) stands to the Address= list (canonical
 * "ADDR/PREFIX"), all of which go on one link: the kernel adds a default
 * route only via a gateway on that link (cell has no GatewayOnLink=). */
typedef enum GatewayReach {
        GATEWAY_ON_LINK,        /* in the subnet of an Address= of its family, or IPv6 link-local */
        GATEWAY_NO_ADDRESS,     /* no Address= of its family (ENETUNREACH, EHOSTUNREACH) */
        GATEWAY_OFF_LINK,       /* in the subnet of none of them (ditto) */
        GATEWAY_BROADCAST,      /* the broadcast address of an IPv4 Address='s subnet (EINVAL) */
        GATEWAY_SUBNET,         /* the own address of an IPv4 Address='s subnet (taken; no router's) */
        GATEWAY_LOCAL,          /* an Address= itself (IPv6: EINVAL; IPv4: taken, no router's) */
        GATEWAY_NOT_UNICAST,    /* loopback, unspecified, multicast, 255.255.255.255: no router's */
} GatewayReach;

/* *ret_index: the Address= a GATEWAY_ON_LINK, _BROADCAST, _SUBNET or _LOCAL
 * answer is about. */
GatewayReach gateway_reach(const char *gateway, char * const *addresses, size_t *ret_index);
