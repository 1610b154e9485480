/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pos-index.c: the position of a name through the index is the one a walk
 * of the array finds, across the growth of the slots, with hashes that
 * collide. */
#include <stdio.h>
#include <string.h>

#include "pos-index.h"
#include "test.h"

#define MANY 5000

static bool name_equal(const void *userdata, size_t pos, const void *key) {
        char (*names)[16] = (char (*)[16]) userdata;

        return strcmp(names[pos], key) == 0;
}

TEST(find_as_a_walk) {
        _cleanup_(pos_index_done) PosIndex x = {};
        static char names[MANY][16];
        size_t pos;

        ASSERT_EQ(pos_index_find(&x, 1, name_equal, names, "n0", &pos), 0);
        for (size_t i = 0; i < MANY; i++) {
                snprintf(names[i], sizeof names[i], "n%zu", i);
                ASSERT_EQ(pos_index_find(&x, pos_index_hash(names[i], strlen(names[i]), 0), name_equal, names,
                                         names[i], &pos), 0);
                ASSERT_OK(pos_index_add(&x, pos_index_hash(names[i], strlen(names[i]), 0), i));
        }
        ASSERT_EQ(x.n, (size_t) MANY);
        for (size_t i = 0; i < MANY; i++) {
                ASSERT_EQ(pos_index_find(&x, pos_index_hash(names[i], strlen(names[i]), 0), name_equal, names,
                                         names[i], &pos), 1);
                ASSERT_EQ(pos, i);
        }
        ASSERT_EQ(pos_index_find(&x, pos_index_hash("n", 1, 0), name_equal, names, "n", &pos), 0);
}

/* All of one hash: told apart by equal() alone. */
TEST(collisions) {
        _cleanup_(pos_index_done) PosIndex x = {};
        static char names[100][16];
        size_t pos;

        for (size_t i = 0; i < 100; i++) {
                snprintf(names[i], sizeof names[i], "c%zu", i);
                ASSERT_OK(pos_index_add(&x, 42, i));
        }
        for (size_t i = 0; i < 100; i++) {
                ASSERT_EQ(pos_index_find(&x, 42, name_equal, names, names[i], &pos), 1);
                ASSERT_EQ(pos, i);
        }
        ASSERT_EQ(pos_index_find(&x, 42, name_equal, names, "c100", &pos), 0);
        /* The seed makes another hash of the same name. */
        ASSERT_TRUE(pos_index_hash("c1", 2, 0) != pos_index_hash("c1", 2, 1));
}
