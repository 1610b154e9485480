/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "cell plan" without --json: the plan for a human, one fact per line. */

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "fs-util.h"
#include "id128-util.h"
#include "parse-limits.h"
#include "parse-util.h"
#include "plan-internal.h"
#include "signal-util.h"
#include "strv.h"
#include "utf8.h"

static void text_flags(FILE *f, unsigned long flags, const PlanFlagName *names, size_t n, const char *none) {
        bool first = true;

        for (size_t i = 0; i < n; i++)
                if (flags & names[i].flag) {
                        fprintf(f, "%s%s", first ? "" : ",", names[i].name);
                        first = false;
                }
        if (first)
                fputs(none, f);
}

static void rlimit_number(rlim_t v, char buf[static 32]) {
        if (v == RLIM_INFINITY)
                (void) snprintf(buf, 32, "infinity");
        else
                (void) snprintf(buf, 32, "%ju", (uintmax_t) v);
}

/* Whether a Limit*= was written as the numbers the kernel takes ("1024",
 * "1024:4096", "infinity"), which the text then says once. */
static bool rlimit_written_as_numbers(const PlanRlimit *l) {
        char soft[32], hard[32], both[72];

        rlimit_number(l->soft, soft);
        rlimit_number(l->hard, hard);
        (void) snprintf(both, sizeof both, "%s:%s", soft, hard);
        return streq(l->value, both) || (l->soft == l->hard && streq(l->value, soft));
}

static void text_capabilities(FILE *f, const char *label, uint64_t mask) {
        bool first = true;

        fprintf(f, "  %-12s", label);
        for (unsigned cap = 0; cap < 64; cap++) {
                const char *n;

                if (!(mask & (UINT64_C(1) << cap)))
                        continue;
                n = plan_capability_to_name(cap);
                if (n)
                        fprintf(f, " %s", n + 4);       /* without "CAP_" */
                else
                        fprintf(f, " %u", cap);
                first = false;
        }
        fputs(first ? " (none)\n" : "\n", f);
}

static bool text_needs_quotes(const char *w) {
        if (!*w)
                return true;
        size_t n = strlen(w);

        for (const unsigned char *c = (const unsigned char *) w; *c; c++)
                if (*c <= ' ' || *c == 0x7f || strchr("\"'\\$`", *c))
                        return true;
        if (!utf8_is_valid_n(w, n))
                return true;
        /* A bidi override or a zero-width character would make the word show
         * as another one: escaped (\uXXXX), in quotes. */
        for (const char *c = w; *c; ) {
                size_t len = utf8_char_len(c, n - (size_t) (c - w));

                if (len == 0 || unichar_is_invisible(utf8_decode(c, len)))
                        return true;
                c += len;
        }
        return false;
}

/* A word as systemd's Exec= (or a shell) reads it back: quoted when it holds
 * blanks, quotes or control characters, and those escaped, so that nothing a
 * unit says can play tricks on the terminal. */
static void text_word(FILE *f, const char *w) {
        if (!text_needs_quotes(w)) {
                fputs(w, f);
                return;
        }
        const unsigned char *end = (const unsigned char *) w + strlen(w);

        fputc('"', f);
        for (const unsigned char *c = (const unsigned char *) w; *c; c++)
                switch (*c) {
                case '"':
                case '\\':
                        fputc('\\', f);
                        fputc(*c, f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default: {
                        /* A byte that begins no character: "\xNN", as a terminal would mangle it. */
                        size_t len = utf8_char_len((const char *) c, (size_t) (end - c));

                        uint32_t u = len > 0 ? utf8_decode((const char *) c, len) : 0;

                        if (*c < ' ' || *c == 0x7f || len == 0)
                                fprintf(f, "\\x%02x", *c);
                        else if (unichar_is_invisible(u)) {
                                /* systemd's Exec= reads \uXXXX and \UXXXXXXXX back. */
                                fprintf(f, u > 0xffff ? "\\U%08" PRIx32 : "\\u%04" PRIx32, u);
                                c += len - 1;
                        } else {
                                fwrite(c, 1, len, f);
                                c += len - 1;
                        }
                        break;
                }
                }
        fputc('"', f);
}

static void text_strv(FILE *f, const char *label, char * const *l) {
        if (strv_length(l) == 0)
                return;
        fprintf(f, "%-18s", label);
        STRV_FOREACH(s, l) {
                fputc(' ', f);
                text_word(f, *s);
        }
        fputc('\n', f);
}

/* The paths as the unit writes them ("\:", "\\"): the lower layers are
 * joined with ':', which a path may hold. */
static void text_mount(FILE *f, const PlanMount *m) {
        char buf[PATH_ESCAPED_MAX];

        fprintf(f, "  %-9s %-20s", plan_mount_kind_to_string(m->kind),
                path_escape_colons(m->target, buf, sizeof buf));
        switch (m->kind) {
        case PLAN_MOUNT_BIND:
        case PLAN_MOUNT_DEVICE:
                fprintf(f, " <- %s%s", m->source_in_root ? "+" : "", path_escape_colons(m->source, buf, sizeof buf));
                break;
        case PLAN_MOUNT_FS:
                fprintf(f, " %s%s%s", m->fstype, m->data ? " " : "", strempty(m->data));
                break;
        case PLAN_MOUNT_SYMLINK:
                fprintf(f, " -> %s", m->source);
                break;
        case PLAN_MOUNT_OVERLAY: {
                /* As the JSON: the kernel's order, top-most first (the unit
                 * lists them the other way round); "+" as Bind= shows it. */
                const char *plus = m->source_in_root ? "+" : "";

                fputs(" lower", f);
                STRV_FOREACH(l, m->lower)
                        fprintf(f, "%s%s%s", l == m->lower ? " " : ":", plus,
                                path_escape_colons(*l, buf, sizeof buf));
                fputs(" (top first)", f);
                if (isempty(m->upper))
                        fputs(" upper (tmpfs)", f);
                else
                        fprintf(f, " upper %s%s", plus, path_escape_colons(m->upper, buf, sizeof buf));
                break;
        }
        case PLAN_MOUNT_MASK:
        case PLAN_MOUNT_READ_ONLY:
        case PLAN_MOUNT_WRITABLE:
        case PLAN_MOUNT_CGROUP:
        case _PLAN_MOUNT_KIND_MAX:
        default:
                break;
        }
        if (m->flags) {
                fputs(" (", f);
                text_flags(f, m->flags, plan_mount_flag_names, plan_mount_flag_names_count, "");
                fputc(')', f);
        }
        if (m->optional)
                fputs(" optional", f);
        if (m->idmap)
                fputs(" idmap", f);
        /* The file too: a drop-in's line 5 is not the main file's. */
        if (m->line > 0 && m->file) {
                fputs(" [", f);
                utf8_fputs_escaped(f, m->file);
                fprintf(f, ":%u]", m->line);
        }
        else if (m->line > 0)
                fprintf(f, " [line %u]", m->line);
        fputc('\n', f);
}

/* The [Limits] keys in one column (25: the longest, StartupAllowedMemoryNodes). */
static void text_limit(FILE *f, const char *label, const CellLimit *l) {
        switch (l->kind) {
        case CELL_LIMIT_VALUE:
                fprintf(f, "  %-25s %" PRIu64 "\n", label, l->value);
                return;
        case CELL_LIMIT_PERCENT:
                fprintf(f, "  %-25s %u.%02u%%\n", label, l->permyriad / 100, l->permyriad % 100);
                return;
        case CELL_LIMIT_INFINITY:
                fprintf(f, "  %-25s infinity\n", label);
                return;
        case CELL_LIMIT_UNSET:
        default:
                return;
        }
}

static void text_cpu_weight(FILE *f, const char *label, uint64_t weight, bool idle) {
        if (idle)
                fprintf(f, "  %-25s idle\n", label);
        else if (weight > 0)
                fprintf(f, "  %-25s %" PRIu64 "\n", label, weight);
}

static void text_cpuset(FILE *f, const char *label, const uint8_t *set, size_t size) {
        if (!set)
                return;
        fprintf(f, "  %-25s", label);
        for (size_t i = 0; i < size * 8; i++)
                if (set[i / 8] & (1u << (i % 8)))
                        fprintf(f, " %zu", i);
        fputc('\n', f);
}

/* Returns 0, or the -errno of the first write that failed (-ENOSPC of a
 * full disk; -EIO where none was said), noted after each part. */
int plan_print_text(const Plan *p, FILE *f) {
        char buf[32];
        int error = 0;

        fprintf(f, "Unit:              %s (", p->name);
        utf8_fputs_escaped(f, strna(p->unit_path));
        fputs(")\n", f);
        text_strv(f, "Drop-ins:", p->dropin_paths);
        /* Volatile= keeps the source read-only, but the container's root is
         * then not the source as it is: say what it gets. */
        fputs("Root:              ", f);
        if (p->root_volatile == CELL_VOLATILE_YES)
                fputs("tmpfs, /usr from ", f);
        fprintf(f, "%s%s", strna(plan_root_source(p)), p->root_image ? " (image)" : "");
        if (p->root_volatile == CELL_VOLATILE_OVERLAY)
                fputs(" under a tmpfs overlay; volatile=overlay: writable, writes lost at exit", f);
        else if (p->root_read_only)
                fputs(" (read-only)", f);
        if (p->root_volatile == CELL_VOLATILE_YES)
                fputs("; volatile=yes: the rest starts empty, lost at exit", f);
        else if (p->root_volatile == CELL_VOLATILE_STATE)
                fputs("; volatile=state: /var a tmpfs, lost at exit", f);
        fputc('\n', f);
        fputs("Namespaces:        ", f);
        text_flags(f, p->namespaces, plan_namespace_names, plan_namespace_names_count, "(none)");
        fputs(p->cgroup_namespace ? " (cgroup: unshared once in the scope)\n" : "\n", f);

        /* The range as PrivateUsers= writes it; pick's is the first it tries
         * (a hash of the name), the one it gets decided at start. */
        fprintf(f, "Users:             %s", plan_users_mode_to_string(p->users_mode));
        if (p->users_mode == PLAN_USERS_FIXED)
                fprintf(f, " %" PRIu32 ":%" PRIu32 " (IDs %" PRIu32 "..%" PRIu64 ")", p->uid_base, p->uid_count,
                        p->uid_base, (uint64_t) p->uid_base + p->uid_count - 1);
        else if (p->users_mode == PLAN_USERS_PICK)
                fprintf(f, " (%" PRIu32 " IDs; the first range tried starts at %" PRIu32 ", a free one is "
                        "taken at start)", p->uid_count, p->uid_base);
        else if (p->users_mode == PLAN_USERS_ROOT_OWNER)
                fputs(" (PrivateUsers=yes: the range of the root directory's owner, at start)", f);
        fputc('\n', f);

        text_strv(f, "Command:", p->argv);
        fprintf(f, "User:              %s", p->user ?: "root");
        if (p->group)
                fprintf(f, " group %s", p->group);
        fputc('\n', f);
        text_strv(f, "Groups:", p->supplementary_groups);
        fprintf(f, "Working directory: %s%s\n", strna(p->working_directory),
                p->working_directory_missing_ok ? " (\"/\" if it cannot be entered)" : "");
        fprintf(f, "UMask:             %04o\n", (unsigned) p->umask);
        fprintf(f, "Hostname:          %s\n", strna(p->hostname));
        /* What the value comes to; "auto" is decided at start (the host's files, the image's). */
        for (const PlanEtcFile *e = &p->resolv_conf; e; e = e == &p->resolv_conf ? &p->timezone : NULL) {
                fprintf(f, "%-18s %s: %s", e == &p->resolv_conf ? "ResolvConf:" : "Timezone:", strna(e->setting),
                        plan_etc_mode_to_string(e->mode));
                if (e->mode != PLAN_ETC_OFF && e->sources[0])
                        fprintf(f, " %s from %s%s%s", e->target, e->sources[0], e->sources[1] ? " or " : "",
                                strempty(e->sources[1]));
                fputc('\n', f);
        }
        text_strv(f, "Environment:", p->environment);
        for (size_t i = 0; i < p->n_environment_files; i++)
                fprintf(f, "Environment file:  %s%s\n", p->environment_files[i].ignore_missing ? "-" : "",
                        p->environment_files[i].path);
        text_strv(f, "Passed through:", p->pass_environment);
        text_strv(f, "Unset:", p->unset_environment);
        plan_credentials_text(p, f);
        fprintf(f, "Boot: %s, Init: %s, NotifyReady: %s (%s)\n",
                p->boot ? "yes" : "no", p->init ? "yes" : "no", p->notify_ready ? "yes" : "no",
                strna(p->notify_socket));
        fprintf(f, "Stop:              %s, ", signal_to_string(p->kill_signal, buf));
        if (p->timeout_stop_usec == USEC_INFINITY)
                fputs("no timeout\n", f);
        else if (p->timeout_stop_usec % USEC_PER_SEC == 0)
                fprintf(f, "SIGKILL after %" PRIu64 "s\n", p->timeout_stop_usec / USEC_PER_SEC);
        else
                fprintf(f, "SIGKILL after %" PRIu64 ".%06" PRIu64 "s\n",
                        p->timeout_stop_usec / USEC_PER_SEC, p->timeout_stop_usec % USEC_PER_SEC);
        plan_sched_text(p, f);
        file_note_write_error(f, &error);

        fputs("\nMounts:\n", f);
        for (size_t i = 0; i < p->n_mounts; i++) {
                text_mount(f, &p->mounts[i]);
                file_note_write_error(f, &error);
        }

        fputs("\nCapabilities:\n", f);
        text_capabilities(f, "bounding", p->cap_bounding);
        text_capabilities(f, "effective", p->cap_effective);
        text_capabilities(f, "permitted", p->cap_permitted);
        text_capabilities(f, "inheritable", p->cap_inheritable);
        text_capabilities(f, "ambient", p->cap_ambient);
        fprintf(f, "NoNewPrivileges:   %s", p->no_new_privileges ? "yes" : "no");
        /* A value the unit did not ask for: why, as systemd.exec(5) says of SystemCallFilter=. */
        if (p->no_new_privileges_implied)
                fputs(" (NoNewPrivileges=no, but without CAP_SYS_ADMIN in the effective set the kernel takes the "
                      "system call filter only with no_new_privs)", f);
        fputc('\n', f);
        if (p->protect != 0) {
                fputs("Protect:          ", f);
                for (size_t i = 0; i < plan_protect_names_count; i++)
                        if (p->protect & plan_protect_names[i].flag)
                                fprintf(f, " %s", plan_protect_names[i].name);
                fputc('\n', f);
        }

        file_note_write_error(f, &error);
        plan_seccomp_text(p, f);
        file_note_write_error(f, &error);

        for (size_t i = 0; i < p->n_rlimits; i++) {
                const PlanRlimit *l = &p->rlimits[i];
                const char *n = plan_rlimit_to_name(l->resource);

                char label[32];

                /* "LimitNOFILE:" in the column of the other keys' values. */
                (void) snprintf(label, sizeof label, "Limit%s:", n ? n : "?");
                fprintf(f, "%-19s", label);
                if (l->soft == RLIM_INFINITY)
                        fputs("infinity", f);
                else
                        fprintf(f, "%ju", (uintmax_t) l->soft);
                if (l->hard == RLIM_INFINITY)
                        fputs(":infinity", f);
                else
                        fprintf(f, ":%ju", (uintmax_t) l->hard);
                /* What the kernel takes, and the value as written where that
                 * is another (LimitNICE=-1 is 21, LimitMEMLOCK=8G 8589934592). */
                if (l->value && !rlimit_written_as_numbers(l))
                        fprintf(f, " (%s=%s)", strna(rlimit_key(l->resource)), l->value);
                fputc('\n', f);
        }
        if (p->oom_score_adjust_set)
                fprintf(f, "OOMScoreAdjust:    %d\n", p->oom_score_adjust);

        file_note_write_error(f, &error);

        fprintf(f, "\nScope:             %s in %s\n", strna(p->scope_unit), strna(p->slice));
        fputs("Description:       ", f);
        utf8_fputs_escaped(f, strna(p->description));
        fputc('\n', f);
        if (p->register_machine)
                fprintf(f, "Machine:           %s (registered with systemd-machined)", p->machine_name);
        else
                fputs("Machine:           not registered (Register=no)", f);
        if (p->machine_id_set) {
                char id[ID128_STRING_MAX];
                fprintf(f, ", MachineID=%s", id128_to_string(p->machine_id, id));
        }
        fputc('\n', f);
        text_limit(f, "MemoryMax", &p->limits.memory_max);
        text_limit(f, "MemoryHigh", &p->limits.memory_high);
        text_limit(f, "MemorySwapMax", &p->limits.memory_swap_max);
        text_limit(f, "MemoryMin", &p->limits.memory_min);
        text_limit(f, "MemoryLow", &p->limits.memory_low);
        text_limit(f, "TasksMax", &p->limits.tasks_max);
        if (p->limits.tasks_max_default.kind == CELL_LIMIT_PERCENT)
                fprintf(f, "  %-25s default (systemd's DefaultTasksMax=; %u%% with cgroupfs)\n", "TasksMax",
                        p->limits.tasks_max_default.permyriad / 100);
        if (p->limits.cpu_quota_per_sec_usec != USEC_INFINITY) {
                /* As written, two decimals at most: 0.5% is no 0%. */
                uint64_t hundredths = p->limits.cpu_quota_per_sec_usec / (USEC_PER_SEC / 10000);
                fprintf(f, "  %-25s %" PRIu64, "CPUQuota", hundredths / 100);
                if (hundredths % 100 != 0)
                        fprintf(f, ".%02" PRIu64, hundredths % 100);
                fputs("%\n", f);
        }
        if (!p->limits.cpu_quota_period_set)
                ;
        else if (p->limits.cpu_quota_period_usec % USEC_PER_MSEC == 0)
                fprintf(f, "  %-25s %" PRIu64 "ms\n", "CPUQuotaPeriodSec",
                        p->limits.cpu_quota_period_usec / USEC_PER_MSEC);
        else
                fprintf(f, "  %-25s %" PRIu64 "us\n", "CPUQuotaPeriodSec", p->limits.cpu_quota_period_usec);
        text_cpu_weight(f, "CPUWeight", p->limits.cpu_weight, p->limits.cpu_idle);
        text_cpu_weight(f, "StartupCPUWeight", p->limits.startup_cpu_weight, p->limits.startup_cpu_idle);
        if (p->limits.io_weight > 0)
                fprintf(f, "  %-25s %" PRIu64 "\n", "IOWeight", p->limits.io_weight);
        if (p->limits.startup_io_weight > 0)
                fprintf(f, "  %-25s %" PRIu64 "\n", "StartupIOWeight", p->limits.startup_io_weight);
        text_cpuset(f, "AllowedCPUs", p->limits.allowed_cpus, p->limits.allowed_cpus_size);
        text_cpuset(f, "StartupAllowedCPUs", p->limits.startup_allowed_cpus, p->limits.startup_allowed_cpus_size);
        text_cpuset(f, "AllowedMemoryNodes", p->limits.allowed_memory_nodes, p->limits.allowed_memory_nodes_size);
        text_cpuset(f, "StartupAllowedMemoryNodes", p->limits.startup_allowed_memory_nodes,
                    p->limits.startup_allowed_memory_nodes_size);
        for (size_t i = 0; i < p->limits.n_io_devices; i++) {
                const CellIODevice *d = p->limits.io_devices + i;
                fprintf(f, "  %-25s %s ", io_kind_key(d->kind), d->path);
                if (d->kind != CELL_IO_DEVICE_WEIGHT && d->value == UINT64_MAX)
                        fputs("infinity\n", f);
                else
                        fprintf(f, "%" PRIu64 "%s\n", d->value, d->kind == CELL_IO_LATENCY ? "us" : "");
        }
        for (size_t i = 0; i < p->limits.n_device_allow; i++)
                fprintf(f, "  %-25s %s %s\n", "DeviceAllow", p->limits.device_allow[i].path,
                        p->limits.device_allow[i].perms);

        file_note_write_error(f, &error);

        fprintf(f, "\nNetwork:           %s", p->namespaces & CLONE_NEWNET ? "private" : "host");
        if (p->virtual_ethernet)
                fprintf(f, ", virtual ethernet %s on the host%s%s%s", p->veth_host,
                        p->veth_host_altname ? " (" : "", strempty(p->veth_host_altname),
                        p->veth_host_altname ? ")" : "");
        if (p->bridge)
                fprintf(f, ", bridge %s", p->bridge);
        if (p->zone)
                fprintf(f, ", zone bridge %s", p->zone);
        fputc('\n', f);
        for (size_t i = 0; i < p->n_veth_extras; i++)
                fprintf(f, "  veth %s on the host, %s inside\n", p->veth_extras[i].host, p->veth_extras[i].name);
        for (size_t i = 0; i < p->n_interfaces; i++)
                fprintf(f, "  interface %s (moved in)\n", p->interfaces[i].host);
        for (size_t i = 0; i < p->n_macvlans; i++)
                fprintf(f, "  macvlan %s on %s\n", p->macvlans[i].name, p->macvlans[i].host);
        for (size_t i = 0; i < p->n_ipvlans; i++)
                fprintf(f, "  ipvlan %s on %s\n", p->ipvlans[i].name, p->ipvlans[i].host);
        for (size_t i = 0; i < p->n_ports; i++)
                fprintf(f, "  port %s %u -> %u%s%s%s%s%s\n", p->ports[i].protocol == IPPROTO_UDP ? "udp" : "tcp",
                        p->ports[i].host_port, p->ports[i].container_port, p->ports_ipv4 ? " on " : "",
                        strempty(p->ports_ipv4), p->ports_ipv6 ? (p->ports_ipv4 ? " and [" : " on [") : "",
                        strempty(p->ports_ipv6), p->ports_ipv6 ? "]" : "");
        STRV_FOREACH(a, p->addresses)
                fprintf(f, "  address %s on %s\n", *a, p->address_interface);
        STRV_FOREACH(g, p->gateways)
                fprintf(f, "  gateway %s on %s\n", *g, p->address_interface);

        file_note_write_error(f, &error);
        return fflush_and_check_noted(f, error);
}
