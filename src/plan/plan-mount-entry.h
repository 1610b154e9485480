/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A mount entry of the unit's as the unit writes it, for plan-time messages:
 * "FILE:LINE: Bind=/srv:/: cannot mount over the container's root", as the
 * parser's "Key=value: what was expected" (diag.h), not "Bind=: ...", which
 * reads as an empty assignment. The entry, not the line: a line of
 * Inaccessible= may name several paths, and one is at fault. */

#include "config.h"
#include "diag.h"
#include "macros.h"
#include "plan.h"

/* Each returns "Key=value" (a new string), or NULL when out of memory.
 * Paths as the unit writes them, "\:" for ':' and "\\" for '\' where the
 * value is ':'-separated; a Bind='s options are left out (the paths name
 * the entry; its line is in the message). */
char *plan_bind_entry(const CellBind *b);
char *plan_tmpfs_entry(const CellTmpfs *t);
char *plan_overlay_entry(const CellOverlay *o);
char *plan_inaccessible_entry(const CellInaccessible *e);
/* The unit's entry that made m (a mount with a line), or key ("Bind=")
 * with m's target if none matches (a config made by hand). */
char *plan_mount_entry(const CellConfig *c, const PlanMount *m, const char *key);

/* diag_error() at file (else the unit's) and line: "ENTRY: TEXT". Takes
 * entry (NULL: out of memory). Returns -EINVAL, or -ENOMEM. */
int plan_mount_entry_error(Diagnostics *diag, const CellConfig *c, const char *file, unsigned line, char *entry,
                           const char *fmt, ...) _printf_(6, 7);
