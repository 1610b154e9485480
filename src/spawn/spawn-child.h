/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Inside the child: the steps child.c runs in order, and the pieces of the
 * sync protocol it speaks (spawn.c holds the supervisor's side). */

#include <stdbool.h>
#include <sys/types.h>

#include "plan.h"
#include "spawn-error.h"
#include "spawn.h"

/* Messages on the SOCK_SEQPACKET sync socket, one per datagram. */
typedef enum SpawnMessageType {
        SPAWN_MSG_IDMAP_DONE = 1,       /* supervisor -> child: its part is done (uid/gid maps
                                         * written, veth moved in); sent with PrivateUsers= or
                                         * VirtualEthernet= */
        SPAWN_MSG_PREPARED,             /* child -> supervisor: mounts done (+ the notify socket fd) */
        SPAWN_MSG_GO,                   /* supervisor -> child: the cgroup is in place, go on;
                                         * .index: SPAWN_GO_DELEGATED if it belongs to the
                                         * container's root */
        SPAWN_MSG_ERROR,                /* child -> supervisor: a SpawnError; the child exits */
        SPAWN_MSG_TREE_READY,           /* tree builder -> child (PrivateUsers=): the tree is
                                         * built (+ an O_PATH fd of its root), see spawn-tree.c */
        SPAWN_MSG_HELD,                 /* supervisor -> child, without PrivateUsers= and links:
                                         * it holds the child's mount namespace, the build may
                                         * begin (spawn-undo.h) */
        SPAWN_MSG_CONSOLE,              /* child -> supervisor (cell exec, cell run --console=):
                                         * the master of the container's pty (+ its fd) */
} SpawnMessageType;

#define SPAWN_GO_DELEGATED UINT32_C(1)

typedef struct SpawnMessage {
        uint32_t type;
        uint32_t index;                 /* SPAWN_MSG_GO */
        SpawnError error;               /* SPAWN_MSG_ERROR */
} SpawnMessage;

/* Sends msg, with fd attached via SCM_RIGHTS when fd >= 0. */
int spawn_message_send(int sock, SpawnMessageType type, const SpawnError *error, int fd);
/* The same with .index set. */
int spawn_message_send_index(int sock, SpawnMessageType type, uint32_t index, int fd);
/* Receives one message; *ret_fd gets an attached fd or -EBADF. Returns 1,
 * 0 on EOF (the other side closed: exec succeeded, or it died). What the
 * other side sent before it closed is read first, also when it went with a
 * message of ours unread (which the kernel reports as ECONNRESET once). */
int spawn_message_recv(int sock, SpawnMessage *ret, int *ret_fd);

/* Whether the child makes its network namespace itself, first thing, rather
 * than clone3() making it: creating one costs ~0.35 ms here, which in clone3()
 * sits on the supervisor's path to StartTransientUnit, and in the child runs
 * beside it. Only when the supervisor has no business in that namespace
 * before PREPARED (no veth to move in, no user namespace to own it). */
bool spawn_child_unshares_net(const Plan *p);

/* The child's whole life: never returns. record_fd: without PrivateUsers=,
 * the supervisor's record of what the build makes (mount-record.h).
 * places: the supervisor's locks (shared-lock.h), which the build checks
 * it builds on. */
_noreturn_ void spawn_child(const SpawnParams *params, const SharedLocks *places, int sync_fd, int record_fd);

/* Limit*= via setrlimit, early while the privilege to raise a hard limit is
 * held: each exactly, but LimitNOFILE= only where it raises; then
 * rlimits_apply(), once nothing of ours opens a file any more: each exactly
 * (for the others, the same values again). */
int rlimits_apply_early(const PlanRlimit *rlimits, size_t n, SpawnError *err);
/* fs.nr_open (LimitNOFILE=infinity's value) read on the host where rlimits
 * has a LimitNOFILE=, for the two above and below: call it before the
 * container's mounts or namespaces are entered. */
void rlimits_prepare(const PlanRlimit *rlimits, size_t n);
int rlimits_apply(const PlanRlimit *rlimits, size_t n, SpawnError *err);
/* A limit in force as a unit writes it, for the messages of the two above:
 * RLIMIT_NICE's raw 1..40 as the nice level ("-1" for 21). */
const char *rlimit_format_in_force(int resource, rlim_t v, char buf[static 32]);

/* In the container's root, before anything of it runs: bit N of fds set,
 * fd N becomes the container's /dev/null (cell's tmpfs /dev), in place of
 * the host's null device that cell had there, whose mode the host's root
 * inside could change for every user (src/cli/run-stdio.h). */
int spawn_stdio_null(unsigned fds, SpawnError *err);
