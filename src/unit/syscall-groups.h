/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The "@group" sets of system calls SystemCallFilter= takes, with the
 * names and contents of systemd's (systemd.exec(5), "System Call Filter").
 * Members are syscall names (some exist only on other architectures or in
 * older kernels; resolving them is the plan's job: skip what the running
 * architecture lacks) or nested "@group"s. */

typedef struct SyscallGroup {
        const char *name;               /* "@clock" */
        const char *description;        /* one line, for docs and --help */
        const char * const *members;    /* NULL-terminated */
} SyscallGroup;

/* The members of the group, NULL-terminated, or NULL if there is no such
 * group. name includes the '@'. */
const char * const *syscall_group_members(const char *name);

/* Every group, in alphabetical order, terminated by an entry with a NULL name. */
const SyscallGroup *syscall_group_list(void);
