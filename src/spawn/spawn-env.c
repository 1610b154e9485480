/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "parse-exec.h"
#include "spawn-env.h"
#include "strv.h"

int spawn_find_exec(const char *name, const char *path, char **ret) {
        _cleanup_free_ char *copy = NULL;
        char *save = NULL;

        if (strchr(name, '/')) {
                char *s = strdup(name);
                if (!s)
                        return -ENOMEM;
                *ret = s;
                return 0;
        }

        copy = strdup(path ?: SPAWN_DEFAULT_PATH);
        if (!copy)
                return -ENOMEM;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *f = NULL;
                struct stat st;

                /* A relative entry would be looked up from wherever we stand
                 * now, not from the payload's root and working directory. */
                if (*d != '/')
                        continue;
                if (asprintf(&f, "%s/%s", d, name) < 0)
                        return -ENOMEM;
                if (stat(f, &st) < 0 || !S_ISREG(st.st_mode) || access(f, X_OK) < 0)
                        continue;
                *ret = TAKE_PTR(f);
                return 0;
        }
        return -ENOENT;
}

/* One word with "${NAME}" and "$$" replaced (systemd's replace_env() without
 * its extensions: "${NAME:-default}" stays as written, as in systemd). */
static int expand_word(const char *w, char * const *env, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return -ENOMEM;
        while (*w) {
                const char *end;

                if (w[0] != '$' || (w[1] != '$' && w[1] != '{')) {
                        fputc(*w++, f);
                        continue;
                }
                if (w[1] == '$') {
                        fputc('$', f);
                        w += 2;
                        continue;
                }
                end = strpbrk(w + 2, "}:");
                if (!end || *end == ':') {
                        /* Not a variable: as written, up to where systemd goes on looking. */
                        size_t n = end ? (size_t) (end - w) + 1 : strlen(w);
                        fwrite(w, 1, n, f);
                        w += n;
                        continue;
                }
                fputs(env_get_n(env, w + 2, (size_t) (end - w - 2)) ?: "", f);
                w = end + 1;
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int spawn_expand_argv(char * const *argv, char * const *env, char ***ret, size_t **ret_source) {
        _cleanup_strv_free_ char **out = calloc(1, sizeof(char *));
        _cleanup_free_ size_t *source = NULL;
        size_t n_source = 0;
        int r;

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; argv && argv[i]; i++) {
                const char *w = argv[i], *value;
                char *x;

                if (i > 0 && w[0] == '$' && w[1] != '{' && w[1] != '$') {
                        value = env_get(env, w + 1);
                        r = value ? split_words_append(&out, value, EXTRACT_UNQUOTE | EXTRACT_RELAX) : 0;
                        if (r < 0)
                                return r;
                } else {
                        if (i == 0)
                                x = strdup(w);
                        else if ((r = expand_word(w, env, &x)) < 0)
                                return r;
                        if (!x)
                                return -ENOMEM;
                        r = strv_push(&out, x);
                        if (r < 0)
                                return r;
                }
                /* Each new word's word in Exec=, for a message about it. */
                for (size_t n = strv_length(out); ret_source && n_source < n; n_source++) {
                        size_t *s = reallocarray(source, n_source + 1, sizeof(size_t));
                        if (!s)
                                return -ENOMEM;
                        source = s;
                        source[n_source] = i;
                }
        }
        *ret = TAKE_PTR(out);
        if (ret_source)
                *ret_source = TAKE_PTR(source);
        return 0;
}

size_t spawn_exec_strings_max(unsigned long long stack) {
        size_t max = 6U * 1024U * 1024U;

        if (stack / 4 < max)
                max = (size_t) (stack / 4);
        return MAX(max, env_assignment_max());
}

size_t spawn_plan_exec_strings_max(const Plan *p) {
        struct rlimit rl = { .rlim_cur = RLIM_INFINITY, .rlim_max = RLIM_INFINITY };
        bool set = false;

        for (size_t i = 0; i < p->n_rlimits; i++)
                if (p->rlimits[i].resource == RLIMIT_STACK) {
                        rl.rlim_cur = p->rlimits[i].soft;
                        set = true;
                }
        if (!set)
                (void) getrlimit(RLIMIT_STACK, &rl);
        return spawn_exec_strings_max(rl.rlim_cur);
}

/* ", expanding ${A} (N bytes), ${B} (N bytes)": what Exec='s word w
 * (not the command, which is not expanded) took from env, as
 * spawn_expand_argv() reads it. */
static void describe_variables(const char *w, char * const *env, char *buf, size_t size) {
        size_t used = 0;

        buf[0] = 0;
        if (w[0] == '$' && w[1] && w[1] != '{' && w[1] != '$') {
                (void) snprintf(buf, size, ", expanding $%.40s (%zu bytes)", w + 1, strlen(env_get(env, w + 1) ?: ""));
                return;
        }
        for (const char *p = w; *p && used < size;) {
                const char *end;
                size_t n;

                if (p[0] != '$' || (p[1] != '$' && p[1] != '{')) {
                        p++;
                        continue;
                }
                if (p[1] == '$') {
                        p += 2;
                        continue;
                }
                end = strpbrk(p + 2, "}:");
                if (!end)
                        break;
                if (*end == '}') {
                        n = (size_t) (end - p - 2);
                        used += (size_t) snprintf(buf + used, size - used, "%s${%.*s} (%zu bytes)",
                                                  used ? ", " : ", expanding ", (int) MIN(n, 40U), p + 2,
                                                  strlen(env_get_n(env, p + 2, n) ?: ""));
                }
                p = end + 1;
        }
}

/* Exec='s word, quoted, shortened to what a message can hold. */
static void describe_word(const char *w, char *buf, size_t size) {
        size_t n = strlen(w);

        (void) snprintf(buf, size, "\"%.*s%s\"", (int) MIN(n, 60U), w, n > 60 ? "..." : "");
}

int spawn_check_argv(char * const *written, char * const *argv, const size_t *source, char * const *env,
                     const char *path, size_t max, char *why, size_t size) {
        size_t arg_max = env_assignment_max(), n_argv = 0, n_env = 0, strings, largest = 0, largest_size = 0;
        char word[80], vars[200];

        strings = strlen(path) + 1;     /* the kernel copies the file name first */
        STRV_FOREACH(a, argv) {
                size_t n = strlen(*a);
                const char *w = source ? written[source[n_argv]] : *a;

                if (n >= arg_max) {
                        describe_word(w, word, sizeof word);
                        describe_variables(source && n_argv > 0 ? w : "", env, vars, sizeof vars);
                        (void) snprintf(why, size, "argument %zu (%s%s) is too long: %zu bytes, and the kernel "
                                        "passes at most %zu (MAX_ARG_STRLEN, %zu with the NUL)", n_argv, word, vars,
                                        n, arg_max - 1, arg_max);
                        return -E2BIG;
                }
                if (n >= largest_size)
                        largest = n_argv, largest_size = n;
                strings += n + 1;
                n_argv++;
        }
        STRV_FOREACH(e, env) {
                strings += strlen(*e) + 1;
                n_env++;
        }
        /* fs/exec.c: the pointers count against the same limit (argc at least 1). */
        strings += (MAX(n_argv, 1U) + n_env) * sizeof(char *);
        if (strings <= max)
                return 0;
        describe_word(n_argv > 0 && source ? written[source[largest]] : n_argv > 0 ? argv[largest] : "", word,
                      sizeof word);
        describe_variables(largest > 0 && source ? written[source[largest]] : "", env, vars, sizeof vars);
        (void) snprintf(why, size, "the arguments and the environment are too large together: %zu bytes with their "
                        "pointers (%zu arguments, the largest argument %zu, %s%s, %zu bytes; %zu variables), and "
                        "the kernel passes at most %zu (a quarter of the stack limit, LimitSTACK=, at most 6 MiB)",
                        strings, n_argv, largest, word, vars, largest_size, n_env, max);
        return -E2BIG;
}
