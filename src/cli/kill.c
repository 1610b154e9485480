/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell kill NAME [SIGNAL] [--all] [--user]: send a signal to a running
 * cell's PID 1 (default SIGTERM), or to every process of its cgroup. */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "instance.h"
#include "log.h"
#include "parse-value.h"
#include "verbs.h"

static void help(void) {
        printf("cell kill [OPTIONS] NAME [SIGNAL]\n\n"
               "Send SIGNAL (default SIGTERM) to the container's PID 1. SIGNAL is a number or a\n"
               "name with or without \"SIG\" (HUP, SIGUSR1, RTMIN+3).\n\n"
               "  -h --help    Show this help\n"
               "  -a --all     Signal every process of the cell's cgroup instead\n"
               "     --user    Ask the user's systemd instead of the system's\n\n"
               "Exit status: 0 sent, 3 not running, 2 on errors.\n");
}

int verb_kill(int argc, char *argv[]) {
        enum { ARG_USER = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h'      },
                { "all",  no_argument, NULL, 'a'      },
                { "user", no_argument, NULL, ARG_USER },
                {}
        };
        _cleanup_free_ char *name = NULL;
        bool user_bus = false, all = false;
        CellInstance i = {};
        int c, r, sig = SIGTERM;

        while ((c = getopt_long(argc, argv, "ha", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CELL_EXIT_OK;
                case 'a':
                        all = true;
                        break;
                case ARG_USER:
                        user_bus = true;
                        break;
                case '?':
                        return CELL_EXIT_FAILURE;
                default:
                        return CELL_EXIT_FAILURE;
                }
        if (optind >= argc || argc - optind > 2) {
                log_error("Expected a cell name and an optional signal. See \"cell kill --help\".");
                return CELL_EXIT_FAILURE;
        }
        if (optind + 1 < argc) {
                /* The same names and numbers as KillSignal= takes. */
                if (parse_signal(argv[optind + 1], &sig) < 0) {
                        log_error("Unknown signal \"%s\".", argv[optind + 1]);
                        return CELL_EXIT_FAILURE;
                }
        }

        r = cli_find_instance(argv[optind], user_bus, true, &name, &i);
        if (r != CELL_EXIT_OK)
                return r;
        r = instance_kill(&i, user_bus, sig, all);
        if (r < 0)
                log_error_errno(r, "Sending signal %d to cell %s: %m", sig, name);
        instance_done(&i);
        return r < 0 ? CELL_EXIT_FAILURE : CELL_EXIT_OK;
}
