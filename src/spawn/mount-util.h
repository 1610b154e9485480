/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small wrappers around the new mount API and openat2, for mount-setup.c and
 * friends. Every function returns 0 / an fd on success and -errno on failure;
 * none of them logs. Paths "inside the root" are always resolved from an
 * O_PATH fd of the root with RESOLVE_IN_ROOT, never by joining strings. */

#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "plan.h"

/* Resolution flags every lookup inside the container root uses: ".." and
 * absolute symlinks stay inside the root, and /proc/<pid>/root-style magic
 * links (which could point anywhere) are refused. */
#define MOUNT_RESOLVE_FLAGS (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* Walks the components of an absolute path: *p points at the next one on
 * return, with its length in *ret_len; false at the end. */
bool mount_path_next(const char **p, const char **ret_word, size_t *ret_len);

/* openat2(2): glibc 2.36 has no wrapper. O_CLOEXEC is always added. */
int mount_openat2(int dirfd, const char *path, int flags, uint64_t resolve);

/* An absolute path without "." or ".." components (plan targets must be
 * clean: ".." would be contained by RESOLVE_IN_ROOT anyway, but a target
 * written with it is refused rather than silently reinterpreted). */
bool mount_path_is_safe(const char *path);


/* "/etc/resolv.conf" -> "/etc" (in buf, n bytes) and "resolv.conf" (in
 * path). -EINVAL where the parent is the root, the path ends in "/" or the
 * parent does not fit. */
int mount_path_split(const char *path, char *buf, size_t n, const char **ret_name);

/* An O_PATH fd of path inside the root (MOUNT_RESOLVE_FLAGS | extra). */
int mount_resolve(int root_fd, const char *path, uint64_t extra_resolve);

/* MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC -> MOUNT_ATTR_* */
uint64_t mount_attr_from_flags(unsigned long flags);

/* mount_setattr(2) on the mount fd refers to (AT_EMPTY_PATH). */
int mount_set_attr(int mount_fd, bool recursive, uint64_t attr_set, uint64_t attr_clr);

/* move_mount(2) of the (detached or attached) mount from_fd onto the object
 * to_fd refers to: the mount lands exactly on what the fd resolved, so a path
 * swapped after resolution cannot redirect it. */
int mount_move(int from_fd, int to_fd);

/* open_tree(OPEN_TREE_CLONE) of what fd refers to: a detached bind mount,
 * recursive if asked. */
int mount_clone_tree(int fd, bool recursive);

/* fsopen/fsconfig/fsmount: a detached fresh filesystem. data is a comma
 * separated option list ("mode=0755,size=64k", "newinstance"); flags give
 * the mount attributes. On failure the kernel's own message, if any, is
 * copied to errbuf (else errbuf is ""). */
int mount_fs_new(const char *fstype, const char *source, const char *data,
                 unsigned long flags, char *errbuf, size_t errlen);

/* tmpfs options (data, may be NULL) with uid= and gid= set to owner, in
 * *ret (free it); *ret = NULL when owner is (uid_t) -1: data as it is.
 * For a tmpfs made with the host's privileges for a user namespace's root. */
int mount_tmpfs_data_owned(const char *data, uid_t owner, char **ret);

/* The mount id of what fd refers to (statx STATX_MNT_ID). */
int mount_id_of(int fd, uint64_t *ret);
/* Whether fd, an entry of the directory parent_fd, is a mount point: on
 * another mount than its directory. 1 yes, 0 no, or -errno. */
int mount_is_mount_point_at(int parent_fd, int fd);
/* The mount id of the parent of mount id (mount_id_of()), from
 * /proc/self/mountinfo; a namespace's root is its own parent. -ENOENT:
 * no such mount here. */
int mount_parent_id(uint64_t id, uint64_t *ret);

/* Whether this mount namespace's /sys/fs/cgroup is cgroup2 alone (a pure
 * cgroup2 host), not a tmpfs with v1 hierarchies and "unified". */
bool cgroup_host_unified(void);

/* Whether a cgroup path of /proc/PID/cgroup (as seen before the container's
 * cgroup namespace) is the container's own: systemd names it after the scope
 * unit, the cgroupfs manager after the unit without ".scope"; any other is
 * cell's, or a cgroup above the scope where systemd has no controller of it. */
bool cgroup_path_is_container(const char *path, const char *scope_unit);
