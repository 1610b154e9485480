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
 * The value is the text the unit wrote (its raw field: options in their
 * order, "rbind" and sizes as written, specifiers unexpanded), so that
 * grep finds it. A config made by hand has none: its paths are written as
 * a unit would, "\:" for ':' and "\\" for '\' where the value is
 * ':'-separated, a Bind='s options those of its words that change what is
 * mounted (":norbind,nosuid", the parser's order). */
char *plan_bind_entry(const CellBind *b);
char *plan_tmpfs_entry(const CellTmpfs *t);
char *plan_overlay_entry(const CellOverlay *o);
char *plan_inaccessible_entry(const CellInaccessible *e);

/* The mount stage's errors, held back and said in the unit's order at its
 * end, as the parser says a unit's: the main file's by line, then each
 * drop-in's in the order they are read. The checks go by target (the sorted
 * mount list), which is no order the admin wrote. */
typedef struct PlanMountError {
        char *text;             /* "FILE:LINE: ENTRY: TEXT" */
        size_t rank;            /* 0 the unit's file, 1 + i its dropin_paths[i] */
        unsigned line;
        size_t item;            /* of an Inaccessible= line, the path's place in c->inaccessible */
} PlanMountError;

typedef struct PlanMountErrors {
        PlanMountError *errors;
        size_t n_errors;
} PlanMountErrors;

void plan_mount_errors_done(PlanMountErrors *e);
/* Passes the errors held on to diag (diag_error()), in the unit's order.
 * Returns 0 or -ENOMEM. */
int plan_mount_errors_flush(PlanMountErrors *e, Diagnostics *diag);

/* An error at file (else the unit's) and line: "ENTRY: TEXT", held in e
 * until plan_mount_errors_flush(). item: what plan_mount_entry_item() says
 * of the entry (0 but for Inaccessible=). Takes entry (NULL: out of memory).
 * Returns -EINVAL, or -ENOMEM. */
int plan_mount_entry_error(PlanMountErrors *e, const CellConfig *c, const char *file, unsigned line, size_t item,
                           char *entry, const char *fmt, ...) _printf_(7, 8);
/* The same with its text given, for a unit read from unit_path and its
 * drop-ins dropin_paths (a CellConfig's, or a Plan's copy of them); takes
 * neither string. */
int plan_mount_error_at(PlanMountErrors *e, const char *unit_path, char * const *dropin_paths, const char *file,
                        unsigned line, size_t item, const char *entry, const char *text);
/* The place of m's entry among the unit's Inaccessible= paths (one line may
 * name several), 0 for the other kinds, whose lines name one entry each. */
size_t plan_mount_entry_item(const CellConfig *c, const PlanMount *m);
