/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/stat.h>

#include "config-build.h"
#include "strv.h"
#include "unit-name.h"
#include "unit-path.h"

void unit_location_done(UnitLocation *l) {
        l->path = mfree(l->path);
        l->name = mfree(l->name);
        l->dropin_dirs = strv_free(l->dropin_dirs);
        l->search_path = strv_free(l->search_path);
}

bool unit_is_path(const char *s) {
        return strchr(s, '/');
}

/* Appends each non-empty component of a colon separated list, skipping duplicates. */
static int strv_extend_colon_list(char ***l, const char *list) {
        for (const char *p = list; *p; ) {
                size_t n = strcspn(p, ":");

                if (n > 0) {
                        _cleanup_free_ char *d = strndup(p, n);
                        int r;

                        if (!d)
                                return -ENOMEM;
                        if (!strv_contains(*l, d)) {
                                r = strv_push(l, TAKE_PTR(d));
                                if (r < 0)
                                        return r;
                        }
                }
                p += n;
                if (*p == ':')
                        p++;
        }
        return 0;
}

int unit_search_path_get(char * const *override, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *e;
        int r;

        if (override) {
                l = strv_copy(override);
                if (!l)
                        return -ENOMEM;
                *ret = TAKE_PTR(l);
                return 0;
        }

        e = getenv("CELL_UNIT_PATH");
        if (e) {
                r = strv_extend_colon_list(&l, e);
                if (r < 0)
                        return r;
                /* systemd's rule for $SYSTEMD_UNIT_PATH: a trailing empty
                 * component means "and then the usual places". */
                if (endswith(e, ":")) {
                        r = strv_extend_colon_list(&l, CELL_UNIT_SEARCH_PATH);
                        if (r < 0)
                                return r;
                }
        } else {
                r = strv_extend_colon_list(&l, CELL_UNIT_SEARCH_PATH);
                if (r < 0)
                        return r;
        }

        /* An empty list is a valid answer (nothing is found); keep it non-NULL. */
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* The first DIR/FILE that exists, in search path order. */
static int search_file(char * const *dirs, const char *file, char **ret) {
        STRV_FOREACH(d, dirs) {
                char *p;

                if (asprintf(&p, "%s/%s", *d, file) < 0)
                        return -ENOMEM;
                if (access(p, F_OK) >= 0) {
                        *ret = p;
                        return 0;
                }
                free(p);
        }
        return -ENOENT;
}

static int location_from_name(const char *s, char * const *search_path, UnitLocation *l) {
        _cleanup_free_ char *name = NULL, *file = NULL, *path = NULL;
        int r;

        r = unit_name_normalize(s, &name);
        if (r < 0)
                return r;

        if (asprintf(&file, "%s" UNIT_SUFFIX, name) < 0)
                return -ENOMEM;
        r = search_file(search_path, file, &path);
        if (r == -ENOENT && cell_name_is_valid(name, UNIT_NAME_INSTANCE)) {
                /* systemd: an instance without a file of its own is loaded
                 * from its template, searched in the whole path after the
                 * instance file was not found anywhere. */
                _cleanup_free_ char *template = NULL;

                r = unit_name_template(name, &template);
                if (r < 0)
                        return r;
                free(file);
                if (asprintf(&file, "%s" UNIT_SUFFIX, template) < 0)
                        return -ENOMEM;
                r = search_file(search_path, file, &path);
        }
        if (r < 0)
                return r;

        l->dropin_dirs = strv_copy(search_path);
        if (!l->dropin_dirs)
                return -ENOMEM;
        l->path = TAKE_PTR(path);
        l->name = TAKE_PTR(name);
        return 0;
}

static int location_from_path(const char *path, const char *name_override,
                              char * const *search_path, UnitLocation *l) {
        _cleanup_free_ char *name = NULL, *dir = NULL, *p = NULL;
        _cleanup_strv_free_ char **dirs = NULL;
        const char *base, *slash;
        int r;

        p = strdup(path);
        if (!p)
                return -ENOMEM;

        slash = strrchr(path, '/');
        base = slash + 1;
        if (name_override)
                r = unit_name_normalize(name_override, &name);
        else
                /* Any file name is accepted (Ansible's validate: hands over
                 * /tmp/tmpk2f9x); the unit is then called after it. */
                r = unit_name_normalize(base, &name);
        if (r < 0)
                return r;

        /* Drop-ins next to the file come first, as systemd-analyze verify
         * puts the file's directory first in its unit path. */
        dir = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        if (!dir)
                return -ENOMEM;
        r = strv_push(&dirs, TAKE_PTR(dir));
        if (r < 0)
                return r;
        STRV_FOREACH(d, search_path)
                if (!strv_contains(dirs, *d)) {
                        r = strv_extend(&dirs, *d);
                        if (r < 0)
                                return r;
                }

        l->path = TAKE_PTR(p);
        l->name = TAKE_PTR(name);
        l->dropin_dirs = TAKE_PTR(dirs);
        return 0;
}

int unit_location_find(const char *name_or_path, const char *name_override,
                       char * const *search_path, UnitLocation *ret) {
        UnitLocation l = {};
        int r;

        r = unit_search_path_get(search_path, &l.search_path);
        if (r < 0)
                return r;

        if (unit_is_path(name_or_path))
                r = location_from_path(name_or_path, name_override, l.search_path, &l);
        else {
                r = location_from_name(name_or_path, l.search_path, &l);
                if (r >= 0 && name_override) {
                        /* --name renames a unit found by name too. */
                        free(l.name);
                        l.name = NULL;
                        r = unit_name_normalize(name_override, &l.name);
                }
        }
        if (r < 0 && r != -ENOENT) {
                unit_location_done(&l);
                return r;
        }
        *ret = l;
        return r;
}
