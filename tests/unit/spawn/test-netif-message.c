/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rtnetlink messages cell builds (link_message() and the attributes
 * after it) carry no stale bytes: libmnl (1.0.4) leaves the padding after
 * an attribute whose length is no multiple of 4 as it finds it, and valgrind
 * saw veth_new() send the kernel uninitialised stack bytes there. */

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>

#include "netif-internal.h"
#include "test.h"

#define STALE 0xa5

/* No byte of the message is STALE: every byte of it was written (the
 * values below hold no STALE byte either). */
static void assert_no_stale_byte(const char *buf, const struct nlmsghdr *nlh) {
        for (size_t i = 0; i < nlh->nlmsg_len; i++)
                if ((uint8_t) buf[i] == STALE)
                        TEST_FAIL("byte %zu of %u is stale", i, (unsigned) nlh->nlmsg_len);
}

/* veth_new()'s shape: names of 6 and 5 characters (1 and 2 bytes of
 * padding), MAC addresses (2), a nest, an ifinfomsg inside it. */
TEST(veth_message_padding_is_zero) {
        static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlattr *linkinfo, *data, *peer;
        struct ifinfomsg *pifm;
        struct nlmsghdr *nlh;

        memset(buf, STALE, sizeof buf);
        nlh = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "ve-web");
        mnl_attr_put(nlh, IFLA_ADDRESS, sizeof mac, mac);
        linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
        data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        pifm = mnl_nlmsg_put_extra_header(nlh, sizeof *pifm);
        pifm->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "host0");
        mnl_attr_put(nlh, IFLA_ADDRESS, sizeof mac, mac);
        mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, 1);
        mnl_attr_nest_end(nlh, peer);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, linkinfo);
        ASSERT_EQ(nlh->nlmsg_type, RTM_NEWLINK);
        ASSERT_EQ(nlh->nlmsg_flags, NLM_F_CREATE | NLM_F_EXCL);
        assert_no_stale_byte(buf, nlh);
}

/* link_parse() of a dump's message as the kernel sends a bridge's port:
 * what netif-zone.c counts a zone's ports and knows cell's bridge by. */
TEST(link_parse_reads_master_and_alias) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlattr *linkinfo;
        struct nlmsghdr *nlh;
        NetifMoved l;

        nlh = link_message(buf, RTM_NEWLINK, 0, 7);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "vz-web");
        mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
        mnl_attr_put_strz(nlh, IFLA_IFALIAS, "cell zone bridge");
        linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(nlh, linkinfo);
        ASSERT_EQ(link_parse(nlh, &l), 1);
        ASSERT_EQ(l.index, 7);
        ASSERT_STREQ(l.name, "vz-web");
        ASSERT_STREQ(l.kind, "bridge");
        ASSERT_EQ(l.master, 3u);
        ASSERT_STREQ(l.alias, "cell zone bridge");

        /* No master, and an alias longer than the field: cut, so never taken for cell's. */
        nlh = link_message(buf, RTM_NEWLINK, 0, 8);
        mnl_attr_put_strz(nlh, IFLA_IFALIAS, "cell zone bridge, but an administrator's longer one");
        ASSERT_EQ(link_parse(nlh, &l), 1);
        ASSERT_EQ(l.master, 0u);
        ASSERT_TRUE(strlen(l.alias) == sizeof l.alias - 1);
        ASSERT_TRUE(strncmp(l.alias, "cell zone bridge, but", 21) == 0);

        /* Another message of a dump: nothing read. */
        nlh = link_message(buf, RTM_DELLINK, 0, 9);
        ASSERT_EQ(link_parse(nlh, &l), 0);
}
