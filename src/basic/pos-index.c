/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "pos-index.h"
#include "siphash24.h"

void pos_index_done(PosIndex *x) {
        free(x->slots);
        *x = (PosIndex) {};
}

uint64_t pos_index_hash(const void *s, size_t len, uint64_t seed) {
        uint8_t key[16] = {};

        for (size_t i = 0; i < 8; i++)
                key[i] = (uint8_t) (seed >> (8 * i));
        return siphash24(s, len, key);
}

int pos_index_find(const PosIndex *x, uint64_t hash, PosIndexEqual equal, const void *userdata, const void *key,
                   size_t *ret_pos) {
        if (x->n_slots == 0)
                return 0;
        for (size_t i = hash & (x->n_slots - 1); x->slots[i].pos != 0; i = (i + 1) & (x->n_slots - 1))
                if (x->slots[i].hash == hash && equal(userdata, x->slots[i].pos - 1, key)) {
                        *ret_pos = x->slots[i].pos - 1;
                        return 1;
                }
        return 0;
}

static void slot_put(PosIndexSlot *slots, size_t n_slots, PosIndexSlot s) {
        size_t i = s.hash & (n_slots - 1);

        while (slots[i].pos != 0)
                i = (i + 1) & (n_slots - 1);
        slots[i] = s;
}

int pos_index_add(PosIndex *x, uint64_t hash, size_t pos) {
        if (2 * (x->n + 1) > x->n_slots) {
                size_t n_slots = x->n_slots > 0 ? 2 * x->n_slots : 16;
                PosIndexSlot *slots = calloc(n_slots, sizeof(PosIndexSlot));

                if (!slots)
                        return -ENOMEM;
                for (size_t i = 0; i < x->n_slots; i++)
                        if (x->slots[i].pos != 0)
                                slot_put(slots, n_slots, x->slots[i]);
                free(x->slots);
                x->slots = slots;
                x->n_slots = n_slots;
        }
        slot_put(x->slots, x->n_slots, (PosIndexSlot) { .pos = pos + 1, .hash = hash });
        x->n++;
        return 0;
}
