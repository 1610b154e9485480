/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "seccomp-filter.h"

static void seccomp_releasep(scmp_filter_ctx *c) {
        if (*c)
                seccomp_release(*c);
}

static uint32_t seccomp_action(PlanSeccompAction a, int error) {
        switch (a) {
        case PLAN_SECCOMP_ALLOW:
                return SCMP_ACT_ALLOW;
        case PLAN_SECCOMP_ERRNO:
                return SCMP_ACT_ERRNO((uint16_t) (error > 0 ? error : EPERM));
        case PLAN_SECCOMP_KILL:
                return SCMP_ACT_KILL_PROCESS;
        default:
                return SCMP_ACT_KILL_PROCESS;
        }
}

static bool rules_name(const PlanSyscallRule *rules, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(rules[i].name, name))
                        return true;
        return false;
}

static int seccomp_add(scmp_filter_ctx c, const char *name, uint32_t action, uint32_t default_action) {
        int nr, r;

        /* A name this architecture (or libseccomp) does not know has
         * nothing to filter here. */
        nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return 0;
        if (action == default_action)
                return 0;
        r = seccomp_rule_add(c, action, nr, 0);
        /* -EDOM/-EINVAL: a pseudo syscall not present on a secondary arch. */
        if (r == -EDOM || r == -EOPNOTSUPP)
                return 0;
        return r;
}

int seccomp_filter_build(PlanSeccompAction default_action, int default_error,
                         const PlanSyscallRule *rules, size_t n_rules, bool no_new_privs,
                         scmp_filter_ctx *ret, SpawnError *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx c = NULL;
        uint32_t def = seccomp_action(default_action, default_error);
        int r;

        c = seccomp_init(def);
        if (!c)
                return spawn_error(err, ENOMEM, "SystemCallFilter=: seccomp_init");

        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                /* The 32-bit entry points reach the same kernel: filter them too. */
                static const uint32_t secondary[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
                for (size_t i = 0; i < ELEMENTSOF(secondary); i++) {
                        r = seccomp_arch_add(c, secondary[i]);
                        if (r < 0 && r != -EEXIST)
                                return spawn_error(err, r, "SystemCallFilter=: adding a secondary architecture");
                }
        }

        r = seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, no_new_privs ? 1 : 0);
        if (r < 0)
                return spawn_error(err, r, "SystemCallFilter=: setting no_new_privs");

        for (size_t i = 0; i < n_rules; i++) {
                r = seccomp_add(c, rules[i].name, seccomp_action(rules[i].action, rules[i].error), def);
                if (r < 0)
                        return spawn_error(err, r, "SystemCallFilter=: adding %s", rules[i].name);
        }

        if (default_action != PLAN_SECCOMP_ALLOW) {
                static const char *const exec_calls[] = { "execve", "execveat" };
                for (size_t i = 0; i < ELEMENTSOF(exec_calls); i++) {
                        if (rules_name(rules, n_rules, exec_calls[i]))
                                continue;
                        r = seccomp_add(c, exec_calls[i], SCMP_ACT_ALLOW, def);
                        if (r < 0)
                                return spawn_error(err, r, "SystemCallFilter=: allowing %s", exec_calls[i]);
                }
        }

        *ret = TAKE_PTR(c);
        return 0;
}

int seccomp_filter_load(PlanSeccompAction default_action, int default_error,
                        const PlanSyscallRule *rules, size_t n_rules, bool no_new_privs,
                        SpawnError *err) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx c = NULL;
        int r;

        r = seccomp_filter_build(default_action, default_error, rules, n_rules, no_new_privs, &c, err);
        if (r < 0)
                return r;
        r = seccomp_load(c);
        if (r < 0)
                return spawn_error(err, r, "SystemCallFilter=: loading the seccomp filter");
        return 0;
}
