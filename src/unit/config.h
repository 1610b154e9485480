/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The typed configuration of one .cell unit: what the file (after drop-ins
 * and specifiers) says, checked and converted, but not yet interpreted.
 * Turning it into what to do is plan/'s job.
 *
 * Conventions:
 *  - every string and strv is malloc'ed and owned by the config;
 *  - a value that may be absent carries a "_set" flag (or a sentinel named
 *    in its comment), so "not written" and "written as 0" differ;
 *  - lists keep file order; an empty assignment ("Bind=") reset them;
 *  - a list entry the plan may complain about later (a mount) keeps where
 *    it was written: .file, its own copy of the name of the file the
 *    assignment was read from (the main file or a drop-in, as the reader
 *    named it; NULL when the caller of config_assign() named none), and
 *    .line in that file. A line alone would be ambiguous: "web.cell:5" for
 *    line 5 of web.cell.d/x.conf. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "env-index.h"
#include "macros.h"
#include "pos-index.h"

/* A byte/count value as systemd takes it for MemoryMax=, TasksMax=, ... */
/* Where the container's notify socket is bound, and what cell gives the
 * payload as $NOTIFY_SOCKET (the plan's notify_socket; NotifyReady=). */
#define CELL_NOTIFY_SOCKET "/run/host/notify"

typedef enum CellLimitKind {
        CELL_LIMIT_UNSET = 0,
        CELL_LIMIT_VALUE,       /* .value: bytes or a count */
        CELL_LIMIT_PERCENT,     /* .permyriad: 0..10000 (systemd's "N%", with 2 decimals: 12.34%) */
        CELL_LIMIT_INFINITY,
} CellLimitKind;

typedef struct CellLimit {
        CellLimitKind kind;
        uint64_t value;
        uint32_t permyriad;
} CellLimit;

/* Bind=/BindReadOnly=: [-][+]SRC[:DST[:OPTS]] as systemd-nspawn takes it. */
typedef struct CellBind {
        char *source;           /* absolute host path, or "+/path" in the container's root */
        char *target;           /* absolute path inside the container (defaults to source) */
        bool ignore_missing;    /* leading '-' */
        bool read_only;         /* BindReadOnly= */
        bool recursive;         /* rbind (default) vs norbind */
        bool nosuid, nodev, noexec;
        bool idmap;             /* "idmap" (issue 8; carried, checked) */
        char *raw;              /* the value as written ("/srv:/d:rbind,nosuid"), for messages; NULL: made by hand */
        char *file;             /* where it was written (see above) */
        unsigned line;
} CellBind;

/* TemporaryFileSystem=PATH[:OPTS] */
typedef struct CellTmpfs {
        char *path;             /* absolute, inside the container */
        char *options;          /* validated mount options ("mode=0755,size=64M"), NULL = defaults */
        char *raw;              /* the value as written ("/tmp:size=64M"), for messages; NULL: made by hand */
        char *file;             /* where it was written (see above) */
        unsigned line;
} CellTmpfs;

/* Inaccessible=: one per path (one line may name several). */
typedef struct CellInaccessible {
        char *path;             /* absolute, inside the container */
        char *raw;              /* the word as written ("-/proc/", specifiers unexpanded), for messages;
                                 * NULL: by hand */
        char *file;             /* where it was written (see above) */
        unsigned line;
} CellInaccessible;

/* Overlay=[+]LOWER...:UPPER:DEST, nspawn syntax (colon separated, at least
 * one lower, "+" prefix on a path means relative to the container root). */
typedef struct CellOverlay {
        char **lower;           /* one or more */
        char *upper;            /* empty string "" means a tmpfs upper (nspawn semantics) */
        char *target;
        bool read_only;         /* OverlayReadOnly= */
        char *raw;              /* the value as written (specifiers unexpanded), for messages; NULL: by hand */
        char *file;             /* where it was written (see above) */
        unsigned line;
} CellOverlay;

typedef enum CellVolatile {
        CELL_VOLATILE_NO = 0,
        CELL_VOLATILE_YES,      /* tmpfs root, /usr from Directory= read-only */
        CELL_VOLATILE_STATE,    /* Directory= read-only, tmpfs on /var */
        CELL_VOLATILE_OVERLAY,  /* Directory= read-only with a tmpfs overlay on top */
} CellVolatile;

/* ResolvConf=, as systemd-nspawn's --resolv-conf=: what the container's
 * /etc/resolv.conf is. The copy/replace/bind values name the host file
 * (host: /etc/resolv.conf; static, uplink, stub: systemd-resolved's). */
typedef enum CellResolvConf {
        CELL_RESOLV_CONF_AUTO = 0,      /* default: nspawn's "auto" (plan-etc.c) */
        CELL_RESOLV_CONF_OFF,
        CELL_RESOLV_CONF_COPY_HOST,
        CELL_RESOLV_CONF_COPY_STATIC,
        CELL_RESOLV_CONF_COPY_UPLINK,
        CELL_RESOLV_CONF_COPY_STUB,
        CELL_RESOLV_CONF_REPLACE_HOST,
        CELL_RESOLV_CONF_REPLACE_STATIC,
        CELL_RESOLV_CONF_REPLACE_UPLINK,
        CELL_RESOLV_CONF_REPLACE_STUB,
        CELL_RESOLV_CONF_BIND_HOST,
        CELL_RESOLV_CONF_BIND_STATIC,
        CELL_RESOLV_CONF_BIND_UPLINK,
        CELL_RESOLV_CONF_BIND_STUB,
        CELL_RESOLV_CONF_DELETE,
        _CELL_RESOLV_CONF_MAX,
} CellResolvConf;

/* Timezone=, as systemd-nspawn's --timezone=: what /etc/localtime is. */
typedef enum CellTimezone {
        CELL_TIMEZONE_AUTO = 0,         /* default: nspawn's "auto" (plan-etc.c) */
        CELL_TIMEZONE_OFF,
        CELL_TIMEZONE_COPY,
        CELL_TIMEZONE_BIND,
        CELL_TIMEZONE_SYMLINK,
        CELL_TIMEZONE_DELETE,
        _CELL_TIMEZONE_MAX,
} CellTimezone;

/* "bind-stub" <-> CELL_RESOLV_CONF_BIND_STUB, "symlink" <-> CELL_TIMEZONE_SYMLINK
 * (NULL / -EINVAL for what is none). */
const char *cell_resolv_conf_to_string(CellResolvConf v);
int cell_resolv_conf_from_string(const char *s, CellResolvConf *ret);
const char *cell_timezone_to_string(CellTimezone v);
int cell_timezone_from_string(const char *s, CellTimezone *ret);

typedef struct CellEnvironmentFile {
        char *path;
        bool ignore_missing;    /* leading '-' */
} CellEnvironmentFile;

/* LoadCredential=ID[:PATH] and SetCredential=ID:VALUE ([Exec]), as
 * systemd.exec(5): one entry per ID and key (written again, the later
 * path or value replaces the earlier in its place), in file order. The
 * Encrypted variants share their plain key's list, as systemd's one
 * hashmap each: LoadCredentialEncrypted=ID replaces LoadCredential=ID. */
/* systemd's limits (creds-util.h): one credential at most 1 MiB, and all of
 * a unit's at most 1 MiB too (counting each ID's length): ramfs is memory
 * that cannot be swapped out. */
#define CELL_CREDENTIAL_SIZE_MAX (1024U * 1024U)
#define CELL_CREDENTIALS_TOTAL_SIZE_MAX CELL_CREDENTIAL_SIZE_MAX
/* And an encrypted one as read (LoadCredentialEncrypted='s source, the
 * bytes SetCredentialEncrypted= decodes to): 128 KiB more for the header,
 * IV and TPM2 key material, as systemd's CREDENTIAL_ENCRYPTED_SIZE_MAX. Its
 * plaintext counts against the limits above. */
#define CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX (CELL_CREDENTIAL_SIZE_MAX + 128U * 1024U)

typedef struct CellCredential {
        char *id;               /* credential_name_is_valid() */
        char *path;             /* Load: absolute, or a credential name in the caller's
                                 * $CREDENTIALS_DIRECTORY (the ID when not written); Set: NULL */
        char *value;            /* Set: the bytes after C unescaping (NULs allowed), erased
                                 * when freed; SetCredentialEncrypted=: the Base64 text as
                                 * written, whitespace removed; Load: NULL */
        size_t size;            /* Set: value's length */
        bool encrypted;         /* LoadCredentialEncrypted=, SetCredentialEncrypted= */
        char *file;             /* where it was written (see above) */
        unsigned line;
} CellCredential;

typedef enum CellPrivateUsers {
        CELL_PRIVATE_USERS_NO = 0,
        CELL_PRIVATE_USERS_YES,         /* pick a range from the root dir's owner, as nspawn */
        CELL_PRIVATE_USERS_PICK,        /* pick a free 64Ki range */
        CELL_PRIVATE_USERS_FIXED,       /* UID[:COUNT] */
} CellPrivateUsers;

/* ":kill" after a SystemCallFilter= item, SystemCallErrorNumber=kill: the
 * call kills the process (SIGSYS). Beyond every errno (0..4095). */
#define CELL_SYSCALL_KILL 4096

/* One SystemCallFilter= item: a syscall name or an "@group". */
/* More than systemd has names for (SystemCallArchitectures=). */
#define CELL_SYSCALL_ARCHS_MAX 32

typedef struct CellSyscall {
        char *name;
        int error;              /* ":ERRNO" suffix: errno number (0: succeed, doing nothing),
                                 * CELL_SYSCALL_KILL; -1 when none */
        bool from_group;        /* a group's member, left when a line of the other kind
                                 * expanded the group: not named by the unit */
        char *file;             /* the drop-in of the line that decided it; NULL: the main file */
        unsigned line;          /* that line; 0 when not known (a config made by hand) */
} CellSyscall;

/* Capability masks: bit N is capability N (CAP_CHOWN = 0 ...). "all" sets every known bit. */
typedef uint64_t CellCapMask;

typedef struct CellRlimit {
        bool set;
        rlim_t soft, hard;      /* RLIM_INFINITY for "infinity" */
        char *value;            /* as written ("-1", "8G:16G"), for messages: soft and hard
                                 * are the kernel's (LimitNICE=-1 is 21); NULL: not known */
} CellRlimit;

typedef struct CellDeviceAllow {
        char *path;             /* "/dev/null", "char-pts", "block-loop" ... */
        char perms[4];          /* subset of "rwm", in that order */
        char *file;             /* where it was written (see above) */
        unsigned line;
} CellDeviceAllow;

/* IODeviceWeight=, IOReadBandwidthMax= ... IODeviceLatencyTargetSec=:
 * DEVICE VALUE, as systemd. One entry per device and key (written again,
 * the later value wins), in file order. */
typedef enum CellIOKind {
        CELL_IO_DEVICE_WEIGHT,  /* 1..10000 */
        CELL_IO_READ_BPS,       /* bytes per second; UINT64_MAX = "infinity" */
        CELL_IO_WRITE_BPS,
        CELL_IO_READ_IOPS,      /* operations per second; UINT64_MAX = "infinity" */
        CELL_IO_WRITE_IOPS,
        CELL_IO_LATENCY,        /* usec; USEC_INFINITY = "infinity" */
        _CELL_IO_KIND_MAX,
} CellIOKind;

typedef struct CellIODevice {
        CellIOKind kind;
        char *path;             /* absolute: a block device node, or a file on the device */
        uint64_t value;
        char *file;             /* where it was written (see above) */
        unsigned line;
} CellIODevice;

/* VirtualEthernetExtra=HOSTIF[:CONTAINERIF] */
typedef struct CellVethExtra {
        char *host;             /* the host side's name */
        char *container;        /* the container side's (HOSTIF when not written) */
        char *file;             /* where it was written (see above) */
        unsigned line;
} CellVethExtra;

typedef struct CellPort {
        int protocol;           /* IPPROTO_TCP (default) or IPPROTO_UDP */
        uint16_t host_port;
        uint16_t container_port; /* defaults to host_port */
} CellPort;

/* Nice=, CPUSchedulingPolicy=, CPUSchedulingPriority=,
 * CPUSchedulingResetOnFork=, IOSchedulingClass=, IOSchedulingPriority=,
 * CPUAffinity= ([Exec]): the payload's scheduling, as systemd.exec(5)
 * takes it. */
typedef struct CellSched {
        bool nice_set;
        int nice;                       /* -20..19 */
        bool cpu_policy_set;
        int cpu_policy;                 /* SCHED_OTHER, _BATCH, _IDLE, _FIFO, _RR */
        bool cpu_priority_set;
        int cpu_priority;               /* 0..99; a policy written clamps it into its range, as systemd */
        char *cpu_priority_file;        /* where CPUSchedulingPriority= was written (see above) */
        unsigned cpu_priority_line;
        bool cpu_reset_on_fork;
        bool io_set;                    /* IOSchedulingClass= or IOSchedulingPriority= */
        int io_class;                   /* IOPRIO_CLASS_RT, _BE, _IDLE ("none" is best-effort 4, as systemd) */
        int io_priority;                /* 0..7 */
        uint8_t *cpu_affinity;          /* bitmap as allowed_cpus; NULL = unset */
        size_t cpu_affinity_size;       /* bytes */
} CellSched;

/* Where a key was set, kept for the start's errors about its value
 * ("FILE:LINE: User=nobody: no such user ..."), as "cell verify" names a
 * bad one: with drop-ins, the key alone does not say which file. Recorded
 * by config_assign() for every key: a key of one value keeps its last line;
 * a list key whose parser counts its items (SupplementaryGroups=,
 * EnvironmentFile=, PassEnvironment=, UnsetEnvironment=, Interface=, MACVLAN=,
 * IPVLAN=, SystemCallArchitectures=, [Unit]'s dependencies After= ...
 * Conflicts=) one record a line, so that an item's own line is known; a set
 * of CPUs or NUMA nodes (AllowedCPUs= ..., CPUAffinity=) one record a line
 * with the CPUs it named, so that a refused CPU's line is known; an empty
 * value (the reset; of a set, one naming no CPU: ",") drops the key's
 * records. The checks across keys and of the plan name their lines too
 * (cell_config_origin()). A key whose value builds up over lines otherwise
 * (Capability=) keeps its last line only, which need not be an item's: the
 * plan keeps no origin for those (plan-origin.c). */
typedef struct CellOrigin {
        const char *key;        /* static: the key table's name ("User", "LimitNOFILE") */
        char *file;             /* the drop-in; NULL: the main file (CellConfig.path) */
        unsigned line;
        size_t items;           /* a counted list's length after this line; 0 for the others */
        unsigned lines;         /* the lines that set the key since its last reset, this one included:
                                 * of a key whose value builds up, more than one leaves unknown
                                 * which holds what the start refused */
        uint8_t *set;           /* a CPU or NUMA node set's line (AllowedCPUs=, CPUAffinity=, ...): the
                                 * CPUs (nodes) it named, bit N of byte N/8; NULL for the other keys */
        size_t set_size;        /* bytes */
} CellOrigin;

typedef struct CellOriginIndex CellOriginIndex;

typedef struct CellConfig {
        /* Identity of the unit, from its file name (or --name). */
        char *path;             /* the main file as loaded */
        char *name;             /* "web", "worker@3" (no ".cell") */
        char **dropin_paths;    /* drop-ins applied, in order */

        /* [Unit] */
        char *description;
        char **documentation;
        char **after, **before, **wants, **requires, **binds_to, **part_of, **conflicts;

        /* [Install] */
        char **wanted_by, **required_by, **alias;
        char *default_instance;

        /* [Root] */
        char *directory;        /* absolute; this or image is required */
        char *image;            /* Image=: absolute, a file system image (file or block device) */
        bool read_only;
        CellBind *binds;            size_t n_binds;       /* Bind= and BindReadOnly=, in file order */
        CellTmpfs *tmpfs;           size_t n_tmpfs;
        CellInaccessible *inaccessible; size_t n_inaccessible;   /* in file order, paths of a line in its order */
        CellOverlay *overlays;      size_t n_overlays;
        CellVolatile volatile_mode;

        /* [Exec] */
        char **exec;            /* argv after systemd unquoting; NULL when not set */
        bool boot;
        char **environment;     /* "KEY=VALUE", later assignments of a KEY replace earlier ones */
        EnvIndex environment_index; /* of environment's names, for the next Environment= line */
        CellEnvironmentFile *environment_files; size_t n_environment_files;
        char **pass_environment; /* PassEnvironment=: names, each once, in file order */
        char **unset_environment; /* UnsetEnvironment=: names or KEY=VALUE, each once, in file order */
        EnvIndex pass_environment_index, unset_environment_index; /* their words, for the next line */
        char *user;             /* name or numeric; NULL = root */
        char *group;
        char **supplementary_groups;
        char *working_directory; /* absolute inside the container, NULL = "/" (or user's home when "~") */
        bool working_directory_missing_ok; /* leading '-': "/" when it cannot be entered */
        bool umask_set;
        mode_t umask;           /* default 0022 */
        char *hostname;         /* NULL = the unit's name */
        bool notify_ready;
        bool init;
        bool suppress_sync;     /* SuppressSync=: the sync calls do nothing, O_SYNC opens fail */
        int kill_signal;        /* 0 = default (SIGTERM, or SIGRTMIN+3 with Boot=yes) */
        uint64_t timeout_stop_usec; /* USEC_INFINITY = "infinity"; 0 = not set (default 90s... plan decides) */
        bool timeout_stop_set;
        CellResolvConf resolv_conf;     /* default auto */
        char *resolv_conf_file;         /* where it was written (see above), NULL when not */
        unsigned resolv_conf_line;
        CellTimezone timezone;          /* default auto */
        char *timezone_file;
        unsigned timezone_line;
        CellSched sched;                /* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= */
        bool personality_set;           /* Personality= */
        unsigned long personality;      /* PER_LINUX (native) or PER_LINUX32 (secondary) */
        bool register_machine;          /* Register=: registered with systemd-machined */
        char *register_file;            /* where Register=yes was written (see above), NULL when not */
        unsigned register_line;
        bool machine_id_set;            /* MachineID= */
        uint8_t machine_id[16];
        CellCredential *load_credentials; size_t n_load_credentials;  /* LoadCredential= */
        CellCredential *set_credentials;  size_t n_set_credentials;   /* SetCredential= */
        PosIndex load_credentials_index, set_credentials_index; /* their IDs, for the next line */

        /* [Isolation] */
        bool private_network;   /* default yes */
        CellPrivateUsers private_users;
        uid_t private_users_uid;        /* FIXED: base */
        uint32_t private_users_count;   /* FIXED/PICK: count (default 65536) */
        bool private_time;
        CellCapMask capability;         /* Capability= added to the default bounding set */
        CellCapMask drop_capability;    /* DropCapability= removed from it */
        CellCapMask ambient_capability; /* AmbientCapability=: inheritable and ambient for the payload */
        bool no_new_privileges; /* default yes */
        bool syscall_filter_set;
        bool syscall_filter_allow_list; /* first non-empty SystemCallFilter= without "~" */
        CellSyscall *syscall_filter;    size_t n_syscall_filter;
        int syscall_error_number;       /* SystemCallErrorNumber=, -1 = not set (EPERM), CELL_SYSCALL_KILL */
        /* SystemCallArchitectures=: libseccomp's SCMP_ARCH_* tokens ("native"
         * resolved), each once, in file order; none = every ABI this machine
         * runs, filtered alike. */
        uint32_t syscall_archs[CELL_SYSCALL_ARCHS_MAX];
        size_t n_syscall_archs;
        bool restrict_namespaces_set;   /* RestrictNamespaces= other than "no" or empty */
        unsigned long restrict_namespaces; /* the CLONE_NEW* flags still allowed */
        bool address_families_set;      /* RestrictAddressFamilies= */
        bool address_families_allow_list;
        uint64_t address_families;      /* bit N: family N (AF_UNIX = 1 ...) */
        bool lock_personality;          /* LockPersonality= */
        bool restrict_realtime;         /* RestrictRealtime= */
        bool restrict_suid_sgid;        /* RestrictSUIDSGID= */
        bool memory_deny_write_execute; /* MemoryDenyWriteExecute= */
        bool protect_hostname;          /* ProtectHostname= */
        bool protect_clock;             /* ProtectClock= */
        bool protect_kernel_modules;    /* ProtectKernelModules= */
        bool protect_kernel_logs;       /* ProtectKernelLogs= */
        bool protect_kernel_tunables;   /* ProtectKernelTunables= */
        bool protect_control_groups;    /* ProtectControlGroups= */

        /* [Limits] */
        CellLimit memory_max, memory_high, memory_swap_max;
        CellLimit memory_min, memory_low;       /* protections: 0 allowed */
        bool cpu_quota_set;
        uint64_t cpu_quota_per_sec_usec; /* CPUQuota=150% -> 1500000 */
        bool cpu_quota_period_set;      /* CPUQuotaPeriodSec=; unset (or "infinity"): 100 ms */
        uint64_t cpu_quota_period_usec; /* as written, 0 too: clamped where it is applied */
        uint64_t cpu_weight;            /* 1..10000, 0 = unset */
        bool cpu_weight_idle;           /* CPUWeight=idle (cpu_weight is 0 then) */
        uint64_t startup_cpu_weight;    /* StartupCPUWeight=, as cpu_weight */
        bool startup_cpu_weight_idle;
        uint64_t io_weight;             /* 1..10000, 0 = unset */
        uint64_t startup_io_weight;     /* StartupIOWeight=, as io_weight */
        CellIODevice *io_devices;       size_t n_io_devices;
        PosIndex io_devices_index;      /* their kinds and paths, for the next line */
        uint8_t *allowed_cpus;          /* bitmap, bit N of byte N/8 = CPU N; NULL = unset */
        size_t allowed_cpus_size;       /* bytes */
        /* The other cpuset keys, bitmaps as allowed_cpus: StartupAllowedCPUs=,
         * AllowedMemoryNodes= (bit N = NUMA node N), StartupAllowedMemoryNodes=. */
        uint8_t *startup_allowed_cpus;  size_t startup_allowed_cpus_size;
        uint8_t *allowed_memory_nodes;  size_t allowed_memory_nodes_size;
        uint8_t *startup_allowed_memory_nodes; size_t startup_allowed_memory_nodes_size;
        CellLimit tasks_max;
        CellDeviceAllow *device_allow;  size_t n_device_allow;
        CellRlimit rlimits[RLIMIT_NLIMITS]; /* LimitCPU= ... LimitRTTIME=, indexed by RLIMIT_* */
        bool oom_score_adjust_set;
        int oom_score_adjust;
        char *slice;            /* NULL = "machine.slice" */

        /* [Network] */
        bool virtual_ethernet;
        char *bridge;
        char *zone;             /* Zone=NAME (the bridge is "vz-NAME"), NULL = none */
        char *zone_file;        /* where it was written (see above) */
        unsigned zone_line;
        CellVethExtra *veth_extras; size_t n_veth_extras;      /* VirtualEthernetExtra=, in file order */
        char **interfaces;      /* Interface=: host interfaces moved into the container */
        char **macvlan;         /* MACVLAN=: host interfaces a macvlan is made on, for the container */
        char **ipvlan;          /* IPVLAN=: ... an ipvlan */
        PosIndex ifnames_index[3];      /* of interfaces, macvlan, ipvlan: for the next line */
        /* The lengths of the word lists (After=, Documentation=, Address= ...) as their
         * parsers left them (config_list_length()): thousands of lines of a list are
         * not each counted from the first. An entry holds while its list is the
         * array it was taken of; the parsers are the lists' only writers. */
        struct {
                char ***list;
                char **array;
                size_t n;
        } list_lengths[24];
        CellPort *ports;        size_t n_ports;
        uint8_t *ports_taken;   /* of a long list: bit (udp ? 65536 : 0) + host port of each; NULL */
        char *ports_file;       /* where the first Port= of the list was written (see above) */
        unsigned ports_line;
        char **addresses;       /* Address=: "10.0.0.2/24", canonical, for the container's first interface */
        PosIndex addresses_index;       /* their IPv6 addresses (without the prefix), the first of each */
        size_t addresses_indexed;       /* the addresses it covers */
        char **gateways;        /* Gateway=: "10.0.0.1", canonical; a default route each */

        /* Where each key was set, in file order (see CellOrigin). */
        CellOrigin *origins;    size_t n_origins;
        /* cell_config_origin()'s index of origins by key, built at its first
         * call over many records; whoever changes origins drops it
         * (cell_config_origins_changed()). */
        CellOriginIndex *origins_index;
        /* The empty assignments (Directory=) that left a key unset: the key,
         * file and line of the last one of each, until a value sets it again.
         * A check that finds a key missing names that line: the drop-in
         * that emptied it, not the main file that set it. */
        CellOrigin *emptied;    size_t n_emptied;
        /* The keys (the key table's names) whose last line was refused, a bad
         * value: a check that finds such a key missing says nothing more, the
         * bad value is the one error (systemd's verify names only it). */
        const char **refused;   size_t n_refused;
} CellConfig;

/* Fills in the defaults (PrivateNetwork=yes, NoNewPrivileges=yes, recursive binds, ...). */
void cell_config_init(CellConfig *c);
/* Frees every member; the struct itself is not freed. */
void cell_config_done(CellConfig *c);

/* The record of origins (of n) that says where key, or a counted list's
 * item of that index, was set: a counted list's first line whose items
 * reach it, any other key's last line. NULL when none does. */
const CellOrigin *cell_origin_find(const CellOrigin *origins, size_t n, const char *key, size_t item);
/* The file (a drop-in's own, or the main file) and line a check across keys
 * names for key (item as cell_origin_find()): "FILE:LINE: Key=...", as the
 * parser's messages. Line 0 and c->path when the unit did not set it. */
unsigned cell_config_origin(const CellConfig *c, const char *key, size_t item, const char **ret_file);
/* To be called whenever c->origins or c->n_origins change: drops the index
 * cell_config_origin() keeps of them. */
void cell_config_origins_changed(CellConfig *c);
/* Where key was last emptied (and not set again since): the line, and its
 * file in *ret_file; 0 when it was not. */
unsigned cell_config_emptied(const CellConfig *c, const char *key, const char **ret_file);
/* Whether key's last line was refused (see CellConfig.refused). */
bool cell_config_refused(const CellConfig *c, const char *key);
