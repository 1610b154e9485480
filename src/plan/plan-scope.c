/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup side of the plan: the scope's name, slice and description, the
 * limits typed for the cgroupfs manager, and the same as D-Bus properties for
 * StartTransientUnit, in a fixed order and with systemd's types. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-internal.h"
#include "signal-util.h"
#include "strv.h"
#include "unit-name.h"

#define PLAN_DEFAULT_SLICE "machine.slice"

/* The nodes the plan binds into /dev (plan-mount.c), and the ptys of the
 * container's own devpts: what DevicePolicy=closed must still let through.
 * /dev/ptmx is listed because the container's pts/ptmx is the same char 5:2. */
static const struct {
        const char *path, *perms;
} plan_builtin_devices[] = {
        { "/dev/null",    "rwm" },
        { "/dev/zero",    "rwm" },
        { "/dev/full",    "rwm" },
        { "/dev/random",  "rwm" },
        { "/dev/urandom", "rwm" },
        { "/dev/tty",     "rwm" },
        { "/dev/net/tun", "rwm" },      /* a host without it: no rule (as systemd) */
        { "/dev/ptmx",    "rw"  },
        { "char-pts",     "rw"  },
};

/* systemd's scale for percentages of "all the memory/tasks there are": 100%
 * is UINT32_MAX, rounded to the closest (UINT32_SCALE_FROM_PERMYRIAD). */
uint32_t plan_scale_from_permyriad(uint32_t permyriad) {
        return (uint32_t) (((uint64_t) MIN(permyriad, 10000U) * UINT32_MAX + 5000) / 10000U);
}

/* Every property StartTransientUnit gets, the plan's and those scope/ adds
 * (scope-bus-props.c), and the unit key it is made from: when systemd
 * refuses one (an older systemd that does not know it, a value it takes
 * not), its message names the property, and cell names the key and where
 * it was written. NULL: cell's own, of no key. plan_property_add() takes no
 * name that is not here, so that none is sent without its key;
 * test-scope-bus checks scope/'s own against it. */
static const struct {
        const char *property, *key;
} plan_property_keys[] = {
        { "Description",                "Description" },        /* "cell NAME: " and the key's */
        { "Slice",                      "Slice" },
        { "Delegate",                   NULL },
        { "CollectMode",                NULL },
        { "DefaultDependencies",        NULL },
        { "After",                      "After" },
        { "Before",                     "Before" },             /* and the service's, scope/'s own */
        { "Wants",                      "Wants" },
        { "Requires",                   "Requires" },
        { "BindsTo",                    "BindsTo" },            /* and the service's, scope/'s own */
        { "PartOf",                     "PartOf" },
        { "Conflicts",                  "Conflicts" },
        { "MemoryMax",                  "MemoryMax" },
        { "MemoryMaxScale",             "MemoryMax" },
        { "MemoryHigh",                 "MemoryHigh" },
        { "MemoryHighScale",            "MemoryHigh" },
        { "MemorySwapMax",              "MemorySwapMax" },
        { "MemorySwapMaxScale",         "MemorySwapMax" },
        { "MemoryMin",                  "MemoryMin" },
        { "MemoryMinScale",             "MemoryMin" },
        { "MemoryLow",                  "MemoryLow" },
        { "MemoryLowScale",             "MemoryLow" },
        { "CPUQuotaPerSecUSec",         "CPUQuota" },
        { "CPUQuotaPeriodUSec",         "CPUQuotaPeriodSec" },
        { "CPUWeight",                  "CPUWeight" },
        { "StartupCPUWeight",           "StartupCPUWeight" },
        { "IOWeight",                   "IOWeight" },
        { "StartupIOWeight",            "StartupIOWeight" },
        { "AllowedCPUs",                "AllowedCPUs" },
        { "StartupAllowedCPUs",         "StartupAllowedCPUs" },
        { "AllowedMemoryNodes",         "AllowedMemoryNodes" },
        { "StartupAllowedMemoryNodes",  "StartupAllowedMemoryNodes" },
        { "TasksMax",                   "TasksMax" },
        { "TasksMaxScale",              "TasksMax" },
        { "DevicePolicy",               NULL },                 /* always "closed" */
        { "DeviceAllow",                "DeviceAllow" },        /* and cell's own nodes */
        /* scope/'s: the IO device keys (cg_io_property()), each entry of its own origin ... */
        { "IODeviceWeight",             "IODeviceWeight" },
        { "IOReadBandwidthMax",         "IOReadBandwidthMax" },
        { "IOWriteBandwidthMax",        "IOWriteBandwidthMax" },
        { "IOReadIOPSMax",              "IOReadIOPSMax" },
        { "IOWriteIOPSMax",             "IOWriteIOPSMax" },
        { "IODeviceLatencyTargetUSec",  "IODeviceLatencyTargetSec" },
        /* ... what systemd needs to stop the scope itself, and the process. */
        { "KillSignal",                 "KillSignal" },
        { "TimeoutStopUSec",            "TimeoutStopSec" },
        { "PIDs",                       NULL },
};

int plan_property_key(const char *property, const char **ret_key) {
        for (size_t i = 0; property && i < ELEMENTSOF(plan_property_keys); i++)
                if (streq(plan_property_keys[i].property, property)) {
                        *ret_key = plan_property_keys[i].key;
                        return 0;
                }
        return -ENOENT;
}

/* A percentage as cell's keys take it: "50%", "12.5%". */
static void format_permyriad(uint64_t permyriad, char *buf, size_t n) {
        if (permyriad % 100 == 0)
                (void) snprintf(buf, n, "%" PRIu64 "%%", permyriad / 100);
        else if (permyriad % 10 == 0)
                (void) snprintf(buf, n, "%" PRIu64 ".%" PRIu64 "%%", permyriad / 100, permyriad % 100 / 10);
        else
                (void) snprintf(buf, n, "%" PRIu64 ".%02" PRIu64 "%%", permyriad / 100, permyriad % 100);
}

/* A time span in the largest unit it is a whole number of, as a unit file
 * would write it: "infinity", "90s", "2min", "100ms", "2500us". */
void plan_format_usec(uint64_t usec, char *buf, size_t n) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "h", 3600 * USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC }, { "s", USEC_PER_SEC },
                { "ms", USEC_PER_MSEC }, { "us", 1 },
        };

        if (usec == UINT64_MAX) {
                (void) snprintf(buf, n, "infinity");
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (usec % units[i].usec == 0 && (usec > 0 || units[i].usec == 1)) {
                        (void) snprintf(buf, n, "%" PRIu64 "%s", usec / units[i].usec, units[i].suffix);
                        return;
                }
}

/* A byte size in the largest of systemd's suffixes (base 1024) it is a
 * whole number of, as a unit file writes it: "1G", "512M", "1000". */
static void format_bytes(uint64_t bytes, char *buf, size_t n) {
        static const char suffixes[] = "KMGTPE";
        size_t k = 0;

        while (bytes > 0 && k < sizeof suffixes - 1 && bytes % 1024 == 0) {
                bytes /= 1024;
                k++;
        }
        (void) snprintf(buf, n, "%" PRIu64 "%.*s", bytes, k > 0, k > 0 ? suffixes + k - 1 : "");
}

/* Appends one item of a list (sep between items) to buf, of which len are
 * used; false when it does not fit whole. Then the list ends in sep and
 * "...", after as many whole items as leave room for that: a value cut
 * short says so, rather than ending in a number it does not have
 * ("0,2,4,...", not "0,2,4,6,8,1"). */
static bool list_append(char *buf, size_t n, size_t *len, char sep, const char *item) {
        size_t need = (*len > 0) + strlen(item);

        if (*len + need < n) {
                *len += (size_t) snprintf(buf + *len, n - *len, "%.*s%s", *len > 0, &sep, item);
                return true;
        }
        while (*len > 0 && *len + 4 >= n) {
                char *last = memrchr(buf, sep, *len);
                *len = last ? (size_t) (last - buf) : 0;
        }
        (void) snprintf(buf + *len, n - *len, "%.*s...", *len > 0, &sep);
        return false;
}

/* A CPU or node set as systemd writes it: "0-3,8". */
static void format_bitmap(const uint8_t *set, size_t size, char *buf, size_t n) {
        size_t len = 0;

        buf[0] = 0;
        for (size_t i = 0; i < size * 8; i++) {
                char item[48];        /* "N-M", two 20-digit numbers */
                size_t j = i;

                if (!(set[i / 8] & (1U << (i % 8))))
                        continue;
                while (j + 1 < size * 8 && (set[(j + 1) / 8] & (1U << ((j + 1) % 8))))
                        j++;
                if (j > i)
                        (void) snprintf(item, sizeof item, "%zu-%zu", i, j);
                else
                        (void) snprintf(item, sizeof item, "%zu", i);
                if (!list_append(buf, n, &len, ',', item))
                        return;
                i = j;
        }
}

const char *plan_property_value(const PlanProperty *q, char *buf, size_t n) {
        const char *key = q->key, *sig = strempty(q->signature), *d;
        char sbuf[SIGNAL_STRING_MAX];

        if (n == 0)
                return buf;
        buf[0] = 0;
        if (!key && plan_property_key(q->name, &key) < 0)
                return buf;
        if (!key)
                return buf;
        if (streq(key, "CPUQuota"))             /* usec per second: 1% is 10000 */
                format_permyriad(q->t / (USEC_PER_SEC / 10000), buf, n);
        else if (streq(key, "CPUQuotaPeriodSec") || streq(key, "TimeoutStopSec"))
                plan_format_usec(q->t, buf, n);
        else if ((streq(key, "CPUWeight") || streq(key, "StartupCPUWeight")) && q->t == 0)
                (void) snprintf(buf, n, "idle");
        else if (streq(sig, "u"))               /* NAMEScale: UINT32_MAX is 100% */
                format_permyriad(((uint64_t) q->u * 10000 + UINT32_MAX / 2) / UINT32_MAX, buf, n);
        else if (streq(sig, "t") && q->t == UINT64_MAX)
                (void) snprintf(buf, n, "infinity");
        else if (streq(sig, "t") && startswith(key, "Memory"))
                format_bytes(q->t, buf, n);
        else if (streq(sig, "t"))
                (void) snprintf(buf, n, "%" PRIu64, q->t);
        else if (streq(sig, "i") && streq(key, "KillSignal"))
                (void) snprintf(buf, n, "%s", signal_to_string(q->i, sbuf));
        else if (streq(sig, "ay") && q->ay)
                format_bitmap(q->ay, q->ay_size, buf, n);
        else if (streq(sig, "s") && streq(key, "Description"))
                /* "cell NAME: TEXT": the unit's TEXT (none when it has no Description=). */
                (void) snprintf(buf, n, "%s", (d = strstr(strempty(q->s), ": ")) ? d + 2 : "");
        else if (streq(sig, "s"))
                (void) snprintf(buf, n, "%s", strempty(q->s));
        else if (streq(sig, "as")) {
                size_t len = 0;
                for (size_t i = 0; q->as && q->as[i] && list_append(buf, n, &len, ' ', q->as[i]); i++)
                        ;
        }
        return buf;
}

static int plan_property_add(Plan *p, const char *name, const char *signature, PlanProperty **ret) {
        const char *key;
        PlanProperty *l;

        /* A property cell would send without saying which key it comes from. */
        if (plan_property_key(name, &key) < 0)
                return -EINVAL;
        l = realloc(p->properties, sizeof(PlanProperty) * (p->n_properties + 1));
        if (!l)
                return -ENOMEM;
        p->properties = l;
        p->properties[p->n_properties] = (PlanProperty) {
                .name = name,
                .key = key,
                .signature = signature,
        };
        *ret = &p->properties[p->n_properties++];
        return 0;
}

static int plan_property_s(Plan *p, const char *name, const char *value) {
        PlanProperty *q;
        int r = plan_property_add(p, name, "s", &q);
        if (r < 0)
                return r;
        q->s = strdup(value);
        return q->s ? 0 : -ENOMEM;
}

static int plan_property_t(Plan *p, const char *name, uint64_t value) {
        PlanProperty *q;
        int r = plan_property_add(p, name, "t", &q);
        if (r < 0)
                return r;
        q->t = value;
        return 0;
}

static int plan_property_as(Plan *p, const char *name, char * const *value) {
        PlanProperty *q;
        int r;

        if (strv_length(value) == 0)
                return 0;
        r = plan_property_add(p, name, "as", &q);
        if (r < 0)
                return r;
        q->as = strv_copy(value);
        return q->as ? 0 : -ENOMEM;
}

/* MemoryMax= and friends, TasksMax=: bytes/count as "t" (infinity is
 * UINT64_MAX), a percentage as NAMEScale "u". */
static int plan_property_limit(Plan *p, const char *name, const char *scale_name, const CellLimit *l) {
        PlanProperty *q;
        int r;

        switch (l->kind) {
        case CELL_LIMIT_UNSET:
                return 0;
        case CELL_LIMIT_VALUE:
                return plan_property_t(p, name, l->value);
        case CELL_LIMIT_INFINITY:
                return plan_property_t(p, name, UINT64_MAX);
        case CELL_LIMIT_PERCENT:
                r = plan_property_add(p, scale_name, "u", &q);
                if (r < 0)
                        return r;
                q->u = plan_scale_from_permyriad(l->permyriad);
                return 0;
        default:
                return -EINVAL;
        }
}

/* A copy of a cpuset bitmap (NULL stays NULL: unset). */
static int bitmap_copy(const uint8_t *from, size_t size, uint8_t **ret, size_t *ret_size) {
        if (!from)
                return 0;
        *ret = malloc(size ?: 1);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, from, size);
        *ret_size = size;
        return 0;
}

/* AllowedCPUs= and the like: the bitmap as an "ay", as systemd takes it. */
static int plan_property_ay(Plan *p, const char *name, const uint8_t *set, size_t size) {
        PlanProperty *q;
        int r;

        if (!set)
                return 0;
        r = plan_property_add(p, name, "ay", &q);
        if (r < 0)
                return r;
        return bitmap_copy(set, size, &q->ay, &q->ay_size);
}

size_t plan_limits_startup_keys(const PlanLimits *l, const char *ret[static PLAN_STARTUP_KEYS_MAX]) {
        const char *all[PLAN_STARTUP_KEYS_MAX] = {
                l->startup_cpu_weight > 0 || l->startup_cpu_idle ? "StartupCPUWeight" : NULL,
                l->startup_io_weight > 0 ? "StartupIOWeight" : NULL,
                l->startup_allowed_cpus ? "StartupAllowedCPUs" : NULL,
                l->startup_allowed_memory_nodes ? "StartupAllowedMemoryNodes" : NULL,
        };
        size_t n = 0;

        for (size_t i = 0; i < PLAN_STARTUP_KEYS_MAX; i++)
                if (all[i])
                        ret[n++] = all[i];
        return n;
}

static int plan_build_limits(Plan *p, const CellConfig *c) {
        PlanLimits *l = &p->limits;

        l->memory_max = c->memory_max;
        l->memory_high = c->memory_high;
        l->memory_swap_max = c->memory_swap_max;
        l->memory_min = c->memory_min;
        l->memory_low = c->memory_low;
        l->tasks_max = c->tasks_max;
        if (c->tasks_max.kind == CELL_LIMIT_UNSET)
                l->tasks_max_default = (CellLimit) { .kind = CELL_LIMIT_PERCENT,
                                                     .permyriad = PLAN_DEFAULT_TASKS_MAX_PERMYRIAD };
        l->cpu_quota_per_sec_usec = c->cpu_quota_set ? c->cpu_quota_per_sec_usec : USEC_INFINITY;
        l->cpu_quota_period_set = c->cpu_quota_period_set;
        l->cpu_quota_period_usec = c->cpu_quota_period_usec;
        l->cpu_weight = c->cpu_weight;
        l->cpu_idle = c->cpu_weight_idle;
        l->io_weight = c->io_weight;
        l->startup_cpu_weight = c->startup_cpu_weight;
        l->startup_cpu_idle = c->startup_cpu_weight_idle;
        l->startup_io_weight = c->startup_io_weight;
        if (bitmap_copy(c->allowed_cpus, c->allowed_cpus_size, &l->allowed_cpus, &l->allowed_cpus_size) < 0 ||
            bitmap_copy(c->allowed_memory_nodes, c->allowed_memory_nodes_size,
                        &l->allowed_memory_nodes, &l->allowed_memory_nodes_size) < 0 ||
            bitmap_copy(c->startup_allowed_cpus, c->startup_allowed_cpus_size,
                        &l->startup_allowed_cpus, &l->startup_allowed_cpus_size) < 0 ||
            bitmap_copy(c->startup_allowed_memory_nodes, c->startup_allowed_memory_nodes_size,
                        &l->startup_allowed_memory_nodes, &l->startup_allowed_memory_nodes_size) < 0)
                return -ENOMEM;
        if (c->n_device_allow > 0) {
                l->device_allow = new0(CellDeviceAllow, c->n_device_allow);
                if (!l->device_allow)
                        return -ENOMEM;
                for (size_t i = 0; i < c->n_device_allow; i++) {
                        const CellDeviceAllow *d = c->device_allow + i;
                        /* Where it was written, its own copy (the plan outlives the
                         * config): the start names it if the entry fails there. A
                         * config made by hand may name no file. */
                        const char *file = d->file ?: c->path;
                        CellDeviceAllow *e = l->device_allow + l->n_device_allow;

                        *e = (CellDeviceAllow) { .line = d->line };
                        memcpy(e->perms, d->perms, sizeof e->perms);
                        e->path = strdup(d->path);
                        e->file = file ? strdup(file) : NULL;
                        l->n_device_allow++;
                        if (!e->path || (file && !e->file))
                                return -ENOMEM;
                }
        }
        if (c->n_io_devices > 0) {
                l->io_devices = new0(CellIODevice, c->n_io_devices);
                if (!l->io_devices)
                        return -ENOMEM;
                for (size_t i = 0; i < c->n_io_devices; i++) {
                        const CellIODevice *d = c->io_devices + i;
                        CellIODevice *e = l->io_devices + l->n_io_devices;
                        *e = (CellIODevice) { .kind = d->kind, .value = d->value, .line = d->line };
                        e->path = strdup(d->path);
                        e->file = d->file ? strdup(d->file) : NULL;
                        l->n_io_devices++;
                        if (!e->path || (d->file && !e->file))
                                return -ENOMEM;
                }
        }
        return 0;
}

static int plan_build_properties(Plan *p, const CellConfig *c) {
        const PlanLimits *l = &p->limits;
        PlanProperty *q;
        size_t n;
        int r;

        if ((r = plan_property_s(p, "Description", p->description)) < 0 ||
            (r = plan_property_s(p, "Slice", p->slice)) < 0)
                return r;
        /* Delegate: the container may manage the cgroup tree below its own. */
        r = plan_property_add(p, "Delegate", "b", &q);
        if (r < 0)
                return r;
        q->b = true;
        /* A failed container's scope is collected too, so a restart can reuse the name. */
        if ((r = plan_property_s(p, "CollectMode", "inactive-or-failed")) < 0)
                return r;
        /* No implicit Conflicts=/Before=shutdown.target: at shutdown the container
         * is stopped by its cell, gracefully (the service or session cell runs in is
         * stopped), not by systemd signalling every process of it at once, as runc and
         * crun ask too. One job less in every start's transaction as well. */
        r = plan_property_add(p, "DefaultDependencies", "b", &q);
        if (r < 0)
                return r;
        q->b = false;

        if ((r = plan_property_as(p, "After", c->after)) < 0 ||
            (r = plan_property_as(p, "Before", c->before)) < 0 ||
            (r = plan_property_as(p, "Wants", c->wants)) < 0 ||
            (r = plan_property_as(p, "Requires", c->requires)) < 0 ||
            (r = plan_property_as(p, "BindsTo", c->binds_to)) < 0 ||
            (r = plan_property_as(p, "PartOf", c->part_of)) < 0 ||
            (r = plan_property_as(p, "Conflicts", c->conflicts)) < 0)
                return r;

        if ((r = plan_property_limit(p, "MemoryMax", "MemoryMaxScale", &l->memory_max)) < 0 ||
            (r = plan_property_limit(p, "MemoryHigh", "MemoryHighScale", &l->memory_high)) < 0 ||
            (r = plan_property_limit(p, "MemorySwapMax", "MemorySwapMaxScale", &l->memory_swap_max)) < 0 ||
            (r = plan_property_limit(p, "MemoryMin", "MemoryMinScale", &l->memory_min)) < 0 ||
            (r = plan_property_limit(p, "MemoryLow", "MemoryLowScale", &l->memory_low)) < 0)
                return r;
        if (l->cpu_quota_per_sec_usec != USEC_INFINITY &&
            (r = plan_property_t(p, "CPUQuotaPerSecUSec", l->cpu_quota_per_sec_usec)) < 0)
                return r;
        /* As written: systemd clamps it as the cgroupfs manager does (cg_cpu_quota_period()). */
        if (l->cpu_quota_period_set &&
            (r = plan_property_t(p, "CPUQuotaPeriodUSec", l->cpu_quota_period_usec)) < 0)
                return r;
        /* CPUWeight=idle is weight 0 on the bus (systemd 252's CGROUP_WEIGHT_IDLE),
         * StartupCPUWeight=idle too. The Startup*= ones are systemd's to apply
         * while the system starts up and shuts down. */
        if ((l->cpu_weight > 0 || l->cpu_idle) && (r = plan_property_t(p, "CPUWeight", l->cpu_weight)) < 0)
                return r;
        if ((l->startup_cpu_weight > 0 || l->startup_cpu_idle) &&
            (r = plan_property_t(p, "StartupCPUWeight", l->startup_cpu_weight)) < 0)
                return r;
        if (l->io_weight > 0 && (r = plan_property_t(p, "IOWeight", l->io_weight)) < 0)
                return r;
        if (l->startup_io_weight > 0 && (r = plan_property_t(p, "StartupIOWeight", l->startup_io_weight)) < 0)
                return r;
        if ((r = plan_property_ay(p, "AllowedCPUs", l->allowed_cpus, l->allowed_cpus_size)) < 0 ||
            (r = plan_property_ay(p, "StartupAllowedCPUs", l->startup_allowed_cpus,
                                  l->startup_allowed_cpus_size)) < 0 ||
            (r = plan_property_ay(p, "AllowedMemoryNodes", l->allowed_memory_nodes,
                                  l->allowed_memory_nodes_size)) < 0 ||
            (r = plan_property_ay(p, "StartupAllowedMemoryNodes", l->startup_allowed_memory_nodes,
                                  l->startup_allowed_memory_nodes_size)) < 0)
                return r;
        if ((r = plan_property_limit(p, "TasksMax", "TasksMaxScale", &l->tasks_max)) < 0)
                return r;

        /* Devices: closed, but for the nodes the container is given. */
        if ((r = plan_property_s(p, "DevicePolicy", "closed")) < 0)
                return r;
        r = plan_property_add(p, "DeviceAllow", "a(ss)", &q);
        if (r < 0)
                return r;
        /* Made at its full length, not grown an entry at a time: strv_extend()
         * walks the list to its end, which thousands of DeviceAllow= lines
         * made a quadratic cost. */
        n = ELEMENTSOF(plan_builtin_devices) + l->n_device_allow;
        q->as = calloc(2 * n + 1, sizeof(char *));
        if (!q->as)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                bool builtin = i < ELEMENTSOF(plan_builtin_devices);
                const char *path = builtin ? plan_builtin_devices[i].path :
                        l->device_allow[i - ELEMENTSOF(plan_builtin_devices)].path;
                const char *perms = builtin ? plan_builtin_devices[i].perms :
                        l->device_allow[i - ELEMENTSOF(plan_builtin_devices)].perms;

                if (!(q->as[2 * i] = strdup(path)) || !(q->as[2 * i + 1] = strdup(perms)))
                        return -ENOMEM;
        }
        return 0;
}

int plan_build_scope(Plan *p, const CellConfig *c, Diagnostics *diag) {
        _cleanup_free_ char *escaped = NULL;
        int r;

        r = unit_name_escape(p->name, &escaped);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return diag_error(diag, c->path, 0, "\"%s\" cannot be made into a scope name", p->name) ?: -EINVAL;
        if (asprintf(&p->scope_unit, "cell-%s.scope", escaped) < 0) {
                p->scope_unit = NULL;
                return -ENOMEM;
        }
        p->slice = strdup(c->slice ?: PLAN_DEFAULT_SLICE);
        if (!p->slice)
                return -ENOMEM;
        if (isempty(c->description))
                r = asprintf(&p->description, "cell %s", p->name);
        else
                r = asprintf(&p->description, "cell %s: %s", p->name, c->description);
        if (r < 0) {
                p->description = NULL;
                return -ENOMEM;
        }

        r = plan_build_limits(p, c);
        if (r < 0)
                return r;
        return plan_build_properties(p, c);
}
