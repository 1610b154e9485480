/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse-network.c: which Address= Port= can forward to. A DNAT on the host
 * to an address the host takes as its own (127.0.0.0/8, ::1) reaches the
 * host's loopback services, not the container; one to no unicast address
 * reaches nobody. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "parse-network.h"
#include "test.h"

TEST(port_target_families) {
        const char *v4[] = { "10.0.0.2/24", "192.168.1.1/32", "1.2.3.4/8", "126.255.255.255/8", "128.0.0.1/16",
                             "223.255.255.1/24", "169.254.1.2/16", "100.64.0.1/10" };
        const char *v6[] = { "fd00::2/64", "2001:db8::1/64", "::ffff:10.0.0.2/96", "fec0::1/64" };
        const char *none[] = { "127.0.0.1/8", "127.0.0.2/8", "127.255.255.254/8", "0.0.0.0/8", "0.1.2.3/8",
                               "224.0.0.5/24", "239.1.1.1/8", "255.255.255.255/32", "fe80::2/64", "::1/128",
                               "::/0", "ff02::1/64", "not-an-address/24", "10.0.0.300/24" };

        for (size_t i = 0; i < ELEMENTSOF(v4); i++)
                ASSERT_EQ(address_port_family(v4[i]), AF_INET);
        for (size_t i = 0; i < ELEMENTSOF(v6); i++)
                ASSERT_EQ(address_port_family(v6[i]), AF_INET6);
        for (size_t i = 0; i < ELEMENTSOF(none); i++)
                ASSERT_EQ(address_port_family(none[i]), 0);
}

/* Address=: refused with the unit, with the reason, are the null ones
 * (networkd's "any free address"), the IPv6 ones the kernel puts on no
 * interface (EINVAL at the start), and those it takes but whose packets
 * every host drops as a martian's or takes as no host's: the container
 * would be cut off without a word. A /31's two and a /127's two are hosts. */
TEST(address_prefix_usable) {
        const char *ok[] = { "10.0.0.2/24", "10.0.0.254/24", "10.0.0.0/31", "10.0.0.1/31", "10.0.0.0/32",
                             "255.255.255.254/31", "169.254.1.2/16", "240.0.0.1/8", "223.255.255.1/24",
                             "fd00::2/64", "fe80::5/64", "fd00::2/128", "::2/64", "fd00::/127", "fd00::/128",
                             "2001:db8::ffff:ffff:ffff:ffff/64", "::fffe:10.0.0.1/96" };
        const struct {
                const char *address, *why;
        } refused[] = {
                { "0.0.0.0/24", "the null address" },
                { "::/64", "the null address" },
                { "0::0/128", "the null address" },
                { "::1/128", "the loopback address ::1" },
                { "ff02::5/64", "a multicast address (ff00::/8)" },
                { "ff05::2/16", "a multicast address (ff00::/8)" },
                { "127.0.0.2/8", "a loopback address (127.0.0.0/8" },
                { "127.1.2.3/24", "a loopback address (127.0.0.0/8" },
                { "0.1.2.3/8", "an address of 0.0.0.0/8" },
                { "224.0.0.5/24", "a multicast address (224.0.0.0/4" },
                { "239.255.255.250/32", "a multicast address (224.0.0.0/4" },
                { "255.255.255.255/32", "the broadcast address 255.255.255.255" },
                { "10.0.0.0/24", "the subnet's own address" },
                { "10.213.9.64/27", "the subnet's own address" },
                { "10.0.0.255/24", "the subnet's broadcast address" },
                { "10.0.0.3/30", "the subnet's broadcast address" },
                { "::ffff:10.0.0.1/96", "an IPv4-mapped address (::ffff:0:0/96)" },
                { "::ffff:10.0.0.1/128", "an IPv4-mapped address (::ffff:0:0/96)" },
                { "fd00::/64", "the subnet-router anycast address" },
                { "fd00:1::/126", "the subnet-router anycast address" },
        };

        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                _cleanup_free_ char *text = NULL;
                const char *why = "x";

                ASSERT_OK(parse_address_prefix(ok[i], &text, &why));
                ASSERT_NULL(why);
        }
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                char *text = NULL;
                const char *why = NULL;

                ASSERT_EQ(parse_address_prefix(refused[i].address, &text, &why), -EADDRNOTAVAIL);
                ASSERT_NULL(text);
                ASSERT_NOT_NULL(why);
                ASSERT_TRUE(startswith(why, refused[i].why));
                ASSERT_EQ(parse_address_prefix(refused[i].address, &text, NULL), -EADDRNOTAVAIL);
        }
}

TEST(address_subnets) {
        char buf[INET6_ADDRSTRLEN + 8];

        ASSERT_STREQ(address_subnet("10.0.0.2/24", buf, sizeof buf), "10.0.0.0/24");
        ASSERT_STREQ(address_subnet("10.213.9.77/27", buf, sizeof buf), "10.213.9.64/27");
        ASSERT_STREQ(address_subnet("192.168.1.1/32", buf, sizeof buf), "192.168.1.1/32");
        ASSERT_STREQ(address_subnet("10.255.0.1/1", buf, sizeof buf), "0.0.0.0/1");
        ASSERT_STREQ(address_subnet("fd00:1:2:3:4::2/64", buf, sizeof buf), "fd00:1:2:3::/64");
        ASSERT_STREQ(address_subnet("fd00:1:2:3:4::2/61", buf, sizeof buf), "fd00:1:2::/61");
        ASSERT_STREQ(address_subnet("2001:db8::1/128", buf, sizeof buf), "2001:db8::1/128");
}

/* Gateway=: on the link of the Address= list as the kernel takes a
 * default route via it (netif-addr.c adds each with RTA_OIF and no
 * onlink flag): in the subnet of an Address= of its family, or IPv6
 * link-local; not the IPv4 subnet's broadcast address cell sets, nor its
 * own address, nor an address of the container's own: the kernel refuses
 * some of these and takes the others, and then the container reaches
 * nothing beyond its subnet. */
TEST(gateway_reaches) {
        char a0[] = "10.0.0.2/24", a1[] = "10.9.0.2/16", a2[] = "192.168.7.1/31", a3[] = "10.5.0.2/32",
                a4[] = "fd00::2/64", a5[] = "fd01::2/128";
        char *addresses[] = { a0, a1, a2, a3, a4, a5, NULL };
        char *v6_only[] = { a4, NULL };
        char b0[] = "10.0.1.2/24", b1[] = "10.0.0.2/16";
        char *nested[] = { b1, b0, NULL };
        size_t a;

        ASSERT_EQ(gateway_reach("10.0.0.1", addresses, &a), GATEWAY_ON_LINK);
        ASSERT_EQ(a, 0u);
        ASSERT_EQ(gateway_reach("10.9.255.1", addresses, &a), GATEWAY_ON_LINK);
        ASSERT_EQ(a, 1u);
        /* The subnet's own address and the container's are no router's,
         * though the kernel takes a route via either. */
        ASSERT_EQ(gateway_reach("10.0.0.0", addresses, &a), GATEWAY_SUBNET);
        ASSERT_EQ(a, 0u);
        ASSERT_EQ(gateway_reach("10.9.0.0", addresses, &a), GATEWAY_SUBNET);
        ASSERT_EQ(a, 1u);
        ASSERT_EQ(gateway_reach("10.0.0.2", addresses, &a), GATEWAY_LOCAL);
        ASSERT_EQ(a, 0u);
        ASSERT_EQ(gateway_reach("10.9.0.2", addresses, &a), GATEWAY_LOCAL);
        ASSERT_EQ(a, 1u);
        /* A /31 has no network or broadcast address (RFC 3021): both are
         * hosts, the peer a gateway. */
        ASSERT_EQ(gateway_reach("192.168.7.0", addresses, &a), GATEWAY_ON_LINK);
        ASSERT_EQ(a, 2u);
        ASSERT_EQ(gateway_reach("192.168.7.1", addresses, &a), GATEWAY_LOCAL);
        ASSERT_EQ(a, 2u);
        /* A /32's subnet is the address alone, the container's. */
        ASSERT_EQ(gateway_reach("10.5.0.1", addresses, &a), GATEWAY_OFF_LINK);
        ASSERT_EQ(gateway_reach("10.5.0.2", addresses, &a), GATEWAY_LOCAL);
        ASSERT_EQ(a, 3u);
        /* The subnet's own address as a host of a wider subnet: no router's still. */
        ASSERT_EQ(gateway_reach("10.0.1.0", nested, &a), GATEWAY_SUBNET);
        ASSERT_EQ(a, 1u);
        ASSERT_EQ(gateway_reach("10.0.1.1", nested, &a), GATEWAY_ON_LINK);
        ASSERT_EQ(a, 0u);
        ASSERT_EQ(gateway_reach("10.1.0.1", addresses, &a), GATEWAY_OFF_LINK);
        ASSERT_EQ(gateway_reach("10.0.0.255", addresses, &a), GATEWAY_BROADCAST);
        ASSERT_EQ(a, 0u);
        ASSERT_EQ(gateway_reach("10.9.255.255", addresses, &a), GATEWAY_BROADCAST);
        ASSERT_EQ(a, 1u);

        ASSERT_EQ(gateway_reach("fd00::1", addresses, &a), GATEWAY_ON_LINK);
        ASSERT_EQ(a, 4u);
        /* The subnet-router anycast address: a router's (RFC 4291 2.6.1). */
        ASSERT_EQ(gateway_reach("fd00::", addresses, &a), GATEWAY_ON_LINK);
        ASSERT_EQ(gateway_reach("fd01::1", addresses, &a), GATEWAY_OFF_LINK);
        ASSERT_EQ(gateway_reach("fd00::2", addresses, &a), GATEWAY_LOCAL);
        ASSERT_EQ(a, 4u);
        ASSERT_EQ(gateway_reach("fd01::2", addresses, &a), GATEWAY_LOCAL);
        ASSERT_EQ(a, 5u);
        ASSERT_EQ(gateway_reach("fe80::1", addresses, &a), GATEWAY_ON_LINK);

        /* None of the family: IPv6's link-local needs none. */
        ASSERT_EQ(gateway_reach("10.0.0.1", v6_only, &a), GATEWAY_NO_ADDRESS);
        ASSERT_EQ(gateway_reach("10.0.0.1", NULL, &a), GATEWAY_NO_ADDRESS);
        ASSERT_EQ(gateway_reach("fd00::1", NULL, &a), GATEWAY_NO_ADDRESS);
        ASSERT_EQ(gateway_reach("fe80::1", NULL, &a), GATEWAY_ON_LINK);

        const char *no_router[] = { "0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255", "::", "::1", "ff02::1" };
        for (size_t i = 0; i < ELEMENTSOF(no_router); i++)
                ASSERT_EQ(gateway_reach(no_router[i], addresses, &a), GATEWAY_NOT_UNICAST);
}
