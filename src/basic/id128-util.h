/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* 128-bit IDs as systemd writes them: a machine ID, MachineID=, a
 * container's $container_uuid. Without libsystemd: the unit parser and the
 * start need them before cell loads it (src/cli/libsystemd-dlopen.h). */

#include <stdbool.h>
#include <stdint.h>

#define ID128_STRING_MAX 33             /* 32 hex digits and the NUL */
#define ID128_UUID_STRING_MAX 37        /* 8-4-4-4-12 and the NUL */

/* 32 hex digits, or the same as a UUID (8-4-4-4-12 with dashes), either
 * case, as sd_id128_from_string() takes them. 0, or -EINVAL with ret
 * untouched. */
int id128_from_string(const char *s, uint8_t ret[static 16]);
/* 32 lower-case hex digits. */
char *id128_to_string(const uint8_t id[static 16], char ret[static ID128_STRING_MAX]);
/* The UUID form, lower case: what systemd-nspawn passes as $container_uuid. */
char *id128_to_uuid_string(const uint8_t id[static 16], char ret[static ID128_UUID_STRING_MAX]);
bool id128_is_null(const uint8_t id[static 16]);
/* A random ID marked as a version 4 UUID, as sd_id128_randomize(). 0 or -errno. */
int id128_randomize(uint8_t ret[static 16]);
