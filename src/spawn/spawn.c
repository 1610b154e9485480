/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "root-image.h"
#include "signal-util.h"
#include "spawn-child.h"
#include "spawn-locks.h"
#include "spawn-net.h"
#include "spawn-run-host.h"
#include "spawn-sched.h"
#include "spawn-tree.h"
#include "spawn-undo.h"
#include "spawn-users.h"
#include "spawn.h"

static int message_send(int sock, SpawnMessageType type, uint32_t index, const SpawnError *error, int fd) {
        SpawnMessage m = { .type = type, .index = index };
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

int spawn_message_send(int sock, SpawnMessageType type, const SpawnError *error, int fd) {
        return message_send(sock, type, 0, error, fd);
}

int spawn_message_send_index(int sock, SpawnMessageType type, uint32_t index, int fd) {
        return message_send(sock, type, index, NULL, fd);
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

        /* ECONNRESET: the peer went with a message of ours unread. The kernel
         * says so once, ahead of what the peer sent before it went -- its
         * ERROR, the reason it went -- which the next call reads (then EOF). */
        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && (errno == EINTR || errno == ECONNRESET));
        if (n < 0)
                return -errno;

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

typedef struct TreeKeeper {
        MountIdmapTrees trees;
        size_t n_mounts;
} TreeKeeper;

static int keep_tree(uint32_t index, int fd, void *userdata) {
        TreeKeeper *k = userdata;
        int copy;

        /* The caller keeps its fd. */
        copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0)
                return -errno;
        return spawn_tree_keep(&k->trees, k->n_mounts, index, copy);
}

/* PrivateUsers=: the maps, the idmapped trees, and the builder that makes
 * the tree with them (spawn-tree.c). */
static int spawn_users(Spawn *s, const Plan *p, int image_fd, SpawnError *err) {
        TreeKeeper k = { .trees = MOUNT_IDMAP_TREES_NULL, .n_mounts = p->n_mounts };
        int r;

        /* The builder attaches the image's mount (ours: not closed here). */
        k.trees.image_fd = image_fd;
        /* The builder checks it builds on the places locked. */
        k.trees.places = &s->shared;
        r = spawn_users_write_maps(s->pid, p, &s->users, err);
        if (r < 0)
                return r;
        r = spawn_users_make_trees(s->pid, p, image_fd, &s->shared, keep_tree, &k, err);
        /* Where the builder records what it makes as it goes, for a start
         * that fails, also with the builder killed halfway (spawn-undo.h). */
        if (r >= 0) {
                r = spawn_undo_record_new(&s->undo);
                if (r < 0)
                        r = spawn_error(err, r, "PrivateUsers=: creating the record of what the start makes");
        }
        if (r >= 0) {
                k.trees.owner = s->users.base;
                r = spawn_tree_build(p, &k.trees, s->pidfd, s->sync_fd, s->undo.record_fd, &s->builder_pidfd, err);
        }
        /* The builder has its copies. */
        spawn_tree_trees_done(&k.trees);
        return r;
}

/* How long the end of the container's init is waited for once its sync
 * socket is closed: it is on its way out, or exec'd something. */
#define SPAWN_INIT_DIED_WAIT_MSEC 1000

/* The container's init ended before it said why (killed, or it exited
 * without an ERROR): its exit status, named. WNOWAIT: spawn_kill() reaps
 * it. With SIGKILL, spawn_error_oom_killed() may say who sent it. */
static int spawn_init_died(Spawn *s, SpawnError *err) {
        siginfo_t si = {};
        char sigbuf[SIGNAL_STRING_MAX];

        if (s->pidfd >= 0) {
                (void) poll(&(struct pollfd) { .fd = s->pidfd, .events = POLLIN }, 1, SPAWN_INIT_DIED_WAIT_MSEC);
                if (waitid(P_PIDFD, (id_t) s->pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
                        si.si_pid = 0;
        }
        if (si.si_pid == 0)
                return spawn_error_complete(err, ECHILD, "the container's init died during setup");
        if (si.si_code == CLD_EXITED)
                return spawn_error_complete(err, ECHILD, "the container's init died during setup: exited with "
                                            "status %d", si.si_status);
        s->init_sigkilled = si.si_status == SIGKILL;
        return spawn_error_complete(err, ECHILD, "the container's init died during setup: killed by %s%s",
                                    signal_to_string(si.si_status, sigbuf),
                                    si.si_code == CLD_DUMPED ? " (core dumped)" : "");
}

void spawn_error_oom_killed(const Spawn *s, SpawnError *err) {
        /* Only the failure spawn_init_died() reported: SIGKILL, ours to name. */
        if (!s->init_sigkilled || !startswith(err->message, "the container's init died during setup: "))
                return;
        (void) spawn_error_complete(err, ECHILD, "the container's init died during setup: killed by the OOM "
                                    "killer%s", s->plan && s->plan->limits.memory_max.kind ? " (MemoryMax=)" : "");
}

/* The child has gone already (a send to it failed with -EPIPE or the
 * like, its namespaces are gone). Whatever it said before it went -- its
 * ERROR, or the tree builder's that it passed on -- is queued on our end,
 * and is the failure to report: the first error wins, not ours. */
static int spawn_child_gone(Spawn *s, SpawnError *err) {
        SpawnMessage m;
        int r;

        /* Its end is closed: this never blocks. */
        r = spawn_message_recv(s->sync_fd, &m, NULL);
        if (r > 0 && m.type == SPAWN_MSG_ERROR) {
                *err = m.error;
                return -(m.error.error ?: EIO);
        }
        return spawn_init_died(s, err);
}

static int spawn_send_failed(Spawn *s, int r, const char *what, SpawnError *err) {
        if (r != -EPIPE && r != -ECONNRESET && r != -ECONNREFUSED && r != -ENOTCONN)
                return spawn_error(err, r, "%s", what);
        return spawn_child_gone(s, err);
}

/* Without PrivateUsers=: the child's mount namespace, held before it makes
 * anything there (it waits for HELD, or with links for IDMAP_DONE): what
 * it makes is taken back from there, whenever it dies (spawn-undo.h). A
 * supervisor that cannot hold it (out of fds) fails the start here, with
 * nothing made. */
static int spawn_hold_child(Spawn *s, const Plan *p, SpawnError *err) {
        char ns[64];
        int r;

        (void) snprintf(ns, sizeof ns, "/proc/%d/ns/mnt", (int) s->pid);
        r = spawn_undo_hold(&s->undo, ns, false);
        if (r == -ENOENT)
                return spawn_child_gone(s, err);        /* its own failure, before it made anything */
        if (r < 0)
                return spawn_error(err, r, "cannot hold the container's mount namespace, to take back what "
                                   "its start makes if it fails");
        if (plan_network_has_links(p))
                return 0;
        r = spawn_message_send(s->sync_fd, SPAWN_MSG_HELD, NULL, -EBADF);
        if (r < 0)
                return spawn_send_failed(s, r, "talking to the child", err);
        return 0;
}

int spawn_start(const SpawnParams *params, Spawn *ret, SpawnError *err) {
        const Plan *p = params->plan;
        _cleanup_(spawn_kill) Spawn s = SPAWN_NULL;
        int image_fd = p->root_image ? params->root_image_fd : -EBADF;
        uint64_t flags;
        int pair[2], r;
        pid_t pid;

        s.plan = p;
        /* The host's fs.nr_open, which the child inherits: the container's
         * /proc/sys need not show it at the exec. */
        rlimits_prepare(p->rlimits, p->n_rlimits);
        /* The places', the image's, the ports' and the range's locks,
         * before anything is looked up or made (spawn-locks.h). */
        r = spawn_locks_take(params, &s, err);
        if (r < 0)
                return r;
        /* Before anything is made there: what the container's /run/host on
         * a host directory lacks, which its end removes again. */
        r = run_host_path(p, &s.run_host);
        if (r < 0)
                return spawn_error(err, r, "/run/host");
        s.run_host_absent = run_host_absent(s.run_host);
        if (!s.run_host_absent)
                s.run_host = mfree(s.run_host);
        else if (params->note) {
                _cleanup_free_ char *note = NULL;

                /* Noted first: a SIGKILLed start removes nothing, and the
                 * host's directory would keep what it made for good. */
                r = run_host_format(s.run_host, s.run_host_absent, &note);
                if (r < 0)
                        return spawn_error(err, r, "/run/host");
                params->note(RUN_HOST_NOTE, note, params->note_userdata);
        }

        /* Without PrivateUsers= the child builds: where it records what it
         * makes as it goes, before it exists (spawn-undo.h). */
        if (!(p->namespaces & CLONE_NEWUSER)) {
                r = spawn_undo_record_new(&s.undo);
                if (r < 0)
                        return spawn_error(err, r, "creating the record of what the start makes");
        }

        /* SEQPACKET keeps message boundaries, and CLOEXEC turns a successful
         * exec into EOF on the supervisor's side. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return spawn_error(err, errno, "creating the sync socket");

        /* CLONE_NEWTIME is not passed to clone: a process cloned into a new
         * time namespace is in it at once, and offsets can only be written
         * before any process entered. The child unshares it itself (see
         * child.c). CLONE_NEWCGROUP waits until the child is in its cgroup. */
        flags = p->namespaces & ~(uint64_t) (CLONE_NEWTIME | CLONE_NEWCGROUP);
        if (spawn_child_unshares_net(p))
                flags &= ~(uint64_t) CLONE_NEWNET;
        if (p->namespaces & CLONE_NEWUSER) {
                /* The child starts in our private mount namespace and copies
                 * it once the builder is done: so its mounts are locked. */
                r = spawn_tree_enter_private(&s.host_mntns, &s.host_cwd, &s.undo, err);
                if (r < 0) {
                        safe_close(pair[0]);
                        safe_close(pair[1]);
                        return r;
                }
                flags &= ~(uint64_t) CLONE_NEWNS;
        }
        pid = spawn_clone(flags, params->cgroup_fd, &s.pidfd, &s.into_cgroup);
        if (pid < 0) {
                safe_close(pair[0]);
                safe_close(pair[1]);
                return spawn_error(err, pid, "clone3 into new namespaces");
        }
        if (pid == 0) {
                safe_close(pair[0]);
                spawn_child(params, &s.shared, pair[1], s.undo.record_fd);
        }

        s.pid = pid;
        s.sync_fd = pair[0];
        safe_close(pair[1]);
        if (!(p->namespaces & CLONE_NEWUSER)) {
                r = spawn_hold_child(&s, p, err);
                if (r < 0)
                        return r;
        }

        if (p->namespaces & CLONE_NEWUSER) {
                r = spawn_users(&s, p, image_fd, err);
                if (r < 0)
                        return r;
        }
        /* Zone='s bridge, which the zone's last end removes: a killed one
         * cannot (src/cli/take-back.h). */
        if (p->zone && params->note)
                params->note(SPAWN_NOTE_ZONE, p->zone, params->note_userdata);
        r = spawn_network(&s, p, err);
        if (r < 0)
                return r;
        if ((p->namespaces & CLONE_NEWUSER) || plan_network_has_links(p)) {
                r = spawn_message_send(s.sync_fd, SPAWN_MSG_IDMAP_DONE, NULL, -EBADF);
                if (r < 0)
                        return spawn_send_failed(&s, r, "talking to the child", err);
        }

        *ret = s;
        s = SPAWN_NULL;
        return 0;
}

/* Waits for the sync socket or the interrupt fd; with PrivateUsers=, while
 * the child waits for its tree, for the builder's end too: 1 when it
 * ended (spawn_tree_ended()), 0 when the sync socket is readable (first:
 * what the child said wins). */
static int spawn_poll(Spawn *s, int interrupt_fd, bool builder) {
        struct pollfd fds[3] = {
                { .fd = s->sync_fd, .events = POLLIN },
                { .fd = interrupt_fd, .events = POLLIN },
                { .fd = builder ? s->builder_pidfd : -EBADF, .events = POLLIN },
        };

        for (;;) {
                /* poll() skips the entries whose fd is negative. */
                if (poll(fds, ELEMENTSOF(fds), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (interrupt_fd >= 0 && (fds[1].revents & POLLIN))
                        return -EINTR;
                if (fds[0].revents)
                        return 0;
                if (fds[2].revents)
                        return 1;
        }
}

/* PREPARED, turning ERROR and EOF into failures. */
static int spawn_expect_prepared(Spawn *s, int interrupt_fd, int *ret_fd, SpawnError *err) {
        const SpawnMessageType want = SPAWN_MSG_PREPARED;
        SpawnMessage m;
        int fd = -EBADF, r;

        for (;;) {
                r = spawn_poll(s, interrupt_fd, true);
                if (r < 0)
                        return r;
                if (r > 0) {
                        r = spawn_tree_ended(&s->builder_pidfd, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = spawn_message_recv(s->sync_fd, &m, &fd);
                if (r <= 0 || m.type != SPAWN_MSG_CONSOLE)
                        break;
                /* --console=: the pty's master, ours to forward. */
                safe_close(s->console_fd);
                s->console_fd = TAKE_FD(fd);
        }
        if (r < 0)
                return spawn_error(err, r, "reading from the child");
        if (r == 0)
                return spawn_init_died(s, err);
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
        int r;

        r = spawn_expect_prepared(s, interrupt_fd, ret_notify_fd, err);
        /* The child made its copy of the tree before PREPARED (or failed):
         * the builder is done (or is let finish), and we leave the
         * namespace it built in, held only while its record is. */
        spawn_undo_builder_done(s);
        spawn_tree_leave_private(&s->host_mntns, &s->host_cwd);
        /* PREPARED: the record is complete (the child handed it over, the
         * builder is gone); nothing was made: nothing to hold. On a failure
         * spawn_kill() reads it, once the child is dead. */
        if (r >= 0 && spawn_undo_load(&s->undo) >= 0 && s->undo.record.created.n == 0)
                spawn_undo_done(&s->undo);
        return r;
}

int spawn_release(Spawn *s, SpawnError *err) {
        uint32_t go = 0;
        int r;

        /* The container's root owns its cgroup, so that an init system
         * inside can create and manage its subtree (Delegate=yes). Without
         * PrivateUsers= it owns it already: an init (Boot=yes) gets it
         * writable all the same, as nspawn mounts it, or systemd cannot
         * make init.scope and exits at once. */
        if (s->plan && ((s->plan->namespaces & CLONE_NEWUSER) || s->plan->boot)) {
                r = spawn_users_delegate_cgroup(s->pid, s->plan,
                                                s->plan->namespaces & CLONE_NEWUSER ? &s->users : NULL, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        go = SPAWN_GO_DELEGATED;
        }
        /* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= from here,
         * with our CAP_SYS_NICE, onto the child in its final cgroup
         * (spawn-sched.h says why). With Init=yes the payload sets
         * reset-on-fork itself: the reaper's fork must not reset it. */
        if (s->plan && plan_sched_any(&s->plan->sched)) {
                r = sched_apply(s->pid, &s->plan->sched, !s->plan->init, err);
                if (r < 0)
                        return r;
        }
        /* OOMScoreAdjust= from here too: the non-dumpable child cannot open
         * its own /proc file in a user namespace, and lowering it needs our
         * CAP_SYS_RESOURCE (spawn-sched.h). */
        if (s->plan && s->plan->oom_score_adjust_set) {
                r = oom_score_adjust_apply(s->pid, s->plan->oom_score_adjust, err);
                if (r < 0)
                        return r;
        }
        r = spawn_message_send_index(s->sync_fd, SPAWN_MSG_GO, go, -EBADF);
        if (r < 0)
                return spawn_send_failed(s, r, "releasing the child", err);
        return 0;
}

int spawn_wait_exec(Spawn *s, int interrupt_fd, SpawnError *err) {
        SpawnMessage m;
        int r;

        r = spawn_poll(s, interrupt_fd, false);
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

void spawn_started(Spawn *s) {
        spawn_undo_done(&s->undo);
}

void spawn_done(Spawn *s) {
        spawn_tree_reap(&s->builder_pidfd, true);
        spawn_undo_done(&s->undo);
        spawn_tree_leave_private(&s->host_mntns, &s->host_cwd);
        s->sync_fd = safe_close(s->sync_fd);
        s->pidfd = safe_close(s->pidfd);
        s->console_fd = safe_close(s->console_fd);
        s->pid = 0;
        spawn_network_done(s);
        uid_range_release(&s->users);
        /* Nothing of the container runs: its /run/host on the host as it
         * was, while the Bind= source is still locked. */
        run_host_remove(s->run_host, s->run_host_absent);
        s->run_host = mfree(s->run_host);
        s->run_host_absent = 0;
        shared_locks_done(&s->shared);
}

/* spawn_kill(), and with keep its locks into *keep (spawn-locks.h). */
static int spawn_kill_full(Spawn *s, SpawnLocks *keep, SpawnError *err) {
        int r = 0;

        /* Before spawn_started(): the start failed. The record is written
         * as the build goes: nothing to wait for. */
        spawn_tree_reap(&s->builder_pidfd, true);
        if (s->pidfd >= 0) {
                siginfo_t si = {};

                /* The pidfd names exactly our child, even if the pid was
                 * reused; killing PID 1 of its namespace kills the rest. */
                (void) syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
                while (waitid(P_PIDFD, (id_t) s->pidfd, &si, WEXITED) < 0 && errno == EINTR)
                        ;
        }
        /* Nothing of the container runs now (the builder's own child, in
         * its PID namespace, went with it): the record is complete, and a
         * failed start leaves the image and the host as they were. */
        (void) spawn_undo_load(&s->undo);
        /* Where the root was built: Directory=, or where Image= was attached. */
        spawn_undo_run(&s->undo, !s->plan ? NULL :
                                 s->plan->root_image ? ROOT_IMAGE_MOUNT_DIR : s->plan->root_directory,
                       !spawn_locks_may_take_back_root(s, keep != NULL));
        if (keep)
                r = spawn_locks_keep(s, keep, err);
        /* Kept: the first init's tables go now (spawn_done()), their
         * handles with them; the ports' records name the table by name
         * again until the second init's exist (spawn-locks.h). */
        _cleanup_free_ char *table = keep && r >= 0 && s->netfw_table ? strdup(s->netfw_table) : NULL;
        const char *unit = s->plan ? s->plan->name : NULL;
        spawn_done(s);
        if (table && unit)
                spawn_locks_tables_gone(keep, unit, table);
        return r;
}

void spawn_kill(Spawn *s) {
        (void) spawn_kill_full(s, NULL, NULL);
}

int spawn_kill_keep_locks(Spawn *s, SpawnLocks *ret, SpawnError *err) {
        return spawn_kill_full(s, ret, err);
}
