/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-exec.h"
#include "parse-value.h"
#include "signal-util.h"
#include "strv.h"

int parse_boolean(const char *s) {
        static const char * const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char * const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcaseeq(s, yes[i]))
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcaseeq(s, no[i]))
                        return 0;
        return -EINVAL;
}

/* What systemd skips between the terms of a size or a time span (its
 * WHITESPACE): not \v or \f. */
static const char *skip_blanks(const char *p) {
        return p + strspn(p, WHITESPACE);
}

/* The bytes a fraction of digits decimal digits (value num) adds to a term,
 * reckoned as systemd's parse_size() does, in double: num divided by ten
 * once a digit, times mul, cut to an integer. Exact arithmetic gives
 * another number in about one fraction of six with base 1000 ("0.23M" is
 * 229999 bytes to systemd, "5.007K" 5006) and near 2^64 with base 1024
 * ("5.1E"); the unit's limit must be the one systemd would set. num is
 * below 10^digits, so the product stays below 2^61 (mul is at most 2^60). */
static uint64_t fraction_scale(uint64_t num, size_t digits, uint64_t mul) {
        double frac = (double) num;

        for (size_t i = 0; i < digits; i++)
                frac /= 10;
        return (uint64_t) (frac * (double) mul);
}

/* systemd's parse_size(): a sum of terms, each a number (a "+" may lead
 * it, as strtoull() takes one; a "-" may not), an optional fraction whose
 * digits may be missing ("5.G"), and a suffix. Suffixes must strictly
 * descend, E P T G M K B, and a bare number (factor 1) can only be the last
 * term: "1G 512M" and "1K 5", not "1 2" or "1K 1M". base is 1024 or 1000. */
int parse_size_base(const char *s, uint64_t base, uint64_t *ret) {
        static const char *const suffixes[] = { "E", "P", "T", "G", "M", "K", "B", "" };
        struct {
                const char *suffix;
                uint64_t factor;
        } table[ELEMENTSOF(suffixes)];
        const char *p;
        uint64_t sum = 0;
        size_t next = 0;        /* the first table entry the next term may use */
        int r;

        if (!s || (base != 1000 && base != 1024))
                return -EINVAL;
        /* E is base^6 ... K base^1; "B" and the bare number (which matches
         * anything, so last) are 1. */
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                uint64_t f = 1;
                for (size_t k = i; k < 6; k++)
                        f *= base;
                table[i].suffix = suffixes[i];
                table[i].factor = f;
        }
        p = s;
        do {
                uint64_t n, num = 0, v;
                size_t digits = 0, i;
                const char *e;

                p = skip_blanks(p);
                if (*p == '-')
                        return -EINVAL;
                r = scan_digits(*p == '+' ? p + 1 : p, &n, &e);
                if (r < 0)
                        return r;
                if (*e == '.') {
                        const char *f = ++e;

                        if (isdigit((unsigned char) *f)) {
                                /* As strtoull(): a fraction too long for 64 bits is ERANGE. */
                                r = scan_digits(f, &num, &e);
                                if (r < 0)
                                        return r;
                                digits = (size_t) (e - f);
                        }
                }
                e = skip_blanks(e);
                for (i = next; i < ELEMENTSOF(table); i++)
                        if (startswith(e, table[i].suffix))
                                break;
                if (i >= ELEMENTSOF(table))
                        return -EINVAL;
                /* A fraction counts as one more unit here, as in systemd:
                 * "15.5E" is out of range though below 2^64. */
                if (n + (num > 0) > UINT64_MAX / table[i].factor)
                        return -ERANGE;
                v = n * table[i].factor + fraction_scale(num, digits, table[i].factor);
                if (v > UINT64_MAX - sum)
                        return -ERANGE;
                sum += v;
                p = e + strlen(table[i].suffix);
                next = i + 1;
        } while (*p);
        *ret = sum;
        return 0;
}

int parse_size(const char *s, uint64_t *ret) {
        return parse_size_base(s, 1024, ret);
}

int parse_limit(const char *s, CellLimit *ret) {
        uint32_t pm;
        uint64_t v;
        int r;

        if (!s)
                return -EINVAL;
        if (streq(s, "infinity")) {
                *ret = (CellLimit) { .kind = CELL_LIMIT_INFINITY };
                return 0;
        }
        r = parse_permyriad(s, false, &pm);
        if (r == 0) {
                *ret = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = pm };
                return 0;
        }
        if (r != -EINVAL)
                return r;
        r = parse_size(s, &v);
        if (r < 0)
                return r;
        *ret = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = v };
        return 0;
}

int parse_timespan(const char *s, uint64_t default_unit, uint64_t *ret_usec) {
        /* Longest spelling first where one is a prefix of another. */
        static const struct {
                const char *unit;
                uint64_t usec;
        } table[] = {
                { "seconds", USEC_PER_SEC },
                { "second", USEC_PER_SEC },
                { "sec", USEC_PER_SEC },
                { "s", USEC_PER_SEC },
                { "minutes", 60 * USEC_PER_SEC },
                { "minute", 60 * USEC_PER_SEC },
                { "min", 60 * USEC_PER_SEC },
                { "months", 2629800 * USEC_PER_SEC },   /* 30.44 days */
                { "month", 2629800 * USEC_PER_SEC },
                { "M", 2629800 * USEC_PER_SEC },
                { "msec", USEC_PER_MSEC },
                { "ms", USEC_PER_MSEC },
                { "m", 60 * USEC_PER_SEC },
                { "hours", 3600 * USEC_PER_SEC },
                { "hour", 3600 * USEC_PER_SEC },
                { "hr", 3600 * USEC_PER_SEC },
                { "h", 3600 * USEC_PER_SEC },
                { "days", 86400 * USEC_PER_SEC },
                { "day", 86400 * USEC_PER_SEC },
                { "d", 86400 * USEC_PER_SEC },
                { "weeks", 604800 * USEC_PER_SEC },
                { "week", 604800 * USEC_PER_SEC },
                { "w", 604800 * USEC_PER_SEC },
                { "years", 31557600 * USEC_PER_SEC },   /* 365.25 days */
                { "year", 31557600 * USEC_PER_SEC },
                { "y", 31557600 * USEC_PER_SEC },
                { "usec", 1 },
                { "us", 1 },
                { "\u00b5s", 1 },       /* micro sign */
                { "\u03bcs", 1 },       /* greek mu */
        };
        const char *p, *inf;
        uint64_t sum = 0;
        bool any = false;
        int r;

        if (!s)
                return -EINVAL;
        p = skip_blanks(s);
        inf = startswith(p, "infinity");
        if (inf) {
                if (*skip_blanks(inf))
                        return -EINVAL;
                *ret_usec = USEC_INFINITY;
                return 0;
        }
        for (;;) {
                uint64_t n = 0, mul = default_unit;
                const char *digits, *e, *frac = NULL, *unit;

                p = skip_blanks(p);
                if (!*p) {
                        if (!any)
                                return -EINVAL;
                        break;
                }
                /* "-0" too: a time span has no sign. */
                if (*p == '-')
                        return -ERANGE;
                /* As strtoll(): an optional "+", then digits within 63 bits. */
                digits = *p == '+' ? p + 1 : p;
                e = p;
                if (isdigit((unsigned char) *digits)) {
                        r = scan_digits(digits, &n, &e);
                        if (r < 0)
                                return r;
                        if (n > INT64_MAX)
                                return -ERANGE;
                }
                if (*e == '.') {
                        /* The integer part may be missing (".5s"), the fraction may not. */
                        frac = e + 1;
                        e = frac + strspn(frac, "0123456789");
                } else if (e == p)
                        return -EINVAL;

                unit = skip_blanks(e);
                for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                        const char *after = startswith(unit, table[i].unit);
                        if (after) {
                                mul = table[i].usec;
                                unit = after;
                                break;
                        }
                }
                /* A number runs into the next only across blanks or a unit:
                 * "12.34 .56" and "12.34s.56" are two terms, "12.34.56" is
                 * nothing, nor is "5x". */
                if (unit == e && *unit)
                        return -EINVAL;
                p = unit;

                if (n >= USEC_INFINITY / mul || n * mul >= USEC_INFINITY - sum)
                        return -ERANGE;
                sum += n * mul;
                any = true;

                if (frac) {
                        /* Digit by digit, each worth a tenth of the one before,
                         * rounded down on its own as systemd does: "0.00000099min"
                         * is 54us, not 59. */
                        uint64_t m = mul / 10;
                        const char *d;

                        for (d = frac; isdigit((unsigned char) *d); d++, m /= 10) {
                                uint64_t k = (uint64_t) (*d - '0') * m;
                                if (k >= USEC_INFINITY - sum)
                                        return -ERANGE;
                                sum += k;
                        }
                        if (d == frac)
                                return -EINVAL;
                }
        }
        *ret_usec = sum;
        return 0;
}

int parse_signal(const char *s, int *ret) {
        const char *p;
        int n;

        if (!s)
                return -EINVAL;
        /* A number as safe_atoi() reads one (parse-number.h): "0x1d", "010" is 8. */
        if (parse_int_range(s, INT_MIN, INT_MAX, &n) == 0) {
                if (n < 1 || n > SIGRTMAX)
                        return -ERANGE;
                *ret = n;
                return 0;
        }
        s = startswith(s, "SIG") ?: s;
        for (int i = 1; i < SIGRTMIN; i++)
                if (streq_ptr(signal_name(i), s)) {
                        *ret = i;
                        return 0;
                }

        /* RTMIN+N and RTMAX-N, N from 0 to the count of real-time signals
         * less one; the sign is part of the number. */
        p = startswith(s, "RTMIN");
        if (p) {
                if (!*p) {
                        *ret = SIGRTMIN;
                        return 0;
                }
                if (*p != '+' || parse_int_range(p, INT_MIN, INT_MAX, &n) < 0)
                        return -EINVAL;
                if (n < 0 || n > SIGRTMAX - SIGRTMIN)
                        return -ERANGE;
                *ret = SIGRTMIN + n;
                return 0;
        }
        p = startswith(s, "RTMAX");
        if (p) {
                if (!*p) {
                        *ret = SIGRTMAX;
                        return 0;
                }
                if (*p != '-' || parse_int_range(p, INT_MIN, INT_MAX, &n) < 0)
                        return -EINVAL;
                if (n > 0 || n < SIGRTMIN - SIGRTMAX)
                        return -ERANGE;
                *ret = SIGRTMAX + n;
                return 0;
        }
        return -EINVAL;
}

/* The second names <errno.h> gives a number, which systemd's list (every
 * E* macro) has too; glibc's strerrorname_np() names each number once. */
static const struct {
        const char *name;
        int error;
} errno_aliases[] = {
        { "EWOULDBLOCK", EWOULDBLOCK },
        { "EDEADLOCK", EDEADLOCK },
        { "ENOTSUP", ENOTSUP },
};

int parse_errno(const char *s, int *ret) {
        if (isempty(s))
                return -EINVAL;
        /* In any case, as systemd's errno_from_name() (its gperf table
         * ignores case): SystemCallErrorNumber=eperm is EPERM there. */
        for (int i = 1; i < 4096; i++) {
                const char *name = strerrorname_np(i);
                if (name && strcaseeq(name, s)) {
                        *ret = i;
                        return 0;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(errno_aliases); i++)
                if (strcaseeq(errno_aliases[i].name, s)) {
                        *ret = errno_aliases[i].error;
                        return 0;
                }
        /* A number, as systemd's parse_errno() reads one (safe_atoi(): "0x0d" is 13). */
        return parse_int_range(s, 1, 4095, ret);
}

const char *errno_name(int error) {
        return error > 0 ? strerrorname_np(error) : NULL;
}

/* As systemd's parse_mode(): leading blanks, then octal digits only (no
 * sign, no "0o"). */
static int parse_octal(const char *s, mode_t max, mode_t *ret) {
        mode_t m = 0;

        if (!s)
                return -EINVAL;
        s = skip_blanks(s);
        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '7')
                        return -EINVAL;
                m = m * 8 + (mode_t) (*p - '0');
                if (m > max)
                        return -ERANGE;
        }
        *ret = m;
        return 0;
}

int parse_umask(const char *s, mode_t *ret) {
        /* systemd's UMask= takes any mode up to 07777; umask(2) keeps the
         * 0777 bits of it. */
        return parse_octal(s, 07777, ret);
}

int parse_mode(const char *s, mode_t *ret) {
        return parse_octal(s, 07777, ret);
}

#define CPU_SET_MAX 8192

int parse_cpu_set(const char *s, uint8_t **ret, size_t *ret_size) {
        _cleanup_free_ uint8_t *bits = NULL;
        size_t size = 0;
        const char *p;
        int r;

        if (!s)
                return -EINVAL;
        /* Words as systemd's parse_cpu_set_full() takes them: separated by
         * whitespace or commas, quotes removed ("0-3" is a range, "0 1" one
         * word that is none). */
        for (p = s;;) {
                _cleanup_free_ char *word = NULL;
                uint64_t a, b;
                size_t need;
                char *dash;

                r = extract_first_word(&p, &word, WHITESPACE ",", EXTRACT_UNQUOTE);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                /* A CPU or a range, each bound as systemd's parse_range()
                 * reads it: safe_atou(), C's notation ("010" is CPU 8). */
                dash = strchr(word, '-');
                if (dash)
                        *dash = 0;
                r = parse_uint64_range(word, 0, UINT_MAX, &a);
                if (r < 0)
                        return r;
                b = a;
                if (dash) {
                        r = parse_uint64_range(dash + 1, 0, UINT_MAX, &b);
                        if (r < 0)
                                return r;
                        if (b < a)
                                return -EINVAL;
                }
                if (b >= CPU_SET_MAX)
                        return -ERANGE;
                need = (size_t) b / 8 + 1;
                if (need > size) {
                        uint8_t *n = realloc(bits, need);
                        if (!n)
                                return -ENOMEM;
                        memset(n + size, 0, need - size);
                        bits = n;
                        size = need;
                }
                for (uint64_t i = a; i <= b; i++)
                        bits[i / 8] |= (uint8_t) (1u << (i % 8));
        }
        *ret = TAKE_PTR(bits);
        *ret_size = size;
        return 0;
}

int parse_cpu_set_extend(const char *s, uint8_t **set, size_t *set_size) {
        _cleanup_free_ uint8_t *bits = NULL;
        size_t size = 0;
        int r;

        r = parse_cpu_set(s, &bits, &size);
        if (r < 0)
                return r;
        if (size == 0) {
                *set = mfree(*set);
                *set_size = 0;
                return 0;
        }
        if (size > *set_size) {
                uint8_t *n = realloc(*set, size);
                if (!n)
                        return -ENOMEM;
                memset(n + *set_size, 0, size - *set_size);
                *set = n;
                *set_size = size;
        }
        for (size_t k = 0; k < size; k++)
                (*set)[k] |= bits[k];
        return 0;
}
