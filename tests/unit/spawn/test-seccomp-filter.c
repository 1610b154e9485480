/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Each filter is loaded in a forked child (a filter cannot be removed). */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "seccomp-filter.h"
#include "test.h"

/* Runs f in a child; returns its wait status. */
static int in_child(void (*f)(void)) {
        int status;
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                f();
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        return status;
}

static void deny_list_child(void) {
        PlanSyscallRule rules[] = {
                { .name = (char *) "keyctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
                { .name = (char *) "bpf", .action = PLAN_SECCOMP_ERRNO, .error = EACCES },
                { .name = (char *) "no_such_syscall_anywhere", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
                { .name = (char *) "getpid", .action = PLAN_SECCOMP_ALLOW },   /* same as default */
        };
        SpawnError err = {};

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), true, &err) < 0)
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
        if (seccomp_filter_load(PLAN_SECCOMP_ERRNO, ENOSYS, rules, ELEMENTSOF(rules), true, &err) < 0)
                _exit(10);
        if (syscall(SYS_getppid) <= 0)
                _exit(11);
        if (syscall(SYS_getuid) >= 0 || errno != ENOSYS)
                _exit(12);
        /* execve passes the filter: the exec of a missing file fails with
         * ENOENT, not ENOSYS. */
        char *argv[] = { (char *) "/nonexistent-cell-test", NULL };
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

        if (seccomp_filter_load(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), true, NULL) < 0)
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

        ASSERT_OK(seccomp_filter_build(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), true, &c, NULL));
        if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
                ASSERT_OK(seccomp_arch_exist(c, SCMP_ARCH_X86));
                ASSERT_OK(seccomp_arch_exist(c, SCMP_ARCH_X32));
        }
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

        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), true, &compiled, NULL));
        ASSERT_TRUE(compiled.n_insns > 0);
        ASSERT_TRUE(compiled.no_new_privs);

        /* The very program libseccomp would load: its own export, byte for byte. */
        ASSERT_OK(seccomp_filter_build(PLAN_SECCOMP_ALLOW, 0, rules, ELEMENTSOF(rules), true, &c, NULL));
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
