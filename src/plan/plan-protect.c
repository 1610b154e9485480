/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ProtectHostname=, ProtectClock=, ProtectKernelModules=,
 * ProtectKernelLogs=, ProtectKernelTunables= and ProtectControlGroups= of
 * systemd.exec(5), for a container that has its own namespaces and cell's
 * defaults already: each adds here only what those lack. The system call
 * halves are systemd 252's rules in cell's one filter (its seccomp-util.c),
 * the file system halves its paths (namespace.c) that cell does not already
 * mask or mount read-only, the capabilities it takes out of the bounding
 * set likewise. */

#include <errno.h>
#include <linux/capability.h>
#include <sys/mount.h>

#include "plan-internal.h"
#include "syscall-groups.h"

const PlanFlagName plan_protect_names[] = {
        { PLAN_PROTECT_HOSTNAME, "hostname" },
        { PLAN_PROTECT_CLOCK, "clock" },
        { PLAN_PROTECT_KERNEL_MODULES, "kernel_modules" },
        { PLAN_PROTECT_KERNEL_LOGS, "kernel_logs" },
        { PLAN_PROTECT_KERNEL_TUNABLES, "kernel_tunables" },
        { PLAN_PROTECT_CONTROL_GROUPS, "control_groups" },
};
const size_t plan_protect_names_count = ELEMENTSOF(plan_protect_names);

unsigned plan_protect_flags(const CellConfig *c) {
        return (c->protect_hostname ? PLAN_PROTECT_HOSTNAME : 0) |
                (c->protect_clock ? PLAN_PROTECT_CLOCK : 0) |
                (c->protect_kernel_modules ? PLAN_PROTECT_KERNEL_MODULES : 0) |
                (c->protect_kernel_logs ? PLAN_PROTECT_KERNEL_LOGS : 0) |
                (c->protect_kernel_tunables ? PLAN_PROTECT_KERNEL_TUNABLES : 0) |
                (c->protect_control_groups ? PLAN_PROTECT_CONTROL_GROUPS : 0);
}

/* The calls each key refuses with EPERM, as systemd 252: the hostname and
 * domain name (the container's UTS namespace is its own, but a payload with
 * CAP_SYS_ADMIN could rename it under its supervisor); the clocks (@clock);
 * the modules (@module: cell's default deny list has them already); the
 * kernel log (syslog(2), which /proc/kmsg's masking does not cover). */
static const struct {
        unsigned flag;
        const char *calls[3];   /* names or one @group */
} protect_calls[] = {
        { PLAN_PROTECT_HOSTNAME, { "sethostname", "setdomainname" } },
        { PLAN_PROTECT_CLOCK, { "@clock" } },
        { PLAN_PROTECT_KERNEL_MODULES, { "@module" } },
        { PLAN_PROTECT_KERNEL_LOGS, { "syslog" } },
};

int plan_protect_seccomp(const Plan *p, SeccompBuilder *b) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(protect_calls); i++) {
                if (!(p->protect & protect_calls[i].flag))
                        continue;
                for (size_t k = 0; k < ELEMENTSOF(protect_calls[i].calls) && protect_calls[i].calls[k]; k++) {
                        const char *name = protect_calls[i].calls[k];
                        const char *single[] = { name, NULL };
                        const char * const *members = name[0] == '@' ? syscall_group_members(name) : single;

                        for (const char * const *m = members; m && *m; m++) {
                                /* A call already denied keeps its action. */
                                if (plan_seccomp_denied(b, *m))
                                        continue;
                                r = plan_seccomp_add(b, *m, PLAN_SECCOMP_ERRNO, EPERM);
                                if (r < 0)
                                        return r;
                        }
                }
        }
        return 0;
}

/* The capabilities each key takes out of every set, as systemd 252 does
 * from the bounding set: even one Capability= named. */
uint64_t plan_protect_capabilities(unsigned protect) {
        return ((protect & PLAN_PROTECT_CLOCK) ?
                (UINT64_C(1) << CAP_SYS_TIME) | (UINT64_C(1) << CAP_WAKE_ALARM) : 0) |
                ((protect & PLAN_PROTECT_KERNEL_MODULES) ? UINT64_C(1) << CAP_SYS_MODULE : 0) |
                ((protect & PLAN_PROTECT_KERNEL_LOGS) ? UINT64_C(1) << CAP_SYSLOG : 0);
}

/* systemd 252's paths that cell's default mounts (plan-mount.c) leave as
 * they are, masked or made read-only where the container has them. */
static const struct {
        unsigned flag;
        PlanMountKind kind;
        const char *path;
} protect_paths[] = {
        /* Kernel settings and counters a write changes for the whole host
         * (/proc/kallsyms, /proc/apm and /proc/asound are every container's:
         * plan-mount.c, as nspawn's). */
        { PLAN_PROTECT_KERNEL_TUNABLES, PLAN_MOUNT_READ_ONLY, "/proc/latency_stats" },
        { PLAN_PROTECT_KERNEL_TUNABLES, PLAN_MOUNT_READ_ONLY, "/proc/mtrr" },
        { PLAN_PROTECT_KERNEL_TUNABLES, PLAN_MOUNT_READ_ONLY, "/proc/timer_stats" },
        /* The host's kernel log, whoever may read it. */
        { PLAN_PROTECT_KERNEL_LOGS, PLAN_MOUNT_MASK, "/proc/kmsg" },
        { PLAN_PROTECT_KERNEL_LOGS, PLAN_MOUNT_MASK, "/dev/kmsg" },
        /* Module files: the image's own, or the host's through a bind. */
        { PLAN_PROTECT_KERNEL_MODULES, PLAN_MOUNT_MASK, "/lib/modules" },
        { PLAN_PROTECT_KERNEL_MODULES, PLAN_MOUNT_MASK, "/usr/lib/modules" },
};

int plan_protect_mounts(Plan *p) {
        PlanMount *m;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(protect_paths); i++) {
                if (!(p->protect & protect_paths[i].flag))
                        continue;
                r = plan_mount_append(p, protect_paths[i].kind, NULL, protect_paths[i].path, NULL,
                                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
                                      (protect_paths[i].kind == PLAN_MOUNT_READ_ONLY ? MS_REC : 0),
                                      NULL, &m);
                if (r < 0)
                        return r;
                m->optional = true;
        }
        return 0;
}
