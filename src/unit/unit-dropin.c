/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "strv.h"
#include "unit-dir-links.h"
#include "unit-dropin.h"
#include "unit-name.h"

typedef struct DropinEntry {
        char *file;             /* basename */
        char *path;
        size_t priority;        /* index of its directory in the candidate list */
        bool directory;         /* a directory (or a link to one): hides its name, adds nothing */
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

bool unit_dropin_name_is_valid(const char *file) {
        return file[0] != '.' && endswith(file, ".conf") && !strchr(file, '/') && strlen(file) <= NAME_MAX;
}

/* Takes path (NULL: out of memory). */
static int dropin_list_add_path(DropinList *l, char *path, const char *file, size_t priority, bool directory) {
        DropinEntry *e;

        if (!path)
                return -ENOMEM;
        e = realloc(l->entries, sizeof(DropinEntry) * (l->n + 1));
        if (!e) {
                free(path);
                return -ENOMEM;
        }
        l->entries = e;
        e[l->n] = (DropinEntry) { .file = strdup(file), .path = path, .priority = priority, .directory = directory };
        if (!e[l->n].file) {
                free(path);
                return -ENOMEM;
        }
        l->n++;
        return 0;
}

static int dropin_list_add(DropinList *l, const char *dir, const char *file, size_t priority, bool directory) {
        char *path;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        return dropin_list_add_path(l, path, file, priority, directory);
}

/* Whether the entry de of d is a directory, or a symbolic link to one. One
 * that cannot be looked at (a link that leads nowhere) is none: reading it
 * says what it is. */
static bool dropin_entry_is_directory(DIR *d, const struct dirent *de) {
        struct stat st;

        if (de->d_type == DT_DIR)
                return true;
        if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
                return false;
        return fstatat(dirfd(d), de->d_name, &st, 0) >= 0 && S_ISDIR(st.st_mode);
}

/* Whether a drop-in directory may be read: a unit given as a path reads the
 * drop-in directories beside it (as systemd-analyze verify does), and
 * anyone may make /tmp/cell.d or /tmp/web.cell.d before root runs "cell run
 * /tmp/web.cell". Its Exec= or Bind= must not be taken: only a directory
 * of root's or of ours, that others cannot write to, is read (-EPERM). */
static int dropin_dir_trusted(DIR *d) {
        struct stat st;

        if (fstat(dirfd(d), &st) < 0)
                return negative_errno();
        if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & S_IWOTH))
                return -EPERM;
        return 0;
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
        r = dropin_dir_trusted(d);
        if (r < 0)
                return r;

        for (;;) {
                struct dirent *de;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return negative_errno();
                        return 0;
                }
                /* systemd's FOREACH_DIRENT(): no hidden files. A regular
                 * file or a link is read; a directory (or a link to one) is
                 * listed as systemd's conf_files_list_strv() lists it, so
                 * that it hides the drop-ins of its name in lower-priority
                 * directories, and adds nothing, as systemd's config_parse()
                 * reads nothing from it (without a word). */
                if (!unit_dropin_name_is_valid(de->d_name))
                        continue;
                if (de->d_type != DT_REG && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN &&
                    de->d_type != DT_DIR)
                        continue;
                r = dropin_list_add(l, dir, de->d_name, priority, dropin_entry_is_directory(d, de));
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

/* r for the directory dir that could not be listed, which the caller names
 * (ret_bad_dir, if wanted): of several drop-in directories, the unit's
 * file alone does not say which one is unreadable. */
static int dropin_dir_failed(const char *dir, int r, char **ret_bad_dir) {
        if (r != -ENOMEM && ret_bad_dir) {
                *ret_bad_dir = strdup(dir);
                if (!*ret_bad_dir)
                        return -ENOMEM;
        }
        return r;
}

/* The names whose NAME.cell.d/ apply to name, most specific first, as
 * systemd's unit_file_find_dirs(): the name, then (for an instance) its
 * template with the template's own names, then the "-" prefix of the name
 * ("a-b-c" gives "a-b-", which gives "a-") with the instance kept
 * ("a-b@x" gives "a-@x", then its template "a-@"). */
static int dropin_names(const char *name, char ***names) {
        _cleanup_free_ char *prefix = NULL, *instance = NULL, *built = NULL;
        bool chopped = false;
        int r;

        if (!strv_contains(*names, name)) {
                r = strv_extend(names, name);
                if (r < 0)
                        return r;
        }
        /* A name too long to be valid has no drop-in directory but its own. */
        if (!cell_name_is_valid(name, UNIT_NAME_ANY))
                return 0;

        if (cell_name_is_valid(name, UNIT_NAME_INSTANCE)) {
                _cleanup_free_ char *template = NULL;

                r = unit_name_template(name, &template);
                if (r < 0)
                        return r;
                r = dropin_names(template, names);
                if (r < 0)
                        return r;
                r = unit_name_to_instance(name, &instance);
                if (r < 0)
                        return r;
        }

        r = unit_name_to_prefix(name, &prefix);
        if (r < 0)
                return r;
        for (;;) {
                char *dash = strrchr(prefix, '-');
                size_t n;

                if (!dash || dash == prefix)    /* no dash, or only a leading one */
                        return 0;
                n = (size_t) (dash - prefix);
                if (prefix[n + 1] != 0 || chopped) {
                        prefix[n + 1] = 0;
                        break;
                }
                /* A trailing dash: cut it once and look again. */
                prefix[n] = 0;
                chopped = true;
        }

        if (asprintf(&built, instance ? "%s@%s" : "%s", prefix, strempty(instance)) < 0)
                return -ENOMEM;
        return dropin_names(built, names);
}

int unit_dropin_find_names(char * const *dirs, char * const *names, char ***ret, char **ret_bad_dir) {
        _cleanup_(dropin_list_done) DropinList l = {};
        _cleanup_strv_free_ char **result = NULL, **candidates = NULL;
        size_t priority = 0;
        int r;

        /* As systemd's unit_file_find_dropin_paths(): the unit's own name in
         * every search directory, then each alias in every search
         * directory, then the type-wide directory. A directory already
         * listed keeps its first place. */
        STRV_FOREACH(root, names) {
                _cleanup_strv_free_ char **expanded = NULL;

                r = dropin_names(*root, &expanded);
                if (r < 0)
                        return r;
                STRV_FOREACH(d, dirs)
                        STRV_FOREACH(n, expanded) {
                                char *dir;

                                if (asprintf(&dir, "%s/%s" UNIT_SUFFIX ".d", *d, *n) < 0)
                                        return -ENOMEM;
                                /* Most units have none: the directory's
                                 * listing says so without an open(). */
                                if (!unit_dir_may_have_dir(*d, dir + strlen(*d) + 1)) {
                                        free(dir);
                                        continue;
                                }
                                if (strv_contains(candidates, dir)) {
                                        free(dir);
                                        continue;
                                }
                                r = strv_push(&candidates, dir);
                                if (r < 0)
                                        return r;
                        }
        }
        STRV_FOREACH(c, candidates) {
                r = dropin_scan_dir(&l, *c, priority++);
                if (r < 0)
                        return dropin_dir_failed(*c, r, ret_bad_dir);
        }

        /* systemd's top-level drop-ins ("service.d/" for every service): cell.d/
         * for every unit, after all others, as the most generic. */
        STRV_FOREACH(d, dirs) {
                _cleanup_free_ char *dir = NULL;

                if (!unit_dir_may_have_dir(*d, "cell.d"))
                        continue;
                if (asprintf(&dir, "%s/cell.d", *d) < 0)
                        return -ENOMEM;
                r = dropin_scan_dir(&l, dir, priority++);
                if (r < 0)
                        return dropin_dir_failed(dir, r, ret_bad_dir);
        }

        if (l.n > 0)
                qsort(l.entries, l.n, sizeof(DropinEntry), dropin_entry_compare);

        result = calloc(l.n + 1, sizeof(char *));
        if (!result)
                return -ENOMEM;
        for (size_t i = 0, k = 0; i < l.n; i++) {
                /* Sorted by (name, priority): the first of each name wins;
                 * a directory wins to hide the others, and is not applied. */
                if (i > 0 && streq(l.entries[i].file, l.entries[i - 1].file))
                        continue;
                if (l.entries[i].directory)
                        continue;
                result[k++] = TAKE_PTR(l.entries[i].path);
        }

        *ret = TAKE_PTR(result);
        return 0;
}

int unit_dropin_find(char * const *dirs, const char *name, char ***ret) {
        unit_dir_cache_expire();
        return unit_dropin_find_names(dirs, (char * const[]) { (char *) name, NULL }, ret, NULL);
}

static const char *dropin_file_name(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

int unit_dropin_add_extra(char ***paths, const UnitExtraDropin *extra, size_t n_extra) {
        _cleanup_(dropin_list_done) DropinList l = {};
        _cleanup_free_ const char **names = NULL;
        _cleanup_free_ struct stat *st = NULL;
        _cleanup_free_ bool *have_st = NULL;
        _cleanup_strv_free_ char **result = NULL;
        size_t k = 0;
        int r;

        if (n_extra == 0)
                return 0;
        names = calloc(n_extra, sizeof(char *));
        st = calloc(n_extra, sizeof(struct stat));
        have_st = calloc(n_extra, sizeof(bool));
        if (!names || !st || !have_st)
                return -ENOMEM;
        for (size_t i = 0; i < n_extra; i++) {
                if (extra[i].name && !unit_dropin_name_is_valid(extra[i].name))
                        return -EINVAL;
                names[i] = extra[i].name;
                /* One that cannot be stat()ed is the same file as none (its
                 * reading says why), nor is /dev/null, every mask's. */
                have_st[i] = stat(extra[i].path, st + i) >= 0 && S_ISREG(st[i].st_mode);
        }

        /* The installed ones that stay, under their names: not those of an
         * extra one's name, nor one that is an extra one's file (which then
         * has its name, given none). */
        STRV_FOREACH(p, *paths) {
                const char *file = dropin_file_name(*p);
                bool replaced = false, stated = false, have_o = false;
                struct stat o;

                for (size_t i = 0; i < n_extra && !replaced; i++) {
                        if (names[i] && streq(names[i], file)) {
                                replaced = true;
                                continue;
                        }
                        if (!have_st[i])
                                continue;
                        if (!stated) {
                                have_o = stat(*p, &o) >= 0;
                                stated = true;
                        }
                        if (have_o && o.st_dev == st[i].st_dev && o.st_ino == st[i].st_ino) {
                                replaced = true;
                                if (!names[i])
                                        names[i] = file;
                        }
                }
                if (replaced)
                        continue;
                r = dropin_list_add_path(&l, strdup(*p), file, 0, false);
                if (r < 0)
                        return r;
        }
        /* The named ones, where their names sort; of two of one name the
         * later one given (ranked first: the first of a name is kept). */
        for (size_t i = 0; i < n_extra; i++) {
                if (!names[i])
                        continue;
                r = dropin_list_add_path(&l, strdup(extra[i].path), names[i], n_extra - i, false);
                if (r < 0)
                        return r;
        }
        if (l.n > 0)
                qsort(l.entries, l.n, sizeof(DropinEntry), dropin_entry_compare);

        result = calloc(l.n + n_extra + 1, sizeof(char *));
        if (!result)
                return -ENOMEM;
        for (size_t i = 0; i < l.n; i++) {
                if (i > 0 && streq(l.entries[i].file, l.entries[i - 1].file))
                        continue;
                result[k++] = TAKE_PTR(l.entries[i].path);
        }
        /* Those without a name, last, in the order given; a file given twice
         * (by one path, or two of one file) is one drop-in, at its first place. */
        for (size_t i = 0; i < n_extra; i++) {
                bool again = false;

                if (names[i])
                        continue;
                for (size_t j = 0; j < i && !again; j++)
                        again = !names[j] && (streq(extra[j].path, extra[i].path) ||
                                              (have_st[i] && have_st[j] && st[j].st_dev == st[i].st_dev &&
                                               st[j].st_ino == st[i].st_ino));
                if (again)
                        continue;
                result[k] = strdup(extra[i].path);
                if (!result[k++])
                        return -ENOMEM;
        }

        strv_free(*paths);
        *paths = TAKE_PTR(result);
        return 0;
}
