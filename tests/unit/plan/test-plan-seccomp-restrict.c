/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rules of SystemCallArchitectures=, RestrictNamespaces=,
 * RestrictAddressFamilies=, LockPersonality=, RestrictRealtime=,
 * RestrictSUIDSGID= and MemoryDenyWriteExecute= in the plan, from unit files
 * (and drop-ins that reset them), and how the JSON shows them. */

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "plan-internal.h"
#include "plan-test.h"

#define HEAD "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n"
/* With its own users: the host's root is refused cgroup namespaces whatever
 * RestrictNamespaces= says (cgroupns_host_root), which would blur the
 * namespace rules a test looks for. */
#define HEAD_USERS HEAD "[Isolation]\nPrivateUsers=pick\n"

static const PlanSyscallRule *find(const Plan *p, const char *name, bool arg_set, PlanSeccompCompare compare,
                                   unsigned index, uint32_t mask, uint32_t value) {
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const PlanSyscallRule *r = &p->syscalls[i];

                if (!streq(r->name, name) || r->n_args != (arg_set ? 1U : 0U))
                        continue;
                if (!arg_set || (r->args[0].compare == compare && r->args[0].index == index &&
                                 r->args[0].mask == mask && r->args[0].value == value))
                        return r;
        }
        return NULL;
}

static size_t count(const Plan *p, const char *name) {
        size_t n = 0;

        for (size_t i = 0; i < p->n_syscalls; i++)
                n += streq(p->syscalls[i].name, name);
        return n;
}

static void plan_of(const char *text, const char *dropin, CellConfig *c, Plan *p) {
        config_from_files(c, "r", text, dropin);
        plan_ok(c, NULL, p);
}

TEST(nothing_asked) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD_USERS, NULL, &c, &p);
        ASSERT_EQ(p.n_syscall_archs, 0U);
        ASSERT_FALSE(p.restrict_namespaces);
        ASSERT_FALSE(p.restrict_address_families);
        ASSERT_FALSE(p.lock_personality);
        ASSERT_EQ(count(&p, "clone3") + count(&p, "unshare") + count(&p, "socket") + count(&p, "personality"), 0U);
        plan_done(&p);
        cell_config_done(&c);
}

/* The host's root without CAP_SYS_ADMIN makes no cgroup namespace, whatever
 * RestrictNamespaces= says: in one of its own (and a user namespace) it could
 * mount cgroupfs rooted at its cgroups, the host's root cgroup of a v1
 * hierarchy where it has none, and write the files it owns as UID 0. */
TEST(cgroupns_host_root) {
        static const char *const units[] = {
                HEAD,
                HEAD "[Isolation]\nRestrictNamespaces=no\n",
                HEAD "[Isolation]\nRestrictNamespaces=cgroup user\n",
                HEAD "[Isolation]\nCapability=CAP_NET_ADMIN\n",
        };
        CellConfig c;
        Plan p = {};

        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                plan_of(units[i], NULL, &c, &p);
                ASSERT_TRUE(p.restrict_namespaces);
                ASSERT_FALSE(p.namespaces_allowed & CLONE_NEWCGROUP);
                ASSERT_TRUE(p.namespaces_allowed & CLONE_NEWUSER);
                for (const char * const *n = (const char * const[]) { "unshare", "clone", NULL }; *n; n++) {
                        ASSERT_NOT_NULL(find(&p, *n, true, PLAN_SECCOMP_MASKED_EQ, 0, CLONE_NEWCGROUP,
                                             CLONE_NEWCGROUP));
                        ASSERT_NULL(find(&p, *n, true, PLAN_SECCOMP_MASKED_EQ, 0, CLONE_NEWUSER, CLONE_NEWUSER));
                }
                ASSERT_NOT_NULL(find(&p, "setns", true, PLAN_SECCOMP_MASKED_EQ, 1, CLONE_NEWCGROUP, CLONE_NEWCGROUP));
                ASSERT_NOT_NULL(find(&p, "setns", true, PLAN_SECCOMP_MASKED_EQ, 1, UINT32_MAX, 0));
                ASSERT_EQ(find(&p, "clone3", false, 0, 0, 0, 0)->error, ENOSYS);
                plan_done(&p);
                cell_config_done(&c);
        }

        /* Its own users, or CAP_SYS_ADMIN (which mounts cgroupfs anyway): nothing. */
        static const char *const free_units[] = {
                HEAD "[Isolation]\nPrivateUsers=pick\n",
                HEAD "[Isolation]\nCapability=CAP_SYS_ADMIN\n",
                "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nBoot=yes\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(free_units); i++) {
                plan_of(free_units[i], NULL, &c, &p);
                ASSERT_FALSE(p.restrict_namespaces);
                ASSERT_EQ(count(&p, "unshare") + count(&p, "clone") + count(&p, "clone3"), 0U);
                plan_done(&p);
                cell_config_done(&c);
        }
}

TEST(architectures) {
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};

        plan_of(HEAD "[Isolation]\nSystemCallArchitectures=native\n", NULL, &c, &p);
        ASSERT_EQ(p.n_syscall_archs, 1U);
        ASSERT_EQ(p.syscall_archs[0], seccomp_arch_native());
        plan_done(&p);
        cell_config_done(&c);

#if defined(__x86_64__) && !defined(__ILP32__)
        /* The native one first whatever the order; one this machine does
         * not run is left out, with a warning. */
        config_from_text(&c, "r", HEAD "[Isolation]\nSystemCallArchitectures=x86 arm64 x86-64\n");
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(p.n_syscall_archs, 2U);
        ASSERT_EQ(p.syscall_archs[0], (uint32_t) SCMP_ARCH_X86_64);
        ASSERT_EQ(p.syscall_archs[1], (uint32_t) SCMP_ARCH_X86);
        ASSERT_EQ(d.n_errors, 0U);
        ASSERT_CONTAINS(d.messages[0], "SystemCallArchitectures=arm64: not an ABI this machine runs");
        diag_done(&d);
        plan_done(&p);
        cell_config_done(&c);

        /* Said at the line that named it, a drop-in's own path. */
        config_from_files(&c, "r", HEAD "[Isolation]\nSystemCallArchitectures=x86 arm64\n",
                          "[Isolation]\nSystemCallArchitectures=arm64 ppc64\n");
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        ASSERT_EQ(d.n_warnings, 2U);
        ASSERT_CONTAINS(d.messages[0], "/r.cell:6: warning: SystemCallArchitectures=arm64: not an ABI this machine runs, "
                        "ignoring it");
        ASSERT_CONTAINS(d.messages[1], "/r.cell.d/x.conf:2: warning: SystemCallArchitectures=ppc64: not an ABI this "
                        "machine runs, ignoring it");
        diag_done(&d);
        plan_done(&p);
        cell_config_done(&c);
#endif

        /* A drop-in's empty assignment resets. */
        plan_of(HEAD "[Isolation]\nSystemCallArchitectures=native\n", "[Isolation]\nSystemCallArchitectures=\n",
                &c, &p);
        ASSERT_EQ(p.n_syscall_archs, 0U);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(namespaces_some) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD_USERS "[Isolation]\nRestrictNamespaces=~user net\n", NULL, &c, &p);
        ASSERT_TRUE(p.restrict_namespaces);
        ASSERT_FALSE(p.namespaces_allowed & (CLONE_NEWUSER | CLONE_NEWNET));
        ASSERT_TRUE(p.namespaces_allowed & CLONE_NEWNS);
        for (const char * const *n = (const char * const[]) { "unshare", "clone", NULL }; *n; n++) {
                ASSERT_NOT_NULL(find(&p, *n, true, PLAN_SECCOMP_MASKED_EQ, 0, CLONE_NEWUSER, CLONE_NEWUSER));
                ASSERT_NOT_NULL(find(&p, *n, true, PLAN_SECCOMP_MASKED_EQ, 0, CLONE_NEWNET, CLONE_NEWNET));
                ASSERT_NULL(find(&p, *n, true, PLAN_SECCOMP_MASKED_EQ, 0, CLONE_NEWNS, CLONE_NEWNS));
                ASSERT_EQ(count(&p, *n), 2U);
        }
        /* setns() into those, or with 0 (any kind). */
        ASSERT_NOT_NULL(find(&p, "setns", true, PLAN_SECCOMP_MASKED_EQ, 1, CLONE_NEWUSER, CLONE_NEWUSER));
        ASSERT_NOT_NULL(find(&p, "setns", true, PLAN_SECCOMP_MASKED_EQ, 1, UINT32_MAX, 0));
        ASSERT_NULL(find(&p, "setns", false, 0, 0, 0, 0));
        const PlanSyscallRule *r = find(&p, "clone3", false, 0, 0, 0, 0);
        ASSERT_NOT_NULL(r);
        ASSERT_EQ(r->action, PLAN_SECCOMP_ERRNO);
        ASSERT_EQ(r->error, ENOSYS);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(namespaces_all) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD_USERS "[Isolation]\nRestrictNamespaces=yes\n", NULL, &c, &p);
        ASSERT_TRUE(p.restrict_namespaces);
        ASSERT_EQ(p.namespaces_allowed, 0UL);
        const PlanSyscallRule *r = find(&p, "setns", false, 0, 0, 0, 0);
        ASSERT_NOT_NULL(r);
        ASSERT_EQ(r->error, EPERM);
        ASSERT_EQ(count(&p, "setns"), 1U);
        ASSERT_EQ(count(&p, "unshare"), 8U);
        plan_done(&p);
        cell_config_done(&c);

        /* "no", and a drop-in's reset, restrict nothing. */
        plan_of(HEAD_USERS "[Isolation]\nRestrictNamespaces=no\n", NULL, &c, &p);
        ASSERT_FALSE(p.restrict_namespaces);
        ASSERT_EQ(count(&p, "clone3"), 0U);
        plan_done(&p);
        cell_config_done(&c);
        plan_of(HEAD_USERS "[Isolation]\nRestrictNamespaces=yes\n", "[Isolation]\nRestrictNamespaces=\n", &c, &p);
        ASSERT_FALSE(p.restrict_namespaces);
        ASSERT_EQ(count(&p, "unshare"), 0U);
        plan_done(&p);
        cell_config_done(&c);
}

/* A call SystemCallFilter= already denies keeps its action. */
TEST(namespaces_keep_a_denial) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD_USERS "[Isolation]\nSystemCallFilter=~clone3:kill unshare:EACCES\nRestrictNamespaces=yes\n",
                NULL, &c, &p);
        ASSERT_EQ(find(&p, "clone3", false, 0, 0, 0, 0)->action, PLAN_SECCOMP_KILL);
        ASSERT_EQ(find(&p, "unshare", false, 0, 0, 0, 0)->error, EACCES);
        ASSERT_EQ(count(&p, "unshare"), 1U);
        ASSERT_EQ(count(&p, "clone"), 8U);
        plan_done(&p);
        cell_config_done(&c);

        /* An allow list that allows clone3 (@process does) gets it ENOSYS. */
        plan_of(HEAD_USERS "[Isolation]\nSystemCallFilter=@system-service\nRestrictNamespaces=yes\n", NULL, &c, &p);
        ASSERT_EQ(find(&p, "clone3", false, 0, 0, 0, 0)->error, ENOSYS);
        ASSERT_EQ(count(&p, "unshare"), 9U);   /* allowed, but not for new namespaces */
        plan_done(&p);
        cell_config_done(&c);
}

TEST(address_families) {
        CellConfig c;
        Plan p = {};

        /* An allow list: every family below the highest allowed, and all above it. */
        plan_of(HEAD "[Isolation]\nRestrictAddressFamilies=AF_UNIX AF_INET6\n", NULL, &c, &p);
        ASSERT_TRUE(p.restrict_address_families);
        ASSERT_TRUE(p.address_families_allow_list);
        ASSERT_NOT_NULL(find(&p, "socket", true, PLAN_SECCOMP_MASKED_EQ, 0, UINT32_MAX, AF_UNSPEC));
        ASSERT_NOT_NULL(find(&p, "socket", true, PLAN_SECCOMP_MASKED_EQ, 0, UINT32_MAX, AF_INET));
        ASSERT_NULL(find(&p, "socket", true, PLAN_SECCOMP_MASKED_EQ, 0, UINT32_MAX, AF_UNIX));
        ASSERT_NULL(find(&p, "socket", true, PLAN_SECCOMP_MASKED_EQ, 0, UINT32_MAX, AF_INET6));
        const PlanSyscallRule *r = find(&p, "socket", true, PLAN_SECCOMP_GE, 0, UINT32_MAX, AF_INET6 + 1);
        ASSERT_NOT_NULL(r);
        ASSERT_EQ(r->error, EAFNOSUPPORT);
        ASSERT_EQ(count(&p, "socket"), (size_t) AF_INET6);    /* 0..AF_INET6-1 but AF_UNIX, and the rest */
        plan_done(&p);
        cell_config_done(&c);

        /* A deny list: those alone. */
        plan_of(HEAD "[Isolation]\nRestrictAddressFamilies=~AF_PACKET\n", NULL, &c, &p);
        ASSERT_NOT_NULL(find(&p, "socket", true, PLAN_SECCOMP_MASKED_EQ, 0, UINT32_MAX, AF_PACKET));
        ASSERT_EQ(count(&p, "socket"), 1U);
        plan_done(&p);
        cell_config_done(&c);

        /* "none": socket() fails whatever the family. */
        plan_of(HEAD "[Isolation]\nRestrictAddressFamilies=none\n", NULL, &c, &p);
        ASSERT_EQ(find(&p, "socket", false, 0, 0, 0, 0)->error, EAFNOSUPPORT);
        ASSERT_EQ(count(&p, "socket"), 1U);
        plan_done(&p);
        cell_config_done(&c);

        plan_of(HEAD "[Isolation]\nRestrictAddressFamilies=none\n", "[Isolation]\nRestrictAddressFamilies=\n", &c, &p);
        ASSERT_FALSE(p.restrict_address_families);
        ASSERT_EQ(count(&p, "socket"), 0U);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(lock_personality) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nLockPersonality=yes\n", NULL, &c, &p);
        ASSERT_TRUE(p.lock_personality);
        ASSERT_NOT_NULL(find(&p, "personality", true, PLAN_SECCOMP_NE, 0, UINT32_MAX, PER_LINUX));
        plan_done(&p);
        cell_config_done(&c);

#if defined(__x86_64__) && !defined(__ILP32__)
        /* Personality=: locked to it. */
        plan_of(HEAD "Personality=x86\n[Isolation]\nLockPersonality=yes\n", NULL, &c, &p);
        ASSERT_EQ(p.locked_personality, (unsigned long) PER_LINUX32);
        ASSERT_NOT_NULL(find(&p, "personality", true, PLAN_SECCOMP_NE, 0, UINT32_MAX, PER_LINUX32));
        ASSERT_EQ(count(&p, "personality"), 1U);
        plan_done(&p);
        cell_config_done(&c);
#endif
}

/* RestrictRealtime=: sched_setscheduler() to SCHED_FIFO, SCHED_RR, 4 (no
 * policy) and anything above SCHED_IDLE refused, as systemd 252's rules. */
TEST(restrict_realtime) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nRestrictRealtime=yes\n", NULL, &c, &p);
        ASSERT_TRUE(p.restrict_realtime);
        ASSERT_NOT_NULL(find(&p, "sched_setscheduler", true, PLAN_SECCOMP_MASKED_EQ, 1, UINT32_MAX, SCHED_FIFO));
        ASSERT_NOT_NULL(find(&p, "sched_setscheduler", true, PLAN_SECCOMP_MASKED_EQ, 1, UINT32_MAX, SCHED_RR));
        ASSERT_NOT_NULL(find(&p, "sched_setscheduler", true, PLAN_SECCOMP_MASKED_EQ, 1, UINT32_MAX, 4));
        ASSERT_NOT_NULL(find(&p, "sched_setscheduler", true, PLAN_SECCOMP_GE, 1, UINT32_MAX, SCHED_IDLE + 1));
        ASSERT_EQ(count(&p, "sched_setscheduler"), 4U);
        plan_done(&p);
        cell_config_done(&c);

        /* A drop-in's "no" takes it back; a filter that denies the call keeps its own rule. */
        plan_of(HEAD "[Isolation]\nRestrictRealtime=yes\n", "[Isolation]\nRestrictRealtime=no\n", &c, &p);
        ASSERT_FALSE(p.restrict_realtime);
        ASSERT_EQ(count(&p, "sched_setscheduler"), 0U);
        plan_done(&p);
        cell_config_done(&c);
        plan_of(HEAD "[Isolation]\nSystemCallFilter=~sched_setscheduler:EACCES\nRestrictRealtime=yes\n", NULL, &c, &p);
        ASSERT_TRUE(p.restrict_realtime);
        ASSERT_EQ(count(&p, "sched_setscheduler"), 1U);
        plan_done(&p);
        cell_config_done(&c);
}

/* The rule for name whose two comparisons are these, if any. */
static const PlanSyscallRule *find2(const Plan *p, const char *name, unsigned index0, uint32_t value0,
                                    unsigned index1, uint32_t value1) {
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const PlanSyscallRule *r = &p->syscalls[i];

                if (streq(r->name, name) && r->n_args == 2 && r->args[0].compare == PLAN_SECCOMP_MASKED_EQ &&
                    r->args[0].index == index0 && r->args[0].mask == value0 && r->args[0].value == value0 &&
                    r->args[1].compare == PLAN_SECCOMP_MASKED_EQ && r->args[1].index == index1 &&
                    r->args[1].mask == value1 && r->args[1].value == value1)
                        return r;
        }
        return NULL;
}

/* RestrictSUIDSGID=: the mode of chmod() and its kin, and of open() and
 * openat() only with O_CREAT (or O_TMPFILE) in the flags, as systemd 252. */
TEST(restrict_suid_sgid) {
        static const struct {
                const char *name;
                unsigned index;
        } with_mode[] = {
                { "chmod", 1 }, { "fchmod", 1 }, { "fchmodat", 2 }, { "fchmodat2", 2 }, { "mkdir", 1 },
                { "mkdirat", 2 }, { "mknod", 1 }, { "mknodat", 2 }, { "creat", 1 },
        };
        const uint32_t tmpfile = O_TMPFILE & ~O_DIRECTORY;
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nRestrictSUIDSGID=yes\n", NULL, &c, &p);
        ASSERT_TRUE(p.restrict_suid_sgid);
        for (size_t i = 0; i < ELEMENTSOF(with_mode); i++) {
                const PlanSyscallRule *r = find(&p, with_mode[i].name, true, PLAN_SECCOMP_MASKED_EQ,
                                                with_mode[i].index, S_ISUID, S_ISUID);
                ASSERT_NOT_NULL(r);
                ASSERT_EQ(r->action, PLAN_SECCOMP_ERRNO);
                ASSERT_EQ(r->error, EPERM);
                ASSERT_NOT_NULL(find(&p, with_mode[i].name, true, PLAN_SECCOMP_MASKED_EQ, with_mode[i].index,
                                     S_ISGID, S_ISGID));
                ASSERT_EQ(count(&p, with_mode[i].name), 2U);
        }
        /* Both must hold: the flags create, the mode has the bit. */
        ASSERT_NOT_NULL(find2(&p, "open", 1, O_CREAT, 2, S_ISUID));
        ASSERT_NOT_NULL(find2(&p, "open", 1, O_CREAT, 2, S_ISGID));
        ASSERT_NOT_NULL(find2(&p, "open", 1, tmpfile, 2, S_ISUID));
        ASSERT_NOT_NULL(find2(&p, "openat", 2, O_CREAT, 3, S_ISUID));
        ASSERT_NOT_NULL(find2(&p, "openat", 2, O_CREAT, 3, S_ISGID));
        ASSERT_NOT_NULL(find2(&p, "openat", 2, tmpfile, 3, S_ISGID));
        ASSERT_EQ(count(&p, "open"), 4U);
        ASSERT_EQ(count(&p, "openat"), 4U);
        ASSERT_NULL(find(&p, "open", false, 0, 0, 0, 0));
        const PlanSyscallRule *r = find(&p, "openat2", false, 0, 0, 0, 0);
        ASSERT_NOT_NULL(r);
        ASSERT_EQ(r->error, ENOSYS);
        plan_done(&p);
        cell_config_done(&c);

        /* A drop-in's "no" takes it back (an empty value is refused: systemd keeps "yes"). */
        for (const char * const *v = (const char * const[]) { "no", "0", NULL }; *v; v++) {
                _cleanup_free_ char *dropin = NULL;

                ASSERT_TRUE(asprintf(&dropin, "[Isolation]\nRestrictSUIDSGID=%s\n", *v) > 0);
                plan_of(HEAD "[Isolation]\nRestrictSUIDSGID=yes\n", dropin, &c, &p);
                ASSERT_FALSE(p.restrict_suid_sgid);
                ASSERT_EQ(count(&p, "chmod") + count(&p, "openat") + count(&p, "openat2"), 0U);
                plan_done(&p);
                cell_config_done(&c);
        }

        /* A call SystemCallFilter= denies keeps its own rule alone. */
        plan_of(HEAD "[Isolation]\nSystemCallFilter=~chmod:EACCES openat2:kill\nRestrictSUIDSGID=yes\n", NULL, &c, &p);
        ASSERT_EQ(count(&p, "chmod"), 1U);
        ASSERT_EQ(find(&p, "chmod", false, 0, 0, 0, 0)->error, EACCES);
        ASSERT_EQ(find(&p, "openat2", false, 0, 0, 0, 0)->action, PLAN_SECCOMP_KILL);
        ASSERT_EQ(count(&p, "fchmod"), 2U);
        plan_done(&p);
        cell_config_done(&c);
}

/* io_uring, whose queue opens files and makes sockets in the kernel past
 * the filter: its calls fail with ENOSYS under RestrictSUIDSGID= and
 * RestrictAddressFamilies=, whether or not socket() is denied too. */
TEST(io_uring) {
        static const char *const calls[] = { "io_uring_setup", "io_uring_enter", "io_uring_register" };
        static const char *const keys[] = {
                "RestrictSUIDSGID=yes\n",
                "RestrictAddressFamilies=AF_UNIX\n",
                "RestrictAddressFamilies=~AF_NETLINK\n",
                "RestrictAddressFamilies=none\n",
                "SystemCallFilter=~socket\nRestrictAddressFamilies=AF_UNIX\n",
        };
        CellConfig c;
        Plan p = {};

        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                _cleanup_free_ char *text = NULL;

                ASSERT_TRUE(asprintf(&text, HEAD "[Isolation]\n%s", keys[k]) > 0);
                plan_of(text, NULL, &c, &p);
                for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                        const PlanSyscallRule *r = find(&p, calls[i], false, 0, 0, 0, 0);

                        if (!r)
                                TEST_FAIL("%s: no rule for %s", keys[k], calls[i]);
                        ASSERT_EQ(r->action, PLAN_SECCOMP_ERRNO);
                        ASSERT_EQ(r->error, ENOSYS);
                        ASSERT_EQ(count(&p, calls[i]), 1U);
                }
                plan_done(&p);
                cell_config_done(&c);
        }

        /* Neither key, or neither restricting anything: io_uring as it was. */
        plan_of(HEAD "[Isolation]\nRestrictAddressFamilies=~AF_PACKET\nRestrictAddressFamilies=AF_PACKET\n"
                "RestrictNamespaces=yes\nMemoryDenyWriteExecute=yes\n", NULL, &c, &p);
        ASSERT_FALSE(p.restrict_address_families);
        ASSERT_EQ(count(&p, "io_uring_setup") + count(&p, "io_uring_enter") + count(&p, "io_uring_register"), 0U);
        plan_done(&p);
        cell_config_done(&c);

        /* A call SystemCallFilter= denies keeps its own rule; an allow list
         * without them denies them already. */
        plan_of(HEAD "[Isolation]\nSystemCallFilter=~io_uring_setup:kill\nRestrictSUIDSGID=yes\n", NULL, &c, &p);
        ASSERT_EQ(find(&p, "io_uring_setup", false, 0, 0, 0, 0)->action, PLAN_SECCOMP_KILL);
        ASSERT_EQ(find(&p, "io_uring_enter", false, 0, 0, 0, 0)->error, ENOSYS);
        plan_done(&p);
        cell_config_done(&c);
        plan_of(HEAD "[Isolation]\nSystemCallFilter=@basic-io\nRestrictSUIDSGID=yes\n", NULL, &c, &p);
        ASSERT_EQ(count(&p, "io_uring_setup"), 0U);
        plan_done(&p);
        cell_config_done(&c);
}

/* MemoryDenyWriteExecute=: systemd 252's rules, by the protection argument. */
TEST(memory_deny_write_execute) {
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nMemoryDenyWriteExecute=yes\n", NULL, &c, &p);
        ASSERT_TRUE(p.memory_deny_write_execute);
        for (const char * const *n = (const char * const[]) { "mmap", "mmap2", NULL }; *n; n++) {
                const PlanSyscallRule *r = find(&p, *n, true, PLAN_SECCOMP_MASKED_EQ, 2, PROT_WRITE | PROT_EXEC,
                                                PROT_WRITE | PROT_EXEC);
                ASSERT_NOT_NULL(r);
                ASSERT_EQ(r->action, PLAN_SECCOMP_ERRNO);
                ASSERT_EQ(r->error, EPERM);
                ASSERT_EQ(r->abi, 0U);
        }
        ASSERT_EQ(count(&p, "mmap2"), 1U);
#if defined(__x86_64__) && !defined(__ILP32__)
        /* i386's old mmap(), whatever it asks, on that ABI alone. */
        const PlanSyscallRule *old_mmap = find(&p, "mmap", false, 0, 0, 0, 0);
        ASSERT_NOT_NULL(old_mmap);
        ASSERT_EQ(old_mmap->abi, (uint32_t) SCMP_ARCH_X86);
        ASSERT_EQ(old_mmap->error, EPERM);
        ASSERT_EQ(count(&p, "mmap"), 2U);
#endif
        ASSERT_NOT_NULL(find(&p, "mprotect", true, PLAN_SECCOMP_MASKED_EQ, 2, PROT_EXEC, PROT_EXEC));
        ASSERT_NOT_NULL(find(&p, "pkey_mprotect", true, PLAN_SECCOMP_MASKED_EQ, 2, PROT_EXEC, PROT_EXEC));
        ASSERT_NOT_NULL(find(&p, "shmat", true, PLAN_SECCOMP_MASKED_EQ, 2, SHM_EXEC, SHM_EXEC));
        /* No personality in which every readable mapping is executable too. */
        const PlanSyscallRule *rie = find(&p, "personality", true, PLAN_SECCOMP_MASKED_EQ, 0, READ_IMPLIES_EXEC,
                                          READ_IMPLIES_EXEC);
        ASSERT_NOT_NULL(rie);
        ASSERT_EQ(rie->error, EPERM);
        ASSERT_EQ(count(&p, "personality"), 1U);
        plan_done(&p);
        cell_config_done(&c);

        /* With LockPersonality=: both rules. */
        plan_of(HEAD "[Isolation]\nMemoryDenyWriteExecute=yes\nLockPersonality=yes\n", NULL, &c, &p);
        ASSERT_NOT_NULL(find(&p, "personality", true, PLAN_SECCOMP_MASKED_EQ, 0, READ_IMPLIES_EXEC,
                             READ_IMPLIES_EXEC));
        ASSERT_NOT_NULL(find(&p, "personality", true, PLAN_SECCOMP_NE, 0, UINT32_MAX, PER_LINUX));
        plan_done(&p);
        cell_config_done(&c);

        plan_of(HEAD "[Isolation]\nMemoryDenyWriteExecute=yes\n", "[Isolation]\nMemoryDenyWriteExecute=no\n", &c, &p);
        ASSERT_FALSE(p.memory_deny_write_execute);
        ASSERT_EQ(count(&p, "mmap") + count(&p, "mprotect") + count(&p, "shmat") + count(&p, "personality"), 0U);
        plan_done(&p);
        cell_config_done(&c);

        /* A call SystemCallFilter= denies keeps its own rule alone. */
        plan_of(HEAD "[Isolation]\nSystemCallFilter=~shmat:ENOSYS\nMemoryDenyWriteExecute=yes\n", NULL, &c, &p);
        ASSERT_EQ(count(&p, "shmat"), 1U);
        ASSERT_EQ(find(&p, "shmat", false, 0, 0, 0, 0)->error, ENOSYS);
        ASSERT_EQ(count(&p, "mprotect"), 1U);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(json_and_text) {
        _cleanup_free_ char *j = NULL, *t = NULL;
        CellConfig c;
        Plan p = {};

        plan_of(HEAD "[Isolation]\nSystemCallArchitectures=native\nRestrictNamespaces=~net\n"
                "RestrictAddressFamilies=~AF_PACKET\nLockPersonality=yes\nRestrictRealtime=yes\n"
                "RestrictSUIDSGID=yes\nMemoryDenyWriteExecute=yes\n", NULL, &c, &p);
        j = plan_printed(&p, plan_print_json);
        t = plan_printed(&p, plan_print_text);
#if defined(__x86_64__) && !defined(__ILP32__)
        ASSERT_CONTAINS(j, "\"architectures\": [\"x86-64\"]");
        ASSERT_CONTAINS(t, "  architectures: x86-64\n");
        ASSERT_CONTAINS(j, "\"lock_personality\": \"x86-64\"");
        ASSERT_CONTAINS(j, "{\"syscall\": \"personality\", \"action\": \"errno\", \"errno\": \"EPERM\", "
                        "\"arguments\": [{\"compare\": \"ne\", \"index\": 0, \"mask\": 4294967295, \"value\": 0, "
                        "\"name\": \"x86-64\"}], \"abi\": null}");
        ASSERT_CONTAINS(t, " personality[!=x86-64]");
#endif
        ASSERT_CONTAINS(j, "\"address_families\": {\"allow_list\": false, \"families\": [\"AF_PACKET\"]}");
        ASSERT_CONTAINS(j, "{\"syscall\": \"clone3\", \"action\": \"errno\", \"errno\": \"ENOSYS\", \"arguments\": [], "
                        "\"abi\": null}");
        ASSERT_CONTAINS(t, "  address families denied: AF_PACKET\n");
        ASSERT_CONTAINS(t, " unshare[net]");
        ASSERT_CONTAINS(j, "\"restrict_realtime\": true");
        ASSERT_CONTAINS(t, "  real-time scheduling: refused\n");
        ASSERT_CONTAINS(j, "\"restrict_suid_sgid\": true");
        ASSERT_CONTAINS(t, "  set-user-ID and set-group-ID bits: refused\n");
        /* Two comparisons: a list of both, "&" between them. */
        ASSERT_CONTAINS(j, "\"arguments\": [{\"compare\": \"masked-eq\", \"index\": 2, \"mask\": 64, \"value\": 64, "
                        "\"name\": \"O_CREAT\"}, {\"compare\": \"masked-eq\", \"index\": 3, \"mask\": 2048, "
                        "\"value\": 2048, \"name\": \"S_ISUID\"}], \"abi\": null}");
        ASSERT_CONTAINS(t, " openat[O_CREAT&S_ISUID]");
        ASSERT_CONTAINS(j, "\"memory_deny_write_execute\": true");
        ASSERT_CONTAINS(t, "  writable and executable memory: refused\n");
        ASSERT_CONTAINS(t, " mmap[PROT_WRITE|PROT_EXEC]");
#if defined(__x86_64__) && !defined(__ILP32__)
        ASSERT_CONTAINS(j, "{\"syscall\": \"mmap\", \"action\": \"errno\", \"errno\": \"EPERM\", \"arguments\": [], "
                        "\"abi\": \"x86\"}");
        ASSERT_CONTAINS(t, " mmap@x86 ");
#endif
        plan_done(&p);
        cell_config_done(&c);
}
