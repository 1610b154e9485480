/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "cell run"'s command line (run-args.h). */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "log.h"
#include "parse-value.h"
#include "run-args.h"
#include "strv.h"
#include "verbs.h"

static void help(void) {
        printf("cell run [OPTIONS] FILE|NAME [-- ARGS...]\n\n"
               "Run a unit's container in the foreground and supervise it.\n\n"
               "  -h --help                  Show this help\n"
               "     --cgroup-manager=MODE   auto (default), systemd, cgroupfs or none\n"
               "     --user                  Talk to the user's systemd (user bus)\n"
               "     --name=NAME             Name of the unit (for specifiers, hostname, scope)\n"
               "     --register=BOOL         Register with systemd-machined (default: Register=)\n"
               "     --console=MODE          interactive, read-only, passive, pipe or autopipe\n"
               "                             (default: interactive on a terminal, else pipe)\n"
               "  -P --pipe                  Same as --console=pipe\n"
               "  -v --verbose               Narrate every step on stderr\n\n"
               "ARGS replace Exec= (with Boot=yes they are appended to init's command line);\n"
               "options go before FILE|NAME, and ARGS that start with \"-\" after \"--\".\n"
               "Exit status: the payload's own, 128+N when it died of signal N (0 when it\n"
               "ended of KillSignal= on a stop asked for, as by \"cell stop\"; 133 when a\n"
               "Boot=yes container rebooted), 1 when the unit is invalid or cannot be\n"
               "loaded (missing, a directory), 2 when cell itself failed. See cell(1).\n");
}

int run_parse_argv(int argc, char *argv[], RunArgs *a) {
        enum { ARG_CGROUP_MANAGER = 0x100, ARG_USER, ARG_NAME, ARG_REGISTER, ARG_CONSOLE };
        static const struct option options[] = {
                { "help",           no_argument,       NULL, 'h'                },
                { "cgroup-manager", required_argument, NULL, ARG_CGROUP_MANAGER },
                { "user",           no_argument,       NULL, ARG_USER           },
                { "name",           required_argument, NULL, ARG_NAME           },
                { "register",       required_argument, NULL, ARG_REGISTER       },
                { "console",        required_argument, NULL, ARG_CONSOLE        },
                { "pipe",           no_argument,       NULL, 'P'                },
                { "verbose",        no_argument,       NULL, 'v'                },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "+hvP", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_CGROUP_MANAGER:
                        a->manager = cgroup_manager_from_string(optarg);
                        if (a->manager == _CGROUP_MANAGER_MAX)
                                return log_error_errno(EINVAL, "Unknown --cgroup-manager=%s (auto, systemd, cgroupfs, none).",
                                                       optarg);
                        break;
                case ARG_USER:
                        a->user_bus = true;
                        break;
                case ARG_NAME: {
                        int r = cli_check_name_option(optarg);
                        if (r < 0)
                                return r;
                        a->name = optarg;
                        break;
                }
                case ARG_REGISTER: {
                        int b = parse_boolean(optarg);
                        if (b < 0)
                                return log_error_errno(EINVAL, "Invalid --register=%s (a boolean: yes or no).", optarg);
                        a->register_machine = b ? 1 : -1;
                        break;
                }
                case ARG_CONSOLE:
                        a->console = run_console_mode_from_string(optarg);
                        if (a->console == _RUN_CONSOLE_MAX)
                                return log_error_errno(EINVAL, "Unknown --console=%s (interactive, read-only, passive, "
                                                       "pipe or autopipe).", optarg);
                        break;
                case 'P':
                        a->console = RUN_CONSOLE_PIPE;
                        break;
                case 'v':
                        log_set_max_level(LOG_DEBUG);
                        break;
                case '?':
                        return -EINVAL;
                default:
                        return -EINVAL;
                }

        /* --user asks for the user's systemd: without its bus, auto would fall
         * back to cgroupfs and make the container's cgroup below cell's own
         * (a login session's scope, which nothing delegated), unnoticed. */
        if (a->user_bus && a->manager == CGROUP_MANAGER_AUTO)
                a->manager = CGROUP_MANAGER_SYSTEMD;
        if (optind >= argc)
                return log_error_errno(EINVAL, "Missing unit. See \"cell run --help\".");
        a->unit = argv[optind++];
        /* getopt_long() stops at the unit; "--" after it starts the ARGS. */
        if (optind < argc && streq(argv[optind], "--"))
                optind++;
        else if (optind < argc && argv[optind][0] == '-')
                /* "cell run web -v" or "... --user" means an option put where
                 * systemctl would take it, never a payload named "-v": started,
                 * it would make a container (a system scope for --user) only
                 * to fail its Exec=. ARGS that start with "-" follow "--". */
                return log_error_errno(EINVAL, "\"%s\" after the unit: options go before %s, the payload's "
                                       "arguments after \"--\". See \"cell run --help\".",
                                       argv[optind], a->unit);
        if (optind < argc)
                a->argv = argv + optind;
        return 1;
}
