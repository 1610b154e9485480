/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A terminal for a container process (cell exec -t, cell run --console=),
 * made inside the container as systemd-nspawn makes its console: from the
 * container's own devpts, so the host's pty devices (and the caller's
 * terminal) are never in the container; only the master goes out, to the
 * process outside that forwards (pty-forward.h). */

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "spawn-error.h"

/* Whether we run on a terminal as systemd-run decides for --pty --pipe:
 * standard input, output and error all terminals. */
bool console_on_terminal(void);

/* Our window size, for the child to set before the command can read it;
 * zero when OUT is no terminal. */
void console_window_size(struct winsize *ret);

/* In the container, with its root as ours: a new pty of the devpts at
 * /dev/pts there (its ptmx, reached without a link or a mount crossed;
 * /dev/ptmx, which a container that ran may have replaced, is not used). Sends the master over SOCK (SPAWN_MSG_CONSOLE),
 * sets the window size WS and the owner UID of the slave, and returns the
 * slave in *ret_slave. */
int console_open_send(int sock, const struct winsize *ws, uid_t uid, int *ret_slave, SpawnError *err);

/* cell run --console= in the container's init, after pivot_root: a pty
 * (console_open_send()), bind-mounted over /dev/console, as
 * systemd-nspawn's console (an init such as systemd writes there), and
 * our stdin, stdout and stderr. The payload takes it as its controlling
 * terminal after its setsid() (child_exec()). */
int console_setup_container(int sock, const struct winsize *ws, uid_t uid, SpawnError *err);

/* SLAVE as our controlling terminal (we are a session leader without one,
 * setsid()) and, when STDIO, as stdin, stdout and stderr. Closes SLAVE. */
int console_attach(int slave, bool stdio, SpawnError *err);

/* The supervisor's side: the master from SOCK; 0 and -EBADF when the child
 * closed SOCK without sending one (it failed: its error is elsewhere). */
int console_recv_master(int sock, int *ret_master);
