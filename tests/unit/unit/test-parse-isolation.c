/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SystemCallArchitectures=, RestrictNamespaces=, RestrictAddressFamilies=,
 * LockPersonality= through the key table: systemd 252's semantics for
 * merging and resetting, and errors naming file, line and key. @known. */
#include <sched.h>
#include <stddef.h>
#include <seccomp.h>
#include <sys/socket.h>

#include "config-test.h"
#include "parse-isolation.h"
#include "parse-syscall.h"
#include "strv.h"
#include "syscall-groups.h"
#include "test.h"

static Diagnostics diag;

static const char *assign(CellConfig *c, const char *key, const char *value) {
        return config_test_assign(&diag, c, "Isolation", key, value);
}

#define OK(c, k, v) ASSERT_NULL(assign(c, k, v))
#define BAD(c, k, v, text) ASSERT_STREQ(assign(c, k, v), text)
/* A boolean's empty value: refused, as systemd ignores it. */
#define EMPTY_BOOL "expected a boolean (yes/no, true/false, on/off, 1/0); an empty value resets nothing, as in systemd"

TEST(architectures) {
        CellConfig c;
        uint32_t a;

        cell_config_init(&c);
        ASSERT_EQ(c.n_syscall_archs, 0U);
        ASSERT_OK(syscall_arch_from_string("native", &a));
        ASSERT_EQ(a, seccomp_arch_native());
        ASSERT_OK(syscall_arch_from_string("x86-64", &a));
        ASSERT_EQ(a, (uint32_t) SCMP_ARCH_X86_64);
        ASSERT_STREQ(syscall_arch_to_string(SCMP_ARCH_X32), "x32");
        ASSERT_STREQ(syscall_arch_to_string(SCMP_ARCH_AARCH64), "arm64");
        ASSERT_TRUE(syscall_arch_from_string("x86_64", &a) < 0);        /* libseccomp's name, not systemd's */
        ASSERT_TRUE(syscall_arch_from_string("amd64", &a) < 0);

        OK(&c, "SystemCallArchitectures", "native");
        OK(&c, "SystemCallArchitectures", "x86 native arm64");  /* merged, each once */
        ASSERT_EQ(c.n_syscall_archs, 3U);
        ASSERT_EQ(c.syscall_archs[0], seccomp_arch_native());
        ASSERT_EQ(c.syscall_archs[1], (uint32_t) SCMP_ARCH_X86);
        ASSERT_EQ(c.syscall_archs[2], (uint32_t) SCMP_ARCH_AARCH64);
        /* A bad word: the whole line is refused, the config as it was. */
        BAD(&c, "SystemCallArchitectures", "x32 i386",
            "web.cell:7: SystemCallArchitectures=x32 i386: expected architecture names as systemd has them "
            "(\"native\", \"x86-64\", \"x86\", \"x32\", \"arm64\") (\"i386\" is not one)");
        ASSERT_EQ(c.n_syscall_archs, 3U);
        OK(&c, "SystemCallArchitectures", "");
        ASSERT_EQ(c.n_syscall_archs, 0U);
        /* Split as systemd 252 splits it: quotes removed, no C escapes, a
         * backslash keeps the next character. */
        OK(&c, "SystemCallArchitectures", "\"native\" x8\\6");
        ASSERT_EQ(c.n_syscall_archs, 2U);
        ASSERT_EQ(c.syscall_archs[1], (uint32_t) SCMP_ARCH_X86);
        ASSERT_NOT_NULL(assign(&c, "SystemCallArchitectures", "\\x6eative"));
        ASSERT_EQ(c.n_syscall_archs, 2U);
        OK(&c, "SystemCallArchitectures", "");
        cell_config_done(&c);
}

TEST(namespaces) {
        unsigned long all = namespace_flags_all();
        CellConfig c;

        ASSERT_EQ(all, (unsigned long) (CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID |
                                        CLONE_NEWUSER | CLONE_NEWUTS | 0x80 /* CLONE_NEWTIME */));
        cell_config_init(&c);
        ASSERT_FALSE(c.restrict_namespaces_set);

        OK(&c, "RestrictNamespaces", "yes");
        ASSERT_TRUE(c.restrict_namespaces_set);
        ASSERT_EQ(c.restrict_namespaces, 0UL);
        OK(&c, "RestrictNamespaces", "no");
        ASSERT_EQ(c.restrict_namespaces, all);
        /* systemd.exec(5)'s examples: "cgroup ipc" then "cgroup net" allows
         * all three; "cgroup ipc" then "~cgroup net" ipc only. */
        OK(&c, "RestrictNamespaces", "");
        ASSERT_FALSE(c.restrict_namespaces_set);
        OK(&c, "RestrictNamespaces", "cgroup ipc");
        OK(&c, "RestrictNamespaces", "cgroup net");
        ASSERT_EQ(c.restrict_namespaces, (unsigned long) (CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNET));
        OK(&c, "RestrictNamespaces", "");
        OK(&c, "RestrictNamespaces", "cgroup ipc");
        OK(&c, "RestrictNamespaces", "~cgroup net");
        ASSERT_EQ(c.restrict_namespaces, (unsigned long) CLONE_NEWIPC);
        /* A first "~" list: all but those. */
        OK(&c, "RestrictNamespaces", "");
        OK(&c, "RestrictNamespaces", "~user net");
        ASSERT_EQ(c.restrict_namespaces, all & ~(unsigned long) (CLONE_NEWUSER | CLONE_NEWNET));
        /* After "no" (all allowed) a "~" list takes away, as in systemd. */
        OK(&c, "RestrictNamespaces", "no");
        OK(&c, "RestrictNamespaces", "~mnt");
        ASSERT_EQ(c.restrict_namespaces, all & ~(unsigned long) CLONE_NEWNS);

        BAD(&c, "RestrictNamespaces", "net mount",
            "web.cell:7: RestrictNamespaces=net mount: expected a boolean, or [~] and namespace types from "
            "cgroup, ipc, net, mnt, pid, user, uts, time (\"mount\" is not one)");
        ASSERT_EQ(c.restrict_namespaces, all & ~(unsigned long) CLONE_NEWNS);
        /* "~" alone, as systemd reads it: takes nothing away; first, it
         * allows all, and a later list adds to all. */
        OK(&c, "RestrictNamespaces", "~");
        ASSERT_EQ(c.restrict_namespaces, all & ~(unsigned long) CLONE_NEWNS);
        OK(&c, "RestrictNamespaces", "");
        OK(&c, "RestrictNamespaces", "~");
        ASSERT_TRUE(c.restrict_namespaces_set);
        ASSERT_EQ(c.restrict_namespaces, all);
        OK(&c, "RestrictNamespaces", "net");
        ASSERT_EQ(c.restrict_namespaces, all);
        ASSERT_NOT_NULL(assign(&c, "RestrictNamespaces", "~ ~"));
        /* Split as systemd 252 splits it (no flags): a quote is part of the
         * word, no C escapes, a backslash keeps the next character. */
        OK(&c, "RestrictNamespaces", "");
        ASSERT_NOT_NULL(assign(&c, "RestrictNamespaces", "\"cgroup\""));
        ASSERT_NOT_NULL(assign(&c, "RestrictNamespaces", "\\x63group"));
        ASSERT_FALSE(c.restrict_namespaces_set);
        OK(&c, "RestrictNamespaces", "c\\group");
        ASSERT_EQ(c.restrict_namespaces, (unsigned long) CLONE_NEWCGROUP);
        cell_config_done(&c);
}

TEST(address_families) {
        CellConfig c;

        ASSERT_EQ(address_family_from_string("AF_INET6"), AF_INET6);
        ASSERT_EQ(address_family_from_string("AF_LOCAL"), AF_UNIX);
        ASSERT_STREQ(address_family_to_string(AF_UNIX), "AF_UNIX");
        /* Names in any case, as systemd's af_from_name() takes them. */
        ASSERT_EQ(address_family_from_string("af_inet"), AF_INET);
        ASSERT_EQ(address_family_from_string("Af_Local"), AF_UNIX);
        ASSERT_TRUE(address_family_from_string("af_foo") < 0);
        ASSERT_TRUE(address_family_from_string("AF_UNSPEC") < 0);

        cell_config_init(&c);
        /* Split as systemd 252 splits it: quotes removed, no C escapes. */
        ASSERT_NOT_NULL(assign(&c, "RestrictAddressFamilies", "\\x41F_UNIX"));
        ASSERT_FALSE(c.address_families_set);
        OK(&c, "RestrictAddressFamilies", "\"AF_UNIX\" AF_I\\NET");
        ASSERT_TRUE(c.address_families_allow_list);
        ASSERT_EQ_U64(c.address_families, (UINT64_C(1) << AF_UNIX) | (UINT64_C(1) << AF_INET));
        /* The same kind adds; the other kind takes out. */
        OK(&c, "RestrictAddressFamilies", "AF_INET6");
        OK(&c, "RestrictAddressFamilies", "~AF_INET");
        ASSERT_TRUE(c.address_families_allow_list);
        ASSERT_EQ_U64(c.address_families, (UINT64_C(1) << AF_UNIX) | (UINT64_C(1) << AF_INET6));
        /* A first "~" list denies. */
        OK(&c, "RestrictAddressFamilies", "");
        ASSERT_FALSE(c.address_families_allow_list);
        ASSERT_EQ_U64(c.address_families, 0);
        OK(&c, "RestrictAddressFamilies", "~AF_PACKET");
        OK(&c, "RestrictAddressFamilies", "AF_PACKET AF_NETLINK");       /* out of a deny list */
        ASSERT_FALSE(c.address_families_allow_list);
        ASSERT_EQ_U64(c.address_families, 0);
        /* "~" alone, as systemd reads it: a deny list of nothing, out of
         * which a later allow list takes families (nothing is denied). */
        OK(&c, "RestrictAddressFamilies", "");
        OK(&c, "RestrictAddressFamilies", "~");
        OK(&c, "RestrictAddressFamilies", "AF_UNIX");
        ASSERT_FALSE(c.address_families_allow_list);
        ASSERT_EQ_U64(c.address_families, 0);
        /* ...and after a list, changes nothing. */
        OK(&c, "RestrictAddressFamilies", "");
        OK(&c, "RestrictAddressFamilies", "AF_UNIX");
        OK(&c, "RestrictAddressFamilies", "~");
        ASSERT_TRUE(c.address_families_allow_list);
        ASSERT_EQ_U64(c.address_families, UINT64_C(1) << AF_UNIX);
        /* "none": an allow list of nothing. */
        OK(&c, "RestrictAddressFamilies", "none");
        ASSERT_TRUE(c.address_families_allow_list);
        ASSERT_EQ_U64(c.address_families, 0);

        BAD(&c, "RestrictAddressFamilies", "AF_UNIX AF_WHAT",
            "web.cell:7: RestrictAddressFamilies=AF_UNIX AF_WHAT: expected \"none\", or [~] and address family "
            "names (AF_UNIX, AF_INET, AF_INET6, AF_NETLINK ...) (\"AF_WHAT\" is not one)");
        ASSERT_TRUE(c.address_families_allow_list);
        ASSERT_EQ_U64(c.address_families, 0);
        cell_config_done(&c);
}

TEST(lock_personality) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_FALSE(c.lock_personality);
        OK(&c, "LockPersonality", "yes");
        ASSERT_TRUE(c.lock_personality);
        /* systemd's booleans ignore an empty value and keep the earlier one. */
        BAD(&c, "LockPersonality", "", "web.cell:7: LockPersonality=: " EMPTY_BOOL);
        ASSERT_TRUE(c.lock_personality);
        ASSERT_NOT_NULL(assign(&c, "LockPersonality", "maybe"));
        cell_config_done(&c);
}

/* RestrictSUIDSGID=: a boolean; a bad one named with file, line and key and
 * the value as it was, the empty one too (no reset: systemd keeps "yes"). */
TEST(restrict_suid_sgid) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_FALSE(c.restrict_suid_sgid);
        OK(&c, "RestrictSUIDSGID", "yes");
        ASSERT_TRUE(c.restrict_suid_sgid);
        BAD(&c, "RestrictSUIDSGID", "suid",
            "web.cell:7: RestrictSUIDSGID=suid: expected a boolean (yes/no, true/false, on/off, 1/0)");
        ASSERT_TRUE(c.restrict_suid_sgid);
        BAD(&c, "RestrictSUIDSGID", "", "web.cell:7: RestrictSUIDSGID=: " EMPTY_BOOL);
        ASSERT_TRUE(c.restrict_suid_sgid);
        cell_config_done(&c);
}

TEST(memory_deny_write_execute) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_FALSE(c.memory_deny_write_execute);
        OK(&c, "MemoryDenyWriteExecute", "true");
        ASSERT_TRUE(c.memory_deny_write_execute);
        BAD(&c, "MemoryDenyWriteExecute", "jit",
            "web.cell:7: MemoryDenyWriteExecute=jit: expected a boolean (yes/no, true/false, on/off, 1/0)");
        ASSERT_TRUE(c.memory_deny_write_execute);
        /* A drop-in's empty value would undo the unit's "yes" here but not in
         * systemd, which keeps it: refused. */
        BAD(&c, "MemoryDenyWriteExecute", "", "web.cell:7: MemoryDenyWriteExecute=: " EMPTY_BOOL);
        ASSERT_TRUE(c.memory_deny_write_execute);
        cell_config_done(&c);
}

/* The Protect*= keys: booleans, the empty value back to "no", a bad one
 * named with file, line and key and the value as it was. */
TEST(protect) {
        static const struct {
                const char *key;
                size_t offset;
        } keys[] = {
                { "ProtectHostname", offsetof(CellConfig, protect_hostname) },
                { "ProtectClock", offsetof(CellConfig, protect_clock) },
                { "ProtectKernelModules", offsetof(CellConfig, protect_kernel_modules) },
                { "ProtectKernelLogs", offsetof(CellConfig, protect_kernel_logs) },
                { "ProtectKernelTunables", offsetof(CellConfig, protect_kernel_tunables) },
                { "ProtectControlGroups", offsetof(CellConfig, protect_control_groups) },
        };

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_free_ char *want = NULL;
                CellConfig c;
                bool *b = (bool *) ((uint8_t *) &c + keys[i].offset);

                cell_config_init(&c);
                ASSERT_FALSE(*b);
                OK(&c, keys[i].key, "on");
                ASSERT_TRUE(*b);
                ASSERT_TRUE(asprintf(&want, "web.cell:7: %s=strict: expected a boolean (yes/no, true/false, on/off, "
                                     "1/0)", keys[i].key) > 0);
                BAD(&c, keys[i].key, "strict", want);
                ASSERT_TRUE(*b);
                /* No reset: systemd ignores the empty value and keeps "on". */
                want = mfree(want);
                ASSERT_TRUE(asprintf(&want, "web.cell:7: %s=: expected a boolean (yes/no, true/false, on/off, "
                                     "1/0); an empty value resets nothing, as in systemd", keys[i].key) > 0);
                BAD(&c, keys[i].key, "", want);
                ASSERT_TRUE(*b);
                OK(&c, keys[i].key, "1");
                OK(&c, keys[i].key, "no");
                ASSERT_FALSE(*b);
                cell_config_done(&c);
        }
}

/* @known: every call of the headers, sorted, unique, most known to libseccomp. */
TEST(known_group) {
        const char * const *m = syscall_group_members("@known");
        size_t n = 0, unknown = 0;
        bool openat = false, socketcall = false;

        ASSERT_NOT_NULL(m);
        for (; *m; m++, n++) {
                if (m[1])
                        ASSERT_TRUE(strcmp(m[0], m[1]) < 0);
                if (!syscall_name_is_valid(*m))
                        unknown++;
                openat = openat || streq(*m, "openat");
                socketcall = socketcall || streq(*m, "socketcall");
        }
        ASSERT_TRUE(openat);
        ASSERT_TRUE(n > 300);
        ASSERT_TRUE(unknown * 20 < n);
#if defined(__x86_64__)
        ASSERT_TRUE(socketcall);        /* i386's, which the filter covers too */
#endif
        (void) socketcall;
}

TEST(known_in_a_filter) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "SystemCallFilter", "@known");
        ASSERT_TRUE(c.syscall_filter_allow_list);
        OK(&c, "SystemCallFilter", "~@known");
        cell_config_done(&c);
}
