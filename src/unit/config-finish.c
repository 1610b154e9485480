/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks across keys, once every file of the unit (drop-ins included)
 * is read: what a key needs of another, and what two keys exclude. */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>

#include "config-parse.h"
#include "config-parsers.h"
#include "parse-network.h"
#include "parse-util.h"
#include "pos-index.h"
#include "strv.h"

/* Whether Port= has an Address= to forward to, of either family. */
static bool addresses_have_port_target(char * const *addresses) {
        STRV_FOREACH(a, addresses)
                if (address_port_family(*a) != 0)
                        return true;
        return false;
}

/* Reports a check across keys where key (item of a counted list) was set,
 * as the parser names a bad value: "FILE:LINE: Key=...", the drop-in's own
 * path if it came from one. A key the unit does not set: its main file. */
static int check_failed(const CellConfig *c, const char *file, Diagnostics *diag, const char *key, size_t item,
                        const char *fmt, ...) _printf_(6, 7);
static int check_failed(const CellConfig *c, const char *file, Diagnostics *diag, const char *key, size_t item,
                        const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        const char *where;
        unsigned line = cell_config_origin(c, key, item, &where);
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return diag_error(diag, line > 0 ? where : file, line, "%s", m);
}

/* A key the unit needs and does not set (nor its alternative): named by
 * the empty assignment that unset it, if one did (a drop-in's "Directory="
 * over the main file's Directory=), else the unit's file alone. Not when
 * either was written with a bad value: that value is the one error, as in
 * systemd's verify ("Directory=root" is not also "Directory= is missing"). */
static int missing_key(const CellConfig *c, const char *file, Diagnostics *diag, const char *key,
                       const char *alternative, const char *need) {
        const char *where;
        unsigned line;

        if (cell_config_refused(c, key) || cell_config_refused(c, alternative))
                return 0;
        line = cell_config_emptied(c, key, &where);

        if (line == 0)
                line = cell_config_emptied(c, alternative, &where);
        if (line == 0)
                return diag_error(diag, file, 0, "%s= is missing: %s", key, need);
        return diag_error(diag, where, line, "%s= is missing (an empty assignment here unset it): %s", key, need);
}

/* The subnets of the Address= list of family, ", "-separated. */
static char *subnets_of_family(char * const *addresses, int family) {
        _cleanup_free_ char *list = NULL;

        STRV_FOREACH(a, addresses) {
                char subnet[INET6_ADDRSTRLEN + 8], *joined;

                if ((strchr(*a, ':') ? AF_INET6 : AF_INET) != family)
                        continue;
                if (asprintf(&joined, "%s%s%s", strempty(list), list ? ", " : "",
                             address_subnet(*a, subnet, sizeof subnet)) < 0)
                        return NULL;
                free(list);
                list = joined;
        }
        return TAKE_PTR(list) ?: strdup("");
}

/* Gateway=: a default route via an address on Address='s link, as the
 * kernel takes it (it refuses one off the link with ENETUNREACH at the
 * start; networkd takes one only with GatewayOnLink=, which cell has not).
 * Said where that Gateway= was written. Not when an Address= line was
 * refused: that value is the error. */
static int check_gateways(const CellConfig *c, const char *file, Diagnostics *diag) {
        int r;

        if (cell_config_refused(c, "Address"))
                return 0;
        STRV_FOREACH(g, c->gateways) {
                size_t n = (size_t) (g - c->gateways), a;
                int family = strchr(*g, ':') ? AF_INET6 : AF_INET;
                const char *v = family == AF_INET6 ? "IPv6" : "IPv4";
                _cleanup_free_ char *subnets = NULL;

                switch (gateway_reach(*g, c->addresses, &a)) {
                case GATEWAY_ON_LINK:
                        continue;
                case GATEWAY_NO_ADDRESS:
                        r = check_failed(c, file, diag, "Gateway", n,
                                         "Gateway=%s needs an %s Address= whose subnet holds it%s: the kernel adds a "
                                         "default route only via a gateway on the link (cell has no GatewayOnLink=)",
                                         *g, v, family == AF_INET6 ? " (or a link-local one, fe80::/10)" : "");
                        break;
                case GATEWAY_OFF_LINK:
                        subnets = subnets_of_family(c->addresses, family);
                        if (!subnets)
                                return -ENOMEM;
                        r = check_failed(c, file, diag, "Gateway", n,
                                         "Gateway=%s is outside the subnet of every %s Address= (%s): the kernel adds "
                                         "a default route only via a gateway on the link (cell has no "
                                         "GatewayOnLink=)", *g, v, subnets);
                        break;
                case GATEWAY_BROADCAST:
                        r = check_failed(c, file, diag, "Gateway", n,
                                         "Gateway=%s is the broadcast address of the subnet of Address=%s: no router "
                                         "has it", *g, c->addresses[a]);
                        break;
                case GATEWAY_SUBNET:
                        r = check_failed(c, file, diag, "Gateway", n,
                                         "Gateway=%s is the subnet's own address of Address=%s (its host bits all "
                                         "0): no router has it", *g, c->addresses[a]);
                        break;
                case GATEWAY_LOCAL:
                        r = check_failed(c, file, diag, "Gateway", n,
                                         "Gateway=%s is the container's own Address=%s: %s", *g, c->addresses[a],
                                         family == AF_INET6 ? "the kernel takes no local address as an IPv6 gateway" :
                                         "no router has it (the kernel takes the route, then sends to every "
                                         "address beyond the subnet as if on the link, and none answers)");
                        break;
                case GATEWAY_NOT_UNICAST:
                default:
                        r = check_failed(c, file, diag, "Gateway", n,
                                         "Gateway=%s is a loopback, unspecified, multicast or broadcast address: "
                                         "no router has it", *g);
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool name_equal(const void *userdata, size_t pos, const void *key) {
        return streq(((char * const *) userdata)[pos], key);
}

/* An index of the names of list, so that thousands of Interface= names
 * are not each held against every MACVLAN= and IPVLAN= one. */
static int names_index(PosIndex *x, char * const *list) {
        STRV_FOREACH(n, list)
                if (pos_index_add(x, pos_index_hash(*n, strlen(*n), 0), (size_t) (n - list)) < 0)
                        return -ENOMEM;
        return 0;
}

/* Whether name is in list (as names_index() made x of it): its position then in *ret_pos. */
static bool names_find(const PosIndex *x, char * const *list, const char *name, size_t *ret_pos) {
        return pos_index_find(x, pos_index_hash(name, strlen(name), 0), name_equal, list, name, ret_pos) > 0;
}

/* Whether the line that set item i of key a came after that of item j of
 * key b (the records are kept in the order the lines were read, drop-ins
 * after the main file). */
static bool origin_later(const CellConfig *c, const char *a, size_t i, const char *b, size_t j) {
        const CellOrigin *oa = cell_origin_find(c->origins, c->n_origins, a, i),
                *ob = cell_origin_find(c->origins, c->n_origins, b, j);

        return oa && ob && oa > ob;
}

/* The host interfaces the container's links come from. Each said at a line
 * of the two that exclude each other. */
static int check_links(const CellConfig *c, const char *file, Diagnostics *diag) {
        _cleanup_(pos_index_done) PosIndex macvlan = {}, ipvlan = {};
        int r;

        if (names_index(&macvlan, c->macvlan) < 0 || names_index(&ipvlan, c->ipvlan) < 0)
                return -ENOMEM;
        /* An interface moved into the container is gone from the host: it
         * cannot be the parent of a macvlan or ipvlan made there, nor the
         * bridge the veth's host side goes on. */
        STRV_FOREACH(i, c->interfaces) {
                size_t n = (size_t) (i - c->interfaces), m;

                if (names_find(&macvlan, c->macvlan, *i, &m) &&
                    (r = check_failed(c, file, diag, "Interface", n, "Interface=%s and MACVLAN=%s exclude each "
                                      "other: the interface is moved into the container", *i, *i)) < 0)
                        return r;
                if (names_find(&ipvlan, c->ipvlan, *i, &m) &&
                    (r = check_failed(c, file, diag, "Interface", n, "Interface=%s and IPVLAN=%s exclude each "
                                      "other: the interface is moved into the container", *i, *i)) < 0)
                        return r;
                if (streq_ptr(c->bridge, *i) &&
                    (r = check_failed(c, file, diag, "Interface", n, "Interface=%s and Bridge=%s exclude each "
                                      "other: the interface is moved into the container (and a bridge cannot "
                                      "change network namespace)", *i, *i)) < 0)
                        return r;
        }
        /* A macvlan and an ipvlan each take the parent's received packets
         * (its one rx_handler): the kernel refuses the second kind on it
         * with EBUSY, so the start failed at the ipvlans, the macvlans made
         * already. Said at the later line of the two; lo is refused as
         * either already. */
        STRV_FOREACH(i, c->ipvlan) {
                size_t n = (size_t) (i - c->ipvlan), m;

                if (streq(*i, "lo") || !names_find(&macvlan, c->macvlan, *i, &m))
                        continue;
                r = origin_later(c, "MACVLAN", m, "IPVLAN", n) ?
                        check_failed(c, file, diag, "MACVLAN", m, "MACVLAN=%s and IPVLAN=%s exclude each other: "
                                     "the host interface is the parent of macvlans or of ipvlans, not both (the "
                                     "kernel refuses the second kind on it)", *i, *i) :
                        check_failed(c, file, diag, "IPVLAN", n, "IPVLAN=%s and MACVLAN=%s exclude each other: "
                                     "the host interface is the parent of macvlans or of ipvlans, not both (the "
                                     "kernel refuses the second kind on it)", *i, *i);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* NotifyReady=yes, but UnsetEnvironment= takes the payload's $NOTIFY_SOCKET
 * away: the start waits for a READY=1 that a payload which looks there (as
 * sd_notify(3) does) never sends. A warning, not an error, as the socket is
 * still there: a payload that names /run/host/notify itself reaches it.
 * Said where the word was written. */
static int warn_notify_socket_unset(const CellConfig *c, const char *file, Diagnostics *diag) {
        const char *where;
        unsigned line;
        size_t i = 0;

        if (!c->notify_ready)
                return 0;
        STRV_FOREACH(w, c->unset_environment) {
                if (!streq(*w, "NOTIFY_SOCKET") && !streq(*w, "NOTIFY_SOCKET=" CELL_NOTIFY_SOCKET)) {
                        i++;
                        continue;
                }
                line = cell_config_origin(c, "UnsetEnvironment", i, &where);
                return diag_warning(diag, line > 0 ? where : file, line,
                                    "NotifyReady=yes with UnsetEnvironment=%s: the payload gets no $NOTIFY_SOCKET "
                                    "to send READY=1 to, and the container counts as started only once one "
                                    "comes (under cell@.service, a start that waits until its timeout); only a "
                                    "payload that sends to " CELL_NOTIFY_SOCKET " by that name reaches "
                                    "it", *w);
        }
        return 0;
}

int config_finish(CellConfig *c, const char *file, Diagnostics *diag) {
        int r = 0;

#define CHECK(cond, key, item, ...)                                     \
        do {                                                            \
                if ((cond) && (r = check_failed(c, file, diag, key, item, __VA_ARGS__)) < 0) \
                        return r;                                       \
        } while (0)

        /* Unset: no line to name, unless an empty assignment (a drop-in's
         * "Directory=") unset it. */
        if (!c->directory && !c->image &&
            (r = missing_key(c, file, diag, "Directory", "Image",
                             "[Root] needs the absolute path of the container's root directory "
                             "(or Image= that of a file system image)")) < 0)
                return r;
        /* One root, as nspawn's --directory= and --image=. Named where Image= was written. */
        CHECK(c->directory && c->image, "Image", 0,
              "Directory= and Image= exclude each other: the container's root is a directory or an image");
        if (!c->exec && !c->boot &&
            (r = missing_key(c, file, diag, "Exec", "Boot", "[Exec] needs a command line in Exec= or Boot=yes")) < 0)
                return r;
        CHECK(c->exec && c->boot, "Exec", 0,
              "Exec= and Boot=yes exclude each other: with Boot=yes the payload is /sbin/init");
        CHECK(c->init && c->boot, "Init", 0,
              "Init=yes and Boot=yes exclude each other: with Boot=yes the init system is PID 1");

        /* Said where the Bind= was written (a drop-in's own file and line). */
        for (size_t i = 0; i < c->n_binds; i++) {
                const CellBind *b = &c->binds[i];
                char src[PATH_ESCAPED_MAX], dst[PATH_ESCAPED_MAX];

                if (!b->idmap || c->private_users != CELL_PRIVATE_USERS_NO)
                        continue;
                /* The value as the unit wrote it, so that grep finds it; one made by
                 * hand: its paths as a unit writes them, "\:" and "\\". */
                if (b->raw)
                        r = diag_error(diag, b->file ?: file, b->line,
                                       "%s=%s: \"idmap\" needs PrivateUsers=yes, pick or UID[:COUNT]",
                                       b->read_only ? "BindReadOnly" : "Bind", b->raw);
                else
                        r = diag_error(diag, b->file ?: file, b->line,
                                       "%s=%s:%s with \"idmap\" needs PrivateUsers=yes, pick or UID[:COUNT]",
                                       b->read_only ? "BindReadOnly" : "Bind",
                                       path_escape_colons(b->source, src, sizeof src),
                                       path_escape_colons(b->target, dst, sizeof dst));
                if (r < 0)
                        return r;
        }

        /* Bridge= and Zone= put the host side of a veth pair on a bridge, so they imply one. */
        if (c->bridge || c->zone)
                c->virtual_ethernet = true;
        /* nspawn's rule: the veth's host side goes on one bridge. Said
         * where Zone= was written. */
        if (c->zone && c->bridge &&
            (r = diag_error(diag, c->zone_file ?: file, c->zone_line,
                            "Zone=%s and Bridge=%s exclude each other: the veth's host side goes on one bridge",
                            c->zone, c->bridge)) < 0)
                return r;
        CHECK(c->virtual_ethernet && !c->private_network,
              c->bridge ? "Bridge" : c->zone ? "Zone" : "VirtualEthernet", 0,
              "%s needs PrivateNetwork=yes: a veth link only exists in a private network namespace",
              c->bridge ? "Bridge=" : c->zone ? "Zone=" : "VirtualEthernet=yes");
        /* Said where the first extra pair was written. */
        if (c->n_veth_extras > 0 && !c->private_network &&
            (r = diag_error(diag, c->veth_extras[0].file ?: file, c->veth_extras[0].line,
                            "VirtualEthernetExtra= needs PrivateNetwork=yes: a veth link only exists in a "
                            "private network namespace")) < 0)
                return r;
        CHECK((c->interfaces || c->macvlan || c->ipvlan) && !c->private_network,
              c->interfaces ? "Interface" : c->macvlan ? "MACVLAN" : "IPVLAN", 0,
              "%s needs PrivateNetwork=yes: it gives the container an interface of its own network namespace",
              c->interfaces ? "Interface=" : c->macvlan ? "MACVLAN=" : "IPVLAN=");
        r = check_links(c, file, diag);
        if (r < 0)
                return r;
        /* The host's loopback is no parent of a macvlan or an ipvlan (the
         * kernel takes an Ethernet link only), no bridge, and is there
         * already for a veth's host side: the start would fail on it. */
        STRV_FOREACH(m, c->macvlan)
                CHECK(streq(*m, "lo"), "MACVLAN", (size_t) (m - c->macvlan),
                      "MACVLAN=lo: the host's loopback cannot be the parent of a macvlan (an Ethernet link can)");
        STRV_FOREACH(m, c->ipvlan)
                CHECK(streq(*m, "lo"), "IPVLAN", (size_t) (m - c->ipvlan),
                      "IPVLAN=lo: the host's loopback cannot be the parent of an ipvlan (an Ethernet link can)");
        CHECK(streq_ptr(c->bridge, "lo"), "Bridge", 0, "Bridge=lo: the host's loopback is no bridge");
        for (size_t i = 0; i < c->n_veth_extras; i++)
                if (streq(c->veth_extras[i].host, "lo") &&
                    (r = diag_error(diag, c->veth_extras[i].file ?: file, c->veth_extras[i].line,
                                    "VirtualEthernetExtra=lo:%s: the host side would be the host's loopback",
                                    c->veth_extras[i].container)) < 0)
                        return r;
        /* Said where the (first) Port= was written. */
        if (c->n_ports > 0 && !c->virtual_ethernet &&
            (r = diag_error(diag, c->ports_file ?: file, c->ports_line,
                            "Port= needs VirtualEthernet=yes, Bridge= or Zone=: ports are forwarded to the "
                            "container's veth address")) < 0)
                return r;
        if (c->n_ports > 0 && c->virtual_ethernet && !addresses_have_port_target(c->addresses) &&
            (r = diag_error(diag, c->ports_file ?: file, c->ports_line,
                            "Port= needs an Address= to forward to in [Network], IPv4 or IPv6, not link-local, "
                            "loopback, unspecified, multicast or broadcast: ports are forwarded to the "
                            "container's first address of each family (cell runs no DHCP to learn one)")) < 0)
                return r;
        CHECK((c->addresses || c->gateways) && !c->virtual_ethernet && !c->interfaces && !c->macvlan && !c->ipvlan,
              c->addresses ? "Address" : "Gateway", 0,
              "%s needs an interface in the container: VirtualEthernet=yes, Bridge=, Zone=, Interface=, MACVLAN= "
              "or IPVLAN=",
              c->addresses ? "Address=" : "Gateway=");
#undef CHECK
        if (c->virtual_ethernet || c->interfaces || c->macvlan || c->ipvlan) {
                r = check_gateways(c, file, diag);
                if (r < 0)
                        return r;
        }
        r = warn_notify_socket_unset(c, file, diag);
        if (r < 0)
                return r;
        return config_finish_sched(c, diag);
}
