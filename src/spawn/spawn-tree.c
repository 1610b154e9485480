/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* PrivateUsers=: the container's file system is built with the host's
 * privileges, then copied into the container's user namespace, which locks
 * it (nspawn's outer and inner child, done with one more short-lived
 * process instead of a second container process).
 *
 * A mount made by a process inside a user namespace belongs to that
 * namespace: its root could remount a read-only Bind= read-write, or
 * unmount a mask, once it has CAP_SYS_ADMIN there (Boot=yes gives it). The
 * kernel locks mounts -- flags and stacking -- only where a mount namespace
 * is copied into a less privileged user namespace. So:
 *
 *   supervisor: unshare(CLONE_NEWNS)   a private namespace S, owned by the
 *                                      host's user namespace, a slave of
 *                                      the host's (nothing goes back)
 *   clone3: user, pid, net, ipc, uts   the child sits in S, as a stranger
 *   (maps, idmapped trees)
 *   fork: builder                      setns() into the child's pid, net
 *     fork: builder's child            and ipc namespaces (its /proc, /sys,
 *                                      /dev/mqueue), builds the whole tree
 *                                      in S as the container's root would
 *                                      (fsuid) with the host's capabilities
 *                                      (its record of what it makes to a
 *                                      memfd of the supervisor's, as it
 *                                      goes)
 *                                      --- TREE_READY + root fd ---> child
 *   child: fchdir(root), unshare(CLONE_NEWNS): a copy of S, every mount
 *          locked; pivot_root from there
 *   supervisor: back into the host's mount namespace; S goes away, or
 *               (something was made) stays held until the start's
 *               verdict: a failed start takes it back there (spawn-undo.h). */

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-setup.h"
#include "spawn-child.h"
#include "spawn-tree.h"
#include "spawn-users.h"

int spawn_tree_enter_private(int *ret_host_mntns, int *ret_host_cwd, SpawnUndo *undo, SpawnError *err) {
        _cleanup_close_ int fd = -EBADF, cwd = -EBADF;
        int r;

        fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return spawn_error(err, errno, "PrivateUsers=: opening the mount namespace");
        /* setns() back moves us to the namespace's "/": this brings the
         * working directory back too. */
        cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (unshare(CLONE_NEWNS) < 0)
                return spawn_error(err, errno, "PrivateUsers=: unshare(CLONE_NEWNS)");
        /* A slave: the host's unmounts still reach S, S's mounts never
         * reach the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
                r = -errno;
                if (setns(fd, CLONE_NEWNS) >= 0 && cwd >= 0)
                        (void) !fchdir(cwd);
                return spawn_error(err, r, "PrivateUsers=: making the mount namespace a slave");
        }
        /* S, held past the builder's end: where what it made is taken back
         * if the start fails later (spawn-undo.h). */
        r = spawn_undo_hold(undo, "/proc/self/ns/mnt", true);
        if (r < 0) {
                if (setns(fd, CLONE_NEWNS) >= 0 && cwd >= 0)
                        (void) !fchdir(cwd);
                return spawn_error(err, r, "PrivateUsers=: opening the private mount namespace");
        }
        *ret_host_mntns = TAKE_FD(fd);
        *ret_host_cwd = TAKE_FD(cwd);
        return 0;
}

void spawn_tree_leave_private(int *host_mntns, int *host_cwd) {
        if (*host_mntns < 0)
                return;
        /* The child has its own copy by now (or is gone): S ends with the
         * builder. */
        if (setns(*host_mntns, CLONE_NEWNS) >= 0 && *host_cwd >= 0)
                (void) !fchdir(*host_cwd);
        *host_mntns = safe_close(*host_mntns);
        *host_cwd = safe_close(*host_cwd);
}

int spawn_tree_keep(MountIdmapTrees *t, size_t n_mounts, uint32_t index, int fd) {
        if (index == SPAWN_TREE_ROOT && t->root_fd < 0) {
                t->root_fd = fd;
                return 0;
        }
        if (index >= n_mounts) {
                safe_close(fd);
                return -EBADMSG;
        }
        if (!t->mount_fds) {
                t->mount_fds = malloc(sizeof(int) * n_mounts);
                if (!t->mount_fds) {
                        safe_close(fd);
                        return -ENOMEM;
                }
                for (size_t i = 0; i < n_mounts; i++)
                        t->mount_fds[i] = -EBADF;
                t->n_mount_fds = n_mounts;
        }
        if (t->mount_fds[index] >= 0) {
                safe_close(fd);
                return -EBADMSG;
        }
        t->mount_fds[index] = fd;
        return 0;
}

void spawn_tree_trees_done(MountIdmapTrees *t) {
        t->root_fd = safe_close(t->root_fd);
        for (size_t i = 0; i < t->n_mount_fds; i++)
                safe_close(t->mount_fds[i]);
        t->mount_fds = mfree(t->mount_fds);
        t->n_mount_fds = 0;
}

/* The builder's child: in the container's pid, net and ipc namespaces, in
 * S, the host's root with the container root's fsuid. */
_noreturn_ static void builder_build(const Plan *p, const MountIdmapTrees *trees, int builder_pidfd, int sync_fd,
                                     int record_fd) {
        _cleanup_close_ int root_fd = -EBADF;
        MountUndo made = MOUNT_UNDO_NULL;
        SpawnError err = {};
        int r;

        /* Files it creates (mount points, links) belong to the container's
         * root: the idmapped root accepts no other owner, and a tmpfs
         * inside is the container's. The capabilities stay (no fixup):
         * the host's paths above Directory= and Bind= sources are reached
         * whatever their modes. */
        if (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0) {
                r = spawn_error(&err, errno, "PrivateUsers=: prctl(PR_SET_SECUREBITS)");
                goto fail;
        }
        (void) setfsgid((gid_t) trees->owner);
        (void) setfsuid(trees->owner);
        if ((uid_t) setfsuid((uid_t) -1) != trees->owner) {
                r = spawn_error(&err, EPERM, "PrivateUsers=: setfsuid(%u)", (unsigned) trees->owner);
                goto fail;
        }
        /* The fsuid change cleared PDEATHSIG and set the dumpable flag to
         * fs.suid_dumpable: set both again, never to outlive the builder
         * nor be reachable from the container (ptrace, /proc/PID). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
                r = spawn_error(&err, errno, "PrivateUsers=: prctl() after setfsuid()");
                goto fail;
        }
        /* The builder may have died before the line above (getppid() is 0
         * here, in another PID namespace: its pidfd tells). */
        if (poll(&(struct pollfd) { .fd = builder_pidfd, .events = POLLIN }, 1, 0) != 0)
                _exit(EXIT_FAILURE);

        /* Each entry of what we make goes to the supervisor's record as we
         * go: it takes it back from S if the start fails after we are gone,
         * or if we are killed halfway, or fail (spawn-undo.h). */
        made.created.record_fd = record_fd;
        r = mount_setup_build_idmapped(p, trees, &root_fd, &made, &err);
        if (r < 0)
                goto fail;
        mount_undo_done(&made);
        /* Nothing more to record: the container never holds it. */
        safe_close(record_fd);
        /* The child enters the root through this fd: no path of the host
         * is walked by the container's root. */
        if (spawn_message_send(sync_fd, SPAWN_MSG_TREE_READY, NULL, root_fd) < 0)
                _exit(2);       /* the child is gone: nobody to tell */
        _exit(EXIT_SUCCESS);

fail:
        /* To the child, which reports it as its own: one error path. */
        (void) spawn_message_send(sync_fd, SPAWN_MSG_ERROR, &err, -EBADF);
        _exit(EXIT_FAILURE);
}

/* The builder: joins the child's namespaces (but not its user namespace),
 * forks the process that is then inside the PID namespace, reaps it. */
_noreturn_ static void builder_main(const Plan *p, const MountIdmapTrees *trees, int child_pidfd, int sync_fd,
                                    int record_fd) {
        SpawnError err = {};
        int status, self_pidfd;
        pid_t pid;

        /* Never outlive the supervisor. Each exit says why to the child
         * first: the supervisor waits for a builder only that died of a
         * signal (spawn_tree_ended()). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
                (void) spawn_error(&err, errno, "PrivateUsers=: prctl(PR_SET_PDEATHSIG)");
                (void) spawn_message_send(sync_fd, SPAWN_MSG_ERROR, &err, -EBADF);
                _exit(EXIT_FAILURE);
        }
        /* procfs, sysfs and mqueue show the namespaces of their mounter. */
        if (setns(child_pidfd, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC) < 0) {
                (void) spawn_error(&err, errno, "PrivateUsers=: joining the child's namespaces");
                (void) spawn_message_send(sync_fd, SPAWN_MSG_ERROR, &err, -EBADF);
                _exit(EXIT_FAILURE);
        }
        /* For its child to tell whether we still live (see builder_build()). */
        self_pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
        if (self_pidfd < 0) {
                (void) spawn_error(&err, errno, "PrivateUsers=: pidfd_open() of the tree builder");
                (void) spawn_message_send(sync_fd, SPAWN_MSG_ERROR, &err, -EBADF);
                _exit(EXIT_FAILURE);
        }
        pid = fork();
        if (pid < 0) {
                (void) spawn_error(&err, errno, "PrivateUsers=: fork");
                (void) spawn_message_send(sync_fd, SPAWN_MSG_ERROR, &err, -EBADF);
                _exit(EXIT_FAILURE);
        }
        if (pid == 0) {
                /* It is in the container's PID namespace: never reachable
                 * from there (ptrace, /proc/PID), never left behind. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
                    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                        _exit(EXIT_FAILURE);
                builder_build(p, trees, self_pidfd, sync_fd, record_fd);
        }
        /* The record is its child's to write. */
        safe_close(record_fd);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        (void) spawn_error(&err, errno, "PrivateUsers=: waiting for the tree builder");
                        (void) spawn_message_send(sync_fd, SPAWN_MSG_ERROR, &err, -EBADF);
                        _exit(EXIT_FAILURE);
                }
        if (WIFEXITED(status) && WEXITSTATUS(status) <= EXIT_FAILURE)
                _exit(WEXITSTATUS(status));     /* it sent TREE_READY or ERROR itself */
        /* Killed (or worse) before it could say anything: the child must
         * not wait for it forever. */
        if (WIFSIGNALED(status))
                (void) spawn_error(&err, EIO, "PrivateUsers=: the tree builder died of signal %d",
                                   WTERMSIG(status));
        else
                (void) spawn_error(&err, EIO, "PrivateUsers=: the tree builder failed");
        (void) spawn_message_send(sync_fd, SPAWN_MSG_ERROR, &err, -EBADF);
        _exit(EXIT_FAILURE);
}

int spawn_tree_build(const Plan *p, const MountIdmapTrees *trees, int child_pidfd, int sync_fd, int record_fd,
                     int *ret_builder_pidfd, SpawnError *err) {
        int pidfd = -EBADF;
        struct clone_args args = {
                .flags = CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        long pid;

        pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0)
                return spawn_error(err, errno, "PrivateUsers=: forking the tree builder");
        if (pid == 0)
                builder_main(p, trees, child_pidfd, sync_fd, record_fd);
        *ret_builder_pidfd = pidfd;
        return 0;
}

void spawn_tree_reap(int *builder_pidfd, bool kill) {
        siginfo_t si = {};

        if (*builder_pidfd < 0)
                return;
        if (kill)
                (void) syscall(SYS_pidfd_send_signal, *builder_pidfd, SIGKILL, NULL, 0);
        while (waitid(P_PIDFD, (id_t) *builder_pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
        *builder_pidfd = safe_close(*builder_pidfd);
}

int spawn_tree_ended(int *builder_pidfd, SpawnError *err) {
        siginfo_t si = {};

        while (waitid(P_PIDFD, (id_t) *builder_pidfd, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return spawn_error(err, errno, "PrivateUsers=: waiting for the tree builder");
        *builder_pidfd = safe_close(*builder_pidfd);
        if (si.si_code == CLD_EXITED)
                return 0;
        /* Killed (by anyone): its child, which builds, went with it
         * (PR_SET_PDEATHSIG, set again after its setfsuid()) and told the
         * container's init nothing. The start fails, and what the record
         * says was made is taken back (spawn-undo.h). */
        return spawn_error(err, EIO, "PrivateUsers=: the tree builder died of signal %d", si.si_status);
}
