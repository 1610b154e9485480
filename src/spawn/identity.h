/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* User=, Group=, SupplementaryGroups=: resolved from the CONTAINER's
 * /etc/passwd and /etc/group (parsed here, never through the host's NSS,
 * whose modules would run host code against container data), then applied
 * with setgroups, setresgid, setresuid in that order. */

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "spawn-error.h"

typedef struct Identity {
        uid_t uid;
        gid_t gid;
        gid_t *groups;          /* supplementary, without duplicates */
        size_t n_groups;
        char *user_name;        /* from passwd, or the number as written */
        char *home;             /* NULL when unknown, empty or "/" ($HOME unset) */
        char *shell;            /* NULL when unknown or a nologin shell ($SHELL unset) */
} Identity;

/* user NULL = root. group NULL = the user's primary group. Numeric ids are
 * taken as they are when no entry has them. For a user given whose group
 * is not 0, that group and the user's memberships in the group file come
 * first in the supplementary groups (initgroups(3), as systemd does), then
 * supplementary.
 * passwd/group may be NULL (no such file). Errors: -ESRCH with err naming
 * the key, -ENOMEM. */
int identity_resolve(FILE *passwd, FILE *group, const char *user, const char *group_name,
                     char * const *supplementary, Identity *ret, SpawnError *err);
/* The same, each id also checked against the user namespace's maps
 * (/proc/self/uid_map and gid_map's text; NULL: not checked): one not
 * mapped is -EINVAL with err naming the key and the id, instead of the
 * kernel's bare EINVAL when it is applied. */
int identity_resolve_mapped(FILE *passwd, FILE *group, FILE *uid_map, FILE *gid_map, const char *user,
                            const char *group_name, char * const *supplementary, Identity *ret, SpawnError *err);
/* The same, reading the files at their paths ("/etc/passwd" inside the
 * container once the root is in place); userns (PrivateUsers=): and the
 * maps of the user namespace we are in from /proc/self (not checked where
 * that is not readable). */
int identity_resolve_files(const char *passwd_path, const char *group_path,
                           const char *user, const char *group_name,
                           char * const *supplementary, bool userns, Identity *ret, SpawnError *err);
void identity_done(Identity *id);

/* setgroups, setresgid, setresuid. The caller arranged for capabilities to
 * survive (caps_keep_across_uid_change()). */
int identity_apply(const Identity *id, SpawnError *err);
