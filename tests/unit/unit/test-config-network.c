/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-network.c and [Network]'s values (config-limits.c). */
#include <netinet/in.h>

#include "config-assign-test.h"
#include "strv.h"
#include "test.h"

TEST(network) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Network", "VirtualEthernet", "yes");
        ASSERT_TRUE(c.virtual_ethernet);
        OK(&c, "Network", "Bridge", "br0");
        ASSERT_STREQ(c.bridge, "br0");
        BAD(&c, "Network", "Bridge", "a/b", "expected an interface name");
        /* A name that keeps the length and the characters but is still refused
         * is told why: the message states every rule, not only the first ones. */
        BAD_EXACT(&c, "Network", "Bridge", "default",
                  "web.cell:7: Bridge=default: expected an interface name (1 to 15 ASCII characters, no \"/\", \":\", "
                  "\"%\" or spaces; not \".\", \"..\", \"all\", \"default\" or a number, which names an interface "
                  "index: \"5\", \"0x10\")");
        BAD(&c, "Network", "Bridge", "..", "not \".\", \"..\", \"all\"");
        BAD(&c, "Network", "Interface", "0x10", "or a number, which names an interface index");
        BAD(&c, "Network", "MACVLAN", "eth0 all", "not \".\", \"..\", \"all\", \"default\" or a number");
        BAD(&c, "Network", "VirtualEthernetExtra", "vx0:.", "not \".\", \"..\", \"all\"");
        OK(&c, "Network", "Port", "8080:80");
        OK(&c, "Network", "Port", "udp:53");
        OK(&c, "Network", "Port", "tcp:443");
        ASSERT_EQ(c.n_ports, 3);
        ASSERT_EQ(c.ports[0].protocol, IPPROTO_TCP);
        ASSERT_EQ(c.ports[0].host_port, 8080);
        ASSERT_EQ(c.ports[0].container_port, 80);
        ASSERT_EQ(c.ports[1].protocol, IPPROTO_UDP);
        ASSERT_EQ(c.ports[1].container_port, 53);
        BAD(&c, "Network", "Port", "sctp:1", "expected [tcp|udp:]HOSTPORT");
        BAD(&c, "Network", "Port", "0", "expected [tcp|udp:]HOSTPORT");
        BAD(&c, "Network", "Port", "65536", "expected [tcp|udp:]HOSTPORT");
        BAD(&c, "Network", "Port", "80:", "expected [tcp|udp:]HOSTPORT");
        /* One host port of a protocol goes to one place (nspawn refuses a
         * second --port= for it): said at the second one's line. */
        BAD_EXACT(&c, "Network", "Port", "8080:8080", "web.cell:7: Port=8080:8080: tcp port 8080 of the host is "
                  "forwarded by an earlier Port= already (an empty Port= clears the list)");
        BAD(&c, "Network", "Port", "udp:53:5353", "udp port 53 of the host is forwarded by an earlier Port=");
        ASSERT_EQ(c.n_ports, 3);
        OK(&c, "Network", "Port", "udp:8080");          /* another protocol */
        ASSERT_EQ(c.n_ports, 4);
        OK(&c, "Network", "Port", "");
        ASSERT_EQ(c.n_ports, 0);
        OK(&c, "Network", "Port", "8080:8080");         /* after the reset */
        ASSERT_EQ(c.n_ports, 1);
        cell_config_done(&c);
        diag_done(&diag);
}

/* Address=: the same address twice is one (a drop-in repeating the
 * unit's); an IPv6 one with another prefix length is refused at its line,
 * which the kernel would refuse at the start (it keys an interface's IPv6
 * addresses by the address alone) and the start kept the first without a
 * word. IPv4 takes one address with two prefixes. */
TEST(network_address_twice) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Network", "Address", "2001:db8::1/64");
        OK(&c, "Network", "Address", "2001:db8:0::1/64");
        ASSERT_EQ(strv_length(c.addresses), 2u);
        BAD_EXACT(&c, "Network", "Address", "2001:db8::1/48", "web.cell:7: Address=2001:db8::1/48: 2001:db8::1 is "
                  "an earlier Address= already, 2001:db8::1/64: an interface has an IPv6 address with one prefix "
                  "length (an empty Address= clears the list)");
        BAD(&c, "Network", "Address", "2001:DB8::1/128", "2001:db8::1 is an earlier Address= already");
        ASSERT_EQ(strv_length(c.addresses), 2u);
        OK(&c, "Network", "Address", "2001:db8::10/48");  /* another address, its prefix its own */
        OK(&c, "Network", "Address", "10.0.0.2/24");
        OK(&c, "Network", "Address", "10.0.0.2/16");
        ASSERT_EQ(strv_length(c.addresses), 5u);
        OK(&c, "Network", "Address", "");
        OK(&c, "Network", "Address", "2001:db8::1/48");  /* after the reset */
        ASSERT_EQ(strv_length(c.addresses), 1u);
        cell_config_done(&c);
}

/* A long list (past the 64th, where the earlier ports are looked up in a
 * bitmap, not by a walk of the list each line): the same refusals, a reset
 * forgets them, and a port of the other protocol is another port. */
TEST(network_ports_many) {
        CellConfig c;
        char v[32];

        cell_config_init(&c);
        for (unsigned round = 0; round < 2; round++) {
                for (unsigned i = 1; i <= 3000; i++) {
                        snprintf(v, sizeof v, "%s%u:%u", i % 2 ? "udp:" : "", i, i);
                        OK(&c, "Network", "Port", v);
                }
                ASSERT_EQ(c.n_ports, 3000);
                BAD(&c, "Network", "Port", "udp:1:7", "udp port 1 of the host is forwarded by an earlier Port=");
                BAD(&c, "Network", "Port", "2", "tcp port 2 of the host is forwarded by an earlier Port=");
                BAD(&c, "Network", "Port", "3000", "tcp port 3000 of the host is forwarded by an earlier Port=");
                OK(&c, "Network", "Port", "tcp:1");
                OK(&c, "Network", "Port", "udp:2");
                OK(&c, "Network", "Port", "65535");
                BAD(&c, "Network", "Port", "65535", "tcp port 65535 of the host is forwarded by an earlier Port=");
                ASSERT_EQ(c.n_ports, 3003);
                OK(&c, "Network", "Port", "");
                ASSERT_EQ(c.n_ports, 0);
        }
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(network_links) {
        CellConfig c;

        cell_config_init(&c);
        /* Space-separated lists; a repeated key adds, an empty value resets. */
        OK(&c, "Network", "Interface", "eth1 \"enp3s0\"");
        OK(&c, "Network", "Interface", "wlan0");
        ASSERT_EQ((int) strv_length(c.interfaces), 3);
        ASSERT_STREQ(c.interfaces[0], "eth1");
        ASSERT_STREQ(c.interfaces[1], "enp3s0");
        ASSERT_STREQ(c.interfaces[2], "wlan0");
        OK(&c, "Network", "MACVLAN", "eth0");
        OK(&c, "Network", "IPVLAN", "bond0 eth2");
        ASSERT_STREQ(c.macvlan[0], "eth0");
        ASSERT_EQ((int) strv_length(c.ipvlan), 2);
        ASSERT_STREQ(c.ipvlan[1], "eth2");
        /* nspawn's later IFACE:NEWNAME is not taken: ":" is in no interface name. */
        BAD(&c, "Network", "Interface", "eth1:lan", "Interface=eth1:lan: expected space-separated interface names");
        BAD(&c, "Network", "MACVLAN", "eth0 a/b", "(\"a/b\" is not one)");
        BAD(&c, "Network", "IPVLAN", "0123456789abcdef", "each 1 to 15 ASCII characters");
        ASSERT_EQ((int) strv_length(c.interfaces), 3);  /* a bad value changes nothing */
        /* A name twice in one key: two interfaces of one name, said at the line. */
        BAD_EXACT(&c, "Network", "Interface", "eth3 eth1", "web.cell:7: Interface=eth3 eth1: eth1 is named by an "
                  "earlier line already (an empty Interface= clears the list)");
        BAD_EXACT(&c, "Network", "IPVLAN", "eth9 eth9", "web.cell:7: IPVLAN=eth9 eth9: eth9 is named twice (an "
                  "empty IPVLAN= clears the list)");
        ASSERT_EQ((int) strv_length(c.interfaces), 3);
        ASSERT_EQ((int) strv_length(c.ipvlan), 2);
        OK(&c, "Network", "MACVLAN", "eth1");           /* each key's list is its own here */
        OK(&c, "Network", "MACVLAN", "");
        BAD(&c, "Network", "MACVLAN", "eth0 eth0", "MACVLAN=eth0 eth0: eth0 is named twice");
        ASSERT_NULL(c.macvlan);
        OK(&c, "Network", "Interface", "");
        ASSERT_NULL(c.interfaces);
        OK(&c, "Network", "MACVLAN", "");
        ASSERT_NULL(c.macvlan);
        cell_config_done(&c);
        diag_done(&diag);
}

TEST(network_zone_veth_extra) {
        CellConfig c;

        cell_config_init(&c);
        /* Zone=NAME: "vz-" + NAME must be an interface name (nspawn's rule). */
        OK(&c, "Network", "Zone", "web");
        ASSERT_STREQ(c.zone, "web");
        ASSERT_STREQ(c.zone_file, "web.cell");
        ASSERT_EQ(c.zone_line, 7);
        OK(&c, "Network", "Zone", "abcdefghijkl");             /* vz- + 12: 15 bytes */
        BAD_EXACT(&c, "Network", "Zone", "abcdefghijklm",
                  "web.cell:7: Zone=abcdefghijklm: expected a zone name (1 to 12 ASCII characters, no \"/\", \":\", "
                  "\"%\" or spaces: \"vz-\" + NAME names the bridge)");
        BAD(&c, "Network", "Zone", "a/b", "expected a zone name");
        BAD(&c, "Network", "Zone", "a:b", "expected a zone name");
        BAD(&c, "Network", "Zone", "a b", "expected a zone name");
        BAD(&c, "Network", "Zone", "a%b", "expected a zone name");
        BAD(&c, "Network", "Zone", "w\xc3\xa0", "expected a zone name");  /* nspawn: ASCII only */
        ASSERT_STREQ(c.zone, "abcdefghijkl");                   /* a bad value changes nothing */
        OK(&c, "Network", "Zone", "");
        ASSERT_NULL(c.zone);
        ASSERT_NULL(c.zone_file);

        /* VirtualEthernetExtra=HOSTIF[:CONTAINERIF], one pair a line. */
        OK(&c, "Network", "VirtualEthernetExtra", "vx0:inner0");
        OK(&c, "Network", "VirtualEthernetExtra", "vy0");
        ASSERT_EQ(c.n_veth_extras, 2);
        ASSERT_STREQ(c.veth_extras[0].host, "vx0");
        ASSERT_STREQ(c.veth_extras[0].container, "inner0");
        ASSERT_STREQ(c.veth_extras[1].host, "vy0");
        ASSERT_STREQ(c.veth_extras[1].container, "vy0");    /* the same name by default */
        ASSERT_STREQ(c.veth_extras[1].file, "web.cell");
        ASSERT_EQ(c.veth_extras[1].line, 7);
        BAD_EXACT(&c, "Network", "VirtualEthernetExtra", "vx0:",
                  "web.cell:7: VirtualEthernetExtra=vx0:: expected HOSTIF[:CONTAINERIF], interface names (1 to 15 "
                  "ASCII characters, no \"/\", \":\", \"%\" or spaces; not \".\", \"..\", \"all\", \"default\" "
                  "or a number, which names an interface index: \"5\", \"0x10\")");
        BAD(&c, "Network", "VirtualEthernetExtra", ":inner", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "a:b:c", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "0123456789abcdef", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "vx0:0123456789abcdef", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "a/b", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "a b", "expected HOSTIF[:CONTAINERIF]");
        /* What the kernel refuses only at the start, and nspawn's ifindex. */
        BAD(&c, "Network", "VirtualEthernetExtra", "all", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "vx1:default", "expected HOSTIF[:CONTAINERIF]");
        BAD(&c, "Network", "VirtualEthernetExtra", "123", "expected HOSTIF[:CONTAINERIF]");
        ASSERT_EQ(c.n_veth_extras, 2);
        OK(&c, "Network", "VirtualEthernetExtra", "");
        ASSERT_EQ(c.n_veth_extras, 0);
        ASSERT_NULL(c.veth_extras);
        cell_config_done(&c);
        diag_done(&diag);
}
