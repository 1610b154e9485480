/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "siphash24.h"
#include "strv.h"

static int diag_addv(Diagnostics *d, int level, const char *file, unsigned line,
                     const char *fmt, va_list ap) {
        const char *kind = level == LOG_WARNING ? "warning: " : "";
        _cleanup_free_ char *text = NULL;
        char *m = NULL;
        int r;

        if (!d)
                return 0;
        if (vasprintf(&text, fmt, ap) < 0)
                return -ENOMEM;
        if (file && line > 0)
                r = asprintf(&m, "%s:%u: %s%s", file, line, kind, text);
        else if (file)
                r = asprintf(&m, "%s: %s%s", file, kind, text);
        else
                r = asprintf(&m, "%s%s", kind, text);
        if (r < 0)
                return -ENOMEM;
        /* Grown by doubling: strv_push() walks the list for its length. The
         * levels grow with it (a failure between the two leaves n_allocated
         * as it was, both arrays at least that long). */
        if (d->n_messages + 2 > d->n_allocated) {
                size_t n = MAX(d->n_allocated * 2, (size_t) 16);
                char **l = reallocarray(d->messages, n, sizeof(char *));
                uint8_t *v;

                if (!l) {
                        free(m);
                        return -ENOMEM;
                }
                d->messages = l;
                v = reallocarray(d->levels, n, sizeof(uint8_t));
                if (!v) {
                        free(m);
                        return -ENOMEM;
                }
                d->levels = v;
                d->n_allocated = n;
        }
        d->levels[d->n_messages] = level;
        d->messages[d->n_messages++] = m;
        d->messages[d->n_messages] = NULL;
        return 0;
}

int diag_error(Diagnostics *d, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_addv(d, LOG_ERR, file, line, fmt, ap);
        va_end(ap);
        if (d && r >= 0)
                d->n_errors++;
        return r;
}

int diag_warning(Diagnostics *d, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_addv(d, LOG_WARNING, file, line, fmt, ap);
        va_end(ap);
        if (d && r >= 0)
                d->n_warnings++;
        return r;
}

/* The slot of key in a table of n (a power of two) slots: its own, or the
 * empty one it would go in. Not a secret: units are the admin's, and a
 * collision costs a comparison, never a message. */
static size_t once_slot(char **table, size_t n, const char *key) {
        static const uint8_t k[16] = {};
        size_t i = siphash24(key, strlen(key), k) & (n - 1);

        while (table[i] && !streq(table[i], key))
                i = (i + 1) & (n - 1);
        return i;
}

/* Adds key to the set unless it is there: 1 added, 0 there, -ENOMEM. */
static int once_add(Diagnostics *d, char *key) {
        size_t i;

        /* Kept at most half full, grown by doubling: a file of thousands of
         * unknown headers costs no walk through all those before. */
        if ((d->n_once + 1) * 2 > d->n_once_allocated) {
                size_t n = MAX(d->n_once_allocated * 2, (size_t) 16);
                char **t = calloc(n, sizeof(char *));

                if (!t)
                        return -ENOMEM;
                for (size_t j = 0; j < d->n_once_allocated; j++)
                        if (d->once[j])
                                t[once_slot(t, n, d->once[j])] = d->once[j];
                free(d->once);
                d->once = t;
                d->n_once_allocated = n;
        }
        i = once_slot(d->once, d->n_once_allocated, key);
        if (d->once[i])
                return 0;
        d->once[i] = key;
        d->n_once++;
        return 1;
}

int diag_error_once(Diagnostics *d, const char *file, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL, *key = NULL;
        va_list ap;
        int r;

        if (!d)
                return 0;
        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0 || asprintf(&key, "%s\n%s", strempty(file), text) < 0)
                return -ENOMEM;
        r = once_add(d, key);
        if (r <= 0)
                return r;
        TAKE_PTR(key);
        return diag_error(d, file, line, "%s", text);
}

void diag_done(Diagnostics *d) {
        for (size_t i = 0; i < d->n_once_allocated; i++)
                free(d->once[i]);
        d->once = mfree(d->once);
        d->n_once = d->n_once_allocated = 0;
        d->messages = strv_free(d->messages);
        d->levels = mfree(d->levels);
        d->n_messages = d->n_allocated = 0;
        d->n_errors = d->n_warnings = 0;
}
