/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-network.h"
#include "parse-value.h"

/* As systemd's parse_ip_port(): safe_atou16() in C's notation ("0x50" is
 * 80, parse-number.h), without blanks before it. */
static int port_number(const char *s, size_t len, uint16_t *ret) {
        _cleanup_free_ char *buf = NULL;
        uint64_t v;
        int r;

        if (len == 0 || strchr(WHITESPACE, s[0]))
                return -EINVAL;
        buf = strndup(s, len);
        if (!buf)
                return -ENOMEM;
        r = parse_uint64_range(buf, 1, 65535, &v);
        if (r < 0)
                return r;
        *ret = (uint16_t) v;
        return 0;
}

int parse_port(const char *s, CellPort *ret) {
        CellPort p = { .protocol = IPPROTO_TCP };
        const char *rest, *colon;
        int r;

        if (isempty(s))
                return -EINVAL;
        if ((rest = startswith(s, "tcp:")))
                p.protocol = IPPROTO_TCP;
        else if ((rest = startswith(s, "udp:")))
                p.protocol = IPPROTO_UDP;
        else
                rest = s;
        colon = strchr(rest, ':');
        r = port_number(rest, colon ? (size_t) (colon - rest) : strlen(rest), &p.host_port);
        if (r < 0)
                return r;
        if (colon) {
                r = port_number(colon + 1, strlen(colon + 1), &p.container_port);
                if (r < 0)
                        return r;
        } else
                p.container_port = p.host_port;
        *ret = p;
        return 0;
}

/* One address of either family into its canonical text form. */
static int address_canonical(const char *s, size_t len, int *ret_family, char *buf, size_t size) {
        unsigned char raw[sizeof(struct in6_addr)];
        char text[INET6_ADDRSTRLEN];
        int family;

        if (len == 0 || len >= sizeof text)
                return -EINVAL;
        memcpy(text, s, len);
        text[len] = 0;
        family = strchr(text, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(family, text, raw) != 1)
                return -EINVAL;
        if (!inet_ntop(family, raw, buf, (socklen_t) size))
                return -EINVAL;
        *ret_family = family;
        return 0;
}

/* Whether the first prefix bits of a (len bytes) are all its bits there are
 * (all_ones false: the bits after them all 0; true: all 1). */
static bool host_bits_are(const uint8_t *a, size_t len, unsigned prefix, bool all_ones) {
        for (unsigned bit = prefix; bit < 8 * len; bit++)
                if (!!(a[bit / 8] & (0x80 >> (bit % 8))) != all_ones)
                        return false;
        return true;
}

const char *address_unusable(int family, const uint8_t a[static 16], unsigned prefix) {
        static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

        if (family == AF_INET) {
                uint32_t h = (uint32_t) a[0] << 24 | (uint32_t) a[1] << 16 | (uint32_t) a[2] << 8 | a[3];

                if (h == 0)
                        return "the null address (networkd's \"any free one of the subnet\", which cell does not pick)";
                /* The kernel takes each of these on a link, but every Linux
                 * host drops a packet from one as a martian source: the
                 * container would be cut off without a word. */
                if ((h >> 24) == 127)
                        return "a loopback address (127.0.0.0/8: the host's own, on lo only)";
                if ((h >> 24) == 0)
                        return "an address of 0.0.0.0/8 (\"this network\", no host's)";
                if ((h >> 28) == 0xe)
                        return "a multicast address (224.0.0.0/4: a group's, no host's)";
                if (h == UINT32_MAX)
                        return "the broadcast address 255.255.255.255";
                /* RFC 3021: a /31 has no network or broadcast address, both are hosts. */
                if (prefix <= 30 && host_bits_are(a, 4, prefix, false))
                        return "the subnet's own address (its host bits all 0)";
                if (prefix <= 30 && host_bits_are(a, 4, prefix, true))
                        return "the subnet's broadcast address (its host bits all 1), which cell gives the link";
                return NULL;
        }
        if (IN6_IS_ADDR_UNSPECIFIED((const struct in6_addr *) a))
                return "the null address (networkd's \"any free one of the subnet\", which cell does not pick)";
        /* Refused by the kernel at the start: said at the line instead. */
        if (IN6_IS_ADDR_LOOPBACK((const struct in6_addr *) a))
                return "the loopback address ::1, which the kernel puts on lo only";
        if (IN6_IS_ADDR_MULTICAST((const struct in6_addr *) a))
                return "a multicast address (ff00::/8), which the kernel puts on no interface";
        /* RFC 4291 2.5.5.2: the kernel drops every IPv6 packet from or to one. */
        if (memcmp(a, v4_mapped, sizeof v4_mapped) == 0)
                return "an IPv4-mapped address (::ffff:0:0/96), which IPv6 never carries";
        /* RFC 4291 2.6.1 (none for a /127, RFC 6164): the routers' of the
         * subnet, which the kernel gives a forwarding link as anycast. */
        if (prefix <= 126 && host_bits_are(a, 16, prefix, false))
                return "the subnet-router anycast address (its host bits all 0)";
        return NULL;
}

int parse_address_prefix(const char *s, char **ret, const char **ret_why) {
        char addr[INET6_ADDRSTRLEN], *text;
        uint8_t raw[16] = {};
        const char *slash, *why;
        uint64_t prefix;
        int family, r;

        if (ret_why)
                *ret_why = NULL;
        if (isempty(s))
                return -EINVAL;
        slash = strchr(s, '/');
        if (!slash)
                return -EINVAL;
        r = address_canonical(s, (size_t) (slash - s), &family, addr, sizeof addr);
        if (r < 0)
                return r;
        /* safe_atou8(), as systemd-networkd's Address=: "/010" is /8. */
        r = parse_uint64_range(slash + 1, 1, family == AF_INET ? 32 : 128, &prefix);
        if (r < 0)
                return -EINVAL;
        if (inet_pton(family, addr, raw) != 1)
                return -EINVAL;
        why = address_unusable(family, raw, (unsigned) prefix);
        if (why) {
                if (ret_why)
                        *ret_why = why;
                return -EADDRNOTAVAIL;
        }
        if (asprintf(&text, "%s/%u", addr, (unsigned) prefix) < 0)
                return -ENOMEM;
        *ret = text;
        return 0;
}

int parse_gateway(const char *s, char **ret) {
        char addr[INET6_ADDRSTRLEN], *text;
        int family, r;

        if (isempty(s))
                return -EINVAL;
        r = address_canonical(s, strlen(s), &family, addr, sizeof addr);
        if (r < 0)
                return r;
        text = strdup(addr);
        if (!text)
                return -ENOMEM;
        *ret = text;
        return 0;
}

int address_port_family(const char *address) {
        struct in6_addr a6;
        struct in_addr a4;
        char text[INET6_ADDRSTRLEN];
        size_t n = strcspn(address, "/");

        if (n >= sizeof text)
                return 0;
        memcpy(text, address, n);
        text[n] = 0;
        /* IPv4 as IPv6 below: a DNAT to 127.0.0.0/8 reaches the host's own
         * loopback services, not the container; one to 0.0.0.0/8, a
         * multicast address or the broadcast address reaches no container. */
        if (!strchr(text, ':')) {
                uint32_t h;

                if (inet_pton(AF_INET, text, &a4) != 1)
                        return 0;
                h = ntohl(a4.s_addr);
                if ((h >> 24) == 127 || (h >> 24) == 0 || (h >> 28) == 0xe || h == UINT32_MAX)
                        return 0;
                return AF_INET;
        }
        if (inet_pton(AF_INET6, text, &a6) != 1 || IN6_IS_ADDR_LINKLOCAL(&a6) || IN6_IS_ADDR_LOOPBACK(&a6) ||
            IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_MULTICAST(&a6))
                return 0;
        return AF_INET6;
}

int address_parse(const char *s, int *ret_family, uint8_t ret_addr[static 16], unsigned *ret_prefix) {
        char text[INET6_ADDRSTRLEN];
        size_t n = strcspn(s, "/");
        int family;

        if (n >= sizeof text)
                return -EINVAL;
        memcpy(text, s, n);
        text[n] = 0;
        family = strchr(text, ':') ? AF_INET6 : AF_INET;
        memset(ret_addr, 0, 16);
        if (inet_pton(family, text, ret_addr) != 1)
                return -EINVAL;
        *ret_family = family;
        if (ret_prefix)
                *ret_prefix = s[n] == '/' ? (unsigned) strtoul(s + n + 1, NULL, 10) : (family == AF_INET ? 32 : 128);
        return 0;
}

/* Whether a and b have the same first prefix bits. */
static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix) {
        unsigned whole = prefix / 8, rest = prefix % 8;

        if (memcmp(a, b, whole) != 0)
                return false;
        return rest == 0 || ((a[whole] ^ b[whole]) & (uint8_t) (0xff << (8 - rest))) == 0;
}

const char *address_subnet(const char *address, char *buf, size_t size) {
        uint8_t a[16];
        char text[INET6_ADDRSTRLEN];
        unsigned prefix;
        int family;

        if (address_parse(address, &family, a, &prefix) < 0 || prefix > (family == AF_INET ? 32u : 128u)) {
                (void) snprintf(buf, size, "%s", address);
                return buf;
        }
        for (unsigned bit = prefix; bit < (family == AF_INET ? 32u : 128u); bit++)
                a[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
        if (!inet_ntop(family, a, text, sizeof text))
                (void) snprintf(buf, size, "%s", address);
        else
                (void) snprintf(buf, size, "%s/%u", text, prefix);
        return buf;
}

GatewayReach gateway_reach(const char *gateway, char * const *addresses, size_t *ret_index) {
        uint8_t g[16];
        size_t on_link = SIZE_MAX;
        bool family_seen = false;
        int family;

        *ret_index = 0;
        if (address_parse(gateway, &family, g, NULL) < 0)
                return GATEWAY_NOT_UNICAST;
        /* IPv6's link-local fe80::/10 is on every link (each has an address
         * there): networkd and the kernel take it without an Address=. */
        if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *) g))
                return GATEWAY_ON_LINK;
        if (address_port_family(gateway) != family)
                return GATEWAY_NOT_UNICAST;

        /* One pass: what no router has even in a subnet wins over any
         * subnet that holds the gateway, of which the first is named: an
         * address of the container's own (IPv6: the kernel refuses the
         * route; IPv4: it takes it and sends to every address beyond the
         * subnet as if on the link, where no one answers), and an IPv4
         * subnet's own and broadcast address up to a /30 (the broadcast one
         * cell gives the link, netif-addr.c: the kernel refuses the route;
         * the subnet's own: it takes it, though no host has that address,
         * address_unusable()). A /31 and a /32 have neither (RFC 3021).
         * IPv6's subnet-router anycast address is a router's (RFC 4291
         * 2.6.1): the kernel gives it every forwarding link. */
        for (size_t i = 0; addresses && addresses[i]; i++) {
                uint8_t a[16];
                unsigned prefix;
                int f;

                if (address_parse(addresses[i], &f, a, &prefix) < 0 || f != family)
                        continue;
                family_seen = true;
                if (memcmp(a, g, 16) == 0)
                        return *ret_index = i, GATEWAY_LOCAL;
                if (!prefix_equal(a, g, prefix))
                        continue;
                if (family == AF_INET && prefix <= 30) {
                        uint32_t host_bits = UINT32_C(0xffffffff) >> prefix, v;

                        memcpy(&v, g, 4);
                        if ((ntohl(v) & host_bits) == host_bits)
                                return *ret_index = i, GATEWAY_BROADCAST;
                        if ((ntohl(v) & host_bits) == 0)
                                return *ret_index = i, GATEWAY_SUBNET;
                }
                if (on_link == SIZE_MAX)
                        on_link = i;
        }
        if (on_link != SIZE_MAX)
                return *ret_index = on_link, GATEWAY_ON_LINK;
        return family_seen ? GATEWAY_OFF_LINK : GATEWAY_NO_ADDRESS;
}

int parse_veth_extra(const char *s, char **ret_host, char **ret_container) {
        _cleanup_free_ char *host = NULL, *container = NULL;
        const char *colon;

        if (isempty(s))
                return -EINVAL;
        colon = strchr(s, ':');
        host = colon ? strndup(s, (size_t) (colon - s)) : strdup(s);
        /* No default for an empty or bad CONTAINERIF: nspawn quietly takes
         * HOSTIF then, which hides a typo; ":" after it is no name either. */
        container = strdup(colon ? colon + 1 : s);
        if (!host || !container)
                return -ENOMEM;
        if (!ifname_is_valid(host) || !ifname_is_valid(container))
                return -EINVAL;
        *ret_host = TAKE_PTR(host);
        *ret_container = TAKE_PTR(container);
        return 0;
}
