/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Interface=: a host's link moved into the container's network namespace
 * and back out of it at the end (netif.h), and link_get(), what tells a
 * link from another that took its name or index. */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"
#include "netif-internal.h"
#include "netif.h"

/* The calling thread into the network namespace netns_fd, *ret_own its
 * own to come back to with netns_leave(). */
static int netns_enter(int netns_fd, int *ret_own) {
        int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

        if (own < 0)
                return -errno;
        if (setns(netns_fd, CLONE_NEWNET) < 0) {
                int r = -errno;
                (void) close(own);
                return r;
        }
        *ret_own = own;
        return 0;
}

static void netns_leave(int own) {
        /* Our own namespace, by an fd we opened: this cannot fail, and going
         * on in the container's would make the host's links in it. */
        if (setns(own, CLONE_NEWNET) < 0)
                abort();
        (void) close(own);
}

/* An rtnetlink socket in the network namespace netns_fd: it stays there,
 * and what is sent on it acts on that namespace's links. */
static int netif_open_in(int netns_fd, struct mnl_socket **ret) {
        int own = -EBADF, r;

        r = netns_enter(netns_fd, &own);
        if (r < 0)
                return r;
        r = netif_open(ret);
        netns_leave(own);
        return r;
}

static int ipvlan_data_attr(const struct nlattr *a, void *data) {
        NetifMoved *m = data;

        if (mnl_attr_get_type(a) == IFLA_IPVLAN_MODE && mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
                m->ipvlan_mode = mnl_attr_get_u16(a);
        return MNL_CB_OK;
}

static int link_info_attr(const struct nlattr *a, void *data) {
        NetifMoved *m = data;

        if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                (void) snprintf(m->kind, sizeof m->kind, "%s", mnl_attr_get_str(a));
        /* Each kind numbers its data's attributes anew: an ipvlan's read
         * only as one (the kernel puts the kind before the data). */
        if (mnl_attr_get_type(a) == IFLA_INFO_DATA && streq(m->kind, "ipvlan"))
                (void) mnl_attr_parse_nested(a, ipvlan_data_attr, m);
        return MNL_CB_OK;
}

static int link_attr(const struct nlattr *a, void *data) {
        NetifMoved *m = data;
        uint16_t len = mnl_attr_get_payload_len(a);

        switch (mnl_attr_get_type(a)) {
        case IFLA_IFNAME:
                if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                        (void) snprintf(m->name, sizeof m->name, "%s", mnl_attr_get_str(a));
                break;
        case IFLA_LINKINFO:
                (void) mnl_attr_parse_nested(a, link_info_attr, m);
                break;
        case IFLA_PERM_ADDRESS:
                if (len <= sizeof m->perm_addr) {
                        memcpy(m->perm_addr, mnl_attr_get_payload(a), len);
                        m->perm_addr_len = (uint8_t) len;
                }
                break;
        case IFLA_ADDRESS:
                if (len <= sizeof m->addr) {
                        memcpy(m->addr, mnl_attr_get_payload(a), len);
                        m->addr_len = (uint8_t) len;
                }
                break;
        case IFLA_LINK:
                if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                        m->link = mnl_attr_get_u32(a);
                break;
        case IFLA_LINK_NETNSID:
                if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                        m->link_netnsid = (int32_t) mnl_attr_get_u32(a);
                break;
        case IFLA_MASTER:
                if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                        m->master = mnl_attr_get_u32(a);
                break;
        case IFLA_IFALIAS:
                if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                        (void) snprintf(m->alias, sizeof m->alias, "%s", mnl_attr_get_str(a));
                break;
        default:
                break;
        }
        return MNL_CB_OK;
}

int link_parse(const struct nlmsghdr *nlh, NetifMoved *m) {
        const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

        *m = (NetifMoved) { .link_netnsid = -1 };
        if (nlh->nlmsg_type != RTM_NEWLINK)
                return 0;
        m->index = ifm->ifi_index;
        m->type = ifm->ifi_type;
        m->flags = ifm->ifi_flags;
        /* No IFLA_LINK: the kernel leaves it out when it is the link's own index. */
        m->link = (uint32_t) ifm->ifi_index;
        return mnl_attr_parse(nlh, sizeof *ifm, link_attr, m) < 0 ? -EBADMSG : 1;
}

static int link_msg(const struct nlmsghdr *nlh, void *data) {
        NetifMoved m;
        int r = link_parse(nlh, &m);

        if (r > 0)
                *(NetifMoved *) data = m;
        return r < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int link_get(struct mnl_socket *nl, int index, const char *name, NetifMoved *ret) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_GETLINK, 0, index);
        NetifMoved m = { .link_netnsid = -1 };
        int r;

        if (index == 0)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        r = netif_query(nl, nlh, link_msg, &m);
        if (r < 0)
                return r;
        if (m.index <= 0)
                return -ENODEV;
        *ret = m;
        return 0;
}

bool netif_moved_same(const NetifMoved *a, const NetifMoved *b) {
        if (!streq(a->kind, b->kind) || a->perm_addr_len != b->perm_addr_len ||
            memcmp(a->perm_addr, b->perm_addr, a->perm_addr_len) != 0 || a->link_netnsid != b->link_netnsid)
                return false;
        /* A veth's peer, a macvlan's parent...: a link outside the container,
         * which a payload cannot make a link of its own point to (it has no
         * CAP_NET_ADMIN over that namespace). */
        if (a->link_netnsid >= 0 && a->link != b->link)
                return false;
        /* Neither that nor a permanent address: the MAC is all there is
         * (and a payload may copy it; see Interface= in cell.unit(5)). */
        if (a->link_netnsid < 0 && a->perm_addr_len == 0)
                return a->addr_len == b->addr_len && memcmp(a->addr, b->addr, a->addr_len) == 0;
        return true;
}

/* Moves the link (of index, or with index 0 of name) from nl's namespace
 * into to_fd's, named name there. */
static int link_move(struct mnl_socket *nl, int index, const char *name, int to_fd) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINK, 0, index);

        mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t) to_fd);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        return netif_request(nl, nlh);
}

static int link_rename(struct mnl_socket *nl, int index, const char *name) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINK, 0, index);
        struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
        int r;

        /* Down first: the kernel renames no link that is up (the move
         * takes it down anyway). */
        ifm->ifi_change = IFF_UP;
        r = netif_request(nl, nlh);
        if (r < 0)
                return r;
        nlh = link_message(buf, RTM_NEWLINK, 0, index);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        return netif_request(nl, nlh);
}

int netif_move_in(const char *ifname, int netns_fd, NetifMoved *ret, SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL, *in = NULL;
        NetifMoved m, host;
        int r;

        r = netif_open_in(netns_fd, &in);
        if (r >= 0)
                r = netif_open(&nl);
        if (r < 0)
                return spawn_error(err, r, "Interface=%s: opening rtnetlink", ifname);
        /* The link's own name: ifname may be one of its alternative names
         * (udev gives a NIC several, "enp3s0", "enx001122334455"), which is
         * no name to move it back under: the kernel refuses a rename to it
         * (the link itself holds it), and the NIC would come back as
         * NAME-cell1. Nor does every kernel take the alternative names
         * along into the container's namespace. */
        r = link_get(nl, 0, ifname, &host);
        /* By name, not by an index looked up before: between the two,
         * another interface could get that index. */
        if (r >= 0)
                r = link_move(nl, 0, host.name, netns_fd);
        if (r == -ENODEV)
                return spawn_error(err, r, "Interface=%s: no such interface on the host "
                                   "(moved into another container?)", ifname);
        if (r == -EINVAL)
                return spawn_error(err, r, "Interface=%s: cannot move it into the container "
                                   "(an interface that cannot change network namespace, a bridge say?)", ifname);
        if (r < 0)
                return spawn_error(err, r, "Interface=%s: moving it into the container", ifname);

        /* Its index there (the host's, unless that was taken), to find it
         * on the way back even if the payload renamed it, and what it is,
         * to move back that link and no other: the payload does not run
         * yet, so this is still the link that was moved in. */
        r = link_get(in, 0, host.name, &m);
        if (r < 0) {
                int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

                /* Nothing records it: back at once, or it would be lost with
                 * the container's namespace. */
                if (own >= 0) {
                        (void) link_move(in, 0, host.name, own);
                        (void) close(own);
                }
                return spawn_error(err, r, "Interface=%s: reading it back in the container after the move", ifname);
        }
        (void) snprintf(m.name, sizeof m.name, "%s", host.name);
        *ret = m;
        return 0;
}

/* "NAME-cellN", NAME cut so that it fits in IFNAMSIZ-1 bytes. */
static void fallback_name(const char *name, unsigned n, char ret[static IFNAMSIZ]) {
        char suffix[16];
        int l;

        l = snprintf(suffix, sizeof suffix, "-cell%u", n);
        l = IFNAMSIZ - 1 - l;
        if ((int) strlen(name) < l)
                l = (int) strlen(name);
        memcpy(ret, name, (size_t) l);
        strcpy(ret + l, suffix);
}

int netif_move_back(int netns_fd, const NetifMoved *moved, char ret_name[static IFNAMSIZ]) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *in = NULL;
        NetifMoved now;
        int own, r;

        r = netif_open_in(netns_fd, &in);
        if (r < 0)
                return r;
        /* The payload may have deleted the link and made one of its own with
         * that index (with CAP_NET_ADMIN over its network namespace): that
         * one must not come out onto the host under the interface's name. */
        r = link_get(in, moved->index, NULL, &now);
        if (r < 0)
                return r;
        if (!netif_moved_same(moved, &now))
                return -ESTALE;

        own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (own < 0)
                return -errno;
        /* Its old name, or NAME-cellN if another interface took that name on
         * the host meanwhile (else the move fails, and the kernel deletes a
         * virtual interface with the namespace). Renamed inside first: a move
         * under the name it has there is all or nothing. */
        r = -EEXIST;
        for (unsigned n = 0; n < 100 && r == -EEXIST; n++) {
                char target[IFNAMSIZ];

                if (n == 0)
                        (void) snprintf(target, sizeof target, "%s", moved->name);
                else
                        fallback_name(moved->name, n, target);
                if (if_nametoindex(target) > 0)
                        continue;
                if (!streq(now.name, target)) {
                        r = link_rename(in, moved->index, target);
                        /* A name another link holds inside (the payload's,
                         * made after it renamed ours) is free on the host
                         * all the same: moved out under the name it has
                         * there, the kernel names it target as it moves it
                         * (RTM_NEWLINK renames after the move), not
                         * NAME-cell1 with a warning about the host. */
                        if (r < 0 && r != -EEXIST)
                                continue;
                        if (r >= 0)
                                (void) snprintf(now.name, sizeof now.name, "%s", target);
                }
                r = link_move(in, moved->index, target, own);
                if (r >= 0) {
                        (void) snprintf(ret_name, IFNAMSIZ, "%s", target);
                        r = n > 0;
                }
        }
        (void) close(own);
        return r;
}
