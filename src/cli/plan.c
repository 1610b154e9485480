/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell plan [--json] [--name NAME] FILE|NAME [-- ARGS...]
 * cell plan [--json] [--name NAME] --drop-in=UNIT[:DROPIN.conf] FILE... [-- ARGS...]
 *
 * Prints what "cell run" would do with the unit, after drop-ins and
 * specifiers: as text, or as the stable JSON documented in cell(1). With
 * --drop-in, the unit is UNIT with the FILEs as drop-ins not yet installed,
 * as "cell verify --drop-in" checks it (drop-in-arg.h): what they would
 * change, before they are deployed. */

#include <getopt.h>
#include <stdio.h>

#include "cgroup-v1-notice.h"
#include "drop-in-arg.h"
#include "fs-util.h"
#include "log.h"
#include "plan.h"
#include "scope.h"
#include "unit.h"
#include "verbs.h"

static void plan_help(void) {
        printf("cell plan [OPTIONS] FILE|NAME [-- ARGS...]\n"
               "cell plan [OPTIONS] --drop-in=UNIT[:DROPIN.conf] FILE... [-- ARGS...]\n\n"
               "Show what a unit would do: namespaces, mounts, identity, privileges,\n"
               "seccomp, limits and the scope, after drop-ins and specifiers.\n\n"
               "  -h --help        Show this help\n"
               "  -j --json        Print the plan as JSON (stable; schema in cell(1))\n"
               "  -n --name NAME   The unit name for specifiers and the default hostname\n"
               "  -d --drop-in=UNIT[:DROPIN.conf]\n"
               "                   Plan UNIT (a name or a path) with the FILEs as drop-ins\n"
               "                   not yet installed: applied after its installed ones, or,\n"
               "                   for one FILE, as DROPIN.conf (replacing an installed one),\n"
               "                   as \"cell verify\" takes them\n\n"
               "ARGS replace Exec= (with Boot=yes they are passed to init), as for \"cell run\":\n"
               "options go before FILE|NAME (or the drop-in FILEs), ARGS that start with \"-\"\n"
               "after \"--\" (after drop-in FILEs, all ARGS).\n"
               "Exit status: 0 printed, 1 the unit is invalid or cannot be loaded (missing, a\n"
               "directory), 2 usage or other error (a drop-in FILE that is not there).\n");
}

/* --drop-in=UNIT FILE... [-- ARGS...]: the FILEs end at "--"; one that
 * starts with "-" is an option put after them, refused as after a unit
 * (a file of such a name is "./-x"). *ret_args: the ARGS, maybe none. */
static int plan_drop_in_args(const char *drop_in, int argc, char *argv[], CliDropIn *d, UnitLoadOptions *opts,
                             char ***ret_args) {
        int end = optind;
        int r;

        while (end < argc && !streq(argv[end], "--")) {
                if (argv[end][0] == '-') {
                        log_error("\"%s\" after the drop-ins: options go before them, the payload's arguments "
                                  "after \"--\". See \"cell plan --help\".", argv[end]);
                        return -EINVAL;
                }
                end++;
        }
        r = cli_drop_in_setup(d, drop_in, argv + optind, end - optind, "plan", opts);
        if (r < 0)
                return r;
        *ret_args = argv + (end < argc ? end + 1 : end);
        return 0;
}

int verb_plan(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument,       NULL, 'h' },
                { "json", no_argument,       NULL, 'j' },
                { "name", required_argument, NULL, 'n' },
                { "drop-in", required_argument, NULL, 'd' },
                {}
        };
        _cleanup_(cli_drop_in_done) CliDropIn d = {};
        UnitLoadOptions load_opts = {};
        const char *drop_in = NULL, *unit;
        char **args;
        PlanOptions plan_opts = {};
        Plan p = {};
        bool json = false;
        int c, r;

        /* "+": options end at the unit, as for "cell run": what follows it is
         * the payload's, "cell plan web ls -l" included. */
        while ((c = getopt_long(argc, argv, "+hjn:d:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        plan_help();
                        return CELL_EXIT_OK;
                case 'j':
                        json = true;
                        break;
                case 'n':
                        if (cli_check_name_option(optarg) < 0)
                                return CELL_EXIT_FAILURE;
                        load_opts.name = optarg;
                        break;
                case 'd':
                        if (cli_drop_in_option(&drop_in, optarg, "plan") < 0)
                                return CELL_EXIT_FAILURE;
                        break;
                case '?':
                        return CELL_EXIT_FAILURE;
                default:
                        return CELL_EXIT_FAILURE;
                }

        if (drop_in) {
                r = plan_drop_in_args(drop_in, argc, argv, &d, &load_opts, &args);
                if (r < 0)
                        return CELL_EXIT_FAILURE;
                unit = d.unit;
        } else {
                if (optind >= argc) {
                        log_error("No unit given. See \"cell plan --help\".");
                        return CELL_EXIT_FAILURE;
                }
                /* The ARGS are those "cell run" takes: after the unit, "--"
                 * starts them ("cell run -- web -- ARGS" too), and a first one
                 * that starts with "-" is an option put after the unit,
                 * refused by both verbs. */
                unit = argv[optind];
                args = argv + optind + 1;
                if (*args && streq(*args, "--"))
                        args++;
                else if (*args && (*args)[0] == '-') {
                        log_error("\"%s\" after the unit: options go before %s, the payload's arguments after "
                                  "\"--\". See \"cell plan --help\".", *args, unit);
                        return CELL_EXIT_FAILURE;
                }
        }
        if (*args)
                plan_opts.argv_override = args;

        r = cli_load_plan(unit, &load_opts, &plan_opts, &p);
        if (r == -ENOMEM)
                return log_oom(), CELL_EXIT_FAILURE;
        if (r < 0)
                return cli_unit_exit_status(r);

        /* On standard error, before the plan: what this host's cgroup v1
         * controllers would refuse or leave unapplied (the JSON stays the unit's). */
        r = cg_v1_host_notices_print(&p, stderr);
        cg_v1_host_forget();
        if (r == -ENOMEM) {
                plan_done(&p);
                return log_oom(), CELL_EXIT_FAILURE;
        }
        r = json ? plan_print_json(&p, stdout) : plan_print_text(&p, stdout);
        /* Not part of the plan (it depends on this host, not the unit), so not
         * in the JSON: what "cell run --cgroup-manager=auto" would pick here. */
        if (r >= 0 && !json) {
                CgroupManager m = scope_detect_manager(false);
                printf("Cgroup manager:    %s (what --cgroup-manager=auto picks on this host)\n",
                       cgroup_manager_to_string(m));
                /* The Scope: line above is systemd's; the cgroupfs manager's is a cgroup of its own,
                 * named as scope-cgroupfs.c names it: the escaped scope name ("cell-worker\x403"). */
                if (m == CGROUP_MANAGER_CGROUPFS) {
                        const char *u = strna(p.scope_unit), *e = endswith(u, ".scope");
                        printf("                   (cgroupfs: the cgroup %.*s below cell's own, not a scope: "
                               "Slice= is systemd's)\n", (int) (e ? (size_t) (e - u) : strlen(u)), u);
                }
                printf("Device policy:     %s\n", scope_devices_enforcer(m, false));
                if (p.register_machine && m != CGROUP_MANAGER_SYSTEMD)
                        printf("Register:          refused here: systemd-machined needs a systemd scope, and the %s "
                               "manager makes none\n", cgroup_manager_to_string(m));
                /* These lines too: a plan cut short must not exit 0, and
                 * says why (ENOSPC of a full disk, not EIO). */
                r = fflush_and_check(stdout);
        }
        plan_done(&p);
        if (r < 0) {
                log_error_errno(r, "Failed to print the plan: %m");
                return CELL_EXIT_FAILURE;
        }
        return CELL_EXIT_OK;
}
