/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the Image= tests write crafted GPT images with: little-endian
 * fields, the GPT's mixed-endian UUIDs, its CRC32 (zlib's), kept apart
 * from the code they test (src/spawn/root-image-gpt.c has its own). */

#include <stdint.h>
#include <stdio.h>

#include "test.h"

static inline void gpt_put_le(uint8_t *p, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

/* A UUID's text in the GPT's mixed-endian bytes. */
static inline void gpt_put_guid(uint8_t *p, const char *s) {
        unsigned b[16];

        ASSERT_EQ(sscanf(s, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x", b + 3, b + 2, b + 1, b, b + 5,
                         b + 4, b + 7, b + 6, b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15), 16);
        for (size_t i = 0; i < 16; i++)
                p[i] = (uint8_t) b[i];
}

/* The CRC32 of n more bytes, from UINT32_MAX; the result inverted is the
 * GPT's (gpt_crc32()). */
static inline uint32_t gpt_crc32_more(uint32_t c, const uint8_t *p, size_t n) {
        while (n-- > 0) {
                c ^= *p++;
                for (int k = 0; k < 8; k++)
                        c = (c >> 1) ^ (UINT32_C(0xedb88320) & (uint32_t) -(int32_t) (c & 1));
        }
        return c;
}

static inline uint32_t gpt_crc32(const uint8_t *p, size_t n) {
        return ~gpt_crc32_more(UINT32_MAX, p, n);
}
