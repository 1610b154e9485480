/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* cell-generator: makes every NAME.cell of the unit search path a native
 * part of systemd's boot, following the systemd.generator(7) protocol.
 *
 * For each unit it writes into the generator's normal directory
 *
 *   cell@NAME.service.d/50-cell-generator.conf   [Unit] Description= and the
 *                                                dependencies of NAME.cell
 *   TARGET.wants/cell@NAME.service               WantedBy=TARGET
 *   TARGET.requires/cell@NAME.service            RequiredBy=TARGET
 *   ALIAS                                        Alias=ALIAS, as systemctl enable
 *                                                takes it (unit_install_alias()): an
 *                                                instance of the same name
 *                                                ("www@web.service", or a template
 *                                                given it: "www@.service"), or the old
 *                                                form UNIT.wants/cell@NAME.service
 *
 * The links are what "systemctl enable" would make, which refuses
 * generated units; output is a pure function of the unit files: sorted by
 * name, no timestamps. */

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

#define GENERATOR_DROPIN_NAME "50-cell-generator.conf"
/* LOG_WARNING's "<N>", before a warning's line on GeneratorOptions.err */
#define GENERATOR_WARNING_MARK "<4>"

typedef struct GeneratorEntry {
        char *path;             /* relative to the output directory */
        char *content;          /* a file's text, or NULL for a symlink */
        char *link_target;      /* a symlink's target, or NULL for a file */
} GeneratorEntry;

typedef struct GeneratorOutput {
        GeneratorEntry *entries;
        size_t n_entries;
        char **warnings;        /* what was left out (an Alias= systemd would reject, of a
                                 * config made by hand: unit_load() leaves those out itself) */
} GeneratorOutput;

void generator_output_done(GeneratorOutput *o);

/* The service instance a unit runs as: "web" -> "cell@web.service". A
 * template "worker@" runs as its DefaultInstance= (NULL: none; returns 0
 * and *ret = NULL). */
int generator_service_name(const CellConfig *c, const char *name, char **ret);

/* What one loaded unit asks for, appended to out (pure: no file is
 * touched). template_path: the target of the links (cell@.service's
 * installed path). -EINVAL with a message in *ret_error for what systemd
 * would not take (a value it would read differently). */
int generator_unit(const CellConfig *c, const char *service, const char *template_path,
                   GeneratorOutput *out, char **ret_error);

typedef struct GeneratorOptions {
        char * const *search_path;      /* NULL: as unit_load() has it */
        const char *output_dir;
        const char *template_path;
        bool dry_run;                   /* print to out instead of writing */
        FILE *out;                      /* dry run */
        FILE *err;                      /* one line per problem */
        bool mark_warnings;             /* a warning's line begins with GENERATOR_WARNING_MARK
                                         * (an error's, "cell-generator: ", with nothing) */
} GeneratorOptions;

/* Every unit of the search path, sorted by name; a bad unit (or a file
 * whose name is no unit name) is reported on err and skipped, the others
 * are written. Returns the number of units and files skipped as bad (>= 0),
 * -ECANCELED when the output directory could not be opened or written (said
 * on err, naming the path), or -ENOMEM/-EIO. */
int generator_run(const GeneratorOptions *o);
