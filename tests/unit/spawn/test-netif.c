/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "netif.h"
#include "test.h"

/* MACVLAN='s addresses are nspawn's: the values systemd-nspawn 252 gave
 * mv-pa and mv-pa-peer of the machine "web" (--network-macvlan=pa
 * --network-macvlan=pa-peer) with this machine ID. */
TEST(macvlan_mac_is_nspawns) {
        static const uint8_t id[16] = { 0x3d, 0x12, 0x19, 0xc7, 0xc4, 0xc5, 0x40, 0x4a,
                                        0xaa, 0x1f, 0x6d, 0x2a, 0x48, 0xad, 0xfd, 0xa4 };
        static const uint8_t first[6] = { 0x56, 0x86, 0x2f, 0xec, 0x53, 0x40 };
        static const uint8_t second[6] = { 0x12, 0x50, 0xa0, 0xd5, 0x13, 0xfe };
        uint8_t mac[6], other[6];

        netif_macvlan_mac(id, "web", 0, mac);
        ASSERT_TRUE(memcmp(mac, first, 6) == 0);
        netif_macvlan_mac(id, "web", 1, mac);
        ASSERT_TRUE(memcmp(mac, second, 6) == 0);
        /* Another name, another address; always unicast and locally administered. */
        netif_macvlan_mac(id, "web2", 0, other);
        ASSERT_TRUE(memcmp(other, first, 6) != 0);
        ASSERT_EQ(other[0] & 0x03, 0x02);
}

/* What tells the link moved in from one a payload made with its index. */
TEST(moved_same) {
        NetifMoved veth = { .index = 5, .name = "xif", .kind = "veth", .link_netnsid = 0, .link = 17,
                            .addr = { 1, 2, 3, 4, 5, 6 }, .addr_len = 6 };
        NetifMoved b = veth;

        ASSERT_TRUE(netif_moved_same(&veth, &b));
        b.addr[0] = 9;                          /* a veth's MAC may change: its peer is what counts */
        ASSERT_TRUE(netif_moved_same(&veth, &b));
        b.link = 18;                            /* another peer */
        ASSERT_FALSE(netif_moved_same(&veth, &b));
        b = veth;
        b.link_netnsid = -1;                    /* a peer inside the container */
        ASSERT_FALSE(netif_moved_same(&veth, &b));
        b = veth;
        strcpy(b.kind, "ifb");
        ASSERT_FALSE(netif_moved_same(&veth, &b));

        NetifMoved nic = { .index = 2, .name = "eth1", .perm_addr = { 7, 7, 7, 7, 7, 7 }, .perm_addr_len = 6,
                           .link_netnsid = -1, .link = 2, .addr = { 1, 2, 3, 4, 5, 6 }, .addr_len = 6 };
        b = nic;
        b.addr[5] = 0;                          /* the payload set another MAC: still the NIC */
        ASSERT_TRUE(netif_moved_same(&nic, &b));
        b.perm_addr[5] = 0;
        ASSERT_FALSE(netif_moved_same(&nic, &b));
        b = nic;
        strcpy(b.kind, "dummy");                /* no payload makes a link without a kind */
        ASSERT_FALSE(netif_moved_same(&nic, &b));

        NetifMoved dummy = { .index = 3, .name = "d0", .kind = "dummy", .link_netnsid = -1, .link = 3,
                             .addr = { 1, 2, 3, 4, 5, 6 }, .addr_len = 6 };
        b = dummy;                              /* nothing but the kind and the MAC to go by */
        ASSERT_TRUE(netif_moved_same(&dummy, &b));
        b.addr[5] = 0;
        ASSERT_FALSE(netif_moved_same(&dummy, &b));
}
