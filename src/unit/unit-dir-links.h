/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the loader needs of a search directory's entries, listed once per
 * process while the directory is unchanged (the same device, inode and
 * mtime): the unit files among its symlinks (unit-alias.c's aliases) and
 * the names of its subdirectories that may be drop-in directories
 * (unit-dropin.c). A directory is checked again (stat()) once per
 * unit_dir_cache_expire(), which each unit's lookup begins with: "cell
 * verify" of 1,000 units pays one stat() per directory and unit, not a
 * listing, nor an open() of every NAME.cell.d and cell.d that is not there. */

#include <stdbool.h>

/* The next lookup of each directory checks it again. */
void unit_dir_cache_expire(void);

/* *ret: borrowed, valid until the next call (an empty strv when there are
 * none); -errno when path cannot be listed. */
int unit_dir_links(const char *path, char ***ret);

/* Whether path may have a subdirectory (or a symlink to one) called name:
 * false only when path is known to have none, because it is listed without
 * one or is no directory (ENOENT, ENOTDIR). When path cannot be listed the
 * answer is true: the caller's own open() says what is wrong. */
bool unit_dir_may_have_dir(const char *path, const char *name);
