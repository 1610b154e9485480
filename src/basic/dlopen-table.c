/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "dlopen-table.h"
#include "macros.h"

static void error_set(char *error, size_t size, const char *what) {
        if (error && size > 0)
                (void) snprintf(error, size, "%s", strna(what));
}

int dlopen_table(const char *soname, int flags, const DlopenSym *syms, size_t n, void **ret_handle, char *error,
                 size_t error_size) {
        void *h;

        if (*ret_handle)
                return 0;
        h = dlopen(soname, flags);
        if (!h) {
                error_set(error, error_size, dlerror());
                return -ELIBACC;
        }
        for (size_t i = 0; i < n; i++) {
                *syms[i].fn = dlsym(h, syms[i].name);
                if (*syms[i].fn)
                        continue;
                if (error && error_size > 0)
                        (void) snprintf(error, error_size, "%s has no %s", soname, syms[i].name);
                for (size_t j = 0; j < n; j++)
                        *syms[j].fn = NULL;
                (void) dlclose(h);
                return -ELIBBAD;
        }
        *ret_handle = h;
        return 0;
}
