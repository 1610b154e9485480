/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The payload's environment: EnvironmentFile= parsing (done by the
 * supervisor on the host, before clone) and the KEY=VALUE list merging the
 * child does once it knows the user from the container's /etc/passwd. */

#include <stdio.h>

#include "spawn-error.h"

/* The default PATH when neither the plan nor anything else sets one. */
#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Sets "KEY=VALUE" in *env, replacing an earlier assignment of KEY.
 * Returns 0, -EINVAL for an assignment without '=' or with an empty key,
 * -ENOMEM. */
int env_assign(char ***env, const char *assignment);
int env_assignf(char ***env, const char *key, const char *value);
/* env_assign() of each entry of other, in order. */
int env_assign_strv(char ***env, char * const *other);
/* The value of KEY in env, or NULL. */
const char *env_get(char * const *env, const char *key);

/* Parses an environment file the way systemd reads EnvironmentFile=: one
 * KEY=VALUE per line, '#' and ';' comments, blank lines ignored, an
 * optional "export " prefix, values in single or double quotes (with
 * backslash escapes in double quotes), a trailing backslash continues the
 * line. Appends to *env (later keys override). On a malformed line returns
 * -EINVAL with *ret_line set to its number. */
int env_file_parse(FILE *f, char ***env, unsigned *ret_line);
