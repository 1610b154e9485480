/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's /run/host -- its notify socket (child.c), its
 * credentials' mount point (mount-credentials.c) -- where it is a directory
 * of the host's: a Bind= of one at /run (SOURCE/host) or at /run/host
 * (SOURCE). The start makes there what is missing, on the host; what it
 * made goes again once the container is gone (spawn_done(), or "cell
 * __finish" after cell-monitor), so that the host directory holds what it
 * held before: only what was not there before the start, the socket only
 * while a socket, each directory only while empty. Elsewhere /run/host is
 * on the tmpfs cell mounts on /run, gone with the container. */

#include "plan.h"

typedef enum RunHostMade {
        RUN_HOST_DIR            = 1u << 0,      /* the directory itself */
        RUN_HOST_NOTIFY         = 1u << 1,      /* "notify", the socket */
        RUN_HOST_CREDENTIALS    = 1u << 2,      /* "credentials", a mount point (empty on the host) */
        _RUN_HOST_ALL           = (1u << 3) - 1,
} RunHostMade;

/* The host path of the container's /run/host: SOURCE/host for the last
 * Bind= of a host directory at /run, SOURCE for one at /run/host, unless a
 * later mount covers it. *ret NULL: it is on a mount cell makes. Pure. */
int run_host_path(const Plan *p, char **ret);

/* Before the start: what of path is not there yet (RunHostMade bits); 0
 * where nothing would be made (path's parent is no directory). */
unsigned run_host_absent(const char *path);

/* Once nothing of the container runs: removes what absent names, as it
 * says above. Best effort, logs at debug level only. */
void run_host_remove(const char *path, unsigned absent);

/* "MASK:PATH", for "cell __finish" (monitor-handover.h), and back. */
int run_host_format(const char *path, unsigned absent, char **ret);
int run_host_parse(const char *s, char **ret_path, unsigned *ret_absent);
