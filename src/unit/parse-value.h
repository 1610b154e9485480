/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Value parsers for unit files, with systemd's syntax and semantics. Each
 * takes the whole value (already unescaped, specifiers expanded) and returns
 * 0 with ret_* filled in, or -EINVAL (bad syntax), -ERANGE (out of range)
 * with ret_* untouched. They never log; the caller turns a failure into a
 * "Key=value: expected ..." message. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "parse-number.h"
#include "parse-util.h"

/* 1/yes/y/true/t/on -> 1, 0/no/n/false/f/off -> 0 (case-insensitive). */
int parse_boolean(const char *s);

/* Bytes, as systemd's parse_size() base 1024: "512", "64K", "1.5G", "5.G",
 * "2 T", "+5M", and sums whose suffixes strictly descend (E P T G M K B,
 * a bare number only last): "1G 512M", "1K 5"; not "1 2", "1K 1M" or
 * "-1". Decimal, as strtoull() base 10: "010M" is 10 MiB. Overflow is
 * -ERANGE. */
int parse_size(const char *s, uint64_t *ret);
/* The same with base 1000 or 1024: IOReadBandwidthMax= and the IOPS keys
 * count in thousands ("5M" is 5000000). */
int parse_size_base(const char *s, uint64_t base, uint64_t *ret);

/* MemoryMax= and friends: bytes, "N%" (0..100%) or "infinity". */
int parse_limit(const char *s, CellLimit *ret);

/* systemd.time(7) time spans, as systemd's parse_time(): "1min 30s", "5m",
 * "100ms", "2h", "1.5s", ".5s", "infinity" (USEC_INFINITY). A bare number
 * is in default_unit usec (USEC_PER_SEC for "...Sec=" keys, 1 for usec
 * keys). Terms are summed in any order; one runs into the next only after
 * a unit or blanks ("12.34.56", "5x" and "5." are -EINVAL, "-5s" -ERANGE). */
int parse_timespan(const char *s, uint64_t default_unit, uint64_t *ret_usec);

/* As systemd's signal_from_string(): "SIGTERM", "TERM", "SIGIO",
 * "SIGRTMIN+3", "RTMAX-1", or a number 1..SIGRTMAX read as C reads one
 * ("0x1d"; a leading 0 is octal). Names are systemd's, not glibc's: no
 * SIGPOLL, SIGIOT or SIGCLD. The names: signal_name() (signal-util.h). */
int parse_signal(const char *s, int *ret);

/* "EPERM" (any case, "eperm" too, as systemd's) or 1..4095 (C's notation,
 * parse-number.h) -> errno number. */
int parse_errno(const char *s, int *ret);
/* errno name for a number, NULL when unknown (for messages and docs). */
const char *errno_name(int error);

/* Octal "0022", "022", "22" -> mode, at most 07777 (as systemd's UMask=). */
int parse_umask(const char *s, mode_t *ret);
/* Octal access mode, at most 07777 (tmpfs mode=). */
int parse_mode(const char *s, mode_t *ret);

/* "0-3,5 7" (commas and/or whitespace; quotes removed, as systemd's; each
 * number in C's notation, parse-number.h: "010" is CPU 8) -> bitmap (bit N
 * of byte N/8), sized to the highest CPU. No CPU at all ("", ",") is the
 * empty set: NULL and 0, which systemd's keys take as a reset. CPUs above
 * 8191 are -ERANGE. */
int parse_cpu_set(const char *s, uint8_t **ret, size_t *ret_size);
/* As systemd's parse_cpu_set_extend(): the CPUs of s added to *set (grown as
 * needed), or, when s names none, *set emptied (NULL, 0). On failure *set
 * is unchanged. */
int parse_cpu_set_extend(const char *s, uint8_t **set, size_t *set_size);

/* parse-name.c: paths and names. */

/* An absolute path without "." or ".." components; "//" and a trailing "/"
 * are collapsed. ret is the normalised copy. A component over NAME_MAX
 * bytes is -ERANGE (systemd's path_is_valid()). */
int parse_path_absolute(const char *s, char **ret);
/* The same, but a control character (a tab, say) is part of a name, as
 * systemd takes it: for WorkingDirectory=, whose path reaches only chdir(),
 * never a mount table or a drop-in. */
int parse_path_absolute_cc(const char *s, char **ret);

/* Name checks (no allocation). */
bool unit_name_is_valid(const char *s);         /* "foo.service", "a@b.target" */
bool env_name_is_valid(const char *s);          /* [A-Za-z_][A-Za-z0-9_]* */
bool user_group_name_is_valid(const char *s);   /* a name or a numeric id */
bool user_group_name_is_relaxed_valid(const char *s);   /* systemd's relaxed rules, or a numeric id */
bool hostname_is_valid(const char *s);
bool ifname_is_valid(const char *s);
/* systemd's credential_name_valid(): a file name (not "." or "..", no "/",
 * at most 255 bytes) that is also a valid $LISTEN_FDNAMES name (printable
 * ASCII, no ":"). */
bool credential_name_is_valid(const char *s);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t string_distance(const char *a, const char *b);
