/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The payload's process: clone3 into the plan's namespaces, and the
 * supervisor's side of the sync protocol with the child.
 *
 *   supervisor                          child (spawn_child(), child.c)
 *   spawn_start(): clone3 ------------> PDEATHSIG, not dumpable, fds closed
 *   (no user ns: the child's mount ns   (no user ns, no links: waits for
 *    held; no links: HELD ----------->   HELD, spawn-undo.h)
 *   (user ns: write maps, idmapped      (user ns or veth: waits for
 *    trees, the tree builder forked:     IDMAP_DONE; user ns: for the
 *    spawn-tree.c -- TREE_READY ------>  builder's TREE_READY too)
 *    veth into the child's netns,
 *    Port= nft table; IDMAP_DONE)
 *   scope_attach(), scope_wait()        mount_setup_root() (user ns: the
 *                                       locked copy, pivot), each entry of
 *                                       what it made written to the
 *                                       supervisor's memfd as it goes,
 *                                       closed after pivot (spawn-undo.h)
 *                                       notify socket, hostname, lo up,
 *                                       time namespace, resolve user, env,
 *                                       Exec=, cwd
 *   spawn_wait_prepared() <------------ PREPARED (+ notify socket fd)
 *   spawn_release(): user ns: chown     (host0 up, Address=, Gateway=)
 *   the cgroup to the mapped root;
 *   Nice=, CPUScheduling*=, CPUAffinity=,
 *   IOScheduling*= on the child's PID
 *   (spawn-sched.h)
 *                   ------------------> GO
 *                                       cgroup namespace + /sys/fs/cgroup,
 *                                       [Init=yes: fork; PID 1 reaps]
 *                                       rlimits, ids, caps, no_new_privs,
 *                                       Personality=, seccomp, execve
 *   spawn_wait_exec() <---------------- EOF (the socket is CLOEXEC)
 *
 * Any failure in the child arrives as one ERROR message carrying a
 * SpawnError; the child then exits. What the build made, the child or
 * builder failed or killed, is the supervisor's to take back: spawn_kill(). */

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "netif.h"
#include "plan.h"
#include "seccomp-filter.h"
#include "shared-lock.h"
#include "spawn-error.h"
#include "spawn-locks.h"
#include "spawn-undo.h"
#include "uid-range.h"

typedef struct SpawnParams {
        const Plan *plan;
        /* KEY=VALUE lists merged into the payload's environment around the
         * plan's: base (PATH, HOME, USER, LOGNAME, SHELL from the container's
         * passwd) < environment_before (the caller's variables the plan
         * passes through: TERM, PassEnvironment=) < plan->environment <
         * environment_after (EnvironmentFile= values, then what cell sets:
         * NOTIFY_SOCKET, WATCHDOG_USEC, container); plan->unset_environment
         * is removed from the whole. */
        char **environment_before;
        char **environment_after;
        int cgroup_fd;          /* clone3 CLONE_INTO_CGROUP target, or -EBADF */
        /* The plan's filter, compiled on the host (through the cache:
         * privilege_seccomp_compile()); NULL: the child compiles it. */
        const SeccompProgram *seccomp;
        /* cell run --console= other than pipe: a pty of the container's
         * devpts as the payload's stdio, controlling terminal and
         * /dev/console, of this size; its master comes back before
         * PREPARED (Spawn.console_fd). Not in the plan: it depends on the
         * caller's terminal, not on the unit. */
        bool console;
        struct winsize console_size;
        /* cell relays the payload's output (cell run in pipe mode on the
         * service's journal stream, src/cli/run-relay.h): the write ends of
         * its pipes become the payload's fd 1 and 2 (one pipe for both when
         * they were one file; -EBADF: that one is not relayed, cell's goes).
         * Not in the plan: it depends on cell's fds. */
        bool relay_output;
        int output_fds[2];
        /* Where cell's own are files of the host's (src/cli/run-stdio.h): bit
         * N, fd N is the container's /dev/null, opened once the root is
         * ours; input_fd, a pipe that becomes fd 0 (or -EBADF). Not in the
         * plan: they depend on cell's fds. */
        unsigned null_fds;
        int input_fd;
        /* Image=: the detached mount of the image the supervisor made at
         * the start (root-image.h), not consumed; read only when the plan
         * has an image. Not in the plan: a loop device is the host's. */
        int root_image_fd;
        int root_image_lock_fd;         /* ... and its lock (RootImage.lock_fd), held with the shared places' */
        int root_image_whole_lock_fd;   /* ... and the whole's it is a part of (RootImage.whole_lock_fd), or -EBADF */
        /* Directory=, opened once by the supervisor before it decided
         * anything on it (O_PATH, not consumed): what the start locks and
         * the build must find at its path (shared-lock.h), wherever a link
         * in the path leads later; -EBADF with Image=. */
        int root_directory_fd;
        /* The init cloned again for the same start: the locks the first
         * one's spawn_kill_keep_locks() kept, taken over (consumed, also
         * on failure) instead of new ones; NULL: taken here (spawn-locks.h). */
        SpawnLocks *locks;
        /* Called with what the start is about to make on the host that
         * outlives a SIGKILL of it ("run-host MASK:PATH": run-host-made.h;
         * SPAWN_NOTE_ZONE),
         * before it makes it, to be noted for whoever takes the killed
         * run's place (the name's lock file); NULL: not noted. */
        void (*note)(const char *key, const char *value, void *userdata);
#define SPAWN_NOTE_ZONE "zone"  /* "zone vz-NAME": Zone='s bridge, made by the first of the zone */
        void *note_userdata;
} SpawnParams;

typedef struct Spawn {
        pid_t pid;              /* the container's PID 1, as the host sees it */
        int pidfd;
        int sync_fd;
        bool into_cgroup;       /* clone3 placed it in cgroup_fd */
        const Plan *plan;
        /* What the supervisor holds for the container's life and gives
         * back in spawn_done(), on every exit path: */
        UidRange users;         /* PrivateUsers=: the host range (pick: its lock) */
        int veth_index;         /* VirtualEthernet=: ifindex of the host side, 0 = none, */
        char veth_name[IFNAMSIZ]; /* ... and its name (the plan's veth_host) */
        char *zone;             /* Zone=: the bridge "vz-NAME" the veth joins, removed in
                                 * spawn_done() if no port is left on it; NULL = none */
        NetifVeth *extras;      /* VirtualEthernetExtra=: the host sides made so far */
        size_t n_extras;
        int host_mntns;         /* PrivateUsers=: the host's mount namespace while the
                                 * supervisor sits in the builder's (spawn-tree.h) */
        int host_cwd;           /* ... and the working directory there */
        int builder_pidfd;      /* PrivateUsers=: the tree builder, until reaped */
        char *netfw_table;      /* Port=: the nft tables "ip/ip6 cell-NAME", NULL = none */
        uint64_t netfw_handles[2]; /* ... the ones this start added, by handle: ip, ip6 (netfw.h) */
        int netns_fd;           /* Interface=: the container's network namespace, held so
                                 * that the interfaces can be moved back out; -EBADF = none */
        NetifMoved *moved;      /* ... the interfaces moved in so far */
        size_t n_moved;
        /* Until the start's verdict: what the tree build made, and where,
         * taken back by spawn_kill(), let go by spawn_started() (spawn-undo.h). */
        SpawnUndo undo;
        /* LOCK_SH on Directory= and the Bind= source directories, from
         * before anything is looked up there until the payload ends: what
         * another start takes back is never under our mounts
         * (shared-lock.h). Handed over to cell-monitor. */
        SharedLocks shared;
        int console_fd;         /* SpawnParams.console: the pty's master, or -EBADF */
        bool init_sigkilled;    /* the start failed as the init died of SIGKILL */
        /* The container's /run/host on a host directory, and what of it the
         * start makes there, removed in spawn_done() (spawn-run-host.h);
         * NULL: nothing. Handed on to "cell __finish". */
        char *run_host;
        unsigned run_host_absent;
} Spawn;

#define SPAWN_NULL ((Spawn) { .pid = 0, .pidfd = -EBADF, .sync_fd = -EBADF, .users = UID_RANGE_NULL, \
                              .host_mntns = -EBADF, .host_cwd = -EBADF, .builder_pidfd = -EBADF, \
                              .netns_fd = -EBADF, .undo = SPAWN_UNDO_NULL, .shared = SHARED_LOCKS_NULL, \
                              .console_fd = -EBADF })

/* Clones the child. The signal mask of the caller is inherited; the child
 * resets it right before exec. On failure nothing is left. */
int spawn_start(const SpawnParams *params, Spawn *ret, SpawnError *err);

/* Waits for PREPARED. ret_notify_fd: the socket the child bound at
 * plan->notify_socket (-EBADF if it sent none). interrupt_fd: when it turns
 * readable (a signalfd) returns -EINTR. A failure reported by the child is
 * returned as -errno with err filled in. */
int spawn_wait_prepared(Spawn *s, int interrupt_fd, int *ret_notify_fd, SpawnError *err);
/* Lets the child go on to exec: the cgroup is in place. With PrivateUsers=
 * the cgroup is first delegated (chown) to the container's root. */
int spawn_release(Spawn *s, SpawnError *err);
/* Waits until the payload exec'd (EOF on the sync socket, which is then
 * closed) or failed. */
int spawn_wait_exec(Spawn *s, int interrupt_fd, SpawnError *err);
/* A start that failed as the init died of SIGKILL, in a cgroup that counted
 * an OOM kill: *err names the OOM killer as who sent it. */
void spawn_error_oom_killed(const Spawn *s, SpawnError *err);

/* The payload runs (and machined took it, with Register=yes): the start
 * succeeded, what its build made stays. */
void spawn_started(Spawn *s);
/* SIGKILL and reap the child (and the tree builder) if it is there; then
 * spawn_done(). Before spawn_started(), the start failed: what the build
 * made, as far as it got, is taken back after the kill. */
void spawn_kill(Spawn *s);
/* As spawn_kill(), for a start that clones the container's init again
 * (spawn-locks.h): the build taken back as there, but the locks (the
 * places', Image='s, the ports', the UID range's) are not let go: into
 * *ret, for SpawnParams.locks. The child is gone either way; on failure (a
 * place's lock lost) nothing is held. */
int spawn_kill_keep_locks(Spawn *s, SpawnLocks *ret, SpawnError *err);
/* Close the fds, remove the Port= table and the host sides of the veths (if
 * still there), the zone's bridge if that was its last port, release the
 * uid range; the child is not touched. */
void spawn_done(Spawn *s);
