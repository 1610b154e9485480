/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* KEY=VALUE lists: the payload's environment (merged by the child once it
 * knows the user from the container's /etc/passwd), and files in systemd's
 * EnvironmentFile= syntax, which os-release(5) and machine-info(5) share
 * (the EnvironmentFile= values, read by the supervisor before the clone;
 * the %o, %w, %q ... specifiers). */

#include <stdio.h>

#include "macros.h"

/* Sets "KEY=VALUE" in *env, replacing an earlier assignment of KEY.
 * Returns 0, -EINVAL for an assignment without '=' or with an empty key,
 * -ENOMEM. */
int env_assign(char ***env, const char *assignment);
int env_assignf(char ***env, const char *key, const char *value);
/* env_assign() of each entry of other, in order. */
int env_assign_strv(char ***env, char * const *other);
/* The value of KEY in env, or NULL. */
const char *env_get(char * const *env, const char *key);

/* The longest logical line of an environment file: systemd's LONG_LINE_MAX. */
#define ENV_FILE_LINE_MAX (1024U * 1024U)
/* The most an environment file may hold: systemd's READ_FULL_BYTES_MAX, the
 * limit of its read_full_file(), with which it reads EnvironmentFile=. */
#define ENV_FILE_SIZE_MAX (64U * 1024U * 1024U)

/* Opens an environment file for env_file_parse(), never blocking: -EISDIR
 * for a directory, -EBADFD for anything else that is not a regular file
 * (a FIFO, a device, a socket), -EFBIG past ENV_FILE_SIZE_MAX, else
 * open(2)'s -errno (-ENOENT: missing). */
int env_file_open(const char *path, FILE **ret);

/* Parses an environment file the way systemd reads EnvironmentFile=: one
 * KEY=VALUE per line, '#' and ';' comments, blank lines ignored, an
 * optional "export " prefix, values in single or double quotes (with
 * backslash escapes in double quotes), a trailing backslash continues the
 * line. Appends to *env (later keys override). On a malformed line returns
 * -EINVAL, on a logical line longer than ENV_FILE_LINE_MAX -ENOBUFS, both
 * with *ret_line set to its (first) number; -EFBIG once more than
 * ENV_FILE_SIZE_MAX bytes were read; a read error as its -errno. */
int env_file_parse(FILE *f, char ***env, unsigned *ret_line);
