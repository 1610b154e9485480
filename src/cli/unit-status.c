/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exit status of a unit that could not be loaded or planned, one rule
 * for every verb that loads one (cell(1), EXIT STATUS); and the loading and
 * planning itself, with its diagnostics printed. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output-relay.h"
#include "plan.h"
#include "strv.h"
#include "unit.h"
#include "utf8.h"
#include "verbs.h"

int cli_unit_exit_status(int r) {
        switch (r) {
        case -EINVAL:           /* problems in the unit, each reported */
        case -ENOENT:           /* no such file or unit (or it is gone, for exec) */
        case -ENOTDIR:
        case -EISDIR:           /* a directory is not a unit file */
        case -EBADFD:           /* nor is a FIFO or a device */
        case -EFBIG:            /* larger than any unit (UNIT_FILE_MAX) */
        case -ELOOP:
        case -ENAMETOOLONG:
        case -ENXIO:            /* an alias of a unit that does not exist: as missing as that unit */
                return CELL_EXIT_INVALID;
        default:                /* this machine could not read it: permissions, I/O, memory */
                return CELL_EXIT_FAILURE;
        }
}

/* A message as written, but for what a terminal would take as a command
 * (a unit's value or key with an escape sequence in it), as "cell plan"
 * prints them. On a service's journal stream with the level's "<N>", as
 * log.c writes cell's other messages: journald files it at err (warning),
 * not at the stream's info, so "journalctl -p err" shows why a start failed.
 * The level is the one diag_level() kept, not read back from the text: an
 * error may quote a value that says "warning: " itself. */
static void print_message(FILE *f, int level, const char *m) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *s = open_memstream(&buf, &size);

        if (output_relay_is_journal_stream(fileno(f), getenv("JOURNAL_STREAM")))
                fprintf(s ?: f, "<%d>", level);
        /* Escaped into memory, then one write: stderr is unbuffered, and a
         * character a write() made a file of garbage (a message a line)
         * cost seconds for verify, plan and run alike. */
        utf8_fputs_escaped(s ?: f, m);
        fputc('\n', s ?: f);
        if (s && fclose(s) == 0)
                fwrite(buf, 1, size, f);
}

void cli_diag_print(const Diagnostics *d) {
        for (size_t i = 0; i < d->n_messages; i++)
                print_message(stderr, diag_level(d, i), d->messages[i]);
}

int cli_load_plan(const char *unit, const UnitLoadOptions *lo, const PlanOptions *po, Plan *ret) {
        _cleanup_(cell_config_done) CellConfig config = {};
        _cleanup_(diag_done) Diagnostics diag = {};
        int r;

        r = unit_load(unit, lo, &config, &diag);
        if (r >= 0)
                r = plan_build(&config, po, ret, &diag);
        cli_diag_print(&diag);
        return r;
}
