/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <time.h>

#include "netif.h"

static void mnl_socket_closep(struct mnl_socket **nl) {
        if (*nl)
                (void) mnl_socket_close(*nl);
}

int netif_set_up(const char *ifname, SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh;
        struct ifinfomsg *ifm;
        unsigned index, seq, portid;
        ssize_t n;
        int r;

        index = if_nametoindex(ifname);
        if (index == 0)
                return spawn_error(err, errno, "network: interface %s", ifname);

        nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl)
                return spawn_error(err, errno, "network: opening rtnetlink");
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
                return spawn_error(err, errno, "network: binding rtnetlink");
        portid = mnl_socket_get_portid(nl);

        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_NEWLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = seq = (unsigned) time(NULL);
        ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
        ifm->ifi_family = AF_UNSPEC;
        ifm->ifi_index = (int) index;
        ifm->ifi_flags = IFF_UP;
        ifm->ifi_change = IFF_UP;

        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return spawn_error(err, errno, "network: bringing %s up", ifname);

        n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        if (n < 0)
                return spawn_error(err, errno, "network: bringing %s up", ifname);
        r = mnl_cb_run(buf, (size_t) n, seq, portid, NULL, NULL);
        if (r < 0)
                return spawn_error(err, errno, "network: bringing %s up", ifname);
        return 0;
}
