/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MACVLAN= and IPVLAN=: what the host's parent link is, and the host's
 * ipvlans on it, whose mode the container's would change. */

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "netif-internal.h"

typedef struct IpvlanLink {
        char name[IFNAMSIZ];
        char kind[16];
        uint32_t link;                  /* IFLA_LINK: its parent's index */
        bool link_elsewhere;            /* IFLA_LINK_NETNSID: ... in another namespace */
        uint16_t mode;
} IpvlanLink;

typedef struct IpvlanScan {
        unsigned parent;
        IpvlanLink found;               /* the first not in L2 mode; found.name "": none */
} IpvlanScan;

static int ipvlan_data_attr(const struct nlattr *a, void *data) {
        IpvlanLink *l = data;

        if (mnl_attr_get_type(a) == IFLA_IPVLAN_MODE && mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
                l->mode = mnl_attr_get_u16(a);
        return MNL_CB_OK;
}

static int ipvlan_info_attr(const struct nlattr *a, void *data) {
        IpvlanLink *l = data;

        switch (mnl_attr_get_type(a)) {
        case IFLA_INFO_KIND:
                if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                        (void) snprintf(l->kind, sizeof l->kind, "%s", mnl_attr_get_str(a));
                break;
        case IFLA_INFO_DATA:
                (void) mnl_attr_parse_nested(a, ipvlan_data_attr, l);
                break;
        default:
                break;
        }
        return MNL_CB_OK;
}

static int ipvlan_link_attr(const struct nlattr *a, void *data) {
        IpvlanLink *l = data;

        switch (mnl_attr_get_type(a)) {
        case IFLA_IFNAME:
                if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                        (void) snprintf(l->name, sizeof l->name, "%s", mnl_attr_get_str(a));
                break;
        case IFLA_LINK:
                if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                        l->link = mnl_attr_get_u32(a);
                break;
        case IFLA_LINK_NETNSID:
                l->link_elsewhere = true;
                break;
        case IFLA_LINKINFO:
                (void) mnl_attr_parse_nested(a, ipvlan_info_attr, l);
                break;
        default:
                break;
        }
        return MNL_CB_OK;
}

static int ipvlan_scan_msg(const struct nlmsghdr *nlh, void *data) {
        IpvlanScan *s = data;
        IpvlanLink l = { .mode = IPVLAN_MODE_L2 };

        if (nlh->nlmsg_type != RTM_NEWLINK || s->found.name[0])
                return MNL_CB_OK;
        if (mnl_attr_parse(nlh, sizeof(struct ifinfomsg), ipvlan_link_attr, &l) < 0)
                return MNL_CB_OK;
        if (streq(l.kind, "ipvlan") && !l.link_elsewhere && l.link == s->parent && l.mode != IPVLAN_MODE_L2)
                s->found = l;
        return MNL_CB_OK;
}

int netif_ipvlan_other_mode(struct mnl_socket *nl, unsigned parent, char ret_name[static IFNAMSIZ],
                            uint16_t *ret_mode) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        IpvlanScan s = { .parent = parent };
        int r;

        r = netif_query(nl, link_message(buf, RTM_GETLINK, NLM_F_DUMP, 0), ipvlan_scan_msg, &s);
        if (r < 0)
                return r;
        if (!s.found.name[0])
                return 0;
        memcpy(ret_name, s.found.name, IFNAMSIZ);
        *ret_mode = s.found.mode;
        return 1;
}

static int link_type_msg(const struct nlmsghdr *nlh, void *data) {
        if (nlh->nlmsg_type == RTM_NEWLINK)
                *(unsigned short *) data = ((const struct ifinfomsg *) mnl_nlmsg_get_payload(nlh))->ifi_type;
        return MNL_CB_OK;
}

int netif_link_type(struct mnl_socket *nl, unsigned index, unsigned short *ret) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        unsigned short type = 0;
        int r;

        r = netif_query(nl, link_message(buf, RTM_GETLINK, 0, (int) index), link_type_msg, &type);
        if (r < 0)
                return r;
        *ret = type;
        return 0;
}
