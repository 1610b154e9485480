/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Limits] (cgroup and rlimits) and [Network] values. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config-parsers.h"
#include "parse-exec.h"
#include "parse-limits.h"
#include "parse-network.h"
#include "parse-value.h"
#include "strv.h"

int config_parse_memory(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellLimit *l = data, v;
        int r;

        if (isempty(ctx->value)) {
                *l = (CellLimit) {};
                return 0;
        }
        r = parse_limit(ctx->value, &v);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        /* As systemd: 2^64-1 bytes is out of range ("infinity" says it),
         * and so is a limit of nothing at all (0, 0%) except for swap, where
         * no swap is a fair thing to ask for, and for the protections
         * MemoryMin= and MemoryLow=, where 0 protects nothing. */
        if (v.kind == CELL_LIMIT_VALUE && v.value == UINT64_MAX)
                return config_bad(ctx, "fewer than 2^64-1 bytes, or \"infinity\"");
        if (!streq(k->key, "MemorySwapMax") && !streq(k->key, "MemoryMin") && !streq(k->key, "MemoryLow") &&
            ((v.kind == CELL_LIMIT_VALUE && v.value == 0) || (v.kind == CELL_LIMIT_PERCENT && v.permyriad == 0)))
                return config_bad(ctx, "a limit above 0 (only MemorySwapMax=, MemoryMin= and MemoryLow= may be 0)");
        *l = v;
        return 0;
}

int config_parse_cpu_quota(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        uint32_t pm;

        if (isempty(ctx->value)) {
                c->cpu_quota_set = false;
                c->cpu_quota_per_sec_usec = 0;
                return 0;
        }
        /* More than 100% is more than one CPU's time; 0% would starve the payload. */
        if (parse_permyriad(ctx->value, true, &pm) < 0 || pm == 0)
                return -EINVAL;
        c->cpu_quota_set = true;
        c->cpu_quota_per_sec_usec = (uint64_t) pm * (USEC_PER_SEC / 10000);
        return 0;
}

/* As systemd's (parse_sec_def_infinity): any time span, 0 too; empty and
 * "infinity" are the default period. Where it is applied it is kept within
 * the kernel's 1ms..1s, and long enough for 1ms of quota
 * (cg_cpu_quota_period()); without CPUQuota= it changes nothing. */
int config_parse_cpu_quota_period(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        uint64_t usec;

        if (isempty(ctx->value)) {
                c->cpu_quota_period_set = false;
                c->cpu_quota_period_usec = 0;
                return 0;
        }
        if (parse_timespan(ctx->value, USEC_PER_SEC, &usec) < 0)
                return -EINVAL;
        c->cpu_quota_period_set = usec != USEC_INFINITY;
        c->cpu_quota_period_usec = usec == USEC_INFINITY ? 0 : usec;
        return 0;
}

/* CPUWeight=, StartupCPUWeight=: 1..10000, or "idle" (cgroup2's cpu.idle;
 * systemd's weight 0), as systemd 252 parses both. data: the weight; ltype:
 * the offset of its idle flag in CellConfig. */
int config_parse_cpu_weight(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        bool idle = streq(ctx->value, "idle"), *idle_flag = (bool *) ((uint8_t *) c + k->ltype);
        uint64_t *w = data;
        int r;

        r = idle ? 0 : config_parse_weight(ctx, k, c, data);
        if (r < 0)
                return r;
        if (idle)
                *w = 0;
        *idle_flag = idle;
        return 0;
}

int config_parse_weight(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        uint64_t *w = data, v;

        if (isempty(ctx->value)) {
                *w = 0;
                return 0;
        }
        if (parse_uint64_range(ctx->value, 1, 10000, &v) < 0)
                return -EINVAL;
        *w = v;
        return 0;
}

/* AllowedCPUs=, AllowedMemoryNodes= and their Startup variants: one parser
 * in systemd for all four, CPUs and NUMA nodes alike. data: the bitmap;
 * ltype: the offset of its size in CellConfig. */
int config_parse_cpuset(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        size_t *size = (size_t *) ((uint8_t *) c + k->ltype);

        return config_cpu_set_line(ctx, (uint8_t **) data, size);
}

int config_parse_tasks_max(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        const char *v = ctx->value;
        uint32_t pm;
        uint64_t n;

        if (isempty(v)) {
                c->tasks_max = (CellLimit) {};
                return 0;
        }
        if (streq(v, "infinity")) {
                c->tasks_max = (CellLimit) { .kind = CELL_LIMIT_INFINITY };
                return 0;
        }
        /* 0% as systemd takes it in a unit file: pids.max 0, no task may be
         * added. The payload runs (a process is moved in whatever the limit),
         * and cannot fork. A bare 0 is refused, as systemd refuses it. */
        if (parse_permyriad(v, false, &pm) == 0) {
                c->tasks_max = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = pm };
                return 0;
        }
        /* C's notation, as systemd's safe_atou64(): "010" is 8. */
        if (parse_uint64_range(v, 1, UINT64_MAX - 1, &n) == 0) {
                c->tasks_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = n };
                return 0;
        }
        return -EINVAL;
}

int config_parse_device_allow(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellDeviceAllow d, *slot;
        int r;

        if (isempty(ctx->value)) {
                cell_config_free_device_allow(c);
                return 0;
        }
        r = parse_device_allow(ctx->value, &d);
        if (r < 0)
                return r;
        /* The device's specifiers, as systemd's: expanded, then checked again as a device. */
        if (strchr(d.path, '%')) {
                _cleanup_free_ char *path = NULL, *again = NULL;
                CellDeviceAllow e;

                r = config_expand(ctx, k, d.path, &path);
                free(d.path);
                if (r < 0)
                        return r;
                r = quote_word(path, &again);
                if (r < 0)
                        return r;
                r = parse_device_allow(again, &e);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return config_bad(ctx, "%s (its specifiers make \"%s\")", k->expected, path);
                d.path = e.path;
        }
        slot = config_array_append((void **) &c->device_allow, &c->n_device_allow, sizeof(CellDeviceAllow));
        if (!slot) {
                free(d.path);
                return -ENOMEM;
        }
        *slot = d;
        /* Where it was written: the start names it if the entry fails there. */
        return config_entry_origin(ctx, &slot->file, &slot->line);
}

typedef struct IODeviceKey {
        CellIOKind kind;
        const char *path;
} IODeviceKey;

static bool io_device_equal(const void *userdata, size_t pos, const void *key) {
        const CellIODevice *d = (const CellIODevice *) userdata + pos;
        const IODeviceKey *k = key;

        return d->kind == k->kind && streq(d->path, k->path);
}

static uint64_t io_device_hash(CellIOKind kind, const char *path) {
        return pos_index_hash(path, strlen(path), kind);
}

/* The position of kind's entry of path: 1, or 0 (none), or -ENOMEM. Through
 * the index of the entries (made again when they changed without it):
 * thousands of lines are not each held against all before. */
static int io_device_find(CellConfig *c, CellIOKind kind, const char *path, size_t *ret_pos) {
        PosIndex *index = &c->io_devices_index;

        if (index->n != c->n_io_devices) {
                pos_index_done(index);
                for (size_t i = 0; i < c->n_io_devices; i++)
                        if (pos_index_add(index, io_device_hash(c->io_devices[i].kind, c->io_devices[i].path), i) < 0) {
                                pos_index_done(index);
                                return -ENOMEM;
                        }
        }
        return pos_index_find(index, io_device_hash(kind, path), io_device_equal, c->io_devices,
                              &(IODeviceKey) { kind, path }, ret_pos);
}

/* IODeviceWeight=, IOReadBandwidthMax= ...: ltype is the CellIOKind. An empty
 * value drops that key's entries, as in systemd; a device named again takes
 * the new value. */
int config_parse_io_device(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellIOKind kind = (CellIOKind) k->ltype;
        _cleanup_free_ char *path = NULL;
        CellIODevice *slot;
        uint64_t value;
        size_t i;
        int r;

        if (isempty(ctx->value)) {
                cell_config_free_io_devices(c, kind);
                return 0;
        }
        r = parse_io_device(kind, ctx->value, &path, &value);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return -EINVAL;
        /* The device's specifiers, as systemd's: in the path, not the value. */
        r = config_expand_path(ctx, k, &path);
        if (r < 0)
                return r;

        r = io_device_find(c, kind, path, &i);
        if (r < 0)
                return r;
        if (r > 0) {
                /* In its place, but where it was written last: the start's messages name that. */
                c->io_devices[i].value = value;
                c->io_devices[i].file = mfree(c->io_devices[i].file);
                return config_entry_origin(ctx, &c->io_devices[i].file, &c->io_devices[i].line);
        }
        /* Room in the index first: a failure leaves the entries as they were. */
        r = pos_index_add(&c->io_devices_index, io_device_hash(kind, path), c->n_io_devices);
        if (r < 0)
                return r;
        slot = config_array_append((void **) &c->io_devices, &c->n_io_devices, sizeof(CellIODevice));
        if (!slot) {
                pos_index_done(&c->io_devices_index);
                return -ENOMEM;
        }
        *slot = (CellIODevice) { .kind = kind, .path = TAKE_PTR(path), .value = value };
        return config_entry_origin(ctx, &slot->file, &slot->line);
}

int config_parse_rlimit(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellRlimit *rl = data, v;
        char *value;
        int r;

        /* No reset: systemd 252's rlimit_parse() refuses an empty value and
         * keeps the earlier one, so a drop-in's "LimitNOFILE=" must not
         * silently drop the unit's limit here. */
        if (isempty(ctx->value))
                return config_empty_refused(ctx, rlimit_expected(k->ltype), "systemd");
        r = parse_rlimit(k->ltype, ctx->value, &v);
        if (r == -ENOMEM)
                return r;
        if (r == -ERANGE && strchr(ctx->value, ':') && parse_rlimit(k->ltype, strchr(ctx->value, ':') + 1, &v) == 0)
                return config_bad(ctx, "%s, with SOFT not above HARD", rlimit_expected(k->ltype));
        if (r < 0)
                return config_bad(ctx, "%s", rlimit_expected(k->ltype));
        /* The value as written, for the start's messages: what the kernel
         * takes is not what the admin greps the unit for (LimitNICE=-1 is
         * 21, LimitMEMLOCK=8G is 8589934592). */
        value = strdup(ctx->value);
        if (!value)
                return -ENOMEM;
        free(rl->value);
        *rl = v;
        rl->value = value;
        return 0;
}

int config_parse_oom_score_adjust(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int v;

        if (isempty(ctx->value)) {
                c->oom_score_adjust_set = false;
                c->oom_score_adjust = 0;
                return 0;
        }
        if (parse_int_range(ctx->value, -1000, 1000, &v) < 0)
                return -EINVAL;
        c->oom_score_adjust_set = true;
        c->oom_score_adjust = v;
        return 0;
}

/* systemd's slice_name_is_valid(): a plain unit name ending in ".slice",
 * whose dashes (each a level of the tree: "a-b.slice" is in "a.slice") are
 * neither first, last, nor two in a row; "-.slice" is the root slice. */
static bool slice_name_is_valid(const char *s) {
        const char *e = endswith(s, ".slice");
        bool dash = false;

        if (!e || !unit_name_is_valid(s) || strchr(s, '@'))
                return false;
        if (streq(s, "-.slice"))
                return true;
        for (const char *p = s; p < e; p++) {
                if (*p == '-' && (p == s || dash))
                        return false;
                dash = *p == '-';
        }
        return !dash;
}

int config_parse_slice(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        char *n;

        /* No reset: systemd 252 loads no slice named "" and keeps the earlier one. */
        if (!slice_name_is_valid(ctx->value))
                return -EINVAL;
        n = strdup(ctx->value);
        if (!n)
                return -ENOMEM;
        free(c->slice);
        c->slice = n;
        return 0;
}

/* The bit of a port's protocol and host port in CellConfig.ports_taken. */
static size_t port_bit(const CellPort *p) {
        return (p->protocol == IPPROTO_UDP ? 65536U : 0U) + p->host_port;
}

/* Whether an earlier Port= forwards p's host port already: the list walked
 * while short, then a bitmap of them (16 KiB), made at the 64th, so that
 * thousands of lines are not quadratic. */
static int port_taken(CellConfig *c, const CellPort *p) {
        if (!c->ports_taken && c->n_ports < 64) {
                for (size_t i = 0; i < c->n_ports; i++)
                        if (c->ports[i].protocol == p->protocol && c->ports[i].host_port == p->host_port)
                                return 1;
                return 0;
        }
        if (!c->ports_taken) {
                c->ports_taken = calloc(2 * 65536 / 8, 1);
                if (!c->ports_taken)
                        return -ENOMEM;
                for (size_t i = 0; i < c->n_ports; i++)
                        c->ports_taken[port_bit(&c->ports[i]) / 8] |= 1U << (port_bit(&c->ports[i]) % 8);
        }
        return !!(c->ports_taken[port_bit(p) / 8] & (1U << (port_bit(p) % 8)));
}

int config_parse_port(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellPort p, *slot;
        int r;

        if (isempty(ctx->value)) {
                c->ports = mfree(c->ports);
                c->ports_taken = mfree(c->ports_taken);
                c->n_ports = 0;
                c->ports_file = mfree(c->ports_file);
                c->ports_line = 0;
                return 0;
        }
        if (parse_port(ctx->value, &p) < 0)
                return -EINVAL;
        /* One host port, one destination: nspawn refuses a second --port=
         * for it (and drops one in a .nspawn file); a second nft rule would
         * never match. */
        r = port_taken(c, &p);
        if (r < 0)
                return r;
        if (r > 0) {
                ctx->reported = true;
                r = diag_error(ctx->diag, ctx->file, ctx->line,
                               "Port=%s: %s port %u of the host is forwarded by an earlier Port= already "
                               "(an empty Port= clears the list)", ctx->value,
                               p.protocol == IPPROTO_UDP ? "udp" : "tcp", (unsigned) p.host_port);
                return r < 0 ? r : -EINVAL;
        }
        slot = config_array_append((void **) &c->ports, &c->n_ports, sizeof(CellPort));
        if (!slot)
                return -ENOMEM;
        *slot = p;
        if (c->ports_taken)
                c->ports_taken[port_bit(&p) / 8] |= 1U << (port_bit(&p) % 8);
        /* A counted list: the start names the line of a port it cannot
         * forward (plan-origin.c). */
        ctx->items = c->n_ports;
        /* The first of the list: where a Port= the other keys do not
         * allow (no veth, no address to forward to) is said to be. */
        if (c->n_ports == 1)
                return config_entry_origin(ctx, &c->ports_file, &c->ports_line);
        return 0;
}

typedef struct AddressKey {
        const char *text;
        size_t n;               /* the address's length, before its "/" */
} AddressKey;

static bool address_equal(const void *userdata, size_t pos, const void *key) {
        const char *a = ((char * const *) userdata)[pos];
        const AddressKey *k = key;

        return strncmp(a, k->text, k->n) == 0 && a[k->n] == '/';
}

/* The first Address= of the IPv6 address of text ("fd00::2/64"), through
 * the index of the list's IPv6 addresses (made again where it does not
 * cover the list): NULL for none, or on -ENOMEM in *ret_r. */
static const char *address_earlier(CellConfig *c, const char *text, int *ret_r) {
        size_t n = config_list_length(c, &c->addresses), pos;
        AddressKey key = { text, strcspn(text, "/") };

        *ret_r = 0;
        if (c->addresses_indexed != n) {
                pos_index_done(&c->addresses_index);
                c->addresses_indexed = 0;
                for (size_t i = 0; i < n; i++) {
                        AddressKey k = { c->addresses[i], strcspn(c->addresses[i], "/") };

                        if (!strchr(c->addresses[i], ':') ||
                            pos_index_find(&c->addresses_index, pos_index_hash(k.text, k.n, 0), address_equal,
                                           c->addresses, &k, &pos) > 0)
                                continue;
                        if (pos_index_add(&c->addresses_index, pos_index_hash(k.text, k.n, 0), i) < 0) {
                                pos_index_done(&c->addresses_index);
                                *ret_r = -ENOMEM;
                                return NULL;
                        }
                }
                c->addresses_indexed = n;
        }
        if (pos_index_find(&c->addresses_index, pos_index_hash(key.text, key.n, 0), address_equal, c->addresses,
                           &key, &pos) > 0)
                return c->addresses[pos];
        return NULL;
}

/* Address= and Gateway=: lists (a repeated key adds one, an empty value
 * resets); ltype 1 = Gateway= (an address without a prefix). */
int config_parse_address(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        char ***list = data, *text = NULL;
        const char *why = NULL, *earlier = NULL;
        size_t count;
        int r;

        if (isempty(ctx->value)) {
                *list = strv_free(*list);
                if (list == &c->addresses) {
                        pos_index_done(&c->addresses_index);
                        c->addresses_indexed = 0;
                }
                return 0;
        }
        r = k->ltype ? parse_gateway(ctx->value, &text) : parse_address_prefix(ctx->value, &text, &why);
        if (r == -EADDRNOTAVAIL)
                return config_bad(ctx, "%s, not %s", k->expected, why);
        /* The kernel keys an interface's IPv6 addresses by the address
         * alone: the same one with another prefix is refused (EEXIST), and
         * the start would keep the first prefix without a word. (The same
         * one twice is one; IPv4 takes it with each prefix.) The list holds
         * each IPv6 address with one prefix: its first says which. */
        if (r >= 0 && !k->ltype && strchr(text, ':'))
                earlier = address_earlier(c, text, &r);
        if (earlier && !streq(earlier, text)) {
                size_t n = strcspn(text, "/");

                ctx->reported = true;
                r = diag_error(ctx->diag, ctx->file, ctx->line,
                               "Address=%s: %.*s is an earlier Address= already, %s: an interface has an "
                               "IPv6 address with one prefix length (an empty Address= clears the list)",
                               ctx->value, (int) n, text, earlier);
                free(text);
                return r < 0 ? r : -EINVAL;
        }
        count = config_list_length(c, list);
        if (r < 0) {
                free(text);
                ctx->items = count;
                return r;
        }
        r = strv_push_n(list, &count, text);
        config_list_set_length(c, list, count);
        /* The index covers the new one too: an IPv6 address not there yet is its first. */
        if (r >= 0 && list == &c->addresses && c->addresses_indexed + 1 == count) {
                const char *a = (*list)[count - 1];

                if (strchr(a, ':') && !earlier &&
                    pos_index_add(&c->addresses_index, pos_index_hash(a, strcspn(a, "/"), 0), count - 1) < 0)
                        pos_index_done(&c->addresses_index);
                else
                        c->addresses_indexed = count;
        }
        /* Counted: the start names the line of an address it cannot add. */
        ctx->items = count;
        return r;
}
