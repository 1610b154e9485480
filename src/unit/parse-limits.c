/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "parse-exec.h"
#include "parse-limits.h"
#include "parse-value.h"
#include "strv.h"

typedef enum RlimitKind {
        RLIMIT_KIND_COUNT,
        RLIMIT_KIND_BYTES,
        RLIMIT_KIND_SEC,        /* time span, stored in seconds (rounded up) */
        RLIMIT_KIND_USEC,       /* time span, bare number in usec, stored in usec */
        RLIMIT_KIND_NICE,       /* +N/-N nice level or raw 0..40 */
} RlimitKind;

static const struct {
        const char *key;
        RlimitKind kind;
} rlimits[RLIMIT_NLIMITS] = {
        [RLIMIT_CPU]        = { "LimitCPU",        RLIMIT_KIND_SEC },
        [RLIMIT_FSIZE]      = { "LimitFSIZE",      RLIMIT_KIND_BYTES },
        [RLIMIT_DATA]       = { "LimitDATA",       RLIMIT_KIND_BYTES },
        [RLIMIT_STACK]      = { "LimitSTACK",      RLIMIT_KIND_BYTES },
        [RLIMIT_CORE]       = { "LimitCORE",       RLIMIT_KIND_BYTES },
        [RLIMIT_RSS]        = { "LimitRSS",        RLIMIT_KIND_BYTES },
        [RLIMIT_NPROC]      = { "LimitNPROC",      RLIMIT_KIND_COUNT },
        [RLIMIT_NOFILE]     = { "LimitNOFILE",     RLIMIT_KIND_COUNT },
        [RLIMIT_MEMLOCK]    = { "LimitMEMLOCK",    RLIMIT_KIND_BYTES },
        [RLIMIT_AS]         = { "LimitAS",         RLIMIT_KIND_BYTES },
        [RLIMIT_LOCKS]      = { "LimitLOCKS",      RLIMIT_KIND_COUNT },
        [RLIMIT_SIGPENDING] = { "LimitSIGPENDING", RLIMIT_KIND_COUNT },
        [RLIMIT_MSGQUEUE]   = { "LimitMSGQUEUE",   RLIMIT_KIND_BYTES },
        [RLIMIT_NICE]       = { "LimitNICE",       RLIMIT_KIND_NICE },
        [RLIMIT_RTPRIO]     = { "LimitRTPRIO",     RLIMIT_KIND_COUNT },
        [RLIMIT_RTTIME]     = { "LimitRTTIME",     RLIMIT_KIND_USEC },
};

int rlimit_from_key(const char *key) {
        for (int i = 0; i < RLIMIT_NLIMITS; i++)
                if (rlimits[i].key && streq(rlimits[i].key, key))
                        return i;
        return -1;
}

const char *rlimit_key(int resource) {
        return resource >= 0 && resource < RLIMIT_NLIMITS ? rlimits[resource].key : NULL;
}

const char *rlimit_expected(int resource) {
        switch (resource >= 0 && resource < RLIMIT_NLIMITS ? rlimits[resource].kind : RLIMIT_KIND_COUNT) {
        case RLIMIT_KIND_BYTES:
                return "SOFT[:HARD], each bytes with K/M/G/T/P/E suffix or \"infinity\"";
        case RLIMIT_KIND_SEC:
                return "SOFT[:HARD], each a time span (bare number: seconds) or \"infinity\"";
        case RLIMIT_KIND_USEC:
                return "SOFT[:HARD], each a time span (bare number: microseconds) or \"infinity\"";
        case RLIMIT_KIND_NICE:
                return "SOFT[:HARD], each a nice level -20..19 with a sign, or a raw value 0..40";
        case RLIMIT_KIND_COUNT:
        default:
                return "SOFT[:HARD], each a number or \"infinity\"";
        }
}

static int rlimit_value(RlimitKind kind, const char *s, rlim_t *ret) {
        uint64_t v;
        int r;

        /* As systemd's rlimit_parse_nice(), LimitNICE= has none: 40 is all. */
        if (streq(s, "infinity") && kind != RLIMIT_KIND_NICE) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        switch (kind) {
        case RLIMIT_KIND_BYTES:
                r = parse_size(s, &v);
                break;
        case RLIMIT_KIND_SEC:
                r = parse_timespan(s, USEC_PER_SEC, &v);
                /* Rounded up as systemd's DIV_ROUND_UP(), without the sum: a
                 * span near 2^64 usec ("9223372036854775807us" twice) wrapped
                 * to LimitCPU=0. */
                if (r >= 0)
                        v = v == USEC_INFINITY ? RLIM_INFINITY : v / USEC_PER_SEC + !!(v % USEC_PER_SEC);
                break;
        case RLIMIT_KIND_USEC:
                r = parse_timespan(s, 1, &v);
                if (r >= 0 && v == USEC_INFINITY)
                        v = RLIM_INFINITY;
                break;
        case RLIMIT_KIND_NICE:
                /* As systemd's rlimit_parse_nice(): a sign makes a nice level
                 * (+0..+19, -0..-20), whose ceiling is 20 - nice (setrlimit(2));
                 * the number after it, or the raw value, as safe_atou64() reads
                 * it (parse-number.h). */
                if (*s == '+' || *s == '-') {
                        r = parse_uint64_range(s + 1, 0, *s == '+' ? 19 : 20, &v);
                        if (r >= 0)
                                v = *s == '+' ? 20 - v : 20 + v;
                } else
                        r = parse_uint64_range(s, 0, 40, &v);
                break;
        case RLIMIT_KIND_COUNT:
        default:
                /* safe_atou64(), as systemd's rlimit_parse_u64(): "010" is 8. */
                r = parse_uint64_range(s, 0, UINT64_MAX, &v);
                break;
        }
        if (r < 0)
                return r;
        if (v >= RLIM_INFINITY && kind != RLIMIT_KIND_SEC && kind != RLIMIT_KIND_USEC)
                return -ERANGE;
        *ret = (rlim_t) v;
        return 0;
}

int parse_rlimit(int resource, const char *s, CellRlimit *ret) {
        _cleanup_free_ char *soft = NULL, *hard = NULL;
        const char *colon, *end = NULL;
        RlimitKind kind;
        rlim_t a, b;
        int r;

        if (resource < 0 || resource >= RLIMIT_NLIMITS || isempty(s))
                return -EINVAL;
        kind = rlimits[resource].kind;
        colon = strchr(s, ':');
        soft = colon ? strndup(s, (size_t) (colon - s)) : strdup(s);
        if (!soft)
                return -ENOMEM;
        r = rlimit_value(kind, soft, &a);
        if (r < 0)
                return r;
        b = a;
        if (colon) {
                /* As systemd's rlimit_parse(), which reads HARD up to a ":" of
                 * its own: "1:2:" is 1:2, but nothing may follow that ":". */
                end = strchr(colon + 1, ':');
                if (end && end[1])
                        return -EINVAL;
                hard = end ? strndup(colon + 1, (size_t) (end - colon - 1)) : strdup(colon + 1);
                if (!hard)
                        return -ENOMEM;
                r = rlimit_value(kind, hard, &b);
                if (r < 0)
                        return r;
        }
        if (a > b)
                return -ERANGE;
        *ret = (CellRlimit) { .set = true, .soft = a, .hard = b };
        return 0;
}

int parse_device_allow(const char *s, CellDeviceAllow *ret) {
        _cleanup_free_ char *path = NULL;
        CellDeviceAllow d = {};
        const char *p = s, *perms;
        bool r_ = false, w_ = false, m_ = false;
        size_t n = 0;
        int r;

        r = extract_first_word(&p, &path, NULL, EXTRACT_UNQUOTE);
        if (r <= 0)
                return r < 0 ? r : -EINVAL;
        /* The access letters are the rest as written, as systemd 252 reads
         * them: no quotes removed, no escapes ("rw" in quotes is refused there). */
        p += strspn(p, WHITESPACE);
        perms = isempty(p) ? NULL : p;

        if (path[0] == '%') {
                /* A specifier first (DeviceAllow=%f for cell@dev-sda): the caller
                 * checks the device once it is expanded, as systemd's. */
        } else if (startswith(path, "/dev/")) {
                char *norm;

                r = parse_path_absolute(path, &norm);
                if (r < 0)
                        return r == -ENOMEM ? r : -EINVAL;
                free(path);
                path = norm;
                if (streq(path, "/dev"))
                        return -EINVAL;
        } else {
                /* A pattern of /proc/devices names, not a path: a name may hold a "/"
                 * (x86's "cpu/msr"), and systemd takes it. */
                const char *name = startswith(path, "char-") ?: startswith(path, "block-");
                if (isempty(name) || strpbrk(name, " \t"))
                        return -EINVAL;
        }

        if (perms) {
                for (const char *c = perms; *c; c++)
                        switch (*c) {
                        case 'r': r_ = true; break;
                        case 'w': w_ = true; break;
                        case 'm': m_ = true; break;
                        default: return -EINVAL;
                        }
        } else
                r_ = w_ = m_ = true;
        if (r_)
                d.perms[n++] = 'r';
        if (w_)
                d.perms[n++] = 'w';
        if (m_)
                d.perms[n++] = 'm';
        d.perms[n] = 0;
        d.path = TAKE_PTR(path);
        *ret = d;
        return 0;
}

static const char *const io_keys[_CELL_IO_KIND_MAX] = {
        [CELL_IO_DEVICE_WEIGHT] = "IODeviceWeight",
        [CELL_IO_READ_BPS]      = "IOReadBandwidthMax",
        [CELL_IO_WRITE_BPS]     = "IOWriteBandwidthMax",
        [CELL_IO_READ_IOPS]     = "IOReadIOPSMax",
        [CELL_IO_WRITE_IOPS]    = "IOWriteIOPSMax",
        [CELL_IO_LATENCY]       = "IODeviceLatencyTargetSec",
};

const char *io_kind_key(CellIOKind kind) {
        return (unsigned) kind < _CELL_IO_KIND_MAX ? io_keys[kind] : NULL;
}

int parse_io_device(CellIOKind kind, const char *s, char **ret_path, uint64_t *ret_value) {
        _cleanup_free_ char *word = NULL, *path = NULL;
        const char *p = s;
        uint64_t v;
        int r;

        /* The device's path is one word (quotes allowed), the value all the rest. */
        r = extract_first_word(&p, &word, NULL, EXTRACT_UNQUOTE);
        if (r <= 0)
                return r < 0 ? r : -EINVAL;
        p += strspn(p, WHITESPACE);
        if (isempty(p))
                return -EINVAL;
        /* A path that starts with a specifier (IOReadBandwidthMax=%S 5M) is
         * checked by the caller once expanded, as systemd's. */
        if (word[0] == '%')
                path = TAKE_PTR(word);
        else {
                r = parse_path_absolute(word, &path);
                if (r < 0)
                        return r == -ENOMEM ? r : -EINVAL;
        }

        switch (kind) {
        case CELL_IO_DEVICE_WEIGHT:
                r = parse_uint64_range(p, 1, 10000, &v);
                break;
        case CELL_IO_READ_BPS:
        case CELL_IO_WRITE_BPS:
        case CELL_IO_READ_IOPS:
        case CELL_IO_WRITE_IOPS:
                /* As systemd: K, M, G, T to the base of 1000, a limit above 0;
                 * 2^64-1 is its infinity (CGROUP_LIMIT_MAX), as "infinity" is. */
                if (streq(p, "infinity"))
                        v = UINT64_MAX;
                else {
                        r = parse_size_base(p, 1000, &v);
                        if (r >= 0 && v == 0)
                                r = -ERANGE;
                }
                break;
        case CELL_IO_LATENCY:
                r = parse_timespan(p, USEC_PER_SEC, &v);
                break;
        case _CELL_IO_KIND_MAX:
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        *ret_value = v;
        return 0;
}
