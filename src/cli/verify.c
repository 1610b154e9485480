/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell verify [--name NAME] FILE|NAME...
 * cell verify [--name NAME] --drop-in=UNIT[:DROPIN.conf] FILE...
 *
 * Loads and plans each unit and reports every problem of every unit, so
 * that a config-management tool (Ansible's "validate:") learns all of them
 * in one run. A unit is valid when both the file and the plan built from it
 * are: plan-time checks count. With --drop-in, the FILEs are drop-ins not
 * yet deployed, and the one unit checked is UNIT with them (drop-in-arg.h,
 * shared with "cell plan --drop-in"). */

#include <getopt.h>
#include <stdio.h>

#include "cgroup-v1-notice.h"
#include "diag.h"
#include "drop-in-arg.h"
#include "log.h"
#include "macros.h"
#include "plan.h"
#include "unit.h"
#include "verbs.h"
#include "verify-mounts.h"

typedef enum VerifyResult {
        VERIFY_VALID,
        VERIFY_INVALID,         /* problems in the unit, or no such unit */
        VERIFY_UNCHECKED,       /* the unit could not be read: permissions, I/O */
} VerifyResult;

static void verify_help(void) {
        printf("cell verify [OPTIONS] FILE|NAME...\n"
               "cell verify [OPTIONS] --drop-in=UNIT[:DROPIN.conf] FILE...\n\n"
               "Check units and report every problem of every one of them.\n\n"
               "  -h --help        Show this help\n"
               "  -n --name NAME   The unit name for specifiers and the default hostname\n"
               "                   (for files whose name is not the unit's, e.g. /tmp/tmpk2f9x)\n"
               "  -d --drop-in=UNIT[:DROPIN.conf]\n"
               "                   Check UNIT (a name or a path) with the FILEs as drop-ins\n"
               "                   not yet installed: applied after its installed ones, or,\n"
               "                   for one FILE, as DROPIN.conf (replacing an installed one)\n\n"
               "Exit status: 0 all valid, 1 any invalid (or missing), 2 usage error or a unit\n"
               "that could not be read. See cell(1).\n");
}

static int verify_one(const char *arg, const UnitLoadOptions *opts, VerifyRoot *root, VerifyResult *ret) {
        Plan p;
        int r;

        /* Every plan-time check, without building what only "cell run" needs. */
        r = cli_load_plan(arg, opts, &(const PlanOptions) { .verify_only = true }, &p);
        if (r >= 0) {
                _cleanup_(diag_done) Diagnostics diag = {};
                int k;

                /* What "cell run" refuses on this host before it makes
                 * anything: a mount whose target the root (or cell) holds
                 * as a file of the other kind. */
                r = cli_check_mount_targets_root(&p, root, &diag);
                cli_diag_print(&diag);
                /* verify runs on the host the unit is for: the keys its cgroup v1
                 * controllers refuse or leave unapplied, as warnings. */
                k = cg_v1_host_notices_print(&p, stderr);
                plan_done(&p);
                if (k < 0 && r >= 0)
                        r = k;
        }

        if (r == -ENOMEM)
                return log_oom();
        if (r >= 0)
                *ret = VERIFY_VALID;
        else
                *ret = cli_unit_exit_status(r) == CELL_EXIT_INVALID ? VERIFY_INVALID : VERIFY_UNCHECKED;
        return 0;
}

static int verify_summary(size_t n_valid, size_t n_invalid, size_t n_unchecked) {
        fprintf(stderr, "%zu unit%s checked: %zu valid, %zu invalid", n_valid + n_invalid + n_unchecked,
                n_valid + n_invalid + n_unchecked == 1 ? "" : "s", n_valid, n_invalid);
        if (n_unchecked > 0)
                fprintf(stderr, ", %zu could not be read", n_unchecked);
        fputs(".\n", stderr);

        if (n_unchecked > 0)
                return CELL_EXIT_FAILURE;
        return n_invalid > 0 ? CELL_EXIT_INVALID : CELL_EXIT_OK;
}

/* --drop-in: the one unit, with files[] as its drop-ins not yet installed. */
static int verify_drop_ins(const char *arg, char **files, size_t n_files, UnitLoadOptions *opts) {
        _cleanup_(cli_drop_in_done) CliDropIn d = {};
        _cleanup_(verify_root_done) VerifyRoot root = { .fd = -EBADF };
        VerifyResult v;
        int r;

        r = cli_drop_in_setup(&d, arg, files, n_files, "verify", opts);
        if (r < 0)
                return CELL_EXIT_FAILURE;
        r = verify_one(d.unit, opts, &root, &v);
        if (r < 0)
                return CELL_EXIT_FAILURE;
        return verify_summary(v == VERIFY_VALID, v == VERIFY_INVALID, v == VERIFY_UNCHECKED);
}

int verb_verify(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument,       NULL, 'h' },
                { "name", required_argument, NULL, 'n' },
                { "drop-in", required_argument, NULL, 'd' },
                {}
        };
        /* An Alias= systemctl enable refuses is an error here; elsewhere (cell
         * run, the generator at boot) a warning, and the alias left out. */
        UnitLoadOptions opts = { .verify = true };
        _cleanup_(verify_root_done) VerifyRoot root = { .fd = -EBADF };
        const char *drop_in = NULL;
        size_t n_valid = 0, n_invalid = 0, n_unchecked = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "hn:d:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verify_help();
                        return CELL_EXIT_OK;
                case 'n':
                        if (cli_check_name_option(optarg) < 0)
                                return CELL_EXIT_FAILURE;
                        opts.name = optarg;
                        break;
                case 'd':
                        if (cli_drop_in_option(&drop_in, optarg, "verify") < 0)
                                return CELL_EXIT_FAILURE;
                        break;
                case '?':
                        return CELL_EXIT_FAILURE;
                default:
                        return CELL_EXIT_FAILURE;
                }

        if (drop_in) {
                r = verify_drop_ins(drop_in, argv + optind, argc - optind, &opts);
                cg_v1_host_forget();
                return r;
        }
        if (optind >= argc) {
                log_error("No unit given. See \"cell verify --help\".");
                return CELL_EXIT_FAILURE;
        }
        /* One name is one unit's: several files checked under it would each
         * be taken for that unit (its drop-ins, its specifiers). */
        if (opts.name && argc - optind > 1) {
                log_error("--name %s names one unit, but %d were given: check each file with its own --name.",
                          opts.name, argc - optind);
                return CELL_EXIT_FAILURE;
        }

        for (int i = optind; i < argc; i++) {
                VerifyResult v;

                r = verify_one(argv[i], &opts, &root, &v);
                if (r < 0) {
                        cg_v1_host_forget();
                        return CELL_EXIT_FAILURE;
                }
                switch (v) {
                case VERIFY_VALID:
                        n_valid++;
                        break;
                case VERIFY_INVALID:
                        n_invalid++;
                        break;
                case VERIFY_UNCHECKED:
                        n_unchecked++;
                        break;
                default:
                        return CELL_EXIT_FAILURE;
                }
        }

        /* What was read of the host, once for every unit. */
        cg_v1_host_forget();
        return verify_summary(n_valid, n_invalid, n_unchecked);
}
