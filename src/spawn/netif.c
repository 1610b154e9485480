/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "macros.h"
#include "netif-internal.h"
#include "netif.h"
#include "siphash24.h"

int netif_open(struct mnl_socket **ret) {
        struct mnl_socket *nl;

        nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl)
                return -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = -errno;
                (void) mnl_socket_close(nl);
                return r;
        }
        *ret = nl;
        return 0;
}

/* Sends one request with NLM_F_ACK and reads the kernel's answer: 0 or the
 * -errno it reported; cb (if any) sees each message of the answer. */
int netif_query(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        static unsigned seq;
        unsigned portid = mnl_socket_get_portid(nl);
        ssize_t n;

        nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = ++seq + (unsigned) time(NULL);
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                int r;

                n = mnl_socket_recvfrom(nl, buf, sizeof buf);
                if (n < 0)
                        return -errno;
                r = mnl_cb_run(buf, (size_t) n, nlh->nlmsg_seq, portid, cb, data);
                if (r < 0)
                        return -errno;
                if (r == MNL_CB_STOP)
                        return 0;
        }
}

int netif_request(struct mnl_socket *nl, struct nlmsghdr *nlh) {
        return netif_query(nl, nlh, NULL, NULL);
}

struct nlmsghdr *link_message(char *buf, uint16_t type, uint16_t flags, int index) {
        struct nlmsghdr *nlh;
        struct ifinfomsg *ifm;

        /* All of buf zeroed: libmnl (1.0.4) leaves the padding after an
         * attribute of a length not a multiple of 4 (a name, a MAC address)
         * as it was, and the kernel was sent those stack bytes. */
        memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = flags;
        ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
        ifm->ifi_family = AF_UNSPEC;
        ifm->ifi_index = index;
        return nlh;
}

int link_set_up(struct mnl_socket *nl, unsigned index) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINK, 0, (int) index);
        struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

        ifm->ifi_flags = IFF_UP;
        ifm->ifi_change = IFF_UP;
        return netif_request(nl, nlh);
}

/* The host interface's index, or a message naming key when there is none. */
static int host_index(const char *key, const char *ifname, unsigned *ret, SpawnError *err) {
        unsigned index = if_nametoindex(ifname);

        if (index == 0)
                return spawn_error(err, errno == ENXIO || errno == ENODEV ? ENODEV : errno,
                                   "%s=%s: no such interface on the host%s", key, ifname,
                                   streq(key, "Interface") ? " (moved into another container?)" : "");
        *ret = index;
        return 0;
}

/* For a link the container's last start still holds, in a network
 * namespace the kernel is tearing down: true after a pause of 10 ms, while
 * NETIF_ADDRESS_WAIT_USEC from the first call on *deadline (0: none yet)
 * have not passed; false after. */
static bool netif_wait_more(uint64_t *deadline) {
        if (*deadline == 0)
                *deadline = now_monotonic_usec() + NETIF_ADDRESS_WAIT_USEC;
        else if (now_monotonic_usec() >= *deadline)
                return false;
        (void) usleep(10 * 1000);
        return true;
}

int link_open_up(const char *what, const char *ifname, unsigned index, struct mnl_socket **ret_nl, SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        int r;

        r = netif_open(&nl);
        if (r < 0)
                return spawn_error(err, r, "%s: opening rtnetlink", what);
        /* A macvlan's address (the same at each start of a machine name,
         * netif_mac()) is refused while another macvlan of the lower device
         * has it: the container's own of its last start, whose network
         * namespace the kernel tears down in the background after its last
         * process. A restart waits for that, not for anything else: one
         * wait per process (a start's child), however many macvlans. */
        static uint64_t deadline = 0;
        do
                r = link_set_up(nl, index);
        while (r == -EADDRINUSE && netif_wait_more(&deadline));
        if (r == -EADDRINUSE)
                return spawn_error(err, r, "%s: bringing %s up: its address is in use on the host's link "
                                   "below it, still after %u s (by another container of this machine name?)",
                                   what, ifname, (unsigned) (NETIF_ADDRESS_WAIT_USEC / USEC_PER_SEC));
        if (r < 0)
                return spawn_error(err, r, "%s: bringing %s up", what, ifname);
        *ret_nl = TAKE_PTR(nl);
        return 0;
}

int netif_loopback_up(const char *what, SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        unsigned index;
        int r;

        index = if_nametoindex("lo");
        if (index == 0)
                return spawn_error(err, errno, "%s: the container's network namespace has no loopback (lo)", what);
        r = netif_open(&nl);
        if (r < 0)
                return spawn_error(err, r, "%s: opening rtnetlink to bring the container's loopback (lo) up", what);
        r = link_set_up(nl, index);
        if (r < 0)
                return spawn_error(err, r, "%s: bringing the container's loopback (lo) up", what);
        return 0;
}

static int veth_new(struct mnl_socket *nl, const NetifVethPair *pair, pid_t pid) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        struct nlattr *linkinfo, *data, *peer;
        struct ifinfomsg *pifm;

        mnl_attr_put_strz(nlh, IFLA_IFNAME, pair->host);
        if (pair->host_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, pair->host_mac);
        linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
        data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        /* The peer's attributes follow an ifinfomsg of their own. */
        pifm = mnl_nlmsg_put_extra_header(nlh, sizeof *pifm);
        memset(pifm, 0, sizeof *pifm);
        pifm->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, pair->peer);
        if (pair->peer_mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, pair->peer_mac);
        /* Born inside the container's namespace: the container side never
         * exists on the host, not even for a moment. */
        mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t) pid);
        mnl_attr_nest_end(nlh, peer);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, linkinfo);
        return netif_request(nl, nlh);
}

/* An alternative name for the link of index: its full name when the name
 * had to be shortened, so that "ip link show ve-LONG-NAME" and a .network
 * file's Name=ve-LONG-NAME find it. */
static int link_add_altname(struct mnl_socket *nl, unsigned index, const char *altname) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINKPROP, 0, (int) index);
        struct nlattr *list;

        list = mnl_attr_nest_start(nlh, IFLA_PROP_LIST);
        mnl_attr_put_strz(nlh, IFLA_ALT_IFNAME, altname);
        mnl_attr_nest_end(nlh, list);
        return netif_request(nl, nlh);
}

/* An alias for the link of index (IFLA_IFALIAS, what "ip link" shows as
 * "alias"), which RTM_NEWLINK does not take as it creates a link. */
static int link_set_alias(struct mnl_socket *nl, unsigned index, const char *alias) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINK, 0, (int) index);

        mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
        return netif_request(nl, nlh);
}

/* The host side onto the bridge (if any), then up. */
static int veth_host_finish(struct mnl_socket *nl, unsigned index, const char *what, const char *host_ifname,
                            const char *bridge, unsigned bridge_index, SpawnError *err) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        int r;

        if (bridge_index > 0) {
                struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINK, 0, (int) index);

                mnl_attr_put_u32(nlh, IFLA_MASTER, bridge_index);
                r = netif_request(nl, nlh);
                if (r < 0)
                        return spawn_error(err, r, "%s: cannot attach %s to the bridge %s (is it a bridge?)",
                                           what, host_ifname, bridge);
        }
        r = link_set_up(nl, index);
        if (r < 0)
                return spawn_error(err, r, "%s: bringing %s up", what, host_ifname);
        return 0;
}

/* What the link of a veth's host side's name on the host says about whose
 * it is (veth_other()). */
typedef struct VethSeen {
        char kind[16];
        bool has_altname, altname_ours;         /* an alternative name; pair->host_altname among them */
        char altname[128];                      /* its first one (ALTIFNAMSIZ: <linux/if.h> clashes with <net/if.h>) */
        char alias[NETIF_ALIAS_MAX];            /* its alias ("": none), as cell's veths have one */
        uint8_t mac[6];
        bool has_mac;
        bool has_netnsid;                       /* IFLA_LINK_NETNSID: the peer is in another namespace */
        uint32_t peer;                          /* IFLA_LINK: the peer's index (there) */
        const char *want_altname;
} VethSeen;

static int veth_seen_info(const struct nlattr *a, void *data) {
        VethSeen *v = data;

        if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                (void) snprintf(v->kind, sizeof v->kind, "%s", mnl_attr_get_str(a));
        return MNL_CB_OK;
}

static int veth_seen_altname(const struct nlattr *a, void *data) {
        VethSeen *v = data;

        if (mnl_attr_get_type(a) != IFLA_ALT_IFNAME || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
                return MNL_CB_OK;
        if (!v->has_altname)
                (void) snprintf(v->altname, sizeof v->altname, "%s", mnl_attr_get_str(a));
        v->has_altname = true;
        v->altname_ours = v->altname_ours || streq_ptr(v->want_altname, mnl_attr_get_str(a));
        return MNL_CB_OK;
}

static int veth_seen_attr(const struct nlattr *a, void *data) {
        VethSeen *v = data;

        switch (mnl_attr_get_type(a)) {
        case IFLA_LINKINFO:
                (void) mnl_attr_parse_nested(a, veth_seen_info, v);
                break;
        case IFLA_PROP_LIST:
                (void) mnl_attr_parse_nested(a, veth_seen_altname, v);
                break;
        case IFLA_IFALIAS:
                if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                        (void) snprintf(v->alias, sizeof v->alias, "%s", mnl_attr_get_str(a));
                break;
        case IFLA_ADDRESS:
                if (mnl_attr_get_payload_len(a) == sizeof v->mac) {
                        memcpy(v->mac, mnl_attr_get_payload(a), sizeof v->mac);
                        v->has_mac = true;
                }
                break;
        case IFLA_LINK_NETNSID:
                /* -1 too: the peer's namespace is going away. */
                v->has_netnsid = true;
                break;
        case IFLA_LINK:
                if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                        v->peer = mnl_attr_get_u32(a);
                break;
        default:
                break;
        }
        return MNL_CB_OK;
}

static int veth_seen_msg(const struct nlmsghdr *nlh, void *data) {
        if (nlh->nlmsg_type != RTM_NEWLINK)
                return MNL_CB_OK;
        return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), veth_seen_attr, data);
}

/* pair->host exists on the host already (EEXIST). 0: a veth that may be
 * this container's own of its last start, its namespace still being torn
 * down (or a container of this machine name still running), to wait for.
 * Else a message (starting with what) about whose it is instead, at once:
 * another kind of link; a veth whose peer is on the host (an
 * administrator's pair: no container's); one with another whole name as its
 * alternative name (another machine whose long name shortens to the same
 * 15 bytes, plan_ifname()), or without this one's; one with another alias
 * (another cell's, which it names) or another MAC address than nspawn's
 * for this machine (another machine's extra veth of that name). A link
 * gone meanwhile: 0, made again at once. */
static int veth_other(struct mnl_socket *nl, const char *what, const NetifVethPair *pair, SpawnError *err) {
        char buf[MNL_SOCKET_BUFFER_SIZE], peer[IF_NAMESIZE];
        struct nlmsghdr *nlh = link_message(buf, RTM_GETLINK, 0, 0);
        VethSeen v = { .want_altname = pair->host_altname };
        const char *another = startswith(what, "VirtualEthernetExtra=") ? "" : " (another container's veth?)";
        int r;

        mnl_attr_put_strz(nlh, IFLA_IFNAME, pair->host);
        /* The alternative names come with the link's other attributes. */
        r = netif_query(nl, nlh, veth_seen_msg, &v);
        if (r == -ENODEV)
                return 0;
        if (r < 0)
                return spawn_error(err, r, "%s: an interface %s exists on the host already, which cannot be read",
                                   what, pair->host);
        if (!streq(v.kind, "veth"))
                return spawn_error(err, EEXIST, "%s: an interface %s exists on the host already%s", what, pair->host,
                                   another);
        if (!v.has_netnsid)
                return spawn_error(err, EEXIST, "%s: an interface %s exists on the host already, a veth whose peer "
                                   "%s is on the host too, no container's", what, pair->host,
                                   v.peer > 0 && if_indextoname(v.peer, peer) ? peer : "(unknown)");
        if (v.has_altname && !v.altname_ours)
                return spawn_error(err, EEXIST, "%s: an interface %s exists on the host already, the veth of %s "
                                   "(its whole name, which shortens to %s%s%s): another container's; one of the two "
                                   "machine names must change", what, pair->host, v.altname,
                                   pair->host_altname ? "it as " : "this one's whole name",
                                   pair->host_altname ?: "", pair->host_altname ? " does" : "");
        if (pair->host_altname && !v.has_altname)
                return spawn_error(err, EEXIST, "%s: an interface %s exists on the host already, a veth without %s "
                                   "(this container's whole name) as its alternative name: another container's",
                                   what, pair->host, pair->host_altname);
        /* Another cell's names its owner; one of an older cell, or of
         * nspawn, has none: its MAC address tells, if there is a machine ID. */
        if (pair->host_alias && *v.alias && !streq(v.alias, pair->host_alias)) {
                /* Another unit whose name makes this machine name: nspawn
                 * names the veth after it (and hashes the MAC addresses
                 * from it), so the two cannot run at once. */
                const char *m = strstr(pair->host_alias, NETIF_ALIAS_MACHINE);
                bool same = m && endswith(v.alias, m);

                return spawn_error(err, EEXIST, "%s: an interface %s exists on the host already, a veth of another "
                                   "container's (\"%s\")%s%s%s", what, pair->host, v.alias,
                                   same ? "; both units' names make the machine name " : "",
                                   same ? m + strlen(NETIF_ALIAS_MACHINE) : "",
                                   same ? ", which names the veth: they cannot run at once" : "");
        }
        if (pair->host_mac && v.has_mac && memcmp(v.mac, pair->host_mac, sizeof v.mac) != 0)
                return spawn_error(err, EEXIST, "%s: an interface %s exists on the host already, a veth with "
                                   "another MAC address than this machine's (%02x:%02x:%02x:%02x:%02x:%02x, "
                                   "systemd-nspawn's for its name): another container's", what, pair->host,
                                   pair->host_mac[0], pair->host_mac[1], pair->host_mac[2], pair->host_mac[3],
                                   pair->host_mac[4], pair->host_mac[5]);
        return 0;
}

int netif_veth_create(const char *what, const NetifVethPair *pair, pid_t pid, const char *bridge, SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        char buf[MNL_SOCKET_BUFFER_SIZE];
        unsigned index, bridge_index = 0;
        int r;

        if (bridge) {
                r = host_index("Bridge", bridge, &bridge_index, err);
                if (r < 0)
                        return r;
        }
        r = netif_open(&nl);
        if (r < 0)
                return spawn_error(err, r, "%s: opening rtnetlink", what);
        /* A killed cell's (or cell-monitor's) veth stays on the host until
         * the kernel has torn down its container's network namespace, in
         * the background after the last process: a restart at once met it.
         * So a veth of that name that may be this container's own is waited
         * for as link_open_up() waits for a macvlan's address; one that is
         * another's (veth_other()) fails the start at once. */
        uint64_t deadline = 0;
        for (;;) {
                r = veth_new(nl, pair, pid);
                if (r != -EEXIST)
                        break;
                int q = veth_other(nl, what, pair, err);
                if (q < 0)
                        return q;
                if (!netif_wait_more(&deadline))
                        break;
        }
        if (r == -EEXIST)
                return spawn_error(err, r, "%s: an interface %s exists on the host already, still after %u s: a "
                                   "veth as this machine's (of its last start, or of a container of this machine "
                                   "name still running?)", what, pair->host,
                                   (unsigned) (NETIF_ADDRESS_WAIT_USEC / USEC_PER_SEC));
        if (r < 0)
                return spawn_error(err, r, "%s: creating the veth pair %s", what, pair->host);

        index = if_nametoindex(pair->host);
        if (index == 0)
                return spawn_error(err, errno, "%s: %s vanished", what, pair->host);
        /* nspawn's way: an older kernel without alternative names (or the
         * name taken as one already) costs only the convenience. */
        if (pair->host_altname)
                (void) link_add_altname(nl, index, pair->host_altname);
        /* A description only: without it a start meeting the link tells by
         * its MAC address (veth_other()). */
        if (pair->host_alias)
                (void) link_set_alias(nl, index, pair->host_alias);
        r = veth_host_finish(nl, index, what, pair->host, bridge, bridge_index, err);
        if (r < 0)
                /* Deleting one end deletes the pair: nothing stays on the host. */
                (void) netif_request(nl, link_message(buf, RTM_DELLINK, 0, (int) index));
        return r;
}

int netif_check_host(const char *key, const char *ifname, unsigned *ret_index, SpawnError *err) {
        unsigned index = 0;
        int r;

        r = host_index(key, ifname, &index, err);
        if (r >= 0 && ret_index)
                *ret_index = index;
        return r;
}

/* nspawn's keys for its MAC addresses (fixed random numbers), one per
 * kind of link: the same machine, unit name, kind and position give the
 * same address as nspawn's. */
static const uint8_t mac_hash_keys[_NETIF_MAC_KIND_MAX][16] = {
        [NETIF_MAC_VETH_HOST] = {
                0x1a, 0x37, 0x6f, 0xc7, 0x46, 0xec, 0x45, 0x0b, 0xad, 0xa3, 0xd5, 0x31, 0x06, 0x60, 0x5d, 0xb1 },
        [NETIF_MAC_VETH_CONTAINER] = {
                0xc3, 0xc4, 0xf9, 0x19, 0xb5, 0x57, 0xb2, 0x1c, 0xe6, 0xcf, 0x14, 0x27, 0x03, 0x9c, 0xee, 0xa2 },
        [NETIF_MAC_VETH_EXTRA_HOST] = {
                0x48, 0xc7, 0xf6, 0xb7, 0xea, 0x9d, 0x4c, 0x9e, 0xb7, 0x28, 0xd4, 0xde, 0x91, 0xd5, 0xbf, 0x66 },
        [NETIF_MAC_VETH_EXTRA_CONTAINER] = {
                0xaf, 0x50, 0x17, 0x61, 0xce, 0xf9, 0x4d, 0x35, 0x84, 0x0d, 0x2b, 0x20, 0x54, 0xbe, 0xce, 0x59 },
        [NETIF_MAC_MACVLAN] = {
                0x00, 0x13, 0x6d, 0xbc, 0x66, 0x83, 0x44, 0x81, 0xbb, 0x0c, 0xf9, 0x51, 0x1f, 0x24, 0xa6, 0x6f },
};

int netif_machine_id(uint8_t ret[static 16]) {
        char text[34];
        FILE *f;
        bool ok;

        f = fopen("/etc/machine-id", "re");
        if (!f)
                return -errno;
        ok = fgets(text, sizeof text, f) && strlen(text) >= 32 && (text[32] == '\n' || text[32] == 0);
        (void) fclose(f);
        for (size_t i = 0; ok && i < 16; i++) {
                unsigned v = 0;

                ok = isxdigit((unsigned char) text[2 * i]) && isxdigit((unsigned char) text[2 * i + 1]) &&
                     sscanf(text + 2 * i, "%2x", &v) == 1;
                ret[i] = (uint8_t) v;
        }
        /* systemd's rule: an empty or "uninitialized" id is none yet. */
        return ok ? 0 : -ENOMEDIUM;
}

void netif_mac(NetifMacKind kind, const uint8_t machine_id[static 16], const char *name, uint64_t idx,
               uint8_t ret[static 6]) {
        size_t l = MIN(strlen(name), (size_t) 256), n = 16 + l;
        uint8_t v[16 + 256 + 8];
        uint64_t h;

        /* nspawn's generate_mac(): the machine ID, the name, and from the
         * second link on its position as 64-bit little endian. */
        memcpy(v, machine_id, 16);
        memcpy(v + 16, name, l);
        if (idx > 0) {
                for (int i = 0; i < 8; i++)
                        v[n + (size_t) i] = (uint8_t) (idx >> (8 * i));
                n += 8;
        }
        h = siphash24(v, n, mac_hash_keys[kind]);
        /* The hash's first six bytes in little endian order. */
        for (int i = 0; i < 6; i++)
                ret[i] = (uint8_t) (h >> (8 * i));
        /* Unicast, locally administered: no vendor's, nobody's multicast. */
        ret[0] = (uint8_t) ((ret[0] & 0xfe) | 0x02);
}

int netif_vlan_create(const char *kind, const char *parent, const char *name, const uint8_t *mac,
                      pid_t pid, SpawnError *err) {
        _cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
        char buf[MNL_SOCKET_BUFFER_SIZE];
        const char *key = streq(kind, "macvlan") ? "MACVLAN" : "IPVLAN";
        struct nlmsghdr *nlh = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        struct nlattr *linkinfo, *data;
        NetifMoved link;
        unsigned index = 0;
        int r;

        r = host_index(key, parent, &index, err);
        if (r < 0)
                return r;
        r = netif_open(&nl);
        if (r < 0)
                return spawn_error(err, r, "%s=%s: opening rtnetlink", key, parent);
        /* Ours, in L2 mode, would switch every ipvlan of the parent to it,
         * for good: the host's in L3 mode would stop working so. (Those in
         * other namespaces cannot be seen, as for nspawn.) */
        if (streq(kind, "ipvlan")) {
                char other[IFNAMSIZ];
                uint16_t mode;

                r = netif_ipvlan_other_mode(nl, index, other, &mode);
                if (r < 0)
                        return spawn_error(err, r, "%s=%s: reading the host's links", key, parent);
                if (r > 0)
                        return spawn_error_complete(err, EBUSY, "%s=%s: the host's ipvlan %s on %s is in %s mode, and "
                                                    "the kernel has one mode for all ipvlans of an interface: the "
                                                    "container's, in L2 mode, would switch it", key, parent, other,
                                                    parent, mode == IPVLAN_MODE_L3 ? "L3" :
                                                    mode == IPVLAN_MODE_L3S ? "L3S" : "another");
        }
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        mnl_attr_put_u32(nlh, IFLA_LINK, index);
        if (mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
        /* Born inside the container's namespace: it never is on the host,
         * and goes away with the container's namespace. */
        mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t) pid);
        linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
        data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        /* nspawn's modes: a macvlan in bridge mode reaches its siblings on
         * the same parent; an ipvlan in L2 mode answers ARP itself. */
        if (streq(kind, "macvlan"))
                mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
        else
                mnl_attr_put_u16(nlh, IFLA_IPVLAN_MODE, IPVLAN_MODE_L2);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, linkinfo);
        r = netif_request(nl, nlh);
        if (r == -EOPNOTSUPP)
                return spawn_error(err, r, "%s=%s: this kernel has no %s support", key, parent, kind);
        /* The kernel gives a link's packets to one taker (its rx handler):
         * the other kind's links (another container's), a bridge, a bond.
         * Its bare EBUSY says none of that. */
        if (r == -EBUSY)
                return spawn_error(err, r, "%s=%s: creating the %s %s in the container: %s takes its packets for "
                                   "another link already: it is the parent of %s (another container's %s=%s?) "
                                   "or a bridge's or bond's port, and cannot have %ss too", key, parent,
                                   kind, name, parent, streq(kind, "macvlan") ? "ipvlans" : "macvlans",
                                   streq(kind, "macvlan") ? "IPVLAN" : "MACVLAN", parent, kind);
        /* The kernel takes only an Ethernet link as a parent; its EINVAL
         * says nothing of that. */
        if (r == -EINVAL && link_get(nl, (int) index, NULL, &link) >= 0 && link.type != ARPHRD_ETHER)
                return spawn_error(err, r, "%s=%s: creating the %s %s in the container: %s is no Ethernet link (its "
                                   "type is %u: a tunnel, WireGuard or tun link?), and only an Ethernet link can have "
                                   "%ss", key, parent, kind, name, parent, link.type, kind);
        if (r < 0)
                return spawn_error(err, r, "%s=%s: creating the %s %s in the container", key, parent, kind, name);
        return 0;
}
