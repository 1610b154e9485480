/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names of everything the plan holds as numbers, for the JSON and the text. */

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "plan-internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const PlanFlagName plan_namespace_names[] = {
        { CLONE_NEWNS,     "mount"  },
        { CLONE_NEWPID,    "pid"    },
        { CLONE_NEWUTS,    "uts"    },
        { CLONE_NEWIPC,    "ipc"    },
        { CLONE_NEWNET,    "net"    },
        { CLONE_NEWUSER,   "user"   },
        { CLONE_NEWTIME,   "time"   },
        { CLONE_NEWCGROUP, "cgroup" },
};
const size_t plan_namespace_names_count = ELEMENTSOF(plan_namespace_names);

const PlanFlagName plan_mount_flag_names[] = {
        { MS_RDONLY, "ro"     },
        { MS_NOSUID, "nosuid" },
        { MS_NODEV,  "nodev"  },
        { MS_NOEXEC, "noexec" },
        { MS_REC,    "rec"    },
};
const size_t plan_mount_flag_names_count = ELEMENTSOF(plan_mount_flag_names);

/* Capability numbers are ABI: these do not change between kernels. */
static const char * const plan_capability_names[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
        "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
        "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};

const char *plan_capability_to_name(unsigned cap) {
        return cap < ELEMENTSOF(plan_capability_names) ? plan_capability_names[cap] : NULL;
}

static const char * const plan_rlimit_names[] = {
        [RLIMIT_CPU]        = "CPU",
        [RLIMIT_FSIZE]      = "FSIZE",
        [RLIMIT_DATA]       = "DATA",
        [RLIMIT_STACK]      = "STACK",
        [RLIMIT_CORE]       = "CORE",
        [RLIMIT_RSS]        = "RSS",
        [RLIMIT_NPROC]      = "NPROC",
        [RLIMIT_NOFILE]     = "NOFILE",
        [RLIMIT_MEMLOCK]    = "MEMLOCK",
        [RLIMIT_AS]         = "AS",
        [RLIMIT_LOCKS]      = "LOCKS",
        [RLIMIT_SIGPENDING] = "SIGPENDING",
        [RLIMIT_MSGQUEUE]   = "MSGQUEUE",
        [RLIMIT_NICE]       = "NICE",
        [RLIMIT_RTPRIO]     = "RTPRIO",
        [RLIMIT_RTTIME]     = "RTTIME",
};

const char *plan_rlimit_to_name(int resource) {
        if (resource < 0 || (size_t) resource >= ELEMENTSOF(plan_rlimit_names))
                return NULL;
        return plan_rlimit_names[resource];
}

const char *plan_volatile_to_string(CellVolatile v) {
        switch (v) {
        case CELL_VOLATILE_NO:
                return "no";
        case CELL_VOLATILE_YES:
                return "yes";
        case CELL_VOLATILE_STATE:
                return "state";
        case CELL_VOLATILE_OVERLAY:
                return "overlay";
        default:
                return "unknown";
        }
}

const char *plan_mount_kind_to_string(PlanMountKind k) {
        switch (k) {
        case PLAN_MOUNT_BIND:
                return "bind";
        case PLAN_MOUNT_FS:
                return "fs";
        case PLAN_MOUNT_DEVICE:
                return "device";
        case PLAN_MOUNT_SYMLINK:
                return "symlink";
        case PLAN_MOUNT_MASK:
                return "mask";
        case PLAN_MOUNT_READ_ONLY:
                return "read-only";
        case PLAN_MOUNT_WRITABLE:
                return "writable";
        case PLAN_MOUNT_OVERLAY:
                return "overlay";
        case PLAN_MOUNT_CGROUP:
                return "cgroup";
        case _PLAN_MOUNT_KIND_MAX:
        default:
                return "unknown";
        }
}

const char *plan_users_mode_to_string(PlanUsersMode m) {
        switch (m) {
        case PLAN_USERS_HOST:
                return "host";
        case PLAN_USERS_FIXED:
                return "fixed";
        case PLAN_USERS_PICK:
                return "pick";
        case PLAN_USERS_ROOT_OWNER:
                return "root-owner";
        default:
                return "unknown";
        }
}

const char *plan_seccomp_action_to_string(PlanSeccompAction a) {
        switch (a) {
        case PLAN_SECCOMP_ALLOW:
                return "allow";
        case PLAN_SECCOMP_ERRNO:
                return "errno";
        case PLAN_SECCOMP_KILL:
                return "kill";
        case PLAN_SECCOMP_SUCCEED:
                return "succeed";
        default:
                return "unknown";
        }
}

const char *plan_errno_to_string(int error, char *buf, size_t size) {
        const char *n = strerrorname_np(error);

        if (n)
                snprintf(buf, size, "%s", n);
        else
                snprintf(buf, size, "%d", error);
        return buf;
}

const char *plan_etc_mode_to_string(PlanEtcMode m) {
        switch (m) {
        case PLAN_ETC_OFF:
                return "off";
        case PLAN_ETC_BIND:
                return "bind";
        case PLAN_ETC_COPY:
                return "copy";
        case PLAN_ETC_REPLACE:
                return "replace";
        case PLAN_ETC_SYMLINK:
                return "symlink";
        case PLAN_ETC_SYMLINK_OR_BIND:
                return "symlink-or-bind";
        case PLAN_ETC_DELETE:
                return "delete";
        case _PLAN_ETC_MODE_MAX:
        default:
                return "unknown";
        }
}
