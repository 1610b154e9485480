/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "netif.h"
#include "test.h"

static const uint8_t test_machine_id[16] = { 0x3d, 0x12, 0x19, 0xc7, 0xc4, 0xc5, 0x40, 0x4a,
                                             0xaa, 0x1f, 0x6d, 0x2a, 0x48, 0xad, 0xfd, 0xa4 };

static void assert_mac(NetifMacKind kind, const char *name, uint64_t idx, const char *want) {
        uint8_t mac[6];
        char text[18];

        netif_mac(kind, test_machine_id, name, idx, mac);
        (void) snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x",
                        mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
        ASSERT_STREQ(text, want);
}

/* MACVLAN='s addresses are nspawn's: the values systemd-nspawn 252 gave
 * mv-pa and mv-pa-peer of the machine "web" (--network-macvlan=pa
 * --network-macvlan=pa-peer) with this machine ID. */
TEST(macvlan_mac_is_nspawns) {
        uint8_t first[6], other[6];

        assert_mac(NETIF_MAC_MACVLAN, "web", 0, "56:86:2f:ec:53:40");
        assert_mac(NETIF_MAC_MACVLAN, "web", 1, "12:50:a0:d5:13:fe");
        /* Another name, another address; always unicast and locally administered. */
        netif_mac(NETIF_MAC_MACVLAN, test_machine_id, "web", 0, first);
        netif_mac(NETIF_MAC_MACVLAN, test_machine_id, "web2", 0, other);
        ASSERT_TRUE(memcmp(other, first, 6) != 0);
        ASSERT_EQ(other[0] & 0x03, 0x02);
}

/* The veths' addresses are nspawn's too: what systemd-nspawn 252 gave
 * ve-web and host0 (--network-veth; the same with --network-bridge= and
 * --network-zone=), and vx-a:lan1, vx-b (--network-veth-extra=, the first
 * and the second pair), of the machine "web" with this machine ID; and
 * the veth of "webserver-production-1". */
TEST(veth_mac_is_nspawns) {
        assert_mac(NETIF_MAC_VETH_HOST, "web", 0, "de:33:ab:0b:45:44");
        assert_mac(NETIF_MAC_VETH_CONTAINER, "web", 0, "fe:38:c6:95:1d:f9");
        assert_mac(NETIF_MAC_VETH_EXTRA_HOST, "web", 0, "b6:79:e7:37:bd:1f");
        assert_mac(NETIF_MAC_VETH_EXTRA_CONTAINER, "web", 0, "6e:be:12:05:d1:6e");
        assert_mac(NETIF_MAC_VETH_EXTRA_HOST, "web", 1, "fa:57:91:69:b7:da");
        assert_mac(NETIF_MAC_VETH_EXTRA_CONTAINER, "web", 1, "36:c4:4e:68:bf:31");
        assert_mac(NETIF_MAC_VETH_HOST, "webserver-production-1", 0, "ee:c2:d9:ee:e4:0b");
        assert_mac(NETIF_MAC_VETH_CONTAINER, "webserver-production-1", 0, "26:3c:67:17:55:2c");
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
