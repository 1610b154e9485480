/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rules of RestrictNamespaces=, RestrictAddressFamilies=,
 * LockPersonality=, RestrictRealtime=, RestrictSUIDSGID=,
 * MemoryDenyWriteExecute= and the Protect*= keys, as a plan makes them and
 * the filter compiles them, through each entry point of an x86-64 kernel:
 * x86-64's, x32's and i386's (int 0x80), by each ABI's own numbers, with
 * and without SystemCallArchitectures=. The program is run by a BPF
 * interpreter (bpf-run.h): the verdicts do not depend on whether this
 * kernel runs 32-bit calls at all (many do not: no IA32 emulation, or a
 * guest that has no int 0x80), and no call is made. */
#include <fcntl.h>
#include <linux/audit.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "config.h"
#include "diag.h"
#include "seccomp-filter.h"
#include "strv.h"
#include "bpf-run.h"
#include "test.h"

#if defined(__x86_64__) && !defined(__ILP32__)

#define X32_BIT 0x40000000u

/* i386's numbers (asm/unistd_32.h); x86-64's and x32's are <sys/syscall.h>'s. */
enum {
        I386_OPEN = 5, I386_CREAT = 8, I386_MKNOD = 14, I386_CHMOD = 15, I386_GETPID = 20, I386_MKDIR = 39,
        I386_SETHOSTNAME = 74, I386_SETTIMEOFDAY = 79, I386_OLD_MMAP = 90, I386_FCHMOD = 94,
        I386_SOCKETCALL = 102, I386_SYSLOG = 103, I386_IPC = 117, I386_CLONE = 120, I386_SETDOMAINNAME = 121,
        I386_ADJTIMEX = 124, I386_MPROTECT = 125, I386_INIT_MODULE = 128, I386_PERSONALITY = 136,
        I386_SCHED_SETSCHEDULER = 156, I386_MMAP2 = 192, I386_CLOCK_SETTIME = 264, I386_OPENAT = 295,
        I386_MKDIRAT = 296, I386_MKNODAT = 297, I386_FCHMODAT = 306, I386_UNSHARE = 310,
        I386_CLOCK_ADJTIME = 343, I386_SETNS = 346, I386_SOCKET = 359, I386_PKEY_MPROTECT = 380,
        I386_SHMAT = 397, I386_CLOCK_SETTIME64 = 404, I386_CLOCK_ADJTIME64 = 405, I386_IO_URING_SETUP = 425,
        I386_CLONE3 = 435, I386_OPENAT2 = 437, I386_FCHMODAT2 = 452,
};

#define NONE (-1)
#define REFUSED(e) (SECCOMP_RET_ERRNO | (e))

typedef struct Call {
        const char *what;
        int nr_64, nr_i386;     /* NONE: that ABI has no such call */
        uint64_t args[6];
        uint32_t verdict;
} Call;

/* The unit's keys: RestrictNamespaces=user, RestrictAddressFamilies=AF_UNIX,
 * LockPersonality=, RestrictRealtime=, RestrictSUIDSGID=,
 * MemoryDenyWriteExecute=, ProtectHostname=, ProtectClock=,
 * ProtectKernelLogs=. An address, where a call takes one: any. */
static const Call calls[] = {
        { "unshare(CLONE_NEWNET)", SYS_unshare, I386_UNSHARE, { CLONE_NEWNET }, REFUSED(EPERM) },
        { "unshare(CLONE_NEWUSER|CLONE_NEWNS)", SYS_unshare, I386_UNSHARE, { CLONE_NEWUSER | CLONE_NEWNS },
          REFUSED(EPERM) },
        { "unshare(CLONE_NEWUSER)", SYS_unshare, I386_UNSHARE, { CLONE_NEWUSER }, SECCOMP_RET_ALLOW },
        { "clone(CLONE_NEWNET)", SYS_clone, I386_CLONE, { CLONE_NEWNET | SIGCHLD }, REFUSED(EPERM) },
        { "clone(CLONE_NEWUSER)", SYS_clone, I386_CLONE, { CLONE_NEWUSER | SIGCHLD }, SECCOMP_RET_ALLOW },
        { "setns(fd, CLONE_NEWNET)", SYS_setns, I386_SETNS, { 3, CLONE_NEWNET }, REFUSED(EPERM) },
        { "setns(fd, 0)", SYS_setns, I386_SETNS, { 3, 0 }, REFUSED(EPERM) },
        { "setns(fd, CLONE_NEWUSER)", SYS_setns, I386_SETNS, { 3, CLONE_NEWUSER }, SECCOMP_RET_ALLOW },
        { "clone3()", SYS_clone3, I386_CLONE3, { 0x10000, 88 }, REFUSED(ENOSYS) },

        { "socket(AF_INET)", SYS_socket, I386_SOCKET, { AF_INET, SOCK_DGRAM }, REFUSED(EAFNOSUPPORT) },
        { "socket(AF_NETLINK)", SYS_socket, I386_SOCKET, { AF_NETLINK, SOCK_RAW }, REFUSED(EAFNOSUPPORT) },
        { "socket(AF_UNSPEC)", SYS_socket, I386_SOCKET, { AF_UNSPEC, SOCK_DGRAM }, REFUSED(EAFNOSUPPORT) },
        { "socket(AF_MAX + 10)", SYS_socket, I386_SOCKET, { AF_MAX + 10, SOCK_DGRAM }, REFUSED(EAFNOSUPPORT) },
        { "socket(AF_UNIX)", SYS_socket, I386_SOCKET, { AF_UNIX, SOCK_DGRAM }, SECCOMP_RET_ALLOW },
        /* Its family in memory: refused whatever it is. */
        { "socketcall(SYS_SOCKET)", NONE, I386_SOCKETCALL, { 1 /* SYS_SOCKET */, 0x10000 },
          REFUSED(EAFNOSUPPORT) },
        { "io_uring_setup()", SYS_io_uring_setup, I386_IO_URING_SETUP, { 1, 0x10000 }, REFUSED(ENOSYS) },

        { "personality(PER_LINUX32)", SYS_personality, I386_PERSONALITY, { PER_LINUX32 }, REFUSED(EPERM) },
        { "personality(0xffffffff)", SYS_personality, I386_PERSONALITY, { 0xffffffff }, REFUSED(EPERM) },
        { "personality(PER_LINUX)", SYS_personality, I386_PERSONALITY, { PER_LINUX }, SECCOMP_RET_ALLOW },

        { "sched_setscheduler(SCHED_FIFO)", SYS_sched_setscheduler, I386_SCHED_SETSCHEDULER, { 0, SCHED_FIFO },
          REFUSED(EPERM) },
        { "sched_setscheduler(SCHED_RR)", SYS_sched_setscheduler, I386_SCHED_SETSCHEDULER, { 0, SCHED_RR },
          REFUSED(EPERM) },
        { "sched_setscheduler(SCHED_DEADLINE)", SYS_sched_setscheduler, I386_SCHED_SETSCHEDULER, { 0, 6 },
          REFUSED(EPERM) },
        { "sched_setscheduler(SCHED_FIFO|SCHED_RESET_ON_FORK)", SYS_sched_setscheduler, I386_SCHED_SETSCHEDULER,
          { 0, SCHED_FIFO | SCHED_RESET_ON_FORK }, REFUSED(EPERM) },
        { "sched_setscheduler(SCHED_BATCH)", SYS_sched_setscheduler, I386_SCHED_SETSCHEDULER, { 0, SCHED_BATCH },
          SECCOMP_RET_ALLOW },
        { "sched_setscheduler(SCHED_IDLE)", SYS_sched_setscheduler, I386_SCHED_SETSCHEDULER, { 0, SCHED_IDLE },
          SECCOMP_RET_ALLOW },

        { "chmod(04755)", SYS_chmod, I386_CHMOD, { 0x10000, 04755 }, REFUSED(EPERM) },
        { "chmod(0755)", SYS_chmod, I386_CHMOD, { 0x10000, 0755 }, SECCOMP_RET_ALLOW },
        { "fchmod(02755)", SYS_fchmod, I386_FCHMOD, { 3, 02755 }, REFUSED(EPERM) },
        { "fchmodat(04755)", SYS_fchmodat, I386_FCHMODAT, { 3, 0x10000, 04755 }, REFUSED(EPERM) },
        { "fchmodat2(02755)", 452, I386_FCHMODAT2, { 3, 0x10000, 02755 }, REFUSED(EPERM) },
        { "mkdir(02755)", SYS_mkdir, I386_MKDIR, { 0x10000, 02755 }, REFUSED(EPERM) },
        { "mkdirat(04755)", SYS_mkdirat, I386_MKDIRAT, { 3, 0x10000, 04755 }, REFUSED(EPERM) },
        { "mknod(S_IFREG|04755)", SYS_mknod, I386_MKNOD, { 0x10000, S_IFREG | 04755 }, REFUSED(EPERM) },
        { "mknodat(S_IFREG|02755)", SYS_mknodat, I386_MKNODAT, { 3, 0x10000, S_IFREG | 02755 }, REFUSED(EPERM) },
        { "creat(04755)", SYS_creat, I386_CREAT, { 0x10000, 04755 }, REFUSED(EPERM) },
        { "open(O_CREAT, 04755)", SYS_open, I386_OPEN, { 0x10000, O_CREAT | O_WRONLY, 04755 }, REFUSED(EPERM) },
        { "open(O_WRONLY, 04755)", SYS_open, I386_OPEN, { 0x10000, O_WRONLY, 04755 }, SECCOMP_RET_ALLOW },
        { "openat(O_CREAT, 02755)", SYS_openat, I386_OPENAT, { 3, 0x10000, O_CREAT | O_WRONLY, 02755 },
          REFUSED(EPERM) },
        { "openat(O_TMPFILE, 04755)", SYS_openat, I386_OPENAT, { 3, 0x10000, O_TMPFILE | O_WRONLY, 04755 },
          REFUSED(EPERM) },
        { "openat(O_CREAT, 0644)", SYS_openat, I386_OPENAT, { 3, 0x10000, O_CREAT | O_WRONLY, 0644 },
          SECCOMP_RET_ALLOW },
        { "openat2()", SYS_openat2, I386_OPENAT2, { 3, 0x10000, 0x20000, 24 }, REFUSED(ENOSYS) },

        { "mmap(PROT_WRITE|PROT_EXEC)", SYS_mmap, I386_MMAP2,
          { 0, 4096, PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, REFUSED(EPERM) },
        { "mmap(PROT_READ|PROT_EXEC)", SYS_mmap, I386_MMAP2,
          { 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, SECCOMP_RET_ALLOW },
        { "mmap(PROT_READ|PROT_WRITE)", SYS_mmap, I386_MMAP2,
          { 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, SECCOMP_RET_ALLOW },
        /* Its arguments in memory: refused whatever they are. */
        { "old mmap()", NONE, I386_OLD_MMAP, { 0x10000 }, REFUSED(EPERM) },
        { "mprotect(PROT_EXEC)", SYS_mprotect, I386_MPROTECT, { 0x10000, 4096, PROT_READ | PROT_EXEC },
          REFUSED(EPERM) },
        { "mprotect(PROT_READ)", SYS_mprotect, I386_MPROTECT, { 0x10000, 4096, PROT_READ }, SECCOMP_RET_ALLOW },
        { "pkey_mprotect(PROT_EXEC)", SYS_pkey_mprotect, I386_PKEY_MPROTECT, { 0x10000, 4096, PROT_EXEC, 1 },
          REFUSED(EPERM) },
        { "shmat(SHM_EXEC)", SYS_shmat, I386_SHMAT, { 5, 0, SHM_EXEC }, REFUSED(EPERM) },
        { "shmat(SHM_RDONLY)", SYS_shmat, I386_SHMAT, { 5, 0, SHM_RDONLY }, SECCOMP_RET_ALLOW },
        { "ipc(SHMAT, SHM_EXEC)", NONE, I386_IPC, { 21 /* SHMAT */, 5, SHM_EXEC, 0x10000 }, REFUSED(EPERM) },
        { "personality(READ_IMPLIES_EXEC)", SYS_personality, I386_PERSONALITY, { PER_LINUX | READ_IMPLIES_EXEC },
          REFUSED(EPERM) },

        { "sethostname()", SYS_sethostname, I386_SETHOSTNAME, { 0x10000, 5 }, REFUSED(EPERM) },
        { "setdomainname()", SYS_setdomainname, I386_SETDOMAINNAME, { 0x10000, 5 }, REFUSED(EPERM) },
        { "syslog(SIZE_BUFFER)", SYS_syslog, I386_SYSLOG, { 10 }, REFUSED(EPERM) },
        { "adjtimex()", SYS_adjtimex, I386_ADJTIMEX, { 0x10000 }, REFUSED(EPERM) },
        { "settimeofday()", SYS_settimeofday, I386_SETTIMEOFDAY, { 0x10000, 0 }, REFUSED(EPERM) },
        { "clock_settime()", SYS_clock_settime, I386_CLOCK_SETTIME, { CLOCK_REALTIME, 0x10000 }, REFUSED(EPERM) },
        { "clock_settime64()", NONE, I386_CLOCK_SETTIME64, { CLOCK_REALTIME, 0x10000 }, REFUSED(EPERM) },
        { "clock_adjtime()", SYS_clock_adjtime, I386_CLOCK_ADJTIME, { CLOCK_REALTIME, 0x10000 }, REFUSED(EPERM) },
        { "clock_adjtime64()", NONE, I386_CLOCK_ADJTIME64, { CLOCK_REALTIME, 0x10000 }, REFUSED(EPERM) },

        /* cell's default deny list, and a call no rule names. */
        { "init_module()", SYS_init_module, I386_INIT_MODULE, { 0x10000, 10, 0x10000 }, REFUSED(EPERM) },
        { "getpid()", SYS_getpid, I386_GETPID, {}, SECCOMP_RET_ALLOW },
};

/* x86-64's only: a 64-bit argument's high half, which the kernel drops
 * where it reads an int, is no way past a rule. */
static const Call calls_high[] = {
        { "unshare(1 << 32 | CLONE_NEWNET)", SYS_unshare, NONE, { UINT64_C(1) << 32 | CLONE_NEWNET },
          REFUSED(EPERM) },
        { "setns(fd, 1 << 32)", SYS_setns, NONE, { 3, UINT64_C(1) << 32 }, REFUSED(EPERM) },
        { "socket(1 << 32 | AF_INET)", SYS_socket, NONE, { UINT64_C(1) << 32 | AF_INET, SOCK_DGRAM },
          REFUSED(EAFNOSUPPORT) },
        { "socket(1 << 32 | AF_UNSPEC)", SYS_socket, NONE, { UINT64_C(1) << 32 | AF_UNSPEC, SOCK_DGRAM },
          REFUSED(EAFNOSUPPORT) },
        { "sched_setscheduler(1 << 32 | SCHED_FIFO)", SYS_sched_setscheduler, NONE,
          { 0, UINT64_C(1) << 32 | SCHED_FIFO }, REFUSED(EPERM) },
        { "personality(1 << 32 | PER_LINUX32)", SYS_personality, NONE, { UINT64_C(1) << 32 | PER_LINUX32 },
          REFUSED(EPERM) },
        { "fchmodat(1 << 32 | 04755)", SYS_fchmodat, NONE, { 3, 0x10000, UINT64_C(1) << 32 | 04755 },
          REFUSED(EPERM) },
};

typedef enum Abi { ABI_X86_64, ABI_X32, ABI_I386, _ABI_MAX } Abi;

static const char *const abi_names[_ABI_MAX] = { "x86-64", "x32", "i386" };

static bool call_data(const Call *k, Abi abi, struct seccomp_data *ret) {
        int nr = abi == ABI_I386 ? k->nr_i386 : k->nr_64;

        if (nr == NONE)
                return false;
        *ret = (struct seccomp_data) {
                .nr = abi == ABI_X32 ? (int) ((uint32_t) nr | X32_BIT) : nr,
                .arch = abi == ABI_I386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64,
        };
        for (size_t i = 0; i < ELEMENTSOF(ret->args); i++)
                /* A 32-bit ABI's arguments reach the filter zero-extended. */
                ret->args[i] = abi == ABI_X86_64 ? k->args[i] : (uint32_t) k->args[i];
        return true;
}

/* The plan of the keys above, archs SystemCallArchitectures='s, compiled. */
static void compat_program(const uint32_t *archs, size_t n_archs, SeccompProgram *ret) {
        Diagnostics d = {};
        CellConfig c;
        Plan p;

        cell_config_init(&c);
        c.name = strdup("compat");
        c.path = strdup("compat.cell");
        c.directory = strdup("/var/lib/cell/test");
        ASSERT_NOT_NULL(c.name);
        ASSERT_NOT_NULL(c.path);
        ASSERT_NOT_NULL(c.directory);
        ASSERT_OK(strv_extend(&c.exec, "/bin/true"));
        c.restrict_namespaces_set = true;
        c.restrict_namespaces = CLONE_NEWUSER;
        c.address_families_set = c.address_families_allow_list = true;
        c.address_families = UINT64_C(1) << AF_UNIX;
        c.lock_personality = c.restrict_realtime = c.restrict_suid_sgid = c.memory_deny_write_execute = true;
        c.protect_hostname = c.protect_clock = c.protect_kernel_logs = true;
        for (size_t i = 0; i < n_archs; i++)
                c.syscall_archs[c.n_syscall_archs++] = archs[i];
        ASSERT_OK(plan_build(&c, NULL, &p, &d));
        diag_done(&d);
        ASSERT_OK(seccomp_program_compile(p.seccomp_default_action, p.seccomp_default_error, p.syscalls,
                                          p.n_syscalls, p.syscall_archs, p.n_syscall_archs, true, ret, NULL));
        plan_done(&p);
        cell_config_done(&c);
}

/* Each call through each ABI the filter covers gets its verdict; through
 * one it does not cover, the process is killed. */
static void compat_check(const uint32_t *archs, size_t n_archs, const bool covered[_ABI_MAX]) {
        SeccompProgram prog = {};
        size_t wrong = 0, checked = 0;

        compat_program(archs, n_archs, &prog);
        for (Abi abi = 0; abi < _ABI_MAX; abi++)
                for (size_t i = 0; i < ELEMENTSOF(calls) + ELEMENTSOF(calls_high); i++) {
                        const Call *k = i < ELEMENTSOF(calls) ? calls + i : calls_high + i - ELEMENTSOF(calls);
                        uint32_t expected = covered[abi] ? k->verdict : SECCOMP_RET_KILL_PROCESS, v;
                        struct seccomp_data d;

                        if (!call_data(k, abi, &d) || (abi != ABI_X86_64 && i >= ELEMENTSOF(calls)))
                                continue;
                        v = bpf_run(prog.insns, prog.n_insns, &d);
                        checked++;
                        if (v != expected) {
                                fprintf(stderr, "%s %s: verdict 0x%08x, expected 0x%08x\n", abi_names[abi], k->what,
                                        v, expected);
                                wrong++;
                        }
                }
        seccomp_program_done(&prog);
        ASSERT_TRUE(checked > 100);
        ASSERT_EQ(wrong, (size_t) 0);
}
#endif

TEST(every_entry_point) {
#if defined(__x86_64__) && !defined(__ILP32__)
        compat_check(NULL, 0, (const bool[_ABI_MAX]) { true, true, true });
#else
        test_skip("x86-64's ABIs only");
#endif
}

TEST(system_call_architectures_x86) {
#if defined(__x86_64__) && !defined(__ILP32__)
        static const uint32_t x86[] = { SCMP_ARCH_X86 };

        compat_check(x86, ELEMENTSOF(x86), (const bool[_ABI_MAX]) { true, false, true });
#else
        test_skip("x86-64's ABIs only");
#endif
}

TEST(system_call_architectures_native) {
#if defined(__x86_64__) && !defined(__ILP32__)
        static const uint32_t native[] = { SCMP_ARCH_X86_64 };

        compat_check(native, ELEMENTSOF(native), (const bool[_ABI_MAX]) { true, false, false });
#else
        test_skip("x86-64's ABIs only");
#endif
}
