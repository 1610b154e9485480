/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EnvironmentFile=, for "cell run" and "cell exec": read on the host before
 * the clone (systemd reads them as the service manager, too), in order, and
 * the one place that says what was wrong with one. */

#include <errno.h>
#include <stdio.h>

#include "env-util.h"
#include "fs-util.h"
#include "log.h"
#include "plan.h"
#include "verbs.h"

static int read_one(const CellEnvironmentFile *e, char ***env) {
        _cleanup_(fclosep) FILE *f = NULL;
        unsigned line = 0;
        int r;

        r = env_file_open(e->path, &f);
        /* "-" makes a missing file no error, and nothing else (systemd
         * ignores any error then: a file cell cannot read is worth saying). */
        if (r == -ENOENT && e->ignore_missing) {
                log_debug("EnvironmentFile=-%s: missing, skipped", e->path);
                return 0;
        }
        if (r >= 0)
                r = env_file_parse(f, env, &line);
        switch (r) {
        case 0:
                return 0;
        case -EBADFD:
                return log_error_errno(r, "EnvironmentFile=%s: not a regular file (a FIFO, device or socket is not "
                                       "read)", e->path);
        case -EFBIG:
                return log_error_errno(r, "EnvironmentFile=%s: larger than %u MiB", e->path,
                                       ENV_FILE_SIZE_MAX / 1024U / 1024U);
        case -ENOBUFS:
                return log_error_errno(r, "EnvironmentFile=%s:%u: assignment too long (at most %u bytes)", e->path,
                                       line, ENV_FILE_LINE_MAX);
        case -EINVAL:
                return log_error_errno(r, "EnvironmentFile=%s:%u: not a variable name (letters, digits and \"_\", "
                                       "not starting with a digit)", e->path, line);
        case -EBADMSG:
                return log_error_errno(r, "EnvironmentFile=%s:%u: the quote opened here does not close", e->path,
                                       line);
        case -EILSEQ:
                return log_error_errno(r, "EnvironmentFile=%s:%u: the value is not valid UTF-8", e->path, line);
        case -ENOMEM:
                return log_oom();
        default:
                /* -EISDIR: "Is a directory". */
                return log_error_errno(r, "EnvironmentFile=%s: %m", e->path);
        }
}

int cli_read_environment_files(const Plan *p, char ***env) {
        for (size_t i = 0; i < p->n_environment_files; i++) {
                int r = read_one(p->environment_files + i, env);
                if (r < 0)
                        return r;
        }
        return 0;
}
