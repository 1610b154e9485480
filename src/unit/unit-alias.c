/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strv.h"
#include "unit-alias.h"
#include "unit-dir-links.h"
#include "unit-name.h"

/* systemd's FOLLOW_MAX: how many names an alias chain may go through. */
#define ALIAS_FOLLOW_MAX 8

void unit_entry_done(UnitEntry *e) {
        e->name = mfree(e->name);
        e->path = mfree(e->path);
        e->alias_of = mfree(e->alias_of);
}

static int note_add(char ***notes, const char *fmt, ...) _printf_(2, 3);
static int note_add(char ***notes, const char *fmt, ...) {
        va_list ap;
        char *n;
        int r;

        if (!notes)
                return 0;
        va_start(ap, fmt);
        r = vasprintf(&n, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (strv_contains(*notes, n)) {
                free(n);
                return 0;
        }
        return strv_push(notes, n);
}

/* "/a/./b//../c" -> "/a/c", without looking at the file system (".." of
 * "/" is "/"). A relative path stays relative. */
static int path_normalize(const char *p, char **ret) {
        _cleanup_free_ char *out = malloc(strlen(p) + 2);
        size_t n = 0;

        if (!out)
                return -ENOMEM;
        if (p[0] == '/')
                out[n++] = '/';
        for (const char *s = p; *s; ) {
                size_t k = strcspn(s, "/");

                if (k == 0 || (k == 1 && s[0] == '.'))
                        ;
                else if (k == 2 && s[0] == '.' && s[1] == '.') {
                        while (n > 0 && out[n - 1] == '/' && n > (p[0] == '/'))
                                n--;
                        while (n > (size_t) (p[0] == '/') && out[n - 1] != '/')
                                n--;
                } else {
                        if (n > 0 && out[n - 1] != '/')
                                out[n++] = '/';
                        memcpy(out + n, s, k);
                        n += k;
                }
                s += k;
                if (*s == '/')
                        s++;
        }
        while (n > 1 && out[n - 1] == '/')
                n--;
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

/* Whether dir (normalized) is a directory of search_path as written: a
 * comparison without a system call. */
static int search_dir_literal(char * const *search_path, const char *dir) {
        STRV_FOREACH(d, search_path) {
                _cleanup_free_ char *norm = NULL;

                if (path_normalize(*d, &norm) < 0)
                        return -ENOMEM;
                if (streq(norm, dir))
                        return 1;
        }
        return 0;
}

/* Whether dir is a directory of search_path, compared as written and then
 * with each search directory's symlinks resolved (as systemd's expanded
 * search path: /etc/cell may itself be a link). */
static int search_dir_real(char * const *search_path, const char *dir) {
        int r;

        r = search_dir_literal(search_path, dir);
        if (r != 0)
                return r;
        STRV_FOREACH(d, search_path) {
                _cleanup_free_ char *real = realpath(*d, NULL);

                if (!real && errno == ENOMEM)
                        return -ENOMEM;
                if (real && streq(real, dir))
                        return 1;
        }
        return 0;
}

static bool path_has_dotdot(const char *p) {
        for (const char *s = p; *s; ) {
                size_t k = strcspn(s, "/");

                if (k == 2 && s[0] == '.' && s[1] == '.')
                        return true;
                s += k;
                s += strspn(s, "/");
        }
        return false;
}

static int path_join_file(const char *dir, const char *file, char **ret) {
        return asprintf(ret, "%s/%s", streq(dir, "/") ? "" : dir, file) < 0 ? -ENOMEM : 0;
}

/* A symlink's target as systemd's unit_file_resolve_symlink() takes it
 * (chase_symlinks() with CHASE_NOFOLLOW|CHASE_NONEXISTENT): absolute (a
 * relative one from the link's directory, which is taken from the working
 * directory when it is relative too: "cell run ./web.cell"), the
 * directories on the way resolved as the kernel resolves them ("sub/../x"
 * is next to wherever sub leads, not next to the link), the last component
 * itself not followed. *ret: the target so resolved; returns 1 when it lies
 * directly in a directory of search_path, else 0. */
static int link_target_resolve(char * const *search_path, const char *dir, const char *target, char **ret) {
        _cleanup_free_ char *abs = NULL, *cwd = NULL, *parent = NULL, *real = NULL;
        char *slash;
        int r;

        if (target[0] == '/')
                abs = strdup(target);
        else if (dir[0] == '/') {
                if (asprintf(&abs, "%s/%s", dir, target) < 0)
                        abs = NULL;
        } else {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return -errno;
                if (asprintf(&abs, "%s/%s/%s", cwd, dir, target) < 0)
                        abs = NULL;
        }
        if (!abs)
                return -ENOMEM;

        /* abs = PARENT/LAST, as written (trailing slashes dropped). */
        for (size_t n = strlen(abs); n > 1 && abs[n - 1] == '/'; n--)
                abs[n - 1] = 0;
        slash = strrchr(abs, '/');
        if (!slash[1] || streq(slash + 1, ".") || streq(slash + 1, "..")) {
                /* "/", "x/.", "x/..": a directory, no unit file. */
                r = path_normalize(abs, ret);
                return r < 0 ? r : 0;
        }
        *slash = 0;
        if (path_normalize(slash == abs ? "/" : abs, &parent) < 0)
                return -ENOMEM;

        /* Without "..", the parent as written is where the kernel looks: a
         * search directory named as such needs no lookup (the usual alias,
         * "nginx.cell" or "/usr/lib/cell/nginx.cell"). */
        if (!path_has_dotdot(abs)) {
                r = search_dir_literal(search_path, parent);
                if (r != 0)
                        return r < 0 ? r : path_join_file(parent, slash + 1, ret) ?: 1;
        }

        /* Else the parent as the kernel resolves it: realpath() of what was
         * written, each ".." taken after the symlinks before it. */
        real = realpath(slash == abs ? "/" : abs, NULL);
        if (!real && errno == ENOMEM)
                return -ENOMEM;
        if (real) {     /* (else a directory that is not there: as written) */
                free(parent);
                parent = TAKE_PTR(real);
        }
        r = search_dir_real(search_path, parent);
        if (r < 0)
                return r;
        return path_join_file(parent, slash + 1, ret) ?: r;
}

/* systemd's unit_validate_alias_symlink_or_warn(): NULL when name may be an
 * alias of target, else why not. */
static const char *alias_invalid_reason(const char *name, const char *target) {
        const char *a = strchr(name, '@'), *b = strchr(target, '@');

        if (!a && !b)
                return NULL;
        if (!a || !b)
                return "a plain name and a template or instance name cannot alias each other";
        if (!a[1] && b[1])
                return "a template can only be an alias of a template";
        if (a[1] && b[1] && !streq(a + 1, b + 1))
                return "an instance can only be an alias of the same instance or of a template";
        return NULL;
}

static int readlink_alloc(const char *path, char **ret) {
        for (size_t size = 256; size <= 65536; size *= 2) {
                _cleanup_free_ char *buf = malloc(size);
                ssize_t n;

                if (!buf)
                        return -ENOMEM;
                n = readlink(path, buf, size);
                if (n < 0)
                        return negative_errno();
                if ((size_t) n < size) {
                        buf[n] = 0;
                        *ret = TAKE_PTR(buf);
                        return 0;
                }
        }
        return -ENAMETOOLONG;
}

int unit_entry_classify(char * const *search_path, const char *dir, const char *file,
                        char ***notes, UnitEntry *ret) {
        _cleanup_free_ char *name = NULL, *path = NULL, *target = NULL, *resolved = NULL, *dst = NULL;
        const char *base, *why;
        struct stat st;
        int r;

        if (!endswith(file, UNIT_SUFFIX) || unit_name_normalize(file, &name) < 0)
                return -EINVAL;
        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        /* As the access() this replaces: what cannot be looked at is not there. */
        if (lstat(path, &st) < 0)
                return errno == ENOMEM ? -ENOMEM : -ENOENT;

        if (S_ISLNK(st.st_mode)) {
                r = readlink_alloc(path, &target);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return -ENOENT;
                r = link_target_resolve(search_path, dir, target, &resolved);
                if (r < 0)
                        return r;
        } else
                r = 0;

        if (r > 0) {
                base = strrchr(resolved, '/') + 1;
                if (!endswith(base, UNIT_SUFFIX) || unit_name_normalize(base, &dst) < 0)
                        return note_add(notes, "%s: a symlink to %s, which is no unit file name: "
                                        "ignored, as systemd does", path, target) ?: -EXDEV;
                /* systemd ignores a link to its own name quietly; one to itself
                 * (a loop) is said, or its unit is "no such unit", unexplained. */
                if (streq(dst, name) && streq(resolved, path))
                        return note_add(notes, "%s: a symlink to itself: ignored, as systemd does", path) ?: -EXDEV;
                if (streq(dst, name))
                        return -EXDEV;
                why = alias_invalid_reason(name, dst);
                if (why)
                        return note_add(notes, "%s: a symlink to %s, which is no valid alias (%s): "
                                        "ignored, as systemd does", path, target, why) ?: -EXDEV;
        }

        *ret = (UnitEntry) {
                .kind = r > 0 ? UNIT_ENTRY_ALIAS : S_ISLNK(st.st_mode) ? UNIT_ENTRY_LINKED : UNIT_ENTRY_FILE,
                .name = TAKE_PTR(name),
                .path = TAKE_PTR(path),
                .alias_of = TAKE_PTR(dst),
        };
        return 0;
}

int unit_entry_lookup(char * const *search_path, const char *name, char ***notes, UnitEntry *ret) {
        _cleanup_free_ char *file = NULL;
        int r;

        if (asprintf(&file, "%s" UNIT_SUFFIX, name) < 0)
                return -ENOMEM;
        STRV_FOREACH(d, search_path) {
                r = unit_entry_classify(search_path, *d, file, notes, ret);
                if (r == -ENOENT || r == -EXDEV)
                        continue;
                return r;
        }
        return -ENOENT;
}

int unit_entry_resolve(char * const *search_path, const UnitEntry *entry, char ***notes,
                       UnitEntry *ret, char **ret_missing) {
        _cleanup_free_ char *id = NULL;
        int r;

        if (entry->kind != UNIT_ENTRY_ALIAS) {
                *ret = (UnitEntry) { .kind = entry->kind, .name = strdup(entry->name), .path = strdup(entry->path) };
                if (!ret->name || !ret->path) {
                        unit_entry_done(ret);
                        return -ENOMEM;
                }
                return 0;
        }

        id = strdup(entry->alias_of);
        if (!id)
                return -ENOMEM;
        for (unsigned n = 0; n < ALIAS_FOLLOW_MAX; n++) {
                UnitEntry e = {};

                r = unit_entry_lookup(search_path, id, notes, &e);
                if (r == -ENOENT && cell_name_is_valid(id, UNIT_NAME_INSTANCE)) {
                        _cleanup_free_ char *template = NULL;

                        r = unit_name_template(id, &template);
                        if (r >= 0)
                                r = unit_entry_lookup(search_path, template, notes, &e);
                }
                if (r == -ENOENT) {
                        if (ret_missing)
                                *ret_missing = TAKE_PTR(id);
                        return -ENXIO;
                }
                if (r < 0)
                        return r;
                if (e.kind != UNIT_ENTRY_ALIAS) {
                        *ret = e;
                        return 0;
                }
                free(id);
                id = TAKE_PTR(e.alias_of);
                unit_entry_done(&e);
        }
        return -ELOOP;
}

int unit_name_resolve(char * const *search_path, const char *name, char ***notes,
                      UnitEntry *ret, char **ret_missing) {
        _cleanup_free_ char *template = NULL;
        UnitEntry e = {};
        int r, q;

        r = unit_entry_lookup(search_path, name, notes, &e);
        if (r >= 0) {
                r = unit_entry_resolve(search_path, &e, notes, ret, ret_missing);
                unit_entry_done(&e);
        }
        if ((r != -ENOENT && r != -ENXIO) || !cell_name_is_valid(name, UNIT_NAME_INSTANCE))
                return r;

        /* An instance that is not there (or whose alias leads nowhere) is
         * its template's, as in systemd's unit_file_find_fragment(). */
        q = unit_name_template(name, &template);
        if (q < 0)
                return q;
        q = unit_entry_lookup(search_path, template, notes, &e);
        if (q >= 0) {
                if (r == -ENXIO && ret_missing)
                        *ret_missing = mfree(*ret_missing);
                q = unit_entry_resolve(search_path, &e, notes, ret, ret_missing);
                unit_entry_done(&e);
        }
        return q == -ENOENT ? r : q;
}

int unit_canonical_name(const UnitEntry *fragment, const char *name, char **ret) {
        _cleanup_free_ char *instance = NULL;
        int r;

        if (cell_name_is_valid(fragment->name, UNIT_NAME_TEMPLATE)) {
                r = unit_name_to_instance(name, &instance);
                if (r < 0)
                        return r;
                if (!isempty(instance))
                        return unit_name_replace_instance(fragment->name, instance, ret);
        }
        *ret = strdup(fragment->name);
        return *ret ? 0 : -ENOMEM;
}

/* 1 and *ret: the name that alias (a name of the search path) gives the
 * unit whose file is fragment and whose instance is instance (NULL for a
 * plain unit, "" for a bare template); 0 when alias is no name of it. */
static int alias_of_unit(char * const *search_path, const char *alias, const UnitEntry *fragment,
                         const char *instance, char **ret) {
        _cleanup_(unit_entry_done) UnitEntry e = {}, f = {};
        _cleanup_free_ char *name = NULL;
        int r;

        r = unit_entry_lookup(search_path, alias, NULL, &e);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || e.kind != UNIT_ENTRY_ALIAS)
                return 0;       /* only a symlink to another name is another name */
        r = unit_entry_resolve(search_path, &e, NULL, &f, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !streq(f.path, fragment->path))
                return 0;

        if (!cell_name_is_valid(fragment->name, UNIT_NAME_TEMPLATE))
                name = strdup(alias);           /* any alias of a plain or instance file */
        else if (cell_name_is_valid(alias, UNIT_NAME_TEMPLATE)) {
                _cleanup_(unit_entry_done) UnitEntry own = {};

                if (isempty(instance))          /* a bare template: its template aliases */
                        name = strdup(alias);
                else {
                        r = unit_name_replace_instance(alias, instance, &name);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return 0;
                        /* Not when that instance has a file of its own
                         * elsewhere (systemd: "aliases that point in some
                         * other direction"). */
                        r = unit_name_resolve(search_path, name, NULL, &own, NULL);
                        if (r == -ENOMEM)
                                return r;
                        if (r >= 0 && !streq(own.path, fragment->path))
                                return 0;
                }
        } else {
                /* An instance's alias of a template (web@1 -> www@.cell):
                 * that instance's only. */
                _cleanup_free_ char *i = NULL;

                if (isempty(instance))
                        return 0;
                r = unit_name_to_instance(alias, &i);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || !streq_ptr(i, instance))
                        return 0;
                name = strdup(alias);
        }
        if (!name)
                return -ENOMEM;
        *ret = TAKE_PTR(name);
        return 1;
}

/* Whether id leads to a name of reach, as unit_entry_resolve() follows it
 * (an instance that is not there is its template's). */
static int name_reaches(char * const *reach, const char *id) {
        _cleanup_free_ char *template = NULL;
        int r;

        if (strv_contains(reach, id))
                return 1;
        if (!cell_name_is_valid(id, UNIT_NAME_INSTANCE))
                return 0;
        r = unit_name_template(id, &template);
        if (r < 0)
                return r;
        return strv_contains(reach, template);
}

/* The names that may be other names of the unit whose file is fragment:
 * fragment's own, then every symlink of the search path that is an alias
 * (as classified in its directory) of a name already found, until no more
 * are. Every alias chain that leads to fragment goes through such links
 * only, so this is a superset of the unit's names; it costs an lstat() and a
 * readlink() per link, where following every link through the search path
 * (alias_of_unit()) costs a lookup in each directory per name on the way. */
static int alias_candidates(char * const *search_path, const UnitEntry *fragment, char ***ret) {
        _cleanup_strv_free_ char **names = NULL, **targets = NULL, **reach = NULL;
        bool more = true;
        int r;

        STRV_FOREACH(d, search_path) {
                char **links = NULL;

                /* As systemd's unit_file_build_name_map(): a directory that
                 * cannot be listed names no aliases. */
                r = unit_dir_links(*d, &links);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                STRV_FOREACH(l, links) {
                        _cleanup_(unit_entry_done) UnitEntry e = {};

                        r = unit_entry_classify(search_path, *d, *l, NULL, &e);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0 || e.kind != UNIT_ENTRY_ALIAS)
                                continue;
                        r = strv_push(&names, TAKE_PTR(e.name));
                        if (r >= 0)
                                r = strv_push(&targets, TAKE_PTR(e.alias_of));
                        if (r < 0)
                                return r;
                }
        }

        r = strv_extend(&reach, fragment->name);
        if (r < 0)
                return r;
        while (more) {
                more = false;
                for (size_t i = 0; names && names[i]; i++) {
                        if (strv_contains(reach, names[i]))
                                continue;
                        r = name_reaches(reach, targets[i]);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                continue;
                        r = strv_extend(&reach, names[i]);
                        if (r < 0)
                                return r;
                        more = true;
                }
        }
        *ret = TAKE_PTR(reach);
        return 0;
}

int unit_aliases_find(char * const *search_path, const UnitEntry *fragment, const char *canonical,
                      char ***ret) {
        _cleanup_strv_free_ char **candidates = NULL, **result = NULL;
        _cleanup_free_ char *instance = NULL;
        int r;

        r = unit_name_to_instance(canonical, &instance);
        if (r < 0)
                return r;
        r = alias_candidates(search_path, fragment, &candidates);
        if (r < 0)
                return r;

        /* candidates[0] is fragment's own name. */
        for (size_t i = 1; candidates[i]; i++) {
                _cleanup_free_ char *alias = NULL;

                r = alias_of_unit(search_path, candidates[i], fragment, instance, &alias);
                if (r < 0)
                        return r;
                if (r > 0 && !streq(alias, canonical) && !strv_contains(result, alias)) {
                        r = strv_push(&result, TAKE_PTR(alias));
                        if (r < 0)
                                return r;
                }
        }

        if (result)
                strv_sort(result);
        else {
                result = calloc(1, sizeof(char *));
                if (!result)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(result);
        return 0;
}
