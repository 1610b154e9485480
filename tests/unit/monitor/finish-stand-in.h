/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Stands in for "cell __finish" when cell-monitor execs this test binary
 * (or a copy of it) as its cell: writes its arguments to the file
 * $TEST_MONITOR_FINISH names and exits with --status=. Included by the one
 * test file of each binary. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void finish_stand_in(int argc, char **argv) {
        const char *out = getenv("TEST_MONITOR_FINISH");
        int status = 0;

        if (argc < 2 || strcmp(argv[1], "__finish") != 0 || !out)
                return;
        FILE *f = fopen(out, "we");
        for (int i = 2; f && i < argc; i++) {
                fprintf(f, "%s\n", argv[i]);
                (void) sscanf(argv[i], "--status=%d", &status);
        }
        if (f)
                fclose(f);
        _exit(status);
}
