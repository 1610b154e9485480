/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Init=yes: cell's own small reaper as the container's PID 1. It reaps
 * every orphan, forwards every signal it gets to the payload (PID 2), and
 * exits with the payload's status (128+N when it died of signal N) as soon
 * as the payload is gone -- which, PID 1 exiting, kills whatever is left. */

#include <sys/types.h>

#include "macros.h"

/* In the container's PID 1 after fork()ing the payload; never returns.
 * Drops every capability but CAP_KILL (to signal a payload of another
 * uid) and sets no_new_privs; stays non-dumpable, so the payload cannot
 * reach cell's binary through /proc/1/exe; loads init_reaper_seal()'s
 * filter, so a payload that can ptrace it cannot call through it what its
 * own filter denies. */
_noreturn_ void init_reaper(pid_t payload);

/* Loads the reaper's own system call filter (no_new_privs is set): the
 * loop's calls (read, kill, wait4, waitid, exit) pass, any other fails with
 * EPERM. Returns 0 or a negative errno. */
int init_reaper_seal(void);

/* The reaper's loop alone, for tests: handles signals from sigfd (a
 * signalfd for every signal, all of them blocked) until payload exits.
 * Returns the exit status to use. */
int init_reaper_loop(pid_t payload, int sigfd);
