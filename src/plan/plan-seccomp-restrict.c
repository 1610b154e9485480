/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The keys of systemd.exec(5) that systemd makes seccomp filters of, each
 * as rules of cell's one filter: SystemCallArchitectures= (which ABIs it
 * covers), RestrictNamespaces=, RestrictAddressFamilies=, LockPersonality=,
 * RestrictRealtime=, RestrictSUIDSGID= and MemoryDenyWriteExecute=, with
 * systemd 252's rules (its seccomp-util.c). */

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "parse-isolation.h"
#include "parse-sched.h"
#include "plan-internal.h"

static int seccomp_restrict_archs(Plan *p, const CellConfig *c, Diagnostics *diag) {
        uint32_t native = seccomp_arch_native();
        int r;

        if (c->n_syscall_archs == 0)
                return 0;
        /* The native ABI always: cell's own execve() and the payload's
         * programs use it (systemd never blocks it either). */
        p->syscall_archs[p->n_syscall_archs++] = native;
        /* x32 programs call x86-64's entry points too (its vDSO does). */
        if (native == SCMP_ARCH_X32)
                p->syscall_archs[p->n_syscall_archs++] = SCMP_ARCH_X86_64;
        for (size_t i = 0; i < c->n_syscall_archs; i++) {
                uint32_t a = c->syscall_archs[i];
                bool seen = false;

                for (size_t k = 0; k < p->n_syscall_archs; k++)
                        seen = seen || p->syscall_archs[k] == a;
                if (seen)
                        continue;
                if (!syscall_arch_is_local(a)) {
                        const char *file;
                        unsigned line = cell_config_origin(c, "SystemCallArchitectures", i, &file);

                        /* As systemd, which never sees its calls here either. */
                        r = diag_warning(diag, file, line,
                                         "SystemCallArchitectures=%s: not an ABI this machine runs, ignoring it",
                                         strna(syscall_arch_to_string(a)));
                        if (r < 0)
                                return r;
                        continue;
                }
                p->syscall_archs[p->n_syscall_archs++] = a;
        }
        return 0;
}

/* Whether the payload is the host's root (no PrivateUsers=) without
 * CAP_SYS_ADMIN. A cgroup namespace of its own (in a user namespace it makes
 * first) lets it mount cgroupfs there, rooted at its cgroup in each
 * hierarchy: the host's root cgroup in a v1 hierarchy where the container
 * has none, its own cgroup elsewhere; and the files are its UID's, 0, the
 * owner's. It could freeze any cgroup of the host, or lift its own
 * MemoryMax= and TasksMax=. With CAP_SYS_ADMIN it could mount them anyway. */
static bool seccomp_refuses_cgroupns(const Plan *p) {
        return !(p->namespaces & CLONE_NEWUSER) && !(p->cap_bounding & (UINT64_C(1) << CAP_SYS_ADMIN));
}

/* RestrictNamespaces=: unshare() and clone() with the flag of a kind not
 * allowed, setns() into one (or with 0, "any kind") fail with EPERM;
 * clone3(), whose flags are in memory no filter can read, with ENOSYS, so
 * that libc falls back to clone(). The cgroup kind is never allowed where
 * seccomp_refuses_cgroupns(), whatever the key says. */
static int seccomp_restrict_namespaces(Plan *p, const CellConfig *c, SeccompBuilder *b) {
        unsigned long all = namespace_flags_all(),
                allowed = (c->restrict_namespaces_set ? c->restrict_namespaces : all) & all;
        /* s390 swaps clone()'s first two arguments. */
#if defined(__s390__) || defined(__s390x__)
        const unsigned clone_flags_index = 1;
#else
        const unsigned clone_flags_index = 0;
#endif
        bool unshare = !plan_seccomp_denied(b, "unshare"), clone = !plan_seccomp_denied(b, "clone"),
                setns = !plan_seccomp_denied(b, "setns");
        int r;

        /* The host's root must not mount cgroupfs (see above). */
        if (seccomp_refuses_cgroupns(p))
                allowed &= ~(unsigned long) CLONE_NEWCGROUP;
        if (allowed == all)
                return 0;
        p->restrict_namespaces = true;
        p->namespaces_allowed = allowed;

        if (!plan_seccomp_denied(b, "clone3")) {
                r = plan_seccomp_add(b, "clone3", PLAN_SECCOMP_ERRNO, ENOSYS);
                if (r < 0)
                        return r;
        }
        if (setns) {
                r = allowed == 0 ? plan_seccomp_add(b, "setns", PLAN_SECCOMP_ERRNO, EPERM) :
                        plan_seccomp_add_arg(b, "setns", PLAN_SECCOMP_ERRNO, EPERM, 1, PLAN_SECCOMP_MASKED_EQ,
                                             UINT32_MAX, 0, "0");
                if (r < 0)
                        return r;
        }
        for (unsigned long f = 1; f != 0 && f <= all; f <<= 1) {
                const char *name = namespace_flag_to_string(f);

                if (!(all & f) || (allowed & f))
                        continue;
                r = 0;
                if (unshare)
                        r = plan_seccomp_add_arg(b, "unshare", PLAN_SECCOMP_ERRNO, EPERM, 0, PLAN_SECCOMP_MASKED_EQ,
                                                 (uint32_t) f, (uint32_t) f, name);
                if (r >= 0 && clone)
                        r = plan_seccomp_add_arg(b, "clone", PLAN_SECCOMP_ERRNO, EPERM, clone_flags_index,
                                                 PLAN_SECCOMP_MASKED_EQ, (uint32_t) f, (uint32_t) f, name);
                if (r >= 0 && setns && allowed != 0)
                        r = plan_seccomp_add_arg(b, "setns", PLAN_SECCOMP_ERRNO, EPERM, 1, PLAN_SECCOMP_MASKED_EQ,
                                                 (uint32_t) f, (uint32_t) f, name);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* io_uring(7) runs what its queue asks (IORING_OP_OPENAT with O_CREAT and
 * any mode, IORING_OP_SOCKET of any family) in the kernel, past every
 * filter: where a key's rules hold the arguments of a call that io_uring
 * also makes, its three calls fail with ENOSYS, as openat2() and clone3()
 * do, so that a program falls back to the calls the filter sees. Beyond
 * systemd 252, whose RestrictSUIDSGID= and RestrictAddressFamilies= leave
 * that way open. */
static int seccomp_deny_io_uring(SeccompBuilder *b) {
        static const char *const calls[] = { "io_uring_enter", "io_uring_register", "io_uring_setup" };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                if (plan_seccomp_denied(b, calls[i]))
                        continue;
                r = plan_seccomp_add(b, calls[i], PLAN_SECCOMP_ERRNO, ENOSYS);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* RestrictAddressFamilies=: socket() of a family not allowed fails with
 * EAFNOSUPPORT, as the kernel's own answer for a family it lacks. An allow
 * list denies every family up to its highest one by number, and all above
 * it (a newer kernel's, unknown to cell's headers, too); io_uring fails
 * with ENOSYS (seccomp_deny_io_uring()). */
static int seccomp_restrict_address_families(Plan *p, const CellConfig *c, SeccompBuilder *b) {
        int last = -1, r;

        if (!c->address_families_allow_list && c->address_families == 0)
                return 0;
        p->restrict_address_families = true;
        p->address_families_allow_list = c->address_families_allow_list;
        p->address_families = c->address_families;
        /* Also where socket() is denied: IORING_OP_SOCKET is not socket(). */
        r = seccomp_deny_io_uring(b);
        if (r < 0 || plan_seccomp_denied(b, "socket"))
                return r;

        if (!c->address_families_allow_list) {
                for (int af = 0; af < 64; af++) {
                        if (!(c->address_families & (UINT64_C(1) << af)))
                                continue;
                        r = plan_seccomp_add_arg(b, "socket", PLAN_SECCOMP_ERRNO, EAFNOSUPPORT, 0,
                                                 PLAN_SECCOMP_MASKED_EQ, UINT32_MAX, (uint32_t) af,
                                                 address_family_to_string(af));
                        if (r < 0)
                                return r;
                }
                return 0;
        }

        if (c->address_families == 0)
                return plan_seccomp_add(b, "socket", PLAN_SECCOMP_ERRNO, EAFNOSUPPORT);
        for (int af = 0; af < 64; af++)
                if (c->address_families & (UINT64_C(1) << af))
                        last = af;
        for (int af = 0; af < last; af++) {
                if (c->address_families & (UINT64_C(1) << af))
                        continue;
                r = plan_seccomp_add_arg(b, "socket", PLAN_SECCOMP_ERRNO, EAFNOSUPPORT, 0, PLAN_SECCOMP_MASKED_EQ,
                                         UINT32_MAX, (uint32_t) af, address_family_to_string(af) ?: "AF_UNSPEC");
                if (r < 0)
                        return r;
        }
        return plan_seccomp_add_arg(b, "socket", PLAN_SECCOMP_ERRNO, EAFNOSUPPORT, 0, PLAN_SECCOMP_GE,
                                    UINT32_MAX, (uint32_t) last + 1, address_family_to_string(last + 1) ?: "AF_MAX");
}

/* LockPersonality=: personality(2) may set no other execution domain than
 * Personality='s (or Linux's), which it has when the payload starts. */
static int seccomp_lock_personality(Plan *p, const CellConfig *c, SeccompBuilder *b) {
        unsigned long persona = c->personality_set ? c->personality : PER_LINUX;

        if (!c->lock_personality)
                return 0;
        p->lock_personality = true;
        p->locked_personality = persona;
        if (plan_seccomp_denied(b, "personality"))
                return 0;
        return plan_seccomp_add_arg(b, "personality", PLAN_SECCOMP_ERRNO, EPERM, 0, PLAN_SECCOMP_NE, UINT32_MAX,
                                    (uint32_t) persona, personality_to_string(persona) ?: "PER_LINUX");
}

/* RestrictRealtime=: sched_setscheduler(2) to no policy but SCHED_OTHER (0),
 * SCHED_BATCH (3) and SCHED_IDLE (5), as systemd 252 holds it: the other
 * values below SCHED_IDLE, and every value above it (SCHED_DEADLINE, and any
 * with SCHED_RESET_ON_FORK or'ed in, which systemd refuses alike), fail with
 * EPERM. A policy that CPUSchedulingPolicy= set is set by cell before the
 * filter, and stays. */
static int seccomp_restrict_realtime(Plan *p, const CellConfig *c, SeccompBuilder *b) {
        /* 4: SCHED_ISO, reserved and never implemented. */
        static const int refused[] = { SCHED_FIFO, SCHED_RR, 4 };
        int r;

        if (!c->restrict_realtime)
                return 0;
        p->restrict_realtime = true;
        if (plan_seccomp_denied(b, "sched_setscheduler"))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                r = plan_seccomp_add_arg(b, "sched_setscheduler", PLAN_SECCOMP_ERRNO, EPERM, 1,
                                         PLAN_SECCOMP_MASKED_EQ, UINT32_MAX, (uint32_t) refused[i],
                                         sched_policy_to_string(refused[i]) ?: "SCHED_ISO");
                if (r < 0)
                        return r;
        }
        return plan_seccomp_add_arg(b, "sched_setscheduler", PLAN_SECCOMP_ERRNO, EPERM, 1, PLAN_SECCOMP_GE,
                                    UINT32_MAX, SCHED_IDLE + 1, "SCHED_DEADLINE");
}

/* RestrictSUIDSGID=: no file may get the set-user-ID or set-group-ID bit,
 * as systemd 252 holds it: chmod(), mkdir(), mknod() and their kin with
 * either in the mode fail with EPERM, and so do creat(), and open() and
 * openat() with O_CREAT in the flags and either in the mode (both must
 * hold: two comparisons). openat2(), whose flags and mode are in memory no
 * filter can read, fails with ENOSYS, so that libc falls back to openat().
 * Beyond 252: O_TMPFILE also takes a mode (an unnamed file that linkat()
 * then names), so it is held as O_CREAT is; fchmodat2() as fchmodat();
 * and io_uring fails with ENOSYS (seccomp_deny_io_uring()). */
static int seccomp_restrict_suid_sgid(Plan *p, const CellConfig *c, SeccompBuilder *b) {
        static const struct {
                const char *name;
                unsigned mode_index;
        } with_mode[] = {
                { "chmod", 1 },
                { "creat", 1 },
                { "fchmod", 1 },
                { "fchmodat", 2 },
                { "fchmodat2", 2 },
                { "mkdir", 1 },
                { "mkdirat", 2 },
                { "mknod", 1 },
                { "mknodat", 2 },
        }, opens[] = {
                /* ...the flags are one argument before the mode. */
                { "open", 2 },
                { "openat", 3 },
        };
        static const PlanSyscallArg bits[] = {
                { .mask = S_ISUID, .value = S_ISUID, .name = "S_ISUID" },
                { .mask = S_ISGID, .value = S_ISGID, .name = "S_ISGID" },
        }, creating[] = {
                { .mask = O_CREAT, .value = O_CREAT, .name = "O_CREAT" },
                /* O_TMPFILE is __O_TMPFILE|O_DIRECTORY; its own bit alone. */
                { .mask = O_TMPFILE & ~O_DIRECTORY, .value = O_TMPFILE & ~O_DIRECTORY, .name = "__O_TMPFILE" },
        };
        int r;

        if (!c->restrict_suid_sgid)
                return 0;
        p->restrict_suid_sgid = true;

        for (size_t i = 0; i < ELEMENTSOF(with_mode); i++) {
                if (plan_seccomp_denied(b, with_mode[i].name))
                        continue;
                for (size_t k = 0; k < ELEMENTSOF(bits); k++) {
                        PlanSyscallArg mode = bits[k];

                        mode.index = with_mode[i].mode_index;
                        r = plan_seccomp_add_args(b, with_mode[i].name, PLAN_SECCOMP_ERRNO, EPERM, &mode, 1);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(opens); i++) {
                if (plan_seccomp_denied(b, opens[i].name))
                        continue;
                for (size_t f = 0; f < ELEMENTSOF(creating); f++)
                        for (size_t k = 0; k < ELEMENTSOF(bits); k++) {
                                PlanSyscallArg args[2] = { creating[f], bits[k] };

                                args[0].index = opens[i].mode_index - 1;
                                args[1].index = opens[i].mode_index;
                                r = plan_seccomp_add_args(b, opens[i].name, PLAN_SECCOMP_ERRNO, EPERM, args, 2);
                                if (r < 0)
                                        return r;
                        }
        }
        r = seccomp_deny_io_uring(b);
        if (r < 0 || plan_seccomp_denied(b, "openat2"))
                return r;
        return plan_seccomp_add(b, "openat2", PLAN_SECCOMP_ERRNO, ENOSYS);
}

/* MemoryDenyWriteExecute=: no memory both writable and executable, and
 * none made executable later, with systemd 252's rules and EPERM: mmap()
 * and mmap2() with PROT_WRITE and PROT_EXEC together, mprotect() and
 * pkey_mprotect() with PROT_EXEC at all, shmat() with SHM_EXEC. Each name
 * holds on every ABI the filter covers that has it: i386's shmat(), which
 * 252 leaves out (its libc goes through ipc()), too, as libseccomp filters
 * ipc(SHMAT) by the same argument. i386's and s390's old mmap(), whose
 * arguments are in memory, are refused whatever they ask, as 252 does, by
 * a rule for that ABI alone: the name is x86-64's and s390x's mmap() too.
 * Beyond 252: personality() with READ_IMPLIES_EXEC, after which the kernel
 * adds PROT_EXEC to every readable mapping (mmap() with PROT_READ and
 * PROT_WRITE alone then makes writable and executable memory), fails with
 * EPERM too; so does its query, 0xffffffff, which has every bit set, as it
 * does under LockPersonality= (a filter can compare an argument once). */
static int seccomp_memory_deny_write_execute(Plan *p, const CellConfig *c, SeccompBuilder *b) {
        static const struct {
                const char *name;
                PlanSyscallArg arg;
        } rules[] = {
                { "mmap", { .index = 2, .mask = PROT_WRITE | PROT_EXEC, .value = PROT_WRITE | PROT_EXEC,
                            .name = "PROT_WRITE|PROT_EXEC" } },
                { "mmap2", { .index = 2, .mask = PROT_WRITE | PROT_EXEC, .value = PROT_WRITE | PROT_EXEC,
                             .name = "PROT_WRITE|PROT_EXEC" } },
                { "mprotect", { .index = 2, .mask = PROT_EXEC, .value = PROT_EXEC, .name = "PROT_EXEC" } },
                { "pkey_mprotect", { .index = 2, .mask = PROT_EXEC, .value = PROT_EXEC, .name = "PROT_EXEC" } },
                { "shmat", { .index = 2, .mask = SHM_EXEC, .value = SHM_EXEC, .name = "SHM_EXEC" } },
                { "personality", { .index = 0, .mask = READ_IMPLIES_EXEC, .value = READ_IMPLIES_EXEC,
                                   .name = "READ_IMPLIES_EXEC" } },
        };
        static const uint32_t old_mmap_abis[] = { SCMP_ARCH_X86, SCMP_ARCH_S390 };
        int r;

        if (!c->memory_deny_write_execute)
                return 0;
        p->memory_deny_write_execute = true;
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                if (plan_seccomp_denied(b, rules[i].name))
                        continue;
                r = plan_seccomp_add_args(b, rules[i].name, PLAN_SECCOMP_ERRNO, EPERM, &rules[i].arg, 1);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(old_mmap_abis); i++) {
                /* Only where this machine runs that ABI at all. */
                if (plan_seccomp_denied(b, "mmap") || !syscall_arch_is_local(old_mmap_abis[i]))
                        continue;
                r = plan_seccomp_add_abi(b, "mmap", PLAN_SECCOMP_ERRNO, EPERM, old_mmap_abis[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int plan_seccomp_restrict(Plan *p, const CellConfig *c, SeccompBuilder *b, Diagnostics *diag) {
        int r;

        r = seccomp_restrict_archs(p, c, diag);
        if (r >= 0)
                r = seccomp_restrict_namespaces(p, c, b);
        if (r >= 0)
                r = seccomp_restrict_address_families(p, c, b);
        if (r >= 0)
                r = seccomp_lock_personality(p, c, b);
        if (r >= 0)
                r = seccomp_restrict_realtime(p, c, b);
        if (r >= 0)
                r = seccomp_restrict_suid_sgid(p, c, b);
        if (r >= 0)
                r = seccomp_memory_deny_write_execute(p, c, b);
        if (r >= 0)
                r = plan_protect_seccomp(p, b);
        return r;
}
