/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "netfw.h"

char *netfw_table_name(const char *name) {
        char *t;

        if (asprintf(&t, "cell-%s", name) < 0)
                return NULL;
        /* nft identifiers: letters, digits, '_', '-', '.', '/' ("worker@3"
         * becomes "cell-worker_3"). */
        for (char *c = t; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.'))
                        *c = '_';
        return t;
}

char *netfw_script(const char *table, const Plan *p, const char *address) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        /* "add" then "delete" makes the delete never fail; all of it is one
         * transaction: the old table (of a killed cell) and the new rules
         * are never both there, never both missing. */
        fprintf(f, "add table inet %1$s\n"
                   "delete table inet %1$s\n"
                   "add table inet %1$s\n"
                   /* From other hosts (routed in) ... */
                   "add chain inet %1$s prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
                   /* ... and from the host itself. */
                   "add chain inet %1$s output { type nat hook output priority -100; policy accept; }\n",
                table);
        for (size_t i = 0; i < p->n_ports; i++) {
                const CellPort *port = p->ports + i;
                const char *proto = port->protocol == IPPROTO_UDP ? "udp" : "tcp";

                /* Only what is addressed to this host: traffic passing
                 * through to other addresses is not ours to redirect. */
                for (int c = 0; c < 2; c++)
                        fprintf(f, "add rule inet %s %s fib daddr type local %s dport %u dnat ip to %s:%u\n",
                                table, c == 0 ? "prerouting" : "output", proto,
                                port->host_port, address, port->container_port);
        }
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(buf);
}

static void nft_ctx_freep(struct nft_ctx **ctx) {
        if (*ctx)
                nft_ctx_free(*ctx);
}

/* Runs a script; on failure *ret_message gets nft's first error line. */
static int netfw_run(const char *script, char *message, size_t size) {
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = NULL;
        const char *e;

        ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        /* Nothing on our stdout/stderr: the error text is ours to word. */
        if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0)
                return -ENOMEM;
        if (nft_run_cmd_from_buffer(ctx, script) == 0)
                return 0;
        e = nft_ctx_get_error_buffer(ctx);
        if (message)
                (void) snprintf(message, size, "%.*s", (int) strcspn(strempty(e), "\n"), strempty(e));
        return -EIO;
}

int netfw_ports_add(const Plan *p, const char *table, SpawnError *err) {
        _cleanup_free_ char *script = NULL;
        char address[INET6_ADDRSTRLEN + 8] = "", message[256] = "";
        int r;

        for (char * const *a = p->addresses; a && *a; a++)
                if (!strchr(*a, ':')) {
                        (void) snprintf(address, sizeof address, "%.*s", (int) strcspn(*a, "/"), *a);
                        break;
                }
        if (isempty(address))
                return spawn_error(err, EINVAL, "Port=: needs an IPv4 Address= in [Network]: "
                                   "ports are forwarded to that address of the container");

        script = netfw_script(table, p, address);
        if (!script)
                return spawn_error(err, ENOMEM, "Port=: building the nftables rules");
        r = netfw_run(script, message, sizeof message);
        if (r < 0)
                return spawn_error(err, r, "Port=: adding the nftables table inet %s%s%s", table,
                                   *message ? ": " : "", message);
        return 0;
}

int netfw_table_remove(const char *table) {
        _cleanup_free_ char *script = NULL;

        if (asprintf(&script, "add table inet %1$s\ndelete table inet %1$s\n", table) < 0)
                return -ENOMEM;
        return netfw_run(script, NULL, 0);
}
