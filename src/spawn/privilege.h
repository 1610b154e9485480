/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The last steps of every process cell starts inside a container: the
 * payload (child.c) and the command of "cell exec" (cli/exec.c). One
 * sequence for both, so a command joining a running container never ends
 * up with more privilege than the payload has. */

#include "identity.h"
#include "plan.h"
#include "seccomp-cache.h"
#include "seccomp-filter.h"
#include "spawn-error.h"

/* The plan's seccomp filter compiled to BPF, to be loaded last by
 * privilege_exec(). An empty program when the plan has no filter. cached:
 * through the host's cache (seccomp-cache.h); never from inside a
 * container's root, whose /var is the image's. Returns a SeccompCacheResult
 * or -errno. */
int privilege_seccomp_compile(const Plan *p, bool cached, SeccompProgram *ret, SpawnError *err);

/* From the container's root (its "/" is the root, the cwd anywhere) to
 * execve: rlimits and OOMScoreAdjust=, the bounding set, the ids (keeping the
 * capabilities across the change), umask, WorkingDirectory= resolved inside
 * the root, the capability sets, no_new_privs, every fd above 2
 * close-on-exec, an empty signal mask, the seccomp program, execve.
 * Returns only on failure; what names the command in that message
 * ("Exec=" for the payload, "" for a command of cell exec). */
int privilege_exec(const Plan *p, const Identity *id, const SeccompProgram *prog, const char *what,
                   const char *path, char * const argv[], char * const envp[], SpawnError *err);
