/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "config-parsers.h"
#include "parse-mount.h"
#include "parse-syscall.h"
#include "strv.h"

void cell_config_init(CellConfig *c) {
        *c = (CellConfig) {
                /* The safe side by default: no host network, no privilege gain through exec. */
                .private_network = true,
                .no_new_privileges = true,
                .umask = 0022,
                .syscall_error_number = -1,
        };
}

void cell_config_free_binds(CellConfig *c) {
        for (size_t i = 0; i < c->n_binds; i++)
                cell_bind_done(&c->binds[i]);
        c->binds = mfree(c->binds);
        c->n_binds = 0;
}

void cell_config_free_tmpfs(CellConfig *c) {
        for (size_t i = 0; i < c->n_tmpfs; i++)
                cell_tmpfs_done(&c->tmpfs[i]);
        c->tmpfs = mfree(c->tmpfs);
        c->n_tmpfs = 0;
}

void cell_config_free_inaccessible(CellConfig *c) {
        for (size_t i = 0; i < c->n_inaccessible; i++)
                cell_inaccessible_done(&c->inaccessible[i]);
        c->inaccessible = mfree(c->inaccessible);
        c->n_inaccessible = 0;
}

void cell_config_free_overlays(CellConfig *c) {
        for (size_t i = 0; i < c->n_overlays; i++)
                cell_overlay_done(&c->overlays[i]);
        c->overlays = mfree(c->overlays);
        c->n_overlays = 0;
}

void cell_config_free_environment_files(CellConfig *c) {
        for (size_t i = 0; i < c->n_environment_files; i++)
                free(c->environment_files[i].path);
        c->environment_files = mfree(c->environment_files);
        c->n_environment_files = 0;
}

void cell_config_free_device_allow(CellConfig *c) {
        for (size_t i = 0; i < c->n_device_allow; i++) {
                free(c->device_allow[i].path);
                free(c->device_allow[i].file);
        }
        c->device_allow = mfree(c->device_allow);
        c->n_device_allow = 0;
}

void cell_config_free_io_devices(CellConfig *c, CellIOKind kind) {
        size_t n = 0;

        for (size_t i = 0; i < c->n_io_devices; i++) {
                CellIODevice *d = c->io_devices + i;
                if (kind == _CELL_IO_KIND_MAX || d->kind == kind) {
                        free(d->path);
                        free(d->file);
                } else
                        c->io_devices[n++] = *d;
        }
        c->n_io_devices = n;
        if (n == 0)
                c->io_devices = mfree(c->io_devices);
        /* The positions moved: made again at the next line. */
        pos_index_done(&c->io_devices_index);
}

void cell_config_done(CellConfig *c) {
        if (!c)
                return;

        free(c->path);
        free(c->name);
        strv_free(c->dropin_paths);

        free(c->description);
        strv_free(c->documentation);
        strv_free(c->after);
        strv_free(c->before);
        strv_free(c->wants);
        strv_free(c->requires);
        strv_free(c->binds_to);
        strv_free(c->part_of);
        strv_free(c->conflicts);

        strv_free(c->wanted_by);
        strv_free(c->required_by);
        strv_free(c->alias);
        free(c->default_instance);

        free(c->directory);
        free(c->image);
        cell_config_free_binds(c);
        cell_config_free_tmpfs(c);
        cell_config_free_inaccessible(c);
        cell_config_free_overlays(c);

        strv_free(c->exec);
        strv_free(c->environment);
        env_index_done(&c->environment_index);
        cell_config_free_environment_files(c);
        cell_config_free_credentials(c, false);
        cell_config_free_credentials(c, true);
        strv_free(c->pass_environment);
        strv_free(c->unset_environment);
        env_index_done(&c->pass_environment_index);
        env_index_done(&c->unset_environment_index);
        free(c->user);
        free(c->group);
        strv_free(c->supplementary_groups);
        free(c->working_directory);
        free(c->hostname);
        free(c->resolv_conf_file);
        free(c->timezone_file);
        free(c->sched.cpu_priority_file);
        free(c->sched.cpu_affinity);
        free(c->register_file);

        cell_syscall_filter_reset(c);

        free(c->allowed_cpus);
        free(c->startup_allowed_cpus);
        free(c->allowed_memory_nodes);
        free(c->startup_allowed_memory_nodes);
        cell_config_free_device_allow(c);
        cell_config_free_io_devices(c, _CELL_IO_KIND_MAX);
        for (size_t i = 0; i < ELEMENTSOF(c->rlimits); i++)
                free(c->rlimits[i].value);
        free(c->slice);

        free(c->bridge);
        free(c->zone);
        free(c->zone_file);
        cell_config_free_veth_extras(c);
        strv_free(c->interfaces);
        strv_free(c->macvlan);
        strv_free(c->ipvlan);
        for (size_t i = 0; i < ELEMENTSOF(c->ifnames_index); i++)
                pos_index_done(c->ifnames_index + i);
        free(c->ports);
        free(c->ports_taken);
        free(c->ports_file);
        strv_free(c->addresses);
        pos_index_done(&c->addresses_index);
        strv_free(c->gateways);

        for (size_t i = 0; i < c->n_origins; i++) {
                free(c->origins[i].file);
                free(c->origins[i].set);
        }
        free(c->origins);
        cell_config_origins_changed(c);
        for (size_t i = 0; i < c->n_emptied; i++)
                free(c->emptied[i].file);
        free(c->emptied);
        free(c->refused);

        /* Leave a valid, empty config behind: done twice is harmless. */
        cell_config_init(c);
}

const CellOrigin *cell_origin_find(const CellOrigin *origins, size_t n, const char *key, size_t item) {
        const CellOrigin *last = NULL;

        if (!key)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                const CellOrigin *o = origins + i;

                if (!streq(o->key, key))
                        continue;
                /* A counted list: the first line whose items reach this one. */
                if (o->items > 0 && item < o->items)
                        return o;
                if (o->items == 0)
                        last = o;
        }
        return last;
}

/* cell_config_origin()'s index: the records by key. Each key's group holds
 * its counted records (items > 0) first and then the others, each part in
 * file order, so that the group gives what cell_origin_find() would: the
 * first counted record reaching the item (found by bisection while the
 * counts never decrease, as a counted list's do until a reset drops them),
 * else the last of the others. */
typedef struct OriginGroup {
        const char *key;
        size_t start;           /* in CellOriginIndex.order */
        size_t n_counted, n;
        bool ascending;         /* the counted records' items never decrease */
} OriginGroup;

struct CellOriginIndex {
        size_t *order;          /* record numbers, by key (strcmp()), counted first, file order */
        OriginGroup *groups;    /* by key */
        size_t n_groups;
};

/* Below this many records a walk through all is as quick as the index and
 * costs no allocation: a unit of a few dozen keys never builds one. */
#define ORIGIN_INDEX_MIN 64

static int origin_order_compare(const void *a, const void *b, void *userdata) {
        const CellOrigin *origins = userdata;
        size_t i = *(const size_t *) a, j = *(const size_t *) b;
        int k = strcmp(origins[i].key, origins[j].key);

        if (k != 0)
                return k;
        if ((origins[i].items == 0) != (origins[j].items == 0))
                return origins[i].items == 0 ? 1 : -1;
        return i < j ? -1 : i > j;
}

static CellOriginIndex *origin_index_free(CellOriginIndex *ix) {
        if (ix) {
                free(ix->order);
                free(ix->groups);
                free(ix);
        }
        return NULL;
}

static CellOriginIndex *origin_index_build(const CellOrigin *origins, size_t n) {
        CellOriginIndex *ix = calloc(1, sizeof(CellOriginIndex));

        if (!ix)
                return NULL;
        ix->order = calloc(n, sizeof(size_t));
        ix->groups = calloc(n, sizeof(OriginGroup));
        if (!ix->order || !ix->groups)
                return origin_index_free(ix);
        for (size_t i = 0; i < n; i++)
                ix->order[i] = i;
        qsort_r(ix->order, n, sizeof(size_t), origin_order_compare, (void *) origins);

        for (size_t k = 0; k < n; k++) {
                const CellOrigin *o = origins + ix->order[k];
                OriginGroup *g = ix->n_groups > 0 ? ix->groups + ix->n_groups - 1 : NULL;

                if (!g || !streq(g->key, o->key)) {
                        g = ix->groups + ix->n_groups++;
                        *g = (OriginGroup) { .key = o->key, .start = k, .ascending = true };
                }
                if (o->items > 0) {
                        if (g->n_counted > 0 && origins[ix->order[k - 1]].items > o->items)
                                g->ascending = false;
                        g->n_counted++;
                }
                g->n++;
        }
        return ix;
}

static int origin_group_compare(const void *key, const void *group) {
        return strcmp(key, ((const OriginGroup *) group)->key);
}

/* As cell_origin_find(c->origins, c->n_origins, key, item), in logarithmic time. */
static const CellOrigin *origin_index_find(const CellOriginIndex *ix, const CellOrigin *origins, const char *key,
                                           size_t item) {
        const OriginGroup *g = bsearch(key, ix->groups, ix->n_groups, sizeof(OriginGroup), origin_group_compare);
        const size_t *counted;

        if (!g)
                return NULL;
        counted = ix->order + g->start;
        if (g->ascending) {
                /* The first record whose count is past item. */
                size_t lo = 0, hi = g->n_counted;

                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;

                        if (origins[counted[mid]].items > item)
                                hi = mid;
                        else
                                lo = mid + 1;
                }
                if (lo < g->n_counted)
                        return origins + counted[lo];
        } else
                for (size_t k = 0; k < g->n_counted; k++)
                        if (item < origins[counted[k]].items)
                                return origins + counted[k];
        return g->n > g->n_counted ? origins + counted[g->n - 1] : NULL;
}

void cell_config_origins_changed(CellConfig *c) {
        c->origins_index = origin_index_free(c->origins_index);
}

unsigned cell_config_origin(const CellConfig *c, const char *key, size_t item, const char **ret_file) {
        const CellOrigin *o = NULL;

        /* A check that names the line of each of thousands of items (20,000
         * refused Gateway= lines) walked all records for each: quadratic.
         * The index is built at the first call after the records changed
         * (cell_config_origins_changed()); it is a cache, which leaves what
         * the config says as it was, hence built in a const config. */
        if (key && c->n_origins >= ORIGIN_INDEX_MIN && !c->origins_index)
                ((CellConfig *) c)->origins_index = origin_index_build(c->origins, c->n_origins);
        if (key && c->n_origins >= ORIGIN_INDEX_MIN && c->origins_index)
                o = origin_index_find(c->origins_index, c->origins, key, item);
        else
                o = cell_origin_find(c->origins, c->n_origins, key, item);

        *ret_file = o && o->file ? o->file : c->path;
        return o ? o->line : 0;
}

unsigned cell_config_emptied(const CellConfig *c, const char *key, const char **ret_file) {
        for (size_t i = 0; i < c->n_emptied; i++)
                if (streq(c->emptied[i].key, key)) {
                        *ret_file = c->emptied[i].file ?: c->path;
                        return c->emptied[i].line;
                }
        *ret_file = c->path;
        return 0;
}

bool cell_config_refused(const CellConfig *c, const char *key) {
        for (size_t i = 0; i < c->n_refused; i++)
                if (streq(c->refused[i], key))
                        return true;
        return false;
}
