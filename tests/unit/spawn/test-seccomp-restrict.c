/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the filter does with SystemCallArchitectures= and the rules of
 * RestrictNamespaces=, RestrictAddressFamilies=, LockPersonality=,
 * RestrictSUIDSGID= (two arguments at once) and MemoryDenyWriteExecute=
 * (compared by argument, through the guard): each loaded in a forked
 * child. */
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-filter.h"
#include "child-test.h"
#include "test.h"

#if defined(__x86_64__) && !defined(__ILP32__)
/* A call through the i386 entry point (int 0x80): i386's numbers. */
#define I386_GETPID 20
#define I386_KEYCTL 288
static long int80(long nr, long a, long b) {
        long ret;

        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory");
        return ret;
}

#define I386_MPROTECT 125
static long int80_3(long nr, long a, long b, long c) {
        long ret;

        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
        return ret;
}

/* i386's ipc(call, first, second, third, ptr): SysV IPC's multiplexer. */
#define I386_IPC 117
#define I386_IPC_SHMAT 21
static long int80_5(long nr, long a, long b, long c, long d, long e) {
        long ret;

        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
        return ret;
}

static bool i386_entry_point;

static void int80_plain_child(void) {
        _exit(int80(I386_GETPID, 0, 0) == getpid() ? 0 : 1);
}

/* Whether this kernel takes i386 calls at all (CONFIG_IA32_EMULATION). */
static bool have_int80(void) {
        return EXITED_OK(in_child(int80_plain_child));
}

static const PlanSyscallRule keyctl_denied[] = {
        { .name = (char *) "keyctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
};

/* Without SystemCallArchitectures=: the i386 entry point takes calls, by
 * the same rules. */
static void int80_unrestricted_child(void) {
        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, keyctl_denied, 1, NULL, 0, true, NULL) < 0)
                _exit(10);
        if (int80(I386_GETPID, 0, 0) != getpid())
                _exit(11);
        if (int80(I386_KEYCTL, 0, -3) != -EPERM)
                _exit(12);
        _exit(0);
}

static void int80_native_only_child(void) {
        static const uint32_t archs[] = { SCMP_ARCH_X86_64 };

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, keyctl_denied, 1, archs, 1, true, NULL) < 0)
                _exit(10);
        if (getpid() <= 0)
                _exit(11);
        (void) int80(I386_GETPID, 0, 0);
        _exit(12);
}

static void int80_x86_allowed_child(void) {
        static const uint32_t archs[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86 };

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, keyctl_denied, 1, archs, 2, true, NULL) < 0)
                _exit(10);
        if (int80(I386_GETPID, 0, 0) != getpid())
                _exit(11);
        if (int80(I386_KEYCTL, 0, -3) != -EPERM)
                _exit(12);
        _exit(0);
}

/* RestrictAddressFamilies= through the i386 entry point: socket() by its
 * own number is held to the families; socketcall(SYS_SOCKET), whose
 * arguments are in memory, is refused whatever the family. */
#define I386_SOCKET 359
#define I386_SOCKETCALL 102
static void int80_socket_child(void) {
        const PlanSyscallRule rules[] = {
                { .name = (char *) "socket", .action = PLAN_SECCOMP_ERRNO, .error = EAFNOSUPPORT, .n_args = 1,
                  .args = { { .index = 0, .mask = UINT32_MAX, .value = AF_PACKET, .name = "AF_PACKET" } } },
        };
        /* i386's socketcall() reads its arguments below 4 GiB. */
        unsigned *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        long fd;

        if (args == MAP_FAILED)
                _exit(9);
        args[0] = AF_UNIX;
        args[1] = SOCK_DGRAM;
        args[2] = 0;

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        fd = int80(I386_SOCKET, AF_UNIX, SOCK_DGRAM);
        if (fd < 0)
                _exit(11);
        close((int) fd);
        if (int80(I386_SOCKET, AF_PACKET, SOCK_DGRAM) != -EAFNOSUPPORT)
                _exit(12);
        if (int80(I386_SOCKETCALL, 1 /* SYS_SOCKET */, (long) (uintptr_t) args) != -EAFNOSUPPORT)
                _exit(13);
        _exit(0);
}
#endif

TEST(architectures) {
#if defined(__x86_64__) && !defined(__ILP32__)
        int status;

        if (!have_int80()) {
                test_skip("no i386 entry point in this kernel");
                return;
        }
        ASSERT_TRUE(EXITED_OK(in_child(int80_unrestricted_child)));
        /* Native only: an i386 call kills the process. */
        status = in_child(int80_native_only_child);
        ASSERT_TRUE(WIFSIGNALED(status));
        ASSERT_EQ(WTERMSIG(status), SIGSYS);
        ASSERT_TRUE(EXITED_OK(in_child(int80_x86_allowed_child)));
        ASSERT_TRUE(EXITED_OK(in_child(int80_socket_child)));
#else
        test_skip("x86-64's ABIs only");
#endif
}

static void namespaces_child(void) {
        const PlanSyscallRule rules[] = {
                { .name = (char *) "clone3", .action = PLAN_SECCOMP_ERRNO, .error = ENOSYS },
                { .name = (char *) "unshare", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
                  .args = { { .index = 0, .mask = CLONE_NEWNS, .value = CLONE_NEWNS, .name = "mnt" } } },
                { .name = (char *) "unshare", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
                  .args = { { .index = 0, .mask = CLONE_NEWUSER, .value = CLONE_NEWUSER, .name = "user" } } },
        };
        struct clone_args args = { .exit_signal = SIGCHLD };

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        if (syscall(SYS_unshare, CLONE_NEWNS) >= 0 || errno != EPERM)
                _exit(11);
        if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS) >= 0 || errno != EPERM)
                _exit(12);
        /* The high half is no way past: the kernel reads an int. */
        if (syscall(SYS_unshare, (1UL << 32) | CLONE_NEWUSER) >= 0 || errno != EPERM)
                _exit(13);
        /* Flags no rule names pass (CLONE_FILES: nothing new). */
        if (syscall(SYS_unshare, CLONE_FILES) < 0)
                _exit(14);
        if (syscall(SYS_clone3, &args, sizeof args) >= 0 || errno != ENOSYS)
                _exit(15);
        _exit(0);
}

TEST(namespaces) {
        ASSERT_TRUE(EXITED_OK(in_child(namespaces_child)));
}

static void address_families_child(void) {
        /* An allow list of AF_UNIX and AF_INET, as the plan makes it. */
        const PlanSyscallRule rules[] = {
                { .name = (char *) "socket", .action = PLAN_SECCOMP_ERRNO, .error = EAFNOSUPPORT, .n_args = 1,
                  .args = { { .index = 0, .mask = UINT32_MAX, .value = AF_UNSPEC, .name = "AF_UNSPEC" } } },
                { .name = (char *) "socket", .action = PLAN_SECCOMP_ERRNO, .error = EAFNOSUPPORT, .n_args = 1,
                  .args = { { .compare = PLAN_SECCOMP_GE, .index = 0, .mask = UINT32_MAX, .value = AF_INET + 1,
                              .name = "AF_AX25" } } },
        };
        int fd;

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                _exit(11);
        close(fd);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 && errno == EAFNOSUPPORT)
                _exit(12);
        if (fd >= 0)
                close(fd);
        if (socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0) >= 0 || errno != EAFNOSUPPORT)
                _exit(13);
        if (socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, 0) >= 0 || errno != EAFNOSUPPORT)
                _exit(14);
        if (socket(AF_UNSPEC, SOCK_DGRAM | SOCK_CLOEXEC, 0) >= 0 || errno != EAFNOSUPPORT)
                _exit(15);
        /* Above any family: denied by the filter too. */
        if (socket(1000, SOCK_DGRAM | SOCK_CLOEXEC, 0) >= 0 || errno != EAFNOSUPPORT)
                _exit(16);
        _exit(0);
}

TEST(address_families) {
        ASSERT_TRUE(EXITED_OK(in_child(address_families_child)));
}

static void personality_child(void) {
        const PlanSyscallRule rules[] = {
                { .name = (char *) "personality", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
                  .args = { { .compare = PLAN_SECCOMP_NE, .index = 0, .mask = UINT32_MAX, .value = PER_LINUX,
                              .name = "x86-64" } } },
        };

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        if (syscall(SYS_personality, PER_LINUX) < 0)
                _exit(11);
        if (syscall(SYS_personality, PER_LINUX32) >= 0 || errno != EPERM)
                _exit(12);
        if (syscall(SYS_personality, PER_LINUX | ADDR_NO_RANDOMIZE) >= 0 || errno != EPERM)
                _exit(13);
        _exit(0);
}

TEST(lock_personality) {
        ASSERT_TRUE(EXITED_OK(in_child(personality_child)));
}

/* RestrictSUIDSGID='s rules as the plan makes them for S_ISUID: open() and
 * openat() only with O_CREAT (or O_TMPFILE) and the bit, both compared; and
 * fchmodat(). */
static char suid_dir[] = "/tmp/test-seccomp-suid.XXXXXX";

static void suid_sgid_child(void) {
        const uint32_t tmpfile = O_TMPFILE & ~O_DIRECTORY;
        const PlanSyscallRule rules[] = {
                { .name = (char *) "openat", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 2,
                  .args = { { .index = 2, .mask = O_CREAT, .value = O_CREAT, .name = "O_CREAT" },
                            { .index = 3, .mask = S_ISUID, .value = S_ISUID, .name = "S_ISUID" } } },
                { .name = (char *) "openat", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 2,
                  .args = { { .index = 2, .mask = tmpfile, .value = tmpfile, .name = "__O_TMPFILE" },
                            { .index = 3, .mask = S_ISUID, .value = S_ISUID, .name = "S_ISUID" } } },
                { .name = (char *) "fchmodat", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
                  .args = { { .index = 2, .mask = S_ISUID, .value = S_ISUID, .name = "S_ISUID" } } },
        };
        int dfd, fd;

        dfd = open(suid_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                _exit(9);
        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        /* Creating with the bit: refused, nothing made. */
        if (syscall(SYS_openat, dfd, "suid", O_CREAT | O_WRONLY | O_CLOEXEC, 04755) >= 0 || errno != EPERM)
                _exit(11);
        if (faccessat(dfd, "suid", F_OK, 0) >= 0 || errno != ENOENT)
                _exit(12);
        /* Creating without it: one comparison alone must not refuse. */
        fd = (int) syscall(SYS_openat, dfd, "plain", O_CREAT | O_WRONLY | O_CLOEXEC, 0755);
        if (fd < 0)
                _exit(13);
        close(fd);
        /* Opening what is there: the mode is not read, whatever it holds. */
        fd = (int) syscall(SYS_openat, dfd, "plain", O_WRONLY | O_CLOEXEC, 04755);
        if (fd < 0)
                _exit(14);
        close(fd);
        if (syscall(SYS_fchmodat, dfd, "plain", 04755) >= 0 || errno != EPERM)
                _exit(15);
        if (syscall(SYS_fchmodat, dfd, "plain", 0700) < 0)
                _exit(16);
        /* An unnamed file with the bit, that linkat() could name. */
        fd = (int) syscall(SYS_openat, dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 04700);
        if (fd >= 0 || (errno != EPERM && errno != EOPNOTSUPP && errno != EISDIR))
                _exit(17);
        fd = (int) syscall(SYS_openat, dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0700);
        if (fd >= 0)
                close(fd);
        _exit(0);
}

TEST(suid_sgid) {
        int status, dfd;

        ASSERT_NOT_NULL(mkdtemp(suid_dir));
        status = in_child(suid_sgid_child);
        dfd = open(suid_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        (void) unlinkat(dfd, "plain", 0);
        (void) unlinkat(dfd, "suid", 0);
        close(dfd);
        ASSERT_EQ(rmdir(suid_dir), 0);
        if (!EXITED_OK(status))
                TEST_FAIL("child exited with %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* MemoryDenyWriteExecute='s rules as the plan makes them. */
static const PlanSyscallRule mdwe_rules[] = {
        { .name = (char *) "mmap", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
          .args = { { .index = 2, .mask = PROT_WRITE | PROT_EXEC, .value = PROT_WRITE | PROT_EXEC } } },
        { .name = (char *) "mmap2", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
          .args = { { .index = 2, .mask = PROT_WRITE | PROT_EXEC, .value = PROT_WRITE | PROT_EXEC } } },
        { .name = (char *) "mprotect", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
          .args = { { .index = 2, .mask = PROT_EXEC, .value = PROT_EXEC } } },
        { .name = (char *) "pkey_mprotect", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
          .args = { { .index = 2, .mask = PROT_EXEC, .value = PROT_EXEC } } },
        { .name = (char *) "shmat", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
          .args = { { .index = 2, .mask = SHM_EXEC, .value = SHM_EXEC } } },
        /* i386's old mmap(), whose arguments are in memory: for that ABI alone. */
        { .name = (char *) "mmap", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .abi = SCMP_ARCH_X86 },
};

#if defined(__x86_64__) && !defined(__ILP32__)
/* i386's old mmap() of a private anonymous page, its arguments (32-bit
 * words) in memory below 4 GiB: the address mapped, or -errno. */
#define I386_OLD_MMAP 90
static long int80_old_mmap(int prot) {
        uint32_t *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

        if (args == MAP_FAILED)
                return -ENOMEM;
        args[0] = 0;
        args[1] = 4096;
        args[2] = (uint32_t) prot;
        args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
        args[4] = UINT32_MAX;   /* fd -1 */
        args[5] = 0;
        return int80(I386_OLD_MMAP, (long) (uintptr_t) args, 0);
}

static void old_mmap_plain_child(void) {
        _exit(int80_old_mmap(PROT_READ) > 0 ? 0 : 1);
}
#endif

static void memory_deny_write_execute_child(void) {
        int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
        void *m;

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, mdwe_rules, ELEMENTSOF(mdwe_rules), NULL, 0, true, NULL) < 0)
                _exit(10);
        if (mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ||
            errno != EPERM)
                _exit(11);
        /* Executable, or writable, alone: allowed to map. */
        m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                _exit(12);
        munmap(m, 4096);
        m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                _exit(13);
        /* ...but never made executable afterwards. */
        if (mprotect(m, 4096, PROT_READ | PROT_EXEC) >= 0 || errno != EPERM)
                _exit(14);
        if (mprotect(m, 4096, PROT_READ) < 0)
                _exit(15);
        if (syscall(SYS_pkey_mprotect, m, 4096, PROT_EXEC, -1) >= 0 || errno != EPERM)
                _exit(16);
        if (shm >= 0) {
                void *a = shmat(shm, NULL, SHM_EXEC);

                (void) shmctl(shm, IPC_RMID, NULL);
                if (a != (void *) -1 || errno != EPERM)
                        _exit(17);
        }
#if defined(__x86_64__) && !defined(__ILP32__)
        /* i386's mprotect() by the same rule. */
        if (i386_entry_point) {
                void *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

                if (low == MAP_FAILED)
                        _exit(18);
                if (int80_3(I386_MPROTECT, (long) (uintptr_t) low, 4096, PROT_READ | PROT_EXEC) != -EPERM)
                        _exit(19);
                if (int80_3(I386_MPROTECT, (long) (uintptr_t) low, 4096, PROT_READ) != 0)
                        _exit(20);
                /* The old mmap(), whatever it asks, where x86-64's mmap() above was not refused. */
                if (int80_old_mmap(PROT_READ) != -EPERM)
                        _exit(21);
                /* shmat() through ipc(), with a version above the call that
                 * the kernel ignores: held by the same rule, and nothing else
                 * refused. ipc() writes the address it attached at to third. */
                uint32_t *raddr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                                       -1, 0);
                int seg = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
                long with_exec, without;

                if (raddr == MAP_FAILED || seg < 0)
                        _exit(22);
                with_exec = int80_5(I386_IPC, I386_IPC_SHMAT | 2 << 16, seg, SHM_EXEC, (long) (uintptr_t) raddr, 0);
                without = int80_5(I386_IPC, I386_IPC_SHMAT | 2 << 16, seg, SHM_RDONLY, (long) (uintptr_t) raddr, 0);
                (void) shmctl(seg, IPC_RMID, NULL);
                if (with_exec != -EPERM)
                        _exit(23);
                if (without != 0)
                        _exit(24);
        }
#endif
        _exit(0);
}

TEST(memory_deny_write_execute) {
        int status;

#if defined(__x86_64__) && !defined(__ILP32__)
        i386_entry_point = have_int80();
        /* Without the filter the old mmap() maps: the refusal is the filter's. */
        if (i386_entry_point)
                ASSERT_TRUE(EXITED_OK(in_child(old_mmap_plain_child)));
        else
                test_skip_part("i386's calls: no i386 entry point in this kernel");
#endif
        status = in_child(memory_deny_write_execute_child);
        if (!EXITED_OK(status))
                TEST_FAIL("child exited with %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
