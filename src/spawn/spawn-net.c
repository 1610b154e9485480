/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netfw.h"
#include "netif.h"
#include "port-lock.h"
#include "spawn-net.h"

int spawn_net_item_origin(const Plan *p, const char *key, size_t item, SpawnError *err) {
        char origin[PATH_MAX + 32];
        size_t k = strlen(key), o, m;
        int r;

        if (!err)
                return -EIO;
        r = -(err->error ?: EIO);
        /* Only a message about that key ("Interface=eth1: ..."): another
         * names its own origin, or none. */
        if (strncmp(err->message, key, k) != 0 || err->message[k] != '=')
                return r;
        plan_origin_prefix(p, key, item, origin, sizeof origin);
        o = strlen(origin);
        if (o == 0 || o >= sizeof err->message)
                return r;
        /* The message after it, its end cut if the whole does not fit. */
        m = MIN(strnlen(err->message, sizeof err->message - 1), sizeof err->message - 1 - o);
        memmove(err->message + o, err->message, m);
        memcpy(err->message, origin, o);
        err->message[o + m] = 0;
        return r;
}

/* Interface=: each host interface into the container's network namespace,
 * which is held from now on so that they can be moved back out of it
 * (spawn_done(), "cell __finish"), also when the start fails later. */
static int spawn_interfaces(Spawn *s, const Plan *p, SpawnError *err) {
        char path[64];
        int r;

        if (p->n_interfaces == 0)
                return 0;
        s->moved = calloc(p->n_interfaces, sizeof(NetifMoved));
        if (!s->moved)
                return spawn_error(err, ENOMEM, "Interface=");
        /* Our child, not reaped: the PID is still its. */
        (void) snprintf(path, sizeof path, "/proc/%d/ns/net", (int) s->pid);
        s->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->netns_fd < 0)
                return spawn_error(err, errno, "Interface=: opening %s", path);
        for (size_t i = 0; i < p->n_interfaces; i++) {
                r = netif_move_in(p->interfaces[i].host, s->netns_fd, &s->moved[s->n_moved], err);
                if (r < 0)
                        return spawn_net_item_origin(p, "Interface", i, err);
                s->n_moved++;
        }
        return 0;
}

/* The alias of a host side cell makes, whose it is for a start that meets
 * it (veth_other()): the unit, which one host runs once at a time, and its
 * machine name. Not the machine name alone: two units' names can make one
 * ("web@1", "web_1": "web-1"), and so one veth name, and the second start
 * would take the first's running veth for its own last start's and wait
 * for it to go. */
static void spawn_veth_alias(const Plan *p, const char *key, char *buf, size_t size) {
        (void) snprintf(buf, size, "%s= of the cell %s%s%s", key, p->name, NETIF_ALIAS_MACHINE,
                        p->network_machine_name);
}

/* VirtualEthernet=: host0 and its host side (ve-NAME, vb-NAME on a
 * bridge), alone, on Bridge=, or on Zone='s bridge (made on demand); with
 * nspawn's MAC addresses when there is a machine ID. */
static int spawn_veth(Spawn *s, const Plan *p, const uint8_t *machine_id, SpawnError *err) {
        uint8_t host_mac[6], peer_mac[6];
        char alias[NETIF_ALIAS_MAX];
        NetifVethPair pair = { .host = p->veth_host, .host_altname = p->veth_host_altname, .host_alias = alias,
                               .peer = "host0" };
        int r;

        if (!p->virtual_ethernet)
                return 0;
        spawn_veth_alias(p, "VirtualEthernet", alias, sizeof alias);
        if (machine_id) {
                netif_mac(NETIF_MAC_VETH_HOST, machine_id, p->network_machine_name, 0, host_mac);
                netif_mac(NETIF_MAC_VETH_CONTAINER, machine_id, p->network_machine_name, 0, peer_mac);
                pair.host_mac = host_mac;
                pair.peer_mac = peer_mac;
        }
        if (p->zone) {
                /* spawn_done()'s from now on, whatever happens next: it
                 * removes the bridge if it has no port (left) then. */
                s->zone = strdup(p->zone);
                if (!s->zone)
                        return spawn_error(err, ENOMEM, "Zone=");
                r = netif_zone_join(p->zone, &pair, s->pid, err);
                /* The zone's lock not had (held by another too long): nothing
                 * was made, and the end would wait for that lock once more. */
                if (r == -ETIME)
                        s->zone = mfree(s->zone);
        } else if (p->bridge) {
                char what[IFNAMSIZ + 8];

                (void) snprintf(what, sizeof what, "Bridge=%s", p->bridge);
                r = netif_veth_create(what, &pair, s->pid, p->bridge, err);
        } else
                r = netif_veth_create("VirtualEthernet=yes", &pair, s->pid, NULL, err);
        if (r < 0)
                return r;
        /* Remembered by index and name: either alone may be another
         * link's by the end (spawn_veth_remove()). */
        s->veth_index = (int) if_nametoindex(p->veth_host);
        (void) snprintf(s->veth_name, sizeof s->veth_name, "%s", p->veth_host);
        return 0;
}

/* VirtualEthernetExtra=: a pair each, on no bridge, with nspawn's MAC
 * addresses (by the pair's position) when there is a machine ID and an
 * alias naming the cell and its machine; each host side is remembered as
 * soon as it is made, for spawn_done(). */
static int spawn_veth_extras(Spawn *s, const Plan *p, const uint8_t *machine_id, SpawnError *err) {
        char alias[NETIF_ALIAS_MAX];
        int r;

        if (p->n_veth_extras == 0)
                return 0;
        /* Whose it is, for a start of another cell that meets it. */
        spawn_veth_alias(p, "VirtualEthernetExtra", alias, sizeof alias);
        s->extras = calloc(p->n_veth_extras, sizeof(NetifVeth));
        if (!s->extras)
                return spawn_error(err, ENOMEM, "VirtualEthernetExtra=");
        for (size_t i = 0; i < p->n_veth_extras; i++) {
                const PlanLink *e = p->veth_extras + i;
                NetifVeth *v = s->extras + s->n_extras;
                NetifVethPair pair = { .host = e->host, .host_alias = alias, .peer = e->name };
                uint8_t host_mac[6], peer_mac[6];
                char what[2 * IFNAMSIZ + 32];

                if (machine_id) {
                        netif_mac(NETIF_MAC_VETH_EXTRA_HOST, machine_id, p->network_machine_name, i, host_mac);
                        netif_mac(NETIF_MAC_VETH_EXTRA_CONTAINER, machine_id, p->network_machine_name, i, peer_mac);
                        pair.host_mac = host_mac;
                        pair.peer_mac = peer_mac;
                }
                (void) snprintf(what, sizeof what, "VirtualEthernetExtra=%s:%s", e->host, e->name);
                r = netif_veth_create(what, &pair, s->pid, NULL, err);
                if (r < 0)
                        return spawn_net_item_origin(p, "VirtualEthernetExtra", i, err);
                v->index = (int) if_nametoindex(e->host);
                (void) snprintf(v->name, sizeof v->name, "%s", e->host);
                s->n_extras++;
        }
        return 0;
}

/* Port=: the rules of each family in a table of their own, added on its
 * own, as nspawn 252 adds them (expose_port_execute(), once for AF_INET and
 * once for AF_INET6). A family nftables refuses (a kernel that cannot NAT
 * IPv6, say) is a warning at the first Port='s line, and the cell starts
 * without it: nspawn warns "Failed to modify IPv6 firewall" and runs the
 * container. Nothing of that family is left (netfw_ports_add()). Only a
 * missing libnftables fails the start: that is cell's installation, not
 * the host, and would fail every Port= alike. */
static int spawn_ports(Spawn *s, const Plan *p, SpawnError *err) {
        static const int families[] = { AF_INET, AF_INET6 };

        if (p->n_ports == 0)
                return 0;
        /* The unit's check (config_finish()) refuses this already. */
        if (!p->ports_ipv4 && !p->ports_ipv6)
                return spawn_error(err, EINVAL, "Port=: needs an Address= to forward to in [Network] (see "
                                   "cell.unit(5)): ports are forwarded to that address of the container");
        /* spawn_done()'s from now on: it deletes both tables. */
        s->netfw_table = netfw_table_name(p->name);
        if (!s->netfw_table)
                return spawn_error(err, ENOMEM, "Port=");
        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                bool v6 = families[i] == AF_INET6;
                char message[256] = "", origin[PATH_MAX + 32];
                int r;

                r = netfw_ports_add(p, s->netfw_table, families[i], &s->netfw_handles[i], message, sizeof message);
                if (r == -EOPNOTSUPP)
                        return spawn_error(err, r, "%s", message);
                if (r == -ENOMEM)
                        return spawn_error(err, r, "Port=: building the nftables rules");
                /* A family without an address only had its old table
                 * deleted: a kernel without IPv6 refuses that, unasked. */
                if (r < 0 && (v6 ? p->ports_ipv6 : p->ports_ipv4))
                        log_warning("%sPort=: not forwarded over %s: nftables refused the table %s %s%s%s; "
                                    "the cell starts without it, as systemd-nspawn does.",
                                    plan_origin_prefix(p, "Port", 0, origin, sizeof origin), v6 ? "IPv6" : "IPv4",
                                    v6 ? "ip6" : "ip", s->netfw_table, *message ? ": " : "", message);
        }
        /* In each port's lock file, once the tables exist, their handles
         * for the name recorded there since the ports were taken: if we
         * are killed, the next holder of a port deletes them by handle,
         * not by name only once no start of this unit runs (port-lock.h). */
        int r = port_locks_record(&s->shared, p->name, s->netfw_table, s->netfw_handles);
        if (r < 0)
                log_warning_errno(r, "Port=: cannot record the handles of the nft table %s in the ports' lock "
                                  "files: if this cell is killed, a cell that takes its ports next removes it by "
                                  "name only once this unit does not run: %m", s->netfw_table);
        return 0;
}

/* 1 + the position of the link of that index among the first n that
 * Interface= moves in (moved: their indexes on the host), 0 if none is. */
static size_t moved_as(const unsigned *moved, size_t n, unsigned index) {
        for (size_t i = 0; i < n; i++)
                if (moved[i] == index)
                        return i + 1;
        return 0;
}

/* Every host interface named is there before anything is made or moved:
 * a missing one fails the start with nothing to undo. And each is one
 * link by its index, not only by its name: a link named by its name and
 * by an alternative name ("ip link property add"; udev gives a NIC
 * several), which the unit's check, seeing names only, lets through,
 * would be moved in by one Interface= and then be missing to the other,
 * or to a MACVLAN= or IPVLAN= on it ("no such interface on the host"). */
static int spawn_network_check_hosts(const Plan *p, SpawnError *err) {
        _cleanup_free_ unsigned *moved = NULL;
        const PlanLink *l;
        unsigned index;
        size_t j;
        int r;

        if (p->n_interfaces > 0 && !(moved = calloc(p->n_interfaces, sizeof(unsigned))))
                return spawn_error(err, ENOMEM, "Interface=");
        for (size_t i = 0; i < p->n_interfaces; i++) {
                l = p->interfaces + i;
                if (netif_check_host("Interface", l->host, &moved[i], err) < 0)
                        return spawn_net_item_origin(p, "Interface", i, err);
                if ((j = moved_as(moved, i, moved[i])) > 0) {
                        (void) spawn_error(err, EINVAL, "Interface=%s is the link Interface=%s names already (by "
                                           "another of its names): it is moved into the container once",
                                           l->host, p->interfaces[j - 1].host);
                        return spawn_net_item_origin(p, "Interface", i, err);
                }
        }
        for (size_t k = 0; k < 2; k++) {
                const char *key = k == 0 ? "MACVLAN" : "IPVLAN";
                size_t n = k == 0 ? p->n_macvlans : p->n_ipvlans;

                for (size_t i = 0; i < n; i++) {
                        l = (k == 0 ? p->macvlans : p->ipvlans) + i;
                        if (netif_check_host(key, l->host, &index, err) < 0)
                                return spawn_net_item_origin(p, key, i, err);
                        if ((j = moved_as(moved, p->n_interfaces, index)) > 0) {
                                (void) spawn_error(err, EINVAL, "%s=%s and Interface=%s exclude each other: they "
                                                   "are one link (by another of its names), which is moved into "
                                                   "the container", key, l->host, p->interfaces[j - 1].host);
                                return spawn_net_item_origin(p, key, i, err);
                        }
                }
        }
        if (p->bridge && (r = netif_check_host("Bridge", p->bridge, NULL, err)) < 0)
                return r;
        return 0;
}

/* MACVLAN= or IPVLAN= item i made on a host link that is down: the
 * container's link is up and carries nothing until the parent is, which is
 * said, as the start goes on (the parent may be brought up later). A parent
 * that cannot be read is not: netif_vlan_create() found it. */
static void vlan_parent_warn(const Plan *p, const char *key, size_t i, const char *parent) {
        char origin[PATH_MAX + 32];

        if (netif_vlan_parent_down(parent) > 0)
                log_warning("%s%s=%s: the host's %s is down: the container's link carries nothing until it is up.",
                            plan_origin_prefix(p, key, i, origin, sizeof origin), key, parent, parent);
}

/* VirtualEthernet= (Bridge=, Zone=), VirtualEthernetExtra=, Interface=,
 * MACVLAN=, IPVLAN=, Port=: the host's side, in the supervisor's network
 * namespace. The container's side (the links up, Address=, Gateway=) is
 * done by the child, which is in its network namespace already. */
int spawn_network(Spawn *s, const Plan *p, SpawnError *err) {
        uint8_t machine_id[16];
        bool have_id = false;
        int r;

        r = spawn_network_check_hosts(p, err);
        if (r < 0)
                return r;

        r = spawn_interfaces(s, p, err);
        if (r < 0)
                return r;
        /* No machine ID: the kernel's random addresses, new at each start. */
        if (p->n_macvlans > 0 || p->virtual_ethernet || p->n_veth_extras > 0)
                have_id = netif_machine_id(machine_id) >= 0;
        /* Made straight in the container's namespace: nothing of them is
         * on the host, and they go away with that namespace. */
        for (size_t i = 0; i < p->n_macvlans; i++) {
                uint8_t mac[6];

                if (have_id)
                        netif_mac(NETIF_MAC_MACVLAN, machine_id, p->network_machine_name, i, mac);
                r = netif_vlan_create("macvlan", p->macvlans[i].host, p->macvlans[i].name, have_id ? mac : NULL,
                                      s->pid, err);
                if (r < 0)
                        return spawn_net_item_origin(p, "MACVLAN", i, err);
                vlan_parent_warn(p, "MACVLAN", i, p->macvlans[i].host);
        }
        for (size_t i = 0; i < p->n_ipvlans; i++) {
                if (netif_vlan_create("ipvlan", p->ipvlans[i].host, p->ipvlans[i].name, NULL, s->pid, err) < 0)
                        return spawn_net_item_origin(p, "IPVLAN", i, err);
                vlan_parent_warn(p, "IPVLAN", i, p->ipvlans[i].host);
        }

        r = spawn_veth(s, p, have_id ? machine_id : NULL, err);
        if (r < 0)
                return r;
        r = spawn_veth_extras(s, p, have_id ? machine_id : NULL, err);
        if (r < 0)
                return r;

        return spawn_ports(s, p, err);
}

/* One link the container has of key's item-th entry: up, with Address=
 * and Gateway= if it is Plan.address_interface. A failure about the link
 * names that entry's line; one about an address or a gateway names
 * neither: the supervisor's report names that Address= or Gateway='s. */
static int spawn_link_configure(const Plan *p, const char *key, size_t item, const char *value, const char *ifname,
                                SpawnError *err) {
        bool here = streq_ptr(p->address_interface, ifname);
        char what[2 * IFNAMSIZ + 32];

        (void) snprintf(what, sizeof what, "%s=%s", key, value);
        if (netif_configure(what, ifname, here ? p->addresses : NULL, here ? p->gateways : NULL, err) < 0)
                return spawn_net_item_origin(p, key, item, err);
        return 0;
}

int spawn_network_configure(const Plan *p, SpawnError *err) {
        int r;

        /* No key names lo: PrivateNetwork= (yes by default) made the
         * namespace it comes with, and its messages name that key, at its
         * line where the unit sets it (plan_message_origin()). */
        r = netif_loopback_up(plan_key_origin(p, "PrivateNetwork", 0) ? "PrivateNetwork=yes" :
                              "PrivateNetwork=yes (the default)", err);
        if (r < 0)
                return r;
        if (p->virtual_ethernet) {
                const char *key = p->zone ? "Zone" : p->bridge ? "Bridge" : "VirtualEthernet";
                const char *value = p->zone ? startswith(p->zone, "vz-") ?: p->zone : p->bridge ?: "yes";

                r = spawn_link_configure(p, key, 0, value, "host0", err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < p->n_interfaces; i++)
                if ((r = spawn_link_configure(p, "Interface", i, p->interfaces[i].host, p->interfaces[i].name,
                                              err)) < 0)
                        return r;
        for (size_t i = 0; i < p->n_macvlans; i++)
                if ((r = spawn_link_configure(p, "MACVLAN", i, p->macvlans[i].host, p->macvlans[i].name, err)) < 0)
                        return r;
        for (size_t i = 0; i < p->n_ipvlans; i++)
                if ((r = spawn_link_configure(p, "IPVLAN", i, p->ipvlans[i].host, p->ipvlans[i].name, err)) < 0)
                        return r;
        for (size_t i = 0; i < p->n_veth_extras; i++) {
                char value[2 * IFNAMSIZ + 2];

                (void) snprintf(value, sizeof value, "%s:%s", p->veth_extras[i].host, p->veth_extras[i].name);
                r = spawn_link_configure(p, "VirtualEthernetExtra", i, value, p->veth_extras[i].name, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The host side of the veth by its index, if it still is a veth of the
 * very name the plan gave it (the pair usually went away with the
 * container's namespace already; deleting it here makes "gone when cell
 * returns" exact). Not any "ve-" or "vb-" veth that has the index now:
 * that is another container's, made after ours went, and deleting it
 * would cut that container off. */
static void spawn_veth_remove(Spawn *s) {
        NetifVeth v = { .index = s->veth_index };
        int r;

        (void) snprintf(v.name, sizeof v.name, "%s", s->veth_name);
        r = netif_veth_remove(&v);
        if (r < 0)
                log_warning_errno(r, "VirtualEthernet=: cannot remove %s from the host: %m", v.name);
        s->veth_index = 0;
        s->veth_name[0] = 0;
}

/* VirtualEthernetExtra=: as the veth's host side. The container side goes
 * with the pair; nothing is moved back. */
static void spawn_veth_extras_remove(Spawn *s) {
        for (size_t i = 0; i < s->n_extras; i++) {
                int r = netif_veth_remove(&s->extras[i]);
                if (r < 0)
                        log_warning_errno(r, "VirtualEthernetExtra=%s: cannot remove it from the host: %m",
                                          s->extras[i].name);
        }
        s->extras = mfree(s->extras);
        s->n_extras = 0;
}

/* Zone=: after the veth's host side is gone, the bridge if that was its
 * last port (another cell of the zone may still be on it, or joining). */
static void spawn_zone_leave(Spawn *s) {
        if (!s->zone)
                return;
        int r = netif_zone_leave(s->zone);
        if (r == -EWOULDBLOCK)
                log_warning("Zone=%s: the bridge %s stays, if no cell is on it any more: the zone's lock has been "
                            "held by another for too long", startswith(s->zone, "vz-") ?: s->zone, s->zone);
        else if (r < 0)
                log_warning_errno(r, "Zone=%s: cannot remove the bridge %s: %m",
                                  startswith(s->zone, "vz-") ?: s->zone, s->zone);
        s->zone = mfree(s->zone);
}

/* Interface=: back into our network namespace before the container's goes
 * away (we hold it: no process of the container is left to), each one if it
 * still is the link that was moved in, then let it go. */
static void spawn_interfaces_return(Spawn *s) {
        for (size_t i = 0; s->netns_fd >= 0 && i < s->n_moved; i++) {
                const NetifMoved *m = &s->moved[i];
                char name[IFNAMSIZ];
                int r;

                r = netif_move_back(s->netns_fd, m, name);
                if (r == -ESTALE)
                        log_warning("Interface=%s: the link at index %d is not the one moved in; left in the container.",
                                    m->name, m->index);
                else if (r == -ENODEV)
                        log_warning("Interface=%s: no link at index %d in the container any more "
                                    "(the payload deleted it or moved it away).", m->name, m->index);
                else if (r > 0)
                        log_warning("Interface=%s: another interface has that name on the host now; "
                                    "moved back as %s.", m->name, name);
                else if (r < 0)
                        log_warning_errno(r, "Interface=%s: cannot move it back out of the container, "
                                          "it goes away with the container's network namespace "
                                          "(a physical one to the initial one): %m", m->name);
        }
        s->netns_fd = safe_close(s->netns_fd);
        s->moved = mfree(s->moved);
        s->n_moved = 0;
}

void spawn_network_done(Spawn *s) {
        if (s->netfw_table) {
                _cleanup_close_ int lock_fd = -EBADF;
                int r;

                /* By name only while no other start of the unit runs here. */
                r = port_table_claim_own(&s->shared, s->netfw_table, s->netfw_handles, &lock_fd);
                if (r < 0)
                        log_warning_errno(r, "Port=: cannot lock the name of the nft table %s: it is not removed "
                                          "by its name (nft gave no handle): %m", s->netfw_table);
                r = netfw_tables_remove(s->netfw_table, s->netfw_handles);
                if (r < 0)
                        log_warning_errno(r, "Port=: cannot remove the nft table %s (ip, ip6): its rules still "
                                          "forward the host's ports to the container's address: %m",
                                          s->netfw_table);
                s->netfw_table = mfree(s->netfw_table);
                s->netfw_handles[0] = s->netfw_handles[1] = 0;
        }
        spawn_veth_remove(s);
        spawn_veth_extras_remove(s);
        spawn_zone_leave(s);
        spawn_interfaces_return(s);
}
