/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exit status of a unit that could not be loaded or planned, one rule
 * for every verb that loads one (cell(1), EXIT STATUS); and the loading and
 * planning itself, with its diagnostics printed. */

#include <errno.h>
#include <stdio.h>

#include "plan.h"
#include "strv.h"
#include "unit.h"
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

int cli_load_plan(const char *unit, const UnitLoadOptions *lo, const PlanOptions *po, Plan *ret) {
        _cleanup_(cell_config_done) CellConfig config = {};
        _cleanup_(diag_done) Diagnostics diag = {};
        int r;

        r = unit_load(unit, lo, &config, &diag);
        if (r >= 0)
                r = plan_build(&config, po, ret, &diag);
        STRV_FOREACH(m, diag.messages)
                fprintf(stderr, "%s\n", *m);
        return r;
}
