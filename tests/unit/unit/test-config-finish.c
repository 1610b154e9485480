/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-finish.c: the checks across keys once every file of the
 * unit is read, and where their messages say to look. */
#include "config-assign-test.h"
#include "env-util.h"
#include "strv.h"
#include "test.h"

/* A key a drop-in's empty assignment unset is missing at that line: the
 * main file (which sets it) is not where to look. A later value forgets it. */
TEST(finish_names_the_empty_assignment) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(assign_at(&c, "Root", "Directory", "/srv/web", "web.cell", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "Exec", "/bin/httpd", "web.cell", 4));
        ASSERT_NULL(assign_at(&c, "Root", "Directory", "", "web.cell.d/10-x.conf", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "Exec", "", "web.cell.d/10-x.conf", 4));
        ASSERT_NULL(assign_at(&c, "Exec", "Boot", "no", "web.cell.d/10-x.conf", 5));
        ASSERT_EQ(finish(&c), 2);
        ASSERT_STREQ(diag.messages[0],
                     "web.cell.d/10-x.conf:2: Directory= is missing (an empty assignment here unset it): [Root] "
                     "needs the absolute path of the container's root directory (or Image= that of a file system "
                     "image)");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/10-x.conf:4: Exec= is missing (an empty assignment here unset "
                     "it): [Exec] needs a command line in Exec= or Boot=yes");
        diag_done(&diag);

        /* Set again: nothing is missing, and nothing remembered. */
        ASSERT_NULL(assign_at(&c, "Root", "Directory", "/srv/other", "web.cell.d/20-y.conf", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "Boot", "yes", "web.cell.d/20-y.conf", 3));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(c.n_emptied, 1);      /* Exec=, which Boot=yes stands in for */
        cell_config_done(&c);
}

/* A required key written with a bad value is not also missing: the value
 * is the one problem, as systemd's verify says (its line only). So for
 * each of the keys and their alternatives, in the main file or a drop-in;
 * another key's refused line (WorkingDirectory=) does not count. */
TEST(finish_refused_is_not_missing) {
        _cleanup_free_ char *value = NULL;
        size_t max = env_assignment_max();
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NOT_NULL(assign_at(&c, "Root", "Directory", "root", "web.cell", 2));
        /* An argument execve(2) would refuse (E2BIG). */
        value = malloc(max + 16);
        ASSERT_NOT_NULL(value);
        memcpy(value, "/bin/echo ", 10);
        memset(value + 10, 'y', max);
        value[10 + max] = 0;
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "Exec", value, "web.cell", 4));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(strv_length(diag.messages), 2);
        diag_done(&diag);
        cell_config_done(&c);

        /* The alternatives: Image= for Directory=, Boot= for Exec=. */
        cell_config_init(&c);
        ASSERT_NOT_NULL(assign_at(&c, "Root", "Image", "img.raw", "web.cell", 2));
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "Boot", "maybe", "web.cell", 4));
        ASSERT_EQ(finish(&c), 0);
        diag_done(&diag);
        cell_config_done(&c);

        /* Refused in a drop-in; and a key of a similar name refused does not hide a missing one. */
        cell_config_init(&c);
        ASSERT_OK(strv_extend(&c.dropin_paths, "web.cell.d/10-x.conf"));
        ASSERT_NOT_NULL(assign_at(&c, "Root", "Directory", "/srv/../x", "web.cell.d/10-x.conf", 2));
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "WorkingDirectory", "rel", "web.cell.d/10-x.conf", 3));
        ASSERT_NOT_NULL(assign_at(&c, "Exec", "Execute", "/bin/true", "web.cell.d/10-x.conf", 4));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[3], "web.cell: Exec= is missing: [Exec] needs a command line in Exec= or Boot=yes");
        diag_done(&diag);
        cell_config_done(&c);

        /* A later line of the key counts, not the refused one: emptied after it, it is missing there. */
        cell_config_init(&c);
        ASSERT_NOT_NULL(assign_at(&c, "Root", "Directory", "root", "web.cell", 2));
        ASSERT_NULL(assign_at(&c, "Root", "Directory", "", "web.cell.d/10-x.conf", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "Exec", "/bin/true", "web.cell", 4));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[1], "web.cell.d/10-x.conf:2: Directory= is missing");
        diag_done(&diag);
        cell_config_done(&c);
}

TEST(finish) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_EQ(finish(&c), 2);
        ASSERT_STREQ(diag.messages[0],
                     "web.cell: Directory= is missing: [Root] needs the absolute path of the container's root directory "
                     "(or Image= that of a file system image)");
        ASSERT_STREQ(diag.messages[1], "web.cell: Exec= is missing: [Exec] needs a command line in Exec= or Boot=yes");
        diag_done(&diag);

        OK(&c, "Root", "Directory", "/srv/web");
        ASSERT_NULL(assign_at(&c, "Exec", "Exec", "/bin/httpd", "web.cell", 4));
        ASSERT_EQ(finish(&c), 0);

        /* Said where the key the message starts with was written. */
        OK(&c, "Exec", "Boot", "yes");
        ASSERT_NULL(assign_at(&c, "Exec", "Init", "yes", "web.cell.d/init.conf", 2));
        ASSERT_EQ(finish(&c), 2);
        ASSERT_STREQ(diag.messages[0], "web.cell:4: Exec= and Boot=yes exclude each other: "
                     "with Boot=yes the payload is /sbin/init");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/init.conf:2: Init=yes and Boot=yes exclude each other: "
                     "with Boot=yes the init system is PID 1");
        diag_done(&diag);
        OK(&c, "Exec", "Exec", "");
        OK(&c, "Exec", "Init", "no");
        ASSERT_EQ(finish(&c), 0);       /* Boot=yes alone is a payload */

        /* Said at the line of the Bind=, in the drop-in that has it. */
        OK(&c, "Root", "Bind", "/srv/data:/data:idmap");
        ASSERT_NULL(assign_at(&c, "Root", "BindReadOnly", "/srv/ro::idmap", "web.cell.d/ro.conf", 3));
        /* As the unit wrote them, "\:" and "\\" too: grep finds them. */
        ASSERT_NULL(assign_at(&c, "Root", "Bind", "/srv/a\\:b:/d\\\\x:rbind,idmap", "web.cell.d/colon.conf", 5));
        ASSERT_EQ(finish(&c), 3);
        ASSERT_STREQ(diag.messages[0],
                     "web.cell:7: Bind=/srv/data:/data:idmap: \"idmap\" needs PrivateUsers=yes, pick or UID[:COUNT]");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/ro.conf:3: BindReadOnly=/srv/ro::idmap: \"idmap\" "
                     "needs PrivateUsers=yes, pick or UID[:COUNT]");
        ASSERT_STREQ(diag.messages[2], "web.cell.d/colon.conf:5: Bind=/srv/a\\:b:/d\\\\x:rbind,idmap: \"idmap\" "
                     "needs PrivateUsers=yes, pick or UID[:COUNT]");
        OK(&c, "Isolation", "PrivateUsers", "pick");
        ASSERT_EQ(finish(&c), 0);
        diag_done(&diag);

        /* Said at the first Port= of the list (a drop-in's own file and line). */
        ASSERT_NULL(assign_at(&c, "Network", "Port", "80", "web.cell.d/port.conf", 4));
        OK(&c, "Network", "Port", "81");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/port.conf:4: Port= needs VirtualEthernet=yes, Bridge= or Zone=: "
                     "ports are forwarded to the container's veth address");
        diag_done(&diag);
        OK(&c, "Network", "Bridge", "br0");
        /* Ports go to the container's Address= of each family (as nspawn's
         * to its addresses, IPv4 and IPv6): without one, said now. */
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/port.conf:4: Port= needs an Address= to forward to in "
                     "[Network], IPv4 or IPv6, not link-local, loopback, unspecified, multicast or broadcast: ports "
                     "are forwarded to the container's first address of each family (cell runs no DHCP to learn "
                     "one)");
        diag_done(&diag);
        /* An empty Port= starts the list again, and where it was written. */
        OK(&c, "Network", "Port", "");
        ASSERT_NULL(assign_at(&c, "Network", "Port", "80", "web.cell", 12));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "web.cell:12: Port= needs an Address= to forward to");
        diag_done(&diag);
        /* Not to IPv6's link-local addresses: nspawn forwards only to one
         * of a scope below link, which the host's other links reach (::1
         * is none of an interface's: the kernel refuses it). */
        OK(&c, "Network", "Address", "fe80::2/64");
        BAD(&c, "Network", "Address", "::1/128", "not the loopback address ::1, which the kernel puts on lo only");
        diag_done(&diag);
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "web.cell:12: Port= needs an Address= to forward to");
        diag_done(&diag);
        /* IPv6 alone will do: ports are forwarded over IPv6 only. */
        OK(&c, "Network", "Address", "fd00::2/64");
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Network", "Address", "");
        OK(&c, "Network", "Address", "10.0.0.2/24");
        ASSERT_EQ(finish(&c), 0);
        ASSERT_TRUE(c.virtual_ethernet);        /* implied by Bridge= */
        OK(&c, "Isolation", "PrivateNetwork", "no");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "Bridge= needs PrivateNetwork=yes");
        diag_done(&diag);
        cell_config_done(&c);
}

TEST(finish_network_links) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        /* Address= and Gateway= need an interface of the container's own
         * (said where Address= was written) ... */
        ASSERT_NULL(assign_at(&c, "Network", "Address", "10.0.0.2/24", "web.cell", 9));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:9: Address= needs an interface in the container: "
                     "VirtualEthernet=yes, Bridge=, Zone=, Interface=, MACVLAN= or IPVLAN=");
        diag_done(&diag);
        /* ... which MACVLAN=, IPVLAN= and Interface= give it. */
        OK(&c, "Network", "MACVLAN", "eth0");
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Network", "MACVLAN", "");
        OK(&c, "Network", "IPVLAN", "eth0");
        ASSERT_EQ(finish(&c), 0);
        OK(&c, "Network", "IPVLAN", "");
        /* Interface= is counted: a check names the line of the name it is about. */
        ASSERT_NULL(assign_at(&c, "Network", "Interface", "eth1", "web.cell.d/net.conf", 2));
        OK(&c, "Network", "Gateway", "10.0.0.1");
        ASSERT_EQ(finish(&c), 0);
        /* Port= still needs the veth: it forwards to the host's side of it. */
        OK(&c, "Network", "Port", "80");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "Port= needs VirtualEthernet=yes, Bridge= or Zone=");
        diag_done(&diag);
        OK(&c, "Network", "Port", "");

        /* Each implies a private network: PrivateNetwork=no contradicts it. */
        OK(&c, "Isolation", "PrivateNetwork", "no");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/net.conf:2: Interface= needs PrivateNetwork=yes: it gives the container "
                     "an interface of its own network namespace");
        diag_done(&diag);
        OK(&c, "Network", "Interface", "");
        OK(&c, "Network", "IPVLAN", "eth0");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "IPVLAN= needs PrivateNetwork=yes");
        diag_done(&diag);
        OK(&c, "Isolation", "PrivateNetwork", "yes");

        /* An interface moved in is no longer the host's to be a parent. */
        ASSERT_NULL(assign_at(&c, "Network", "Interface", "eth2", "web.cell", 10));
        ASSERT_NULL(assign_at(&c, "Network", "Interface", "eth0", "web.cell.d/if.conf", 5));
        OK(&c, "Network", "MACVLAN", "eth1 eth0");
        ASSERT_EQ(finish(&c), 3);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/if.conf:5: Interface=eth0 and MACVLAN=eth0 exclude each other: "
                     "the interface is moved into the container");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/if.conf:5: Interface=eth0 and IPVLAN=eth0 exclude each other: "
                     "the interface is moved into the container");
        ASSERT_CONTAINS(diag.messages[2], "web.cell:7: MACVLAN=eth0 and IPVLAN=eth0 exclude each other");
        diag_done(&diag);
        OK(&c, "Network", "MACVLAN", "");
        OK(&c, "Network", "IPVLAN", "");
        OK(&c, "Network", "Bridge", "eth0");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/if.conf:5: Interface=eth0 and Bridge=eth0 exclude each other: "
                     "the interface is moved into the container (and a bridge cannot change network namespace)");
        diag_done(&diag);
        OK(&c, "Network", "Bridge", "br0");
        ASSERT_EQ(finish(&c), 0);
        cell_config_done(&c);
}

/* One host interface as the parent of a macvlan and of an ipvlan: each
 * takes the interface's received packets, and the kernel refuses the
 * second kind with EBUSY, so the start failed at the ipvlan, the macvlan
 * made already. Said at the later line of the two, a drop-in's too. */
TEST(finish_macvlan_ipvlan_one_parent) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        OK(&c, "Isolation", "PrivateNetwork", "yes");
        ASSERT_NULL(assign_at(&c, "Network", "MACVLAN", "eth0 eth1", "web.cell", 8));
        ASSERT_NULL(assign_at(&c, "Network", "IPVLAN", "eth2", "web.cell", 9));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_NULL(assign_at(&c, "Network", "IPVLAN", "eth3 eth1", "web.cell.d/iv.conf", 2));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/iv.conf:2: IPVLAN=eth1 and MACVLAN=eth1 exclude each other: the "
                     "host interface is the parent of macvlans or of ipvlans, not both (the kernel refuses the second "
                     "kind on it)");
        diag_done(&diag);

        /* The MACVLAN= line later: said there. */
        ASSERT_NULL(assign_at(&c, "Network", "MACVLAN", "eth2", "web.cell.d/mv.conf", 4));
        ASSERT_EQ(finish(&c), 2);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/mv.conf:4: MACVLAN=eth2 and IPVLAN=eth2 exclude each other: the "
                     "host interface is the parent of macvlans or of ipvlans, not both (the kernel refuses the second "
                     "kind on it)");
        ASSERT_CONTAINS(diag.messages[1], "web.cell.d/iv.conf:2: IPVLAN=eth1 and MACVLAN=eth1 exclude each other");
        diag_done(&diag);
        ASSERT_NULL(assign_at(&c, "Network", "IPVLAN", "", "web.cell.d/mv.conf", 5));
        ASSERT_EQ(finish(&c), 0);
        cell_config_done(&c);
}

/* Gateway= must be on Address='s link, as the kernel adds a default route
 * (cell has no GatewayOnLink=): else the start failed with ENETUNREACH.
 * Said at that Gateway='s own line, a drop-in's too, with the subnets it
 * is outside of; IPv6's link-local gateways are on every link. */
TEST(finish_gateway_on_link) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        OK(&c, "Network", "VirtualEthernet", "yes");
        ASSERT_NULL(assign_at(&c, "Network", "Address", "10.0.0.2/24", "web.cell", 8));
        ASSERT_NULL(assign_at(&c, "Network", "Address", "10.8.3.2/22", "web.cell", 9));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.0.0.1", "web.cell", 10));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.8.0.1", "web.cell", 11));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.1.0.1", "web.cell.d/gw.conf", 3));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fd00::1", "web.cell.d/gw.conf", 4));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fe80::1", "web.cell.d/gw.conf", 5));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.0.0.255", "web.cell.d/gw.conf", 6));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "224.0.0.1", "web.cell.d/gw.conf", 7));
        ASSERT_EQ(finish(&c), 4);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/gw.conf:3: Gateway=10.1.0.1 is outside the subnet of every IPv4 "
                     "Address= (10.0.0.0/24, 10.8.0.0/22): the kernel adds a default route only via a gateway on the "
                     "link (cell has no GatewayOnLink=)");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/gw.conf:4: Gateway=fd00::1 needs an IPv6 Address= whose subnet "
                     "holds it (or a link-local one, fe80::/10): the kernel adds a default route only via a gateway "
                     "on the link (cell has no GatewayOnLink=)");
        ASSERT_STREQ(diag.messages[2], "web.cell.d/gw.conf:6: Gateway=10.0.0.255 is the broadcast address of the "
                     "subnet of Address=10.0.0.2/24: no router has it");
        ASSERT_STREQ(diag.messages[3], "web.cell.d/gw.conf:7: Gateway=224.0.0.1 is a loopback, unspecified, "
                     "multicast or broadcast address: no router has it");
        diag_done(&diag);

        /* An IPv6 Address= brings fd00::1 on the link; the container's own
         * IPv6 address is no gateway the kernel takes. */
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "", "web.cell.d/gw.conf", 8));
        ASSERT_NULL(assign_at(&c, "Network", "Address", "fd00::2/64", "web.cell.d/gw.conf", 9));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fd00::1", "web.cell.d/gw.conf", 10));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fd00::2", "web.cell.d/gw.conf", 11));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/gw.conf:11: Gateway=fd00::2 is the container's own "
                     "Address=fd00::2/64: the kernel takes no local address as an IPv6 gateway");
        diag_done(&diag);

        /* Without any Address= left, an IPv4 gateway is on no link. */
        OK(&c, "Network", "Gateway", "");
        OK(&c, "Network", "Address", "");
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "fe80::1", "web.cell", 12));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.0.0.1", "web.cell", 13));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell:13: Gateway=10.0.0.1 needs an IPv4 Address= whose subnet holds it: "
                     "the kernel adds a default route only via a gateway on the link (cell has no GatewayOnLink=)");
        diag_done(&diag);
        BAD_EXACT(&c, "Network", "Address", "0.0.0.0/24", "web.cell:7: Address=0.0.0.0/24: expected an IPv4 or "
                  "IPv6 address with a prefix length (\"10.0.0.2/24\", \"fd00::2/64\"), not the null address "
                  "(networkd's \"any free one of the subnet\", which cell does not pick)");
        diag_done(&diag);
        BAD_EXACT(&c, "Network", "Address", "::ffff:10.0.0.2/96", "web.cell:7: Address=::ffff:10.0.0.2/96: expected "
                  "an IPv4 or IPv6 address with a prefix length (\"10.0.0.2/24\", \"fd00::2/64\"), not an "
                  "IPv4-mapped address (::ffff:0:0/96), which IPv6 never carries");
        diag_done(&diag);
        /* An Address= refused for its value is the one error. */
        BAD(&c, "Network", "Address", "10.0.0.300/24", "expected an IPv4 or IPv6 address");
        diag_done(&diag);
        ASSERT_EQ(finish(&c), 0);
        /* No interface at all: that is the error, said once. */
        OK(&c, "Network", "Address", "10.0.0.2/24");
        OK(&c, "Network", "VirtualEthernet", "no");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "Address= needs an interface in the container");
        diag_done(&diag);
        cell_config_done(&c);
}

/* Gateway= at an address of the container's own, or at an IPv4 subnet's
 * own address: the kernel takes the IPv4 route, and the container then
 * reaches nothing beyond its subnet (it asks the link for every address,
 * and no one answers). Said at the Gateway='s line, as the broadcast
 * address; the peer of a /31 is a gateway. */
TEST(finish_gateway_no_router) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        OK(&c, "Network", "VirtualEthernet", "yes");
        ASSERT_NULL(assign_at(&c, "Network", "Address", "10.0.0.2/24", "web.cell", 8));
        ASSERT_NULL(assign_at(&c, "Network", "Address", "192.168.7.1/31", "web.cell", 9));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "192.168.7.0", "web.cell", 10));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.0.0.2", "web.cell.d/gw.conf", 3));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.0.0.0", "web.cell.d/gw.conf", 4));
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "192.168.7.1", "web.cell.d/gw.conf", 5));
        ASSERT_EQ(finish(&c), 3);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/gw.conf:3: Gateway=10.0.0.2 is the container's own "
                     "Address=10.0.0.2/24: no router has it (the kernel takes the route, then sends to every "
                     "address beyond the subnet as if on the link, and none answers)");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/gw.conf:4: Gateway=10.0.0.0 is the subnet's own address of "
                     "Address=10.0.0.2/24 (its host bits all 0): no router has it");
        ASSERT_STREQ(diag.messages[2], "web.cell.d/gw.conf:5: Gateway=192.168.7.1 is the container's own "
                     "Address=192.168.7.1/31: no router has it (the kernel takes the route, then sends to every "
                     "address beyond the subnet as if on the link, and none answers)");
        diag_done(&diag);
        cell_config_done(&c);
}

/* The host's lo as a macvlan's or an ipvlan's parent, as the bridge, as a
 * veth's host side: the kernel refuses each at the start (an Ethernet
 * parent only, no bridge, a name taken). Said at the line of that item. */
TEST(finish_host_loopback) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        ASSERT_NULL(assign_at(&c, "Network", "MACVLAN", "eth0", "web.cell", 6));
        ASSERT_NULL(assign_at(&c, "Network", "MACVLAN", "lo", "web.cell.d/lo.conf", 2));
        ASSERT_NULL(assign_at(&c, "Network", "IPVLAN", "eth1 lo", "web.cell.d/lo.conf", 3));
        ASSERT_NULL(assign_at(&c, "Network", "Bridge", "lo", "web.cell.d/lo.conf", 4));
        ASSERT_NULL(assign_at(&c, "Network", "VirtualEthernetExtra", "lo:x0", "web.cell.d/lo.conf", 5));
        ASSERT_EQ(finish(&c), 4);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/lo.conf:2: MACVLAN=lo: the host's loopback cannot be the parent "
                     "of a macvlan (an Ethernet link can)");
        ASSERT_STREQ(diag.messages[1], "web.cell.d/lo.conf:3: IPVLAN=lo: the host's loopback cannot be the parent "
                     "of an ipvlan (an Ethernet link can)");
        ASSERT_STREQ(diag.messages[2], "web.cell.d/lo.conf:4: Bridge=lo: the host's loopback is no bridge");
        ASSERT_STREQ(diag.messages[3], "web.cell.d/lo.conf:5: VirtualEthernetExtra=lo:x0: the host side would be "
                     "the host's loopback");
        diag_done(&diag);
        OK(&c, "Network", "MACVLAN", "");
        OK(&c, "Network", "IPVLAN", "");
        OK(&c, "Network", "Bridge", "br0");
        OK(&c, "Network", "VirtualEthernetExtra", "");
        ASSERT_EQ(finish(&c), 0);
        cell_config_done(&c);
}

TEST(finish_zone_veth_extra) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        /* Zone= implies the veth, as nspawn's; Address=, Gateway= and Port= go with it. */
        ASSERT_NULL(assign_at(&c, "Network", "Zone", "web", "web.cell.d/zone.conf", 3));
        OK(&c, "Network", "Address", "10.0.0.2/24");
        OK(&c, "Network", "Port", "80");
        ASSERT_EQ(finish(&c), 0);
        ASSERT_TRUE(c.virtual_ethernet);
        /* Zone= and Bridge= exclude each other (nspawn's rule), said where Zone= was written. */
        OK(&c, "Network", "Bridge", "br0");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/zone.conf:3: Zone=web and Bridge=br0 exclude each other: "
                     "the veth's host side goes on one bridge");
        diag_done(&diag);
        OK(&c, "Network", "Bridge", "");
        OK(&c, "Isolation", "PrivateNetwork", "no");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/zone.conf:3: Zone= needs PrivateNetwork=yes: a veth link only exists in a "
                     "private network namespace");
        diag_done(&diag);
        OK(&c, "Network", "Zone", "");
        OK(&c, "Network", "Address", "");
        OK(&c, "Network", "Port", "");
        c.virtual_ethernet = false;

        /* VirtualEthernetExtra= needs a private network too, and gives no
         * interface for Address=. */
        ASSERT_NULL(assign_at(&c, "Network", "VirtualEthernetExtra", "vx0", "web.cell.d/vx.conf", 4));
        ASSERT_EQ(finish(&c), 1);
        ASSERT_STREQ(diag.messages[0], "web.cell.d/vx.conf:4: VirtualEthernetExtra= needs PrivateNetwork=yes: a veth link only "
                     "exists in a private network namespace");
        diag_done(&diag);
        OK(&c, "Isolation", "PrivateNetwork", "yes");
        ASSERT_EQ(finish(&c), 0);
        ASSERT_FALSE(c.virtual_ethernet);
        OK(&c, "Network", "Address", "10.0.0.2/24");
        ASSERT_EQ(finish(&c), 1);
        ASSERT_CONTAINS(diag.messages[0], "Address= needs an interface in the container");
        diag_done(&diag);
        cell_config_done(&c);
}

/* NotifyReady=yes with $NOTIFY_SOCKET unset (by name, or by the exact value
 * cell sets): a warning at the line that unset it (not the last
 * UnsetEnvironment= line: the list's words keep their own), as the start
 * would wait for a READY=1 that a payload reading $NOTIFY_SOCKET never sends.
 * Another value of it, or another name, is not that. */
TEST(finish_notify_socket_unset) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Root", "Directory", "/srv/web");
        OK(&c, "Exec", "Exec", "/bin/httpd");
        ASSERT_NULL(assign_at(&c, "Exec", "UnsetEnvironment", "TERM NOTIFY_SOCKET", "web.cell.d/env.conf", 2));
        ASSERT_NULL(assign_at(&c, "Exec", "UnsetEnvironment", "LANG", "web.cell.d/env.conf", 3));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(diag.n_warnings, 0);          /* NotifyReady=no: cell reports ready itself */
        ASSERT_NULL(assign_at(&c, "Exec", "NotifyReady", "yes", "web.cell.d/ready.conf", 3));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(diag.n_warnings, 1);
        ASSERT_STREQ(diag.messages[0],
                     "web.cell.d/env.conf:2: warning: NotifyReady=yes with UnsetEnvironment=NOTIFY_SOCKET: the "
                     "payload gets no $NOTIFY_SOCKET to send READY=1 to, and the container counts as started only "
                     "once one comes (under cell@.service, a start that waits until its timeout); only a payload "
                     "that sends to /run/host/notify by that name reaches it");
        diag_done(&diag);
        OK(&c, "Exec", "UnsetEnvironment", "");
        OK(&c, "Exec", "UnsetEnvironment", "NOTIFY_SOCKET=/elsewhere NOTIFY_SOCKETX TERM");
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(diag.n_warnings, 0);
        /* Said again on a later line: the first line that added it. */
        ASSERT_NULL(assign_at(&c, "Exec", "UnsetEnvironment", "NOTIFY_SOCKET=/run/host/notify", "web.cell", 9));
        ASSERT_NULL(assign_at(&c, "Exec", "UnsetEnvironment", "NOTIFY_SOCKET=/run/host/notify TERM", "web.cell",
                              10));
        ASSERT_EQ(finish(&c), 0);
        ASSERT_EQ(diag.n_warnings, 1);
        ASSERT_CONTAINS(diag.messages[0], "web.cell:9: warning: NotifyReady=yes with "
                        "UnsetEnvironment=NOTIFY_SOCKET=/run/host/notify: ");
        diag_done(&diag);
        cell_config_done(&c);
}
