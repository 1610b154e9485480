/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The payload's environment: the lists and EnvironmentFile= parsing are
 * src/basic/env-util.h; what is the payload's alone is here. */

#include "env-util.h"
#include "spawn-error.h"

/* The default PATH when neither the plan nor anything else sets one. */
#define SPAWN_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* A command name looked up in a PATH, as execvp() would but without
 * running it: the first entry where name is a regular file we may execute,
 * in *ret (newly allocated). Names with a slash are taken as they are;
 * relative PATH entries are skipped. path NULL means SPAWN_DEFAULT_PATH.
 * Called inside the container, so the files are the payload's. -ENOENT
 * when no entry has it. */
int spawn_find_exec(const char *name, const char *path, char **ret);

/* Exec='s variables, expanded as systemd expands ExecStart='s (systemd.service(5),
 * "Command lines"), from env, the payload's environment: a word that is
 * "$NAME" alone becomes the value's words (split at whitespace, quotes
 * removed; none when NAME is unset or empty), "${NAME}" anywhere in a word
 * becomes the value as it is (empty when unset), "$$" becomes "$", and any
 * other "$" stays. argv[0], the program, is taken as written: systemd does
 * not expand it either. *ret is a new strv. */
int spawn_expand_argv(char * const *argv, char * const *env, char ***ret);
