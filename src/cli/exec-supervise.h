/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell exec's side while the command runs: signals passed on, our terminal
 * forwarded to its pty (-t), its exit status. */

#include <signal.h>
#include <sys/types.h>

#include "pty-forward.h"

/* Blocks the signals exec_supervise() reads from a signalfd (not one of the
 * terminal's that our caller ignores); *ret: their set. */
int exec_signals(sigset_t *ret);

/* Until PID (PIDFD) exits: the signals from SIGFD passed on to it, and with
 * F, our terminal and its pty forwarded (SIGTSTP: we stop with our terminal
 * as it was; SIGCONT: raw again; with PTY_FORWARD_ESCAPE, ^] three times
 * kills the command). Returns its exit status (128+N for signal N) or -errno. */
int exec_supervise(pid_t pid, int pidfd, int sigfd, PtyForward *f);
