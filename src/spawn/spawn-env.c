/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int spawn_expand_argv(char * const *argv, char * const *env, char ***ret) {
        _cleanup_strv_free_ char **out = calloc(1, sizeof(char *));
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
                        continue;
                }
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
        *ret = TAKE_PTR(out);
        return 0;
}
