/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The probe's "restrict" command: what RestrictNamespaces=,
 * RestrictAddressFamilies=, LockPersonality=, RestrictRealtime= and the
 * other seccomp-backed keys of [Isolation] leave the payload, as one JSON
 * object of errnos (0: allowed) on stdout. */
int probe_restrict(void);

/* "int80 [NR [ARG...]]": getpid(), or i386 call NR with the integer ARGs
 * (argv after "int80"), through the i386 entry point; prints {"int80": its
 * return value (PID or -errno)} unless the filter kills it first. 2 where
 * there is no such entry point to try. */
int probe_int80(int argc, char **argv);

/* "cgroupns CONTROLLER FILE VALUE": what a user namespace of the payload's
 * own makes of cgroupfs: unshare() of a user, mount and cgroup namespace,
 * itself mapped to the UID and GID it had, then a mount of CONTROLLER's v1
 * hierarchy (rooted at the payload's cgroup there) and a write of VALUE to
 * FILE in it. Prints {"unshare": E, "mount": E, "write": E}, errnos (0:
 * done, -1: not tried). */
int probe_cgroupns(const char *controller, const char *file, const char *value);
