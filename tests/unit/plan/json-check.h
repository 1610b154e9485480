/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A strict JSON syntax check (RFC 8259) for the tests: the whole text must be
 * one value, strings must be valid UTF-8 without raw control characters.
 * Returns true when it is. */

#include <stdbool.h>
#include <stddef.h>

bool json_check(const char *text, size_t size);
