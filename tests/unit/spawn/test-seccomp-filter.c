/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Each filter is loaded in a forked child (a filter cannot be removed). */
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <linux/shm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "bpf-run.h"
#include "seccomp-filter.h"
#include "child-test.h"
#include "test.h"

static void deny_list_child(void) {
        PlanSyscallRule rules[] = {
                { .name = (char *) "keyctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
                { .name = (char *) "bpf", .action = PLAN_SECCOMP_ERRNO, .error = EACCES },
                { .name = (char *) "no_such_syscall_anywhere", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
                { .name = (char *) "getpid", .action = PLAN_SECCOMP_ALLOW },   /* same as default */
        };
        SpawnError err = {};

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, &err) < 0)
                _exit(10);
        errno = 0;
        if (syscall(SYS_keyctl, 0, -3, 0) >= 0 || errno != EPERM)
                _exit(11);
        errno = 0;
        if (syscall(SYS_bpf, 0, NULL, 0) >= 0 || errno != EACCES)
                _exit(12);
        if (getpid() <= 0)
                _exit(13);
        _exit(0);
}

TEST(deny_list_answers_with_errno) {
        int status = in_child(deny_list_child);

        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

static void allow_list_child(void) {
        /* What the child (and a sanitizer runtime in it) needs after
         * loading; execve is added by the filter itself. Everything else
         * fails with ENOSYS. */
        static const char *const allowed[] = {
                "exit_group", "exit", "getppid", "write", "mmap", "munmap", "mprotect", "madvise",
                "sigaltstack", "gettid", "getpid", "tgkill", "rt_sigprocmask", "rt_sigaction",
                "futex", "sched_yield", "prctl", "open", "openat", "close", "read", "readlink",
                "fstat", "newfstatat", "lseek", "brk",
        };
        PlanSyscallRule rules[ELEMENTSOF(allowed)];
        SpawnError err = {};

        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                rules[i] = (PlanSyscallRule) { .name = (char *) allowed[i], .action = PLAN_SECCOMP_ALLOW };
        if (seccomp_filter_load(PLAN_SECCOMP_ERRNO, ENOSYS, rules, ELEMENTSOF(rules), NULL, 0, true, &err) < 0)
                _exit(10);
        if (syscall(SYS_getppid) <= 0)
                _exit(11);
        if (syscall(SYS_getuid) >= 0 || errno != ENOSYS)
                _exit(12);
        /* execve passes the filter: the exec of a missing file fails with
         * ENOENT, not ENOSYS. */
        char *argv[] = { (char *) "/nonexistent-cell-test", NULL };
        /* execveat does not: cell never calls it, it is the unit's to allow. */
        if (syscall(SYS_execveat, AT_FDCWD, argv[0], argv, NULL, 0) >= 0 || errno != ENOSYS)
                _exit(14);
        (void) syscall(SYS_execve, argv[0], argv, NULL);
        _exit(errno == ENOENT ? 0 : 13);
}

TEST(allow_list_keeps_execve) {
        int status = in_child(allow_list_child);

        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

static void kill_child(void) {
        PlanSyscallRule rules[] = {
                { .name = (char *) "keyctl", .action = PLAN_SECCOMP_KILL },
        };

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        (void) syscall(SYS_keyctl, 0, -3, 0);
        _exit(11);
}

TEST(kill_action_kills_the_process) {
        int status = in_child(kill_child);

        ASSERT_TRUE(WIFSIGNALED(status));
        ASSERT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(secondary_architectures_are_filtered) {
        scmp_filter_ctx c = NULL;
        PlanSyscallRule rules[] = {
                { .name = (char *) "keyctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
        };

        ASSERT_OK(seccomp_filter_build(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, &c, NULL));
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                ASSERT_OK(seccomp_arch_exist(c, SCMP_ARCH_X86));
                ASSERT_OK(seccomp_arch_exist(c, SCMP_ARCH_X32));
        }
        /* Any ABI not covered kills the process, not the thread alone (on a
         * host where no secondary ABI is added, every other one). */
        uint32_t badarch = 0;
        ASSERT_OK(seccomp_attr_get(c, SCMP_FLTATR_ACT_BADARCH, &badarch));
        ASSERT_EQ(badarch, SCMP_ACT_KILL_PROCESS);
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(seccomp_export_bpf(c, fd));
        safe_close(fd);
        seccomp_release(c);
}

/* Compiled once (as the child does before PREPARED), loaded later in another
 * process: the program must not depend on the context it was built in, and
 * loading it must set no_new_privs as seccomp_load() does. */
static SeccompProgram compiled;

static void compiled_child(void) {
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
                _exit(20);      /* the test must start without it, or it proves nothing */
        if (seccomp_program_load(&compiled, NULL) < 0)
                _exit(21);
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
                _exit(22);
        errno = 0;
        if (syscall(SYS_keyctl, 0, -3, 0) >= 0 || errno != EPERM)
                _exit(23);
        if (getpid() <= 0)
                _exit(24);
        _exit(0);
}

TEST(compiled_program_loads_later_in_a_fork) {
        PlanSyscallRule rules[] = {
                { .name = (char *) "keyctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
        };
        _cleanup_close_ int fd = -EBADF;
        scmp_filter_ctx c = NULL;
        struct stat st;
        int status;

        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, &compiled, NULL));
        ASSERT_TRUE(compiled.n_insns > 0);
        ASSERT_TRUE(compiled.no_new_privs);

        /* The very program libseccomp would load: its own export, byte for byte. */
        ASSERT_OK(seccomp_filter_build(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, &c, NULL));
        fd = memfd_create("test-seccomp", MFD_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(seccomp_export_bpf(c, fd));
        seccomp_release(c);
        ASSERT_OK(fstat(fd, &st));
        ASSERT_EQ((size_t) st.st_size, compiled.n_insns * sizeof(struct sock_filter));
        _cleanup_free_ char *buf = malloc(st.st_size);
        ASSERT_NOT_NULL(buf);
        ASSERT_EQ(pread(fd, buf, st.st_size, 0), (ssize_t) st.st_size);
        ASSERT_TRUE(memcmp(buf, compiled.insns, st.st_size) == 0);

        status = in_child(compiled_child);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);

        seccomp_program_done(&compiled);
        ASSERT_NULL(compiled.insns);
        ASSERT_EQ(compiled.n_insns, (size_t) 0);
}

static void export_program(scmp_filter_ctx c, struct sock_filter **ret, size_t *ret_n) {
        _cleanup_close_ int fd = memfd_create("test-seccomp", MFD_CLOEXEC);
        struct stat st;

        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(seccomp_export_bpf(c, fd));
        ASSERT_OK(fstat(fd, &st));
        ASSERT_TRUE(st.st_size > 0 && st.st_size % sizeof(struct sock_filter) == 0);
        *ret = malloc(st.st_size);
        ASSERT_NOT_NULL(*ret);
        ASSERT_EQ(pread(fd, *ret, st.st_size, 0), (ssize_t) st.st_size);
        *ret_n = st.st_size / sizeof(struct sock_filter);
}

/* cell's default deny list (cell plan), one KILL and one other errno. */
static const char *const default_denied[] = {
        "_sysctl", "acct", "add_key", "bpf", "create_module", "delete_module", "finit_module",
        "get_kernel_syms", "init_module", "ioperm", "iopl", "kexec_file_load", "kexec_load",
        "keyctl", "lookup_dcookie", "nfsservctl", "open_by_handle_at", "perf_event_open",
        "query_module", "quotactl", "reboot", "request_key", "swapoff", "swapon", "uselib",
        "userfaultfd", "vm86", "vm86old",
};

static size_t default_rules(PlanSyscallRule *rules) {
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(default_denied); i++)
                rules[n++] = (PlanSyscallRule) { .name = (char *) default_denied[i],
                                                 .action = PLAN_SECCOMP_ERRNO, .error = EPERM };
        rules[n++] = (PlanSyscallRule) { .name = (char *) "ptrace", .action = PLAN_SECCOMP_KILL };
        rules[n++] = (PlanSyscallRule) { .name = (char *) "mount", .action = PLAN_SECCOMP_ERRNO, .error = EACCES };
        return n;
}

/* The filter is built as a binary tree (what the kernel takes faster); its
 * verdict for every syscall number on every entry point is the one of
 * libseccomp's plain list, and the one the rules ask for. */
TEST(binary_tree_gives_the_list_verdicts) {
        PlanSyscallRule rules[ELEMENTSOF(default_denied) + 2];
        size_t n_rules = default_rules(rules), n_tree, n_list, differ = 0, denied = 0;
        _cleanup_free_ struct sock_filter *tree = NULL, *list = NULL;
        scmp_filter_ctx c = NULL;
        uint32_t level = 0;

        ASSERT_OK(seccomp_filter_build(PLAN_SECCOMP_ALLOW, 0, rules, n_rules, NULL, 0, true, &c, NULL));
        if (seccomp_attr_get(c, SCMP_FLTATR_CTL_OPTIMIZE, &level) < 0) {
                test_skip("libseccomp without SCMP_FLTATR_CTL_OPTIMIZE: only the list is built");
                seccomp_release(c);
                return;
        }
        ASSERT_EQ(level, (uint32_t) 2);
        export_program(c, &tree, &n_tree);
        ASSERT_OK(seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 1));
        export_program(c, &list, &n_list);
        seccomp_release(c);
        ASSERT_TRUE(memcmp(tree, list, MIN(n_tree, n_list) * sizeof *tree) != 0);

        if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
                test_skip_part("the x86 ABIs' verdicts: x86-64 only");
                return;
        }
        static const struct { uint32_t arch, nr_bit; } entries[] = {
                { AUDIT_ARCH_X86_64, 0 },
                { AUDIT_ARCH_I386, 0 },
                { AUDIT_ARCH_X86_64, 0x40000000 },     /* x32 */
        };
        for (size_t e = 0; e < ELEMENTSOF(entries); e++)
                for (uint32_t nr = 0; nr < 1024; nr++) {
                        struct seccomp_data d = { .nr = (int) (nr | entries[e].nr_bit), .arch = entries[e].arch };
                        uint32_t vt = bpf_run(tree, n_tree, &d), vl = bpf_run(list, n_list, &d);

                        if (vt != vl)
                                differ++;
                        if (vt != SECCOMP_RET_ALLOW)
                                denied++;
                }
        ASSERT_EQ(differ, (size_t) 0);
        /* Each rule's name on each of the three entry points that has it: at
         * least the 64-bit ones, at most all three. */
        ASSERT_TRUE(denied >= 20 && denied <= 3 * n_rules);

        struct seccomp_data d = { .nr = SYS_keyctl, .arch = AUDIT_ARCH_X86_64 };
        ASSERT_EQ(bpf_run(tree, n_tree, &d), SECCOMP_RET_ERRNO | EPERM);
        d.nr = SYS_mount;
        ASSERT_EQ(bpf_run(tree, n_tree, &d), SECCOMP_RET_ERRNO | EACCES);
        d.nr = SYS_ptrace;
        ASSERT_EQ(bpf_run(tree, n_tree, &d), SECCOMP_RET_KILL_PROCESS);
        d.nr = SYS_getpid;
        ASSERT_EQ(bpf_run(tree, n_tree, &d), SECCOMP_RET_ALLOW);
        d = (struct seccomp_data) { .nr = 288, .arch = AUDIT_ARCH_I386 };       /* keyctl on i386 */
        ASSERT_EQ(bpf_run(tree, n_tree, &d), SECCOMP_RET_ERRNO | EPERM);
        d.nr = 20;                                                              /* getpid on i386 */
        ASSERT_EQ(bpf_run(tree, n_tree, &d), SECCOMP_RET_ALLOW);
}

#if defined(__x86_64__)
/* A call through the 32-bit entry point (int $0x80) of this 64-bit process. */
static long syscall_i386(long nr, long a, long b) {
        long ret;

        __asm__ volatile ("int $0x80"
                          : "=a" (ret)
                          : "a" (nr), "b" (a), "c" (b)
                          : "memory", "r8", "r9", "r10", "r11");
        return ret;
}

/* A kernel without the 32-bit entry point (ia32_emulation=0, or built
 * without IA32_EMULATION) has nothing to filter there: int $0x80 is then a
 * general protection fault (SIGSEGV) or -ENOSYS. Asked in a child of its own. */
static void i386_probe_child(void) {
        _exit(syscall_i386(20, 0, 0) == getpid() ? 0 : TEST_SKIP);
}

static void i386_child(void) {
        PlanSyscallRule rules[ELEMENTSOF(default_denied) + 2];
        size_t n_rules = default_rules(rules);

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, n_rules, NULL, 0, true, NULL) < 0)
                _exit(10);
        if (syscall_i386(288, 0, -3) != -EPERM)                 /* keyctl */
                _exit(11);
        if (syscall_i386(64, 0, 0) != getppid())                /* getppid */
                _exit(12);
        errno = 0;
        if (syscall(SYS_keyctl, 0, -3, 0) >= 0 || errno != EPERM)
                _exit(13);
        _exit(0);
}

TEST(binary_tree_filters_the_i386_entry_point) {
        int status = in_child(i386_probe_child);

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                test_skip("no 32-bit entry point in this kernel");
                return;
        }
        status = in_child(i386_child);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}
#endif

/* --- Rules by argument: ioctl(fd, TIOCSTI) denied, other requests not,
 * whatever the rest of the filter says about ioctl. */

static const PlanSyscallRule tiocsti_rule = {
        .name = (char *) "ioctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM,
        .n_args = 1, .args = { { .index = 1, .mask = UINT32_MAX, .value = TIOCSTI, .name = "TIOCSTI" } },
};

/* errno of ioctl(/dev/null, request) with the high half of the request set
 * as given: the kernel truncates it, the filter must not let it pass. */
static int ioctl_errno(unsigned long request, uint64_t high) {
        _cleanup_close_ int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        char c = '#';

        if (fd < 0)
                _exit(30);
        errno = 0;
        if (syscall(SYS_ioctl, fd, (unsigned long) (request | high), &c) >= 0)
                return 0;
        return errno;
}

/* What every filter with the rule must give: TIOCSTI EPERM, high half or
 * not; another request the kernel's answer (ENOTTY for /dev/null) or the
 * filter's own for ioctl. */
static void check_ioctls(int other) {
        if (ioctl_errno(TIOCSTI, 0) != EPERM)
                _exit(21);
        if (ioctl_errno(TIOCSTI, UINT64_C(1) << 32) != EPERM)
                _exit(22);
        if (ioctl_errno(TIOCGWINSZ, 0) != other)
                _exit(23);
        _exit(0);
}

static void arg_deny_list_child(void) {
        PlanSyscallRule rules[] = {
                { .name = (char *) "keyctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
                tiocsti_rule,
        };

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        errno = 0;
        if (syscall(SYS_keyctl, 0, -3, 0) >= 0 || errno != EPERM)
                _exit(11);
        check_ioctls(ENOTTY);
}

/* An allow list that allows ioctl: libseccomp alone would let TIOCSTI pass
 * (a rule for any arguments swallows one by argument); the guard does not. */
static void arg_allow_list_child(void) {
        static const char *const allowed[] = {
                "exit_group", "exit", "write", "mmap", "munmap", "mprotect", "madvise", "sigaltstack",
                "gettid", "getpid", "tgkill", "rt_sigprocmask", "rt_sigaction", "futex", "sched_yield",
                "prctl", "open", "openat", "close", "read", "fstat", "newfstatat", "lseek", "brk", "ioctl",
        };
        PlanSyscallRule rules[ELEMENTSOF(allowed) + 1];

        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                rules[i] = (PlanSyscallRule) { .name = (char *) allowed[i], .action = PLAN_SECCOMP_ALLOW };
        rules[ELEMENTSOF(allowed)] = tiocsti_rule;
        if (seccomp_filter_load(PLAN_SECCOMP_ERRNO, ENOSYS, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        if (syscall(SYS_getuid) >= 0 || errno != ENOSYS)
                _exit(11);
        check_ioctls(ENOTTY);
}

/* "~ioctl:EIO" beside the rule: every other request EIO, TIOCSTI EPERM. */
static void arg_and_plain_deny_child(void) {
        PlanSyscallRule rules[] = {
                { .name = (char *) "ioctl", .action = PLAN_SECCOMP_ERRNO, .error = EIO },
                tiocsti_rule,
        };

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        check_ioctls(EIO);
}

TEST(argument_rule_denies_tiocsti_in_a_deny_list) {
        int status = in_child(arg_deny_list_child);

        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

TEST(argument_rule_denies_tiocsti_in_an_allow_list_with_ioctl) {
        int status = in_child(arg_allow_list_child);

        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

TEST(argument_rule_wins_over_a_rule_for_any_arguments) {
        int status = in_child(arg_and_plain_deny_child);

        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

/* The guard in front changes no other verdict: for every syscall number on
 * every entry point but ioctl, the program says what the filter alone says;
 * for ioctl, TIOCSTI is denied on each entry point that has ioctl. */
TEST(argument_rules_change_nothing_else) {
        PlanSyscallRule rules[ELEMENTSOF(default_denied) + 3];
        size_t n_rules = default_rules(rules);
        _cleanup_(seccomp_program_done) SeccompProgram plain = {}, guarded = {};

        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules, n_rules, NULL, 0, true, &plain, NULL));
        rules[n_rules++] = tiocsti_rule;
        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules, n_rules, NULL, 0, true, &guarded, NULL));
        ASSERT_TRUE(guarded.n_insns > plain.n_insns);

        if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
                test_skip_part("the x86 ABIs' verdicts: x86-64 only");
                return;
        }
        static const struct { uint32_t arch, nr_bit; int ioctl_nr; } entries[] = {
                { AUDIT_ARCH_X86_64, 0, 16 },
                { AUDIT_ARCH_I386, 0, 54 },
                { AUDIT_ARCH_X86_64, 0x40000000, 514 },        /* x32 */
        };
        for (size_t e = 0; e < ELEMENTSOF(entries); e++) {
                for (uint32_t nr = 0; nr < 1024; nr++) {
                        struct seccomp_data d = { .nr = (int) (nr | entries[e].nr_bit), .arch = entries[e].arch,
                                                  .args = { 0, TIOCSTI } };
                        uint32_t want = bpf_run(plain.insns, plain.n_insns, &d);

                        if ((int) nr == entries[e].ioctl_nr)
                                want = SECCOMP_RET_ERRNO | EPERM;
                        if (bpf_run(guarded.insns, guarded.n_insns, &d) != want)
                                TEST_FAIL("arch %x nr %u: %x, want %x", entries[e].arch, nr,
                                          bpf_run(guarded.insns, guarded.n_insns, &d), want);
                }
                struct seccomp_data d = { .nr = entries[e].ioctl_nr | (int) entries[e].nr_bit,
                                          .arch = entries[e].arch, .args = { 0, TIOCSTI | (UINT64_C(1) << 32) } };
                ASSERT_EQ(bpf_run(guarded.insns, guarded.n_insns, &d), SECCOMP_RET_ERRNO | EPERM);
                d.args[1] = TIOCGWINSZ;
                ASSERT_EQ(bpf_run(guarded.insns, guarded.n_insns, &d), SECCOMP_RET_ALLOW);
        }
        /* An architecture the filter does not know is still killed. */
        struct seccomp_data d = { .nr = 16, .arch = AUDIT_ARCH_AARCH64, .args = { 0, TIOCSTI } };
        ASSERT_EQ(bpf_run(guarded.insns, guarded.n_insns, &d), bpf_run(plain.insns, plain.n_insns, &d));
        ASSERT_TRUE(bpf_run(guarded.insns, guarded.n_insns, &d) != SECCOMP_RET_ALLOW);
}

#if defined(__x86_64__)
static void i386_ioctl_child(void) {
        PlanSyscallRule rules[] = { tiocsti_rule };
        _cleanup_close_ int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        char c = '#';

        if (fd < 0 || seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        /* ioctl is 54 on i386; the pointer is a 64-bit one, but the
         * filter answers before the kernel reads it. */
        long r;
        __asm__ volatile ("int $0x80"
                          : "=a" (r)
                          : "a" (54L), "b" ((long) fd), "c" ((long) TIOCSTI), "d" (&c)
                          : "memory", "r8", "r9", "r10", "r11");
        if (r != -EPERM)
                _exit(11);
        _exit(0);
}

TEST(argument_rule_filters_the_i386_entry_point) {
        int status = in_child(i386_probe_child);

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                test_skip("no 32-bit entry point in this kernel");
                return;
        }
        status = in_child(i386_ioctl_child);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}
#endif

/* i386's SysV IPC calls through ipc(CALL | VERSION << 16, first, second,
 * third, ptr, fifth): the kernel takes the call from the low 16 bits
 * alone, so a rule on shmget() or shmat() holds whatever version is above
 * them, and its arguments are compared where ipc() has them (shmat()'s
 * flags in second, argument 2). */
TEST(ipc_calls_are_denied_whatever_their_version) {
        const PlanSyscallRule rules[] = {
                { .name = (char *) "shmget", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
                { .name = (char *) "shmat", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
                  .args = { { .index = 2, .mask = SHM_EXEC, .value = SHM_EXEC, .name = "SHM_EXEC" } } },
        };
        _cleanup_(seccomp_program_done) SeccompProgram prog = {};
        static const uint32_t versions[] = { 0, 1, 2, 0xffff };

        if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
                test_skip("the x86 ABIs' verdicts: x86-64 only");
                return;
        }
        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, &prog,
                                          NULL));
        for (size_t v = 0; v < ELEMENTSOF(versions); v++) {
                struct seccomp_data d = { .nr = 117, .arch = AUDIT_ARCH_I386 };        /* ipc on i386 */

                d.args[0] = SHMGET | versions[v] << 16;
                if (bpf_run(prog.insns, prog.n_insns, &d) != (SECCOMP_RET_ERRNO | EPERM))
                        TEST_FAIL("ipc(SHMGET | %#x << 16) not denied", versions[v]);
                d.args[0] = SHMAT | versions[v] << 16;
                d.args[2] = SHM_EXEC | SHM_RDONLY;
                if (bpf_run(prog.insns, prog.n_insns, &d) != (SECCOMP_RET_ERRNO | EPERM))
                        TEST_FAIL("ipc(SHMAT | %#x << 16, SHM_EXEC) not denied", versions[v]);
                /* What the rules do not name passes. */
                d.args[2] = SHM_RDONLY;
                ASSERT_EQ(bpf_run(prog.insns, prog.n_insns, &d), SECCOMP_RET_ALLOW);
                d.args[0] = SEMGET | versions[v] << 16;
                d.args[2] = SHM_EXEC;
                ASSERT_EQ(bpf_run(prog.insns, prog.n_insns, &d), SECCOMP_RET_ALLOW);
        }
        /* x86-64 has no ipc(): its shmat() itself, by the rule. */
        struct seccomp_data d = { .nr = SYS_shmat, .arch = AUDIT_ARCH_X86_64, .args = { 0, 0, SHM_EXEC } };
        ASSERT_EQ(bpf_run(prog.insns, prog.n_insns, &d), SECCOMP_RET_ERRNO | EPERM);
        d.args[2] = 0;
        ASSERT_EQ(bpf_run(prog.insns, prog.n_insns, &d), SECCOMP_RET_ALLOW);
}
