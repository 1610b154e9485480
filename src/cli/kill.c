/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell kill [-s SIGNAL] [--kill-whom=leader|all] [--all] [--user] NAME
 * [SIGNAL]: send a signal to a running cell's PID 1 (default SIGTERM), or to
 * every process of its cgroup. -s/--signal= and --kill-whom= are the forms
 * machinectl and systemctl take; the positional SIGNAL and --all are cell's
 * first ones and stay. */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"
#include "instance.h"
#include "log.h"
#include "name-lock.h"
#include "parse-value.h"
#include "runtime-state.h"
#include "signal-util.h"
#include "utf8.h"
#include "verbs.h"

static void help(void) {
        printf("cell kill [OPTIONS] NAME [SIGNAL]\n\n"
               "Send SIGNAL (default SIGTERM) to the container's PID 1. SIGNAL is a number or a\n"
               "name with or without \"SIG\" (HUP, SIGUSR1, RTMIN+3).\n\n"
               "  -h --help              Show this help\n"
               "  -s --signal=SIGNAL     The signal to send (instead of the SIGNAL argument);\n"
               "                         \"help\" lists the signal names, \"list\" their\n"
               "                         numbers and names\n"
               "     --kill-whom=WHOM    leader (or main): the container's PID 1 (the default);\n"
               "                         all: every process of the cell's cgroup\n"
               "  -a --all               The same as --kill-whom=all\n"
               "     --user              Ask the user's systemd instead of the system's\n\n"
               "Exit status: 0 sent, 3 not running, 2 on errors.\n");
}

/* What --signal=help prints, as "systemctl kill --signal=help" does: one
 * name a line, without "SIG", the real-time ones as RTMIN+N. Unlike
 * systemctl, which walks its table from 0 to _NSIG - 1 and so also prints
 * "0", "32" and "33", only names are listed: 0 is refused, and 32 and 33
 * (which glibc keeps for itself, below its SIGRTMIN) have no name but are
 * taken as numbers, as systemd's signal_from_string() takes 1 to _NSIG - 1. */
static void kill_list_signals(void) {
        for (int sig = 1; sig < SIGRTMIN; sig++)
                if (signal_name(sig))
                        printf("%s\n", signal_name(sig));
        for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
                printf("RTMIN+%d\n", sig - SIGRTMIN);
}

/* What --signal=list prints, as systemctl and machinectl 252 do: every
 * number kill takes (1 to SIGRTMAX) and its name, under a heading. The
 * real-time ones as SIGRTMIN+N; 32 and 33, which glibc keeps for itself and
 * which have no name, as "-" (systemctl's "SIG32" is no name it takes). */
static void kill_table_signals(void) {
        printf("%-6s %s\n", "SIGNAL", "NAME");
        for (int sig = 1; sig <= SIGRTMAX; sig++)
                if (sig >= SIGRTMIN)
                        printf("%-6d SIGRTMIN+%d\n", sig, sig - SIGRTMIN);
                else if (signal_name(sig))
                        printf("%-6d SIG%s\n", sig, signal_name(sig));
                else
                        printf("%-6d -\n", sig);
}

/* The same names and numbers as KillSignal= takes. hint: what to add to
 * the message ("" for none). What was typed is echoed escaped, as "cell
 * list" shows a name. */
static int kill_parse_signal(const char *s, const char *hint, int *ret) {
        _cleanup_free_ char *shown = NULL;

        if (parse_signal(s, ret) >= 0)
                return 0;
        shown = utf8_escaped(s);
        if (!shown)
                return log_oom();
        log_error("Unknown signal \"%s\".%s", shown, hint);
        return -EINVAL;
}

/* A start under way (its name's lock, no runtime state yet) has no
 * payload to signal: its "cell run" takes the signals that end a start
 * (SIGTERM: "Stopped while starting"), as "systemctl kill" of an activating
 * service reaches what runs of it; any other signal would kill "cell run"
 * mid-start, or mean nothing to it, so it is refused. */
static int kill_starting(const char *name, int sig) {
        pid_t pid = 0;
        _cleanup_close_ int pidfd = name_lock_holder_pidfd(name, &pid);

        if (pidfd < 0) {
                log_error("cell %s is not running.", name);
                return CELL_EXIT_NOT_RUNNING;
        }
        /* Its state there: no start but the end of a run, whose clean-up
         * (cgroups, network) a signal must not cut short. */
        int past = runtime_state_of_supervisor(name, pid);
        if (past < 0) {
                log_error_errno(past, "Reading the runtime state of cell %s (%s/%s/state): %m", name,
                                runtime_state_dir(), name);
                return CELL_EXIT_FAILURE;
        }
        if (past > 0) {
                log_error("cell %s is not running: its payload has exited, and its cell run (PID %d) is "
                          "cleaning up.", name, (int) pid);
                return CELL_EXIT_NOT_RUNNING;
        }
        if (sig != SIGTERM && sig != SIGINT && sig != SIGHUP) {
                log_error("cell %s is starting (cell run: PID %d): its payload does not run yet. Only SIGTERM, "
                          "SIGINT or SIGHUP, which end the start, are sent now (or \"cell stop %s\").",
                          name, (int) pid, name);
                return CELL_EXIT_NOT_RUNNING;
        }
        log_debug("cell %s is starting: signal %d to its cell run (PID %d).", name, sig, (int) pid);
        if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH) {
                log_error_errno(errno, "Sending signal %d to the cell run (PID %d) starting cell %s: %m",
                                sig, (int) pid, name);
                return CELL_EXIT_FAILURE;
        }
        return CELL_EXIT_OK;
}

int verb_kill(int argc, char *argv[]) {
        enum { ARG_USER = 0x100, ARG_KILL_WHOM };
        static const struct option options[] = {
                { "help",      no_argument,       NULL, 'h'           },
                { "signal",    required_argument, NULL, 's'           },
                { "kill-whom", required_argument, NULL, ARG_KILL_WHOM },
                { "all",       no_argument,       NULL, 'a'           },
                { "user",      no_argument,       NULL, ARG_USER      },
                {}
        };
        _cleanup_free_ char *name = NULL;
        bool user_bus = false, all = false, leader = false, sig_option = false;
        CellInstance i = {};
        int c, r, sig = SIGTERM;

        while ((c = getopt_long(argc, argv, "has:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return CELL_EXIT_OK;
                case 's':
                        /* As systemctl and machinectl: the list, whatever else is given. */
                        if (streq(optarg, "help") || streq(optarg, "list")) {
                                if (streq(optarg, "help"))
                                        kill_list_signals();
                                else
                                        kill_table_signals();
                                /* A list cut short (a full disk, a closed pipe) must say so, not exit 2 unexplained. */
                                r = fflush_and_check(stdout);
                                if (r < 0) {
                                        log_error_errno(r, "Failed to print the signal names: %m");
                                        return CELL_EXIT_FAILURE;
                                }
                                return CELL_EXIT_OK;
                        }
                        if (kill_parse_signal(optarg, "", &sig) < 0)
                                return CELL_EXIT_FAILURE;
                        sig_option = true;
                        break;
                case ARG_KILL_WHOM:
                        /* machinectl's "leader" and systemctl's "main" are both
                         * the one process that defines the cell's life: its PID 1.
                         * systemctl's "control" has no counterpart (no ExecStop=). */
                        if (streq(optarg, "leader") || streq(optarg, "main"))
                                leader = true;
                        else if (streq(optarg, "all"))
                                all = true;
                        else {
                                _cleanup_free_ char *shown = utf8_escaped(optarg);     /* as a name is echoed */
                                if (!shown)
                                        return log_oom(), CELL_EXIT_FAILURE;
                                log_error("Unknown --kill-whom=%s: expected leader, main or all.", shown);
                                return CELL_EXIT_FAILURE;
                        }
                        break;
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
        /* As "cell stop" and "cell status" say of a missing or extra name. */
        if (optind >= argc) {
                log_error("Missing cell name. See \"cell kill --help\".");
                return CELL_EXIT_FAILURE;
        }
        if (argc - optind > 2) {
                log_error("cell kill takes one cell name (and a signal after it), not %d arguments. See "
                          "\"cell kill --help\".", argc - optind);
                return CELL_EXIT_FAILURE;
        }
        if (all && leader) {
                log_error("--kill-whom=leader and --kill-whom=all (or --all) contradict each other.");
                return CELL_EXIT_FAILURE;
        }
        if (optind + 1 < argc) {
                if (sig_option) {
                        log_error("The signal is given twice: as --signal= and as \"%s\".", argv[optind + 1]);
                        return CELL_EXIT_FAILURE;
                }
                /* "cell kill web nginx": a second name, as machinectl kill takes them. */
                if (kill_parse_signal(argv[optind + 1], " cell kill takes one cell name, and a signal after it. "
                                      "See \"cell kill --help\".", &sig) < 0)
                        return CELL_EXIT_FAILURE;
        }

        r = cli_find_instance(argv[optind], user_bus, false, &name, &i);
        if (r == CELL_EXIT_NOT_RUNNING)
                return kill_starting(name, sig);
        if (r != CELL_EXIT_OK)
                return r;
        /* SIGSTOP cannot be caught: cell's reaper would stop, not pass it
         * on, and the payload would run on while "stopped". */
        if (sig == SIGSTOP && (!all || i.manager == CGROUP_MANAGER_NONE) && instance_leader_is_reaper(&i)) {
                if (i.manager == CGROUP_MANAGER_NONE)
                        log_error("cell %s runs with Init=yes: its PID 1 is cell's reaper, which cannot pass "
                                  "SIGSTOP on to the payload; refused (without a cgroup of its own, --all "
                                  "reaches its PID 1 alone).", name);
                else
                        log_error("cell %s runs with Init=yes: its PID 1 is cell's reaper, which cannot pass "
                                  "SIGSTOP on to the payload; refused. Use \"cell kill --all %s STOP\"%s%s%s.",
                                  name, name,
                                  !i.unit ? "" :
                                  user_bus ? " or \"systemctl --user freeze " : " or \"systemctl freeze ",
                                  strempty(i.unit), i.unit ? "\"" : "");
                instance_done(&i);
                return CELL_EXIT_FAILURE;
        }
        r = instance_kill(&i, user_bus, sig, all);
        instance_done(&i);
        const char *step = instance_last_step();
        /* Its PID 1 ended since it was looked up: not running now, as one
         * that was not running at all (exit 3, not an error). */
        if (r == -ESRCH) {
                log_error("cell %s is not running.", name);
                return CELL_EXIT_NOT_RUNNING;
        }
        if (r < 0)
                log_error_errno(r, "Sending signal %d to cell %s: %s%s%m", sig, name, strempty(step), step ? ": " : "");
        return r < 0 ? CELL_EXIT_FAILURE : CELL_EXIT_OK;
}
