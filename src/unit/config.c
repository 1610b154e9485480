/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

unsigned cell_config_origin(const CellConfig *c, const char *key, size_t item, const char **ret_file) {
        const CellOrigin *o = cell_origin_find(c->origins, c->n_origins, key, item);

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
