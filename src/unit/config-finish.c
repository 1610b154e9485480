/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks across keys, once every file of the unit (drop-ins included)
 * is read: what a key needs of another, and what two keys exclude. */
#include <stdarg.h>
#include <stdio.h>

#include "config-parse.h"
#include "config-parsers.h"
#include "parse-network.h"
#include "parse-util.h"
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

                /* The paths as the unit writes them: "\:" and "\\". */
                if (b->idmap && c->private_users == CELL_PRIVATE_USERS_NO &&
                    (r = diag_error(diag, b->file ?: file, b->line,
                                    "%s=%s:%s with \"idmap\" needs PrivateUsers=yes, pick or UID[:COUNT]",
                                    b->read_only ? "BindReadOnly" : "Bind",
                                    path_escape_colons(b->source, src, sizeof src),
                                    path_escape_colons(b->target, dst, sizeof dst))) < 0)
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
        /* An interface moved into the container is gone from the host: it
         * cannot be the parent of a macvlan or ipvlan made there, nor the
         * bridge the veth's host side goes on. */
        STRV_FOREACH(i, c->interfaces) {
                size_t n = (size_t) (i - c->interfaces);

                CHECK(strv_contains(c->macvlan, *i), "Interface", n,
                      "Interface=%s and MACVLAN=%s exclude each other: the interface is moved into the container",
                      *i, *i);
                CHECK(strv_contains(c->ipvlan, *i), "Interface", n,
                      "Interface=%s and IPVLAN=%s exclude each other: the interface is moved into the container",
                      *i, *i);
                CHECK(streq_ptr(c->bridge, *i), "Interface", n,
                      "Interface=%s and Bridge=%s exclude each other: the interface is moved into the container "
                      "(and a bridge cannot change network namespace)", *i, *i);
        }
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
        r = warn_notify_socket_unset(c, file, diag);
        if (r < 0)
                return r;
        return config_finish_sched(c, diag);
}
