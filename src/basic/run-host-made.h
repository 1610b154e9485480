/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a start makes of the container's /run/host where that is a
 * directory of the host's (src/spawn/spawn-run-host.h): the directory, the
 * notify socket, the credentials' mount point, on the host. What it made
 * goes again once the container is gone (spawn_done(), or "cell __finish"
 * after cell-monitor), so that the host directory holds what it held
 * before: only what was not there before the start, the socket only while a
 * socket, each directory only while empty. A SIGKILLed run removes nothing:
 * it notes "run-host MASK:PATH" in its name's lock file (name-lock.h) before
 * it makes any of it, and whoever takes that lock back after it (the name's
 * next start, "cell stop NAME": cgroup-leftover.h) removes it then
 * (run_host_take_back()). Here, not in src/spawn, so that src/scope may. */

#include <stdbool.h>

typedef enum RunHostMade {
        RUN_HOST_DIR            = 1u << 0,      /* the directory itself */
        RUN_HOST_NOTIFY         = 1u << 1,      /* "notify", the socket */
        RUN_HOST_CREDENTIALS    = 1u << 2,      /* "credentials", a mount point (empty on the host) */
        _RUN_HOST_ALL           = (1u << 3) - 1,
} RunHostMade;

/* The note's key in the name's lock file; its value run_host_format()'s. */
#define RUN_HOST_NOTE "run-host"

/* Before the start: what of path is not there yet (RunHostMade bits); 0
 * where nothing would be made (path's parent is no directory). */
unsigned run_host_absent(const char *path);

/* Once nothing of the container runs: removes what absent names, as it
 * says above. Best effort, logs at debug level only. */
void run_host_remove(const char *path, unsigned absent);

/* "MASK:PATH", for "cell __finish" (monitor-handover.h) and the note, and back. */
int run_host_format(const char *path, unsigned absent, char **ret);
int run_host_parse(const char *s, char **ret_path, unsigned *ret_absent);

/* A killed run's note (its value, "MASK:PATH"): run_host_remove() of it,
 * unless the notify socket there is live: then another container has taken
 * that /run/host over since (notify-socket.c replaces only a stale socket),
 * and nothing there is the killed run's to remove any more. 1: removed what
 * was left of it; 0: another's now, left; -EINVAL: no such note. */
int run_host_take_back(const char *note);
