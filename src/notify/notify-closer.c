/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The fds a payload passes with its datagrams, closed without holding cell
 * up (notify-internal.h). No libsystemd, no threads: cell-monitor links this
 * too, statically. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "notify-internal.h"

/* The payload's fds are closed, never kept. The payload may hand us the last
 * reference of a socket with SO_LINGER whose send queue it keeps from
 * draining (a TCP peer of its own that never reads), or of a file whose
 * flush waits on it (its own FUSE server, a terminal that does not drain):
 * that close() would hold cell for as long as it likes (signals blocked for
 * the signalfd do not cut it short), no signal forwarded, no stop, no
 * watchdog ping. So the closer, a process of cell's sharing nothing else
 * with it, closes them, as systemd's asynchronous_close() does, and a
 * socket's options stay the payload's: they are those of its own open file,
 * which it may go on using. A process, not a thread: a static cell-monitor
 * linking pthread_create() is 60 KiB more resident, always. A pipe's close
 * never waits (its type cannot change): closed at once, so that
 * sd_notify_barrier() returns once cell has read what came before it, as
 * systemd closes a barrier's fd. A closer that takes no more (each of its
 * closes waiting for ever: its queue, NOTIFY_CLOSER_SNDBUF, full) has the
 * rest closed here, each socket's lingering turned off first so that its
 * close returns at once (the kernel sends what is queued in the background;
 * a payload racing to turn it on again in between may still hold cell for
 * its linger time). The closer dies with the process that made it (cell,
 * cell-monitor and the cell __finish they exec: PR_SET_PDEATHSIG): a payload
 * that passes both ends of such a connection, so that the closer itself holds
 * the reader that never reads, would otherwise keep it on the host after cell
 * for its linger time (up to 68 years), the connection and its namespace with
 * it. Killed, its close() returns; the kernel sends what is queued in the
 * background, as after any close(). */
#define NOTIFY_CLOSER_SNDBUF (32 * 1024)

static int closer_fd = -EBADF;
static pid_t closer_pid = 0;

/* Closes the n fds at fds. */
static void close_many(const int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                (void) close(fds[i]);
}

/* The closer's loop. The fds of a message are closed once the next message
 * is there: cell sends one only after it closed its own copies of those
 * before it (its close must not be the last, ours is); at the end of our
 * socket (cell gone, or done), all. */
_noreturn_ static void closer_main(int sock) {
        int held[NOTIFY_FDS_MAX];
        size_t n_held = 0;
        sigset_t none;

        /* Nothing of cell's held beyond this point: no lock, no cgroup, no
         * notify socket kept from closing with cell. */
        if (sock > 0)
                (void) close_range(0, (unsigned) sock - 1, 0);
        (void) close_range((unsigned) sock + 1, ~0U, 0);
        /* A stop of the service ends it as any of its processes. */
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) prctl(PR_SET_NAME, "cell-closer");

        for (;;) {
                union {
                        struct cmsghdr h;
                        uint8_t b[CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
                } control;
                char byte;
                struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
                struct msghdr mh = {
                        .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = &control, .msg_controllen = sizeof control,
                };
                ssize_t k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

                if (k < 0 && errno == EINTR)
                        continue;
                close_many(held, n_held);
                n_held = 0;
                if (k <= 0)
                        _exit(EXIT_SUCCESS);
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                                n = MIN(n, ELEMENTSOF(held) - n_held);
                                memcpy(held + n_held, CMSG_DATA(c), n * sizeof(int));
                                n_held += n;
                        }
        }
}

/* The closer, our child: it must not outlive us (see above), so it is not
 * forked twice out of our reach. Reaped once its socket fails
 * (close_async()), or by notify_closer_reap() on SIGCHLD: one that sees its
 * socket end at an exec of ours (the hand-over to cell-monitor) is a child
 * of the new program, which knows nothing of it but that. */
static int closer_start(void) {
        _cleanup_close_ int ours = -EBADF, theirs = -EBADF;
        int pair[2], size = NOTIFY_CLOSER_SNDBUF;
        pid_t parent = getpid(), pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                return negative_errno();
        ours = pair[0];
        theirs = pair[1];
        (void) setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                /* Nothing of the payload's held on the host once we are gone.
                 * Gone already: SIGKILL too, so that the exit's own closes of
                 * what was sent meanwhile do not linger either. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        (void) raise(SIGKILL);
                closer_main(theirs);
        }
        closer_pid = pid;
        closer_fd = TAKE_FD(ours);
        return 0;
}

/* The closer is gone or refuses: a new one next time, this one reaped once
 * it has ended (killed, or its socket's end seen). */
static void closer_forget(void) {
        closer_fd = safe_close(closer_fd);
        if (closer_pid > 0) {
                (void) kill(closer_pid, SIGKILL);
                (void) waitpid(closer_pid, NULL, 0);
        }
        closer_pid = 0;
}

void notify_closer_reap(pid_t keep) {
        for (;;) {
                siginfo_t si = {};

                /* Looked at, not reaped (WNOWAIT): the oldest child that
                 * ended first. keep's exit is its pidfd's to take, with the
                 * status the payload ended with; the caller's loop ends with
                 * it, and what ended after it is reaped by our own parent. */
                if (waitid(P_ALL, 0, &si, WEXITED|WNOHANG|WNOWAIT) < 0 || si.si_pid <= 0 || si.si_pid == keep)
                        return;
                /* Ours gone: a new one next time, and no kill() of its PID,
                 * free for another process from here on (closer_forget()). */
                if (si.si_pid == closer_pid) {
                        closer_fd = safe_close(closer_fd);
                        closer_pid = 0;
                }
                if (waitid(P_PID, (id_t) si.si_pid, &si, WEXITED|WNOHANG) < 0)
                        return;
        }
}

/* true when the closer took fds (and we closed our copies, none the last). */
static bool close_async(const int *fds, size_t n) {
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
        } control = {};
        struct iovec iov = { .iov_base = (char *) "c", .iov_len = 1 };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = CMSG_SPACE(sizeof(int) * n),
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        if (n == 0 || n > NOTIFY_FDS_MAX)
                return false;
        if (closer_fd < 0 && closer_start() < 0)
                return false;
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        if (sendmsg(closer_fd, &mh, MSG_DONTWAIT|MSG_NOSIGNAL) < 0) {
                /* A closer that is gone (killed) is made anew next time. */
                if (errno != EAGAIN)
                        closer_forget();
                return false;
        }
        /* In flight, or held by the closer until our next message: none of
         * ours is the last reference. That message now, so that it closes
         * them (or, when its queue is full, with the one after). */
        for (size_t i = 0; i < n; i++)
                safe_close(fds[i]);
        (void) send(closer_fd, "c", 1, MSG_DONTWAIT|MSG_NOSIGNAL);
        return true;
}

void notify_close_passed_fds(struct msghdr *mh) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int), m = 0;
                        int fds[n ?: 1];
                        memcpy(fds, CMSG_DATA(c), n * sizeof(int));
                        /* Pipes at once; the rest to the closer. Told apart by
                         * F_GETPIPE_SZ, which only pipes and FIFOs answer, and
                         * never by fstat(): that asks the file's file system,
                         * which may be a FUSE one the payload serves and never
                         * answers (cell would wait for ever, signals blocked). */
                        for (size_t i = 0; i < n; i++) {
                                if (fcntl(fds[i], F_GETPIPE_SZ) >= 0)
                                        safe_close(fds[i]);
                                else
                                        fds[m++] = fds[i];
                        }
                        if (m == 0 || close_async(fds, m))
                                continue;
                        for (size_t i = 0; i < m; i++) {
                                (void) setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &(struct linger) {},
                                                  sizeof(struct linger));
                                safe_close(fds[i]);
                        }
                }
}
