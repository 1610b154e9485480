/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The payload's environment: the lists and EnvironmentFile= parsing are
 * src/basic/env-util.h; what is the payload's alone is here. */

#include "env-util.h"
#include "plan.h"
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
 * not expand it either. *ret is a new strv; with ret_source, *ret_source
 * (new) holds for each of its words the index of the argv word it came from. */
int spawn_expand_argv(char * const *argv, char * const *env, char ***ret, size_t **ret_source);

/* What execve(2) takes of the file name, the arguments and the environment
 * together, their pointers included, under a stack limit of stack bytes
 * (RLIM_INFINITY too): a quarter of it, at most 3/4 of the kernel's default
 * 8 MiB stack, at least 32 pages (fs/exec.c). */
size_t spawn_exec_strings_max(unsigned long long stack);
/* The same for the payload of p: its LimitSTACK=, else ours, which it inherits. */
size_t spawn_plan_exec_strings_max(const Plan *p);

/* argv, expanded from written (source as spawn_expand_argv() gives it; NULL:
 * argv is as written), against what execve(2) of path with env takes: an
 * argument of MAX_ARG_STRLEN or more, or all together past max
 * (spawn_exec_strings_max()), is -E2BIG with why saying which argument, the
 * variables expanded into it, its size and the limit. */
int spawn_check_argv(char * const *written, char * const *argv, const size_t *source, char * const *env,
                     const char *path, size_t max, char *why, size_t size);
