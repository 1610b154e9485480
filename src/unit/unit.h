/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The front door of unit/: a name or a path in, a typed CellConfig out.
 *
 *   name or path -> search path, template instance   (unit-path.c)
 *                -> main file + drop-ins, in order   (unit-dropin.c)
 *                -> systemd logical lines -> inih    (unit-lexer.c)
 *                -> specifiers expanded per value    (specifier.c)
 *                -> each Section/Key parsed          (config-*.c, parse-*.c)
 */

#include "config.h"
#include "diag.h"
#include "unit-dropin.h"

typedef struct UnitLoadOptions {
        /* Name used for specifiers and the default hostname, overriding the
         * one derived from the file name ("cell verify --name web /tmp/x"). */
        const char *name;
        /* Directories searched for names (no '/'); NULL = $CELL_UNIT_PATH
         * (colon separated) if set, else CELL_UNIT_SEARCH_PATH. */
        char * const *search_path;
        /* Drop-ins to apply besides the installed ones (unit-dropin.h). */
        const UnitExtraDropin *extra_dropins;
        size_t n_extra_dropins;
        /* cell verify: an Alias= systemctl enable refuses is an error, not a
         * warning with the alias left out (config_assign_expand()). */
        bool verify;
} UnitLoadOptions;

/* Loads and parses one unit.
 *
 * Returns 0 when the unit is valid (ret filled in; warnings may be in diag),
 * -EINVAL when it has problems (every one of them in diag, each
 * "FILE:LINE: message"; ret is left initialised but must not be used),
 * -ENOENT when no such unit/file exists (one message in diag naming what was
 * searched), or another -errno for I/O trouble (also in diag). */
int unit_load(const char *name_or_path, const UnitLoadOptions *opts, CellConfig *ret, Diagnostics *diag);
