/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's environment on the host's side, for "cell run" and "cell
 * exec": EnvironmentFile= read before the clone (systemd reads them as the
 * service manager, too), in order, and the one place that says what was
 * wrong with one; the variables passed through from our caller; the check
 * that execve(2) will take what comes of them. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "env-util.h"
#include "fs-util.h"
#include "log.h"
#include "plan.h"
#include "strv.h"
#include "verbs.h"

/* origin: "FILE:LINE: " of the EnvironmentFile= line, in front of each message. */
static int read_one(const char *origin, const char *path, bool ignore_missing, char ***env) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_free_ char *key = NULL;
        unsigned line = 0;
        int r;

        r = env_file_open(path, &f);
        /* "-" makes a missing file no error, and nothing else (systemd
         * ignores any error then: a file cell cannot read is worth saying). */
        if (r == -ENOENT && ignore_missing) {
                log_debug("EnvironmentFile=-%s: missing, skipped", path);
                return 0;
        }
        if (r >= 0)
                r = env_file_parse_key(f, env, &line, &key);
        switch (r) {
        case 0:
                return 0;
        case -EBADFD:
                return log_error_errno(r, "%sEnvironmentFile=%s: not a regular file (a FIFO, device or socket "
                                       "is not read)", origin, path);
        case -EFBIG:
                return log_error_errno(r, "%sEnvironmentFile=%s: larger than %u MiB", origin, path,
                                       ENV_FILE_SIZE_MAX / 1024U / 1024U);
        case -ENOBUFS:
                return log_error_errno(r, "%sEnvironmentFile=%s:%u: assignment too long (at most %u bytes)",
                                       origin, path, line, ENV_FILE_LINE_MAX);
        case -EINVAL:
                return log_error_errno(r, "%sEnvironmentFile=%s:%u: not a variable name: \"%s\" (a name is "
                                       "letters, digits and \"_\", not starting with a digit; systemd would "
                                       "ignore the line, as it does a shell's \"export NAME=\")", origin, path,
                                       line, key);
        case -EBADMSG:
                return log_error_errno(r, "%sEnvironmentFile=%s:%u: the quote opened here does not close",
                                       origin, path, line);
        case -EILSEQ:
                return log_error_errno(r, "%sEnvironmentFile=%s:%u: the value is not valid UTF-8", origin, path,
                                       line);
        case -EUCLEAN:
                return log_error_errno(r, "%sEnvironmentFile=%s:%u: a NUL byte: not a text file", origin, path,
                                       line);
        case -ENOMEM:
                return log_oom();
        default:
                /* -EISDIR: "Is a directory". */
                return log_error_errno(r, "%sEnvironmentFile=%s: %m", origin, path);
        }
}

/* As systemd: a path with a wildcard reads every file it matches, in
 * sorted order; none matching is a missing file. A backslash is glob(3)'s
 * escape there, in a path without wildcards too (/etc/a\b is /etc/ab), so
 * such a path is globbed as well. */
static int read_entry(const char *origin, const CellEnvironmentFile *e, char ***env) {
        _cleanup_strv_free_ char **paths = NULL;
        int r;

        if (!strpbrk(e->path, "*?[\\"))
                return read_one(origin, e->path, e->ignore_missing, env);

        r = env_file_glob(e->path, &paths);
        if (r == -ENOENT && e->ignore_missing) {
                log_debug("EnvironmentFile=-%s: matches no file, skipped", e->path);
                return 0;
        }
        if (r == -ENOENT)       /* no file matches: "No such file or directory" as for one without wildcards */
                return log_error_errno(r, "%sEnvironmentFile=%s: %m", origin, e->path);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "%sEnvironmentFile=%s: cannot list the files it matches: %m",
                                       origin, e->path);
        STRV_FOREACH(path, paths) {
                r = read_one(origin, *path, e->ignore_missing, env);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cli_read_environment_files(const Plan *p, char ***env) {
        for (size_t i = 0; i < p->n_environment_files; i++) {
                /* Named where the unit set it, as "cell verify" names a line. */
                char origin[PATH_MAX + 32];
                int r = read_entry(plan_origin_prefix(p, "EnvironmentFile", i, origin, sizeof origin),
                                   p->environment_files + i, env);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cli_pass_environment(const Plan *p, char ***env) {
        STRV_FOREACH(k, p->pass_environment) {
                const char *v = getenv(*k);

                if (v && env_assignf(env, *k, v) < 0)
                        return log_oom();
        }
        return 0;
}

int cli_check_environment(const Plan *p, char * const *before, char * const *after) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *name = NULL;
        size_t max = env_assignment_max();
        const char *bad, *from;
        int r;

        /* Merged as the spawn merges them, so that only what reaches the
         * payload counts (a passed variable that Environment= replaces, or
         * one that UnsetEnvironment= removes, does not). */
        if (env_assign_strv(&env, before) < 0 || env_assign_strv(&env, p->environment) < 0 ||
            env_assign_strv(&env, after) < 0)
                return log_oom();
        env_unset_strv(env, p->unset_environment);

        r = env_check_payload(env, &bad);
        if (r == 0)
                return 0;
        name = strndup(bad, strcspn(bad, "="));
        if (!name)
                return log_oom();
        from = env_get(after, name) ? "EnvironmentFile=" :
               env_get(p->environment, name) ? "Environment=" : "PassEnvironment=";
        if (r == -EILSEQ)
                /* Only a variable of our caller's gets here: the unit's
                 * own values were checked at their line. systemd drops it. */
                return log_error_errno(r, "%s: the value of %s in cell's environment is not valid UTF-8, "
                                       "which systemd would drop from the payload's", from, name);
        return log_error_errno(r, "%s: the variable %s is too long: %zu bytes as KEY=VALUE, and the kernel "
                               "passes at most %zu (MAX_ARG_STRLEN, %zu with the NUL)", from, name, strlen(bad),
                               max - 1, max);
}
