/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The plan: everything the later stages do, as plain data, computed from a
 * CellConfig without a single syscall. scope/ and spawn/ read only this;
 * nothing after this point looks at the unit file again.
 *
 * "cell plan --json" prints it (plan-json.c); that JSON is how the tests
 * check every later stage without root. */

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "config.h"
#include "diag.h"

typedef enum PlanMountKind {
        PLAN_MOUNT_BIND,        /* bind .source (host path) onto .target; MS_REC in .flags = rbind */
        PLAN_MOUNT_FS,          /* a fresh filesystem: .fstype, .source (fs name), .data */
        PLAN_MOUNT_DEVICE,      /* a node like the host's .source at .target: made, or bound read-only */
        PLAN_MOUNT_SYMLINK,     /* create .target as a symlink with the text .source */
        PLAN_MOUNT_MASK,        /* make .target inaccessible: /dev/null over a file, an empty
                                 * read-only tmpfs over a directory (decided by what it is);
                                 * a missing target is skipped */
        PLAN_MOUNT_READ_ONLY,   /* re-mount the existing .target read-only (its submounts keep their flags) */
        PLAN_MOUNT_WRITABLE,    /* bind the existing .target onto itself with .flags, not read-only: a
                                 * submount that a read-only one above it later leaves writable */
        PLAN_MOUNT_OVERLAY,     /* overlayfs of .lower (.upper) onto .target */
        PLAN_MOUNT_CGROUP,      /* the container's own cgroup at .target, read-only; done by the
                                 * child only after it unshared its cgroup namespace */
        _PLAN_MOUNT_KIND_MAX,
} PlanMountKind;

typedef struct PlanMount {
        PlanMountKind kind;
        char *source;           /* see kind; NULL where unused */
        char *target;           /* absolute, inside the container root */
        char *fstype;           /* FS: "proc", "sysfs", "tmpfs", "devpts", "mqueue"; else NULL */
        unsigned long flags;    /* MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REC */
        char *data;             /* FS: mount data ("mode=0755,size=65536k"); else NULL */
        char **lower;           /* OVERLAY: lower dirs, top-most first */
        char *upper;            /* OVERLAY: upper dir; "" = a private tmpfs (changes are lost) */
        bool optional;          /* a missing source is skipped ("-" prefix) instead of an error */
        bool source_in_root;    /* .source/.lower/.upper are paths inside the root ("+" prefix) */
        bool idmap;             /* idmapped with the container's user namespace */
        char *file;             /* the unit file or drop-in it was written in, NULL for built-in mounts */
        unsigned line;          /* its line in .file, 0 for built-in mounts */
        char *entry;            /* the unit's entry as written ("Overlay=+/l:+/u:/t", plan-mount-entry.h),
                                 * for the plan's and the start's messages; NULL for built-in mounts */
} PlanMount;

/* ResolvConf= and Timezone=: what happens to one file of the container's
 * /etc once its mounts are made (spawn/mount-etc.c). What depends on the
 * host (is resolved running, where does its /etc/localtime lead, does the
 * image have the file) is decided at start by etc_file_decide()
 * (spawn/etc-decide.c), which fills in .source and .link. */
typedef enum PlanEtcMode {
        PLAN_ETC_OFF,           /* left as the image has it */
        PLAN_ETC_BIND,          /* the host file bound read-only over the container's */
        PLAN_ETC_COPY,          /* copied in, unless the container's is not a regular file */
        PLAN_ETC_REPLACE,       /* copied in, replacing whatever is there, a symlink too */
        PLAN_ETC_SYMLINK,       /* Timezone=: a link to the container's file of the host's zone */
        PLAN_ETC_SYMLINK_OR_BIND, /* Timezone=auto on a root of cell's own: the link if the
                                 * container has the zone, else bind */
        PLAN_ETC_DELETE,        /* removed (a symlink itself, never what it leads to) */
        _PLAN_ETC_MODE_MAX,
} PlanEtcMode;

typedef struct PlanEtcFile {
        const char *key;        /* static: "ResolvConf", "Timezone" */
        const char *setting;    /* static: the value in force ("auto" unless written) */
        const char *target;     /* static: "/etc/resolv.conf", "/etc/localtime" */
        PlanEtcMode mode;
        /* From "auto": where the start finds nothing to do (no host file,
         * no file in the image to bind over) it leaves the file alone
         * instead of failing. */
        bool automatic;
        /* The root is cell's tmpfs or overlay (Volatile=yes|overlay): a
         * missing target may be created there for a bind; never in the image. */
        bool create_missing;
        /* The root is cell's empty tmpfs (Volatile=yes: only /usr is the
         * image's): its /etc is not the image's, the start looks for
         * nothing of it in the image. */
        bool empty_root;
        const char *sources[2]; /* static: host files, the first that exists is used; NULL ends */
        char *file;             /* where the key was written, NULL with line 0 for the default */
        unsigned line;
        char *source;           /* at start: the host file picked; NULL in the plan */
        char *link;             /* at start, SYMLINK: "../usr/share/zoneinfo/Europe/Berlin" */
} PlanEtcFile;

/* LoadCredential= and SetCredential= (Encrypted or not), one entry per ID: LoadCredential='s
 * first, in file order, then the IDs only SetCredential= names. The start
 * reads each source as the host's root (spawn/credentials.c) into
 * Plan.credential_data; the tree build writes those into a ramfs at
 * Plan.credentials_directory (spawn/mount-credentials.c). */
typedef struct PlanCredential {
        char *id;
        char *source;           /* LoadCredential=: an absolute path (a file, or a directory of
                                 * them), or a name in the caller's $CREDENTIALS_DIRECTORY;
                                 * NULL: SetCredential= alone */
        bool encrypted;         /* LoadCredentialEncrypted=: what source gives is decrypted */
        bool has_value;         /* SetCredential= of this ID: its value is the credential when
                                 * there is no source, or (as systemd) when the source is missing */
        char *value;            /* ...its bytes: never printed, erased by plan_credentials_forget() */
        size_t size;
        bool value_encrypted;   /* SetCredentialEncrypted=: value is Base64 text to decrypt */
        char *value_file;       /* where SetCredential= of it was written, for the start's messages */
        unsigned value_line;
        char *file;             /* where the key was written (LoadCredential='s first) */
        unsigned line;
} PlanCredential;

/* At start: one file of the container's credentials directory. */
typedef struct PlanCredentialData {
        char *id;               /* its file name */
        char *data;             /* its bytes: never printed, erased when freed */
        size_t size;
} PlanCredentialData;

/* Where the container finds them (systemd-nspawn's place), and what
 * $CREDENTIALS_DIRECTORY says there. */
#define PLAN_CREDENTIALS_DIRECTORY "/run/host/credentials"

/* Why the start refuses a command whose path, or an interpreter's, passes a
 * /proc magic link (spawn/exec-interpreter.h), after "Exec=PATH: "; the
 * plan refuses a literal one with the same words (plan-exec-check.c). */
#define PLAN_EXEC_MAGIC_LINK_REFUSED \
        "a /proc magic link on the way (as /proc/self/exe, which would run cell's own binary in the container): refused"

typedef struct PlanIdMap {
        uint32_t inside;
        uint32_t outside;
        uint32_t count;
} PlanIdMap;

typedef enum PlanUsersMode {
        PLAN_USERS_HOST = 0,    /* no user namespace */
        PLAN_USERS_FIXED,       /* .uid_base/.count as written */
        PLAN_USERS_PICK,        /* a free range, first try at .uid_base (a hash of the name) */
        PLAN_USERS_ROOT_OWNER,  /* PrivateUsers=yes: the range starting at the root dir's owner */
} PlanUsersMode;

typedef enum PlanSeccompAction {
        PLAN_SECCOMP_ALLOW,
        PLAN_SECCOMP_ERRNO,     /* fail with .error */
        PLAN_SECCOMP_KILL,      /* kill the process */
        PLAN_SECCOMP_SUCCEED,   /* return 0 and do nothing (SuppressSync=) */
} PlanSeccompAction;

/* How a rule by argument compares it. */
typedef enum PlanSeccompCompare {
        PLAN_SECCOMP_MASKED_EQ, /* its low 32 bits, masked with mask, == value */
        PLAN_SECCOMP_NE,        /* the whole argument != value */
        PLAN_SECCOMP_GE,        /* the whole argument, unsigned, >= value */
} PlanSeccompCompare;

/* One comparison of a rule by argument: argument index, its low 32 bits
 * masked with mask, is value (MASKED_EQ: an ioctl request, which the kernel
 * reads as an unsigned int, so the high half must not let a call past;
 * open()'s flags with O_DSYNC set); or the whole argument is not, or is at
 * least, value (NE, GE; mask unused). */
typedef struct PlanSyscallArg {
        PlanSeccompCompare compare;
        unsigned index;
        uint32_t mask;
        uint32_t value;
        const char *name;       /* static: the value's name ("TIOCSTI") */
} PlanSyscallArg;

/* RestrictSUIDSGID= compares two arguments of open(): its flags and mode. */
#define PLAN_SYSCALL_ARGS_MAX 2

typedef struct PlanSyscallRule {
        char *name;             /* a single syscall name, groups already expanded */
        PlanSeccompAction action;
        int error;              /* for ERRNO */
        /* Only for calls whose arguments pass all n_args comparisons, each of
         * another argument; none: whatever the arguments. */
        unsigned n_args;
        PlanSyscallArg args[PLAN_SYSCALL_ARGS_MAX];
        /* Only for calls through this ABI's entry point (a libseccomp
         * SCMP_ARCH_* token: i386's old mmap(), which has x86-64's name);
         * 0: every ABI the filter covers. Such a rule, as one by argument,
         * can deny only: spawn/ puts it in the guard in front of the filter. */
        uint32_t abi;
} PlanSyscallRule;

/* The Protect*= keys of [Isolation] set (Plan.protect). */
typedef enum PlanProtect {
        PLAN_PROTECT_HOSTNAME = 1 << 0,
        PLAN_PROTECT_CLOCK = 1 << 1,
        PLAN_PROTECT_KERNEL_MODULES = 1 << 2,
        PLAN_PROTECT_KERNEL_LOGS = 1 << 3,
        PLAN_PROTECT_KERNEL_TUNABLES = 1 << 4,
        PLAN_PROTECT_CONTROL_GROUPS = 1 << 5,   /* the cgroup read-only even when delegated */
} PlanProtect;

typedef struct PlanRlimit {
        int resource;           /* RLIMIT_* */
        rlim_t soft, hard;      /* as the kernel takes them */
        char *value;            /* as the unit wrote it ("-1" of LimitNICE=, "8G"), which the start's
                                 * messages name; NULL: soft and hard are named */
} PlanRlimit;

/* One D-Bus property of the transient scope, marshalled by scope/ exactly as
 * typed here. Runtime-only properties (PIDs, PartOf= the calling service,
 * the IO limits of each disk found) are added by scope/, not planned. */
typedef struct PlanProperty {
        const char *name;       /* static: "MemoryMax", "CPUQuotaPerSecUSec", ... */
        const char *key;        /* static: the unit key it is made from ("MemoryMax", "CPUQuota"),
                                 * NULL for cell's own (Delegate, ...): plan_property_key() */
        const char *signature;  /* "t", "u", "i", "b", "s", "as", "ay", "a(ss)" */
        uint64_t t;             /* "t" */
        uint32_t u;             /* "u" */
        int32_t i;              /* "i" */
        bool b;                 /* "b" */
        char *s;                /* "s" */
        char **as;              /* "as"; "a(ss)" as flattened pairs: a0, b0, a1, b1, ... */
        uint8_t *ay;            /* "ay" */
        size_t ay_size;
} PlanProperty;

/* TasksMax= unset: systemd gives a scope its DefaultTasksMax=, 15% of the
 * system's tasks unless its system.conf says otherwise; the cgroupfs manager
 * gives the container the same, so that no manager leaves it unlimited. */
#define PLAN_DEFAULT_TASKS_MAX_PERMYRIAD 1500U

typedef struct PlanLimits {
        CellLimit memory_max, memory_high, memory_swap_max, tasks_max;
        CellLimit tasks_max_default;            /* TasksMax= unset: the cgroupfs manager's (systemd's own) */
        CellLimit memory_min, memory_low;       /* protections (cgroup2 only) */
        uint64_t cpu_quota_per_sec_usec;        /* USEC_INFINITY = unset */
        bool cpu_quota_period_set;              /* unset: the default period (100 ms) */
        uint64_t cpu_quota_period_usec;         /* as written, 0 too: cg_cpu_quota_period() clamps */
        uint64_t cpu_weight;                    /* 0 = unset */
        bool cpu_idle;                          /* CPUWeight=idle (cpu_weight 0) */
        uint64_t io_weight;                     /* 0 = unset */
        uint8_t *allowed_cpus;                  /* NULL = unset */
        size_t allowed_cpus_size;
        uint8_t *allowed_memory_nodes;          /* AllowedMemoryNodes=, as allowed_cpus (bit N: node N) */
        size_t allowed_memory_nodes_size;
        /* The Startup*= values: for systemd to apply while the system starts up
         * and shuts down (the normal ones otherwise); the cgroupfs manager has
         * no such phase and applies the normal ones only. Unset as above. */
        uint64_t startup_cpu_weight;
        bool startup_cpu_idle;
        uint64_t startup_io_weight;
        uint8_t *startup_allowed_cpus;
        size_t startup_allowed_cpus_size;
        uint8_t *startup_allowed_memory_nodes;
        size_t startup_allowed_memory_nodes_size;
        CellDeviceAllow *device_allow;          /* what the container may open, beyond the built-in nodes */
        size_t n_device_allow;
        CellIODevice *io_devices;               /* IODeviceWeight=, IOReadBandwidthMax= ..., as
                                                 * written: the start finds each disk, and adds
                                                 * them to the scope's properties (runtime-only) */
        size_t n_io_devices;
} PlanLimits;

/* A percentage (permyriad) on systemd's scale of "all there is" (MemoryMaxScale=,
 * TasksMaxScale=): 100% is UINT32_MAX. */
uint32_t plan_scale_from_permyriad(uint32_t permyriad);

/* Every Startup*= key l has, in that order (StartupCPUWeight,
 * StartupIOWeight, StartupAllowedCPUs, StartupAllowedMemoryNodes): how many. */
#define PLAN_STARTUP_KEYS_MAX 4
size_t plan_limits_startup_keys(const PlanLimits *l, const char *ret[static PLAN_STARTUP_KEYS_MAX]);

/* CPUQuotaPeriodSec= in usec as systemd keeps it: USEC_INFINITY for the default. */
static inline uint64_t plan_cpu_quota_period(const PlanLimits *l) {
        return l->cpu_quota_period_set ? l->cpu_quota_period_usec : USEC_INFINITY;
}

/* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity=: what the supervisor
 * sets on the child's PID, in its final cgroup, right before it lets it go
 * (spawn/spawn-sched.c). Each only when written: a unit without them costs no
 * syscall. */
typedef struct PlanSched {
        bool nice_set;
        int nice;                       /* -20..19 */
        bool cpu_set;                   /* a policy, a priority or reset-on-fork written */
        bool cpu_inherit;               /* reset-on-fork alone: on the policy and priority the child has */
        int cpu_policy;                 /* SCHED_*: SCHED_OTHER unless written */
        int cpu_priority;               /* within the policy's range (fifo, rr: 1 unless written) */
        bool cpu_reset_on_fork;
        bool io_set;
        int io_class;                   /* IOPRIO_CLASS_RT, _BE or _IDLE */
        int io_priority;                /* 0..7 */
        uint8_t *cpu_affinity;          /* bit N of byte N/8 = CPU N; NULL = unset */
        size_t cpu_affinity_size;
} PlanSched;

static inline bool plan_sched_any(const PlanSched *s) {
        return s->nice_set || s->cpu_set || s->io_set || s->cpu_affinity;
}

/* A network interface cell gives the container (Interface=, MACVLAN=,
 * IPVLAN=, VirtualEthernetExtra=). */
typedef struct PlanLink {
        char *host;             /* the host's interface: the one moved, or the parent; a
                                 * VirtualEthernetExtra= pair's host side */
        char *name;             /* its name in the container (at most 15 bytes: a longer
                                 * "mv-"/"iv-" name is shortened as nspawn's) */
} PlanLink;

typedef struct Plan {
        char *name;             /* "worker@3" */
        char *unit_path;        /* the main file */
        char **dropin_paths;    /* the drop-ins applied, in order (added: shown by "cell plan") */

        /* Namespaces created at clone: CLONE_NEWPID|CLONE_NEWNS|CLONE_NEWUTS|
         * CLONE_NEWIPC, plus CLONE_NEWNET, CLONE_NEWUSER, CLONE_NEWTIME as
         * configured. CLONE_NEWCGROUP is never here: the child unshares it
         * once it sits in its final cgroup (see cgroup_namespace). */
        unsigned long namespaces;
        bool cgroup_namespace;  /* always true today; kept explicit for the JSON */

        /* The root. */
        char *root_directory;   /* Directory=; NULL with an image */
        char *root_image;       /* Image=: the file system image the root is mounted from (a file,
                                 * attached to a loop device at the start, or a block device); its
                                 * mount is read-only with root_read_only (and squashfs, erofs
                                 * always); NULL with a directory */
        bool root_read_only;    /* ReadOnly=yes, or implied by Volatile= */
        CellVolatile root_volatile;

        /* Mounts in the order they are made, after the root is in place and
         * before pivot_root. PLAN_MOUNT_CGROUP entries are made later. */
        PlanMount *mounts;
        size_t n_mounts;

        /* /etc/resolv.conf and /etc/localtime, after the mounts. */
        PlanEtcFile resolv_conf;
        PlanEtcFile timezone;

        /* Users. */
        PlanUsersMode users_mode;
        uint32_t uid_base;      /* FIXED: as written; PICK: first candidate */
        uint32_t uid_count;
        PlanIdMap *uid_map;     /* FIXED only; PICK/ROOT_OWNER are decided at run time */
        size_t n_uid_map;
        PlanIdMap *gid_map;
        size_t n_gid_map;

        /* Identity, resolved inside the container (its /etc/passwd, /etc/group). */
        char *user;             /* NULL = root */
        char *group;            /* NULL = the user's primary group */
        char **supplementary_groups;
        char *working_directory;        /* absolute inside the root, or "~" */
        bool working_directory_missing_ok; /* WorkingDirectory=-...: "/" when it cannot be entered */
        mode_t umask;
        char *hostname;

        /* Privilege. */
        uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
        /* Capability=: these must be granted; the rest of the default set
         * only where cell itself holds it (a host whose own bounding set
         * lacks one, e.g. a service with CapabilityBoundingSet=). */
        uint64_t cap_required;
        /* No device policy holds the container (decided at the start,
         * cli/run-start.c): its root is mounted nodev, so that a device node
         * in the image opens nothing. */
        bool devices_unrestricted;
        bool no_new_privileges;
        /* ... set although the unit said NoNewPrivileges=no: no CAP_SYS_ADMIN
         * in the effective set, and the kernel takes the system call filter
         * only with no_new_privs then. The text plan says why. */
        bool no_new_privileges_implied;
        bool seccomp;                   /* false only if the filter was explicitly emptied */
        PlanSeccompAction seccomp_default_action;
        int seccomp_default_error;      /* for ERRNO */
        PlanSyscallRule *syscalls;      /* exceptions to the default action */
        bool suppress_sync;             /* SuppressSync=: its rules are in syscalls */
        size_t n_syscalls;
        /* SystemCallArchitectures=: the ABIs whose calls are filtered, the
         * native one first, libseccomp's SCMP_ARCH_* tokens; a call of any
         * other is killed. None: every ABI this machine runs, filtered alike. */
        uint32_t syscall_archs[CELL_SYSCALL_ARCHS_MAX];
        size_t n_syscall_archs;
        /* What these keys asked for; their rules are in syscalls. */
        bool restrict_namespaces;       /* RestrictNamespaces= restricts something */
        unsigned long namespaces_allowed; /* ...the CLONE_NEW* flags it leaves */
        bool restrict_address_families; /* RestrictAddressFamilies= */
        bool address_families_allow_list;
        uint64_t address_families;      /* bit N: family N */
        bool lock_personality;          /* LockPersonality=: personality(2) only to... */
        unsigned long locked_personality; /* ...this (Personality=, or PER_LINUX) */
        bool restrict_realtime;         /* RestrictRealtime=: no real-time scheduling */
        bool restrict_suid_sgid;        /* RestrictSUIDSGID=: no S_ISUID or S_ISGID bit set */
        bool memory_deny_write_execute; /* MemoryDenyWriteExecute=: no W|X memory, none made X */
        unsigned protect;               /* PlanProtect: their rules, mounts and capabilities are in place */
        PlanRlimit *rlimits;            /* only those set */
        size_t n_rlimits;
        bool oom_score_adjust_set;
        int oom_score_adjust;
        PlanSched sched;                /* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= */
        bool personality_set;           /* Personality=: set right before exec */
        unsigned long personality;      /* PER_LINUX or PER_LINUX32 */

        /* What runs. */
        char **argv;                    /* argv[0] is looked up in the container's PATH if not absolute */
        bool argv_expand;               /* argv is Exec='s: its variables are expanded at start from the
                                         * payload's environment (spawn_expand_argv()); never the
                                         * command line's, which its shell expanded */
        char **environment;             /* KEY=VALUE, final order, before EnvironmentFile= */
        CellEnvironmentFile *environment_files; /* read by the supervisor at start, in order */
        size_t n_environment_files;
        char **pass_environment;        /* the caller's variables passed through if set: "TERM",
                                         * then PassEnvironment= */
        char **unset_environment;       /* UnsetEnvironment=: names or KEY=VALUE, removed last */
        PlanCredential *credentials;    /* LoadCredential=, SetCredential= */
        size_t n_credentials;
        char *credentials_directory;    /* PLAN_CREDENTIALS_DIRECTORY with credentials, else NULL */
        PlanCredentialData *credential_data; /* at start (credentials_read()); NULL in the plan */
        size_t n_credential_data;
        bool boot;
        bool init;                      /* cell's reaper is PID 1, the payload PID 2 */
        bool notify_ready;
        char *notify_socket;            /* path inside the container: "/run/host/notify" */
        int kill_signal;                /* resolved: SIGTERM, or SIGRTMIN+3 with Boot=yes */
        uint64_t timeout_stop_usec;

        /* The cgroup: a transient systemd scope, or a cgroupfs directory of the same name. */
        char *scope_unit;               /* "cell-web.scope", unit-name escaped */
        char *slice;                    /* "machine.slice" */
        char *description;              /* "cell web: <Description=>" */
        PlanLimits limits;              /* typed, for the cgroupfs manager */
        PlanProperty *properties;       /* the same, typed for StartTransientUnit */
        size_t n_properties;

        /* systemd-machined (plan-machine.c). */
        bool register_machine;          /* Register=yes, or "cell run --register=yes" */
        char *machine_name;             /* what it is registered as ("web-3"); NULL without */
        /* MachineID=; the start decides the ID in force (spawn/machine-id.c) and
         * sets it here, when it registers or MachineID= is set. */
        bool machine_id_set;
        uint8_t machine_id[16];

        /* Network. */
        /* The machine name ("web-3" for "web@3", registered or not; as
         * plan_machine_name() also when that is no valid one): nspawn names
         * the veth after its machine name and hashes the MAC addresses of
         * the veths and macvlans from it. NULL without any of these. */
        char *network_machine_name;
        bool virtual_ethernet;
        /* VirtualEthernet=: the host side of the veth, nspawn's name for it:
         * "ve-NAME", "vb-NAME" on a bridge (Bridge=, Zone=); one longer
         * than 15 bytes is shortened (plan-network.c) and keeps the full
         * name as an alternative name, veth_host_altname (else NULL). */
        char *veth_host;
        char *veth_host_altname;
        char *bridge;
        char *zone;             /* Zone=: the bridge "vz-NAME" the veth joins, made on demand */
        PlanLink *veth_extras;  /* VirtualEthernetExtra=: a veth pair each, host side "host" */
        size_t n_veth_extras;
        PlanLink *interfaces;   /* Interface=: moved into the container (name: the same) */
        size_t n_interfaces;
        PlanLink *macvlans;     /* MACVLAN=: a macvlan (bridge mode) on host, "mv-HOST" inside */
        size_t n_macvlans;
        PlanLink *ipvlans;      /* IPVLAN=: an ipvlan (L2) on host, "iv-HOST" inside */
        size_t n_ipvlans;
        CellPort *ports;
        size_t n_ports;
        /* Port=: where the ports go, the container's first Address= of each
         * family that can be forwarded to (address_port_family()), without
         * its prefix: "10.0.0.2", "fd00::2"; NULL for a family without one
         * (at least one of them is there with ports). */
        char *ports_ipv4;
        char *ports_ipv6;
        /* The container's interface Address= and Gateway= configure: host0,
         * else the first Interface=, MACVLAN=, IPVLAN= (in that order); NULL
         * with none of them. */
        char *address_interface;
        char **addresses;       /* Address=: "10.0.0.2/24" on address_interface */
        char **gateways;        /* Gateway=: default routes via these */

        /* Where the unit set the keys the start may refuse (User=, Exec=,
         * LimitNOFILE=, ...; the list is plan-origin.c's), for its messages:
         * the drop-in's own path and line. Not in the JSON. Exec= has none
         * when "cell run NAME -- ARGS" replaced it. */
        CellOrigin *origins;
        size_t n_origins;
        size_t *entry_origins;  /* the limits' entries (limits.io_devices' positions, then
                                 * n_io_devices + DeviceAllow='s) by key, path and position:
                                 * plan_message_origin() finds one without a walk (NULL: walks) */
} Plan;

/* True when the supervisor puts interfaces into the container's network
 * namespace (VirtualEthernet=, Interface=, MACVLAN=, IPVLAN=,
 * VirtualEthernetExtra=): the child
 * is cloned into it and waits for them. */
bool plan_network_has_links(const Plan *p);

typedef struct PlanOptions {
        /* "cell run NAME -- ARGS": replaces Exec= (appended to init's argv with Boot=yes). */
        char * const *argv_override;
        /* (added) "cell verify": make every check, but leave the seccomp rule
         * list empty -- expanding and sorting it is most of plan_build()'s
         * time and verify prints no plan. Such a plan must not be run. */
        bool verify_only;
        /* "cell run --register=": > 0 yes, < 0 no, 0 the unit's Register=. */
        int register_machine;
} PlanOptions;

/* Erases and frees what the start read for LoadCredential= and
 * SetCredential= (Plan.credential_data). */
void plan_credential_data_erase(Plan *p);
/* That, and the SetCredential= values: once the container has them, nothing
 * of a credential stays in cell's memory (no other start can follow). */
void plan_credentials_forget(Plan *p);

/* Computes the plan. Pure: no syscalls, no files read. Returns 0, -ENOMEM,
 * or -EINVAL with each problem in diag (e.g. neither Exec= nor Boot=yes). */
int plan_build(const CellConfig *c, const PlanOptions *opts, Plan *ret, Diagnostics *diag);
void plan_done(Plan *p);
/* Takes the capabilities in mask out of every set, for what the start finds
 * on this host (cli/run.c: CAP_MKNOD where no device policy applies). */
void plan_withhold_capabilities(Plan *p, uint64_t mask);

/* The unit key a property StartTransientUnit gets is made from, for a
 * refusal's message: 0 and *ret_key ("CPUQuota" for "CPUQuotaPerSecUSec";
 * NULL for a property cell adds of its own accord, "Delegate", "PIDs"), or
 * -ENOENT for a name cell never sends. One table (plan-scope.c) for the
 * plan's properties and those scope/ adds (KillSignal, PIDs, the IO keys). */
int plan_property_key(const char *property, const char **ret_key);
/* The property's value as the unit writes its key ("5000%" for a
 * CPUQuotaPerSecUSec of 50 s, "idle", "infinity", "0-3"): "" for one of no
 * key or whose value is not one line's (DeviceAllow's list); a list too long
 * for buf ends after a whole item with "..."; returns buf. */
const char *plan_property_value(const PlanProperty *q, char *buf, size_t n);
/* A time span in the largest unit it is a whole number of, as a unit file
 * writes it: "infinity", "90s", "2min", "100ms", "2500us". */
void plan_format_usec(uint64_t usec, char *buf, size_t n);

/* (added) A deep copy of n properties, for whoever must keep them past the
 * plan (scope/); and its release. */
int plan_properties_copy(const PlanProperty *from, size_t n, PlanProperty **ret);
void plan_properties_free(PlanProperty *p, size_t n);

/* systemd-machined's rule for a machine name (a host name, at most 64
 * characters), and the name a unit registers as: its name with "@" and
 * the other characters a host name cannot hold made "-" ("web@3" is
 * "web-3"); -EINVAL when that is still no machine name. */
bool plan_machine_name_is_valid(const char *s);
int plan_machine_name(const char *name, char **ret);
/* The same name whether it is valid or not (for the links, with or
 * without Register=); NULL on OOM. */
char *plan_machine_name_mapped(const char *name);

/* Where the unit set key (its item-th item for SupplementaryGroups=,
 * EnvironmentFile=, PassEnvironment= (by the plan's list, TERM first) and
 * the dependencies After= ..., 0 for the others), or
 * NULL: a default, a value from the command line, a key the plan keeps no
 * origin for. */
const CellOrigin *plan_key_origin(const Plan *p, const char *key, size_t item);
/* That as "FILE:LINE: " into buf, or "" for none; returns buf. */
/* The key that names the root ("Directory" or "Image") and its value, for messages. */
const char *plan_root_key(const Plan *p);
const char *plan_root_source(const Plan *p);
/* The unit's mount a path inside the container is found on: the last made
 * at or above it, which lies over every one before (the masks come last);
 * NULL when that is one of cell's own. For the start's messages about what
 * cell makes there after the unit's mounts (/run/host/credentials). */
const PlanMount *plan_unit_mount_holding(const Plan *p, const char *path);
const char *plan_origin_prefix(const Plan *p, const char *key, size_t item, char *buf, size_t n);
/* The same for a start's message about a key, which begins "Key=value"
 * (spawn-error.h): of a list's item or an IO or DeviceAllow= entry the
 * value names, its line; of such a key as a whole ("Key=: ..."),
 * "FILE:LINE (and N more lines): " of its first line. "" for one that
 * begins otherwise (a mount's names its own origin) or about a key or
 * item the unit did not set. */
const char *plan_message_origin(const Plan *p, const char *message, char *buf, size_t n);
/* Where that is, unworded: its file, line and the key's further lines
 * (the "N more"); false, with file NULL, where it says "". */
typedef struct PlanOriginAt {
        const char *file;
        unsigned line;
        size_t more;
} PlanOriginAt;
bool plan_message_origin_at(const Plan *p, const char *message, PlanOriginAt *ret);
/* at as plan_message_origin() words it into buf; returns buf. */
const char *plan_origin_at_format(const PlanOriginAt *at, char *buf, size_t n);

/* Names used in the JSON and in messages ("bind", "fixed", "errno"); never NULL
 * ("unknown" for values out of range). */
const char *plan_mount_kind_to_string(PlanMountKind k);
const char *plan_users_mode_to_string(PlanUsersMode m);
const char *plan_seccomp_action_to_string(PlanSeccompAction a);
const char *plan_etc_mode_to_string(PlanEtcMode m);

/* Stable JSON: keys in a fixed order, no timestamps, documented in cell(1). */
int plan_print_json(const Plan *p, FILE *f);
/* Human-readable summary for "cell plan" without --json. */
int plan_print_text(const Plan *p, FILE *f);
