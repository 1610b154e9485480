/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An index of the names of an environment (a strv of "NAME=VALUE"), with
 * room reserved in the strv, so that setting many assignments costs a hash
 * each, not a walk through all those before (env_assign()'s, env_set()'s):
 * a unit of thousands of Environment= lines. The strv is changed only
 * through its index while it has one; the index follows the strv it was
 * made for (env_index_reserve() makes it again for another). */

#include <stdbool.h>
#include <stddef.h>

typedef struct EnvIndex {
        char **env;             /* the strv indexed */
        size_t *slots;          /* 1 + an assignment's position in env; 0: free */
        size_t n_slots;         /* a power of two, at most half full */
        size_t n;               /* env's length */
        size_t allocated;       /* env's room, its NULL included */
        bool whole;             /* a list of words (PassEnvironment='s names), each once: the whole
                                 * string is its name; set by the caller before env_index_reserve() */
} EnvIndex;

void env_index_done(EnvIndex *x);
/* Indexes *env (made again where x indexes another strv), with room for
 * more assignments to be set without an allocation: 0 or -ENOMEM (*env
 * then unchanged, as the strv it was). */
int env_index_reserve(EnvIndex *x, char ***env, size_t more);
/* Sets assignment (taken) in x->env: the first one of its name (up to the
 * first "=") replaced in place, else appended. Needs the room reserved.
 * With x->whole, a word equal to one there leaves it in its place. */
void env_index_set(EnvIndex *x, char *assignment);
