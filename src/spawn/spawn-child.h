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
        SPAWN_MSG_IDMAP_DONE = 1,       /* supervisor -> child: uid/gid maps are written */
        SPAWN_MSG_PREPARED,             /* child -> supervisor: mounts done (+ the notify socket fd) */
        SPAWN_MSG_GO,                   /* supervisor -> child: the cgroup is in place, go on */
        SPAWN_MSG_ERROR,                /* child -> supervisor: a SpawnError; the child exits */
} SpawnMessageType;

typedef struct SpawnMessage {
        uint32_t type;
        SpawnError error;               /* SPAWN_MSG_ERROR */
} SpawnMessage;

/* Sends msg, with fd attached via SCM_RIGHTS when fd >= 0. */
int spawn_message_send(int sock, SpawnMessageType type, const SpawnError *error, int fd);
/* Receives one message; *ret_fd gets an attached fd or -EBADF. Returns 1,
 * 0 on EOF (the other side closed: exec succeeded, or it died). */
int spawn_message_recv(int sock, SpawnMessage *ret, int *ret_fd);

/* The child's whole life: never returns. */
_noreturn_ void spawn_child(const SpawnParams *params, int sync_fd);

/* Limit*= via setrlimit. */
int rlimits_apply(const PlanRlimit *rlimits, size_t n, SpawnError *err);
