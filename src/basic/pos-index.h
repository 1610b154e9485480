/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An index of the entries of an array by a hash of their name: the
 * position of the entry of a name costs a hash and a comparison or two,
 * not a walk through all those before it (a unit of thousands of
 * SetCredential= or IOReadBandwidthMax= lines). The array is the caller's;
 * the index holds positions and hashes only, and asks the caller whether
 * the entry at a position is the one looked for. An index whose count is
 * not the array's (entries dropped, the array made anew) is made again. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct PosIndexSlot {
        size_t pos;             /* 1 + the entry's position; 0: free */
        uint64_t hash;
} PosIndexSlot;

typedef struct PosIndex {
        PosIndexSlot *slots;
        size_t n_slots;         /* a power of two, at most half full */
        size_t n;               /* entries indexed */
} PosIndex;

/* Whether the entry at pos is the one of key. */
typedef bool (*PosIndexEqual)(const void *userdata, size_t pos, const void *key);

void pos_index_done(PosIndex *x);
/* The hash of len bytes of s (a name; not a secret: a collision costs a comparison). */
uint64_t pos_index_hash(const void *s, size_t len, uint64_t seed);
/* The position of the entry of key (hash), as equal() says: 1 and *ret_pos, or 0. */
int pos_index_find(const PosIndex *x, uint64_t hash, PosIndexEqual equal, const void *userdata, const void *key,
                   size_t *ret_pos);
/* Adds the entry at pos of hash: 0 or -ENOMEM (the index unchanged). */
int pos_index_add(PosIndex *x, uint64_t hash, size_t pos);
