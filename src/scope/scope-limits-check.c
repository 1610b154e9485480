/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What a systemd scope must hold before GO (scope-internal.h): the limits
 * systemd dropped for want of a controller, the CPU and node lists it
 * refused, and the device policy on the child's cgroups. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scope-internal.h"

static const char *const cpuset_key[_SCOPE_CPUSET_MAX] = { "AllowedCPUs", "AllowedMemoryNodes" };
static const char *const cpuset_startup_key[_SCOPE_CPUSET_MAX] = { "StartupAllowedCPUs", "StartupAllowedMemoryNodes" };
static const char *const cpuset_file[_SCOPE_CPUSET_MAX] = { "cpuset.cpus", "cpuset.mems" };
static const char *const cpuset_possible[_SCOPE_CPUSET_MAX] = { "/sys/devices/system/cpu/possible",
                                                                "/sys/devices/system/node/possible" };

/* What limits_check() is to find in the scope's cpuset files: l's lists as the
 * kernel shows them. */
int scope_cpuset_expect(Scope *s, const PlanLimits *l) {
        const struct {
                const uint8_t *set;
                size_t size;
                char **ret;
        } lists[] = {
                { l->allowed_cpus, l->allowed_cpus_size, &s->cpuset[SCOPE_CPUSET_CPUS] },
                { l->startup_allowed_cpus, l->startup_allowed_cpus_size, &s->cpuset_startup[SCOPE_CPUSET_CPUS] },
                { l->allowed_memory_nodes, l->allowed_memory_nodes_size, &s->cpuset[SCOPE_CPUSET_MEMS] },
                { l->startup_allowed_memory_nodes, l->startup_allowed_memory_nodes_size,
                  &s->cpuset_startup[SCOPE_CPUSET_MEMS] },
        };

        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                if (lists[i].set && cg_format_cpuset(lists[i].set, lists[i].size, lists[i].ret) == -ENOMEM)
                        return -ENOMEM;
        return 0;
}

int scope_limits_unmet_error(Scope *s, const CgroupNeed *u, const CgroupMembership *m, size_t n) {
        const char *v1 = u->v1 ? cg_membership_path(m, n, u->v1) : NULL;
        size_t lp = v1 ? strlen(v1) : 0, ll = strlen(s->unit);

        /* A key systemd sets on cgroup2 only (MemoryHigh=, IOReadIOPSMax=, ...),
         * with the scope's controller on a v1 hierarchy (the hybrid layout):
         * systemd has the controller, and sets MemoryMax= there, not this key. */
        if (u->v2_only && lp > ll && v1[lp - ll - 1] == '/' && streq(v1 + lp - ll, s->unit))
                return scope_set_error(s, -EOPNOTSUPP, "%s=: systemd sets this key on cgroup2 only, and %s has "
                                       "its %s controller on cgroup v1 here (the \"%s\" hierarchy), so the limit "
                                       "would not be enforced", u->key, s->unit, u->controller, u->v1);
        return scope_set_error(s, -EOPNOTSUPP, "%s=: systemd has no %s controller for %s, so the limit would "
                               "not be enforced (this host's cgroup tree lacks it, the slice may not use "
                               "it, or systemd does not support it on cgroup v1)",
                               u->key, u->controller, s->unit);
}

/* systemd applies a limit only where it has the controller, and drops the rest
 * without a word: on a host whose cgroup tree lacks it, in a slice it may not
 * use there (DisableControllers=), cpuset on cgroup v1. The scope then shows
 * the property but nothing enforces it. The cgroupfs manager refuses such a
 * unit when it enables the controllers; here it is refused before GO. */
static int limits_check(Scope *s, pid_t pid, const CgroupMembership *m, size_t n) {
        _cleanup_free_ char *dir = NULL, *path = NULL, *controllers = NULL;
        const char *v2 = cg_membership_path(m, n, NULL);

        if (s->n_needs == 0)
                return 0;
        if (v2 && cg_v2_dir(pid, v2, &dir) >= 0) {
                if (asprintf(&path, "%s/cgroup.controllers", dir) < 0)
                        return -ENOMEM;
                (void) cg_read_file(path, &controllers);
        }
        const CgroupNeed *u = cg_limits_unmet(s->needs, s->n_needs, m, n, s->unit, controllers);
        if (u)
                return scope_limits_unmet_error(s, u, m, n);
        /* A CPU or node list the kernel refuses (a CPU this machine does not
         * have) is dropped by systemd with a warning in its log: the scope would
         * run on every CPU. Only cgroup2 holds it here (cg_limits_needs_systemd()). */
        for (ScopeCpuset i = 0; dir && i < _SCOPE_CPUSET_MAX; i++) {
                _cleanup_free_ char *text = NULL, *file = NULL;
                if (!s->cpuset[i] && !s->cpuset_startup[i])
                        continue;
                if (asprintf(&file, "%s/%s", dir, cpuset_file[i]) < 0)
                        return -ENOMEM;
                (void) cg_read_file(file, &text);
                if (cg_limits_cpuset_holds(text, s->cpuset[i], s->cpuset_startup[i])) {
                        /* Held, but cgroup2 runs a list that shares nothing with
                         * the slice's on the slice's CPUs (nodes) instead. */
                        _cleanup_free_ char *effective = NULL, *eff_file = NULL;
                        if (isempty(text))
                                continue;
                        if (asprintf(&eff_file, "%s.effective", file) < 0)
                                return -ENOMEM;
                        if (cg_read_file(eff_file, &effective) < 0)
                                continue;
                        text[strcspn(text, "\n")] = 0;
                        effective[strcspn(effective, "\n")] = 0;
                        if (!cg_limits_cpuset_disjoint(text, effective))
                                continue;
                        return scope_set_error(s, -EINVAL, "%s=%s: none of these is among those of %s's slice, "
                                               "and cgroup2 runs the container on the slice's instead (%s=%s)",
                                               s->cpuset[i] ? cpuset_key[i] : cpuset_startup_key[i], text, s->unit,
                                               eff_file, effective);
                }
                /* Which of them this machine does not have: the start names
                 * those, and the lines they came from. */
                const char *want = s->cpuset[i] ?: s->cpuset_startup[i];
                _cleanup_free_ char *possible = NULL, *outside = NULL;
                if (cg_read_file(cpuset_possible[i], &possible) < 0 ||
                    cg_limits_cpuset_outside(want, possible, &outside) < 0)
                        outside = NULL;
                return scope_set_error(s, -EINVAL, "%s=%s: systemd could not set %s=%s for %s (the kernel refuses %s "
                                       "this machine does not have, see systemd's log), so the limit would not "
                                       "be enforced", s->cpuset[i] ? cpuset_key[i] : cpuset_startup_key[i],
                                       strempty(outside), cpuset_file[i], want, s->unit,
                                       i == SCOPE_CPUSET_CPUS ? "CPUs" : "NUMA nodes");
        }
        return 0;
}

/* The steps between systemd's job and GO, on the child's cgroups. */
int scope_check_and_attach(Scope *s, pid_t pid) {
        CgroupMembership *m = NULL;
        size_t n = 0;
        int r;

        if (s->n_needs == 0 && !s->devices_own)
                return 0;
        /* The child is ours and blocked until GO: its cgroups are the scope's. */
        r = cg_read_membership(pid, &m, &n);
        if (r < 0)
                return scope_set_error(s, r, "cannot read the container's cgroups (PID %d): %s", (int) pid, strerror(-r));
        /* No payload runs without a limit its unit asks for. */
        r = limits_check(s, pid, m, n);
        /* The device policy is in force before GO lets the payload run. */
        if (r >= 0)
                r = scope_devices_attach_member(s, m, n);
        cg_membership_free(m, n);
        return r;
}
