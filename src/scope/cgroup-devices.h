/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's device policy as a cgroup2 device filter
 * (BPF_PROG_TYPE_CGROUP_DEVICE), built and attached by cell itself instead
 * of asking systemd for DevicePolicy=closed + DeviceAllow=: deny every device
 * by default, allow an access only when one rule covers it. Library code: no
 * logging, -errno returns, ret_* untouched on failure, every fd O_CLOEXEC. */

#include <stddef.h>

struct bpf_insn;

typedef enum CgroupDeviceAccess {
        CGROUP_DEVICE_READ  = 1,
        CGROUP_DEVICE_WRITE = 2,
        CGROUP_DEVICE_MKNOD = 4,
} CgroupDeviceAccess;

#define CGROUP_DEVICE_ALL (CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE | CGROUP_DEVICE_MKNOD)

typedef struct CgroupDeviceRule {
        char type;              /* 'c' or 'b' */
        int major, minor;       /* -1: any */
        unsigned access;        /* CgroupDeviceAccess bits */
} CgroupDeviceRule;

/* Parse "rwm"-style perms (subset of r, w, m; empty/NULL = "rwm"); -EINVAL otherwise. */
int cgroup_device_access_from_string(const char *perms, unsigned *ret);

/* Resolve one DeviceAllow= entry as systemd does:
 *   "/dev/..."   stat() it: a char or block node gives one rule for its
 *                major:minor; a path that does not exist gives no rule and
 *                returns 0 (systemd skips it too); anything else that is
 *                not a device node: -ENODEV. "/dev/char/MAJ:MIN" and
 *                "/dev/block/MAJ:MIN" are that number, not stat()ed (as
 *                systemd: a host without udev's links has none).
 *   "char-NAME", "block-NAME"
 *                every major whose name in /proc/devices (its "Character
 *                devices:" or "Block devices:" section) matches the fnmatch()
 *                pattern NAME, minor any; "char-*" / "block-*" is one rule
 *                for the whole type (major and minor any).
 * Anything else: -EINVAL. proc_devices is the file to read (NULL:
 * /proc/devices). Appends to *rules / *n_rules (both unchanged on failure);
 * returns the number of rules appended. */
int cgroup_devices_resolve(const char *spec, const char *perms, const char *proc_devices,
                           CgroupDeviceRule **rules, size_t *n_rules);

/* The program, as a new array: deny by default, allow an access only when
 * one rule matches type, major and minor and covers every requested access
 * bit. -EINVAL for a malformed rule, -E2BIG beyond BPF_MAXINSNS. */
int cgroup_devices_build(const CgroupDeviceRule *rules, size_t n_rules,
                         struct bpf_insn **ret_insns, size_t *ret_n);

/* Build and load it (BPF_PROG_LOAD). The fd is O_CLOEXEC. */
int cgroup_devices_load(const CgroupDeviceRule *rules, size_t n_rules, int *ret_prog_fd);
/* Load a program cgroup_devices_build() made. */
int cgroup_devices_load_insns(const struct bpf_insn *insns, size_t n, int *ret_prog_fd);

/* The same, pinned (cgroup-devices-pin.c): the program the rules make is taken
 * from bpffs/cell/devices-HASH when one is pinned there whose instructions,
 * as the kernel reports them, are exactly these; else it is loaded and pinned
 * there (by rename: a reader sees the old one, the new one or none), so that
 * later starts skip the kernel's verifier and JIT. bpffs: a BPF filesystem
 * (NULL: /sys/fs/bpf, where systemd mounts one); its cell/ directory is used
 * only when it is ours alone (our uid, mode 0700). $CELL_BPF_PIN=0 turns it
 * off. Returns what happened (>= 0) or, when no program could be had, -errno
 * of the load. Logs at debug level only. */
typedef enum CgroupDevicesPin {
        CGROUP_DEVICES_PIN_OFF,         /* loaded; no pinning here (off, no BPF filesystem, not ours) */
        CGROUP_DEVICES_PIN_HIT,         /* the pinned one */
        CGROUP_DEVICES_PIN_STORED,      /* loaded and pinned */
        CGROUP_DEVICES_PIN_MISS,        /* loaded; pinning it failed */
        _CGROUP_DEVICES_PIN_MAX,
} CgroupDevicesPin;

#define CGROUP_DEVICES_BPFFS "/sys/fs/bpf"

int cgroup_devices_load_pinned(const CgroupDeviceRule *rules, size_t n_rules, const char *bpffs, int *ret_prog_fd);
const char *cgroup_devices_pin_to_string(CgroupDevicesPin p);

/* Attach to an open cgroup2 directory with BPF_F_ALLOW_MULTI: programs of
 * ancestors (systemd's) and of a delegated container's own descendants all
 * run, and every one must allow. The attachment lives as long as the cgroup. */
int cgroup_devices_attach(int prog_fd, int cgroup_fd);
/* How many device programs apply to an open cgroup2 directory: its own and
 * its ancestors' (BPF_F_QUERY_EFFECTIVE), or -errno (-EPERM: no bpf() for us). */
int cgroup_devices_count(int cgroup_fd);
