/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Exec]: what runs in the container and how. */
#include <limits.h>
#include <string.h>

#include "config-parsers.h"
#include "env-util.h"
#include "id128-util.h"
#include "parse-exec.h"
#include "parse-value.h"
#include "strv.h"
#include "utf8.h"

/* systemd's check of ExecStart='s command: an absolute path that names no
 * directory, or a file name (no "/", not "." or ".."). */
static bool exec_name_is_valid(const char *s) {
        size_t n = strlen(s);

        if (s[0] == '/')
                return n < PATH_MAX && s[n - 1] != '/';
        return n <= NAME_MAX && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

/* The longest component of path s: systemd's path_is_valid() refuses one
 * longer than NAME_MAX. */
static size_t longest_component(const char *s) {
        size_t max = 0;

        for (s += strspn(s, "/"); *s; s += strspn(s, "/")) {
                size_t n = strcspn(s, "/");

                max = MAX(max, n);
                s += n;
        }
        return max;
}

/* What systemd's string_is_safe() finds in ExecStart='s command ("Executable
 * name contains special characters"), once unquoted, unescaped and its
 * specifiers expanded: a quote, a backslash or a control character; NULL
 * for none. Bytes of 0x80 and above (UTF-8 or not) pass, as in systemd. */
static const char *exec_name_special(const char *s) {
        for (; *s; s++) {
                if (*s == '"' || *s == '\'')
                        return "a quote";
                if (*s == '\\')
                        return "a backslash";
                if ((unsigned char) *s < ' ' || *s == 0x7f)
                        return "a control character";
        }
        return NULL;
}

/* An argument execve(2) would refuse with E2BIG whatever the host: said
 * now, by its place in the command, as the value may be too long to quote.
 * (The whole command line's limit, a quarter of the stack's, is the
 * host's and is left to the start.) */
static int check_argument_lengths(ConfigContext *ctx, char * const *argv) {
        size_t max = env_assignment_max();

        for (size_t i = 0; argv[i]; i++) {
                size_t n = strlen(argv[i]);
                int r;

                if (n < max)
                        continue;
                ctx->reported = true;
                r = diag_error(ctx->diag, ctx->file, ctx->line,
                               "%s=: argument %zu%s is too long: %zu bytes, and the kernel passes at most %zu "
                               "(MAX_ARG_STRLEN, %zu with the NUL)", ctx->key, i, i == 0 ? " (the command)" : "",
                               n, max - 1, max);
                return r < 0 ? r : -EINVAL;
        }
        return 0;
}

/* A value split_words() refused: the first quote or escape that made it so. */
static int config_bad_words(ConfigContext *ctx, const ConfigKey *k) {
        char buf[160];
        const char *why = split_words_why(ctx->value, buf, sizeof buf);

        return why ? config_bad(ctx, "%s (%s)", k->expected, why) : -EINVAL;
}

int config_parse_exec(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_strv_free_ char **argv = NULL;
        const char *what;
        int r;

        if (!isempty(ctx->value)) {
                r = parse_exec_command(ctx->value, &argv);
                if (r == -EBADMSG)
                        return config_bad(ctx, "one command (a lone \";\" separates commands in systemd; "
                                          "\"\\;\" is a literal \";\")");
                if (r == -EINVAL)
                        return config_bad_words(ctx, k);
                if (r < 0)
                        return r;
                /* systemd reads these as ExecStart='s prefixes, never as part of the
                 * command: taken literally, "-/bin/true" would be a relative path. */
                if (strchr("-@:+!", argv[0][0]))
                        return config_bad(ctx, "a command without a prefix (ExecStart='s \"%c\" and "
                                          "the other prefixes of systemd.service(5) have no meaning here)",
                                          argv[0][0]);
                /* Each word after its quotes are undone: an instance's " " or "\"" stays in its word. */
                r = config_expand_strv(ctx, k, argv);
                if (r < 0)
                        return r;
                if (isempty(argv[0]))
                        return config_bad(ctx, "%s (its specifiers leave the command empty)", k->expected);
                what = exec_name_special(argv[0]);
                if (what)
                        return config_bad(ctx, "a command without quotes, backslashes or control characters "
                                          "once unquoted and unescaped (\"%s\" holds %s, which systemd "
                                          "refuses there)", argv[0], what);
                /* As systemd's ExecStart=: an absolute path, or a file name looked up in $PATH. */
                if (!exec_name_is_valid(argv[0]))
                        return config_bad(ctx, "an absolute path or a plain file name as the command "
                                          "(\"%s\" is neither, as systemd says)", argv[0]);
                if (argv[0][0] == '/' && longest_component(argv[0]) > NAME_MAX)
                        return config_bad(ctx, "an absolute path as the command whose every component is a "
                                          "file name of at most %d bytes (one is %zu, as systemd refuses)",
                                          NAME_MAX, longest_component(argv[0]));
                r = check_argument_lengths(ctx, argv);
                if (r < 0)
                        return r;
        }
        /* A single command: the last Exec= wins, the empty one unsets it. */
        strv_free(c->exec);
        c->exec = TAKE_PTR(argv);
        return 0;
}

/* An assignment execve(2) would refuse with E2BIG, said now and naming its
 * variable: the value itself may be too long to quote. */
static int check_assignment_length(ConfigContext *ctx, const char *assignment) {
        size_t n = strlen(assignment), max = env_assignment_max();
        int r;

        if (n < max)
                return 0;
        ctx->reported = true;
        r = diag_error(ctx->diag, ctx->file, ctx->line,
                       "%s=: the variable %.*s is too long: %zu bytes as KEY=VALUE, and the kernel passes "
                       "at most %zu (MAX_ARG_STRLEN, %zu with the NUL)", ctx->key,
                       (int) MIN(strcspn(assignment, "="), (size_t) 120), assignment, n, max - 1, max);
        return r < 0 ? r : -EINVAL;
}

/* A value that is not UTF-8: systemd drops such an assignment ("Invalid
 * environment assignment, ignoring"), and EnvironmentFile= refuses it; said
 * by its variable's name, never with the bytes themselves. */
static int check_assignment_utf8(ConfigContext *ctx, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        int r;

        /* A word without "=", or a bad name, is env_merge()'s to refuse. */
        if (!eq || !utf8_is_valid_n(assignment, (size_t) (eq - assignment)) || utf8_is_valid_n(eq + 1, strlen(eq + 1)))
                return 0;
        ctx->reported = true;
        r = diag_error(ctx->diag, ctx->file, ctx->line, "%s=: the value of %.*s is not valid UTF-8", ctx->key,
                       (int) MIN((size_t) (eq - assignment), (size_t) 120), assignment);
        return r < 0 ? r : -EINVAL;
}

/* The variables cell sets itself, after Environment= and EnvironmentFile=
 * (systemd lets Environment= replace its own; cell does not): an
 * assignment of one never reaches the payload, so say so rather than let
 * "cell plan" show a value it will not get. */
static const struct {
        const char *name, *when;
} cell_own_variables[] = {
        { "container",             "" },
        { "NOTIFY_SOCKET",         "" },
        { "container_uuid",        " with Register=yes or MachineID=" },
        { "CREDENTIALS_DIRECTORY", " with LoadCredential= or SetCredential=" },
        { "WATCHDOG_USEC",         " under a service watchdog (WatchdogSec=)" },
};

static int warn_cell_own_variable(ConfigContext *ctx, const char *assignment) {
        size_t n = strcspn(assignment, "=");

        for (size_t i = 0; i < ELEMENTSOF(cell_own_variables); i++)
                if (strlen(cell_own_variables[i].name) == n &&
                    strncmp(assignment, cell_own_variables[i].name, n) == 0)
                        return diag_warning(ctx->diag, ctx->file, ctx->line,
                                            "%s=: cell sets $%s itself%s, over Environment= and "
                                            "EnvironmentFile=: this assignment %s", ctx->key,
                                            cell_own_variables[i].name, cell_own_variables[i].when,
                                            isempty(cell_own_variables[i].when) ?
                                            "never reaches the payload" : "does not reach the payload then");
        return 0;
}

int config_parse_environment(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *bad = NULL;
        int r;

        if (isempty(ctx->value)) {
                c->environment = strv_free(c->environment);
                env_index_done(&c->environment_index);
                return 0;
        }
        r = split_words(ctx->value, &words);
        if (r == -EINVAL)
                return config_bad_words(ctx, k);
        if (r < 0)
                return r;
        r = config_expand_strv(ctx, k, words);
        if (r < 0)
                return r;
        STRV_FOREACH(w, words) {
                r = check_assignment_length(ctx, *w);
                if (r >= 0)
                        r = check_assignment_utf8(ctx, *w);
                if (r < 0)
                        return r;
        }
        r = env_merge(&c->environment, &c->environment_index, words, &bad);
        if (r == -EINVAL && bad)
                return config_bad(ctx, "%s (\"%s\" is not one)", k->expected, bad);
        if (r < 0)
                return r;
        STRV_FOREACH(w, words) {
                r = warn_cell_own_variable(ctx, *w);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* PassEnvironment= (ltype 0: names) and UnsetEnvironment= (ltype 1: names
 * or KEY=VALUE), as systemd's: words unquoted (C escapes only in
 * UnsetEnvironment=), their specifiers expanded, appended to the list
 * unless already in it (a word's origin is the line that added it). systemd drops a bad word with a warning; as for
 * Environment=, cell refuses the line, and keeps none of it. */
int config_parse_env_names(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_strv_free_ char **words = NULL, **copies = NULL;
        EnvIndex *index = k->ltype ? &c->unset_environment_index : &c->pass_environment_index;
        char ***target = data;
        size_t n;
        int r;

        if (isempty(ctx->value)) {
                *target = strv_free(*target);
                env_index_done(index);
                return 0;
        }
        if (k->ltype) {
                /* Environment='s splitting: a bad escape is named as it names it. */
                r = split_words(ctx->value, &words);
                if (r == -EINVAL)
                        return config_bad_words(ctx, k);
                if (r >= 0)
                        r = config_expand_strv(ctx, k, words);
        } else
                r = config_split_words(ctx, k, EXTRACT_UNQUOTE, &words);
        if (r < 0)
                return r;
        STRV_FOREACH(w, words) {
                const char *eq = strchr(*w, '=');
                _cleanup_free_ char *name = eq ? strndup(*w, (size_t) (eq - *w)) : NULL;

                if (eq && !name)
                        return -ENOMEM;
                if (!env_name_is_valid(name ?: *w) || (eq && !k->ltype))
                        return config_bad(ctx, "%s (\"%s\" is not one)", k->expected, *w);
                /* systemd's env_assignment_is_valid(): an assignment's value is UTF-8 too. */
                if (eq) {
                        int q = check_assignment_utf8(ctx, *w);
                        if (q < 0)
                                return q;
                }
        }
        /* All words are good: every allocation first, so that OOM halfway
         * leaves the list whole; each appended unless there, found through
         * the index of the list's words, not by a walk of (a copy of) the
         * list a line: thousands of lines were quadratic. */
        copies = strv_copy(words);
        if (!copies)
                return -ENOMEM;
        n = strv_length(copies);
        if (n == 0) {
                ctx->items = strv_length(*target);
                return 0;
        }
        index->whole = true;
        r = env_index_reserve(index, target, n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                env_index_set(index, TAKE_PTR(copies[i]));
        /* Counted: a check that names a word names its own line. */
        ctx->items = index->n;
        return 0;
}

int config_parse_environment_file(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellEnvironmentFile *slot;
        const char *p = ctx->value;
        bool ignore = false;
        char *path;
        int r;

        if (isempty(p)) {
                cell_config_free_environment_files(c);
                return 0;
        }
        if (*p == '-') {
                ignore = true;
                p++;
        }
        r = parse_path_absolute(p, &path);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        slot = config_array_append((void **) &c->environment_files, &c->n_environment_files,
                                   sizeof(CellEnvironmentFile));
        if (!slot) {
                free(path);
                return -ENOMEM;
        }
        *slot = (CellEnvironmentFile) { .path = path, .ignore_missing = ignore };
        /* The start names a file it cannot read by its own line. */
        ctx->items = c->n_environment_files;
        return 0;
}

/* As systemd: "-" before the path or "~" makes a directory that cannot be
 * entered no error (the payload starts in "/" then). */
int config_parse_working_directory(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        const char *p = ctx->value;
        bool missing_ok = false;
        char *n = NULL;
        int r;

        if (*p == '-') {
                missing_ok = true;
                p++;
                if (isempty(p))
                        return -EINVAL;
        }
        if (streq(p, "~")) {
                n = strdup("~");
                if (!n)
                        return -ENOMEM;
        } else if (!isempty(p)) {
                /* As systemd: a tab or another control character is part of a name. */
                r = parse_path_absolute_cc(p, &n);
                if (r == -ERANGE)
                        return config_bad(ctx, "%s (no component of it over %d bytes, as systemd's NAME_MAX)",
                                          k->expected, NAME_MAX);
                if (r < 0)
                        return r == -ENOMEM ? r : -EINVAL;
        }
        free(c->working_directory);
        c->working_directory = n;
        c->working_directory_missing_ok = missing_ok;
        return 0;
}

/* UMask=, KillSignal=, TimeoutStopSec=: no reset, as systemd ignores an
 * empty value and keeps the earlier one (a drop-in's "UMask=" would
 * otherwise undo the unit's 0077 here only). */
int config_parse_umask(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        mode_t m;

        if (isempty(ctx->value))
                return config_empty_refused(ctx, k->expected, "systemd");
        if (parse_umask(ctx->value, &m) < 0)
                return -EINVAL;
        c->umask = m;
        c->umask_set = true;
        return 0;
}

int config_parse_signal(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int *sig = data, s;

        if (isempty(ctx->value))
                return config_empty_refused(ctx, k->expected, "systemd");
        if (parse_signal(ctx->value, &s) < 0)
                return -EINVAL;
        *sig = s;
        return 0;
}

int config_parse_timeout(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        uint64_t usec;

        if (isempty(ctx->value))
                return config_empty_refused(ctx, k->expected, "systemd");
        if (parse_timespan(ctx->value, USEC_PER_SEC, &usec) < 0)
                return -EINVAL;
        /* As systemd: a timeout of 0 means none at all, not "immediately". */
        c->timeout_stop_usec = usec == 0 ? USEC_INFINITY : usec;
        c->timeout_stop_set = true;
        return 0;
}

/* Register= keeps where it was written: the plan refuses a unit whose name
 * makes no machine name at that file and line. */
int config_parse_register(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int r = 0;

        if (!isempty(ctx->value)) {
                r = parse_boolean(ctx->value);
                if (r < 0)
                        return -EINVAL;
        }
        c->register_machine = r > 0;
        c->register_file = mfree(c->register_file);
        c->register_line = 0;
        if (!c->register_machine)
                return 0;
        return config_entry_origin(ctx, &c->register_file, &c->register_line);
}

/* As systemd-nspawn's MachineID= (and --uuid=): either form, never all zeros. */
int config_parse_machine_id(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        uint8_t id[16];

        if (isempty(ctx->value)) {
                c->machine_id_set = false;
                memset(c->machine_id, 0, sizeof c->machine_id);
                return 0;
        }
        if (id128_from_string(ctx->value, id) < 0)
                return -EINVAL;
        if (id128_is_null(id))
                return config_bad(ctx, "%s (all zeros is no ID)", k->expected);
        memcpy(c->machine_id, id, sizeof id);
        c->machine_id_set = true;
        return 0;
}
