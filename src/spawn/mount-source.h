/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The sources of the plan's mounts (Bind=, the /dev nodes, Overlay='s
 * layers): opened for the mount, and checked before the first mount point
 * is made, so that a start that must fail for a missing source leaves the
 * image and the host's directories as they were. Used by mount-setup.c
 * (the checks) and mount-one.c (the opens). */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "plan.h"
#include "shared-lock.h"
#include "spawn-error.h"

/* "web.cell:3: " for a mount of the unit's (where it was written, as
 * "cell verify" names it), "" for a built-in one; returns its length. */
size_t mount_origin(const PlanMount *m, char *buf, size_t n);

/* "web.cell:3: Bind=/srv:/var/www", "proc on /proc": how a failure names the
 * mount, with its origin. Room for a file name and a path or two: */
#define MOUNT_DESCRIBE_MAX (2 * PATH_MAX + 64)
const char *mount_describe(const PlanMount *m, char *buf, size_t n);
/* After a failure making path, which cell makes in the container after the
 * unit's mounts (the credentials' directory, the notify socket): the
 * unit's mount that holds it (a file bound at /run/host, a read-only
 * /run) put in front of err's message, which then names its line. */
void mount_error_name_holder(const Plan *p, const char *path, SpawnError *err);

/* An O_PATH fd of a bind's or device's source: a host path, or one inside
 * the root ("+" prefix, root_fd), resolved with RESOLVE_IN_ROOT so that a
 * symlink in the image cannot lead to the host. Returns -ENOENT without
 * recording an error when may_be_missing and the source is missing. A host
 * directory must be the place the start locked (places, shared-lock.h;
 * NULL: not asked). */
int mount_source_open(int root_fd, const PlanMount *m, bool may_be_missing, const SharedLocks *places,
                      const char *what, SpawnError *err);

/* A device entry's source must be a device node: it must not become a
 * general bind. *ret_st (NULL: not wanted): what it is. */
int mount_source_check_device(int fd, const PlanMount *m, const char *what, SpawnError *err, struct stat *ret_st);

/* Before anything is made: every host source of p's mounts is there (or
 * skipped with "-"), of a kind its mount takes, and a directory the place
 * locked (places), with the error the mount itself would report. An
 * idmapped Bind='s source is the supervisor's to open (spawn-users.c),
 * before the child builds anything. */
int mount_sources_check_host(const Plan *p, const SharedLocks *places, SpawnError *err);

/* The same, once the root is attached, for the sources inside it ("+"),
 * where the answer is final: a path that no mount of the plan goes on,
 * above or below, reached through no link in the image. Any other is
 * judged when its mount is made (another mount may bring it). */
int mount_sources_check_in_root(const Plan *p, int root_fd, SpawnError *err);
