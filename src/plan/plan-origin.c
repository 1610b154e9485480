/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the unit set the keys the start may fail on (plan.h: Plan.origins),
 * and the one place that says so in front of a start's message:
 * "FILE:LINE: User=nobody: no such user in the container's /etc/passwd",
 * as "cell verify" names a bad value. With drop-ins, the key alone does not
 * say which file. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-caps.h"
#include "parse-limits.h"
#include "parse-value.h"
#include "plan-internal.h"
#include "strv.h"

/* The keys of one value in force that the start may refuse (the image, the
 * host or the kernel has the last word), and the lists whose items it names
 * one by one; the [Limits] keys the kernel (cgroupfs) or systemd may refuse
 * at the start, and the other keys of the scope's properties. A key whose
 * value builds up over lines without a count or a set is not here: its
 * last line need not be the one that failed. Mounts,
 * DeviceAllow= and the IO device keys keep their origin in their own
 * entries; ResolvConf= and Timezone= in PlanEtcFile. */
static const char * const origin_keys[] = {
        "Directory", "Image", "Volatile",
        "Exec", "User", "Group", "SupplementaryGroups", "WorkingDirectory", "Hostname",
        "EnvironmentFile", "MachineID", "Register", "Personality",
        "Nice", "CPUSchedulingPolicy", "CPUSchedulingPriority", "IOSchedulingClass", "IOSchedulingPriority",
        "OOMScoreAdjust", "PrivateUsers", "PrivateTime",
        "MemoryMax", "MemoryHigh", "MemorySwapMax", "MemoryMin", "MemoryLow",
        "CPUQuota", "CPUQuotaPeriodSec", "CPUWeight", "StartupCPUWeight", "IOWeight", "StartupIOWeight",
        "TasksMax",
        "Port",
        /* The links the host may lack or refuse: the start names the line
         * (Interface=, MACVLAN=, IPVLAN=, VirtualEthernetExtra=: counted,
         * spawn-net.c names the item's own line). */
        "VirtualEthernet", "Bridge", "Zone", "VirtualEthernetExtra", "Interface", "MACVLAN", "IPVLAN",
        /* The namespace whose loopback the child brings up (spawn-net.c). */
        "PrivateNetwork",
        /* Counted: the child's netif_configure() names the address or the
         * gateway the kernel refused (the unit's check refuses a gateway
         * off the link already, config_finish()). */
        "Address", "Gateway",
        /* [Unit]'s dependencies, counted: systemd's refusal names a unit
         * (scope-bus-refused.c), whose own line is named. */
        "After", "Before", "Wants", "Requires", "BindsTo", "PartOf", "Conflicts",
        /* What else StartTransientUnit gets of one value (plan-scope.c's
         * plan_property_keys[]), which systemd may refuse: a slice it cannot
         * load ("a-.slice"), a value an older systemd does not take. */
        "Description", "Slice", "KillSignal", "TimeoutStopSec",
};

/* Sets of CPUs or NUMA nodes, which add up over lines as systemd's: each
 * line keeps the CPUs (nodes) it named, and a message that names the CPUs
 * refused names the lines they came from (set_origin()). The capability
 * keys too (by number): a start that cannot grant one names its line. */
static const char * const origin_keys_set[] = {
        "AllowedCPUs", "StartupAllowedCPUs", "AllowedMemoryNodes", "StartupAllowedMemoryNodes", "CPUAffinity",
        "Capability", "AmbientCapability",
};

static bool origin_key_is_set(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(origin_keys_set); i++)
                if (streq(origin_keys_set[i], key))
                        return true;
        return false;
}

static bool origin_key_kept(const CellOrigin *o) {
        /* LimitCPU= ... LimitRTTIME=: one value each. */
        if (startswith(o->key, "Limit"))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(origin_keys); i++)
                if (streq(origin_keys[i], o->key))
                        return true;
        return origin_key_is_set(o->key);
}

/* A copy of o in the plan's next slot (allocated by plan_build_origins()),
 * as read from file, counting items. */
static CellOrigin *origin_append(Plan *p, const CellOrigin *o, const char *file, size_t items) {
        CellOrigin *e = p->origins + p->n_origins;

        *e = (CellOrigin) { .key = o->key, .line = o->line, .items = items, .lines = o->lines };
        e->file = strdup(file);
        if (!e->file)
                return NULL;
        p->n_origins++;
        return e;
}

/* PassEnvironment='s origins by the plan's list, which passes TERM first,
 * named or not: one record a name, at its index there (items: index + 1),
 * in that order, with the line that added it; none for a TERM no line
 * named, which plan_key_origin() then finds no line for. */
/* The record of the line that brought the config's PassEnvironment= word k:
 * the first whose count reaches past it (cell_origin_find()), looked for from
 * *from on, where the one of an earlier word was (words in their order). */
static const CellOrigin *pass_environment_origin(const CellConfig *c, size_t k, size_t *from) {
        for (size_t j = *from; j < c->n_origins; j++) {
                const CellOrigin *o = c->origins + j;

                if (streq(o->key, "PassEnvironment") && o->items > 0 && k < o->items) {
                        *from = j;
                        return o;
                }
        }
        return cell_origin_find(c->origins, c->n_origins, "PassEnvironment", k);
}

static int pass_environment_origins(Plan *p, const CellConfig *c) {
        size_t k = 0, from = 0;

        /* The plan's names are TERM and then the config's in their order,
         * each first time: each found by walking on from the last, not
         * from the start (thousands of names were quadratic). */
        for (size_t i = 0; p->pass_environment && p->pass_environment[i]; i++) {
                const CellOrigin *o = NULL;
                const char *file;
                size_t at = SIZE_MAX;

                if (i == 0) {
                        for (size_t j = 0; c->pass_environment && c->pass_environment[j]; j++)
                                if (streq(c->pass_environment[j], p->pass_environment[0])) {
                                        at = j;
                                        break;
                                }
                } else
                        for (; c->pass_environment && c->pass_environment[k]; k++)
                                if (streq(c->pass_environment[k], p->pass_environment[i])) {
                                        at = k++;
                                        break;
                                }
                if (at != SIZE_MAX) {
                        size_t start = i == 0 ? 0 : from;

                        o = pass_environment_origin(c, at, &start);
                        if (i > 0)
                                from = start;
                }
                file = o ? o->file ?: c->path : NULL;
                if (!file || o->line == 0)
                        continue;
                if (!origin_append(p, o, file, i + 1))
                        return -ENOMEM;
        }
        return 0;
}

static int entry_origins_index(Plan *p);

int plan_build_origins(Plan *p, const CellConfig *c, const PlanOptions *opts) {
        bool exec_override = opts && opts->argv_override && opts->argv_override[0];

        if (entry_origins_index(p) < 0)
                return -ENOMEM;

        /* "cell verify" too: it names the lines of the keys this host's
         * cgroup v1 controllers would refuse (cli/verify.c). */
        if (c->n_origins == 0)
                return 0;
        p->origins = new0(CellOrigin, c->n_origins + strv_length(p->pass_environment));
        if (!p->origins)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_origins; i++) {
                const CellOrigin *o = c->origins + i;
                /* NULL: the main file's (a config made by hand: its path too). */
                const char *file = o->file ?: c->path;
                CellOrigin *e;

                if (!origin_key_kept(o) || !file || o->line == 0)
                        continue;
                /* "cell run NAME -- ARGS": what runs is no line's. */
                if (exec_override && streq(o->key, "Exec"))
                        continue;
                e = origin_append(p, o, file, o->items);
                if (!e)
                        return -ENOMEM;
                if (o->set) {
                        e->set = malloc(o->set_size);
                        if (!e->set)
                                return -ENOMEM;
                        memcpy(e->set, o->set, o->set_size);
                        e->set_size = o->set_size;
                }
        }
        return pass_environment_origins(p, c);
}

void plan_origins_done(Plan *p) {
        p->entry_origins = mfree(p->entry_origins);
        for (size_t i = 0; i < p->n_origins; i++) {
                free(p->origins[i].file);
                free(p->origins[i].set);
        }
        p->origins = mfree(p->origins);
        p->n_origins = 0;
}

const CellOrigin *plan_key_origin(const Plan *p, const char *key, size_t item) {
        const CellOrigin *o = cell_origin_find(p->origins, p->n_origins, key, item);

        /* One record a name (pass_environment_origins()): a passed TERM no
         * line named has none, and the next name's is not its. */
        if (o && streq(key, "PassEnvironment") && o->items != item + 1)
                return NULL;
        return o;
}

const char *plan_root_key(const Plan *p) {
        return p->root_image ? "Image" : "Directory";
}

const char *plan_root_source(const Plan *p) {
        return p->root_image ?: p->root_directory;
}

const char *plan_origin_prefix(const Plan *p, const char *key, size_t item, char *buf, size_t n) {
        const CellOrigin *o = plan_key_origin(p, key, item);

        if (n == 0)
                return buf;
        buf[0] = 0;
        if (o)
                (void) snprintf(buf, n, "%s:%u: ", o->file, o->line);
        return buf;
}

/* "FILE:LINE: ", or for a key several lines set, that message is about as a
 * whole, "FILE:LINE (and N more lines): " of the first: each of them may be
 * the one to change, and the first is where to start looking. */
static const char *format_origin(const char *file, unsigned line, size_t more, char *buf, size_t n) {
        if (more > 0)
                (void) snprintf(buf, n, "%s:%u (and %zu more line%s): ", file, line, more, more == 1 ? "" : "s");
        else
                (void) snprintf(buf, n, "%s:%u: ", file, line);
        return buf;
}

static PlanOriginAt origin_at(const CellOrigin *o, size_t more) {
        return o ? (PlanOriginAt) { .file = o->file, .line = o->line, .more = more } : (PlanOriginAt) {};
}

/* The items of a counted list key a message may name one of: the groups,
 * the dependencies as StartTransientUnit got them. NULL for other keys. */
static char * const *list_items(const Plan *p, const char *key, bool *ret_list) {
        static const char * const dependencies[] = {
                "After", "Before", "Wants", "Requires", "BindsTo", "PartOf", "Conflicts",
        };

        *ret_list = true;
        if (streq(key, "SupplementaryGroups"))
                return p->supplementary_groups;
        /* Checked on the host (cli/environment-files.c), which names a
         * variable as "PassEnvironment=NAME". */
        if (streq(key, "PassEnvironment"))
                return p->pass_environment;
        /* Set up in the child (netif_configure()), which knows no lines. */
        if (streq(key, "Address"))
                return p->addresses;
        if (streq(key, "Gateway"))
                return p->gateways;
        for (size_t i = 0; i < ELEMENTSOF(dependencies); i++)
                if (streq(key, dependencies[i])) {
                        for (size_t j = 0; j < p->n_properties; j++)
                                if (streq(p->properties[j].name, key))
                                        return p->properties[j].as;
                        return NULL;
                }
        *ret_list = false;
        return NULL;
}

/* A counted list key's message: the line of the item it names (the value
 * up to ": "), or for one about the list as a whole (no value, or the list
 * as sent: more than one word) its first line and how many more. An item
 * the unit did not write is not named: no line holds it. */
static PlanOriginAt list_origin(const Plan *p, const char *key, char * const *items, const char *v) {
        const char *end = strstr(v, ": ");
        size_t len = end ? (size_t) (end - v) : strlen(v), more = 0;
        const CellOrigin *first = NULL;

        if (len > 0 && !memchr(v, ' ', len)) {
                for (size_t i = 0; items && items[i]; i++)
                        if (strlen(items[i]) == len && strncmp(items[i], v, len) == 0)
                                return origin_at(plan_key_origin(p, key, i), 0);
                return (PlanOriginAt) {};
        }
        for (size_t i = 0; i < p->n_origins; i++)
                if (streq(p->origins[i].key, key)) {
                        /* PassEnvironment='s records are one a name: a line of several is one line. */
                        const CellOrigin *prev = first ? p->origins + i - 1 : NULL;
                        if (prev && streq(prev->key, key) && prev->line == p->origins[i].line &&
                            streq(prev->file, p->origins[i].file))
                                continue;
                        if (first)
                                more++;
                        else
                                first = p->origins + i;
                }
        return origin_at(first, more);
}

/* The limits' entry i (limits.io_devices', then DeviceAllow='s): its key, path and origin. */
static const char *limits_entry(const PlanLimits *l, size_t i, const char **ret_path, const char **ret_file,
                                unsigned *ret_line) {
        if (i < l->n_io_devices) {
                const CellIODevice *d = l->io_devices + i;

                *ret_path = d->path, *ret_file = d->file, *ret_line = d->line;
                return io_kind_key(d->kind);
        }
        const CellDeviceAllow *d = l->device_allow + i - l->n_io_devices;

        *ret_path = d->path, *ret_file = d->file, *ret_line = d->line;
        return "DeviceAllow";
}

/* strcmp() of path and the len bytes of v. */
static int path_compare(const char *path, const char *v, size_t len) {
        int r = strncmp(path, v, len);

        return r != 0 ? r : path[len] != 0;
}

static int entry_compare(const void *a, const void *b, void *userdata) {
        const PlanLimits *l = userdata;
        size_t x = *(const size_t *) a, y = *(const size_t *) b;
        const char *px, *py, *fx, *fy;
        unsigned lx, ly;
        int r;

        r = strcmp(limits_entry(l, x, &px, &fx, &lx), limits_entry(l, y, &py, &fy, &ly));
        if (r == 0)
                r = strcmp(px, py);
        return r != 0 ? r : (x > y) - (x < y);
}

/* Plan.entry_origins: a start (or verify) with a message of each of
 * thousands of entries does not walk all of them for each. */
static int entry_origins_index(Plan *p) {
        const PlanLimits *l = &p->limits;
        size_t n = l->n_io_devices + l->n_device_allow;

        if (n == 0)
                return 0;
        p->entry_origins = malloc(n * sizeof(size_t));
        if (!p->entry_origins)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                p->entry_origins[i] = i;
        qsort_r(p->entry_origins, n, sizeof(size_t), entry_compare, (void *) l);
        return 0;
}

/* The position of the first entry of key with the len bytes of v as its
 * path and an origin, SIZE_MAX for none: through Plan.entry_origins, or a
 * walk without it. */
static size_t entry_find(const Plan *p, const char *key, const char *v, size_t len) {
        const PlanLimits *l = &p->limits;
        size_t n = l->n_io_devices + l->n_device_allow, lo = 0, hi = n;
        const char *path, *f;
        unsigned ln;

        if (!p->entry_origins) {
                for (size_t i = 0; i < n; i++)
                        if (streq(limits_entry(l, i, &path, &f, &ln), key) && f && ln > 0 &&
                            path_compare(path, v, len) == 0)
                                return i;
                return SIZE_MAX;
        }
        /* The first entry not below (key, v): those of one path are in their order. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int r = strcmp(limits_entry(l, p->entry_origins[mid], &path, &f, &ln), key);

                if (r == 0)
                        r = path_compare(path, v, len);
                if (r < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < n; lo++) {
                if (!streq(limits_entry(l, p->entry_origins[lo], &path, &f, &ln), key) ||
                    path_compare(path, v, len) != 0)
                        break;
                if (f && ln > 0)
                        return p->entry_origins[lo];
        }
        return SIZE_MAX;
}

/* The IO device keys and DeviceAllow=, whose entries keep their origins in
 * the plan's limits: the entry of the path the message names ("KEY=PATH:
 * ..." or "KEY=PATH VALUE: ...": the first in the limits of those the
 * message may name), or for one about the key as a whole ("KEY=: ...":
 * systemd refused the property, or has no io controller) its first line and
 * how many more. */
static PlanOriginAt entry_origin(const Plan *p, const char *key, const char *v) {
        const PlanLimits *l = &p->limits;
        const char *end = strstr(v, ": "), *file = NULL, *path, *f;
        size_t len = end ? (size_t) (end - v) : strlen(v), count = 0, found = SIZE_MAX;
        unsigned line = 0, ln;

        if (len > 0) {
                /* Each path the message may name: up to a space, or all of it. */
                for (size_t m = 1; m <= len; m++)
                        if (m == len || v[m] == ' ')
                                found = MIN(found, entry_find(p, key, v, m));
                if (found == SIZE_MAX)
                        return (PlanOriginAt) {};
                (void) limits_entry(l, found, &path, &f, &ln);
                return (PlanOriginAt) { .file = f, .line = ln };
        }
        for (size_t i = 0; i < l->n_io_devices + l->n_device_allow; i++) {
                if (!streq(limits_entry(l, i, &path, &f, &ln), key) || !f || ln == 0)
                        continue;
                if (count++ == 0)
                        file = f, line = ln;
        }
        return file ? (PlanOriginAt) { .file = file, .line = line, .more = count - 1 } : (PlanOriginAt) {};
}

static bool set_has(const uint8_t *set, size_t size, size_t cpu) {
        return cpu / 8 < size && (set[cpu / 8] & (1u << (cpu % 8)));
}

/* What a message names of a set key: CPUs (nodes) as the unit writes
 * them, or capabilities ("CAP_SYS_TIME") as their numbers' set. */
static int parse_named_set(const char *key, const char *named, uint8_t **ret, size_t *ret_size) {
        CellCapMask caps = 0;

        if (!endswith(key, "Capability"))
                return parse_cpu_set(named, ret, ret_size);
        if (parse_capabilities(named, false, &caps, NULL) < 0)
                return -EINVAL;
        return cap_mask_to_set(caps, ret, ret_size);
}

/* A set of CPUs or NUMA nodes, whose lines add up: the lines the CPUs the
 * message names came from ("AllowedCPUs=7: ...": the first line that named
 * CPU 7), the first of them and how many more; for a message about the set
 * as a whole ("AllowedCPUs=: ...", or the whole set named) that is its
 * first line and how many more. CPUs no line named: no line. */
static PlanOriginAt set_origin(const Plan *p, const char *key, const char *v) {
        const char *end = strstr(v, ": ");
        _cleanup_free_ char *named = strndup(v, end ? (size_t) (end - v) : strlen(v));
        _cleanup_free_ uint8_t *cpus = NULL;
        const CellOrigin *first = NULL;
        size_t size = 0, more = 0;

        if (!named)
                return (PlanOriginAt) {};
        /* No CPU named, or not as a set: the set as a whole. */
        if (parse_named_set(key, named, &cpus, &size) < 0 || size == 0)
                size = 0;
        for (size_t i = 0; i < p->n_origins; i++) {
                const CellOrigin *o = p->origins + i;
                bool brought = size == 0;

                if (!streq(o->key, key))
                        continue;
                /* A CPU's line is the first that named it: a later line
                 * naming it again brought nothing. */
                for (size_t cpu = 0; !brought && cpu < size * 8; cpu++) {
                        bool earlier = false;

                        if (!set_has(cpus, size, cpu) || !set_has(o->set, o->set_size, cpu))
                                continue;
                        for (const CellOrigin *q = p->origins; q < o && !earlier; q++)
                                earlier = streq(q->key, key) && set_has(q->set, q->set_size, cpu);
                        brought = !earlier;
                }
                if (!brought)
                        continue;
                if (first)
                        more++;
                else
                        first = o;
        }
        return origin_at(first, more);
}

static bool io_key(const char *key) {
        for (CellIOKind t = 0; t < _CELL_IO_KIND_MAX; t++)
                if (streq(key, io_kind_key(t)))
                        return true;
        return false;
}

bool plan_message_origin_at(const Plan *p, const char *message, PlanOriginAt *ret) {
        char key[64];
        size_t k = strspn(message, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
        char * const *items;
        bool list;

        *ret = (PlanOriginAt) {};
        /* "Key=value..." only: one that begins "FILE:LINE: " names its origin itself. */
        if (k == 0 || k >= sizeof key || message[k] != '=')
                return false;
        memcpy(key, message, k);
        key[k] = 0;

        /* EnvironmentFile='s messages are its reader's (cli/environment-files.c),
         * which knows the entry. */
        if (streq(key, "EnvironmentFile"))
                return false;
        items = list_items(p, key, &list);
        if (list)
                *ret = list_origin(p, key, items, message + k + 1);
        else if (streq(key, "DeviceAllow"))
                *ret = entry_origin(p, key, message + k + 1);
        else if (origin_key_is_set(key))
                *ret = set_origin(p, key, message + k + 1);
        else if (io_key(key))
                *ret = entry_origin(p, key, message + k + 1);
        else
                *ret = origin_at(plan_key_origin(p, key, 0), 0);
        return ret->file != NULL;
}

const char *plan_origin_at_format(const PlanOriginAt *at, char *buf, size_t n) {
        if (n == 0)
                return buf;
        buf[0] = 0;
        return at->file ? format_origin(at->file, at->line, at->more, buf, n) : buf;
}

const char *plan_message_origin(const Plan *p, const char *message, char *buf, size_t n) {
        PlanOriginAt at;

        (void) plan_message_origin_at(p, message, &at);
        return plan_origin_at_format(&at, buf, n);
}
