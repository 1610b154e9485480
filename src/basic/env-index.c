/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env-index.h"
#include "macros.h"
#include "siphash24.h"

void env_index_done(EnvIndex *x) {
        free(x->slots);
        *x = (EnvIndex) {};
}

/* The name of an assignment: up to its first "=" (all of it without one,
 * which then matches no assignment); of a word, all of it. */
static size_t name_length(const EnvIndex *x, const char *a) {
        return x->whole ? strlen(a) : strcspn(a, "=");
}

/* The slot of the assignment named as a's first k bytes: its own, or the
 * free one it would go in. Not a secret: the names are the unit's, and a
 * collision costs a comparison. */
static size_t slot_of(const EnvIndex *x, char * const *env, const char *a, size_t k) {
        static const uint8_t key[16] = {};
        size_t i = siphash24(a, k, key) & (x->n_slots - 1);

        for (; x->slots[i] != 0; i = (i + 1) & (x->n_slots - 1)) {
                const char *e = env[x->slots[i] - 1];

                if (strncmp(e, a, k) == 0 && e[k] == (x->whole ? 0 : '='))
                        return i;
        }
        return i;
}

/* Slots for n names at most half full; the first of two of one name kept. */
static int rehash(EnvIndex *x, char * const *env, size_t n, size_t want) {
        size_t n_slots = 16;
        size_t *slots;

        while (n_slots < 2 * want)
                n_slots *= 2;
        if (n_slots <= x->n_slots && x->slots)
                return 0;
        slots = calloc(n_slots, sizeof(size_t));
        if (!slots)
                return -ENOMEM;
        free(x->slots);
        x->slots = slots;
        x->n_slots = n_slots;
        for (size_t i = 0; i < n; i++) {
                size_t s = slot_of(x, env, env[i], name_length(x, env[i]));

                if (x->slots[s] == 0)
                        x->slots[s] = i + 1;
        }
        return 0;
}

int env_index_reserve(EnvIndex *x, char ***env, size_t more) {
        size_t n = x->n, allocated = x->allocated;
        char **l = *env;
        int r;

        if (!l || l != x->env) {
                bool whole = x->whole;

                /* Another strv (or a first one): indexed from scratch. */
                env_index_done(x);
                x->whole = whole;
                n = 0;
                while (l && l[n])
                        n++;
                allocated = l ? n + 1 : 0;
        }
        if (n + more + 1 > allocated) {
                size_t want = MAX(n + more + 1, 2 * allocated);

                l = reallocarray(l, want, sizeof(char *));
                if (!l)
                        return -ENOMEM;
                l[n] = NULL;
                *env = l;
                allocated = want;
        }
        /* The slots name positions, which a reallocation keeps. */
        x->env = l;
        x->n = n;
        x->allocated = allocated;
        r = rehash(x, l, n, n + more);
        if (r < 0) {
                bool whole = x->whole;

                /* The strv stays as it was (with room to spare); the index is dropped. */
                env_index_done(x);
                x->whole = whole;
                return r;
        }
        return 0;
}

void env_index_set(EnvIndex *x, char *assignment) {
        size_t k = name_length(x, assignment), s = slot_of(x, x->env, assignment, k);

        if (x->slots[s] != 0) {
                free(x->env[x->slots[s] - 1]);
                x->env[x->slots[s] - 1] = assignment;
                return;
        }
        x->env[x->n] = assignment;
        x->env[++x->n] = NULL;
        x->slots[s] = x->n;
}
