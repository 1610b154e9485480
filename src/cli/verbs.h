/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One verb per file (crun's layout); each parses its own options with
 * getopt_long starting at argv[0] == the verb's name, and returns the
 * process exit status. */

/* Exit statuses, documented in cell(1). The payload's own status (or
 * 128+signal) is returned by "run" as it is. */
#define CELL_EXIT_OK            0
#define CELL_EXIT_INVALID       1       /* a unit is invalid */
#define CELL_EXIT_FAILURE       2       /* usage, environment or launcher error */

int verb_verify(int argc, char *argv[]);
int verb_plan(int argc, char *argv[]);
int verb_run(int argc, char *argv[]);
