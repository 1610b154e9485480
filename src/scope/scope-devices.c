/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The container's device policy wherever there is a cgroup2 tree: cell's own BPF device
 * filter (cgroup-devices.c), attached to the container's cgroup before the
 * payload runs, in place of DevicePolicy=closed + DeviceAllow= for systemd.
 *
 * Why not systemd's: PID 1 loads a BPF program for every scope it starts
 * (~0.7 ms of its CPU here), on the start's critical path and serially for a
 * boot storm. cell loads the same policy in its own process (~0.1-0.2 ms, just
 * before StartTransientUnit; once per policy, then pinned: cgroup-devices-pin.c)
 * and attaches it when the job is done, before the payload may run (crun and
 * runc do the same).
 * The cgroupfs manager gets the policy it lacked. On a hybrid host the
 * program sits on the container's cgroup in the unified tree, with systemd
 * (whose v1 devices controller cost PID 1 0.38 ms per scope on the start's
 * path, tests/bench/RESULTS.md, change 23) as with cgroupfs: the kernel asks
 * cgroup2's programs as well as the v1 devices controller, which then allows
 * what its parent allows. As root only: the user manager cannot attach one
 * either. Where the kernel refuses cell the program, systemd is asked for
 * DevicePolicy= after all (v1's controller on a hybrid host).
 *
 * The rules are the plan's DeviceAllow property (the built-in nodes and the
 * unit's DeviceAllow=), resolved when the scope is made. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-devices.h"
#include "cgroup-util.h"
#include "log.h"
#include "scope-internal.h"
#include "strv.h"

/* systemd's cgroup2 tree beside the v1 controllers (its hybrid mode). */
#define HYBRID_UNIFIED_DIR "/sys/fs/cgroup/unified"

/* Whether systemd keeps every unit's cgroup in the cgroup2 tree u: alone, or
 * beside v1 at /sys/fs/cgroup/unified (its hybrid mode). Then a scope's filter
 * is cell's; else systemd's v1 devices controller enforces the policy. */
static bool units_in_tree(const CgroupMount *u, const CgroupMount *mounts, size_t n_mounts) {
        return u && (!cg_mounts_have_v1_controllers(mounts, n_mounts) || streq(u->where, HYBRID_UNIFIED_DIR));
}

/* "FILE:LINE: " of the unit's DeviceAllow= entry that is from_end-th from the
 * end of the property (the unit's entries follow the built-in nodes), as
 * "cell verify" names it: with drop-ins, the key alone does not say which
 * file. Empty for a built-in node, or a plan that names no file. */
static void scope_device_origin(const Plan *p, size_t from_end, const char *path, char *buf, size_t n) {
        const CellDeviceAllow *d;

        buf[0] = 0;
        if (from_end == 0 || from_end > p->limits.n_device_allow)
                return;
        d = p->limits.device_allow + p->limits.n_device_allow - from_end;
        if (d->line == 0 || !d->file || !streq_ptr(d->path, path))
                return;
        (void) snprintf(buf, n, "%s:%u: ", d->file, d->line);
}

int scope_devices_prepare(Scope *s, const Plan *p, bool user_bus) {
        const PlanProperty *allow = NULL;
        int r;

        s->devices_prog_fd = -EBADF;
        if (user_bus || geteuid() != 0)
                return 0;
        for (size_t i = 0; i < p->n_properties; i++)
                if (streq(p->properties[i].name, "DeviceAllow"))
                        allow = p->properties + i;
        if (!allow)
                return 0;               /* a plan without a device policy (tests) */
        /* The cgroup2 mount, kept: after the job, attach_pid() then reads only the
         * child's /proc/PID/cgroup, not mountinfo again. */
        CgroupMount *mounts = NULL;
        size_t n_mounts = 0;
        r = cg_read_mounts(&mounts, &n_mounts);
        if (r < 0)
                return r;
        const CgroupMount *u = cg_mount_find(mounts, n_mounts, NULL);
        bool tracked = units_in_tree(u, mounts, n_mounts);
        if (u) {
                s->devices_v2.where = strdup(u->where);
                s->devices_v2.root = strdup(u->root);
                s->devices_v2.unified = true;
        }
        cg_mount_free(mounts, n_mounts);
        if (!u)
                return 0;               /* no cgroup2 at all: systemd's v1 DevicePolicy=, as before */
        if (!s->devices_v2.where || !s->devices_v2.root)
                return -ENOMEM;

        /* DeviceAllow "a(ss)": path and access pairs, in order, the unit's last. */
        size_t n_pairs = 0;
        while (allow->as && allow->as[2 * n_pairs] && allow->as[2 * n_pairs + 1])
                n_pairs++;
        for (size_t i = 0; i < n_pairs; i++) {
                const char *path = allow->as[2 * i], *perms = allow->as[2 * i + 1];
                char origin[PATH_MAX + 32] = "";

                r = cgroup_devices_resolve(path, perms, NULL, &s->devices_rules, &s->n_devices_rules);
                if (r > 0)
                        continue;
                scope_device_origin(p, n_pairs - i, path, origin, sizeof origin);
                if (r == 0) {
                        /* Skipped, as systemd does, with a warning (systemd's for a missing
                         * path): a typo (char-fues) would leave the device refused unnoticed. */
                        if (n_pairs - i <= p->limits.n_device_allow)
                                log_warning("%sDeviceAllow=%s %s: %s, skipped", origin, path, perms,
                                            startswith(path, "/dev/") ? "no such device node here" :
                                                                         "no such device type in /proc/devices");
                        continue;
                }
                return scope_set_error(s, r, "%sDeviceAllow=%s %s: %s", origin, path, perms,
                                       r == -ENODEV ? "not a device node" : strerror(-r));
        }
        /* A cgroup2 tree systemd does not keep its units in: systemd's v1 devices
         * controller for a scope; the cgroupfs manager, which has no other way, takes
         * ours onto its own cgroup there (scope_devices_own_hybrid()). */
        s->devices_own = tracked;
        return 0;
}

void scope_devices_own_hybrid(Scope *s) {
        /* Rules resolved: prepare() found a cgroup2 tree (and did not fail). */
        if (s->devices_v2.where)
                s->devices_own = true;
}

int scope_devices_load(Scope *s) {
        int r;

        if (!s->devices_own || s->devices_prog_fd >= 0)
                return 0;
        /* The pinned one when there is one: no verifier and JIT at every start. */
        r = cgroup_devices_load_pinned(s->devices_rules, s->n_devices_rules, NULL, &s->devices_prog_fd);
        if (r >= 0)
                log_debug("Device filter: %s.", cgroup_devices_pin_to_string(r));
        if (r == -EPERM || r == -ENOSYS || r == -EOPNOTSUPP) {
                /* No BPF for us (a seccomp filter around cell, a kernel without it).
                 * With systemd: it is asked for DevicePolicy= instead (PID 1 is not
                 * under our filter). cgroupfs: what systemd does without BPF --
                 * go on, unrestricted, and say so. */
                s->devices_own = false;
                if (s->manager != CGROUP_MANAGER_SYSTEMD)
                        s->devices_unrestricted = r;
                return 0;
        }
        if (r < 0)
                return scope_set_error(s, r, "cannot load the device policy (a BPF program): %s", strerror(-r));
        return 0;
}

int scope_devices_attach_fd(Scope *s, int cgroup_fd) {
        int r;

        if (!s->devices_own)
                return 0;
        r = scope_devices_load(s);
        if (r < 0 || !s->devices_own)
                return r;
        r = cgroup_devices_attach(s->devices_prog_fd, cgroup_fd);
        if (r == -EPERM && s->manager != CGROUP_MANAGER_SYSTEMD) {
                /* An ancestor's program that allows no others below it: with cgroupfs
                 * the same as no BPF at all (systemd's own attach would fail there too). */
                s->devices_own = false;
                s->devices_unrestricted = r;
                return 0;
        }
        if (r < 0)
                return scope_set_error(s, r, "cannot attach the device policy to the container's cgroup: %s",
                                       strerror(-r));
        s->devices_attached = true;
        return 0;
}

int scope_devices_attach_member(Scope *s, const CgroupMembership *m, size_t n) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!s->devices_own)
                return 0;
        const char *path = cg_membership_path(m, n, NULL);
        /* The scope's own cgroup and nothing above it: a filter there would
         * restrict the processes of others. */
        const char *base = path ? strrchr(path, '/') : NULL;
        if (s->manager == CGROUP_MANAGER_SYSTEMD && (!base || !streq_ptr(base + 1, s->unit)))
                return scope_set_error(s, -EXDEV, "the container's cgroup2 cgroup %s is not its scope's (%s)",
                                       strna(path), strna(s->unit));
        dir = path ? cg_mount_path(&s->devices_v2, path) : NULL;
        if (!dir) {
                r = path ? -ENOMEM : -ENOENT;
                return scope_set_error(s, r, "cannot find the container's cgroup: %s", strerror(-r));
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                return scope_set_error(s, r, "cannot open the container's cgroup %s: %s", dir, strerror(-r));
        }
        return scope_devices_attach_fd(s, fd);
}

const char *scope_devices_enforcer(CgroupManager manager, bool user_bus) {
        bool root = geteuid() == 0 && !user_bus;

        switch (manager) {
        case CGROUP_MANAGER_SYSTEMD: {
                /* The same decision as scope_devices_prepare(). */
                CgroupMount *mounts = NULL;
                size_t n_mounts = 0;
                bool ours = root && cg_read_mounts(&mounts, &n_mounts) >= 0 &&
                            units_in_tree(cg_mount_find(mounts, n_mounts, NULL), mounts, n_mounts);
                cg_mount_free(mounts, n_mounts);
                return ours ? "closed, enforced by cell (a BPF program on the scope's cgroup)" :
                              "closed, enforced by systemd (DevicePolicy=closed)";
        }
        case CGROUP_MANAGER_CGROUPFS:
                if (cg_layout() < CGROUP_LAYOUT_HYBRID)
                        return "not enforced (no cgroup2 tree here): no CAP_MKNOD without PrivateUsers=";
                return root ? "closed, enforced by cell (a BPF program on its cgroup)"
                            : "not enforced (cell is not root)";
        case CGROUP_MANAGER_NONE:
                return "not enforced (no cgroup): no CAP_MKNOD without PrivateUsers=";
        case CGROUP_MANAGER_AUTO:
        case _CGROUP_MANAGER_MAX:
        default:
                return "unknown";
        }
}

int scope_devices_unrestricted(const Scope *s) {
        return s ? s->devices_unrestricted : 0;
}

bool scope_devices_restricted(const Scope *s) {
        if (!s)
                return false;
        switch (s->manager) {
        case CGROUP_MANAGER_SYSTEMD:
                return true;
        case CGROUP_MANAGER_CGROUPFS:
                return s->devices_attached;
        case CGROUP_MANAGER_NONE:
        case CGROUP_MANAGER_AUTO:
        case _CGROUP_MANAGER_MAX:
        default:
                return false;
        }
}

void scope_devices_free(Scope *s) {
        s->devices_prog_fd = safe_close(s->devices_prog_fd);
        s->devices_rules = mfree(s->devices_rules);
        s->n_devices_rules = 0;
        s->devices_v2.where = mfree(s->devices_v2.where);
        s->devices_v2.root = mfree(s->devices_v2.root);
}
