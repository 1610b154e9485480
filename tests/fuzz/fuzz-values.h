/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the parsers of fuzz-values.c share with those of
 * fuzz-values-host.c: the contract check, and the host side's entries. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Fails the run: a contract stated in a header does not hold for this input. */
#define CHECK(expr)                                                             \
        do {                                                                    \
                if (!(expr)) {                                                  \
                        fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #expr); \
                        abort();                                                \
                }                                                               \
        } while (0)

/* Text read on the host at run time, not from the unit file. */
void fuzz_env_file(const char *s, uint8_t param);
void fuzz_netfw(const char *s, uint8_t param);
