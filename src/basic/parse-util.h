/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* Leading decimal digits of p, at least one, as a uint64_t; *endp after
 * them. -EINVAL (no digit) or -ERANGE, *ret and *endp untouched. */
int scan_digits(const char *p, uint64_t *ret, const char **endp);

/* A decimal number and nothing else: digits only (no sign, no blanks), the
 * whole string, within 64 bits. 0, or -EINVAL / -ERANGE with *ret untouched. */
int parse_uint64(const char *s, uint64_t *ret);

/* The value of one hexadecimal digit (either case), or -EINVAL. */
int unhexchar(char c);

/* Room for any path escaped by path_escape_colons(). */
#define PATH_ESCAPED_MAX (2 * PATH_MAX + 1)

/* A path as a unit's Bind= or Overlay= value writes it: "\:" for ':' and
 * "\\" for '\', so a ':'-joined list has one reading and the text can be
 * pasted back. Cut short at n (never inside an escape), still a string.
 * Returns buf; NULL path: "n/a". */
const char *path_escape_colons(const char *path, char *buf, size_t n);
