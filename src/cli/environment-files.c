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
#include "spawn-env.h"
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

/* Where an EnvironmentFile= value that failed the check came from, read
 * again for the message alone: the last file of the last entry that assigns
 * name, if it assigns it that value (a file changed since says nothing).
 * *ret_path: the file (a wildcard's match), newly allocated. */
static bool find_in_files(const Plan *p, const char *name, const char *value, size_t *ret_entry,
                          char **ret_path, unsigned *ret_line) {
        _cleanup_free_ char *found_path = NULL, *found_value = NULL;
        size_t found_entry = 0;
        unsigned found_line = 0;

        for (size_t i = 0; i < p->n_environment_files; i++) {
                const CellEnvironmentFile *e = p->environment_files + i;
                _cleanup_strv_free_ char **paths = NULL;

                if (!strpbrk(e->path, "*?[\\")) {
                        if (strv_extend(&paths, e->path) < 0)
                                return false;
                } else if (env_file_glob(e->path, &paths) < 0)
                        continue;
                STRV_FOREACH(path, paths) {
                        _cleanup_(fclosep) FILE *f = NULL;
                        _cleanup_free_ char *v = NULL;
                        unsigned line;

                        if (env_file_open(*path, &f) < 0 || env_file_find(f, name, &line, &v) <= 0)
                                continue;
                        free(found_path);
                        free(found_value);
                        found_path = strdup(*path);
                        found_value = TAKE_PTR(v);
                        if (!found_path)
                                return false;
                        found_entry = i, found_line = line;
                }
        }
        if (!found_path || !streq(found_value, value))
                return false;
        *ret_entry = found_entry;
        *ret_path = TAKE_PTR(found_path);
        *ret_line = found_line;
        return true;
}

/* "FILE:LINE: Key=...": the source of the variable name (valued value) that
 * reaches the payload, in the order they merge (later ones win): cell's
 * own and EnvironmentFile= (after), Environment=, the passed ones. */
static int describe_source(const Plan *p, char * const *after, const char *name, const char *value, char **ret) {
        char origin[PATH_MAX + 32];
        const char *caller = getenv(name);
        _cleanup_free_ char *path = NULL;
        size_t entry, i;
        unsigned line;
        int r;

        if (env_get(after, name)) {
                if (find_in_files(p, name, value, &entry, &path, &line))
                        r = asprintf(ret, "%sEnvironmentFile=%s:%u",
                                     plan_origin_prefix(p, "EnvironmentFile", entry, origin, sizeof origin), path,
                                     line);
                /* cell exec's caller's TERM, over the unit's: its terminal's. */
                else if (streq(name, "TERM") && caller && streq(caller, value))
                        r = asprintf(ret, "$TERM of cell exec's caller (the command's terminal, over the unit's)");
                else
                        r = asprintf(ret, "$%s, which cell sets itself", name);
        } else if (env_get(p->environment, name))
                r = asprintf(ret, "%sEnvironment=", plan_origin_prefix(p, "Environment", 0, origin, sizeof origin));
        else {
                for (i = 0; p->pass_environment && p->pass_environment[i]; i++)
                        if (streq(p->pass_environment[i], name))
                                break;
                /* TERM is passed unnamed, as systemd passes its own. */
                if (streq(name, "TERM") && !plan_key_origin(p, "PassEnvironment", i))
                        r = asprintf(ret, "$TERM of cell's caller (passed as systemd passes it, unless "
                                     "UnsetEnvironment=TERM)");
                else
                        r = asprintf(ret, "%sPassEnvironment=%s",
                                     plan_origin_prefix(p, "PassEnvironment", i, origin, sizeof origin), name);
        }
        return r < 0 ? -ENOMEM : 0;
}

/* The environment as a whole: its strings and their pointers, the least
 * the exec needs (the arguments, the payload's $HOME, $USER ... come on
 * top): past the kernel's limit, the exec would fail for sure. */
static int check_total(const Plan *p, char * const *env) {
        size_t total = sizeof(char *), max = spawn_plan_exec_strings_max(p), n = 0;   /* argv[0]'s pointer */

        STRV_FOREACH(e, env) {
                total += strlen(*e) + 1 + sizeof(char *);
                n++;
        }
        if (total <= max)
                return 0;
        return log_error_errno(E2BIG, "The payload's environment is too large: %zu variables, %zu bytes with their "
                               "pointers, and the kernel passes at most %zu for the environment and the "
                               "arguments together (a quarter of the stack limit, LimitSTACK=, at most 6 MiB)",
                               n, total, max);
}

int cli_check_environment(const Plan *p, char * const *before, char * const *after) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *name = NULL, *source = NULL;
        size_t max = env_assignment_max();
        const char *bad;
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
                return check_total(p, env);
        name = strndup(bad, strcspn(bad, "="));
        if (!name || describe_source(p, after, name, bad + strlen(name) + 1, &source) < 0)
                return log_oom();
        if (r == -EILSEQ)
                /* Only a variable of our caller's gets here: the unit's
                 * own values were checked at their line. systemd drops it. */
                return log_error_errno(r, "%s: the value of %s in cell's environment is not valid UTF-8, "
                                       "which systemd would drop from the payload's environment", source, name);
        return log_error_errno(r, "%s: the variable %s is too long: %zu bytes as KEY=VALUE, and the kernel "
                               "passes at most %zu (MAX_ARG_STRLEN, %zu with the NUL)", source, name, strlen(bad),
                               max - 1, max);
}
