/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The seam between reading a unit (lexer, drop-ins, specifiers: unit-*.c)
 * and understanding it (the key table and value parsers: config-*.c).
 *
 * unit_load() calls cell_config_init(), then config_assign() once per
 * assignment in file order (main file first, then each drop-in), with the
 * value already unescaped from the line and specifiers expanded, then
 * config_finish() once. */

#include "config.h"
#include "diag.h"

/* One "Key=value" in "[Section]". An empty value is an assignment that
 * resets lists ("Bind="). Unknown sections and keys, and bad values, are
 * reported to diag as "FILE:LINE: Key=value: expected ..." and return 0 so
 * that parsing goes on; -ENOMEM is the only error returned. "X-" sections
 * and keys are accepted and ignored, as in systemd. */
int config_assign(CellConfig *c, const char *section, const char *key, const char *value,
                  const char *file, unsigned line, Diagnostics *diag);

/* Whole-unit checks after all assignments (Directory= required, Exec= or
 * Boot=yes, ...), each reported to diag against file (line 0). Returns 0 or
 * -ENOMEM. */
int config_finish(CellConfig *c, const char *file, Diagnostics *diag);

/* Whether a key takes specifiers. Every key does today; the hook is here
 * because systemd exempts a few and so may we. */
bool config_key_expands_specifiers(const char *section, const char *key);
