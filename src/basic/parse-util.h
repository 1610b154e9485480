/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* A decimal number and nothing else: leading blanks as strtoull() skips
 * them, then digits only (no sign), within 64 bits. 0, or -EINVAL / -ERANGE. */
int safe_atou64(const char *s, uint64_t *ret);
