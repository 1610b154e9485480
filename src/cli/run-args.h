/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "cell run"'s options and arguments (run-args.c); the run itself is run.c's. */

#include <stdbool.h>

#include "run-console.h"
#include "scope.h"

typedef struct RunArgs {
        CgroupManager manager;
        bool user_bus;
        const char *name;
        const char *unit;
        char **argv;            /* after "--", NULL when none */
        int register_machine;   /* --register=: > 0 yes, < 0 no, 0 the unit's Register= */
        RunConsoleMode console; /* --console= */
} RunArgs;

/* Returns 1 to go on, 0 to exit successfully (--help), <0 on usage errors
 * (reported). */
int run_parse_argv(int argc, char *argv[], RunArgs *a);
