/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ProtectHostname=, ProtectClock=, ProtectKernelModules=,
 * ProtectKernelLogs=, ProtectKernelTunables= and ProtectControlGroups= in
 * the plan: their rules, the capabilities they take out, the paths they
 * mask or make read-only, drop-ins that reset them, the JSON and text. */

#include <linux/capability.h>
#include <sys/mount.h>

#include "plan-internal.h"
#include "plan-test.h"
#include "syscall-groups.h"

#define HEAD "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n"

static void plan_of(const char *text, const char *dropin, CellConfig *c, Plan *p) {
        config_from_files(c, "r", text, dropin);
        plan_ok(c, NULL, p);
}

static void assert_denied(const Plan *p, const char *name) {
        const PlanSyscallRule *r = plan_find_syscall(p, name);

        if (!r)
                TEST_FAIL("no rule for %s", name);
        ASSERT_EQ(r->n_args, 0U);
        ASSERT_EQ(r->action, PLAN_SECCOMP_ERRNO);
        ASSERT_EQ(r->error, EPERM);
}

static void assert_mount(const Plan *p, const char *target, PlanMountKind kind) {
        const PlanMount *m = plan_find_mount(p, target, NULL);

        if (!m)
                TEST_FAIL("no mount for %s", target);
        ASSERT_EQ(m->kind, kind);
        ASSERT_TRUE(m->optional);
        ASSERT_TRUE(m->flags & MS_RDONLY);
}

#define CAP(c) (UINT64_C(1) << (c))

TEST(nothing_asked) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nCapability=CAP_SYS_TIME CAP_SYSLOG\n", NULL, &c, &p);
        ASSERT_EQ(p.protect, 0U);
        ASSERT_NULL(plan_find_syscall(&p, "sethostname"));
        ASSERT_NULL(plan_find_syscall(&p, "settimeofday"));
        ASSERT_NULL(plan_find_syscall(&p, "syslog"));
        ASSERT_NULL(plan_find_mount(&p, "/proc/kmsg", NULL));
        ASSERT_NULL(plan_find_mount(&p, "/proc/latency_stats", NULL));
        /* The container's own network's sysctls stay writable, as nspawn's. */
        const PlanMount *net = plan_find_mount(&p, "/proc/sys/net", NULL);
        ASSERT_NOT_NULL(net);
        ASSERT_EQ(net->kind, PLAN_MOUNT_WRITABLE);
        /* Masked in every container, as nspawn masks it. */
        assert_mount(&p, "/proc/kallsyms", PLAN_MOUNT_MASK);
        ASSERT_TRUE(p.cap_bounding & CAP(CAP_SYS_TIME));
        ASSERT_TRUE(p.cap_bounding & CAP(CAP_SYSLOG));
        plan_done(&p);
        cell_config_done(&c);
}

TEST(hostname) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nProtectHostname=yes\n", NULL, &c, &p);
        ASSERT_EQ(p.protect, (unsigned) PLAN_PROTECT_HOSTNAME);
        assert_denied(&p, "sethostname");
        assert_denied(&p, "setdomainname");
        plan_done(&p);
        cell_config_done(&c);
}

/* @clock refused, and the capabilities gone even when Capability= names
 * one: the start does not then require it. */
TEST(clock) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nProtectClock=yes\nCapability=CAP_SYS_TIME CAP_WAKE_ALARM CAP_NET_ADMIN\n", NULL,
                &c, &p);
        ASSERT_EQ(p.protect, (unsigned) PLAN_PROTECT_CLOCK);
        for (const char * const *m = syscall_group_members("@clock"); *m; m++)
                assert_denied(&p, *m);
        ASSERT_FALSE(p.cap_bounding & (CAP(CAP_SYS_TIME) | CAP(CAP_WAKE_ALARM)));
        ASSERT_FALSE(p.cap_effective & (CAP(CAP_SYS_TIME) | CAP(CAP_WAKE_ALARM)));
        ASSERT_FALSE(p.cap_required & (CAP(CAP_SYS_TIME) | CAP(CAP_WAKE_ALARM)));
        ASSERT_TRUE(p.cap_required & CAP(CAP_NET_ADMIN));
        plan_done(&p);
        cell_config_done(&c);

        /* Asked for as ambient, it cannot be had: said so, with the reason. */
        config_from_text(&c, "r", HEAD "[Isolation]\nProtectClock=yes\nCapability=CAP_SYS_TIME\n"
                         "AmbientCapability=CAP_SYS_TIME\n");
        plan_fails(&c, "AmbientCapability=CAP_SYS_TIME: not in the container's bounding set "
                   "(a Protect*= key of [Isolation] takes it out)");
        cell_config_done(&c);
}

/* The module calls are in the default deny list already: nothing to add,
 * no second rule; the files and the capability go. */
TEST(kernel_modules) {
        CellConfig c;
        Plan p = {};
        size_t n = 0;

        plan_of(HEAD "[Isolation]\nProtectKernelModules=yes\nCapability=CAP_SYS_MODULE\n", NULL, &c, &p);
        ASSERT_EQ(p.protect, (unsigned) PLAN_PROTECT_KERNEL_MODULES);
        for (const char * const *m = syscall_group_members("@module"); *m; m++)
                assert_denied(&p, *m);
        for (size_t i = 0; i < p.n_syscalls; i++)
                n += streq(p.syscalls[i].name, "init_module");
        ASSERT_EQ(n, 1U);
        ASSERT_FALSE(p.cap_bounding & CAP(CAP_SYS_MODULE));
        assert_mount(&p, "/usr/lib/modules", PLAN_MOUNT_MASK);
        assert_mount(&p, "/lib/modules", PLAN_MOUNT_MASK);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(kernel_logs) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nProtectKernelLogs=yes\nCapability=CAP_SYSLOG\n", NULL, &c, &p);
        ASSERT_EQ(p.protect, (unsigned) PLAN_PROTECT_KERNEL_LOGS);
        assert_denied(&p, "syslog");
        ASSERT_FALSE(p.cap_bounding & CAP(CAP_SYSLOG));
        assert_mount(&p, "/proc/kmsg", PLAN_MOUNT_MASK);
        assert_mount(&p, "/dev/kmsg", PLAN_MOUNT_MASK);
        plan_done(&p);
        cell_config_done(&c);

        /* A call SystemCallFilter= denies keeps its own action. */
        plan_of(HEAD "[Isolation]\nSystemCallFilter=~syslog:ENOSYS\nProtectKernelLogs=yes\n", NULL, &c, &p);
        const PlanSyscallRule *r = plan_find_syscall(&p, "syslog");
        ASSERT_NOT_NULL(r);
        ASSERT_EQ(r->error, ENOSYS);
        plan_done(&p);
        cell_config_done(&c);
}

/* What cell already does by default stays once; the rest of systemd's
 * paths come with the key. */
TEST(kernel_tunables) {
        CellConfig c;
        Plan p = {};
        size_t n = 0;

        plan_of(HEAD "[Isolation]\nProtectKernelTunables=yes\n", NULL, &c, &p);
        ASSERT_EQ(p.protect, (unsigned) PLAN_PROTECT_KERNEL_TUNABLES);
        assert_mount(&p, "/proc/kallsyms", PLAN_MOUNT_MASK);
        assert_mount(&p, "/proc/latency_stats", PLAN_MOUNT_READ_ONLY);
        assert_mount(&p, "/proc/timer_stats", PLAN_MOUNT_READ_ONLY);
        assert_mount(&p, "/proc/mtrr", PLAN_MOUNT_READ_ONLY);
        assert_mount(&p, "/proc/sys", PLAN_MOUNT_READ_ONLY);
        /* All of /proc/sys, its network's sysctls too, as systemd's. */
        ASSERT_NULL(plan_find_mount(&p, "/proc/sys/net", NULL));
        for (size_t i = 0; i < p.n_mounts; i++)
                n += streq(p.mounts[i].target, "/proc/sys") + streq(p.mounts[i].target, "/proc/kallsyms") +
                     streq(p.mounts[i].target, "/proc/asound");
        ASSERT_EQ(n, 3U);
        const PlanMount *sys = plan_find_mount(&p, "/sys", NULL);
        ASSERT_NOT_NULL(sys);
        ASSERT_TRUE(sys->flags & MS_RDONLY);
        plan_done(&p);
        cell_config_done(&c);
}

/* Each key's "no" in a drop-in takes it back (an empty value is refused:
 * systemd ignores it and keeps "yes"). */
TEST(dropin_resets) {
        static const char *const keys[] = {
                "ProtectHostname", "ProtectClock", "ProtectKernelModules", "ProtectKernelLogs",
                "ProtectKernelTunables", "ProtectControlGroups",
        };

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                for (const char * const *v = (const char * const[]) { "no", "off", NULL }; *v; v++) {
                        _cleanup_free_ char *unit = NULL, *dropin = NULL;
                        CellConfig c;
                        Plan p = {};

                        ASSERT_TRUE(asprintf(&unit, HEAD "[Isolation]\n%s=yes\n", keys[i]) > 0);
                        ASSERT_TRUE(asprintf(&dropin, "[Isolation]\n%s=%s\n", keys[i], *v) > 0);
                        plan_of(unit, NULL, &c, &p);
                        ASSERT_TRUE(p.protect != 0);
                        plan_done(&p);
                        cell_config_done(&c);
                        plan_of(unit, dropin, &c, &p);
                        ASSERT_EQ(p.protect, 0U);
                        plan_done(&p);
                        cell_config_done(&c);
                }
}

TEST(json_and_text) {
        _cleanup_free_ char *j = NULL, *t = NULL;
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nProtectClock=yes\nProtectControlGroups=yes\n", NULL, &c, &p);
        j = plan_printed(&p, plan_print_json);
        t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(j, "\"protect\": [\"clock\", \"control_groups\"]");
        ASSERT_CONTAINS(t, "Protect:           clock control_groups\n");
        ASSERT_CONTAINS(t, " settimeofday");
        plan_done(&p);
        cell_config_done(&c);
}
