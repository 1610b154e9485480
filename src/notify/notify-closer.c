/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The fds a payload passes with its datagrams, closed without holding cell
 * up (notify-internal.h). No libsystemd, no threads: cell-monitor links this
 * too, statically. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "notify-internal.h"

/* The payload's fds are closed, never kept, and never by cell: cell does
 * not even take them in. close() asks the file's ->flush on every close,
 * not only the last: a file of a FUSE file system the payload serves itself,
 * which never answers FUSE_FLUSH, holds the process that closes it for as
 * long as the server likes (signals blocked for a signalfd do not cut it
 * short; once the server has read the request, not even SIGKILL), and the
 * last reference's release may wait too (a socket's SO_LINGER with a send
 * queue that never drains, a FUSE file's write-back). So cell reads a
 * datagram with room for its credentials only (MSG_PEEK first: the kernel
 * says MSG_CTRUNC when fds came along) and, where fds came, a closer, a
 * process of cell's sharing nothing else with it, peeks the same datagram
 * with room for them: it holds its own references, installed in its own
 * table. Then cell takes the datagram off the queue installing nothing (the
 * kernel drops cell's in-flight references, none the last: the closer's are
 * still there), and only then does the closer close them, where a close may
 * wait as long as it likes. systemd (252) closes what a service passes with
 * its notifications itself; its asynchronous_close() is a thread, which a
 * static cell-monitor would pay 60 KiB resident for, always.
 *
 * A closer waits in its closes one datagram at a time; a datagram with fds
 * while every closer waits (NOTIFY_CLOSERS_MAX of them: a bound on what a
 * payload may keep on the host) stays at the head of the queue, and what the
 * payload sent after it waits with it, until one is free again (it says so
 * on the wake pipe, which the relay's loop watches meanwhile): only a
 * payload that keeps its own closes waiting holds up its own notifications,
 * never cell. A pipe's close never waits (its type cannot change): the closer
 * closes pipes before it answers, so that sd_notify_barrier() returns once
 * cell has taken the datagram off the queue, as systemd closes a barrier's
 * fd. A closer first closes what never waits (pipes, /dev/fuse itself,
 * sockets without SO_LINGER): holding the connection of a FUSE file system
 * while it waits for that file system's answer, it would keep the
 * connection from ending when its server ends, for good. The closers die
 * with the process that made them (cell, cell-monitor and the cell __finish
 * they exec: PR_SET_PDEATHSIG): a payload that passes both ends of a
 * lingering connection would otherwise keep them on the host after cell for
 * the linger time (up to 68 years). */
#define NOTIFY_CLOSERS_MAX 4
/* An idle closer answers a peek in microseconds; one that does not is killed. */
#define NOTIFY_CLOSER_ANSWER_MSEC 1000

typedef struct Closer {
        pid_t pid;              /* 0: none */
        int fd;                 /* our end of its socket */
        bool busy;              /* closing, its "d" not read yet */
} Closer;

static Closer closers[NOTIFY_CLOSERS_MAX] = {
        [0 ... NOTIFY_CLOSERS_MAX - 1] = { .fd = -EBADF },
};
/* Written by a closer once it is free again; read end cell's. */
static int wake_fds[2] = { -EBADF, -EBADF };
/* The closer that peeked the datagram at the head, until it is off the queue. */
static int taking = -1;

/* Closes the n fds at fds. */
static void close_many(const int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                (void) close(fds[i]);
}

/* Whether a close of fd returns at once, told without asking its file
 * system: a socket without SO_LINGER, or the FUSE device (10:229). statx()
 * with AT_STATX_DONT_SYNC answers from what is cached, never asking a FUSE
 * server. */
static bool close_never_waits(int fd) {
        struct linger l = {};
        socklen_t ll = sizeof l;
        struct statx sx = {};

        if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &ll) >= 0)
                return !l.l_onoff;
        return statx(fd, "", AT_EMPTY_PATH|AT_STATX_DONT_SYNC, STATX_TYPE, &sx) >= 0 &&
                S_ISCHR(sx.stx_mode) && sx.stx_rdev_major == 10 && sx.stx_rdev_minor == 229;
}

/* One datagram of sock (flags: MSG_PEEK leaves it queued): the fds of its
 * SCM_RIGHTS into fds, max at most, their number into *ret_n. Returns what
 * recvmsg() does (0 or less: the socket's end, or an error). */
static ssize_t closer_recv(int sock, int flags, int *fds, size_t max, size_t *ret_n) {
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
        } control;
        char byte;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        ssize_t k;

        *ret_n = 0;
        do
                k = recvmsg(sock, &mh, flags|MSG_CMSG_CLOEXEC);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return k;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

                        n = MIN(n, max - *ret_n);
                        memcpy(fds + *ret_n, CMSG_DATA(c), n * sizeof(int));
                        *ret_n += n;
                }
        return k;
}

/* The notify socket cell sends along with a request ("p"); -1 at the end of
 * our socket (cell gone, or done). */
static int closer_read_request(int sock) {
        int fd = -EBADF;
        size_t n;

        if (closer_recv(sock, 0, &fd, 1, &n) <= 0)
                return -1;
        return n == 1 ? fd : -EBADF;
}

/* The fds of the datagram at the head of notify, peeked (left on the queue)
 * into held; returns how many. */
static size_t closer_peek(int notify, int *held) {
        size_t n;

        return closer_recv(notify, MSG_PEEK|MSG_DONTWAIT, held, NOTIFY_FDS_MAX, &n) < 0 ? 0 : n;
}

/* Closes what passes keep() of the n fds at fds, and keeps the rest there:
 * returns how many are left. */
static size_t close_if(int *fds, size_t n, bool (*keep)(int fd)) {
        size_t m = 0;

        for (size_t i = 0; i < n; i++) {
                if (keep(fds[i]))
                        fds[m++] = fds[i];
                else
                        (void) close(fds[i]);
        }
        return m;
}

static bool is_not_pipe(int fd) {
        return fcntl(fd, F_GETPIPE_SZ) < 0;     /* only pipes and FIFOs answer it */
}

static bool may_wait(int fd) {
        return !close_never_waits(fd);
}

/* A closer's loop: a request ("p", the notify socket along) at a time, its
 * datagram peeked, pipes closed, "t" (taken); cell's "c" once the datagram
 * is off its queue, and then the rest closed, "d" (done) and a byte on the
 * wake pipe. */
_noreturn_ static void closer_main(int sock, int wake) {
        int held[NOTIFY_FDS_MAX];
        sigset_t none;

        /* Nothing of cell's held beyond this point: no lock, no cgroup, no
         * notify socket kept from closing with cell. */
        for (int fd = 0; fd < MAX(sock, wake); fd++)
                if (fd != sock && fd != wake)
                        (void) close(fd);
        (void) close_range((unsigned) MAX(sock, wake) + 1, ~0U, 0);
        /* A stop of the service ends it as any of its processes. */
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) prctl(PR_SET_NAME, "cell-closer");

        for (;;) {
                int notify = closer_read_request(sock);
                size_t n;
                char c;
                bool end;

                if (notify < 0)
                        _exit(EXIT_SUCCESS);
                n = closer_peek(notify, held);
                (void) close(notify);
                n = close_if(held, n, is_not_pipe);
                (void) send(sock, "t", 1, MSG_NOSIGNAL);
                /* cell's "c": its references gone, ours the last; from here our closes may wait. */
                for (;;) {
                        ssize_t k = recv(sock, &c, 1, 0);
                        if (k < 0 && errno == EINTR)
                                continue;
                        end = k <= 0;
                        break;
                }
                n = close_if(held, n, may_wait);
                close_many(held, n);
                if (end)
                        _exit(EXIT_SUCCESS);
                (void) send(sock, "d", 1, MSG_NOSIGNAL);
                (void) !write(wake, "w", 1);
        }
}

/* A closer in *c, our child: it must not outlive us (see above), so it
 * is not forked twice out of our reach. Reaped by notify_closer_reap() on
 * SIGCHLD: one that sees its socket end at an exec of ours (the hand-over to
 * cell-monitor) is a child of the new program, which knows nothing of it but
 * that. */
static int closer_start(Closer *c) {
        _cleanup_close_ int ours = -EBADF, theirs = -EBADF;
        int pair[2];
        pid_t parent = getpid(), pid;

        if (wake_fds[0] < 0 && pipe2(wake_fds, O_CLOEXEC|O_NONBLOCK) < 0)
                return negative_errno();
        if (socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0, pair) < 0)
                return negative_errno();
        ours = pair[0];
        theirs = pair[1];
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                /* Nothing of the payload's held on the host once we are gone.
                 * Gone already: SIGKILL too, so that the exit's own closes of
                 * what was sent meanwhile do not linger either. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        (void) raise(SIGKILL);
                closer_main(theirs, wake_fds[1]);
        }
        *c = (Closer) { .pid = pid, .fd = TAKE_FD(ours) };
        return 0;
}

/* A closer that is gone or fails us: killed (it may wait in a close for
 * ever, even so: not waited for), reaped by notify_closer_reap(), a new one
 * in its slot next time. */
static void closer_forget(Closer *c) {
        c->fd = safe_close(c->fd);
        if (c->pid > 0) {
                (void) kill(c->pid, SIGKILL);
                (void) waitpid(c->pid, NULL, WNOHANG);
        }
        *c = (Closer) { .fd = -EBADF };
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
                 * free for another process from here on. */
                for (size_t i = 0; i < ELEMENTSOF(closers); i++)
                        if (closers[i].pid == si.si_pid) {
                                closers[i].fd = safe_close(closers[i].fd);
                                closers[i] = (Closer) { .fd = -EBADF };
                                if (taking == (int) i)
                                        taking = -1;
                        }
                if (waitid(P_PID, (id_t) si.si_pid, &si, WEXITED|WNOHANG) < 0)
                        return;
        }
}

/* The busy closers that are done ("d") are free again. */
static void closers_collect(void) {
        for (size_t i = 0; i < ELEMENTSOF(closers); i++) {
                Closer *c = &closers[i];
                char byte;
                ssize_t k;

                if (c->pid <= 0 || !c->busy)
                        continue;
                k = recv(c->fd, &byte, 1, MSG_DONTWAIT);
                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                        continue;               /* still closing */
                if (k == 1 && byte == 'd')
                        c->busy = false;
                else
                        closer_forget(c);       /* gone, or not what we asked */
        }
}

/* Asks closer c to peek the head of notify_fd; true once it holds them. */
static bool closer_ask(Closer *c, int notify_fd) {
        union {
                struct cmsghdr h;
                uint8_t b[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (char *) "p", .iov_len = 1 };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        struct pollfd p = { .fd = c->fd, .events = POLLIN };
        char byte;

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));
        if (sendmsg(c->fd, &mh, MSG_DONTWAIT|MSG_NOSIGNAL) < 0)
                return false;
        /* An idle closer answers at once: nothing it does before "t" waits. */
        for (;;) {
                int r = poll(&p, 1, NOTIFY_CLOSER_ANSWER_MSEC);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return false;
                break;
        }
        return recv(c->fd, &byte, 1, MSG_DONTWAIT) == 1 && byte == 't';
}

int notify_closer_take(int notify_fd) {
        closers_collect();
        taking = -1;
        for (size_t i = 0; i < ELEMENTSOF(closers); i++) {
                Closer *c = &closers[i];
                int r;

                if (c->pid > 0 && c->busy)
                        continue;
                if (c->pid <= 0) {
                        r = closer_start(c);
                        if (r < 0)
                                return r;
                }
                if (closer_ask(c, notify_fd)) {
                        taking = (int) i;
                        return 0;
                }
                closer_forget(c);
        }
        /* Busy ones say so on the wake pipe; with none, nothing would. */
        for (size_t i = 0; i < ELEMENTSOF(closers); i++)
                if (closers[i].pid > 0 && closers[i].busy)
                        return -EBUSY;
        return -EIO;
}

void notify_closer_dequeued(void) {
        Closer *c;

        if (taking < 0)
                return;
        c = &closers[taking];
        taking = -1;
        /* Now its closes may wait: it is busy until it says "d". */
        if (send(c->fd, "c", 1, MSG_DONTWAIT|MSG_NOSIGNAL) < 0)
                closer_forget(c);
        else
                c->busy = true;
}

int notify_closer_wake_fd(void) {
        return wake_fds[0];
}

void notify_closer_wake_drain(void) {
        char buf[64];

        if (wake_fds[0] >= 0)
                while (read(wake_fds[0], buf, sizeof buf) > 0)
                        ;
}
