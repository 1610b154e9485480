/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parse-exec.h"
#include "parse-util.h"
#include "parse-value.h"
#include "strv.h"
#include "utf8.h"

/* One C escape after the backslash at p: the bytes it stands for into out
 * (up to 4), their count; *consumed is how many chars of p it took. NUL
 * (\x00, \000, \u0000) is refused unless accept_nul: a string cannot carry it. */
static int cunescape_one(const char *p, char *out, size_t *consumed, bool accept_nul) {
        static const char simple[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''s ";
        uint32_t c = 0;
        size_t n;

        for (size_t i = 0; simple[i]; i += 2)
                if (*p == simple[i]) {
                        out[0] = simple[i + 1];
                        *consumed = 1;
                        return 1;
                }
        switch (*p) {
        case 'x':
                n = 2;
                break;
        case 'u':
                n = 4;
                break;
        case 'U':
                n = 8;
                break;
        case '0': case '1': case '2': case '3':
                for (size_t i = 0; i < 3; i++) {
                        if (p[i] < '0' || p[i] > '7')
                                return -EINVAL;
                        c = c * 8 + (uint32_t) (p[i] - '0');
                }
                if (c == 0 && !accept_nul)
                        return -EINVAL;
                out[0] = (char) c;
                *consumed = 3;
                return 1;
        default:
                return -EINVAL;
        }
        for (size_t i = 1; i <= n; i++) {
                int d = unhexchar(p[i]);
                if (d < 0)
                        return -EINVAL;
                c = c * 16 + (uint32_t) d;
        }
        *consumed = n + 1;
        if (c == 0 && !accept_nul)
                return -EINVAL;
        if (c == 0) {
                out[0] = 0;
                return 1;
        }
        if (*p == 'x') {
                out[0] = (char) c;
                return 1;
        }
        /* As systemd 252's cunescape_one(): "\UNNNNNNNN" must name a character
         * (unichar_is_valid()); "\uNNNN" is taken as it is, a surrogate or a
         * non-character too (a key that wants UTF-8, Environment=, checks the
         * result as systemd does: "\uFFFE" is no character of a value). */
        if (*p == 'U' && !unichar_is_valid(c))
                return -EINVAL;
        return (int) utf8_encode_unichar(c, out);
}

int cunescape_bytes(const char *s, char **ret, size_t *ret_size) {
        _cleanup_free_ char *out = malloc(strlen(s) + 1);
        size_t n = 0;

        if (!out)
                return -ENOMEM;
        for (; *s; s++) {
                size_t used;
                int k;

                if (*s != '\\') {
                        out[n++] = *s;
                        continue;
                }
                if (!s[1])
                        return -EINVAL;
                k = cunescape_one(s + 1, out + n, &used, true);
                if (k < 0)
                        return k;
                n += (size_t) k;
                s += used;
        }
        out[n] = 0;
        *ret = TAKE_PTR(out);
        *ret_size = n;
        return 0;
}

int extract_first_word(const char **p, char **ret, const char *separators, ExtractFlags flags) {
        _cleanup_free_ char *word = NULL;
        size_t n = 0;
        char quote = 0;
        const char *s = *p;
        bool coalesce = !(flags & EXTRACT_DONT_COALESCE_SEPARATORS);

        if (!separators)
                separators = WHITESPACE;

        if (coalesce)
                s += strspn(s, separators);
        if (!*s) {
                *p = s;
                *ret = NULL;
                return 0;
        }
        /* Grown as the word is: sized by the rest of the input, each word of
         * a line of thousands would cost the whole rest. */
        size_t allocated = 64;
        word = malloc(allocated);
        if (!word)
                return -ENOMEM;

        for (;; s++) {
                char c = *s;

                /* Room for a character or an escape's bytes, and the NUL. */
                if (n + 8 > allocated) {
                        char *w = realloc(word, allocated * 2);

                        if (!w)
                                return -ENOMEM;
                        word = w;
                        allocated *= 2;
                }

                if (c == '\\' && !(flags & EXTRACT_RETAIN_ESCAPE)) {
                        s++;
                        if (!*s) {
                                if (!(flags & EXTRACT_RELAX))
                                        return -EINVAL;
                                break;
                        }
                        /* As systemd's EXTRACT_CUNESCAPE: an escaped separator ("\ ") is no
                         * escape (systemd warns and keeps the backslash; we refuse it). */
                        if (flags & EXTRACT_CUNESCAPE) {
                                size_t used;
                                int k = cunescape_one(s, word + n, &used, false);
                                if (k < 0)
                                        return k;
                                n += (size_t) k;
                                s += used - 1;
                        } else
                                word[n++] = *s;
                        continue;
                }
                if (quote) {
                        if (!c && !(flags & EXTRACT_RELAX))
                                return -EINVAL;
                        if (!c)
                                break;
                        if (c == quote)
                                quote = 0;
                        else
                                word[n++] = c;
                        continue;
                }
                if (!c)
                        break;
                if ((flags & EXTRACT_UNQUOTE) && (c == '"' || c == '\'')) {
                        quote = c;
                        continue;
                }
                if (strchr(separators, c)) {
                        if (coalesce)
                                s += strspn(s, separators);
                        else
                                s++;
                        break;
                }
                word[n++] = c;
        }
        word[n] = 0;
        *p = s;
        *ret = TAKE_PTR(word);
        return 1;
}

int quote_word(const char *s, char **ret) {
        char *q = malloc(strlen(s) * 2 + 3), *o;

        if (!q)
                return -ENOMEM;
        o = q;
        *o++ = '"';
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        *o++ = '\\';
                *o++ = *s;
        }
        *o++ = '"';
        *o = 0;
        *ret = q;
        return 0;
}

int split_words_append(char ***l, const char *s, ExtractFlags flags) {
        for (;;) {
                char *w;
                int r = extract_first_word(&s, &w, NULL, flags);

                if (r <= 0)
                        return r;
                r = strv_push(l, w);
                if (r < 0)
                        return r;
        }
}

int split_words_full(const char *s, ExtractFlags flags, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        r = split_words_append(&l, s, flags);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

int split_words(const char *s, char ***ret) {
        return split_words_full(s, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, ret);
}

const char *split_words_why(const char *s, char *buf, size_t size) {
        char quote = 0;

        for (const char *p = s; *p; p++) {
                if (*p == '\\') {
                        char out[4];
                        size_t used;

                        if (!p[1])
                                return "a backslash at the very end; \"\\\\\" is a backslash";
                        if (cunescape_one(p + 1, out, &used, false) >= 0) {
                                p += used;
                                continue;
                        }
                        /* Named by its letter only when that is printable ASCII: never a
                         * byte of a UTF-8 sequence cut in two. */
                        if (p[1] < ' ' || p[1] > '~')
                                (void) snprintf(buf, size, "a backslash before a character that makes no escape; "
                                                "\"\\\\\" is a backslash");
                        else if (p[1] == 'U' && strspn(p + 2, "0123456789abcdefABCDEF") >= 8 &&
                                 strspn(p + 2, "0") < 8)
                                (void) snprintf(buf, size, "\"\\%.9s\" names no Unicode character (a surrogate, a "
                                                "non-character such as U+FFFE, or beyond U+10FFFF)", p + 1);
                        else if (strchr("xuU0123", p[1]))
                                (void) snprintf(buf, size, "\"\\%c...\" is no escape of a character a value may "
                                                "hold: \\xNN, \\uNNNN, \\UNNNNNNNN or \\NNN, never NUL", p[1]);
                        else
                                (void) snprintf(buf, size, "\"\\%c\" is no escape; \"\\\\\" is a backslash", p[1]);
                        return buf;
                }
                if (quote) {
                        if (*p == quote)
                                quote = 0;
                } else if (*p == '"' || *p == '\'')
                        quote = *p;
        }
        if (quote == '"')
                return "a double quote that does not close";
        if (quote)
                return "a single quote that does not close";
        return NULL;
}

/* Whether s starts with the word w alone: followed by a blank or the end. */
static bool starts_with_word(const char *s, const char *w) {
        const char *e = startswith(s, w);

        return e && (!*e || strchr(WHITESPACE, *e));
}

int parse_exec_command(const char *s, char ***ret_argv) {
        _cleanup_strv_free_ char **argv = calloc(1, sizeof(char *));
        int r;

        if (!argv)
                return -ENOMEM;
        for (;;) {
                char *w;

                s += strspn(s, WHITESPACE);
                /* systemd: a lone ";" ends one command and starts the next;
                 * Exec= takes one, so it is refused rather than passed on as an
                 * argument. One at the very end starts none: systemd takes
                 * "ExecStart=/bin/true ;" as one command, and so do we. */
                if (starts_with_word(s, ";")) {
                        if (argv[0] && isempty(s + 1 + strspn(s + 1, WHITESPACE)))
                                break;
                        return -EBADMSG;
                }
                /* ... and a lone "\;" after the command is a literal ";" (find
                 * -exec ... \;). As the command, systemd takes it for no escape,
                 * keeps the backslash and refuses it; extract_first_word() refuses it. */
                if (argv[0] && starts_with_word(s, "\\;")) {
                        s += 2;
                        w = strdup(";");
                } else {
                        r = extract_first_word(&s, &w, NULL, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                break;
                }
                if (!w)
                        return -ENOMEM;
                /* systemd compares the command unquoted: '";" /bin/true' starts
                 * with a separator (and runs /bin/true), not a program ";". */
                if (!argv[0] && streq(w, ";")) {
                        free(w);
                        return -EBADMSG;
                }
                r = strv_push(&argv, w);
                if (r < 0)
                        return r;
        }
        if (!argv[0] || isempty(argv[0]))
                return -EINVAL;
        *ret_argv = TAKE_PTR(argv);
        return 0;
}

int env_set(char ***env, char *assignment) {
        size_t k = strcspn(assignment, "=");

        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, assignment, k) == 0 && (*e)[k] == '=') {
                        free(*e);
                        *e = assignment;
                        return 0;
                }
        return strv_push(env, assignment);
}

int parse_environment(const char *s, char ***env, char **ret_bad) {
        _cleanup_strv_free_ char **words = NULL;
        int r;

        if (ret_bad)
                *ret_bad = NULL;
        r = split_words(s, &words);
        if (r < 0)
                return r;
        return env_merge(env, NULL, words, ret_bad);
}

int env_merge(char ***env, EnvIndex *index, char * const *words, char **ret_bad) {
        _cleanup_(env_index_done) EnvIndex local = {};
        _cleanup_strv_free_ char **copies = NULL;
        size_t n;
        int r;

        if (ret_bad)
                *ret_bad = NULL;
        STRV_FOREACH(w, words) {
                const char *eq = strchr(*w, '=');
                _cleanup_free_ char *name = eq ? strndup(*w, (size_t) (eq - *w)) : NULL;

                if (eq && !name)
                        return -ENOMEM;
                if (!eq || !env_name_is_valid(name)) {
                        if (ret_bad) {
                                *ret_bad = strdup(*w);
                                if (!*ret_bad)
                                        return -ENOMEM;
                        }
                        return -EINVAL;
                }
        }
        /* All words are good: every allocation first, so that OOM halfway
         * leaves env whole; then each set through the index of the names,
         * not by a walk of env (and a copy of it) a line: thousands of
         * Environment= lines were quadratic. */
        copies = strv_copy(words);
        if (!copies && words)
                return -ENOMEM;
        n = strv_length(copies);
        if (!index)
                index = &local;
        r = env_index_reserve(index, env, n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                env_index_set(index, TAKE_PTR(copies[i]));
        return 0;
}
