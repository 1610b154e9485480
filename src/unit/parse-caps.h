/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Capability= and DropCapability=: whitespace (or comma) separated names,
 * with or without "CAP_", any case, or "all", resolved with libcap. */

#include <stdbool.h>

#include "config.h"

/* Every capability libcap knows (bits 0..CAP_LAST_CAP). */
CellCapMask cap_mask_all(void);

/* The names in s OR'ed into *mask. -EINVAL leaves *mask unchanged and sets
 * ret_bad (if not NULL) to the unknown word (malloc'ed): "all" too, unless
 * allow_all. An all-blank s is -EINVAL: the empty assignment is the
 * caller's reset. */
int parse_capabilities(const char *s, bool allow_all, CellCapMask *mask, char **ret_bad);

/* mask as a set of numbers, as a CPU set is kept (bit N of byte N / 8):
 * the origins' form (config-parsers.h). 0 or -ENOMEM. */
int cap_mask_to_set(CellCapMask mask, uint8_t **ret, size_t *ret_size);

/* "cap_chown" for 0 ... ; NULL when unknown. malloc'ed. */
char *capability_name(unsigned cap);
