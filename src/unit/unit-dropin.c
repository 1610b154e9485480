/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdio.h>

#include "strv.h"
#include "unit-dropin.h"
#include "unit-name.h"

typedef struct DropinEntry {
        char *file;             /* basename */
        char *path;
        size_t priority;        /* index of its directory in the candidate list */
} DropinEntry;

typedef struct DropinList {
        DropinEntry *entries;
        size_t n;
} DropinList;

static void dropin_list_done(DropinList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->entries[i].file);
                free(l->entries[i].path);
        }
        free(l->entries);
}

static int dropin_list_add(DropinList *l, const char *dir, const char *file, size_t priority) {
        DropinEntry *e;
        char *path;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        e = realloc(l->entries, sizeof(DropinEntry) * (l->n + 1));
        if (!e) {
                free(path);
                return -ENOMEM;
        }
        l->entries = e;
        e[l->n] = (DropinEntry) { .file = strdup(file), .path = path, .priority = priority };
        if (!e[l->n].file) {
                free(path);
                return -ENOMEM;
        }
        l->n++;
        return 0;
}

static void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

static int dropin_scan_dir(DropinList *l, const char *dir, size_t priority) {
        _cleanup_(closedirp) DIR *d = NULL;
        int r;

        d = opendir(dir);
        if (!d) {
                /* Most units have no drop-in directory. One whose name is
                 * too long to exist (a 250-byte NAME.cell is a valid unit,
                 * NAME.cell.d is past NAME_MAX) has none either. */
                if (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG)
                        return 0;
                return negative_errno();
        }

        for (;;) {
                struct dirent *de;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return negative_errno();
                        return 0;
                }
                /* systemd's dirent_is_file_with_suffix(): no hidden files,
                 * only what may be a regular file. */
                if (de->d_name[0] == '.' || !endswith(de->d_name, ".conf"))
                        continue;
                if (de->d_type != DT_REG && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
                        continue;
                r = dropin_list_add(l, dir, de->d_name, priority);
                if (r < 0)
                        return r;
        }
}

static int dropin_entry_compare(const void *a, const void *b) {
        const DropinEntry *x = a, *y = b;
        int c = strcmp(x->file, y->file);

        if (c != 0)
                return c;
        return x->priority < y->priority ? -1 : x->priority > y->priority;
}

int unit_dropin_find(char * const *dirs, const char *name, char ***ret) {
        _cleanup_(dropin_list_done) DropinList l = {};
        _cleanup_strv_free_ char **result = NULL;
        _cleanup_free_ char *template = NULL;
        size_t priority = 0;
        int r;

        if (cell_name_is_valid(name, UNIT_NAME_INSTANCE)) {
                r = unit_name_template(name, &template);
                if (r < 0)
                        return r;
        }

        STRV_FOREACH(d, dirs) {
                const char *names[] = { name, template };

                for (size_t i = 0; i < ELEMENTSOF(names) && names[i]; i++) {
                        _cleanup_free_ char *dir = NULL;

                        if (asprintf(&dir, "%s/%s" UNIT_SUFFIX ".d", *d, names[i]) < 0)
                                return -ENOMEM;
                        r = dropin_scan_dir(&l, dir, priority++);
                        if (r < 0)
                                return r;
                }
        }

        if (l.n > 0)
                qsort(l.entries, l.n, sizeof(DropinEntry), dropin_entry_compare);

        result = calloc(l.n + 1, sizeof(char *));
        if (!result)
                return -ENOMEM;
        for (size_t i = 0, k = 0; i < l.n; i++) {
                /* Sorted by (name, priority): the first of each name wins. */
                if (i > 0 && streq(l.entries[i].file, l.entries[i - 1].file))
                        continue;
                result[k++] = TAKE_PTR(l.entries[i].path);
        }

        *ret = TAKE_PTR(result);
        return 0;
}
