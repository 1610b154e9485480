/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "siphash24.h"
#include "test.h"

/* The paper's test vectors: key 00..0f, messages 00.. of each length. */
TEST(siphash24_vectors) {
        uint8_t key[16], in[64];

        for (int i = 0; i < 16; i++)
                key[i] = (uint8_t) i;
        for (int i = 0; i < 64; i++)
                in[i] = (uint8_t) i;
        ASSERT_TRUE(siphash24(in, 0, key) == UINT64_C(0x726fdb47dd0e0e31));
        ASSERT_TRUE(siphash24(in, 15, key) == UINT64_C(0xa129ca6149be45e5));
        ASSERT_TRUE(siphash24(in, 8, key) == UINT64_C(0x93f5f5799a932462));
        ASSERT_TRUE(siphash24(in, 63, key) == UINT64_C(0x958a324ceb064572));
}
