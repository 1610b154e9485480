/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "cell plan --json": every field of the plan, keys in a fixed order, no
 * timestamps, nothing from the host. The schema is documented in cell(1),
 * section PLAN JSON; keep the two in step. */

#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>

#include "id128-util.h"
#include "json-write.h"
#include "parse-limits.h"
#include "plan-internal.h"
#include "signal-util.h"

static void json_flags(JsonWriter *w, unsigned long flags, const PlanFlagName *names, size_t n) {
        json_array_begin_inline(w);
        for (size_t i = 0; i < n; i++)
                if (flags & names[i].flag)
                        json_string(w, names[i].name);
        json_array_end(w);
}

static void json_capabilities(JsonWriter *w, uint64_t mask) {
        json_array_begin_inline(w);
        for (unsigned cap = 0; cap < 64; cap++) {
                if (!(mask & (UINT64_C(1) << cap)))
                        continue;
                const char *n = plan_capability_to_name(cap);
                if (n)
                        json_string(w, n);
                else {
                        char buf[16];
                        snprintf(buf, sizeof buf, "cap_%u", cap);
                        json_string(w, buf);
                }
        }
        json_array_end(w);
}

/* A count or time that may be infinite: a number, or the string "infinity". */
static void json_uint_or_infinity(JsonWriter *w, uint64_t v, uint64_t infinity) {
        if (v == infinity)
                json_string(w, "infinity");
        else
                json_uint(w, v);
}

static void json_id_maps(JsonWriter *w, const PlanIdMap *m, size_t n) {
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
                json_object_begin_inline(w);
                json_key(w, "inside");
                json_uint(w, m[i].inside);
                json_key(w, "outside");
                json_uint(w, m[i].outside);
                json_key(w, "count");
                json_uint(w, m[i].count);
                json_object_end(w);
        }
        json_array_end(w);
}

/* ResolvConf=, Timezone=: the value in force, what it means for this
 * unit, the host files it may take (the start uses the first that exists). */
static void json_etc_file(JsonWriter *w, const PlanEtcFile *f) {
        json_object_begin(w);
        json_key(w, "setting");
        json_string(w, f->setting);
        json_key(w, "mode");
        json_string(w, plan_etc_mode_to_string(f->mode));
        json_key(w, "target");
        json_string(w, f->target);
        json_key(w, "sources");
        json_array_begin_inline(w);
        for (size_t i = 0; i < ELEMENTSOF(f->sources) && f->sources[i]; i++)
                json_string(w, f->sources[i]);
        json_array_end(w);
        json_key(w, "create_missing");
        json_bool(w, f->create_missing);
        json_key(w, "file");
        json_string(w, f->file);
        json_key(w, "line");
        json_uint(w, f->line);
        json_object_end(w);
}

static void json_mount(JsonWriter *w, const PlanMount *m) {
        json_object_begin(w);
        json_key(w, "kind");
        json_string(w, plan_mount_kind_to_string(m->kind));
        json_key(w, "source");
        json_string(w, m->source);
        json_key(w, "target");
        json_string(w, m->target);
        json_key(w, "fstype");
        json_string(w, m->fstype);
        json_key(w, "flags");
        json_flags(w, m->flags, plan_mount_flag_names, plan_mount_flag_names_count);
        json_key(w, "data");
        json_string(w, m->data);
        if (m->kind == PLAN_MOUNT_OVERLAY) {
                json_key(w, "lower");
                json_array_begin_inline(w);
                for (char **l = m->lower; l && *l; l++)
                        json_string(w, *l);
                json_array_end(w);
                json_key(w, "upper");
                json_string(w, m->upper);
        }
        json_key(w, "optional");
        json_bool(w, m->optional);
        json_key(w, "source_in_root");
        json_bool(w, m->source_in_root);
        json_key(w, "idmap");
        json_bool(w, m->idmap);
        json_key(w, "file");
        json_string(w, m->file);
        json_key(w, "line");
        json_uint(w, m->line);
        json_object_end(w);
}

static void json_limit(JsonWriter *w, const CellLimit *l) {
        switch (l->kind) {
        case CELL_LIMIT_VALUE:
                json_uint(w, l->value);
                return;
        case CELL_LIMIT_PERCENT: {
                char buf[32];
                snprintf(buf, sizeof buf, "%u.%02u%%", l->permyriad / 100, l->permyriad % 100);
                json_string(w, buf);
                return;
        }
        case CELL_LIMIT_INFINITY:
                json_string(w, "infinity");
                return;
        case CELL_LIMIT_UNSET:
        default:
                json_null(w);
                return;
        }
}

static void json_device_allow(JsonWriter *w, const CellDeviceAllow *d, size_t n) {
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
                json_object_begin_inline(w);
                json_key(w, "path");
                json_string(w, d[i].path);
                json_key(w, "permissions");
                json_string(w, d[i].perms);
                json_object_end(w);
        }
        json_array_end(w);
}

/* Each as written: the key, the path, the value (null for "infinity"). */
static void json_io_devices(JsonWriter *w, const CellIODevice *d, size_t n) {
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
                json_object_begin_inline(w);
                json_key(w, "key");
                json_string(w, io_kind_key(d[i].kind));
                json_key(w, "path");
                json_string(w, d[i].path);
                json_key(w, "value");
                if (d[i].kind != CELL_IO_DEVICE_WEIGHT && d[i].value == UINT64_MAX)
                        json_null(w);
                else
                        json_uint(w, d[i].value);
                json_key(w, "file");
                json_string(w, d[i].file);
                json_key(w, "line");
                json_uint(w, d[i].line);
                json_object_end(w);
        }
        json_array_end(w);
}

/* A CPU or IO weight: a number, "idle" (CPU only) or null (unset). */
static void json_weight(JsonWriter *w, uint64_t weight, bool idle) {
        if (idle)
                json_string(w, "idle");
        else if (weight > 0)
                json_uint(w, weight);
        else
                json_null(w);
}

/* A cpuset bitmap: the list of CPU (node) numbers, or null (unset). */
static void json_cpuset(JsonWriter *w, const uint8_t *set, size_t size) {
        if (!set) {
                json_null(w);
                return;
        }
        json_array_begin_inline(w);
        for (size_t i = 0; i < size * 8; i++)
                if (set[i / 8] & (1u << (i % 8)))
                        json_uint(w, i);
        json_array_end(w);
}

static void json_limits(JsonWriter *w, const PlanLimits *l) {
        json_object_begin(w);
        json_key(w, "memory_max");
        json_limit(w, &l->memory_max);
        json_key(w, "memory_high");
        json_limit(w, &l->memory_high);
        json_key(w, "memory_swap_max");
        json_limit(w, &l->memory_swap_max);
        json_key(w, "memory_min");
        json_limit(w, &l->memory_min);
        json_key(w, "memory_low");
        json_limit(w, &l->memory_low);
        json_key(w, "tasks_max");
        json_limit(w, &l->tasks_max);
        json_key(w, "tasks_max_default");
        json_limit(w, &l->tasks_max_default);
        json_key(w, "cpu_quota_per_sec_usec");
        if (l->cpu_quota_per_sec_usec == USEC_INFINITY)
                json_null(w);
        else
                json_uint(w, l->cpu_quota_per_sec_usec);
        json_key(w, "cpu_quota_period_usec");
        if (l->cpu_quota_period_set)
                json_uint(w, l->cpu_quota_period_usec);
        else
                json_null(w);
        json_key(w, "cpu_weight");
        json_weight(w, l->cpu_weight, l->cpu_idle);
        json_key(w, "io_weight");
        json_weight(w, l->io_weight, false);
        json_key(w, "allowed_cpus");
        json_cpuset(w, l->allowed_cpus, l->allowed_cpus_size);
        json_key(w, "allowed_memory_nodes");
        json_cpuset(w, l->allowed_memory_nodes, l->allowed_memory_nodes_size);
        json_key(w, "startup_cpu_weight");
        json_weight(w, l->startup_cpu_weight, l->startup_cpu_idle);
        json_key(w, "startup_io_weight");
        json_weight(w, l->startup_io_weight, false);
        json_key(w, "startup_allowed_cpus");
        json_cpuset(w, l->startup_allowed_cpus, l->startup_allowed_cpus_size);
        json_key(w, "startup_allowed_memory_nodes");
        json_cpuset(w, l->startup_allowed_memory_nodes, l->startup_allowed_memory_nodes_size);
        json_key(w, "device_allow");
        json_device_allow(w, l->device_allow, l->n_device_allow);
        json_key(w, "io_devices");
        json_io_devices(w, l->io_devices, l->n_io_devices);
        json_object_end(w);
}

static void json_property(JsonWriter *w, const PlanProperty *q) {
        json_object_begin_inline(w);
        json_key(w, "name");
        json_string(w, q->name);
        json_key(w, "signature");
        json_string(w, q->signature);
        json_key(w, "value");
        if (streq(q->signature, "t"))
                json_uint(w, q->t);
        else if (streq(q->signature, "u"))
                json_uint(w, q->u);
        else if (streq(q->signature, "i"))
                json_int(w, q->i);
        else if (streq(q->signature, "b"))
                json_bool(w, q->b);
        else if (streq(q->signature, "s"))
                json_string(w, q->s);
        else if (streq(q->signature, "as"))
                json_strv(w, q->as);
        else if (streq(q->signature, "ay")) {
                json_array_begin(w);
                for (size_t i = 0; i < q->ay_size; i++)
                        json_uint(w, q->ay[i]);
                json_array_end(w);
        } else if (streq(q->signature, "a(ss)")) {
                json_array_begin(w);
                for (char **s = q->as; s && s[0] && s[1]; s += 2) {
                        json_array_begin(w);
                        json_string(w, s[0]);
                        json_string(w, s[1]);
                        json_array_end(w);
                }
                json_array_end(w);
        } else
                json_null(w);
        json_object_end(w);
}

static void json_process(JsonWriter *w, const Plan *p) {
        char buf[32];

        json_key(w, "argv");
        json_strv(w, p->argv);
        json_key(w, "environment");
        json_strv(w, p->environment);
        json_key(w, "environment_files");
        json_array_begin(w);
        for (size_t i = 0; i < p->n_environment_files; i++) {
                json_object_begin_inline(w);
                json_key(w, "path");
                json_string(w, p->environment_files[i].path);
                json_key(w, "ignore_missing");
                json_bool(w, p->environment_files[i].ignore_missing);
                json_object_end(w);
        }
        json_array_end(w);
        json_key(w, "pass_environment");
        json_strv(w, p->pass_environment);
        json_key(w, "unset_environment");
        json_strv(w, p->unset_environment);
        plan_credentials_json(w, p);
        json_key(w, "user");
        json_string(w, p->user);
        json_key(w, "group");
        json_string(w, p->group);
        json_key(w, "supplementary_groups");
        json_strv(w, p->supplementary_groups);
        json_key(w, "working_directory");
        json_string(w, p->working_directory);
        json_key(w, "working_directory_missing_ok");
        json_bool(w, p->working_directory_missing_ok);
        json_key(w, "umask");
        snprintf(buf, sizeof buf, "%04o", (unsigned) p->umask);
        json_string(w, buf);
        json_key(w, "hostname");
        json_string(w, p->hostname);
        json_key(w, "boot");
        json_bool(w, p->boot);
        json_key(w, "init");
        json_bool(w, p->init);
        json_key(w, "notify_ready");
        json_bool(w, p->notify_ready);
        json_key(w, "notify_socket");
        json_string(w, p->notify_socket);
        json_key(w, "kill_signal");
        json_string(w, signal_to_string(p->kill_signal, buf));
        json_key(w, "timeout_stop_usec");
        json_uint_or_infinity(w, p->timeout_stop_usec, USEC_INFINITY);
        plan_sched_json(w, p);
}

static void json_privileges(JsonWriter *w, const Plan *p) {
        json_key(w, "capabilities");
        json_object_begin(w);
        json_key(w, "bounding");
        json_capabilities(w, p->cap_bounding);
        json_key(w, "effective");
        json_capabilities(w, p->cap_effective);
        json_key(w, "permitted");
        json_capabilities(w, p->cap_permitted);
        json_key(w, "inheritable");
        json_capabilities(w, p->cap_inheritable);
        json_key(w, "ambient");
        json_capabilities(w, p->cap_ambient);
        json_object_end(w);
        json_key(w, "no_new_privileges");
        json_bool(w, p->no_new_privileges);
        json_key(w, "seccomp");
        plan_seccomp_json(w, p);
        json_key(w, "protect");
        json_flags(w, p->protect, plan_protect_names, plan_protect_names_count);
        json_key(w, "rlimits");
        json_array_begin(w);
        for (size_t i = 0; i < p->n_rlimits; i++) {
                const char *n = plan_rlimit_to_name(p->rlimits[i].resource);

                json_object_begin_inline(w);
                json_key(w, "resource");
                json_string(w, n ?: "unknown");
                json_key(w, "soft");
                json_uint_or_infinity(w, p->rlimits[i].soft, RLIM_INFINITY);
                json_key(w, "hard");
                json_uint_or_infinity(w, p->rlimits[i].hard, RLIM_INFINITY);
                json_object_end(w);
        }
        json_array_end(w);
        json_key(w, "oom_score_adjust");
        if (p->oom_score_adjust_set)
                json_int(w, p->oom_score_adjust);
        else
                json_null(w);
}

static void json_scope(JsonWriter *w, const Plan *p) {
        json_object_begin(w);
        json_key(w, "unit");
        json_string(w, p->scope_unit);
        json_key(w, "slice");
        json_string(w, p->slice);
        json_key(w, "description");
        json_string(w, p->description);
        json_key(w, "limits");
        json_limits(w, &p->limits);
        json_key(w, "properties");
        json_array_begin(w);
        for (size_t i = 0; i < p->n_properties; i++)
                json_property(w, &p->properties[i]);
        json_array_end(w);
        json_object_end(w);
}

static void json_machine(JsonWriter *w, const Plan *p) {
        char id[ID128_STRING_MAX];

        json_object_begin_inline(w);
        json_key(w, "register");
        json_bool(w, p->register_machine);
        json_key(w, "name");
        json_string(w, p->machine_name);
        json_key(w, "id");
        json_string(w, p->machine_id_set ? id128_to_string(p->machine_id, id) : NULL);
        json_object_end(w);
}

static void json_links(JsonWriter *w, const char *key, const PlanLink *l, size_t n) {
        json_key(w, key);
        json_array_begin(w);
        for (size_t i = 0; i < n; i++) {
                json_object_begin_inline(w);
                json_key(w, "host");
                json_string(w, l[i].host);
                json_key(w, "name");
                json_string(w, l[i].name);
                json_object_end(w);
        }
        json_array_end(w);
}

static void json_network(JsonWriter *w, const Plan *p) {
        json_object_begin(w);
        json_key(w, "private");
        json_bool(w, p->namespaces & CLONE_NEWNET);
        json_key(w, "machine_name");
        json_string(w, p->network_machine_name);
        json_key(w, "virtual_ethernet");
        json_bool(w, p->virtual_ethernet);
        json_key(w, "veth_host");
        json_string(w, p->veth_host);
        json_key(w, "veth_host_altname");
        json_string(w, p->veth_host_altname);
        json_key(w, "bridge");
        json_string(w, p->bridge);
        json_key(w, "zone");
        json_string(w, p->zone);
        json_links(w, "veth_extra", p->veth_extras, p->n_veth_extras);
        json_links(w, "interfaces", p->interfaces, p->n_interfaces);
        json_links(w, "macvlan", p->macvlans, p->n_macvlans);
        json_links(w, "ipvlan", p->ipvlans, p->n_ipvlans);
        json_key(w, "ports");
        json_array_begin(w);
        for (size_t i = 0; i < p->n_ports; i++) {
                json_object_begin_inline(w);
                json_key(w, "protocol");
                json_string(w, p->ports[i].protocol == IPPROTO_UDP ? "udp" : "tcp");
                json_key(w, "host_port");
                json_uint(w, p->ports[i].host_port);
                json_key(w, "container_port");
                json_uint(w, p->ports[i].container_port);
                json_object_end(w);
        }
        json_array_end(w);
        json_key(w, "ports_ipv4");
        json_string(w, p->ports_ipv4);
        json_key(w, "ports_ipv6");
        json_string(w, p->ports_ipv6);
        json_key(w, "address_interface");
        json_string(w, p->address_interface);
        json_key(w, "addresses");
        json_strv(w, p->addresses);
        json_key(w, "gateways");
        json_strv(w, p->gateways);
        json_object_end(w);
}

int plan_print_json(const Plan *p, FILE *f) {
        JsonWriter w;

        json_writer_init(&w, f, true);
        json_object_begin(&w);

        json_key(&w, "name");
        json_string(&w, p->name);
        json_key(&w, "unit_path");
        json_string(&w, p->unit_path);
        json_key(&w, "dropin_paths");
        json_strv(&w, p->dropin_paths);

        json_key(&w, "namespaces");
        json_flags(&w, p->namespaces, plan_namespace_names, plan_namespace_names_count);
        json_key(&w, "cgroup_namespace");
        json_bool(&w, p->cgroup_namespace);

        json_key(&w, "root");
        json_object_begin(&w);
        json_key(&w, "directory");
        json_string(&w, p->root_directory);
        json_key(&w, "image");
        json_string(&w, p->root_image);
        json_key(&w, "read_only");
        json_bool(&w, p->root_read_only);
        json_key(&w, "volatile");
        json_string(&w, plan_volatile_to_string(p->root_volatile));
        json_object_end(&w);

        json_key(&w, "mounts");
        json_array_begin(&w);
        for (size_t i = 0; i < p->n_mounts; i++)
                json_mount(&w, &p->mounts[i]);
        json_array_end(&w);

        json_key(&w, "resolv_conf");
        json_etc_file(&w, &p->resolv_conf);
        json_key(&w, "timezone");
        json_etc_file(&w, &p->timezone);

        json_key(&w, "users");
        json_object_begin(&w);
        json_key(&w, "mode");
        json_string(&w, plan_users_mode_to_string(p->users_mode));
        json_key(&w, "uid_base");
        json_uint(&w, p->uid_base);
        json_key(&w, "uid_count");
        json_uint(&w, p->uid_count);
        json_key(&w, "uid_map");
        json_id_maps(&w, p->uid_map, p->n_uid_map);
        json_key(&w, "gid_map");
        json_id_maps(&w, p->gid_map, p->n_gid_map);
        json_object_end(&w);

        json_process(&w, p);
        json_privileges(&w, p);

        json_key(&w, "scope");
        json_scope(&w, p);
        json_key(&w, "machine");
        json_machine(&w, p);
        json_key(&w, "network");
        json_network(&w, p);

        json_object_end(&w);
        return json_writer_finish(&w);
}
