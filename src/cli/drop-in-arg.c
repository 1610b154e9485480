/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --drop-in=UNIT[:DROPIN.conf] FILE... of "cell verify" and "cell plan"
 * (drop-in-arg.h). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "drop-in-arg.h"
#include "log.h"
#include "macros.h"
#include "unit-dropin.h"

void cli_drop_in_done(CliDropIn *d) {
        d->unit = mfree(d->unit);
        d->name = mfree(d->name);
        d->extra = mfree(d->extra);
        d->n_extra = 0;
}

int cli_drop_in_option(const char **drop_in, const char *arg, const char *verb) {
        /* The FILEs are the one unit's: a second one would take them too. */
        if (*drop_in) {
                log_error("--drop-in given twice (%s, %s): one unit at a time, each with its own "
                          "\"cell %s --drop-in\".", *drop_in, arg, verb);
                return -EINVAL;
        }
        *drop_in = arg;
        return 0;
}

/* The text after the last ':' is the drop-in's name when it ends in ".conf"
 * (a ':' may be in a unit's name, "a:b.cell"). */
static int parse_drop_in(const char *arg, char **ret_unit, char **ret_name) {
        const char *colon = strrchr(arg, ':');
        _cleanup_free_ char *unit = NULL, *name = NULL;

        if (colon && (!endswith(colon + 1, ".conf") || strchr(colon + 1, '/')))
                colon = NULL;
        if (colon && !unit_dropin_name_is_valid(colon + 1)) {
                log_error("--drop-in=%s: \"%s\" is no drop-in name: one ends in \".conf\" and does not "
                          "begin with \".\".", arg, colon + 1);
                return -EINVAL;
        }
        unit = colon ? strndup(arg, colon - arg) : strdup(arg);
        if (!unit || (colon && !(name = strdup(colon + 1))))
                return log_oom();
        if (isempty(unit)) {
                log_error("--drop-in=%s names no unit.", arg);
                return -EINVAL;
        }
        *ret_unit = TAKE_PTR(unit);
        *ret_name = TAKE_PTR(name);
        return 0;
}

int cli_drop_in_setup(CliDropIn *d, const char *arg, char * const *files, size_t n_files, const char *verb,
                      UnitLoadOptions *opts) {
        int r;

        if (n_files == 0) {
                log_error("No drop-in given. See \"cell %s --help\".", verb);
                return -EINVAL;
        }
        r = parse_drop_in(arg, &d->unit, &d->name);
        if (r < 0)
                return r;
        /* One name, one file: two files of one name would be one installed file. */
        if (d->name && n_files > 1) {
                log_error("--drop-in=%s names one drop-in, but %zu files were given: one file at a time, each "
                          "with its own \"cell %s --drop-in\".", arg, n_files, verb);
                return -EINVAL;
        }
        d->extra = calloc(n_files, sizeof(UnitExtraDropin));
        if (!d->extra)
                return log_oom();
        for (size_t i = 0; i < n_files; i++) {
                struct stat st;

                /* Not there, the drop-in cannot be read, nor the unit with it:
                 * a mistake in the command, not a problem of the unit. */
                if (stat(files[i], &st) < 0)
                        return log_error_errno(errno, "%s: cannot use it as a drop-in of %s: %m", files[i],
                                               d->unit);
                /* Nor is a directory (or a FIFO, "<(...)") one: the unit was
                 * said invalid, exit status 1, for what the command got wrong. */
                if (S_ISDIR(st.st_mode))
                        return log_error_errno(EISDIR, "%s: cannot use it as a drop-in of %s: %m", files[i],
                                               d->unit);
                if (!S_ISREG(st.st_mode) && !(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))) {
                        log_error("%s: cannot use it as a drop-in of %s: not a regular file (nor /dev/null, a "
                                  "masked one)", files[i], d->unit);
                        return -EINVAL;
                }
                d->extra[i] = (UnitExtraDropin) { .path = files[i], .name = d->name };
        }
        d->n_extra = n_files;
        opts->extra_dropins = d->extra;
        opts->n_extra_dropins = n_files;
        return 0;
}
