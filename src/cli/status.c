/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell status NAME [--json] [--user]: one running cell in detail.
 * Exit status 0 when it runs, 3 when it does not or is still starting or
 * stopping (as systemctl status, which exits 3 for a unit not active). */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "fs-util.h"
#include "instance.h"
#include "json-write.h"
#include "log.h"
#include "name-lock.h"
#include "runtime-state.h"
#include "strv.h"
#include "utf8.h"
#include "verbs.h"

static void help(void) {
        printf("cell status [OPTIONS] NAME\n\n"
               "Show a running cell: its scope and slice, the service it runs in, the\n"
               "container's PID 1, state, uptime, memory and tasks.\n\n"
               "  -h --help    Show this help\n"
               "     --json    Print a JSON object (keys as in \"cell list --json\")\n"
               "     --user    Ask the user's systemd instead of the system's\n\n"
               "Exit status: 0 running, 3 not running, still starting or stopping, 2 on errors.\n");
}

/* What the supervisor is now: a long-running "cell run" execs cell-monitor
 * (src/monitor), which keeps its PID, and says so in /proc/PID/comm. */
static const char *supervisor_kind(pid_t pid) {
        return instance_pid_comm_is(pid, "cell-monitor") ? "cell-monitor" : "cell run";
}

/* LABEL and VALUE on a line of their own, VALUE as "cell plan" prints what
 * a unit wrote: a Description= (or a directory name in the unit's path)
 * with an escape sequence or a newline in it would otherwise move the
 * cursor, or make a line of its own for a script that reads these. */
static void print_escaped(const char *label, const char *value) {
        fputs(label, stdout);
        utf8_fputs_escaped(stdout, value);
        putchar('\n');
}

static void print_text(const CellInstance *i) {
        char up[32], mem[32], since[64] = "";
        struct tm tm;
        time_t t = (time_t) (i->since_usec / USEC_PER_SEC);

        if (i->since_usec > 0 && localtime_r(&t, &tm))
                strftime(since, sizeof since, " since %a %Y-%m-%d %H:%M:%S %Z", &tm);

        printf("* %s", i->name);
        if (i->description)
                print_escaped(" - ", i->description);
        else
                putchar('\n');
        if (i->manager == CGROUP_MANAGER_SYSTEMD)
                printf("    Manager: systemd (%s in %s)\n", strna(i->unit), strna(i->slice));
        else
                printf("    Manager: %s\n", strna(cgroup_manager_to_string(i->manager)));
        if (i->unit_path)
                print_escaped("       Unit: ", i->unit_path);
        if (i->service)
                print_escaped("    Service: ", i->service);
        printf("      State: %s%s (%s ago)\n", strna(i->state), since,
               cli_format_span(up, sizeof up, cli_uptime_usec(i)));
        /* A scope systemd starts or stops: shown, but not running (exit 3). */
        if (startswith(strempty(i->state), "deactivating/"))
                printf("             (stopping: not running; what is left of it is being ended)\n");
        else if (!cli_instance_running(i))
                printf("             (starting: not running yet)\n");
        if (i->leader > 0)
                printf("        PID: %d (the container's PID 1)\n", (int) i->leader);
        if (i->supervisor > 0)
                printf(" Supervisor: %d (%s)\n", (int) i->supervisor, supervisor_kind(i->supervisor));
        printf("     Memory: %s\n", cli_format_bytes(mem, sizeof mem, i->memory_current));
        if (i->tasks_current != UINT64_MAX)
                printf("      Tasks: %" PRIu64 "\n", i->tasks_current);
        else
                printf("      Tasks: -\n");
        if (i->control_group) {
                /* On a hybrid host, where the limits' v1 hierarchies have it elsewhere. */
                _cleanup_strv_free_ char **elsewhere = NULL;
                print_escaped("     CGroup: ", i->control_group);
                (void) instance_cgroups_elsewhere(i, &elsewhere);
                STRV_FOREACH(l, elsewhere)
                        print_escaped("             ", *l);
        }
}

/* A cell that does not run, with the keys of one that does (STATUS JSON:
 * every key always there, null when unknown), as "cell list --json" shows
 * a start under way or a run that cleans up. */
static int print_not_running_json(const CellInstance *i) {
        JsonWriter w;

        json_writer_init(&w, stdout, true);
        cli_instance_json(&w, i);
        return json_writer_finish(&w);
}

int verb_status(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_USER };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h'      },
                { "json", no_argument, NULL, ARG_JSON },
                { "user", no_argument, NULL, ARG_USER },
                {}
        };
        _cleanup_free_ char *name = NULL;
        bool json = false, user_bus = false, running;
        CellInstance i = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CELL_EXIT_OK;
                case ARG_JSON:
                        json = true;
                        break;
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
                log_error("Missing cell name. See \"cell status --help\".");
                return CELL_EXIT_FAILURE;
        }
        if (optind + 1 < argc) {
                log_error("cell status takes one cell name, not %d. See \"cell status --help\".", argc - optind);
                return CELL_EXIT_FAILURE;
        }

        r = cli_find_instance(argv[optind], user_bus, false, &name, &i);
        if (r == CELL_EXIT_NOT_RUNNING) {
                /* A start under way (any manager) has only its name's lock: it is
                 * shown, exit 3 as "systemctl status" of an activating unit
                 * (and "cell exec" of it). A run whose state is there too is
                 * past its start: its payload has ended and it cleans up (its
                 * cgroups, then the lock, then the state), not running (3), as
                 * a deactivating unit. */
                CellInstance x = { .name = name, .manager = _CGROUP_MANAGER_MAX,
                                   .memory_current = UINT64_MAX, .tasks_current = UINT64_MAX };
                bool held;

                RuntimeState left = {};
                bool killed;

                r = cli_lock_holder_instance(name, &x);
                if (r == -ENOMEM)
                        return log_oom(), CELL_EXIT_FAILURE;
                held = r >= 0;
                /* A state whose cell run and payload are both gone: a
                 * killed run's, which only "cell stop" or the next start
                 * removes. Said, as systemctl shows a unit that failed. */
                killed = !held && runtime_state_left(name, &left) > 0;
                if (killed) {
                        x.manager = left.manager;
                        x.unit_path = left.unit_path;
                        x.state = (char *) "failed";
                }
                r = 0;
                if (json)
                        r = print_not_running_json(&x);
                else if (held && streq(x.state, "deactivating"))
                        printf("cell %s is stopping: its payload has exited, and its cell run (PID %d) "
                               "is cleaning up.\n", name, (int) x.supervisor);
                else if (held)
                        printf("cell %s is starting (cell run: PID %d).\n", name, (int) x.supervisor);
                else if (killed)
                        printf("cell %s is not running: its cell run (PID %d) was killed and left its runtime "
                               "state%s behind. \"cell stop %s\" removes %s, as its next start does.\n", name,
                               (int) left.supervisor, left.manager == CGROUP_MANAGER_CGROUPFS ? " and cgroups" : "",
                               name, left.manager == CGROUP_MANAGER_CGROUPFS ? "them" : "it");
                else
                        printf("cell %s is not running.\n", name);
                if (held)
                        instance_done(&x);
                runtime_state_done(&left);
                if (r >= 0)
                        r = fflush_and_check(stdout);
                if (r < 0)
                        return log_error_errno(r, "Failed to print the status of cell %s: %m", name),
                               CELL_EXIT_FAILURE;
                return CELL_EXIT_NOT_RUNNING;
        }
        if (r != CELL_EXIT_OK)
                return r;

        if (json) {
                JsonWriter w;
                json_writer_init(&w, stdout, true);
                cli_instance_json(&w, &i);
                r = json_writer_finish(&w);
        } else {
                print_text(&i);
                r = fflush_and_check(stdout);
        }
        if (r < 0)
                log_error_errno(r, "Failed to print the status of cell %s: %m", name);
        /* As "systemctl status": 3 for a unit that is not active (a scope
         * systemd stops, "deactivating"), though it is shown. */
        running = cli_instance_running(&i);
        instance_done(&i);
        return r < 0 ? CELL_EXIT_FAILURE : running ? CELL_EXIT_OK : CELL_EXIT_NOT_RUNNING;
}
