/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_build(): CellConfig -> Plan, without a syscall. This file does the
 * process side (users, identity, privileges, what runs); mounts, seccomp and
 * the scope have files of their own. */

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env-index.h"
#include "env-util.h"
#include "id128-util.h"
#include "parse-caps.h"
#include "plan-internal.h"
#include "plan-mount-check.h"
#include "strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The usual container bounding set (docker's and nspawn's common ground):
 * enough for a payload to manage its own files and users and to bind low
 * ports, nothing that reaches the host's kernel state. */
#define PLAN_DEFAULT_CAPABILITIES                                       \
        ((UINT64_C(1) << CAP_CHOWN) |                                   \
         (UINT64_C(1) << CAP_DAC_OVERRIDE) |                            \
         (UINT64_C(1) << CAP_FSETID) |                                  \
         (UINT64_C(1) << CAP_FOWNER) |                                  \
         (UINT64_C(1) << CAP_MKNOD) |                                   \
         (UINT64_C(1) << CAP_NET_RAW) |                                 \
         (UINT64_C(1) << CAP_SETGID) |                                  \
         (UINT64_C(1) << CAP_SETUID) |                                  \
         (UINT64_C(1) << CAP_SETFCAP) |                                 \
         (UINT64_C(1) << CAP_SETPCAP) |                                 \
         (UINT64_C(1) << CAP_NET_BIND_SERVICE) |                        \
         (UINT64_C(1) << CAP_SYS_CHROOT) |                              \
         (UINT64_C(1) << CAP_KILL) |                                    \
         (UINT64_C(1) << CAP_AUDIT_WRITE))

/* Boot=yes: an init system mounts, manages its own cgroups, sets limits and
 * the clock of its services -- nspawn's set for a booted container (the
 * same names, so that a unit moved from a .nspawn file behaves alike).
 * CAP_SYS_ADMIN is in it: with PrivateUsers= it applies to the container's
 * own namespaces only, without it to the host's (cell.unit(5) says so). */
#define PLAN_BOOT_CAPABILITIES                                          \
        (PLAN_DEFAULT_CAPABILITIES |                                    \
         (UINT64_C(1) << CAP_AUDIT_CONTROL) |                           \
         (UINT64_C(1) << CAP_DAC_READ_SEARCH) |                         \
         (UINT64_C(1) << CAP_IPC_OWNER) |                               \
         (UINT64_C(1) << CAP_LEASE) |                                   \
         (UINT64_C(1) << CAP_LINUX_IMMUTABLE) |                         \
         (UINT64_C(1) << CAP_NET_BROADCAST) |                           \
         (UINT64_C(1) << CAP_SYS_ADMIN) |                               \
         (UINT64_C(1) << CAP_SYS_BOOT) |                                \
         (UINT64_C(1) << CAP_SYS_NICE) |                                \
         (UINT64_C(1) << CAP_SYS_PTRACE) |                              \
         (UINT64_C(1) << CAP_SYS_RESOURCE) |                            \
         (UINT64_C(1) << CAP_SYS_TTY_CONFIG))

#define PLAN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define PLAN_DEFAULT_TIMEOUT_STOP_USEC (90 * USEC_PER_SEC)
#define PLAN_USERS_COUNT_DEFAULT UINT32_C(65536)
/* PrivateUsers=pick draws from nspawn's range for containers. */
#define PLAN_USERS_PICK_MIN UINT32_C(0x00080000)
#define PLAN_USERS_PICK_MAX UINT32_C(0x6FFF0000)
#define PLAN_HOSTNAME_MAX 63

/* Sets "KEY=VALUE" in env: replaces an assignment of the same KEY in place,
 * else appends. */
static int plan_env_set(char ***env, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        size_t k = eq ? (size_t) (eq - assignment) : strlen(assignment);

        STRV_FOREACH(e, *env)
                if (strncmp(*e, assignment, k) == 0 && (*e)[k] == '=') {
                        char *v = strdup(assignment);
                        if (!v)
                                return -ENOMEM;
                        free(*e);
                        *(char **) e = v;
                        return 0;
                }
        return strv_extend(env, assignment);
}

/* FNV-1a: small, stable across builds and hosts, good enough to spread names. */
static uint32_t plan_name_hash(const char *s) {
        uint32_t h = UINT32_C(2166136261);

        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= UINT32_C(16777619);
        }
        return h;
}

uint32_t plan_users_pick_base(const char *name) {
        uint32_t slots = (PLAN_USERS_PICK_MAX - PLAN_USERS_PICK_MIN) / 0x10000 + 1;

        return PLAN_USERS_PICK_MIN + (plan_name_hash(name) % slots) * UINT32_C(0x10000);
}

/* The unit's name as a hostname: letters, digits, '-' and '.' are kept,
 * anything else ("worker@3") becomes '-'; at most 63 characters; a valid
 * hostname (hostname_is_valid()): no label empty, none starting or ending
 * with '-' ("a.-b" becomes "a.b"). */
char *plan_hostname_from_name(const char *name) {
        char *h = malloc(MIN(strlen(name), (size_t) PLAN_HOSTNAME_MAX) + 1);
        size_t n = 0;

        if (!h)
                return NULL;
        for (size_t i = 0; name[i] && i < PLAN_HOSTNAME_MAX; i++) {
                char q = name[i];

                if (!((q >= 'a' && q <= 'z') || (q >= 'A' && q <= 'Z') || (q >= '0' && q <= '9') || q == '.'))
                        q = '-';
                if (q == '.')
                        while (n > 0 && h[n - 1] == '-')
                                n--;
                /* Nothing after a label's end but a letter or digit. */
                if ((q == '.' || q == '-') && (n == 0 || h[n - 1] == '.'))
                        continue;
                h[n++] = q;
        }
        while (n > 0 && (h[n - 1] == '-' || h[n - 1] == '.'))
                n--;
        h[n] = 0;
        if (n == 0) {
                free(h);
                return strdup("cell");
        }
        return h;
}

static bool plan_user_is_root(const char *user) {
        return !user || streq(user, "root") || streq(user, "0");
}

static int plan_build_users(Plan *p, const CellConfig *c, Diagnostics *diag) {
        uint32_t count = c->private_users_count ?: PLAN_USERS_COUNT_DEFAULT;
        const char *file;
        unsigned line = cell_config_origin(c, "PrivateUsers", 0, &file);

        switch (c->private_users) {
        case CELL_PRIVATE_USERS_NO:
                p->users_mode = PLAN_USERS_HOST;
                return 0;
        case CELL_PRIVATE_USERS_FIXED:
                if ((uint64_t) c->private_users_uid + count > (uint64_t) UINT32_MAX)
                        return diag_error(diag, file, line,
                                          "PrivateUsers=%u:%u: the range ends beyond the last UID",
                                          (unsigned) c->private_users_uid, count) ?: -EINVAL;
                /* Root inside would be root outside: no user namespace at all
                 * for what the container's root owns or may run setuid. */
                if (c->private_users_uid == 0)
                        return diag_error(diag, file, line,
                                          "PrivateUsers=0:%u: a range that starts at UID 0 makes the container's "
                                          "root the host's root; give it a range of its own (e.g. 524288:65536) "
                                          "or use PrivateUsers=pick", count) ?: -EINVAL;
                p->users_mode = PLAN_USERS_FIXED;
                p->uid_base = c->private_users_uid;
                p->uid_count = count;
                p->uid_map = new0(PlanIdMap, 1);
                p->gid_map = new0(PlanIdMap, 1);
                if (!p->uid_map || !p->gid_map)
                        return -ENOMEM;
                /* Root inside is the range's first UID outside; GIDs the same. */
                p->uid_map[0] = p->gid_map[0] = (PlanIdMap) { 0, p->uid_base, count };
                p->n_uid_map = p->n_gid_map = 1;
                return 0;
        case CELL_PRIVATE_USERS_PICK:
                p->users_mode = PLAN_USERS_PICK;
                p->uid_base = plan_users_pick_base(p->name);
                p->uid_count = count;
                return 0;
        case CELL_PRIVATE_USERS_YES:
                p->users_mode = PLAN_USERS_ROOT_OWNER;
                p->uid_count = count;
                return 0;
        default:
                return diag_error(diag, file, line, "PrivateUsers=: unknown mode %d",
                                  (int) c->private_users) ?: -EINVAL;
        }
}

static int plan_build_argv(Plan *p, const CellConfig *c, const PlanOptions *opts, Diagnostics *diag) {
        char * const *override = opts && opts->argv_override && opts->argv_override[0] ?
                opts->argv_override : NULL;

        if (c->boot) {
                /* Boot=yes: the container's own init, arguments after it. */
                if (strv_extend(&p->argv, "/sbin/init") < 0 ||
                    strv_extend_strv(&p->argv, override) < 0)
                        return -ENOMEM;
                return 0;
        }

        if (override)
                p->argv = strv_copy(override);
        else if (c->exec && c->exec[0]) {
                p->argv = strv_copy(c->exec);
                p->argv_expand = true;
        } else
                return diag_error(diag, c->path, 0,
                                  "Neither Exec= nor Boot=yes is set: nothing to run") ?: -EINVAL;
        return p->argv ? 0 : -ENOMEM;
}

static int plan_build_environment(Plan *p, const CellConfig *c) {
        _cleanup_(env_index_done) EnvIndex index = {}, pass = { .whole = true };

        /* A clean environment: nothing of the caller's leaks in but TERM
         * and what PassEnvironment= names, each once (through an index of
         * the names, not a walk of the list each). */
        if (strv_extend(&p->pass_environment, "TERM") < 0 ||
            env_index_reserve(&pass, &p->pass_environment, strv_length(c->pass_environment)) < 0)
                return -ENOMEM;
        STRV_FOREACH(k, c->pass_environment) {
                char *name = strdup(*k);

                if (!name)
                        return -ENOMEM;
                env_index_set(&pass, name);
        }
        if (c->unset_environment && !(p->unset_environment = strv_copy(c->unset_environment)))
                return -ENOMEM;
        /* The default PATH is one of the built-in variables, which come
         * before the passed ones in systemd's order: PassEnvironment=PATH
         * must override it (the spawn sets the same default first, for a
         * caller without $PATH), and Environment=PATH the passed one. */
        if (!strv_contains(p->pass_environment, "PATH") &&
            strv_extend(&p->environment, "PATH=" PLAN_DEFAULT_PATH) < 0)
                return -ENOMEM;
        if (strv_extend(&p->environment, "container=cell") < 0)
                return -ENOMEM;
        /* Through an index of the names, not a walk of the list each:
         * thousands of Environment= lines were quadratic. */
        if (env_index_reserve(&index, &p->environment, strv_length(c->environment)) < 0)
                return -ENOMEM;
        STRV_FOREACH(e, c->environment) {
                char *a = strdup(*e);

                if (!a)
                        return -ENOMEM;
                env_index_set(&index, a);
        }

        if (c->n_environment_files > 0) {
                p->environment_files = new0(CellEnvironmentFile, c->n_environment_files);
                if (!p->environment_files)
                        return -ENOMEM;
                for (size_t i = 0; i < c->n_environment_files; i++) {
                        p->environment_files[i].path = strdup(c->environment_files[i].path);
                        if (!p->environment_files[i].path)
                                return -ENOMEM;
                        p->environment_files[i].ignore_missing = c->environment_files[i].ignore_missing;
                        p->n_environment_files++;
                }
        }
        return 0;
}

/* An Environment= of a variable cell sets itself at start never reaches the
 * payload (config-exec.c warns): the plan shows the value that does, where
 * it knows it, rather than the unit's. $WATCHDOG_USEC, and $container_uuid
 * under Register=yes without MachineID=, are the start's to decide. */
static int plan_environment_own(Plan *p) {
        char uuid[ID128_UUID_STRING_MAX];
        const struct {
                const char *name, *value;
        } own[] = {
                { "container",             "cell" },
                { "NOTIFY_SOCKET",         p->notify_socket },
                { "CREDENTIALS_DIRECTORY", p->credentials_directory },
                { "container_uuid",        p->machine_id_set ? id128_to_uuid_string(p->machine_id, uuid) : NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(own); i++) {
                _cleanup_free_ char *a = NULL;

                if (!own[i].value || !env_get(p->environment, own[i].name))
                        continue;
                if (asprintf(&a, "%s=%s", own[i].name, own[i].value) < 0 || plan_env_set(&p->environment, a) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int plan_build_privileges(Plan *p, const CellConfig *c, Diagnostics *diag) {
        uint64_t base = PLAN_DEFAULT_CAPABILITIES;

        if (c->boot) {
                base = PLAN_BOOT_CAPABILITIES;
                /* Its own network only: an init configures its links. */
                if (c->private_network)
                        base |= UINT64_C(1) << CAP_NET_ADMIN;
        }
        /* The Protect*= keys' capabilities go, Capability= or not, as systemd's. */
        p->cap_bounding = (base | c->capability) & ~c->drop_capability & ~plan_protect_capabilities(p->protect);
        /* A name asks for that capability: not held by cell, it fails the
         * start. "all" asks for none by name: as nspawn's, it keeps every
         * capability cell holds (a host or container whose own bounding set
         * lacks some would otherwise refuse it everywhere). */
        p->cap_required = c->capability == cap_mask_all() ? 0 : c->capability & p->cap_bounding;
        /* Root keeps what the bounding set allows; any other user starts with
         * nothing effective, as after a plain setuid() (no ambient set). */
        if (plan_user_is_root(c->user))
                p->cap_effective = p->cap_permitted = p->cap_bounding;
        /* AmbientCapability=: kept across the user change and the exec, so it
         * must be within the bounding set, as nspawn requires; and cell must
         * hold it, as what Capability= names. */
        p->cap_inheritable = p->cap_ambient = c->ambient_capability;
        p->cap_effective |= p->cap_ambient;
        p->cap_permitted |= p->cap_ambient;
        p->cap_required |= p->cap_ambient;
        /* The kernel takes the system call filter, which every cell has, from
         * a task without CAP_SYS_ADMIN only with no_new_privs: implied then,
         * as systemd implies it for SystemCallFilter=, and said here so that
         * the plan is what the payload gets. */
        p->no_new_privileges_implied = !c->no_new_privileges && !(p->cap_effective & (UINT64_C(1) << CAP_SYS_ADMIN));
        p->no_new_privileges = c->no_new_privileges || p->no_new_privileges_implied;
        /* As nspawn: an init would hand them to whatever it runs, every
         * service of the container. */
        if (c->ambient_capability && c->boot) {
                /* About the key as a whole: any of its lines would do, its last is kept. */
                const char *file;
                unsigned line = cell_config_origin(c, "AmbientCapability", 0, &file);
                int r = diag_error(diag, file, line, "AmbientCapability= cannot be combined with Boot=yes "
                                   "(the container's init would pass them on to every service it starts)");
                return r < 0 ? r : -EINVAL;
        }
        if (c->ambient_capability & ~p->cap_bounding) {
                unsigned cap = (unsigned) __builtin_ctzll(c->ambient_capability & ~p->cap_bounding);
                _cleanup_free_ char *name = capability_name(cap);
                const CellOrigin *o = cell_origin_find(c->origins, c->n_origins, "AmbientCapability", 0);
                for (char *s = name; s && *s; s++)
                        *s = (char) toupper((unsigned char) *s);
                /* The values add up over lines: named by its line only where
                 * one line alone set the key (a drop-in's, typically), else
                 * the unit's file, as no one line need hold the capability. */
                bool one = o && o->lines == 1;
                int r = diag_error(diag, one && o->file ? o->file : c->path, one ? o->line : 0,
                                   "AmbientCapability=%s: not in the container's bounding set "
                                   "(%s)", strna(name),
                                   plan_protect_capabilities(p->protect) & (UINT64_C(1) << cap) ?
                                   "a Protect*= key of [Isolation] takes it out" :
                                   "add it with Capability=, or take it out of DropCapability=");
                return r < 0 ? r : -EINVAL;
        }

        for (int r = 0; r < RLIMIT_NLIMITS; r++)
                if (c->rlimits[r].set) {
                        PlanRlimit *l = realloc(p->rlimits, sizeof(PlanRlimit) * (p->n_rlimits + 1));
                        if (!l)
                                return -ENOMEM;
                        p->rlimits = l;
                        p->rlimits[p->n_rlimits] = (PlanRlimit) {
                                .resource = r,
                                .soft = c->rlimits[r].soft,
                                .hard = c->rlimits[r].hard,
                        };
                        if (c->rlimits[r].value && !(p->rlimits[p->n_rlimits].value = strdup(c->rlimits[r].value)))
                                return -ENOMEM;
                        p->n_rlimits++;
                }
        p->oom_score_adjust_set = c->oom_score_adjust_set;
        p->oom_score_adjust = c->oom_score_adjust_set ? c->oom_score_adjust : 0;
        return 0;
}

static int plan_build_identity(Plan *p, const CellConfig *c) {
        if (c->user && !(p->user = strdup(c->user)))
                return -ENOMEM;
        if (c->group && !(p->group = strdup(c->group)))
                return -ENOMEM;
        if (c->supplementary_groups && !(p->supplementary_groups = strv_copy(c->supplementary_groups)))
                return -ENOMEM;
        p->working_directory = strdup(c->working_directory ?: "/");
        if (!p->working_directory)
                return -ENOMEM;
        p->working_directory_missing_ok = c->working_directory_missing_ok;
        p->umask = c->umask_set ? c->umask : 0022;
        p->hostname = c->hostname ? strdup(c->hostname) : plan_hostname_from_name(p->name);
        return p->hostname ? 0 : -ENOMEM;
}

int plan_build(const CellConfig *c, const PlanOptions *opts, Plan *ret, Diagnostics *diag) {
        _cleanup_(plan_done) Plan p = {};
        bool invalid = false;
        int r;

        p.name = strdup(c->name ?: "cell");
        p.unit_path = c->path ? strdup(c->path) : NULL;
        p.dropin_paths = strv_copy(c->dropin_paths);
        p.root_directory = c->directory ? strdup(c->directory) : NULL;
        p.root_image = c->image ? strdup(c->image) : NULL;
        p.notify_socket = strdup(CELL_NOTIFY_SOCKET);
        if (!p.name || (c->path && !p.unit_path) || (c->dropin_paths && !p.dropin_paths) ||
            (c->directory && !p.root_directory) || (c->image && !p.root_image) || !p.notify_socket)
                return -ENOMEM;
        if (!c->directory && !c->image) {
                if (diag_error(diag, c->path, 0, "Directory= is not set: the container has no root") < 0)
                        return -ENOMEM;
                invalid = true;
        }
        /* The host's own root as the container's: writable, or read-only with
         * every secret of the host in it. As nspawn, only under a root of the
         * container's own (Volatile=yes: /usr from it; overlay: the lower layer). */
        if (streq_ptr(c->directory, "/") && c->volatile_mode != CELL_VOLATILE_YES &&
            c->volatile_mode != CELL_VOLATILE_OVERLAY) {
                const char *file;
                unsigned line = cell_config_origin(c, "Directory", 0, &file);

                if (diag_error(diag, file, line, "Directory=/: the host's own root cannot be the container's, "
                               "except under Volatile=yes or Volatile=overlay (as systemd-nspawn refuses it)") < 0)
                        return -ENOMEM;
                invalid = true;
        }

        /* Namespaces: everything private but the network when asked, the
         * users when PrivateUsers= maps them, the clocks when PrivateTime=. */
        p.namespaces = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
        if (c->private_network)
                p.namespaces |= CLONE_NEWNET;
        if (c->private_users != CELL_PRIVATE_USERS_NO)
                p.namespaces |= CLONE_NEWUSER;
        if (c->private_time)
                p.namespaces |= CLONE_NEWTIME;
        p.cgroup_namespace = true;
        p.protect = plan_protect_flags(c);

        p.root_read_only = c->read_only || c->volatile_mode != CELL_VOLATILE_NO;
        p.root_volatile = c->volatile_mode;

        p.boot = c->boot;
        p.init = c->init;
        p.notify_ready = c->notify_ready;
        p.kill_signal = c->kill_signal > 0 ? c->kill_signal : c->boot ? SIGRTMIN + 3 : SIGTERM;
        p.timeout_stop_usec = c->timeout_stop_set ? c->timeout_stop_usec : PLAN_DEFAULT_TIMEOUT_STOP_USEC;

        /* Each part reports its own problems to diag and returns -EINVAL for
         * them; go on so that every problem is reported in one run. */
        int (*const parts[])(Plan *, const CellConfig *, Diagnostics *) = {
                plan_build_users,
                plan_build_mounts,
                plan_build_etc,
                plan_build_scope,
        };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                r = parts[i](&p, c, diag);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        invalid = true;
        }
        /* Before the filter, which depends on the capabilities (seccomp_restrict_namespaces()). */
        r = plan_build_privileges(&p, c, diag);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;
        r = plan_build_seccomp(&p, c, !(opts && opts->verify_only), diag);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;
        r = plan_build_argv(&p, c, opts, diag);
        if (r >= 0)
                r = plan_command_check_mounts(&p, c, diag);
        if (r >= 0)
                r = plan_command_check_proc(&p, c, diag);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;

        if (plan_build_environment(&p, c) < 0 ||
            plan_build_credentials(&p, c) < 0 ||
            plan_build_identity(&p, c) < 0 ||
            plan_build_sched(&p, c) < 0)
                return -ENOMEM;
        r = plan_working_directory_check_mounts(&p, c, diag);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;
        r = plan_build_network(&p, c, diag);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;
        r = plan_build_machine(&p, c, opts, diag);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                invalid = true;
        if (plan_environment_own(&p) < 0)
                return -ENOMEM;
        if (plan_build_origins(&p, c, opts) < 0)
                return -ENOMEM;

        if (invalid)
                return -EINVAL;

        *ret = p;
        p = (Plan) {};
        return 0;
}

void plan_mount_done(PlanMount *m) {
        free(m->source);
        free(m->target);
        free(m->fstype);
        free(m->data);
        strv_free(m->lower);
        free(m->upper);
        free(m->file);
        free(m->entry);
}

void plan_properties_free(PlanProperty *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].s);
                strv_free(p[i].as);
                free(p[i].ay);
        }
        free(p);
}

int plan_properties_copy(const PlanProperty *from, size_t n, PlanProperty **ret) {
        PlanProperty *p = calloc(n ?: 1, sizeof(PlanProperty));
        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                p[i] = from[i];
                p[i].s = NULL;
                p[i].as = NULL;
                p[i].ay = NULL;
                if ((from[i].s && !(p[i].s = strdup(from[i].s))) ||
                    (from[i].as && !(p[i].as = strv_copy(from[i].as))) ||
                    (from[i].ay && !(p[i].ay = malloc(from[i].ay_size ?: 1)))) {
                        plan_properties_free(p, i + 1);
                        return -ENOMEM;
                }
                if (from[i].ay)
                        memcpy(p[i].ay, from[i].ay, from[i].ay_size);
        }
        *ret = p;
        return 0;
}

void plan_withhold_capabilities(Plan *p, uint64_t mask) {
        p->cap_bounding &= ~mask;
        p->cap_effective &= ~mask;
        p->cap_permitted &= ~mask;
        p->cap_inheritable &= ~mask;
        p->cap_ambient &= ~mask;
}

void plan_done(Plan *p) {
        if (!p)
                return;
        plan_origins_done(p);
        free(p->name);
        free(p->unit_path);
        strv_free(p->dropin_paths);
        free(p->root_directory);
        free(p->root_image);
        for (size_t i = 0; i < p->n_mounts; i++)
                plan_mount_done(&p->mounts[i]);
        free(p->mounts);
        plan_etc_file_done(&p->resolv_conf);
        plan_etc_file_done(&p->timezone);
        free(p->uid_map);
        free(p->gid_map);
        free(p->user);
        free(p->group);
        strv_free(p->supplementary_groups);
        free(p->working_directory);
        free(p->hostname);
        for (size_t i = 0; i < p->n_syscalls; i++)
                free(p->syscalls[i].name);
        free(p->syscalls);
        for (size_t i = 0; i < p->n_rlimits; i++)
                free(p->rlimits[i].value);
        free(p->rlimits);
        plan_sched_done(p);
        strv_free(p->argv);
        strv_free(p->environment);
        for (size_t i = 0; i < p->n_environment_files; i++)
                free(p->environment_files[i].path);
        free(p->environment_files);
        strv_free(p->pass_environment);
        strv_free(p->unset_environment);
        plan_credentials_done(p);
        free(p->notify_socket);
        free(p->scope_unit);
        free(p->slice);
        free(p->description);
        free(p->limits.allowed_cpus);
        free(p->limits.allowed_memory_nodes);
        free(p->limits.startup_allowed_cpus);
        free(p->limits.startup_allowed_memory_nodes);
        for (size_t i = 0; i < p->limits.n_device_allow; i++) {
                free(p->limits.device_allow[i].path);
                free(p->limits.device_allow[i].file);
        }
        free(p->limits.device_allow);
        for (size_t i = 0; i < p->limits.n_io_devices; i++) {
                free(p->limits.io_devices[i].path);
                free(p->limits.io_devices[i].file);
        }
        free(p->limits.io_devices);
        plan_properties_free(p->properties, p->n_properties);
        free(p->machine_name);
        free(p->network_machine_name);
        free(p->veth_host);
        free(p->veth_host_altname);
        free(p->bridge);
        free(p->zone);
        plan_links_free(p->veth_extras, p->n_veth_extras);
        plan_links_free(p->interfaces, p->n_interfaces);
        plan_links_free(p->macvlans, p->n_macvlans);
        plan_links_free(p->ipvlans, p->n_ipvlans);
        free(p->address_interface);
        free(p->ports);
        free(p->ports_ipv4);
        free(p->ports_ipv6);
        strv_free(p->addresses);
        strv_free(p->gateways);
        *p = (Plan) {};
}
