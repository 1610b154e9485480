/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The key table: every [Section] Key= cell knows, its parser and the
 * CellConfig member it writes; and the dispatch from config_assign(). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "config-hints.h"
#include "config-parse.h"
#include "config-parsers.h"
#include "parse-network.h"
#include "parse-value.h"
#include "specifier.h"
#include "strv.h"

#define OFF(member) offsetof(CellConfig, member)

#define BOOL_TEXT "a boolean (yes/no, true/false, on/off, 1/0)"
/* What ifname_is_valid() takes, all of it: a name that keeps the first rules
 * but is refused by the others must be told which. */
#define IFNAME_RULES "1 to 15 ASCII characters, no \"/\", \":\", \"%\" or spaces; not \".\", \"..\", " \
        "\"all\", \"default\" or a number, which names an interface index: \"5\", \"0x10\""
#define IFNAMES_TEXT "space-separated interface names (each " IFNAME_RULES ")"
#define UNITS_TEXT "space-separated unit names such as \"network-online.target\""
#define PATH_TEXT "an absolute path without \"..\""
#define MEMORY_TEXT "bytes with K/M/G/T/P/E suffix, a percentage or \"infinity\""
#define WEIGHT_TEXT "a number between 1 and 10000"
#define CPUS_TEXT "CPU indices and ranges separated by commas or spaces (\"0-3,5\"), below 8192"
#define NODES_TEXT "NUMA node indices and ranges separated by commas or spaces (\"0-1,3\"), below 8192"
#define IO_DEVICE_TEXT "an absolute path (a block device, or a file on it) and "
#define IO_BPS_TEXT "bytes per second above 0 with K/M/G/T/P/E suffix (base 1000) or \"infinity\""
#define IO_IOPS_TEXT "operations per second above 0 with K/M/G/T/P/E suffix (base 1000) or \"infinity\""
#define BIND_TEXT "[-][+]SRC[:DST[:OPTS]] with absolute paths (no \"..\"; \"+\": SRC in the root) " \
        "and OPTS from rbind, norbind, nosuid, nodev, noexec, idmap, noidmap"

#define RLIMIT_KEY(name, res) \
        { "Limits", name, config_parse_rlimit, OFF(rlimits[res]), res, NULL }

static const ConfigKey config_keys[] = {
        /* [Unit] */
        { "Unit", "Description",   config_parse_description,   OFF(description), 0,
          "a string", CONFIG_SPEC_VALUE },
        { "Unit", "Documentation", config_parse_documentation, OFF(documentation), 0,
          "space-separated URLs (http://, https://, file:/, info:, man:)", CONFIG_SPEC_PARSER },
        { "Unit", "After",         config_parse_unit_names, OFF(after), 0, UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Unit", "Before",        config_parse_unit_names, OFF(before), 0, UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Unit", "Wants",         config_parse_unit_names, OFF(wants), 0, UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Unit", "Requires",      config_parse_unit_names, OFF(requires), 0,
          UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Unit", "BindsTo",       config_parse_unit_names, OFF(binds_to), 0,
          UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Unit", "PartOf",        config_parse_unit_names, OFF(part_of), 0, UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Unit", "Conflicts",     config_parse_unit_names, OFF(conflicts), 0,
          UNITS_TEXT, CONFIG_SPEC_PARSER },

        /* [Install] */
        { "Install", "WantedBy",        config_parse_unit_names, OFF(wanted_by), 0,
          UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Install", "RequiredBy",      config_parse_unit_names, OFF(required_by), 0,
          UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Install", "Alias",           config_parse_unit_names, OFF(alias), 0,
          UNITS_TEXT, CONFIG_SPEC_PARSER },
        { "Install", "DefaultInstance", config_parse_instance,   OFF(default_instance), 0,
          "an instance name (letters, digits and \":-_.\\@\")", CONFIG_SPEC_VALUE },

        /* [Root] */
        { "Root", "Directory",  config_parse_path, OFF(directory), 0, PATH_TEXT, CONFIG_SPEC_VALUE },
        { "Root", "Image",      config_parse_path, OFF(image), 0, PATH_TEXT, CONFIG_SPEC_VALUE },
        { "Root", "ReadOnly",   config_parse_tristate, OFF(read_only), false, BOOL_TEXT },
        { "Root", "Bind",       config_parse_bind, 0, false,
          BIND_TEXT,
          CONFIG_SPEC_PARSER },
        { "Root", "BindReadOnly", config_parse_bind, 0, true,
          BIND_TEXT,
          CONFIG_SPEC_PARSER },
        { "Root", "TemporaryFileSystem", config_parse_tmpfs, 0, 0,
          "PATH[:OPTS] with an absolute PATH and OPTS from mode=OCTAL, size=BYTES|N%, nr_inodes=N, ro, rw, nosuid, nodev, noexec",
          CONFIG_SPEC_PARSER },
        { "Root", "Inaccessible", config_parse_inaccessible, 0, 0,
          "space-separated absolute paths without \"..\"", CONFIG_SPEC_PARSER },
        { "Root", "Overlay",    config_parse_overlay, 0, false,
          "[+]LOWER[:[+]LOWER...]:[+]UPPER:DEST or [+]LOWER:[+]UPPER, with absolute paths",
          CONFIG_SPEC_PARSER },
        { "Root", "OverlayReadOnly", config_parse_overlay, 0, true,
          "[+]LOWER[:[+]LOWER...]:[+]UPPER:DEST or [+]LOWER:[+]UPPER, with absolute paths",
          CONFIG_SPEC_PARSER },
        { "Root", "Volatile",   config_parse_volatile, 0, 0, "no, yes, state or overlay" },

        /* [Exec] */
        { "Exec", "Exec",        config_parse_exec, 0, 0,
          "a command line (systemd quoting: \"...\", '...', \\-escapes)", CONFIG_SPEC_PARSER },
        { "Exec", "Boot",        config_parse_bool, OFF(boot), false, BOOL_TEXT },
        { "Exec", "Environment", config_parse_environment, 0, 0,
          "space-separated KEY=VALUE assignments", CONFIG_SPEC_PARSER },
        { "Exec", "EnvironmentFile", config_parse_environment_file, 0, 0,
          "an absolute path, optionally prefixed with \"-\"", CONFIG_SPEC_VALUE },
        { "Exec", "PassEnvironment", config_parse_env_names, OFF(pass_environment), 0,
          "space-separated variable names (letters, digits and \"_\", not starting with a digit)",
          CONFIG_SPEC_PARSER },
        { "Exec", "UnsetEnvironment", config_parse_env_names, OFF(unset_environment), 1,
          "space-separated variable names or KEY=VALUE assignments", CONFIG_SPEC_PARSER },
        { "Exec", "User",        config_parse_user, OFF(user), 0,
          "a user name or a numeric UID", CONFIG_SPEC_VALUE },
        { "Exec", "Group",       config_parse_user, OFF(group), 0,
          "a group name or a numeric GID", CONFIG_SPEC_VALUE },
        { "Exec", "SupplementaryGroups", config_parse_users, OFF(supplementary_groups), 0,
          "space-separated group names or numeric GIDs", CONFIG_SPEC_PARSER },
        { "Exec", "WorkingDirectory", config_parse_working_directory, 0, 0,
          "an absolute path without \"..\", or \"~\"; either optionally prefixed with \"-\"",
          CONFIG_SPEC_VALUE },
        { "Exec", "UMask",       config_parse_umask, 0, 0, "an octal mode between 0000 and 07777" },
        { "Exec", "Hostname",    config_parse_hostname, OFF(hostname), 0,
          "a host name (letters, digits, \"-\", \"_\", dot-separated, at most 64 characters)",
          CONFIG_SPEC_VALUE },
        { "Exec", "NotifyReady", config_parse_tristate, OFF(notify_ready), false, BOOL_TEXT },
        { "Exec", "Init",        config_parse_bool, OFF(init), false, BOOL_TEXT },
        { "Exec", "SuppressSync", config_parse_tristate, OFF(suppress_sync), false, BOOL_TEXT },
        { "Exec", "KillSignal",  config_parse_signal, OFF(kill_signal), 0,
          "a signal name (SIGTERM, TERM, SIGRTMIN+3) or number" },
        { "Exec", "TimeoutStopSec", config_parse_timeout, 0, 0,
          "a time span (\"90s\", \"1min 30s\", bare number: seconds) or \"infinity\"" },
        { "Exec", "ResolvConf",  config_parse_resolv_conf, 0, 0,
          "off, copy-host, copy-static, copy-uplink, copy-stub, replace-host, replace-static, "
          "replace-uplink, replace-stub, bind-host, bind-static, bind-uplink, bind-stub, delete or auto" },
        { "Exec", "Timezone",    config_parse_timezone, 0, 0,
          "off, copy, bind, symlink, delete or auto" },
        { "Exec", "Nice",        config_parse_nice, 0, 0, "a nice level between -20 and 19" },
        { "Exec", "CPUSchedulingPolicy", config_parse_cpu_sched_policy, 0, 0, "other, batch, idle, fifo or rr" },
        { "Exec", "CPUSchedulingPriority", config_parse_cpu_sched_priority, 0, 0,
          "a number between 0 and 99 (1..99 for fifo and rr, 0 for the others)" },
        { "Exec", "CPUSchedulingResetOnFork", config_parse_bool, OFF(sched.cpu_reset_on_fork), false, BOOL_TEXT },
        { "Exec", "IOSchedulingClass", config_parse_io_sched_class, 0, 0,
          "realtime, best-effort, idle, none, or 0..3" },
        { "Exec", "IOSchedulingPriority", config_parse_io_sched_priority, 0, 0,
          "a number between 0 (the highest) and 7" },
        { "Exec", "CPUAffinity", config_parse_cpu_affinity, 0, 0,
          "CPU indices and ranges separated by commas or spaces (\"0-3 7\"), below 8192", CONFIG_SPEC_VALUE },
        { "Exec", "Personality", config_parse_personality, 0, 0,
          "an architecture name as systemd has them (\"x86-64\", \"x86\", \"arm64\")" },
        { "Exec", "Register",    config_parse_register, 0, 0, BOOL_TEXT },
        { "Exec", "LoadCredential", config_parse_load_credential, 0, 0,
          "ID[:PATH] with PATH absolute or a credential name", CONFIG_SPEC_PARSER },
        { "Exec", "SetCredential", config_parse_set_credential, 0, 0,
          "ID:VALUE with C escapes in VALUE", CONFIG_SPEC_PARSER },
        { "Exec", "LoadCredentialEncrypted", config_parse_load_credential, 0, 1,
          "ID[:PATH] with PATH absolute or a credential name", CONFIG_SPEC_PARSER },
        { "Exec", "SetCredentialEncrypted", config_parse_set_credential, 0, 1,
          "ID:BASE64, an encrypted credential as \"systemd-creds encrypt\" prints it", CONFIG_SPEC_PARSER },
        { "Exec", "MachineID",   config_parse_machine_id, 0, 0,
          "32 hexadecimal digits, or a UUID (8-4-4-4-12), not all zeros" },

        /* [Isolation] */
        { "Isolation", "PrivateNetwork", config_parse_tristate, OFF(private_network), true, BOOL_TEXT },
        { "Isolation", "PrivateUsers",   config_parse_private_users, 0, 0, "no, yes, pick or UID[:COUNT]" },
        { "Isolation", "PrivateTime",    config_parse_bool, OFF(private_time), false, BOOL_TEXT },
        { "Isolation", "Capability",     config_parse_capabilities, OFF(capability), 0,
          "capability names (CAP_NET_ADMIN, net_raw) or \"all\"" },
        { "Isolation", "DropCapability", config_parse_capabilities, OFF(drop_capability), 0,
          "capability names (CAP_NET_ADMIN, net_raw) or \"all\"" },
        { "Isolation", "AmbientCapability", config_parse_capabilities, OFF(ambient_capability), 1,
          "capability names (CAP_NET_BIND_SERVICE, net_raw); \"all\" is not taken here" },
        { "Isolation", "NoNewPrivileges", config_parse_tristate, OFF(no_new_privileges), true, BOOL_TEXT },
        { "Isolation", "SystemCallFilter", config_parse_syscall_filter, 0, 0,
          "[~]NAME|@GROUP[:ERRNO] ... (system call names and @groups, \"~\" for a deny list)" },
        { "Isolation", "SystemCallErrorNumber", config_parse_errno, OFF(syscall_error_number), 0,
          "an errno name (EPERM), a number between 1 and 4095, or \"kill\"" },
        { "Isolation", "SystemCallArchitectures", config_parse_syscall_archs, 0, 0,
          "architecture names as systemd has them (\"native\", \"x86-64\", \"x86\", \"x32\", \"arm64\")" },
        { "Isolation", "RestrictNamespaces", config_parse_restrict_namespaces, 0, 0,
          "a boolean, or [~] and namespace types from cgroup, ipc, net, mnt, pid, user, uts, time" },
        { "Isolation", "RestrictAddressFamilies", config_parse_address_families, 0, 0,
          "\"none\", or [~] and address family names (AF_UNIX, AF_INET, AF_INET6, AF_NETLINK ...)" },
        { "Isolation", "LockPersonality", config_parse_bool, OFF(lock_personality), false, BOOL_TEXT },
        { "Isolation", "RestrictRealtime", config_parse_bool, OFF(restrict_realtime), false, BOOL_TEXT },
        { "Isolation", "RestrictSUIDSGID", config_parse_bool, OFF(restrict_suid_sgid), false, BOOL_TEXT },
        { "Isolation", "MemoryDenyWriteExecute", config_parse_bool, OFF(memory_deny_write_execute), false,
          BOOL_TEXT },
        { "Isolation", "ProtectHostname", config_parse_bool, OFF(protect_hostname), false, BOOL_TEXT },
        { "Isolation", "ProtectClock", config_parse_bool, OFF(protect_clock), false, BOOL_TEXT },
        { "Isolation", "ProtectKernelModules", config_parse_bool, OFF(protect_kernel_modules), false, BOOL_TEXT },
        { "Isolation", "ProtectKernelLogs", config_parse_bool, OFF(protect_kernel_logs), false, BOOL_TEXT },
        { "Isolation", "ProtectKernelTunables", config_parse_bool, OFF(protect_kernel_tunables), false, BOOL_TEXT },
        { "Isolation", "ProtectControlGroups", config_parse_bool, OFF(protect_control_groups), false, BOOL_TEXT },

        /* [Limits] */
        { "Limits", "MemoryMax",     config_parse_memory, OFF(memory_max), 0, MEMORY_TEXT },
        { "Limits", "MemoryHigh",    config_parse_memory, OFF(memory_high), 0, MEMORY_TEXT },
        { "Limits", "MemorySwapMax", config_parse_memory, OFF(memory_swap_max), 0, MEMORY_TEXT },
        { "Limits", "MemoryMin",     config_parse_memory, OFF(memory_min), 0, MEMORY_TEXT },
        { "Limits", "MemoryLow",     config_parse_memory, OFF(memory_low), 0, MEMORY_TEXT },
        { "Limits", "CPUQuota",      config_parse_cpu_quota, 0, 0,
          "a percentage above 0% (\"50%\", \"150%\" for one and a half CPUs)" },
        { "Limits", "CPUQuotaPeriodSec", config_parse_cpu_quota_period, 0, 0,
          "a time span (\"10ms\", bare number: seconds; kept within 1ms..1s) or \"infinity\"" },
        { "Limits", "CPUWeight",     config_parse_cpu_weight, OFF(cpu_weight), OFF(cpu_weight_idle),
          "a number between 1 and 10000, or \"idle\"" },
        { "Limits", "StartupCPUWeight", config_parse_cpu_weight, OFF(startup_cpu_weight),
          OFF(startup_cpu_weight_idle), "a number between 1 and 10000, or \"idle\"" },
        { "Limits", "IOWeight",      config_parse_weight, OFF(io_weight), 0, WEIGHT_TEXT },
        { "Limits", "StartupIOWeight", config_parse_weight, OFF(startup_io_weight), 0, WEIGHT_TEXT },
        { "Limits", "IODeviceWeight", config_parse_io_device, 0, CELL_IO_DEVICE_WEIGHT,
          "DEVICE WEIGHT: " IO_DEVICE_TEXT WEIGHT_TEXT,
          CONFIG_SPEC_PARSER },
        { "Limits", "IOReadBandwidthMax", config_parse_io_device, 0, CELL_IO_READ_BPS,
          "DEVICE BYTES: " IO_DEVICE_TEXT IO_BPS_TEXT,
          CONFIG_SPEC_PARSER },
        { "Limits", "IOWriteBandwidthMax", config_parse_io_device, 0, CELL_IO_WRITE_BPS,
          "DEVICE BYTES: " IO_DEVICE_TEXT IO_BPS_TEXT,
          CONFIG_SPEC_PARSER },
        { "Limits", "IOReadIOPSMax", config_parse_io_device, 0, CELL_IO_READ_IOPS,
          "DEVICE IOPS: " IO_DEVICE_TEXT IO_IOPS_TEXT,
          CONFIG_SPEC_PARSER },
        { "Limits", "IOWriteIOPSMax", config_parse_io_device, 0, CELL_IO_WRITE_IOPS,
          "DEVICE IOPS: " IO_DEVICE_TEXT IO_IOPS_TEXT,
          CONFIG_SPEC_PARSER },
        { "Limits", "IODeviceLatencyTargetSec", config_parse_io_device, 0, CELL_IO_LATENCY,
          "DEVICE TIMESPAN: " IO_DEVICE_TEXT "a time span "
          "(\"25ms\"; bare number: seconds) or \"infinity\"",
          CONFIG_SPEC_PARSER },
        { "Limits", "AllowedCPUs",   config_parse_cpuset, OFF(allowed_cpus), OFF(allowed_cpus_size), CPUS_TEXT },
        { "Limits", "StartupAllowedCPUs", config_parse_cpuset, OFF(startup_allowed_cpus),
          OFF(startup_allowed_cpus_size), CPUS_TEXT },
        { "Limits", "AllowedMemoryNodes", config_parse_cpuset, OFF(allowed_memory_nodes),
          OFF(allowed_memory_nodes_size), NODES_TEXT },
        { "Limits", "StartupAllowedMemoryNodes", config_parse_cpuset, OFF(startup_allowed_memory_nodes),
          OFF(startup_allowed_memory_nodes_size), NODES_TEXT },
        { "Limits", "TasksMax",      config_parse_tasks_max, 0, 0, "a number above 0, a percentage or \"infinity\"" },
        { "Limits", "DeviceAllow",   config_parse_device_allow, 0, 0,
          "a device (/dev/PATH, char-NAME or block-NAME) and optional access letters from \"rwm\"",
          CONFIG_SPEC_PARSER },
        RLIMIT_KEY("LimitCPU", RLIMIT_CPU),
        RLIMIT_KEY("LimitFSIZE", RLIMIT_FSIZE),
        RLIMIT_KEY("LimitDATA", RLIMIT_DATA),
        RLIMIT_KEY("LimitSTACK", RLIMIT_STACK),
        RLIMIT_KEY("LimitCORE", RLIMIT_CORE),
        RLIMIT_KEY("LimitRSS", RLIMIT_RSS),
        RLIMIT_KEY("LimitNOFILE", RLIMIT_NOFILE),
        RLIMIT_KEY("LimitAS", RLIMIT_AS),
        RLIMIT_KEY("LimitNPROC", RLIMIT_NPROC),
        RLIMIT_KEY("LimitMEMLOCK", RLIMIT_MEMLOCK),
        RLIMIT_KEY("LimitLOCKS", RLIMIT_LOCKS),
        RLIMIT_KEY("LimitSIGPENDING", RLIMIT_SIGPENDING),
        RLIMIT_KEY("LimitMSGQUEUE", RLIMIT_MSGQUEUE),
        RLIMIT_KEY("LimitNICE", RLIMIT_NICE),
        RLIMIT_KEY("LimitRTPRIO", RLIMIT_RTPRIO),
        RLIMIT_KEY("LimitRTTIME", RLIMIT_RTTIME),
        { "Limits", "OOMScoreAdjust", config_parse_oom_score_adjust, 0, 0, "a number between -1000 and 1000" },
        { "Limits", "Slice",         config_parse_slice, 0, 0,
          "a slice unit name such as \"machine.slice\"", CONFIG_SPEC_VALUE },

        /* [Network] */
        { "Network", "VirtualEthernet", config_parse_tristate, OFF(virtual_ethernet), false, BOOL_TEXT },
        { "Network", "Bridge",       config_parse_ifname, OFF(bridge), 0, "an interface name (" IFNAME_RULES ")" },
        { "Network", "Zone",         config_parse_zone, OFF(zone), 0,
          "a zone name (1 to 12 ASCII characters, no \"/\", \":\", \"%\" or spaces: \"vz-\" + NAME names the bridge)" },
        { "Network", "VirtualEthernetExtra", config_parse_veth_extra, 0, 0,
          "HOSTIF[:CONTAINERIF], interface names (" IFNAME_RULES ")" },
        { "Network", "Interface",    config_parse_ifnames, OFF(interfaces), 0, IFNAMES_TEXT },
        { "Network", "MACVLAN",      config_parse_ifnames, OFF(macvlan), 0, IFNAMES_TEXT },
        { "Network", "IPVLAN",       config_parse_ifnames, OFF(ipvlan), 0, IFNAMES_TEXT },
        { "Network", "Port",         config_parse_port, 0, 0,
          "[tcp|udp:]HOSTPORT[:CONTAINERPORT] with ports between 1 and 65535" },
        { "Network", "Address",      config_parse_address, OFF(addresses), 0,
          "an IPv4 or IPv6 address with a prefix length (\"10.0.0.2/24\", \"fd00::2/64\")" },
        { "Network", "Gateway",      config_parse_address, OFF(gateways), 1,
          "an IPv4 or IPv6 address without a prefix length (\"10.0.0.1\")" },
};

int config_bad(ConfigContext *ctx, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        ctx->reported = true;
        r = diag_error(ctx->diag, ctx->file, ctx->line, "%s=%s: expected %s", ctx->key, ctx->value, text);
        return r < 0 ? r : -EINVAL;
}

/* The table by key name (in table order where two sections have the same
 * key), made at the first lookup: every line of every unit looks its key
 * up, and a search through the whole table was a quarter of what "cell
 * verify" of many units spent. */
static const ConfigKey *keys_by_name[ELEMENTSOF(config_keys)];

static int key_entry_compare(const void *a, const void *b) {
        const ConfigKey *x = *(const ConfigKey * const *) a, *y = *(const ConfigKey * const *) b;
        int r = strcmp(x->key, y->key);

        return r != 0 ? r : (x > y) - (x < y);
}

static void keys_index(void) {
        if (keys_by_name[0])
                return;
        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
                keys_by_name[i] = config_keys + i;
        qsort(keys_by_name, ELEMENTSOF(keys_by_name), sizeof keys_by_name[0], key_entry_compare);
}

static bool section_is_known(const char *section) {
        /* The sections come in groups: one comparison a group. */
        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
                if ((i == 0 || config_keys[i].section != config_keys[i - 1].section) &&
                    streq(config_keys[i].section, section))
                        return true;
        return false;
}

const ConfigKey *config_key_table(size_t *ret_n) {
        *ret_n = ELEMENTSOF(config_keys);
        return config_keys;
}

/* The key of section (NULL: of any section, the first in the table). */
static const ConfigKey *key_find(const char *section, const char *key) {
        size_t lo = 0, hi = ELEMENTSOF(keys_by_name);

        keys_index();
        /* The first entry whose key is not below key. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (strcmp(keys_by_name[mid]->key, key) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        for (; lo < ELEMENTSOF(keys_by_name) && streq(keys_by_name[lo]->key, key); lo++)
                if (!section || streq(keys_by_name[lo]->section, section))
                        return keys_by_name[lo];
        return NULL;
}

/* Case-insensitive edit distance, cut short (SIZE_MAX) when the lengths alone say > max. */
static size_t distance(const char *a, const char *b, size_t max) {
        size_t la = strlen(a), lb = strlen(b);
        char ca[64], cb[64];

        if ((la > lb ? la - lb : lb - la) > max || la >= sizeof ca || lb >= sizeof cb)
                return SIZE_MAX;
        for (size_t i = 0; i <= la; i++)
                ca[i] = (char) tolower((unsigned char) a[i]);
        for (size_t i = 0; i <= lb; i++)
                cb[i] = (char) tolower((unsigned char) b[i]);
        return string_distance(ca, cb);
}

/* How far a typo may be from what was meant, by the length of what was
 * typed, as cargo and rustc have it (a third of the word, at least 1) and at
 * most 2: "Foo" is two edits from "Boot", most of the word, and no typo of it
 * (systemd suggests nothing at all). */
static size_t suggest_max_distance(const char *word) {
        return MIN(MAX(strlen(word), (size_t) 3) / 3, (size_t) 2);
}

/* The closest known key of section (or, with section NULL, the closest
 * section name) that word is plausibly a typo of: a case-only difference,
 * within suggest_max_distance(), or else a beginning (of 3 characters or
 * more) of that one name alone ("Desc" for "Description"); NULL if none. */
static const char *suggest(const char *section, const char *word) {
        const char *best = NULL, *prefix_of = NULL;
        size_t max = suggest_max_distance(word), best_d = max + 1, lw = strlen(word);
        bool ambiguous = false;

        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++) {
                const char *candidate = section ? config_keys[i].key : config_keys[i].section;
                size_t d;

                if (section && !streq(config_keys[i].section, section))
                        continue;
                d = distance(word, candidate, max);
                if (d < best_d) {
                        best = candidate;
                        best_d = d;
                }
                /* (A section's name repeats, once per key: the same name is no second one.) */
                if (lw >= 3 && strlen(candidate) > lw && strncasecmp(candidate, word, lw) == 0) {
                        if (prefix_of && !streq(prefix_of, candidate))
                                ambiguous = true;
                        prefix_of = candidate;
                }
        }
        return best ?: ambiguous ? NULL : prefix_of;
}

static int report_unknown_section(const char *section, const char *file, unsigned line, Diagnostics *diag) {
        const char *s = suggest(NULL, section), *hint = config_hint(section, NULL);

        /* Once per file, at its first header (config_section()), not once per key. */
        if (hint)
                return diag_error_once(diag, file, line, "unknown section [%s]: %s", section, hint);
        if (s)
                return diag_error_once(diag, file, line, "unknown section [%s], did you mean [%s]?", section, s);
        return diag_error_once(diag, file, line, "unknown section [%s]", section);
}

static int report_unknown_key(const char *section, const char *key, const char *file, unsigned line,
                              Diagnostics *diag) {
        const ConfigKey *elsewhere = key_find(NULL, key);
        const char *s = suggest(section, key), *hint = config_hint(section, key);

        /* A name from a .nspawn file or a .service unit: where it went. */
        if (hint)
                return diag_error(diag, file, line, "unknown key \"%s\" in section [%s]: %s", key, section, hint);
        /* A key of another section, as written, is no typo of one of this section's
         * ("Bind=" in [Unit] is [Root]'s, not the beginning of "BindsTo="). */
        if (elsewhere)
                return diag_error(diag, file, line, "unknown key \"%s\" in section [%s], it belongs in [%s]",
                                  key, section, elsewhere->section);
        if (s)
                return diag_error(diag, file, line, "unknown key \"%s\" in section [%s], did you mean \"%s\"?",
                                  key, section, s);
        return diag_error(diag, file, line, "unknown key \"%s\" in section [%s]", key, section);
}

/* How much of a value a specifier error quotes. */
#define QUOTE_MAX 120
#define INSTALL_SPECIFIER_FMT "%s=%.*s: specifier %%%c is not resolved in [Install] by systemctl enable, " \
        "which takes only %%i %%j %%n %%N %%p, the host's and the user's (cell.syntax(7))"

/* Expands s for the key of ctx; reports a bad specifier against the value as written. */
static int expand(ConfigContext *ctx, const char *s, char **ret) {
        char bad = 0;
        int r;

        if (!ctx->specifiers || !strchr(s, '%')) {
                *ret = strdup(s);
                return *ret ? 0 : -ENOMEM;
        }
        /* systemctl enable resolves fewer specifiers in [Install] (specifier.h):
         * cell verify refuses the others; elsewhere they are said and resolved,
         * as a unit must not fail to start (or stay off at boot) for its
         * [Install] section, which systemctl start never reads. */
        bad = streq(ctx->section, "Install") ? specifier_first_not_install(s) : 0;
        if (bad != 0 && ctx->verify) {
                ctx->reported = true;
                r = diag_error(ctx->diag, ctx->file, ctx->line, INSTALL_SPECIFIER_FMT, ctx->key,
                               (int) MIN(strlen(ctx->value), (size_t) QUOTE_MAX), ctx->value, bad);
                return r < 0 ? r : -EINVAL;
        }
        if (bad != 0) {
                r = diag_warning(ctx->diag, ctx->file, ctx->line, INSTALL_SPECIFIER_FMT, ctx->key,
                                 (int) MIN(strlen(ctx->value), (size_t) QUOTE_MAX), ctx->value, bad);
                if (r < 0)
                        return r;
        }
        r = ctx->specifiers->expand(ctx->specifiers->userdata, s, ret, &bad);
        if (r == -ENOMEM || r >= 0)
                return r;

        int len = (int) MIN(strlen(ctx->value), (size_t) QUOTE_MAX);
        ctx->reported = true;
        if (r == -EBADSLT)
                r = diag_error(ctx->diag, ctx->file, ctx->line, "%s=%.*s: unknown specifier %%%c",
                               ctx->key, len, ctx->value, bad);
        else if (r == -EILSEQ || r == -EUCLEAN)
                r = diag_error(ctx->diag, ctx->file, ctx->line, "%s=%.*s: cannot expand specifier %%%c: the file "
                               "it reads (os-release(5), machine-info(5)) %s", ctx->key, len, ctx->value, bad,
                               r == -EILSEQ ? "is not valid UTF-8" : "holds a NUL byte");
        else
                r = diag_error(ctx->diag, ctx->file, ctx->line, "%s=%.*s: cannot expand specifier %%%c: %s",
                               ctx->key, len, ctx->value, bad, strerror(-r));
        return r < 0 ? r : -EINVAL;
}

int config_expand(ConfigContext *ctx, const ConfigKey *k, const char *s, char **ret) {
        if (k->specifiers == CONFIG_SPEC_NONE) {
                *ret = strdup(s);
                return *ret ? 0 : -ENOMEM;
        }
        return expand(ctx, s, ret);
}

int config_expand_strv(ConfigContext *ctx, const ConfigKey *k, char **l) {
        for (size_t i = 0; l && l[i]; i++) {
                char *n;
                int r;

                if (!strchr(l[i], '%'))
                        continue;
                r = config_expand(ctx, k, l[i], &n);
                if (r < 0)
                        return r;
                free(l[i]);
                l[i] = n;
        }
        return 0;
}

int config_expand_path(ConfigContext *ctx, const ConfigKey *k, char **path) {
        _cleanup_free_ char *e = NULL;
        char *n;
        int r;

        if (!*path || !strchr(*path, '%'))
                return 0;
        r = config_expand(ctx, k, *path, &e);
        if (r < 0)
                return r;
        r = parse_path_absolute(e, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_bad(ctx, "%s (its specifiers make \"%s\" of \"%s\")", strna(k->expected), *path, e);
        free(*path);
        *path = n;
        return 0;
}

/* key's last line refused (a bad value) or not: CellConfig.refused. */
static int refused_note(CellConfig *c, const char *key, bool refused) {
        size_t i = 0;

        while (i < c->n_refused && !streq(c->refused[i], key))
                i++;
        if (!refused && i < c->n_refused)
                c->refused[i] = c->refused[--c->n_refused];
        if (!refused || i < c->n_refused)
                return 0;
        const char **a = reallocarray(c->refused, c->n_refused + 1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        c->refused = a;
        c->refused[c->n_refused++] = key;
        return 0;
}

int config_section(const char *section, const char *file, unsigned line, Diagnostics *diag) {
        /* As config_assign_expand()'s keys: extensions for other tools are ignored. */
        if (isempty(section) || startswith(section, "X-") || section_is_known(section))
                return 0;
        return report_unknown_section(section, file, line, diag);
}

int config_assign(CellConfig *c, const char *section, const char *key, const char *value,
                  const char *file, unsigned line, Diagnostics *diag) {
        return config_assign_expand(c, NULL, false, section, key, value, file, line, diag);
}

int config_assign_expand(CellConfig *c, const ConfigSpecifiers *specifiers, bool verify, const char *section,
                         const char *key, const char *value, const char *file, unsigned line,
                         Diagnostics *diag) {
        _cleanup_free_ char *expanded = NULL;
        ConfigContext ctx = {
                .file = file,
                .line = line,
                .diag = diag,
                .section = section,
                .key = key,
                .value = strempty(value),
                .specifiers = specifiers,
                .verify = verify,
        };
        const ConfigKey *k;
        int r;

        if (isempty(key))
                return diag_error(diag, file, line, "assignment without a key name");
        if (isempty(section))
                return diag_error(diag, file, line, "%s=%s: assignment outside of any [Section]", key,
                                  /* A secret is not shown, wherever it was written. */
                                  streq(key, "SetCredential") ? "(value not shown)" : ctx.value);
        /* Extensions for other tools, ignored as systemd does. */
        if (startswith(section, "X-") || startswith(key, "X-"))
                return 0;
        if (!section_is_known(section))
                return report_unknown_section(section, file, line, diag);
        k = key_find(section, key);
        if (!k)
                return report_unknown_key(section, key, file, line, diag);

        if (k->specifiers == CONFIG_SPEC_VALUE && strchr(ctx.value, '%')) {
                r = expand(&ctx, ctx.value, &expanded);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return refused_note(c, k->key, true);
                ctx.value = expanded;
        }

        r = k->parse(&ctx, k, c, (char *) c + k->offset);
        if (r >= 0)
                r = config_origin_record(c, &ctx, k);
        /* A set's line its origin did not take (a bad value's). */
        free(ctx.set);
        if (r != -ENOMEM && refused_note(c, k->key, r < 0) < 0)
                return -ENOMEM;
        if (r >= 0 || r == -ENOMEM)
                return r;
        if (!ctx.reported) {
                r = diag_error(diag, file, line, "%s=%s: expected %s", key, ctx.value, strna(k->expected));
                if (r < 0)
                        return r;
        }
        return 0;
}
