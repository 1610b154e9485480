/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renaming the process (process-name.h). */

#include <string.h>

#include "macros.h"
#include "process-name.h"

static char *area;
static size_t area_size;

void process_name_save(int argc, char **argv) {
        if (argc <= 0 || !argv || !argv[0])
                return;
        /* The kernel lays argv's strings out one after the other: the area
         * runs from the first to the end of the last, its NUL included.
         * Anything else (an argv made by hand) is left alone. */
        for (int i = 1; i < argc; i++)
                if (!argv[i] || argv[i] != argv[i - 1] + strlen(argv[i - 1]) + 1)
                        return;
        area = argv[0];
        area_size = (size_t) (argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
}

void process_cmdline_set(const char *name) {
        if (!area || area_size == 0)
                return;
        memset(area, 0, area_size);
        memcpy(area, name, MIN(strlen(name), area_size - 1));
}
