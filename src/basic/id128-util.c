/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "id128-util.h"
#include "parse-util.h"

int id128_from_string(const char *s, uint8_t ret[static 16]) {
        uint8_t id[16];
        size_t n, i = 0;
        bool uuid;

        if (!s)
                return -EINVAL;
        n = strlen(s);
        if (n != 32 && n != 36)
                return -EINVAL;
        uuid = n == 36;
        for (size_t b = 0; b < 16; b++) {
                int hi, lo;

                /* The UUID form's dashes stand before bytes 4, 6, 8 and 10, nowhere else. */
                if (uuid && (b == 4 || b == 6 || b == 8 || b == 10) && s[i++] != '-')
                        return -EINVAL;
                hi = unhexchar(s[i++]);
                lo = unhexchar(s[i++]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                id[b] = (uint8_t) (hi << 4 | lo);
        }
        memcpy(ret, id, sizeof id);
        return 0;
}

char *id128_to_string(const uint8_t id[static 16], char ret[static ID128_STRING_MAX]) {
        static const char digits[] = "0123456789abcdef";

        for (size_t b = 0; b < 16; b++) {
                ret[2 * b] = digits[id[b] >> 4];
                ret[2 * b + 1] = digits[id[b] & 15];
        }
        ret[32] = 0;
        return ret;
}

char *id128_to_uuid_string(const uint8_t id[static 16], char ret[static ID128_UUID_STRING_MAX]) {
        char plain[ID128_STRING_MAX];
        size_t o = 0;

        id128_to_string(id, plain);
        for (size_t i = 0; i < 32; i++) {
                if (i == 8 || i == 12 || i == 16 || i == 20)
                        ret[o++] = '-';
                ret[o++] = plain[i];
        }
        ret[o] = 0;
        return ret;
}

bool id128_is_null(const uint8_t id[static 16]) {
        for (size_t b = 0; b < 16; b++)
                if (id[b] != 0)
                        return false;
        return true;
}

int id128_randomize(uint8_t ret[static 16]) {
        uint8_t id[16];
        size_t got = 0;

        while (got < sizeof id) {
                ssize_t k = getrandom(id + got, sizeof id - got, 0);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                got += (size_t) k;
        }
        /* Version 4 (random), variant 1 (RFC 4122): as systemd's random IDs. */
        id[6] = (id[6] & 0x0F) | 0x40;
        id[8] = (id[8] & 0x3F) | 0x80;
        memcpy(ret, id, sizeof id);
        return 0;
}
