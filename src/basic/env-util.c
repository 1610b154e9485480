/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env-util.h"
#include "fs-util.h"
#include "strv.h"
#include "utf8.h"

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
        return env_get_n(env, key, strlen(key));
}

const char *env_get_n(char * const *env, const char *key, size_t k) {
        STRV_FOREACH(i, env)
                if (strncmp(*i, key, k) == 0 && (*i)[k] == '=')
                        return *i + k + 1;
        return NULL;
}

bool env_unset_matches(const char *assignment, const char *pattern) {
        size_t k;

        if (streq(assignment, pattern))
                return true;
        if (strchr(pattern, '='))
                return false;
        k = strlen(pattern);
        return strncmp(assignment, pattern, k) == 0 && assignment[k] == '=';
}

void env_unset_strv(char **env, char * const *patterns) {
        char **out = env;

        STRV_FOREACH(i, env) {
                bool drop = false;

                STRV_FOREACH(p, patterns)
                        if (env_unset_matches(*i, *p)) {
                                drop = true;
                                break;
                        }
                if (drop)
                        free(*i);
                else
                        *out++ = *i;
        }
        if (out)
                *out = NULL;
}

size_t env_assignment_max(void) {
        long page = sysconf(_SC_PAGESIZE);

        return 32 * (size_t) (page > 0 ? page : 4096);
}

int env_check_payload(char * const *env, const char **ret) {
        size_t max = env_assignment_max();

        STRV_FOREACH(e, env) {
                size_t n = strlen(*e), k = strcspn(*e, "=");
                int r = n >= max ? -E2BIG : k < n && !utf8_is_valid_n(*e + k + 1, n - k - 1) ? -EILSEQ : 0;

                if (r < 0) {
                        *ret = *e;
                        return r;
                }
        }
        return 0;
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

int env_file_open(const char *path, FILE **ret) {
        _cleanup_close_ int fd = -EBADF;
        FILE *f;
        int r;

        r = open_text_file(path, ENV_FILE_SIZE_MAX, &fd, NULL);
        /* A path through a file ("/etc/default/x" where /etc/default is one)
         * names no file: missing, which EnvironmentFile=-'s "-" ignores. */
        if (r == -ENOTDIR)
                return -ENOENT;
        if (r < 0)
                return r;
        f = fdopen(fd, "r");
        if (!f)
                return negative_errno();
        TAKE_FD(fd);
        *ret = f;
        return 0;
}

/* The next byte of f into *ret: 1, or 0 at its end, or a read error's
 * -errno (a directory's -EISDIR, not "I/O error"); -EFBIG once *total
 * passes ENV_FILE_SIZE_MAX, where reading stops: a file that never ends (a
 * device) costs no more than that. A NUL byte is -EUCLEAN: systemd refuses
 * such a file (its read_full_file() without a size, -EBADMSG), rather than
 * guess where the text ends. */
static int env_file_getc(FILE *f, size_t *total, char *ret) {
        int c = getc_unlocked(f);

        if (c == EOF)
                return ferror(f) ? (errno > 0 ? -errno : -EIO) : 0;
        if (c == 0)
                return -EUCLEAN;
        if (++*total > ENV_FILE_SIZE_MAX)
                return -EFBIG;
        *ret = (char) c;
        return 1;
}

typedef struct EnvFileAssignment {
        char *key, *value;
        size_t n_key, n_value, size_key, size_value;
        size_t key_blank, value_blank;  /* where trailing blanks start, SIZE_MAX: none */
        unsigned line;                  /* where it starts */
} EnvFileAssignment;

static void env_file_assignment_done(EnvFileAssignment *a) {
        free(a->key);
        free(a->value);
}

static int env_file_put(EnvFileAssignment *a, bool to_value, char c) {
        /* The assignment as KEY=VALUE must fit ENV_FILE_LINE_MAX. */
        if (a->n_key + 1 + a->n_value >= ENV_FILE_LINE_MAX)
                return -ENOBUFS;
        if (to_value)
                return buf_put(&a->value, &a->n_value, &a->size_value, c);
        return buf_put(&a->key, &a->n_key, &a->size_key, c);
}

/* env_file_find()'s question: the line of the last assignment of key. */
typedef struct EnvFileFind {
        const char *key;
        unsigned line;          /* 0: none yet */
} EnvFileFind;

/* KEY=VALUE into *env: the key without trailing blanks, the value without
 * its unquoted trailing blanks. With lenient, as systemd's
 * parse_env_file(): a key that is no variable name is skipped, but a key
 * or value that is not UTF-8 still fails the file. With find, the line of
 * an assignment of its key. */
static int env_file_push(EnvFileAssignment *a, bool chomp, bool lenient, EnvFileFind *find, char ***env) {
        _cleanup_free_ char *assignment = NULL;
        const char *k = a->key ?: "", *v = a->value ?: "";
        size_t n = a->key_blank != SIZE_MAX ? a->key_blank : a->n_key;
        bool valid;
        int r = 0;

        if (chomp && a->value_blank != SIZE_MAX)
                a->value[a->value_blank] = 0;
        if (lenient && !utf8_is_valid_n(k, n))
                return -EILSEQ;
        valid = env_key_valid(k, n);
        if (!valid && !lenient)
                return -EINVAL;
        if (!utf8_is_valid_n(v, strlen(v)))
                return -EILSEQ;
        /* A key that is no name is none of the fields looked up: dropped. */
        if (valid) {
                if (asprintf(&assignment, "%.*s=%s", (int) n, k, v) < 0)
                        return -ENOMEM;
                r = env_assign(env, assignment);
                if (find && strlen(find->key) == n && strncmp(find->key, k, n) == 0)
                        find->line = a->line;
        }
        env_file_assignment_done(a);
        *a = (EnvFileAssignment) {};
        return r;
}

/* The first n bytes of a key that is no name, fit to quote in a message:
 * at most ENV_KEY_SHOWN_MAX of them, a byte outside printable ASCII (and
 * '"', '\\') as \xNN, "..." after a key cut short. */
#define ENV_KEY_SHOWN_MAX 64U
static int env_key_printable(const char *key, size_t n, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);

        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < MIN(n, (size_t) ENV_KEY_SHOWN_MAX); i++) {
                unsigned char c = (unsigned char) key[i];

                if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
                        fprintf(m, "\\x%02x", c);
                else
                        fputc(c, m);
        }
        if (n > ENV_KEY_SHOWN_MAX)
                fputs("...", m);
        if (fclose(m) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static int env_file_parse_full(FILE *f, bool lenient, EnvFileFind *find, char ***env, unsigned *ret_line,
                               char **ret_key) {
        /* systemd's states (its env-file.c): quotes only open a value (or
         * continue one after a closing quote), so that a quote inside an
         * unquoted value is kept; quoted values may span lines. */
        enum {
                PRE_KEY, KEY, PRE_VALUE, VALUE, VALUE_ESCAPE,
                SINGLE_QUOTE, DOUBLE_QUOTE, DOUBLE_QUOTE_ESCAPE, COMMENT, COMMENT_ESCAPE,
        } state = PRE_KEY;
        _cleanup_(env_file_assignment_done) EnvFileAssignment a = {};
        unsigned line = 1;
        bool after_cr = false;
        size_t total = 0;
        int r;

        for (;;) {
                char c;

                r = env_file_getc(f, &total, &c);
                if (r <= 0)
                        break;

                bool newline = c == '\n' || c == '\r', blank = strchr(" \t\n\r", c);
                r = 0;
                switch (state) {
                case PRE_KEY:
                        if (c == '#' || c == ';')
                                state = COMMENT;
                        else if (!blank) {
                                state = KEY;
                                a.line = line;
                                a.key_blank = SIZE_MAX;
                                r = env_file_put(&a, false, c);
                        }
                        break;
                case KEY:
                        if (newline) {
                                /* A line without "=": ignored, as systemd does. */
                                env_file_assignment_done(&a);
                                a = (EnvFileAssignment) {};
                                state = PRE_KEY;
                        } else if (c == '=') {
                                state = PRE_VALUE;
                                a.value_blank = SIZE_MAX;
                        } else {
                                if (!blank)
                                        a.key_blank = SIZE_MAX;
                                else if (a.key_blank == SIZE_MAX)
                                        a.key_blank = a.n_key;
                                r = env_file_put(&a, false, c);
                        }
                        break;
                case PRE_VALUE:
                        if (newline) {
                                state = PRE_KEY;
                                r = env_file_push(&a, false, lenient, find, env);
                        } else if (c == '\'')
                                state = SINGLE_QUOTE;
                        else if (c == '"')
                                state = DOUBLE_QUOTE;
                        else if (c == '\\')
                                state = VALUE_ESCAPE;
                        else if (!blank) {
                                state = VALUE;
                                r = env_file_put(&a, true, c);
                        }
                        break;
                case VALUE:
                        if (newline) {
                                state = PRE_KEY;
                                r = env_file_push(&a, true, lenient, find, env);
                        } else if (c == '\\') {
                                state = VALUE_ESCAPE;
                                a.value_blank = SIZE_MAX;
                        } else {
                                if (!blank)
                                        a.value_blank = SIZE_MAX;
                                else if (a.value_blank == SIZE_MAX)
                                        a.value_blank = a.n_value;
                                r = env_file_put(&a, true, c);
                        }
                        break;
                case VALUE_ESCAPE:
                        /* A backslash keeps the next byte; before a newline it
                         * joins the lines. */
                        state = VALUE;
                        if (!newline)
                                r = env_file_put(&a, true, c);
                        break;
                case SINGLE_QUOTE:
                        if (c == '\'')
                                state = PRE_VALUE;
                        else
                                r = env_file_put(&a, true, c);
                        break;
                case DOUBLE_QUOTE:
                        if (c == '"')
                                state = PRE_VALUE;
                        else if (c == '\\')
                                state = DOUBLE_QUOTE_ESCAPE;
                        else
                                r = env_file_put(&a, true, c);
                        break;
                case DOUBLE_QUOTE_ESCAPE:
                        /* As a shell: \" \\ \` \$ are the character, a
                         * backslash-newline vanishes, any other stays as is. */
                        state = DOUBLE_QUOTE;
                        if (strchr("\"\\`$", c))
                                r = env_file_put(&a, true, c);
                        else if (c != '\n') {
                                r = env_file_put(&a, true, '\\');
                                if (r >= 0)
                                        r = env_file_put(&a, true, c);
                        }
                        break;
                case COMMENT:
                        if (c == '\\')
                                state = COMMENT_ESCAPE;
                        else if (newline)
                                state = PRE_KEY;
                        break;
                case COMMENT_ESCAPE:
                default:
                        state = COMMENT;
                        break;
                }
                /* Lines counted as an editor shows them: "\r\n" is one end. */
                if (c == '\r' || (c == '\n' && !after_cr))
                        line++;
                after_cr = c == '\r';
                if (r < 0)
                        break;
        }

        if (r >= 0)
                switch (state) {
                case PRE_VALUE:
                case VALUE:
                case VALUE_ESCAPE:
                        r = env_file_push(&a, state == VALUE, lenient, find, env);
                        break;
                case SINGLE_QUOTE:
                case DOUBLE_QUOTE:
                case DOUBLE_QUOTE_ESCAPE:
                        /* systemd takes what there is; a quote that never
                         * closes has swallowed the rest of the file, which
                         * EnvironmentFile= refuses rather than guess. */
                        r = lenient ? env_file_push(&a, false, lenient, find, env) : -EBADMSG;
                        break;
                case PRE_KEY:
                case KEY:
                case COMMENT:
                case COMMENT_ESCAPE:
                default:
                        break;
                }
        if ((r == -EINVAL || r == -EBADMSG || r == -EILSEQ || r == -ENOBUFS) && ret_line)
                *ret_line = a.line;
        if (r == -EUCLEAN && ret_line)
                *ret_line = line;
        if (r == -EINVAL && ret_key) {
                int q = env_key_printable(a.key ?: "", a.key_blank != SIZE_MAX ? a.key_blank : a.n_key, ret_key);
                if (q < 0)
                        return q;
        }
        return r < 0 ? r : 0;
}

int env_file_parse(FILE *f, char ***env, unsigned *ret_line) {
        return env_file_parse_full(f, false, NULL, env, ret_line, NULL);
}

int env_file_parse_key(FILE *f, char ***env, unsigned *ret_line, char **ret_key) {
        *ret_key = NULL;
        return env_file_parse_full(f, false, NULL, env, ret_line, ret_key);
}

int env_file_parse_lenient(FILE *f, char ***env, unsigned *ret_line) {
        return env_file_parse_full(f, true, NULL, env, ret_line, NULL);
}

int env_file_find(FILE *f, const char *key, unsigned *ret_line, char **ret_value) {
        _cleanup_strv_free_ char **env = NULL;
        EnvFileFind find = { .key = key };
        const char *v;
        char *copy;
        int r;

        r = env_file_parse_full(f, false, &find, &env, NULL, NULL);
        if (r < 0)
                return r;
        v = env_get(env, key);
        if (!v || find.line == 0)
                return 0;
        copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        *ret_line = find.line;
        *ret_value = copy;
        return 1;
}

/* glob(3)'s directory reading without "." and "..", as systemd's
 * safe_glob() reads: ".*" names the hidden files, never the directory
 * itself or its parent (read as files, they would fail the start). */
static struct dirent *env_glob_readdir(void *d) {
        struct dirent *de;

        do
                de = readdir(d);
        while (de && (streq(de->d_name, ".") || streq(de->d_name, "..")));
        return de;
}

static void *env_glob_opendir(const char *path) {
        return opendir(path);   /* O_CLOEXEC, as glibc opens every directory */
}

static void env_glob_closedir(void *d) {
        (void) closedir(d);
}

int env_file_glob(const char *pattern, char ***ret_paths) {
        glob_t g = {
                .gl_opendir = env_glob_opendir,
                .gl_readdir = env_glob_readdir,
                .gl_closedir = env_glob_closedir,
                .gl_lstat = lstat,
                .gl_stat = stat,
        };
        char **paths;
        int r;

        errno = 0;
        r = glob(pattern, GLOB_ALTDIRFUNC, NULL, &g);
        if (r == 0 && g.gl_pathc == 0)
                r = GLOB_NOMATCH;
        if (r != 0) {
                int e = errno;

                globfree(&g);
                return r == GLOB_NOMATCH ? -ENOENT : r == GLOB_NOSPACE ? -ENOMEM : e > 0 ? -e : -EIO;
        }
        paths = strv_copy(g.gl_pathv);
        globfree(&g);
        if (!paths)
                return -ENOMEM;
        *ret_paths = paths;
        return 0;
}
