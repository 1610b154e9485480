/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env-util.h"
#include "fs-util.h"
#include "strv.h"

static bool env_key_valid(const char *key, size_t n) {
        if (n == 0)
                return false;
        if (isdigit((unsigned char) key[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(isalnum((unsigned char) key[i]) || key[i] == '_'))
                        return false;
        return true;
}

int env_assign(char ***env, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        size_t k;
        char *copy;

        if (!eq || eq == assignment)
                return -EINVAL;
        k = (size_t) (eq - assignment) + 1;     /* including '=' */

        copy = strdup(assignment);
        if (!copy)
                return -ENOMEM;

        for (char **i = *env; i && *i; i++)
                if (strncmp(*i, assignment, k) == 0) {
                        free(*i);
                        *i = copy;
                        return 0;
                }

        return strv_push(env, copy);
}

int env_assignf(char ***env, const char *key, const char *value) {
        _cleanup_free_ char *a = NULL;

        if (asprintf(&a, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return env_assign(env, a);
}

int env_assign_strv(char ***env, char * const *other) {
        STRV_FOREACH(i, other) {
                int r = env_assign(env, *i);
                if (r < 0)
                        return r;
        }
        return 0;
}

const char *env_get(char * const *env, const char *key) {
        size_t k = strlen(key);

        STRV_FOREACH(i, env)
                if (strncmp(*i, key, k) == 0 && (*i)[k] == '=')
                        return *i + k + 1;
        return NULL;
}

/* Appends c to the growing buffer. */
static int buf_put(char **buf, size_t *len, size_t *size, char c) {
        if (*len + 2 > *size) {
                size_t n = *size ? *size * 2 : 64;
                char *b = realloc(*buf, n);
                if (!b)
                        return -ENOMEM;
                *buf = b;
                *size = n;
        }
        (*buf)[(*len)++] = c;
        (*buf)[*len] = 0;
        return 0;
}

/* Reads one logical line: physical lines joined where one ends in an
 * unquoted backslash. Returns 1 with *ret, 0 at EOF; -ENOBUFS when the
 * logical line grows past ENV_FILE_LINE_MAX, -EFBIG when the file does
 * past ENV_FILE_SIZE_MAX (*total: the bytes read so far), where it stops
 * reading: a file that never ends (a device) costs no more than that. */
static int read_logical_line(FILE *f, char **ret, unsigned *line, unsigned *first_line, size_t *total) {
        _cleanup_free_ char *out = NULL;
        size_t len = 0, size = 0;
        bool any = false;

        *first_line = *line + 1;
        for (;;) {
                size_t start = len;
                bool read_some = false, eol = false;
                int c;

                while ((c = getc_unlocked(f)) != EOF) {
                        read_some = true;
                        if (++*total > ENV_FILE_SIZE_MAX)
                                return -EFBIG;
                        if (c == '\n') {
                                eol = true;
                                break;
                        }
                        if (len >= ENV_FILE_LINE_MAX)
                                return -ENOBUFS;
                        if (buf_put(&out, &len, &size, (char) c) < 0)
                                return -ENOMEM;
                }
                /* errno from the failed read(2): a directory is EISDIR, not EIO. */
                if (c == EOF && ferror(f))
                        return errno > 0 ? -errno : -EIO;
                if (!read_some)
                        break;
                (*line)++;
                any = true;
                while (len > start && out[len - 1] == '\r')
                        out[--len] = 0;
                bool cont = len > start && out[len - 1] == '\\';
                if (cont)
                        out[--len] = 0;
                if (!cont || !eol)
                        break;
        }
        if (!any)
                return 0;
        if (!out) {
                out = strdup("");
                if (!out)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(out);
        return 1;
}

/* The value part of a line, unquoted, as a new string. */
static int env_value_unquote(const char *v, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t len = 0, size = 0;
        char quote = 0;

        while (*v == ' ' || *v == '\t')
                v++;

        /* Unquoted trailing whitespace is dropped, quoted is kept. */
        size_t last_quoted = 0;
        for (const char *p = v; *p; p++) {
                if (quote) {
                        if (*p == quote) {
                                quote = 0;
                                last_quoted = len;
                                continue;
                        }
                        if (quote == '"' && *p == '\\' && p[1] &&
                            strchr("\"\\`$", p[1]))
                                p++;
                        if (buf_put(&out, &len, &size, *p) < 0)
                                return -ENOMEM;
                        last_quoted = len;
                        continue;
                }
                if (*p == '"' || *p == '\'') {
                        quote = *p;
                        continue;
                }
                if (*p == '\\' && p[1])
                        p++;
                if (buf_put(&out, &len, &size, *p) < 0)
                        return -ENOMEM;
        }
        if (quote)
                return -EINVAL;
        while (len > last_quoted && (out[len - 1] == ' ' || out[len - 1] == '\t'))
                out[--len] = 0;
        if (!out) {
                out = strdup("");
                if (!out)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int env_file_open(const char *path, FILE **ret) {
        _cleanup_close_ int fd = -EBADF;
        FILE *f;
        int r;

        r = open_text_file(path, ENV_FILE_SIZE_MAX, &fd, NULL);
        if (r < 0)
                return r;
        f = fdopen(fd, "r");
        if (!f)
                return negative_errno();
        TAKE_FD(fd);
        *ret = f;
        return 0;
}

int env_file_parse(FILE *f, char ***env, unsigned *ret_line) {
        unsigned line = 0;
        size_t total = 0;

        for (;;) {
                _cleanup_free_ char *l = NULL, *value = NULL, *a = NULL;
                unsigned first;
                int r;

                r = read_logical_line(f, &l, &line, &first, &total);
                if (r == -ENOBUFS && ret_line)
                        *ret_line = first;
                if (r < 0)
                        return r;
                if (r == 0)
                        return 0;

                const char *p = l;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p == 0 || *p == '#' || *p == ';')
                        continue;
                if (startswith(p, "export ")) {
                        p += strlen("export ");
                        while (*p == ' ' || *p == '\t')
                                p++;
                }

                const char *eq = strchr(p, '=');
                size_t k = eq ? (size_t) (eq - p) : 0;
                while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
                        k--;
                if (!eq || !env_key_valid(p, k) || env_value_unquote(eq + 1, &value) < 0) {
                        if (ret_line)
                                *ret_line = first;
                        return -EINVAL;
                }

                if (asprintf(&a, "%.*s=%s", (int) k, p, value) < 0)
                        return -ENOMEM;
                r = env_assign(env, a);
                if (r < 0)
                        return r;
        }
}
