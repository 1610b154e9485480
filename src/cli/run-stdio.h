/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell run in pipe mode, where the container's root is the host's (no
 * PrivateUsers=): none of cell's fds 0, 1 and 2 that is a file of the
 * host's reaches the payload. That root holds CAP_CHOWN, CAP_FOWNER and
 * CAP_FSETID, and fchown()/fchmod() need no more than an fd: handed the
 * host's /dev/null (a service's StandardInput=null) it could make it 0600
 * for the whole host; handed "cell run web > /var/log/web.log", it could
 * make that file set-user-ID root with contents of its choosing. An
 * anonymous pipe's or a socket's inode is nobody's file and is passed as
 * it is; /dev/null becomes the container's own (its /dev, cell's tmpfs);
 * an output that is any other file (a regular one, a named FIFO, a
 * terminal, a device) is relayed through a pipe (run-relay.h), and such an
 * input is copied into a pipe by cell-stdin, a child of cell's that reads
 * it until its end. With PrivateUsers= the host's files are no one's the
 * container's root may change, and cell's fds go as they are. */

#include <stdbool.h>
#include <sys/types.h>

#include "plan.h"
#include "spawn.h"

typedef struct RunStdio {
        unsigned null_fds;      /* bit N: fd N is the container's /dev/null */
        unsigned relay_fds;     /* bit N (1, 2): fd N is a file of the host's, relayed */
        bool want_pump;         /* fd 0 is one: cell-stdin copies it into a pipe ... */
        int input_fd;           /* ... whose read end this is (owned), or -EBADF */
        pid_t pump;             /* cell-stdin, or 0 */
} RunStdio;

#define RUN_STDIO_NULL ((RunStdio) { .input_fd = -EBADF })

/* What the payload gets for our fds 0, 1 and 2 in pipe mode (pipe_mode
 * false: a pty, nothing to do). */
void run_stdio_guard(const Plan *p, bool pipe_mode, RunStdio *ret);
/* cell-stdin, where fd 0 needs it, if not yet: right before the first
 * clone, in the cgroup cell is in then (its leaf with the cgroupfs
 * manager, never the service's, which must hold no process where its
 * controllers are turned on). Failure reported. */
int run_stdio_start(RunStdio *s);
/* The last clone was made: the pipe's read end is the payload's alone. */
void run_stdio_close_input(RunStdio *s);
/* cell-stdin ended (SIGKILL) and reaped, if it is still ours; the pipe
 * closed. After the hand-over it is cell-monitor's child and ends with it. */
void run_stdio_done(RunStdio *s);

/* cell exec, without a pty, where the container's root is the host's
 * (host_root): the same guard, each output that is a file of the host's
 * through a pump of its own too (cell exec has no relay): cell-stdout and
 * cell-stderr, processes of cell's that copy the command's pipe to it.
 * Started before cell exec joins the container's namespaces and cgroups. */
typedef struct ExecStdio {
        unsigned null_fds;      /* bit N: fd N is the container's /dev/null */
        int child_fds[3];       /* the pipes' ends the command gets as fd N, or -EBADF (owned) */
        pid_t pumps[3];         /* their pumps, or 0 */
} ExecStdio;

#define EXEC_STDIO_NULL ((ExecStdio) { .child_fds = { -EBADF, -EBADF, -EBADF } })
/* How long the outputs' pumps may take, after the command, to write what
 * it left in their pipes (a process of its that holds one on stops it). */
#define STDIO_DRAIN_USEC (5 * USEC_PER_SEC)

/* Failure reported. */
int exec_stdio_guard(const Plan *p, bool host_root, ExecStdio *ret);
/* In the command's process, in the container's root. */
int exec_stdio_child(const ExecStdio *s, SpawnError *err);
/* The command is forked: its ends are its own. */
void exec_stdio_close_child_ends(ExecStdio *s);
/* The command ended: the input's pump ended, the outputs' drained. */
void exec_stdio_finish(ExecStdio *s);
