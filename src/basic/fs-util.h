/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

/* A DIR of dirfd/path ("." for dirfd's own directory) with an fd of its own
 * (O_CLOEXEC): the caller keeps dirfd. NULL with errno set. */
DIR *opendir_at(int dirfd, const char *path);

/* FNV-1a, 64 bits: for naming a file after what it holds (a cache), never
 * for trusting what a file of that name holds. */
uint64_t hash_fnv1a64(const void *p, size_t n) _pure_;
