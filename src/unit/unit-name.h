/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Unit names as systemd has them, with ".cell" as the only type:
 *
 *   "web"         plain unit           prefix "web"
 *   "worker@"     template             prefix "worker", instance ""
 *   "worker@3"    instance             prefix "worker", instance "3"
 *
 * Names are kept without the ".cell" suffix (CellConfig.name); functions
 * that take a name from a human accept it with or without the suffix. */

#include <stdbool.h>

#include "macros.h"

#define UNIT_SUFFIX ".cell"
/* systemd's UNIT_NAME_MAX: the full name, suffix included, is at most 255 bytes. */
#define UNIT_NAME_MAX 256
/* The longest cell name: its service "cell@NAME.service" must be a unit
 * name of systemd's and its drop-in directory "cell@NAME.service.d" a file
 * name (NAME_MAX, 255 bytes), which the generator writes. */
#define CELL_NAME_MAX (UNIT_NAME_MAX - 1 - (sizeof("cell@" ".service" ".d") - 1))         /* 240 */

typedef enum UnitNameFlags {
        UNIT_NAME_PLAIN    = 1 << 0,    /* "web" */
        UNIT_NAME_TEMPLATE = 1 << 1,    /* "worker@" */
        UNIT_NAME_INSTANCE = 1 << 2,    /* "worker@3" */
        UNIT_NAME_ANY      = UNIT_NAME_PLAIN | UNIT_NAME_TEMPLATE | UNIT_NAME_INSTANCE,
} UnitNameFlags;

/* Whether name (without ".cell") is valid and of one of the kinds in flags:
 * the characters systemd allows, short enough for what systemd is given
 * (cell_name_fits()), and not reserved (cell_name_is_reserved()). */
bool cell_name_is_valid(const char *name, UnitNameFlags flags) _pure_;

/* Whether a plain name is one of cell's own in its runtime directory
 * ("lock", "port", "uid", ...; or starts with "."): no valid name. */
bool cell_name_is_reserved(const char *name) _pure_;

/* Whether the names systemd gets for name are valid unit names: the service
 * cell@NAME.service with its drop-in directory (at most CELL_NAME_MAX bytes
 * of name) and the scope cell-ESCAPED.scope, where every '-', '\\' and '@'
 * (and a leading '.') of name is escaped as "\\xNN" (at most 255 bytes). */
bool cell_name_fits(const char *name) _pure_;

/* Strips an optional ".cell" suffix and validates the rest: "web.cell" and
 * "web" both give "web". -EINVAL for an invalid name. */
int unit_name_normalize(const char *s, char **ret);

/* The part before '@' (or the whole name). */
int unit_name_to_prefix(const char *name, char **ret);
/* The part after '@': "" for a template, NULL (returns 0) for a plain name. */
int unit_name_to_instance(const char *name, char **ret);
/* "worker@3" -> "worker@"; -EINVAL for a plain name. */
int unit_name_template(const char *name, char **ret);
/* "worker@" + "3" -> "worker@3"; -EINVAL when name is not a template or
 * the result is not valid. */
int unit_name_replace_instance(const char *name, const char *instance, char **ret);

/* The service a cell runs as, as the generator names it and %i hands back to
 * "cell run": "web" -> "cell@web.service" (the name as is: '@' is valid in an
 * instance, so nothing is escaped). -ENOMEM alone. */
int cell_service_name(const char *name, char **ret);
/* The inverse: "cell@web.service" -> "web"; -EINVAL for another unit (the
 * bare template "cell@.service" too). */
int cell_name_from_service(const char *service, char **ret);

/* systemd's unit name escaping (what `systemd-escape` does): [A-Za-z0-9:_.]
 * are kept, '/' becomes '-', everything else (and a leading '.') becomes
 * "\xNN" with lowercase hex. */
int unit_name_escape(const char *s, char **ret);
/* The inverse: "\xNN" -> byte, '-' -> '/'. -EINVAL for a bad escape or \x00. */
int unit_name_unescape(const char *s, char **ret);
/* `systemd-escape --unescape --path`: "-" is "/", otherwise unescape and
 * prefix a '/'; the result must be a normalized absolute path. */
int unit_name_path_unescape(const char *s, char **ret);
