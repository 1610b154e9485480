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

int parse_address_prefix(const char *s, char **ret) {
        char addr[INET6_ADDRSTRLEN], *text;
        struct in6_addr a6;
        const char *slash;
        uint64_t prefix;
        int family, r;

        if (isempty(s))
                return -EINVAL;
        slash = strchr(s, '/');
        if (!slash)
                return -EINVAL;
        r = address_canonical(s, (size_t) (slash - s), &family, addr, sizeof addr);
        if (r < 0)
                return r;
        /* The kernel gives an interface no such IPv6 address (EINVAL at
         * the start): refused with the unit instead. A null address is
         * networkd's "any free one of the subnet", which cell does not
         * pick: taken as written it would be 0.0.0.0 on the link. */
        if (streq(addr, "0.0.0.0") ||
            (family == AF_INET6 && inet_pton(AF_INET6, addr, &a6) == 1 &&
             (IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_LOOPBACK(&a6) || IN6_IS_ADDR_MULTICAST(&a6))))
                return -EADDRNOTAVAIL;
        /* safe_atou8(), as systemd-networkd's Address=: "/010" is /8. */
        r = parse_uint64_range(slash + 1, 1, family == AF_INET ? 32 : 128, &prefix);
        if (r < 0)
                return -EINVAL;
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

        /* One pass: what the kernel refuses even in a subnet (the broadcast
         * address cell gives an IPv4 subnet up to /30, netif-addr.c; an IPv6
         * address of the container's own) wins over any subnet that holds
         * the gateway, of which the first is named. */
        for (size_t i = 0; addresses && addresses[i]; i++) {
                uint8_t a[16];
                unsigned prefix;
                int f;

                if (address_parse(addresses[i], &f, a, &prefix) < 0 || f != family)
                        continue;
                family_seen = true;
                if (family == AF_INET6 && memcmp(a, g, 16) == 0)
                        return *ret_index = i, GATEWAY_LOCAL;
                if (!prefix_equal(a, g, prefix))
                        continue;
                if (family == AF_INET && prefix <= 30) {
                        uint32_t host_bits = UINT32_C(0xffffffff) >> prefix, v;

                        memcpy(&v, g, 4);
                        if ((ntohl(v) & host_bits) == host_bits)
                                return *ret_index = i, GATEWAY_BROADCAST;
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
