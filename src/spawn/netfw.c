/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dlopen-table.h"
#include "macros.h"
#include "netfw.h"
#include "siphash24.h"

/* The hash's key: plan-network.c's (nspawn's, for long interface names).
 * Any fixed one would do: the name must come out the same at each start. */
static const uint8_t netfw_hash_key[16] = {
        0xe1, 0x90, 0xa4, 0x04, 0xa8, 0xef, 0x4b, 0x51, 0x8c, 0xcc, 0xc3, 0x3a, 0x9f, 0x11, 0xfc, 0xa2,
};

char *netfw_table_name(const char *name) {
        size_t n = strlen(name);
        bool hashed = false;
        char *t, *q;

        t = malloc((sizeof "cell-" - 1) + n + (sizeof "//" - 1) + 16 + 1);
        if (!t)
                return NULL;
        q = stpcpy(t, "cell-");
        /* nft (1.0.6) takes letters, digits, "_", ".", "-" and "/" in a
         * name, and no quoted one. A unit name holds no "/": "@" becomes
         * it, one for one. */
        for (const char *c = name; *c; c++) {
                if (*c == '@')
                        *q++ = '/';
                else if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                         *c == '_' || *c == '.' || *c == '-')
                        *q++ = *c;
                else {
                        *q++ = '_';
                        hashed = true;
                }
        }
        /* ":" and "\\" have no such stand-in: "a:b" and "a_b" would share a
         * table. Such a name gets "//" and a hash of the whole name, which
         * no name of the other kind has (it holds one "/" at most), and is
         * cut to fit before them. */
        if (hashed) {
                q = t + MIN((size_t) (q - t), (size_t) NETFW_NAME_MAX - (sizeof "//" - 1) - 16);
                q += sprintf(q, "//%016" PRIx64, siphash24(name, n, netfw_hash_key));
        }
        *q = 0;
        return t;
}

/* The rules of one port to one address of the container: from other hosts
 * (routed in) and from the host itself. Only what is addressed to this
 * host: traffic passing through to other addresses is not ours to
 * redirect. And not the host's own to its loopback (nspawn's rule too, for
 * 127.0.0.0/8 and ::1): from there the container cannot answer, and the
 * host's services on the loopback at HOSTPORT would be cut off. */
static void netfw_port_rules(FILE *f, const char *table, const CellPort *port, int family, const char *address) {
        const char *proto = port->protocol == IPPROTO_UDP ? "udp" : "tcp";
        bool v6 = family == AF_INET6;

        for (int c = 0; c < 2; c++)
                fprintf(f, "add rule %s %s %s %sfib daddr type local %s dport %u dnat to %s%s%s:%u\n",
                        v6 ? "ip6" : "ip", table, c == 0 ? "prerouting" : "output",
                        c == 0 ? "" : v6 ? "ip6 daddr != ::1 " : "ip daddr != 127.0.0.0/8 ",
                        proto, port->host_port, v6 ? "[" : "", address, v6 ? "]" : "", port->container_port);
}

char *netfw_script(const char *table, int family, const Plan *p) {
        const char *nft_family = family == AF_INET6 ? "ip6" : "ip";
        const char *to = family == AF_INET6 ? p->ports_ipv6 : p->ports_ipv4;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        /* "add" then "delete" makes the delete never fail; all of it is one
         * transaction: the old table (of a killed cell) and the new rules
         * are never both there, never both missing. */
        fprintf(f, "add table %1$s %2$s\n"
                   "delete table %1$s %2$s\n", nft_family, table);
        /* A family the container has no address of: only the old table
         * goes (the unit may have had one at the last start). */
        if (to) {
                fprintf(f, "add table %1$s %2$s\n"
                           /* From other hosts (routed in) ... */
                           "add chain %1$s %2$s prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
                           /* ... and from the host itself. */
                           "add chain %1$s %2$s output { type nat hook output priority -100; policy accept; }\n",
                        nft_family, table);
                for (size_t i = 0; i < p->n_ports; i++)
                        netfw_port_rules(f, table, p->ports + i, family, to);
        }
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(buf);
}

/* libnftables is opened with dlopen() only when a plan has Port=: linked
 * directly it maps five more shared objects (libnftables, libnftnl,
 * libxtables, libjansson, libgmp) whose relocation was most of the cost of
 * starting every cell, with or without ports (tests/bench/RESULTS.md). The
 * header still gives us the prototypes: each pointer below is declared with
 * the type of the function it stands for (typeof), so a changed signature
 * fails to compile instead of being called wrongly. */
#define NFTABLES_SONAME "libnftables.so.1"

static struct {
        void *handle;
        typeof(nft_ctx_new) *ctx_new;
        typeof(nft_ctx_free) *ctx_free;
        typeof(nft_ctx_buffer_output) *ctx_buffer_output;
        typeof(nft_ctx_buffer_error) *ctx_buffer_error;
        typeof(nft_ctx_get_output_buffer) *ctx_get_output_buffer;
        typeof(nft_ctx_get_error_buffer) *ctx_get_error_buffer;
        typeof(nft_ctx_output_get_flags) *ctx_output_get_flags;
        typeof(nft_ctx_output_set_flags) *ctx_output_set_flags;
        typeof(nft_run_cmd_from_buffer) *run_cmd_from_buffer;
} nft;

/* Loads the library once per process (the supervisor adds the table at start
 * and removes it at stop); kept open until exit. On failure message gets a
 * line for a human. RTLD_NOW: a missing symbol fails here, not in the middle
 * of a transaction; RTLD_LOCAL: its symbols do not leak into our namespace. */
static int netfw_dlopen(char *message, size_t size) {
        const DlopenSym syms[] = {
                DLOPEN_SYM(nft, ctx_new, nft_ctx_new),
                DLOPEN_SYM(nft, ctx_free, nft_ctx_free),
                DLOPEN_SYM(nft, ctx_buffer_output, nft_ctx_buffer_output),
                DLOPEN_SYM(nft, ctx_buffer_error, nft_ctx_buffer_error),
                DLOPEN_SYM(nft, ctx_get_output_buffer, nft_ctx_get_output_buffer),
                DLOPEN_SYM(nft, ctx_get_error_buffer, nft_ctx_get_error_buffer),
                DLOPEN_SYM(nft, ctx_output_get_flags, nft_ctx_output_get_flags),
                DLOPEN_SYM(nft, ctx_output_set_flags, nft_ctx_output_set_flags),
                DLOPEN_SYM(nft, run_cmd_from_buffer, nft_run_cmd_from_buffer),
        };
        char why[256];

        if (dlopen_table(NFTABLES_SONAME, RTLD_NOW | RTLD_LOCAL, syms, ELEMENTSOF(syms), &nft.handle, why,
                         sizeof why) < 0) {
                if (message)
                        (void) snprintf(message, size, "Port= needs libnftables (Debian: libnftables1): %s", why);
                return -EOPNOTSUPP;
        }
        return 0;
}

static void nft_ctx_freep(struct nft_ctx **ctx) {
        if (*ctx)
                nft.ctx_free(*ctx);
}

/* The table whose handle a script's run is to read from nft's echo. */
typedef struct NetfwEcho {
        int family;
        const char *table;
        uint64_t *ret_handle;
} NetfwEcho;

/* Runs a script; on failure message gets nft's first error line (or why
 * libnftables could not be loaded: -EOPNOTSUPP); -ENOENT for an object
 * that is not there (a table deleted by its handle), else -EIO. With echo,
 * nft echoes what it added, with each object's handle, and the table's is
 * read from that before anything else can fail: NETFW_HANDLE_BY_NAME where
 * it is not found, so that a table added is never one nobody removes. */
static int netfw_run(const char *script, const NetfwEcho *echo, char *message, size_t size) {
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = NULL;
        const char *e;
        int r;

        r = netfw_dlopen(message, size);
        if (r < 0)
                return r;

        ctx = nft.ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        /* Nothing on our stdout/stderr: the error text is ours to word. */
        if (nft.ctx_buffer_output(ctx) < 0 || nft.ctx_buffer_error(ctx) < 0)
                return -ENOMEM;
        if (echo)
                nft.ctx_output_set_flags(ctx, nft.ctx_output_get_flags(ctx) | NFT_CTX_OUTPUT_ECHO |
                                         NFT_CTX_OUTPUT_HANDLE);
        if (nft.run_cmd_from_buffer(ctx, script) == 0) {
                if (echo) {
                        *echo->ret_handle = netfw_echo_table_handle(nft.ctx_get_output_buffer(ctx), echo->family,
                                                                    echo->table);
                        if (*echo->ret_handle == 0)
                                *echo->ret_handle = NETFW_HANDLE_BY_NAME;
                }
                return 0;
        }
        e = nft.ctx_get_error_buffer(ctx);
        /* Its first line, without the "Error: " every one begins with. */
        e = strempty(e);
        e = startswith(e, "Error: ") ?: e;
        if (message)
                (void) snprintf(message, size, "%.*s", (int) strcspn(e, "\n"), e);
        /* nft words the kernel's errno with strerror(). */
        return strstr(e, strerror(ENOENT)) ? -ENOENT : -EIO;
}

uint64_t netfw_echo_table_handle(const char *echo, int family, const char *table) {
        _cleanup_free_ char *prefix = NULL;
        uint64_t handle = 0;

        if (asprintf(&prefix, "add table %s %s # handle ", family == AF_INET6 ? "ip6" : "ip", table) < 0)
                return 0;
        /* The last table of that name the script added: a first "add"
         * of a table that was there echoes nothing, one that was not is
         * echoed, then deleted and added again. */
        for (const char *l = echo; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *h = startswith(l, prefix);
                char *end;

                if (!h)
                        continue;
                /* This table is the last one added: an earlier handle is
                 * of one deleted since, so none unless this one reads. */
                handle = 0;
                if (*h < '1' || *h > '9')
                        continue;
                errno = 0;
                unsigned long long v = strtoull(h, &end, 10);
                /* UINT64_MAX (also what strtoull() clamps a longer number
                 * to) is NETFW_HANDLE_BY_NAME to the caller, no handle. */
                if (errno == 0 && v < NETFW_HANDLE_BY_NAME && (*end == '\n' || *end == 0))
                        handle = v;
        }
        return handle;
}

/* Deletes the family's table if it is there: 0 also when there was none. */
static int netfw_family_remove(const char *table, int family) {
        _cleanup_free_ char *script = NULL;
        int r;

        if (asprintf(&script, "add table %1$s %2$s\ndelete table %1$s %2$s\n",
                     family == AF_INET6 ? "ip6" : "ip", table) < 0)
                return -ENOMEM;
        r = netfw_run(script, NULL, NULL, 0);
        return r == -ENOENT ? -EIO : r;
}

int netfw_ports_add(const Plan *p, const char *table, int family, uint64_t *ret_handle, char *message, size_t size) {
        _cleanup_free_ char *script = NULL;
        bool adds = family == AF_INET6 ? p->ports_ipv6 : p->ports_ipv4;
        /* The handle, not the name, is what the stop deletes: nft never
         * gives a handle twice in a network namespace, so a late stop of
         * this start cannot delete the table of the next start of the
         * unit, which has the same name. */
        NetfwEcho echo = { .family = family, .table = table, .ret_handle = ret_handle };
        int r;

        *ret_handle = 0;
        script = netfw_script(table, family, p);
        if (!script)
                return -ENOMEM;
        r = netfw_run(script, adds ? &echo : NULL, message, size);
        if (r == -ENOENT)
                r = -EIO;       /* nothing the script deletes can be missing: refused */
        if (r != -EIO)
                return r;
        /* Refused as a whole, so the table of a killed cell is still
         * there, with its rules to an address that may be another's now:
         * removed on its own (no chain, no NAT: this much a kernel that
         * cannot NAT the family does). */
        (void) netfw_family_remove(table, family);
        return r;
}

int netfw_tables_remove(const char *table, const uint64_t handles[static 2]) {
        static const int families[] = { AF_INET, AF_INET6 };
        int r = 0;

        /* Each family on its own: in one transaction a kernel without
         * IPv6 (no "ip6" tables at all) would keep the IPv4 table too. */
        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                _cleanup_free_ char *script = NULL;
                int q;

                if (handles[i] == 0)
                        continue;
                if (handles[i] == NETFW_HANDLE_BY_NAME)
                        q = netfw_family_remove(table, families[i]);
                else {
                        if (asprintf(&script, "delete table %s handle %" PRIu64 "\n",
                                     families[i] == AF_INET6 ? "ip6" : "ip", handles[i]) < 0)
                                return -ENOMEM;
                        /* Gone already is fine: the next start of the unit
                         * replaced it, or someone deleted it. */
                        q = netfw_run(script, NULL, NULL, 0);
                        if (q == -ENOENT)
                                q = 0;
                }
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

bool netfw_table_name_is_valid(const char *s, size_t n) {
        if (n <= strlen("cell-") || n > NETFW_NAME_MAX || strncmp(s, "cell-", strlen("cell-")) != 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
                      s[i] == '_' || s[i] == '.' || s[i] == '-' || s[i] == '/'))
                        return false;
        return true;
}

char *netfw_tables_format(const char *table, const uint64_t handles[static 2]) {
        char *t;

        if (asprintf(&t, "%" PRIu64 ":%" PRIu64 ":%s", handles[0], handles[1], table) < 0)
                return NULL;
        return t;
}

int netfw_handle_parse(const char *s, size_t n, uint64_t *ret) {
        uint64_t v = 0;

        if (n == 0 || (s[0] == '0' && n > 1))
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                /* More than UINT64_MAX: another number than was written. */
                if (v > (UINT64_MAX - (uint64_t) (s[i] - '0')) / 10)
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        *ret = v;
        return 0;
}

int netfw_tables_parse(const char *s, size_t n, char **ret_table, uint64_t ret_handles[static 2]) {
        const char *c1 = memchr(s, ':', n), *c2, *name;
        uint64_t handles[2];
        char *t;

        c2 = c1 ? memchr(c1 + 1, ':', n - (size_t) (c1 + 1 - s)) : NULL;
        if (!c2 || netfw_handle_parse(s, (size_t) (c1 - s), &handles[0]) < 0 ||
            netfw_handle_parse(c1 + 1, (size_t) (c2 - c1 - 1), &handles[1]) < 0)
                return -EINVAL;
        name = c2 + 1;
        /* It goes into nft scripts (a table deleted by name): only what
         * netfw_table_name() makes, nothing before or after it. */
        if (!netfw_table_name_is_valid(name, n - (size_t) (name - s)))
                return -EINVAL;
        t = strndup(name, n - (size_t) (name - s));
        if (!t)
                return -ENOMEM;
        *ret_table = t;
        ret_handles[0] = handles[0];
        ret_handles[1] = handles[1];
        return 0;
}
