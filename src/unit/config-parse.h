/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The seam between reading a unit (lexer, drop-ins, specifiers: unit-*.c)
 * and understanding it (the key table and value parsers: config-*.c).
 *
 * unit_load() calls cell_config_init(), then config_assign() once per
 * assignment in file order (main file first, then each drop-in), with the
 * value already unescaped from the line, then config_finish() once.
 * Specifiers are expanded by the key table, where systemd expands them: in
 * the whole value of a single string or path, in each word of a list after
 * its quotes and escapes are undone (so that "%I" stays one argument of
 * Exec= whatever the instance holds), in the paths only of Bind= and
 * TemporaryFileSystem=, and not at all in numbers, sizes, booleans or
 * names of signals, capabilities and system calls (MemoryMax=50%% is no
 * size, as in systemd). */

#include "config.h"
#include "diag.h"

/* One "Key=value" in "[Section]". An empty value is an assignment that
 * resets lists ("Bind="). Unknown sections and keys, and bad values, are
 * reported to diag as "FILE:LINE: Key=value: expected ..." and return 0 so
 * that parsing goes on; -ENOMEM is the only error returned. "X-" sections
 * and keys are accepted and ignored, as in systemd. */
int config_assign(CellConfig *c, const char *section, const char *key, const char *value,
                  const char *file, unsigned line, Diagnostics *diag);

/* A "[Section]" header at line of file, before its keys: an unknown
 * section is reported there, also when no key follows (an empty one, or
 * one of comments only), and config_assign() of its keys adds nothing, as
 * the same unknown section is reported once per file. "X-" sections are
 * accepted. Returns 0 or -ENOMEM. */
int config_section(const char *section, const char *file, unsigned line, Diagnostics *diag);

/* What expands specifiers for config_assign_expand(): unit-load.c's, on its
 * unit's name. expand() returns 0 and a new string, -ENOMEM, -EBADSLT for an
 * unknown specifier or another -errno for one that cannot be resolved, with
 * *ret_bad the specifier's character. */
typedef struct ConfigSpecifiers {
        int (*expand)(void *userdata, const char *s, char **ret, char *ret_bad);
        void *userdata;
} ConfigSpecifiers;

/* config_assign() with specifiers (config_assign() leaves every "%" as written).
 * verify: the unit is being checked (cell verify), not run: an Alias= that
 * systemctl enable refuses is an error there; elsewhere a warning, and the
 * alias is left out, so that a wrong alias never keeps a container from
 * starting. */
int config_assign_expand(CellConfig *c, const ConfigSpecifiers *specifiers, bool verify, const char *section,
                         const char *key, const char *value, const char *file, unsigned line,
                         Diagnostics *diag);

/* Whole-unit checks after all assignments (Directory= required, Exec= or
 * Boot=yes, ...), each reported to diag against file (line 0). Returns 0 or
 * -ENOMEM. */
int config_finish(CellConfig *c, const char *file, Diagnostics *diag);
