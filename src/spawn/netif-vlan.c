/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPVLAN=: the host's ipvlans on the parent link, whose mode the
 * container's would change; MACVLAN=, IPVLAN=: whether the parent is up. */

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "macros.h"
#include "netif-internal.h"

typedef struct IpvlanScan {
        unsigned parent;
        NetifMoved found;               /* the first not in L2 mode; found.name "": none */
} IpvlanScan;

static int ipvlan_scan_msg(const struct nlmsghdr *nlh, void *data) {
        IpvlanScan *s = data;
        NetifMoved l;

        /* One that cannot be read is not held against the start. */
        if (s->found.name[0] || link_parse(nlh, &l) <= 0)
                return MNL_CB_OK;
        if (streq(l.kind, "ipvlan") && l.link_netnsid < 0 && l.link == s->parent && l.ipvlan_mode != IPVLAN_MODE_L2)
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
        *ret_mode = s.found.ipvlan_mode;
        return 1;
}

int netif_vlan_parent_down(const char *parent) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        NetifMoved l;
        int r;

        r = netif_open(&nl);
        if (r < 0)
                return r;
        r = link_get(nl, 0, parent, &l);
        if (r < 0)
                return r;
        /* Down by the administrator (or never brought up): the kernel makes
         * the container's link on it, and up, without a word, and nothing
         * passes. */
        return !(l.flags & IFF_UP);
}
