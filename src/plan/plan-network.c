/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_build()'s network part: the veth (on a bridge or in a zone), the
 * extra veths, the interfaces moved in or made on host interfaces
 * (Interface=, MACVLAN=, IPVLAN=), ports and addresses. */

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "parse-network.h"
#include "plan-internal.h"
#include "pos-index.h"
#include "siphash24.h"
#include "strv.h"

#define PLAN_IFNAMSIZ 16        /* IFNAMSIZ, without <net/if.h> in the pure stage */
#define PLAN_ALTIFNAMSIZ 128    /* ALTIFNAMSIZ */

/* nspawn's key for shortening interface names (a fixed random number): a
 * long name comes out as nspawn's short one for it. */
static const uint8_t ifname_hash_key[16] = {
        0xe1, 0x90, 0xa4, 0x04, 0xa8, 0xef, 0x4b, 0x51, 0x8c, 0xcc, 0xc3, 0x3a, 0x9f, 0x11, 0xfc, 0xa2,
};

/* prefix + name as nspawn names an interface it makes (its naming scheme
 * v245 and later; 252's default): as it is up to 15 bytes; else its first
 * 11 bytes and 24 bits of a SipHash of the whole in 4 characters of
 * URL-safe base64, so that two long names alike in their first bytes do
 * not collide. *ret_altname: the whole then (an alternative name has room
 * for it), else NULL. */
static int plan_ifname(const char *prefix, const char *name, char **ret, char **ret_altname) {
        static const char base64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        _cleanup_free_ char *full = NULL;
        char *alt = NULL, *s;
        size_t n = PLAN_IFNAMSIZ - 5;
        uint64_t h;

        if (asprintf(&full, "%s%s", prefix, name) < 0)
                return -ENOMEM;
        if (strlen(full) < PLAN_IFNAMSIZ) {
                *ret = TAKE_PTR(full);
                if (ret_altname)
                        *ret_altname = NULL;
                return 0;
        }
        h = siphash24(full, strlen(full), ifname_hash_key);
        s = malloc(PLAN_IFNAMSIZ);
        if (!s)
                return -ENOMEM;
        memcpy(s, full, n);
        for (size_t i = 0; i < 4; i++)
                s[n + i] = base64url[(h >> (18 - 6 * i)) & 63];
        s[PLAN_IFNAMSIZ - 1] = 0;
        if (ret_altname && strlen(full) < PLAN_ALTIFNAMSIZ)
                alt = TAKE_PTR(full);
        *ret = s;
        if (ret_altname)
                *ret_altname = alt;
        return 0;
}

bool plan_network_has_links(const Plan *p) {
        return p->virtual_ethernet || p->n_interfaces > 0 || p->n_macvlans > 0 || p->n_ipvlans > 0 ||
                p->n_veth_extras > 0;
}

void plan_links_free(PlanLink *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].host);
                free(l[i].name);
        }
        free(l);
}

/* One PlanLink per host interface; the name inside is prefix + the host's,
 * shortened as nspawn's (plan_ifname()). No alternative name: nspawn's
 * attempt at one for these fails (it looks for the link on the host once
 * it is in the container). */
static int plan_links(char * const *hosts, const char *prefix, PlanLink **ret, size_t *ret_n) {
        size_t n = strv_length(hosts);
        PlanLink *l;

        if (n == 0)
                return 0;
        l = new0(PlanLink, n);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                l[i].host = strdup(hosts[i]);
                if (!l[i].host || plan_ifname(prefix, hosts[i], &l[i].name, NULL) < 0) {
                        plan_links_free(l, i + 1);
                        return -ENOMEM;
                }
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

typedef struct LinkKind {
        const char *key;
        const PlanLink *links;
        size_t n;
} LinkKind;

/* The names of links (inside, or host_side: on the host), through an
 * index: thousands of interfaces are not each held against all before. */
typedef struct LinkSet {
        PosIndex index;
        const PlanLink *links;
        bool host_side;
} LinkSet;

static const char *link_name(const LinkSet *s, size_t i) {
        return s->host_side ? s->links[i].host : s->links[i].name;
}

static bool link_equal(const void *userdata, size_t pos, const void *key) {
        return streq(link_name(userdata, pos), key);
}

static uint64_t link_hash(const char *name) {
        return pos_index_hash(name, strlen(name), 0);
}

static bool link_set_has(const LinkSet *s, const char *name) {
        size_t pos;

        return pos_index_find(&s->index, link_hash(name), link_equal, s, name, &pos) > 0;
}

/* Adds links[i] (one of s->links) unless its name is there: 0 or -ENOMEM. */
static int link_set_add(LinkSet *s, size_t i) {
        if (link_set_has(s, link_name(s, i)))
                return 0;
        return pos_index_add(&s->index, link_hash(link_name(s, i)), i);
}

/* A set of the n links' names. */
static int link_set_make(LinkSet *s, const PlanLink *links, size_t n, bool host_side) {
        *s = (LinkSet) { .links = links, .host_side = host_side };
        for (size_t i = 0; i < n; i++)
                if (link_set_add(s, i) < 0)
                        return -ENOMEM;
        return 0;
}

static void link_sets_done(LinkSet *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                pos_index_done(&s[i].index);
}

/* Two interfaces of one name cannot both be in the container (a repeated
 * host interface, two long names shortened to the same 15 bytes, host0 or
 * lo). */
static int plan_links_check(const Plan *p, const CellConfig *c, Diagnostics *diag) {
        const LinkKind kinds[] = {
                { "Interface", p->interfaces, p->n_interfaces },
                { "MACVLAN", p->macvlans, p->n_macvlans },
                { "IPVLAN", p->ipvlans, p->n_ipvlans },
        };
        /* The names inside of those before, of each kind. */
        LinkSet seen[ELEMENTSOF(kinds)] = {};
        int r = 0;

        for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                seen[k] = (LinkSet) { .links = kinds[k].links };
                for (size_t i = 0; i < kinds[k].n; i++) {
                        const PlanLink *l = kinds[k].links + i;
                        bool taken = streq(l->name, "lo") || (streq(l->name, "host0") && p->virtual_ethernet);

                        for (size_t k2 = 0; !taken && k2 <= k; k2++)
                                taken = link_set_has(seen + k2, l->name);
                        if (link_set_add(seen + k, i) < 0) {
                                link_sets_done(seen, ELEMENTSOF(seen));
                                return -ENOMEM;
                        }
                        if (!taken)
                                continue;
                        /* Said where the second name was written. */
                        const char *file;
                        unsigned line = cell_config_origin(c, kinds[k].key, i, &file);
                        r = diag_error(diag, file, line, "%s=%s: the container would have two interfaces named %s",
                                       kinds[k].key, l->host, l->name);
                        if (r < 0) {
                                link_sets_done(seen, ELEMENTSOF(seen));
                                return r;
                        }
                        r = -EINVAL;
                }
        }
        link_sets_done(seen, ELEMENTSOF(seen));
        return r;
}

/* VirtualEthernetExtra=: the pair's container side must be no other
 * interface of the container (lo, host0, Interface=, MACVLAN=, IPVLAN=, an
 * earlier pair's), and its host side none of the host's interfaces cell
 * makes or names (the veth's host side, Bridge= or the zone's bridge, the
 * interfaces of Interface=, MACVLAN=, IPVLAN=, an earlier pair's): each is
 * said where the pair was written. */
static int veth_extras_check(const Plan *p, const CellConfig *c, Diagnostics *diag, LinkSet s[static 8]) {
        int r = 0;

        for (size_t i = 0; i < p->n_veth_extras; i++) {
                const PlanLink *e = p->veth_extras + i;
                const CellVethExtra *ce = c->veth_extras + i;
                const char *inside = NULL, *outside = NULL;

                if (streq(e->name, "lo"))
                        inside = "its loopback";
                else if (streq(e->name, "host0") && p->virtual_ethernet)
                        inside = "VirtualEthernet='s container side";
                else if (link_set_has(s + 0, e->name))
                        inside = "Interface=";
                else if (link_set_has(s + 1, e->name))
                        inside = "MACVLAN=";
                else if (link_set_has(s + 2, e->name))
                        inside = "IPVLAN=";
                else if (link_set_has(s + 3, e->name))
                        inside = "another VirtualEthernetExtra=";

                if (streq_ptr(p->veth_host, e->host))
                        outside = "VirtualEthernet='s host side";
                else if (streq_ptr(p->bridge, e->host))
                        outside = "Bridge=";
                else if (streq_ptr(p->zone, e->host))
                        outside = "Zone='s bridge";
                else if (link_set_has(s + 4, e->host))
                        outside = "an Interface=";
                else if (link_set_has(s + 5, e->host))
                        outside = "a MACVLAN= parent";
                else if (link_set_has(s + 6, e->host))
                        outside = "an IPVLAN= parent";
                else if (link_set_has(s + 7, e->host))
                        outside = "another VirtualEthernetExtra='s host side";
                /* The earlier pairs', for the next. */
                if (link_set_add(s + 3, i) < 0 || link_set_add(s + 7, i) < 0)
                        return -ENOMEM;

                if (inside) {
                        r = diag_error(diag, ce->file ?: c->path, ce->line,
                                       "VirtualEthernetExtra=%s:%s: the container would have two interfaces named %s "
                                       "(%s)", e->host, e->name, e->name, inside);
                        if (r < 0)
                                return r;
                        r = -EINVAL;
                }
                if (outside) {
                        r = diag_error(diag, ce->file ?: c->path, ce->line,
                                       "VirtualEthernetExtra=%s:%s: the host side %s is also %s",
                                       e->host, e->name, e->host, outside);
                        if (r < 0)
                                return r;
                        r = -EINVAL;
                }
        }
        return r;
}

static int plan_veth_extras_check(const Plan *p, const CellConfig *c, Diagnostics *diag) {
        /* The names inside, then on the host, of Interface=, MACVLAN=,
         * IPVLAN= and the earlier pairs. */
        LinkSet s[8] = {};
        int r;

        if (p->n_veth_extras == 0)
                return 0;
        if (link_set_make(s + 0, p->interfaces, p->n_interfaces, false) < 0 ||
            link_set_make(s + 1, p->macvlans, p->n_macvlans, false) < 0 ||
            link_set_make(s + 2, p->ipvlans, p->n_ipvlans, false) < 0 ||
            link_set_make(s + 3, p->veth_extras, 0, false) < 0 ||
            link_set_make(s + 4, p->interfaces, p->n_interfaces, true) < 0 ||
            link_set_make(s + 5, p->macvlans, p->n_macvlans, true) < 0 ||
            link_set_make(s + 6, p->ipvlans, p->n_ipvlans, true) < 0 ||
            link_set_make(s + 7, p->veth_extras, 0, true) < 0)
                r = -ENOMEM;
        else
                r = veth_extras_check(p, c, diag, s);
        link_sets_done(s, ELEMENTSOF(s));
        return r;
}

int plan_build_network(Plan *p, const CellConfig *c, Diagnostics *diag) {
        const char *first = NULL;
        int r;

        p->virtual_ethernet = c->virtual_ethernet;
        /* nspawn names the veth and hashes the MAC addresses from its
         * machine name, not from the unit's: "web@3" is "ve-web-3", as
         * machinectl shows the machine. */
        if ((c->virtual_ethernet || c->n_veth_extras > 0 || c->macvlan) &&
            !(p->network_machine_name = plan_machine_name_mapped(p->name)))
                return -ENOMEM;
        /* nspawn's names: "vb-" on a bridge, where networkd's
         * 80-container-vb.network keeps it a port of the bridge; a "ve-"
         * one gets 80-container-ve.network's address and DHCP server. */
        if (c->virtual_ethernet &&
            plan_ifname(c->bridge || c->zone ? "vb-" : "ve-", p->network_machine_name, &p->veth_host,
                        &p->veth_host_altname) < 0)
                return -ENOMEM;
        if (c->bridge && !(p->bridge = strdup(c->bridge)))
                return -ENOMEM;
        if (c->zone && asprintf(&p->zone, "vz-%s", c->zone) < 0) {
                p->zone = NULL;
                return -ENOMEM;
        }
        if (c->n_veth_extras > 0) {
                p->veth_extras = new0(PlanLink, c->n_veth_extras);
                if (!p->veth_extras)
                        return -ENOMEM;
                p->n_veth_extras = c->n_veth_extras;
                for (size_t i = 0; i < c->n_veth_extras; i++)
                        if (!(p->veth_extras[i].host = strdup(c->veth_extras[i].host)) ||
                            !(p->veth_extras[i].name = strdup(c->veth_extras[i].container)))
                                return -ENOMEM;
        }
        if (plan_links(c->interfaces, "", &p->interfaces, &p->n_interfaces) < 0 ||
            plan_links(c->macvlan, "mv-", &p->macvlans, &p->n_macvlans) < 0 ||
            plan_links(c->ipvlan, "iv-", &p->ipvlans, &p->n_ipvlans) < 0)
                return -ENOMEM;
        if (c->n_ports > 0) {
                p->ports = new0(CellPort, c->n_ports);
                if (!p->ports)
                        return -ENOMEM;
                memcpy(p->ports, c->ports, sizeof(CellPort) * c->n_ports);
                p->n_ports = c->n_ports;
        }

        /* Address= and Gateway= go on one interface: the veth if there is
         * one, else the first one cell gives the container, in the order it
         * does (nspawn's: moved ones, then macvlans, then ipvlans). */
        if (p->virtual_ethernet)
                first = "host0";
        else if (p->n_interfaces > 0)
                first = p->interfaces[0].name;
        else if (p->n_macvlans > 0)
                first = p->macvlans[0].name;
        else if (p->n_ipvlans > 0)
                first = p->ipvlans[0].name;
        if (first && !(p->address_interface = strdup(first)))
                return -ENOMEM;
        if (c->addresses && !(p->addresses = strv_copy(c->addresses)))
                return -ENOMEM;
        /* Port=: as nspawn, to the container's address of each family
         * (the first Address= of it here: cell learns none by DHCP). */
        STRV_FOREACH(a, p->n_ports > 0 ? p->addresses : NULL) {
                int family = address_port_family(*a);
                char **slot = family == AF_INET ? &p->ports_ipv4 : family == AF_INET6 ? &p->ports_ipv6 : NULL;

                if (slot && !*slot && !(*slot = strndup(*a, strcspn(*a, "/"))))
                        return -ENOMEM;
        }
        if (c->gateways && !(p->gateways = strv_copy(c->gateways)))
                return -ENOMEM;

        r = plan_links_check(p, c, diag);
        if (r == -ENOMEM)
                return r;
        int q = plan_veth_extras_check(p, c, diag);
        if (q == -ENOMEM)
                return q;
        return r < 0 || q < 0 ? -EINVAL : 0;
}
