/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "strv.h"

static int diag_addv(Diagnostics *d, const char *kind, const char *file, unsigned line,
                     const char *fmt, va_list ap) {
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
        /* Grown by doubling: strv_push() walks the list for its length. */
        if (d->n_messages + 2 > d->n_allocated) {
                size_t n = MAX(d->n_allocated * 2, (size_t) 16);
                char **l = reallocarray(d->messages, n, sizeof(char *));

                if (!l) {
                        free(m);
                        return -ENOMEM;
                }
                d->messages = l;
                d->n_allocated = n;
        }
        d->messages[d->n_messages++] = m;
        d->messages[d->n_messages] = NULL;
        return 0;
}

int diag_error(Diagnostics *d, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_addv(d, "", file, line, fmt, ap);
        va_end(ap);
        if (d && r >= 0)
                d->n_errors++;
        return r;
}

int diag_warning(Diagnostics *d, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = diag_addv(d, "warning: ", file, line, fmt, ap);
        va_end(ap);
        if (d && r >= 0)
                d->n_warnings++;
        return r;
}

void diag_done(Diagnostics *d) {
        d->messages = strv_free(d->messages);
        d->n_messages = d->n_allocated = 0;
        d->n_errors = d->n_warnings = 0;
}
