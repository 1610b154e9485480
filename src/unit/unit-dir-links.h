/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unit files among a directory's symlinks (and entries whose type the
 * directory does not tell), as unit-alias.c looks for aliases: "web.cell",
 * ... Listed once per process while the directory is unchanged (the same
 * device, inode and mtime). */

/* *ret: borrowed, valid until the next call (an empty strv when there are
 * none); -errno when path cannot be listed. */
int unit_dir_links(const char *path, char ***ret);
