/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stand-ins for another version's cell-monitor, as an upgrade during a start
 * pairs one with cell (test-monitor-format, faults-monitor-format).
 * FAKE_NEWER: one of a later hand-over format, which answers cell's
 * "--handover-check" with it. Else one older than the formats, which knows
 * no such option and exits 2 on it, as getopt_long() has any cell-monitor
 * do with an option it does not know. Either exits 2 on a hand-over, as a
 * cell-monitor that cannot read it does: the container ends with it. */
#include <stdio.h>
#include <string.h>

int main(int argc, char *argv[]) {
#ifdef FAKE_NEWER
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--handover-check") == 0) {
                        printf("999 9.9.9\n");
                        return 1;
                }
        fprintf(stderr, "cell-monitor: this cell-monitor reads hand-over format 999 only.\n");
#else
        if (argc > 1)
                fprintf(stderr, "%s: unrecognized option '%s'\n", argv[0], argv[1]);
#endif
        return 2;
}
