/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell stop NAME [--user]: stop a running cell gracefully, as systemd
 * would: KillSignal= to the payload, SIGKILL after TimeoutStopSec=. */

#include <getopt.h>
#include <stdio.h>

#include "instance.h"
#include "log.h"
#include "scope.h"
#include "verbs.h"

static void help(void) {
        printf("cell stop [OPTIONS] NAME\n\n"
               "Stop a running cell and wait until it is gone. A cell run by a service\n"
               "(cell@NAME.service) is stopped by stopping that service, so Restart= does not\n"
               "bring it back. Otherwise its \"cell run\" process gets SIGTERM and stops the\n"
               "payload: KillSignal= to the container's PID 1, SIGKILL after TimeoutStopSec=.\n"
               "If that process is gone, systemd stops the cell's scope (KillSignal= to every\n"
               "process in it), or, without a scope, the container's PID 1 gets SIGKILL.\n\n"
               "  -h --help    Show this help\n"
               "     --user    Ask the user's systemd instead of the system's\n\n"
               "Exit status: 0 stopped, 3 not running, 2 on errors.\n");
}

int verb_stop(int argc, char *argv[]) {
        enum { ARG_USER = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h'      },
                { "user", no_argument, NULL, ARG_USER },
                {}
        };
        _cleanup_free_ char *name = NULL;
        bool user_bus = false;
        CellInstance i = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CELL_EXIT_OK;
                case ARG_USER:
                        user_bus = true;
                        break;
                case '?':
                        return CELL_EXIT_FAILURE;
                default:
                        return CELL_EXIT_FAILURE;
                }
        if (optind + 1 != argc) {
                log_error("Expected one cell name. See \"cell stop --help\".");
                return CELL_EXIT_FAILURE;
        }
        r = cli_find_instance(argv[optind], user_bus, true, &name, &i);
        if (r == CELL_EXIT_NOT_RUNNING) {
                /* Killed, it may have left its cgroups behind: ours to take back now. */
                unsigned removed = 0;
                int k = scope_cgroupfs_take_back(name, &removed);
                if (k < 0)
                        log_warning_errno(k, "Taking back what a killed run of %s left: %m", name);
                else if (removed > 0)
                        log_info("Removed the %u cgroup%s a killed run of %s left behind.", removed,
                                 removed == 1 ? "" : "s", name);
        }
        if (r != CELL_EXIT_OK)
                return r;
        /* No deadline of our own: systemd's job and cell run's TimeoutStopSec= end it. */
        r = instance_stop(&i, user_bus, USEC_INFINITY);
        if (r == -EIO)
                log_error("Stopping %s failed (see its journal).", i.service ?: i.unit ?: name);
        else if (r < 0)
                log_error_errno(r, "Stopping cell %s: %m", name);
        instance_done(&i);
        return r < 0 ? CELL_EXIT_FAILURE : CELL_EXIT_OK;
}
