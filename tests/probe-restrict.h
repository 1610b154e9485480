/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The probe's "restrict" command: what RestrictNamespaces=,
 * RestrictAddressFamilies=, LockPersonality=, RestrictRealtime= and the
 * other seccomp-backed keys of [Isolation] leave the payload, as one JSON
 * object of errnos (0: allowed) on stdout. */
int probe_restrict(void);

/* "int80": getpid() through the i386 entry point; prints {"int80": PID or
 * -errno} unless the filter kills it first. 2 where there is no such entry
 * point to try. */
int probe_int80(void);
