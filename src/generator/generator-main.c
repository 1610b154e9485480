/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cell-generator NORMAL-DIR [EARLY-DIR LATE-DIR]   (systemd.generator(7))
 * cell-generator --dry-run [DIR]                    print, write nothing
 *
 * Exit status: 0 every unit was generated, 1 some were invalid and skipped
 * (the others are written), 2 usage or I/O error. */

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config-build.h"
#include "generator.h"

#define DEFAULT_OUTPUT_DIR "/run/systemd/generator"

static void help(void) {
        printf("cell-generator NORMAL-DIR [EARLY-DIR LATE-DIR]\n"
               "cell-generator --dry-run [DIR]\n\n"
               "Make each NAME.cell of the unit search path part of systemd's boot: a drop-in\n"
               "for cell@NAME.service with the unit's [Unit] settings, and the links its\n"
               "[Install] section asks for. Run by systemd at boot and on daemon-reload.\n\n"
               "  -h --help       Show this help\n"
               "     --dry-run    Print what would be written below DIR (default %s)\n\n"
               "The unit search path is $CELL_UNIT_PATH if set, else %s.\n"
               "See cell-generator(8).\n", DEFAULT_OUTPUT_DIR, CELL_UNIT_SEARCH_PATH);
}

/* Problems go to stderr and, when systemd runs us at boot on a host, to the
 * kernel log as well (where journald picks them up): a generator's stderr
 * may lead nowhere. Not in a container, whose kmsg is the host's. Each line
 * at its level: a warning's begins with GENERATOR_WARNING_MARK, taken off
 * (in place) for stderr; any other is an error's. */
static void report(char *text, bool generator) {
        const char *virt = getenv("SYSTEMD_VIRTUALIZATION");
        _cleanup_close_ int kmsg = -EBADF;
        char *out = text;

        if (isempty(text))
                return;
        if (generator && getenv("SYSTEMD_SCOPE") && !(virt && startswith(virt, "container")))
                kmsg = open("/dev/kmsg", O_WRONLY|O_NOCTTY|O_CLOEXEC);
        for (char *l = text; *l; ) {
                bool warning = startswith(l, GENERATOR_WARNING_MARK);
                size_t n;

                if (warning)
                        l += strlen(GENERATOR_WARNING_MARK);
                n = strcspn(l, "\n");
                if (kmsg >= 0)
                        dprintf(kmsg, "<%d>%.*s\n", warning ? LOG_WARNING : LOG_ERR, (int) n, l);
                if (l[n])
                        n++;
                /* out never passes l: what is moved is read before it is written over */
                memmove(out, l, n);
                out += n;
                l += n;
        }
        *out = '\0';
        fputs(text, stderr);    /* one write, not one a line: a file of garbage has a message a line */
}

int main(int argc, char *argv[]) {
        enum { ARG_DRY_RUN = 0x100 };
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h'         },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                {}
        };
        bool dry_run = false;
        int c, r;

        /* getopt's messages begin with argv[0]: the name MESSAGES promises,
         * not the path systemd runs us by. */
        argv[0] = (char *) "cell-generator";
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_DRY_RUN:
                        dry_run = true;
                        break;
                case '?':
                        return 2;
                default:
                        return 2;
                }

        int n = argc - optind;
        if (dry_run ? n > 1 : (n != 1 && n != 3)) {
                fprintf(stderr, "cell-generator: expected %s. See --help.\n",
                        dry_run ? "at most one directory" : "one or three directories");
                return 2;
        }

        _cleanup_free_ char *errors = NULL;
        size_t errors_size = 0;
        FILE *err = open_memstream(&errors, &errors_size);
        if (!err) {
                fprintf(stderr, "cell-generator: out of memory\n");
                return 2;
        }
        const GeneratorOptions o = {
                .output_dir = n > 0 ? argv[optind] : DEFAULT_OUTPUT_DIR,
                .template_path = CELL_SYSTEMD_UNIT_DIR "/cell@.service",
                .dry_run = dry_run,
                .out = stdout,
                .err = err,
                .mark_warnings = true,
        };
        r = generator_run(&o);
        if (fclose(err) != 0)
                errors = mfree(errors);
        report(errors, !dry_run);
        if (r == -ECANCELED)
                return 2;       /* said, in errors */
        if (r < 0) {
                fprintf(stderr, "cell-generator: %s\n", strerror(-r));
                return 2;
        }
        return r > 0 ? 1 : 0;
}
