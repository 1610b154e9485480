/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Numbers of unit files as systemd reads most of them: its safe_atoi(),
 * safe_atou() and safe_atou64() call strtol()/strtoul() with base 0, so a
 * number is in C's notation. Blanks may lead and a sign may come first, then
 * "0x1f" is hexadecimal, a leading 0 octal ("010" is 8, "08" is no number),
 * "0b101" binary and "0o17" octal, and nothing may follow. An unsigned number
 * with a "-" is -ERANGE, except "-0". Sizes, time spans and the digits after a
 * decimal point are decimal, as in systemd (parse_size(): "010M" is 10 MiB).
 * 0, or -EINVAL (bad syntax) / -ERANGE (beyond the type or min..max) with
 * *ret untouched. The strict decimal parse_uint64(): parse-util.h. */

#include <stdbool.h>
#include <stdint.h>

int parse_int64(const char *s, int64_t *ret);
int parse_int_range(const char *s, int min, int max, int *ret);
int parse_uint64_range(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* systemd's parse_permyriad(): "N%", "N.N%", "N.NN%", "N‰", "N.N‰" or "N‱"
 * -> permyriad (12.34% -> 1234), N in the notation above ("010%" is 8%).
 * Bounded to 0..100% unless unbounded, and to 2^31-1 permyriad (systemd's
 * int) always. Anything but a percentage is -EINVAL. */
int parse_permyriad(const char *s, bool unbounded, uint32_t *ret);
