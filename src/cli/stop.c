/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell stop NAME [--user]: stop a running cell gracefully, as systemd
 * would: KillSignal= to the payload, SIGKILL after TimeoutStopSec=. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "fs-util.h"
#include "instance.h"
#include "lock-file.h"
#include "log.h"
#include "name-lock.h"
#include "port-lock.h"
#include "runtime-state.h"
#include "scope.h"
#include "strv.h"
#include "unit-name.h"
#include "unit-path.h"
#include "verbs.h"

/* The start of NAME that is under way is stopped as a running cell's stop
 * is: SIGTERM to its "cell run", which ends the start ("Stopped while
 * starting", exit 0) or, if the payload runs by then, stops it
 * (KillSignal=, TimeoutStopSec=); waits for it to be gone. A run that
 * cleans up after its payload gets no signal, only the wait. 0 if there
 * was one, -ESRCH if not; other failures are reported here. */
static int stop_starting(const char *name) {
        pid_t pid = 0;
        _cleanup_close_ int pidfd = name_lock_holder_pidfd(name, &pid);
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        if (pidfd < 0)
                return -ESRCH;
        /* Not known whether it starts or cleans up: no signal on a guess. */
        int past = runtime_state_of_supervisor(name, pid);
        if (past < 0)
                return log_error_errno(past, "Stopping the start of cell %s: reading its runtime state %s/%s/state: %m",
                                       name, runtime_state_dir(), name);
        if (past > 0)
                /* Past its start (its state is there): its payload has ended
                 * and it cleans up, which SIGTERM must not cut short. Waited
                 * for, as "systemctl stop" waits for a unit that stops. */
                log_debug("cell %s has ended: waiting for its cell run (PID %d) to clean up.", name, (int) pid);
        else {
                log_debug("cell %s is starting: stopping that start.", name);
                if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0)
                        return errno == ESRCH ? 0 :
                                log_error_errno(errno, "Stopping the start of cell %s: sending SIGTERM to its cell "
                                                "run (PID %d): %m", name, (int) pid);
        }
        /* A stopped (^Z) "cell run" would neither see the SIGTERM nor end
         * its clean-up: as instance_stop(). */
        (void) syscall(SYS_pidfd_send_signal, pidfd, SIGCONT, NULL, 0);
        /* No deadline, as for a running cell: its TimeoutStopSec= ends it. */
        while (poll(&p, 1, -1) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "Stopping the start of cell %s: waiting for its cell run "
                                               "(PID %d) to end: %m", name, (int) pid);
        return 0;
}

/* The lock files of places (Directory=, Bind= sources), images, picked
 * UID ranges and macvlan addresses that no one holds: a killed run left its own there, which only
 * a later start taking that very file would have removed. Each tried as a
 * start's sweep tries them (lock_dir_sweep()): a held one stays untouched. */
static void stop_sweep_lock_dirs(void) {
        static const char *const dirs[] = { CELL_PLACE_LOCK_DIR, CELL_IMAGE_LOCK_DIR, CELL_UID_LOCK_DIR,
                                            CELL_MACVLAN_LOCK_DIR };

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_close_ int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                if (fd >= 0)
                        (void) lock_dir_sweep(fd, SIZE_MAX, 0);
        }
}

/* What a killed run of NAME left behind (its "cell run" gone): a cgroupfs
 * run's cgroups, taken back as its next start would, its nft tables (Port=)
 * and the runtime state of either manager. A running cell's stay: its take-back lock and name
 * lock are held, and its state names a "cell run" that runs. */
static void stop_take_back(const char *name) {
        unsigned removed = 0;
        int k = scope_cgroupfs_take_back(name, &removed);

        if (k < 0)
                log_warning_errno(k, "Taking back what a killed run of %s left: %m", name);
        else if (removed > 0)
                log_info("Removed the %u cgroup%s a killed run of %s left behind.", removed,
                         removed == 1 ? "" : "s", name);
        /* Its nft tables, which a killed run with Port= left forwarding its
         * host ports (here, where a start of that name ran). */
        k = port_table_take_back(name);
        if (k < 0)
                log_warning_errno(k, "Removing the nft tables a killed run of %s left: %m", name);
        /* The take-back above removes the state only along with a lock file
         * a killed run left (no --user scope takes one), and a holder of the
         * lock may have gone before its state did. Only a state whose "cell
         * run" is gone goes. */
        (void) runtime_state_remove(name, 0);
        stop_sweep_lock_dirs();
}

/* Whether cell@INSTANCE.service starts the cell NAME (canonical: the name
 * of its unit). systemd knows nothing of a cell's aliases: with web.cell ->
 * nginx.cell, cell@web.service and cell@nginx.service are two units, and
 * both run the cell nginx ("cell run web" is "cell run nginx"). */
static bool service_starts(const char *instance, const char *name, const char *canonical) {
        _cleanup_free_ char *c = NULL;

        if (streq(instance, name) || streq(instance, canonical))
                return true;
        return unit_name_canonical(instance, NULL, &c) >= 0 && streq(c, canonical);
}

/* Stops every cell@X.service but skip that starts the cell NAME (X: NAME,
 * or any name of its unit, since an admin may have enabled either) and is
 * starting or waits out its RestartSec= (include_active: or is up with no
 * cell found), as "systemctl stop" would, so that no Restart= starts the
 * cell (again). The number stopped, or -errno (logged). */
static int stop_services(const char *name, bool user_bus, bool include_active, const char *skip) {
        _cleanup_strv_free_ char **instances = NULL;
        _cleanup_free_ char *canonical = NULL;
        int r, n = 0;

        r = instance_service_instances(user_bus, include_active, &instances);
        if (r < 0)
                return log_error_errno(r, "Listing the cell@ services of the %s manager: %m",
                                       user_bus ? "user's" : "system's");
        if (unit_name_canonical(name, NULL, &canonical) < 0 && !(canonical = strdup(name)))
                return log_oom();
        STRV_FOREACH(x, instances) {
                _cleanup_free_ char *service = NULL;

                if (!service_starts(*x, name, canonical))
                        continue;
                if (cell_service_name(*x, &service) < 0)
                        return log_oom();
                if (streq_ptr(skip, service))
                        continue;
                r = instance_stop_service(*x, user_bus, USEC_INFINITY, NULL);
                if (r == -ESRCH)
                        continue;       /* stopped meanwhile */
                if (r == -EIO)
                        return log_error_errno(r, "Stopping %s, which starts cell %s, failed (see its journal).",
                                               service, canonical);
                if (r == -ECANCELED)
                        return log_error_errno(r, "Stopping %s, which starts cell %s: its stop job was canceled "
                                               "(another job for it, a start, replaced it).", service, canonical);
                if (r < 0)
                        return log_error_errno(r, "Stopping %s, which starts cell %s: %m", service, canonical);
                log_debug("cell %s: stopped %s, which was starting it.", canonical, service);
                n++;
        }
        return n;
}

static void help(void) {
        printf("cell stop [OPTIONS] NAME\n\n"
               "Stop a running cell and wait until it is gone. A cell run by a service\n"
               "(cell@NAME.service) is stopped by stopping that service, so Restart= does not\n"
               "bring it back; so is a cell@NAME.service (or cell@ALIAS.service, of another\n"
               "name of the unit) that is starting the cell or waits out its RestartSec= to\n"
               "start it again. Otherwise its \"cell run\" process gets SIGTERM and stops the\n"
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
        /* Missing and extra names as "cell kill" and "cell exec" say of them. */
        if (optind >= argc) {
                log_error("Missing cell name. See \"cell stop --help\".");
                return CELL_EXIT_FAILURE;
        }
        if (optind + 1 < argc) {
                log_error("cell stop takes one cell name, not %d. See \"cell stop --help\".", argc - optind);
                return CELL_EXIT_FAILURE;
        }
        r = cli_find_instance(argv[optind], user_bus, false, &name, &i);
        if (r == CELL_EXIT_NOT_RUNNING) {
                /* No cell, but a service may be starting it, or waiting
                 * out its RestartSec= to start it again: stopped first, as
                 * "systemctl stop" would, so that it does not. A start by
                 * its "cell run" that SIGTERM ends ("Stopped while
                 * starting", exit 0) would leave the service to its
                 * Restart=always, which starts the cell again. */
                int n = stop_services(name, user_bus, true, NULL), k;

                if (n < 0)
                        return CELL_EXIT_FAILURE;
                /* A start by hand (the service's is over now, its lock
                 * free). */
                k = stop_starting(name);
                if (k >= 0 || n > 0)
                        return CELL_EXIT_OK;
                if (k != -ESRCH)
                        return CELL_EXIT_FAILURE;       /* reported */
                log_error("cell %s is not running.", name);
        }
        if (r == CELL_EXIT_NOT_RUNNING)
                stop_take_back(name);
        if (r != CELL_EXIT_OK)
                return r;
        /* No deadline of our own: systemd's job and cell run's TimeoutStopSec= end it. */
        r = instance_stop(&i, user_bus, USEC_INFINITY);
        if (r == -EIO)
                log_error("Stopping %s failed (see its journal).", i.service ?: i.unit ?: name);
        else if (r == -ECANCELED)
                /* Not a failure of the stop to look for in its journal: the
                 * unit runs on ("Job for UNIT canceled.", says systemctl). */
                log_error("Stopping %s: its stop job was canceled (another job for it, a start, replaced it).",
                          i.service ?: i.unit ?: name);
        else if (r < 0)
                log_error_errno(r, "Stopping cell %s: %s%s%m", name, strempty(instance_last_step()),
                                instance_last_step() ? ": " : "");
        /* A cell whose "cell run" was killed is stopped by killing its PID 1
         * (instance_stop()): nobody else removes its cgroups and state now. */
        if (r >= 0 && i.manager != CGROUP_MANAGER_SYSTEMD)
                stop_take_back(name);
        /* Another service of the cell that waits to start it (again): a
         * cell@ALIAS.service beside cell@NAME.service, one that failed
         * while the cell ran ("already running") and waits out its
         * RestartSec=, would start it right after this stop. */
        if (r >= 0 && stop_services(name, user_bus, false, i.service) < 0)
                r = -EIO;
        instance_done(&i);
        return r < 0 ? CELL_EXIT_FAILURE : CELL_EXIT_OK;
}
