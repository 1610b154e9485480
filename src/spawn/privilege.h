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

/* The bounding set: what any later exec can ever gain, limited to the
 * plan's and to what cell holds (an error when the unit asked by name for a
 * capability cell lacks). It takes nothing from the caller's own sets, so the
 * payload's child does it before PREPARED, off the path after GO.
 * *ret_held: cell's bounding set before, for privilege_exec(). */
int privilege_bound(const Plan *p, uint64_t *ret_held, SpawnError *err);

/* WorkingDirectory= (the user's home for "~": id's), entered as we are now,
 * resolved inside our root; with "-" a failure leaves us in "/". Part of
 * privilege_exec(), for tests too. */
int privilege_chdir(const Plan *p, const Identity *id, SpawnError *err);

/* A new anonymous session keyring for what we exec: the caller's (a login's,
 * with what its user put there) is not the container's to reach, nor the
 * kernel's to search on its behalf (systemd's KeyringMode=private, nspawn's
 * inner child). 0 also where the kernel has no keyrings or refuses the
 * call (a seccomp filter of cell's own caller): nothing is joined then,
 * nothing was inherited that the payload could use. Part of
 * privilege_exec(). */
int privilege_session_keyring(SpawnError *err);

/* The audit login UID and session of the caller's login unset, as nspawn's
 * outer child does: what the container does is not the logged-in user's.
 * Root of the host's user namespace may (CAP_AUDIT_CONTROL); without it, or
 * with the kernel's loginuid_immutable, the kernel refuses. Returns 0 when
 * it is unset (or there is no audit), 1 when it stayed set, or -errno. */
int privilege_reset_loginuid(SpawnError *err);

/* From the container's root (its "/" is the root, the cwd anywhere) to
 * execve: what Limit*= raise, the bounding set (unless bounded:
 * privilege_bound() was called and returned that), the ids (keeping the
 * capabilities across the change), umask, WorkingDirectory= resolved inside
 * the root, the capability sets, no_new_privs, every fd above 2
 * close-on-exec, an empty signal mask, Limit*= exactly, the seccomp program, execve.
 * Returns only on failure; what names the command in that message
 * ("Exec=" for the payload, "" for a command of cell exec). */
int privilege_exec(const Plan *p, const uint64_t *bounded, const Identity *id, const SeccompProgram *prog,
                   const char *what, const char *path, char * const argv[], char * const envp[],
                   SpawnError *err);
