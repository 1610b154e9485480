/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "spawn-env.h"

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
