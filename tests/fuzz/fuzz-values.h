/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the parsers of fuzz-values.c share with those of fuzz-values-keys.c
 * and fuzz-values-host.c: the contract checks, and the other files' entries. */

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

/* A value no parser writes: ret_* still holding it was left untouched. */
#define POISON UINT64_C(0x5a5a5a5a5a5a5a5a)

/* fuzz-values.c's checks, for fuzz-values-keys.c: every parser returns 0
 * (or a documented positive), -EINVAL or -ERANGE; the next line of *p as a
 * new string (NULL at the end); a path absolute and normalised (or kept as
 * written after a leading specifier). */
void check_return(int r);
char *next_line(const char **p);
void check_path(const char *p);

/* fuzz-values-keys.c: the keys added after the first ones. */
void fuzz_address(const char *s, uint8_t param);
void fuzz_veth_extra(const char *s, uint8_t param);
void fuzz_sched(const char *s, uint8_t param);
void fuzz_isolation(const char *s, uint8_t param);
void fuzz_io_device(const char *s, uint8_t param);
void fuzz_cpu_set_extend(const char *s, uint8_t param);
void fuzz_syscall_error(const char *s, uint8_t param);
void fuzz_escapes(const char *s, uint8_t param);
void fuzz_specifier(const char *s, uint8_t param);

/* Text read on the host at run time, not from the unit file. */
void fuzz_env_file(const char *s, uint8_t param);
void fuzz_netfw(const char *s, uint8_t param);
