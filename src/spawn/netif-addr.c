/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Address= and Gateway= on a link inside the container: its addresses and
 * default routes over rtnetlink. */

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "netif-internal.h"
#include "netif.h"
#include "parse-network.h"

static int address_add(struct mnl_socket *nl, unsigned index, const char *text) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        uint8_t addr[16];
        struct nlmsghdr *nlh;
        struct ifaddrmsg *ifa;
        unsigned prefix;
        int family, r;

        r = address_parse(text, &family, addr, &prefix);
        if (r < 0)
                return r;
        /* Zeroed as link_message() zeroes its buffer: no stack bytes in
         * the padding libmnl leaves (none today: 4- and 16-byte values). */
        memset(buf, 0, sizeof buf);
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_NEWADDR;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
        ifa->ifa_family = (uint8_t) family;
        ifa->ifa_prefixlen = (uint8_t) prefix;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = index;
        mnl_attr_put(nlh, IFA_LOCAL, family == AF_INET ? 4 : 16, addr);
        mnl_attr_put(nlh, IFA_ADDRESS, family == AF_INET ? 4 : 16, addr);
        /* networkd's Broadcast= default: the subnet's broadcast address, so
         * that its packets are the container's (no route without it); none
         * for a /31 or /32, which have none (RFC 3021). */
        if (family == AF_INET && prefix <= 30) {
                uint32_t a4;

                memcpy(&a4, addr, 4);
                a4 |= htonl(UINT32_C(0xffffffff) >> prefix);
                mnl_attr_put(nlh, IFA_BROADCAST, 4, &a4);
        }
        /* No duplicate address detection: the address is usable at once,
         * as the payload expects when it starts to listen. */
        if (family == AF_INET6)
                mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
        return netif_request(nl, nlh);
}

static int default_route_add(struct mnl_socket *nl, unsigned index, const char *gateway) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        uint8_t addr[16];
        struct nlmsghdr *nlh;
        struct rtmsg *rtm;
        int family, r;

        r = address_parse(gateway, &family, addr, NULL);
        if (r < 0)
                return r;
        /* Zeroed as link_message() zeroes its buffer: no stack bytes in
         * the padding libmnl leaves (none today: 4- and 16-byte values). */
        memset(buf, 0, sizeof buf);
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_NEWROUTE;
        /* Appended, not exclusive: Gateway= is a list, and a second default
         * route of a family (a fallback router) is refused with EEXIST by
         * NLM_F_EXCL; the same gateway twice still is (netif_configure()
         * takes that as done, as networkd keeps one route). */
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_APPEND;
        rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
        rtm->rtm_family = (uint8_t) family;
        rtm->rtm_dst_len = 0;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16, addr);
        mnl_attr_put_u32(nlh, RTA_OIF, index);
        return netif_request(nl, nlh);
}

int netif_configure(const char *what, const char *ifname, char * const *addresses, char * const *gateways,
                    SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        const char *ipvlan_parent = startswith(what, "IPVLAN=");
        unsigned index;
        int r;

        index = if_nametoindex(ifname);
        if (index == 0)
                return spawn_error(err, errno, "%s: no %s in the container", what, ifname);
        r = link_open_up(what, ifname, index, &nl, err);
        if (r < 0)
                return r;
        for (char * const *a = addresses; a && *a; a++) {
                r = address_add(nl, index, *a);
                /* An ipvlan's addresses are unique among the ipvlans of
                 * its parent, in every namespace: another container's. */
                if (r == -EADDRINUSE && ipvlan_parent)
                        return spawn_error(err, r, "Address=%s: cannot add it to %s: another ipvlan of %s has it "
                                           "(another container's IPVLAN=%s?)", *a, ifname, ipvlan_parent,
                                           ipvlan_parent);
                /* The same one twice (a drop-in repeating the unit's):
                 * one address, as networkd keeps one. */
                if (r < 0 && r != -EEXIST)
                        return spawn_error(err, r, "Address=%s: cannot add it to %s", *a, ifname);
        }
        for (char * const *g = gateways; g && *g; g++) {
                r = default_route_add(nl, index, *g);
                if (r < 0 && r != -EEXIST)
                        return spawn_error(err, r, "Gateway=%s: cannot add the default route via %s%s", *g, ifname,
                                           r == -ENETUNREACH ? " (not in the subnet of an Address=)" : "");
        }
        return 0;
}
