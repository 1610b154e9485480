/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor's side of taking back what a failed start made
 * (spawn-undo.h). */

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-record.h"
#include "mount-util.h"
#include "spawn-child.h"
#include "spawn-tree.h"
#include "spawn-undo.h"
#include "spawn.h"

/* How long the builder's end and the take-back are waited for: a build
 * takes milliseconds; one stuck on a dead file system is killed (what it
 * made is in the record), a take-back stuck there too (what it has not
 * taken back yet stays). */
#define SPAWN_UNDO_WAIT_MSEC 5000

int spawn_undo_hold(SpawnUndo *u, const char *ns_path, bool in_tree) {
        int fd = open(ns_path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return negative_errno();
        safe_close(u->mntns_fd);
        u->mntns_fd = fd;
        u->in_tree = in_tree;
        return 0;
}

int spawn_undo_record_new(SpawnUndo *u) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* Written by the child or the builder, read by us; never the
         * container's: the child closes it at its hand-over, before
         * anything of the container is read, the builder before its
         * TREE_READY. */
        fd = memfd_create("cell-made", MFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        r = mount_record_init(fd);
        if (r < 0)
                return r;
        safe_close(u->record_fd);
        u->record_fd = TAKE_FD(fd);
        return 0;
}

int spawn_undo_load(SpawnUndo *u) {
        int r;

        if (u->record_fd < 0)
                return 0;
        /* Unreadable (not ours): nothing is taken back, rather than what
         * the start did not make. */
        r = mount_record_load(u->record_fd, &u->record);
        u->record_fd = safe_close(u->record_fd);
        return r;
}

static int deadline_msec(uint64_t deadline) {
        uint64_t n = now_monotonic_usec();

        return n >= deadline ? 0 : (int) ((deadline - n + USEC_PER_MSEC - 1) / USEC_PER_MSEC);
}

/* Whether the process of pidfd exited within the time left (pidfds turn
 * readable then). */
static bool exited_by(int pidfd, uint64_t deadline) {
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

        for (;;) {
                int r = poll(&pfd, 1, deadline_msec(deadline));

                if (r > 0)
                        return true;
                if (r == 0 || errno != EINTR)
                        return false;
        }
}

void spawn_undo_builder_done(Spawn *s) {
        if (s->builder_pidfd >= 0) {
                bool done = exited_by(s->builder_pidfd, now_monotonic_usec() + SPAWN_UNDO_WAIT_MSEC * USEC_PER_MSEC);

                spawn_tree_reap(&s->builder_pidfd, !done);
        }
}

/* The root, in the namespace held, found by the mount it was recorded on
 * (-ENOENT: killed before it was attached, nothing was made in it): S has
 * the tree at Directory=, where the builder attached it; the child's
 * namespace at Directory= too while it builds, at "/" since its
 * pivot_root. */
static int undo_root(const SpawnUndo *u, const char *root_directory) {
        const char *paths[] = { root_directory, u->in_tree ? NULL : "/" };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_close_ int fd = -EBADF;
                uint64_t id;

                if (!paths[i] || u->record.root_mnt_id == 0)
                        continue;
                fd = open(paths[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0 && mount_id_of(fd, &id) >= 0 && id == u->record.root_mnt_id)
                        return TAKE_FD(fd);
        }
        return -ENOENT;
}

/* Whether the child was killed between its pivot_root and its detach of
 * the old root (mount_setup_pivot()): the host's old root is stacked on
 * the container's, and setns() put us on the top of that stack, where the
 * root is not found. Only a "/" whose parent is the recorded root itself:
 * a stack of any other kind (the host's root over its initramfs) is not
 * the child's doing, and is never touched. */
static bool undo_pivot_interrupted(const SpawnUndo *u) {
        _cleanup_close_ int fd = -EBADF;
        uint64_t top, parent;

        if (u->in_tree || u->record.root_mnt_id == 0)
                return false;
        fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd >= 0 && mount_id_of(fd, &top) >= 0 && top != u->record.root_mnt_id &&
                mount_parent_id(top, &parent) >= 0 && parent == u->record.root_mnt_id;
}

/* The helper: in the namespace the tree was made in, as the builder was. */
_noreturn_ static void undo_helper(SpawnUndo *u, const char *root_directory, bool keep_root, pid_t parent) {
        _cleanup_close_ int host_fd = -EBADF, root_fd = -EBADF;

        /* Never outlive the supervisor, as the builder does not: ours is a
         * copy of its every fd, the start's locks too (Image='s, the
         * places' taken exclusively for this, the ports', the UID
         * range's), which a helper left alone would hold until done, or
         * for ever where a dead file system holds it (the supervisor's
         * 5 s wait is gone with it). What it has not taken back stays, as
         * when the supervisor is killed before the take-back. A parent
         * gone before the prctl() is none to follow: leave at once. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                _exit(EXIT_FAILURE);
        /* The host's "/", from the host's namespace: an Overlay= upper made
         * there is walked to from it, as the child walked to it before its
         * pivot_root. In S the host's tree is "/" itself. */
        if (!u->in_tree) {
                host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host_fd < 0)
                        _exit(EXIT_FAILURE);
        }
        /* Only now, with nothing of the container alive in it: its mounts
         * are what the build left, the ones it made on included. */
        if (setns(u->mntns_fd, CLONE_NEWNS) < 0)
                _exit(EXIT_FAILURE);
        /* What was made in the root is taken back from there, if it is
         * found and no other container uses it (keep_root); what was made
         * on the host in any case. */
        root_fd = keep_root ? -EBADF : undo_root(u, root_directory);
        /* Killed halfway through its pivot: the old root goes as the child
         * would have made it go next (in the container's namespace, private
         * since before the root was recorded: nothing propagates), and the
         * namespace is entered anew, onto the container's root. Either
         * failing: what was made on the host goes all the same. */
        if (root_fd == -ENOENT && undo_pivot_interrupted(u) && umount2("/", MNT_DETACH) >= 0 &&
            setns(u->mntns_fd, CLONE_NEWNS) >= 0)
                root_fd = undo_root(u, root_directory);
        mount_undo_take_back(&u->record, root_fd, host_fd);
        _exit(EXIT_SUCCESS);
}

bool spawn_undo_has_root_entries(const SpawnUndo *u) {
        for (size_t i = 0; i < u->record.created.n; i++)
                if (!u->record.created.entries[i].host)
                        return true;
        return false;
}

void spawn_undo_run(SpawnUndo *u, const char *root_directory, bool keep_root) {
        int pidfd = -EBADF;
        struct clone_args args = {
                .flags = CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        siginfo_t si = {};
        pid_t parent = getpid();
        long pid;

        if (u->record.created.n == 0 || u->mntns_fd < 0)
                goto done;
        /* A process of its own: setns() would move the supervisor's root and
         * working directory into the container's tree. */
        pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid == 0)
                undo_helper(u, root_directory, keep_root, parent);
        if (pid < 0)
                goto done;
        if (!exited_by(pidfd, now_monotonic_usec() + SPAWN_UNDO_WAIT_MSEC * USEC_PER_MSEC))
                (void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        while (waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
        safe_close(pidfd);
done:
        spawn_undo_done(u);
}

void spawn_undo_done(SpawnUndo *u) {
        mount_undo_done(&u->record);
        u->mntns_fd = safe_close(u->mntns_fd);
        u->record_fd = safe_close(u->record_fd);
        u->in_tree = false;
}
