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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn-child.h"
#include "spawn-tree.h"
#include "spawn-undo.h"
#include "spawn.h"

/* How long a failed start waits for the build to end (the builder's exit,
 * the child's PREPARED) and for the take-back: a build takes milliseconds;
 * one stuck on a dead file system is killed, and what it made stays. */
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

int spawn_undo_receive(SpawnUndo *u, int fd) {
        return mount_undo_load(fd, &u->record);
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
        if (s->undo.record_fd >= 0) {
                /* Empty (the builder failed and took back itself, or died
                 * before it was done) or cut short: nothing to take back. */
                (void) mount_undo_load(s->undo.record_fd, &s->undo.record);
                s->undo.record_fd = safe_close(s->undo.record_fd);
        }
}

/* The child's record comes right before its PREPARED: read up to that, an
 * ERROR (it took back itself) or its end. */
static void await_prepared(Spawn *s) {
        uint64_t deadline = now_monotonic_usec() + SPAWN_UNDO_WAIT_MSEC * USEC_PER_MSEC;

        while (s->building) {
                struct pollfd pfd = { .fd = s->sync_fd, .events = POLLIN };
                SpawnMessage m;
                int fd = -EBADF, r;

                r = poll(&pfd, 1, deadline_msec(deadline));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return;
                r = spawn_message_recv(s->sync_fd, &m, &fd);
                if (r > 0 && m.type == SPAWN_MSG_MADE)
                        (void) spawn_undo_receive(&s->undo, fd);
                else if (r <= 0 || m.type == SPAWN_MSG_PREPARED || m.type == SPAWN_MSG_ERROR)
                        s->building = false;
                safe_close(fd);
        }
}

void spawn_undo_collect(Spawn *s) {
        spawn_undo_builder_done(s);
        if (s->building && s->sync_fd >= 0 && s->pidfd >= 0)
                await_prepared(s);
        s->building = false;
}

/* The helper: in the namespace the tree was made in, as the builder was. */
_noreturn_ static void undo_helper(SpawnUndo *u, const char *root_directory) {
        _cleanup_close_ int host_fd = -EBADF, root_fd = -EBADF;

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
        /* The child's namespace has the container's root as "/" since its
         * pivot_root; S has the tree at Directory=, where the builder
         * attached it. */
        root_fd = open(u->in_tree ? root_directory : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                _exit(EXIT_FAILURE);
        mount_undo_take_back(&u->record, root_fd, host_fd);
        _exit(EXIT_SUCCESS);
}

void spawn_undo_run(SpawnUndo *u, const char *root_directory) {
        int pidfd = -EBADF;
        struct clone_args args = {
                .flags = CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        siginfo_t si = {};
        long pid;

        if (u->record.created.n == 0 || u->mntns_fd < 0 || (u->in_tree && !root_directory))
                goto done;
        /* A process of its own: setns() would move the supervisor's root and
         * working directory into the container's tree. */
        pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid == 0)
                undo_helper(u, root_directory);
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
