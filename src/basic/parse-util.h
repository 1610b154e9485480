/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* Leading decimal digits of p, at least one, as a uint64_t; *endp after
 * them. -EINVAL (no digit) or -ERANGE, *ret and *endp untouched. */
int scan_digits(const char *p, uint64_t *ret, const char **endp);

/* A decimal number and nothing else: digits only (no sign, no blanks), the
 * whole string, within 64 bits. 0, or -EINVAL / -ERANGE with *ret untouched. */
int parse_uint64(const char *s, uint64_t *ret);

/* The value of one hexadecimal digit (either case), or -EINVAL. */
int unhexchar(char c);
