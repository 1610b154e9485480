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
