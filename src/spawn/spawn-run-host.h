/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's /run/host -- its notify socket (child.c), its
 * credentials' mount point (mount-credentials.c) -- where it is a directory
 * of the host's: a Bind= of one at /run (SOURCE/host) or at /run/host
 * (SOURCE). What the start makes there, and its removal, are
 * src/basic/run-host-made.h (a killed run's, taken back through its name's
 * lock, too). Elsewhere /run/host is on the tmpfs cell mounts on /run, gone
 * with the container. */

#include "plan.h"
#include "run-host-made.h"

/* The host path of the container's /run/host: SOURCE/host for the last
 * Bind= of a host directory at /run, SOURCE for one at /run/host, unless a
 * later mount covers it. *ret NULL: it is on a mount cell makes. Pure. */
int run_host_path(const Plan *p, char **ret);
