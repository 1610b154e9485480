/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-child.h"
#include "spawn.h"

int spawn_message_send(int sock, SpawnMessageType type, const SpawnError *error, int fd) {
        SpawnMessage m = { .type = type };
        struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (error)
                m.error = *error;
        if (fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof control;
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }

        for (;;) {
                if (sendmsg(sock, &mh, MSG_NOSIGNAL) >= 0)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
}

int spawn_message_recv(int sock, SpawnMessage *ret, int *ret_fd) {
        SpawnMessage m = {};
        struct iovec iov = { .iov_base = &m, .iov_len = sizeof m };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1,
                .msg_control = &control, .msg_controllen = sizeof control,
        };
        ssize_t n;
        int fd = -EBADF;

        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == ECONNRESET ? 0 : -errno;

        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                    c->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(&fd, CMSG_DATA(c), sizeof(int));

        if (n == 0) {
                safe_close(fd);
                return 0;
        }
        if ((size_t) n != sizeof m || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                safe_close(fd);
                return -EBADMSG;
        }
        m.error.message[sizeof m.error.message - 1] = 0;
        *ret = m;
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        return 1;
}

static int write_file(const char *path, const char *text) {
        _cleanup_close_ int fd = -EBADF;
        size_t l = strlen(text);

        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (write(fd, text, l) != (ssize_t) l)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

/* The maps text "INSIDE OUTSIDE COUNT\n..." for one of uid/gid. */
static int idmap_text(const Plan *p, bool gid, char *buf, size_t size, SpawnError *err) {
        const PlanIdMap *m = gid ? p->gid_map : p->uid_map;
        size_t n = gid ? p->n_gid_map : p->n_uid_map, off = 0;
        uint32_t base = p->uid_base;
        struct stat st;

        if (p->users_mode == PLAN_USERS_FIXED && n > 0) {
                for (size_t i = 0; i < n; i++) {
                        int k = snprintf(buf + off, size - off, "%u %u %u\n",
                                         m[i].inside, m[i].outside, m[i].count);
                        if (k < 0 || (size_t) k >= size - off)
                                return spawn_error(err, E2BIG, "PrivateUsers=: too many id ranges");
                        off += (size_t) k;
                }
                return 0;
        }
        if (p->users_mode == PLAN_USERS_ROOT_OWNER) {
                /* The range starts at the owner of the root directory, so the
                 * container's root owns its own files (nspawn's rule). */
                if (stat(p->root_directory, &st) < 0)
                        return spawn_error(err, errno, "PrivateUsers=yes: Directory=%s", p->root_directory);
                base = gid ? st.st_gid : st.st_uid;
        }
        /* PICK: the plan's first candidate (a hash of the name); no search
         * for a free range yet. */
        (void) snprintf(buf, size, "0 %u %u\n", base, p->uid_count ?: 65536);
        return 0;
}

static int spawn_write_idmaps(const Spawn *s, const Plan *p, SpawnError *err) {
        char path[64], text[4096];
        int r;

        r = idmap_text(p, false, text, sizeof text, err);
        if (r < 0)
                return r;
        (void) snprintf(path, sizeof path, "/proc/%d/uid_map", (int) s->pid);
        r = write_file(path, text);
        if (r < 0)
                return spawn_error(err, r, "PrivateUsers=: writing uid_map \"%.*s\"",
                                   (int) strcspn(text, "\n"), text);

        r = idmap_text(p, true, text, sizeof text, err);
        if (r < 0)
                return r;
        (void) snprintf(path, sizeof path, "/proc/%d/gid_map", (int) s->pid);
        r = write_file(path, text);
        if (r < 0)
                return spawn_error(err, r, "PrivateUsers=: writing gid_map \"%.*s\"",
                                   (int) strcspn(text, "\n"), text);
        return 0;
}

static pid_t spawn_clone(uint64_t flags, int cgroup_fd, int *ret_pidfd, bool *ret_into_cgroup) {
        int pidfd = -EBADF;
        struct clone_args args = {
                .flags = flags | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        long pid;

        if (cgroup_fd >= 0) {
                /* Born inside its cgroup: not a single instruction of the
                 * child runs outside it. */
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t) cgroup_fd;
        }

        pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) {
                /* No clone3: clone() knows CLONE_PIDFD too (5.2+); the
                 * pidfd comes back through parent_tid. */
                pid = syscall(SYS_clone, (unsigned long) (flags | CLONE_PIDFD | SIGCHLD), NULL, &pidfd, NULL, NULL);
        }
        if (pid < 0)
                return -errno;
        if (pid == 0)
                return 0;

        *ret_pidfd = pidfd;
        *ret_into_cgroup = cgroup_fd >= 0;
        return (pid_t) pid;
}

int spawn_start(const SpawnParams *params, Spawn *ret, SpawnError *err) {
        const Plan *p = params->plan;
        _cleanup_(spawn_kill) Spawn s = SPAWN_NULL;
        int pair[2], r;
        pid_t pid;

        /* SEQPACKET keeps message boundaries, and CLOEXEC turns a successful
         * exec into EOF on the supervisor's side. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return spawn_error(err, errno, "creating the sync socket");

        /* CLONE_NEWTIME is not passed to clone: a process cloned into a new
         * time namespace is in it at once, and offsets can only be written
         * before any process entered. The child unshares it itself (see
         * child.c). CLONE_NEWCGROUP waits until the child is in its cgroup. */
        pid = spawn_clone(p->namespaces & ~(uint64_t) (CLONE_NEWTIME | CLONE_NEWCGROUP),
                          params->cgroup_fd, &s.pidfd, &s.into_cgroup);
        if (pid < 0) {
                safe_close(pair[0]);
                safe_close(pair[1]);
                return spawn_error(err, pid, "clone3 into new namespaces");
        }
        if (pid == 0) {
                safe_close(pair[0]);
                spawn_child(params, pair[1]);
        }

        s.pid = pid;
        s.sync_fd = pair[0];
        safe_close(pair[1]);

        if (p->namespaces & CLONE_NEWUSER) {
                r = spawn_write_idmaps(&s, p, err);
                if (r < 0)
                        return r;
                r = spawn_message_send(s.sync_fd, SPAWN_MSG_IDMAP_DONE, NULL, -EBADF);
                if (r < 0)
                        return spawn_error(err, r, "talking to the child");
        }

        *ret = s;
        s = SPAWN_NULL;
        return 0;
}

/* Waits for the sync socket or the interrupt fd. */
static int spawn_poll(Spawn *s, int interrupt_fd) {
        struct pollfd fds[2] = {
                { .fd = s->sync_fd, .events = POLLIN },
                { .fd = interrupt_fd, .events = POLLIN },
        };

        for (;;) {
                if (poll(fds, interrupt_fd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (interrupt_fd >= 0 && (fds[1].revents & POLLIN))
                        return -EINTR;
                if (fds[0].revents)
                        return 0;
        }
}

/* One message, turning ERROR and EOF into failures. */
static int spawn_expect(Spawn *s, SpawnMessageType want, int interrupt_fd, int *ret_fd, SpawnError *err) {
        SpawnMessage m;
        int fd = -EBADF, r;

        r = spawn_poll(s, interrupt_fd);
        if (r < 0)
                return r;
        r = spawn_message_recv(s->sync_fd, &m, &fd);
        if (r < 0)
                return spawn_error(err, r, "reading from the child");
        if (r == 0)
                return spawn_error(err, ECHILD, "the container's init died during setup");
        if (m.type == SPAWN_MSG_ERROR) {
                safe_close(fd);
                *err = m.error;
                return -(m.error.error ?: EIO);
        }
        if (m.type != want) {
                safe_close(fd);
                return spawn_error(err, EBADMSG, "unexpected message %u from the child", m.type);
        }
        if (ret_fd)
                *ret_fd = fd;
        else
                safe_close(fd);
        return 0;
}

int spawn_wait_prepared(Spawn *s, int interrupt_fd, int *ret_notify_fd, SpawnError *err) {
        return spawn_expect(s, SPAWN_MSG_PREPARED, interrupt_fd, ret_notify_fd, err);
}

int spawn_release(Spawn *s, SpawnError *err) {
        int r = spawn_message_send(s->sync_fd, SPAWN_MSG_GO, NULL, -EBADF);
        if (r < 0)
                return spawn_error(err, r, "releasing the child");
        return 0;
}

int spawn_wait_exec(Spawn *s, int interrupt_fd, SpawnError *err) {
        SpawnMessage m;
        int r;

        r = spawn_poll(s, interrupt_fd);
        if (r < 0)
                return r;
        r = spawn_message_recv(s->sync_fd, &m, NULL);
        if (r < 0)
                return spawn_error(err, r, "reading from the child");
        if (r > 0) {
                if (m.type != SPAWN_MSG_ERROR)
                        return spawn_error(err, EBADMSG, "unexpected message %u from the child", m.type);
                *err = m.error;
                return -(m.error.error ?: EIO);
        }
        /* EOF: the CLOEXEC end in the child went away with the exec. */
        s->sync_fd = safe_close(s->sync_fd);
        return 0;
}

void spawn_done(Spawn *s) {
        s->sync_fd = safe_close(s->sync_fd);
        s->pidfd = safe_close(s->pidfd);
        s->pid = 0;
}

void spawn_kill(Spawn *s) {
        if (s->pidfd >= 0) {
                siginfo_t si = {};

                /* The pidfd names exactly our child, even if the pid was
                 * reused; killing PID 1 of its namespace kills the rest. */
                (void) syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
                while (waitid(P_PIDFD, (id_t) s->pidfd, &si, WEXITED) < 0 && errno == EINTR)
                        ;
        }
        spawn_done(s);
}
