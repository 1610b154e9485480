/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The kernel's price for a cgroup move, paid before anyone waits for it.
 *
 * Every write to a cgroup.procs file takes the kernel's global threadgroup
 * lock for writing. Unless another writer went through moments before (or
 * cgroup2 is mounted with favordynmods, which systemd 252 does not do), that
 * first waits for an RCU grace period: 4-16 ms on the machines we measured,
 * longer than the rest of a container's start. After a writer leaves, the
 * lock stays cheap for about one more grace period.
 *
 * With a systemd scope that wait falls on PID 1's write of the payload's PID,
 * in the middle of the start job cell waits for. So as soon as cell knows a
 * move will follow, a helper process of ours writes itself ("0") into the
 * cgroup it already is in (cell's): a move that moves nothing, but that
 * starts the grace period then, while cell still connects to the bus and
 * clones the child, instead of when PID 1 gets to the move.
 *
 * The helper is a process that shares our memory (CLONE_VM), not a thread,
 * and not a copy of cell:
 *  - not a thread: the container's child is cloned while the helper may
 *    still wait in the kernel, and glibc in a child cloned from a process
 *    with threads waits for threads that are not there (setresuid() signals
 *    each one);
 *  - not a copy (fork): copying cell's address space cost a boot storm of 50
 *    more than the helper saved there (197 ms, 183 without a helper, 178
 *    with this one; tests/bench/RESULTS.md, change 10).
 * Sharing our memory and, without CLONE_SETTLS, our thread pointer, the
 * helper may touch nothing glibc owns, errno included: cell opens the file,
 * and the helper makes one raw write(2) on its own stack and exits. It sends
 * no SIGCHLD (exit signal 0) and is reaped through its pidfd. Elsewhere than
 * x86-64 and arm64 (no raw write here) nothing is primed.
 *
 * Best effort: any failure (no cgroup2, no permission, no clone) only means
 * the start waits as it would have. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-prime.h"
#include "cgroup-util.h"
#include "macros.h"

#define PRIME_STACK_SIZE 4096

struct CgroupPrime {
        int pidfd;
        int fd;                 /* the helper's copy of cgroup.procs (its own fd table) */
        _Alignas(16) unsigned char stack[PRIME_STACK_SIZE];
};

/* write(2) without glibc: returns the count or -errno, and no errno is set. */
static long raw_write(int fd, const void *buf, unsigned long n) {
#if defined(__x86_64__)
        long r;
        __asm__ volatile ("syscall"
                          : "=a" (r)
                          : "0" ((long) SYS_write), "D" ((long) fd), "S" (buf), "d" (n)
                          : "rcx", "r11", "memory");
        return r;
#elif defined(__aarch64__)
        register long x8 __asm__("x8") = SYS_write;
        register long x0 __asm__("x0") = fd;
        register long x1 __asm__("x1") = (long) buf;
        register long x2 __asm__("x2") = (long) n;
        __asm__ volatile ("svc 0" : "+r" (x0) : "r" (x8), "r" (x1), "r" (x2) : "memory");
        return x0;
#else
        return -ENOSYS;
#endif
}

/* In the helper, on its own stack; its return value is its exit status. */
static int prime_helper(void *userdata) {
        const CgroupPrime *p = userdata;
        /* "0": the writer itself, into the cgroup of that file. Into the cgroup
         * it is in, nothing moves; the kernel waits for the grace period here
         * instead of in PID 1's move. */
        long r = raw_write(p->fd, "0\n", 2);
        return r == 2 ? 0 : r < 0 ? (int) -r & 0xff : EIO;
}

/* A boolean of the kernel's in sysfs_kernel ("0\n" or "1\n"): 1, 0, or -errno. */
static int read_kernel_flag(int dir_fd, const char *name) {
        _cleanup_close_ int fd = -EBADF;
        char c[2];
        ssize_t n;

        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        n = read(fd, c, sizeof c);
        if (n < 0)
                return -errno;
        if (n < 1 || (c[0] != '0' && c[0] != '1'))
                return -EBADMSG;
        return c[0] == '1';
}

bool cg_prime_useful(const char *sysfs_kernel) {
        _cleanup_close_ int dir_fd = -EBADF;

        /* Expedited grace periods (rcupdate.rcu_expedited=1, the default of
         * some kernels built for virtual machines) end within a millisecond,
         * by interrupting every CPU: a helper there saves next to nothing on
         * a lone start and costs each start those interrupts (2 ms of CPU and
         * 0.85 ms of a back-to-back start on a 2-vCPU VM, tests/bench/RESULTS.md,
         * change 26). rcu_normal=1 overrides rcu_expedited. */
        dir_fd = open(sysfs_kernel ?: "/sys/kernel", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return true;
        return !(read_kernel_flag(dir_fd, "rcu_expedited") == 1 && read_kernel_flag(dir_fd, "rcu_normal") != 1);
}

int cg_prime_start(const char *cgroup_dir, CgroupPrime **ret) {
        _cleanup_free_ char *own = NULL, *procs = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!ret)
                return -EINVAL;
#if !defined(__x86_64__) && !defined(__aarch64__)
        return -EOPNOTSUPP;
#endif
        if (!cgroup_dir) {
                r = cg_v2_dir_of(0, &own);
                if (r < 0)
                        return r;
                cgroup_dir = own;
        }
        if (asprintf(&procs, "%s/cgroup.procs", cgroup_dir) < 0)
                return -ENOMEM;
        fd = open(procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        CgroupPrime *p = malloc(sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->fd = fd;
        /* The helper gets a copy of our fd table (no CLONE_FILES), so ours is
         * closed below whatever it does; exit signal 0: no SIGCHLD, which
         * nothing of ours waits for (the payload's exit comes through its
         * pidfd). It starts with every signal blocked: a handler of ours must
         * never run on its stack with our thread pointer (a ^C to the process
         * group would reach it too). */
        sigset_t all, old;
        sigfillset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, &old);
        r = clone(prime_helper, p->stack + sizeof(p->stack), CLONE_VM | CLONE_PIDFD, p, &p->pidfd) < 0 ? -errno : 0;
        (void) sigprocmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                free(p);
                return r;
        }
        /* The helper's write is what starts the clock, but a new process waits
         * behind its parent on this CPU: 0.7 ms of cell's start, seen traced.
         * Let it run first; it blocks in the kernel right away. */
        (void) sched_yield();
        *ret = p;
        return 0;
}

CgroupPrime *cg_prime_reap(CgroupPrime *p, bool block, int *ret_result) {
        siginfo_t si = {};
        int r;

        if (!p)
                return NULL;
        /* __WALL: a child that sends no SIGCHLD is a "clone" child to waitid(). */
        while ((r = waitid(P_PIDFD, (id_t) p->pidfd, &si, WEXITED | __WALL | (block ? 0 : WNOHANG))) < 0 &&
               errno == EINTR)
                ;
        if (r >= 0 && si.si_pid == 0)
                return p;       /* not yet, and we are not to wait */
        if (ret_result)
                *ret_result = r < 0 ? -errno :
                              si.si_code != CLD_EXITED ? -EIO :
                              -si.si_status;
        safe_close(p->pidfd);
        free(p);
        return NULL;
}
