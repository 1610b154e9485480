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
 * move will follow, a helper process of ours writes its own PID into the
 * cgroup it already is in (cell's): a move that moves nothing, but that
 * starts the grace period then, while cell still connects to the bus and
 * clones the child, instead of when PID 1 gets to the move.
 *
 * A process and not a thread: the child is cloned while the helper may still
 * wait in the kernel, and glibc in a child cloned from a process with threads
 * would wait for threads that are not there (setresuid() signals each one).
 * The helper is a copy of cell that finds its cgroup (cell's), writes one
 * line and exits; it sends no SIGCHLD (exit_signal 0) and is reaped through
 * its pidfd.
 *
 * Best effort: any failure (no cgroup2, no permission, no clone3) only means
 * the start waits as it would have. */

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-prime.h"
#include "cgroup-util.h"
#include "macros.h"

struct CgroupPrime {
        int pidfd;
};

/* In the helper: where to write, then the write. Returns an exit status:
 * 0, or the errno of the step that failed. */
static int prime_write(const char *cgroup_dir) {
        _cleanup_free_ char *own = NULL, *procs = NULL;
        _cleanup_close_ int fd = -EBADF;
        char line[16];
        int r, len;

        if (!cgroup_dir) {
                r = cg_v2_dir_of(0, &own);
                if (r < 0)
                        return -r;
                cgroup_dir = own;
        }
        if (asprintf(&procs, "%s/cgroup.procs", cgroup_dir) < 0)
                return ENOMEM;
        fd = open(procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return errno;
        len = snprintf(line, sizeof line, "%d\n", (int) getpid());
        /* Into the cgroup it is in: nothing moves; the kernel waits for the grace
         * period here instead of in PID 1's move. */
        if (write(fd, line, (size_t) len) != len)
                return errno;
        return 0;
}

int cg_prime_start(const char *cgroup_dir, CgroupPrime **ret) {
        int pidfd = -EBADF;
        long pid;

        if (!ret)
                return -EINVAL;

        /* A copy of us (cheap: nothing written yet is copied), so that even
         * finding our cgroup happens beside the start, not in front of it. */
        struct clone_args args = {
                .flags = CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = 0,       /* no SIGCHLD: sd-event is not to see it */
        };
        pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0)
                return -errno;
        if (pid == 0)
                _exit(prime_write(cgroup_dir) & 0xff);

        CgroupPrime *p = malloc(sizeof(*p));
        if (!p) {
                (void) waitid(P_PIDFD, (id_t) pidfd, &(siginfo_t) {}, WEXITED | __WALL);
                safe_close(pidfd);
                return -ENOMEM;
        }
        p->pidfd = pidfd;
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
