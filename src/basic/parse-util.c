/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>

#include "macros.h"
#include "parse-util.h"

int scan_digits(const char *p, uint64_t *ret, const char **endp) {
        uint64_t v = 0;
        const char *q = p;

        if (!isdigit((unsigned char) *q))
                return -EINVAL;
        for (; isdigit((unsigned char) *q); q++) {
                unsigned d = (unsigned) (*q - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        *endp = q;
        return 0;
}

int parse_uint64(const char *s, uint64_t *ret) {
        const char *e;
        uint64_t v;
        int r;

        if (!s)
                return -EINVAL;
        r = scan_digits(s, &v, &e);
        if (r < 0)
                return r;
        if (*e)
                return -EINVAL;
        *ret = v;
        return 0;
}

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

const char *path_escape_colons(const char *path, char *buf, size_t n) {
        size_t k = 0;

        if (n == 0)
                return buf;
        for (const char *c = strna(path); *c && k + 1 < n; c++) {
                if (*c == ':' || *c == '\\') {
                        if (k + 2 >= n)
                                break;
                        buf[k++] = '\\';
                }
                buf[k++] = *c;
        }
        buf[k] = 0;
        return buf;
}
