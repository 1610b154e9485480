/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "parse-number.h"

/* Where the digits start and in which base, after the blanks systemd skips:
 * its mangle_base() takes "0b" and "0o" (Python's prefixes, which strtol()
 * may not know), base 0 leaves "0x" and a leading "0" to strtol(). */
static const char *number_start(const char *s, int *ret_base) {
        s += strspn(s, WHITESPACE);
        *ret_base = 0;
        if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
                *ret_base = 2;
        else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
                *ret_base = 8;
        return *ret_base ? s + 2 : s;
}

/* The signed number from s to stop, which must be where it ends: no other
 * character may follow the digits ("08", "5x", "5 " are -EINVAL). */
static int scan_signed(const char *s, const char *stop, int64_t *ret) {
        long long v;
        char *end;
        int base;

        s = number_start(s, &base);
        errno = 0;
        v = strtoll(s, &end, base);
        if (errno > 0)
                return -errno;
        if (end == s || end != stop)
                return -EINVAL;
        *ret = (int64_t) v;
        return 0;
}

int parse_int64(const char *s, int64_t *ret) {
        if (!s)
                return -EINVAL;
        return scan_signed(s, s + strlen(s), ret);
}

int parse_int_range(const char *s, int min, int max, int *ret) {
        int64_t v;
        int r = parse_int64(s, &v);
        if (r < 0)
                return r;
        if (v < min || v > max)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

int parse_uint64_range(const char *s, uint64_t min, uint64_t max, uint64_t *ret) {
        unsigned long long v;
        char *end;
        int base;

        if (!s)
                return -EINVAL;
        s = number_start(s, &base);
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno > 0)
                return -errno;
        if (end == s || *end)
                return -EINVAL;
        /* strtoull() takes "-1" as 2^64-1; systemd says out of range, but "-0" is 0. */
        if (v != 0 && s[0] == '-')
                return -ERANGE;
        if (v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_permyriad(const char *s, bool unbounded, uint32_t *ret) {
        static const struct {
                const char *sign;
                unsigned decimals;      /* fractional digits allowed */
                int per;                /* permyriad per unit */
        } forms[] = {
                { "%", 2, 100 },
                { "\u2030", 1, 10 },    /* per mille */
                { "\u2031", 0, 1 },     /* per myriad */
        };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
                const char *end = endswith(s, forms[i].sign), *dot;
                size_t digits = 0;
                int64_t n;
                int frac = 0, r;

                if (!end)
                        continue;
                /* As systemd: the first "." splits, and 1 or 2 decimal digits
                 * (per the sign) follow it right up to the sign. */
                dot = memchr(s, '.', (size_t) (end - s));
                if (dot) {
                        digits = (size_t) (end - dot - 1);
                        if (digits == 0 || digits > forms[i].decimals)
                                return -EINVAL;
                        for (const char *d = dot + 1; d < end; d++) {
                                if (!isdigit((unsigned char) *d))
                                        return -EINVAL;
                                frac = frac * 10 + (*d - '0');
                        }
                }
                for (; digits < forms[i].decimals; digits++)
                        frac *= 10;
                /* The whole part as safe_atoi() reads it: "-5%" is out of
                 * range, "-0%" is 0%. */
                r = scan_signed(s, dot ?: end, &n);
                if (r < 0)
                        return r;
                if (n < 0 || n > (INT_MAX - frac) / forms[i].per)
                        return -ERANGE;
                n = n * forms[i].per + frac;
                if (!unbounded && n > 10000)
                        return -ERANGE;
                *ret = (uint32_t) n;
                return 0;
        }
        return -EINVAL;
}
