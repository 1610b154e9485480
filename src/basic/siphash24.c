/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "siphash24.h"

#define ROTL(x, b) (uint64_t) (((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t le64(const uint8_t *p) {
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = (v << 8) | p[i];
        return v;
}

static void sipround(uint64_t v[static 4]) {
        v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
        v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
        v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
        v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

static void compress(uint64_t v[static 4], uint64_t m) {
        v[3] ^= m;
        sipround(v);
        sipround(v);
        v[0] ^= m;
}

uint64_t siphash24(const void *in, size_t len, const uint8_t key[static 16]) {
        const uint8_t *p = in;
        uint64_t k0 = le64(key), k1 = le64(key + 8);
        uint64_t v[4] = {
                k0 ^ UINT64_C(0x736f6d6570736575), k1 ^ UINT64_C(0x646f72616e646f6d),
                k0 ^ UINT64_C(0x6c7967656e657261), k1 ^ UINT64_C(0x7465646279746573),
        };
        uint8_t last[8] = {};
        size_t n = len & ~(size_t) 7;

        for (size_t i = 0; i < n; i += 8)
                compress(v, le64(p + i));
        /* The rest, zero-padded, with the length's low byte on top. */
        memcpy(last, p + n, len - n);
        last[7] = (uint8_t) len;
        compress(v, le64(last));
        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++)
                sipround(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
}
