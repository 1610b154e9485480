/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* --drop-in=UNIT[:DROPIN.conf] FILE..., as "cell verify" and "cell plan"
 * take it: UNIT with the FILEs as drop-ins not yet installed
 * (unit-dropin.h, UnitExtraDropin). One parser, so that both verbs refuse
 * the same arguments with the same words. */

#include <stddef.h>

#include "unit.h"

typedef struct CliDropIn {
        char *unit;                     /* UNIT: a name or a path */
        char *name;                     /* DROPIN.conf, or NULL */
        UnitExtraDropin *extra;         /* one per FILE, as UnitLoadOptions.extra_dropins */
        size_t n_extra;
} CliDropIn;

void cli_drop_in_done(CliDropIn *d);

/* getopt's --drop-in of the verb (for its messages): *drop_in = arg, or,
 * when it was given already, that logged and -EINVAL (a second UNIT would
 * take the same FILEs). */
int cli_drop_in_option(const char **drop_in, const char *arg, const char *verb);

/* arg (the value of --drop-in) parsed into *d, each of files[] (which must
 * exist) made a drop-in of d->unit, and opts->extra_dropins pointed at them
 * (valid as long as *d and files[] are). Logs why it fails: no FILE, several
 * with :DROPIN.conf, a DROPIN that is no drop-in name, no UNIT, a FILE not
 * there. Returns 0, or -errno: a usage error, exit status 2 (cell(1)). */
int cli_drop_in_setup(CliDropIn *d, const char *arg, char * const *files, size_t n_files, const char *verb,
                      UnitLoadOptions *opts);
