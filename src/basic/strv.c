/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

char **strv_free(char **l) {
        STRV_FOREACH(s, l)
                free(*s);
        free(l);
        return NULL;
}

size_t strv_length(char * const *l) {
        size_t n = 0;
        STRV_FOREACH(s, l)
                n++;
        return n;
}

bool strv_contains(char * const *l, const char *s) {
        STRV_FOREACH(i, l)
                if (streq(*i, s))
                        return true;
        return false;
}

char **strv_copy(char * const *l) {
        size_t n = strv_length(l);
        char **c = calloc(n + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(l[i]);
                if (!c[i])
                        return strv_free(c);
        }
        return c;
}

int strv_push_n(char ***l, size_t *n, char *value) {
        char **c = realloc(*l, sizeof(char *) * (*n + 2));
        if (!c) {
                free(value);
                return -ENOMEM;
        }
        c[*n] = value;
        c[++*n] = NULL;
        *l = c;
        return 0;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);

        return strv_push_n(l, &n, value);
}

int strv_extend(char ***l, const char *value) {
        char *v = strdup(value);
        if (!v)
                return -ENOMEM;
        return strv_push(l, v);
}

int strv_extend_strv(char ***l, char * const *other) {
        size_t n = strv_length(*l);

        /* Counted once: thousands of words are not each appended by a walk to the end. */
        STRV_FOREACH(s, other) {
                char *v = strdup(*s);
                int r;

                if (!v)
                        return -ENOMEM;
                r = strv_push_n(l, &n, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

char *strv_join(char * const *l, const char *sep) {
        size_t n = 0, k = strlen(sep);
        STRV_FOREACH(s, l)
                n += strlen(*s) + k;
        char *r = malloc(n + 1), *p = r;
        if (!r)
                return NULL;
        *p = 0;
        STRV_FOREACH(s, l) {
                if (p != r)
                        p = stpcpy(p, sep);
                p = stpcpy(p, *s);
        }
        return r;
}

int strv_cmp(const void *a, const void *b) {
        return strcmp(*(char * const *) a, *(char * const *) b);
}

void strv_sort(char **l) {
        size_t n = strv_length(l);

        if (n > 1)
                qsort(l, n, sizeof(char *), strv_cmp);
}
