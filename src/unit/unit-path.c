/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-build.h"
#include "strv.h"
#include "unit-alias.h"
#include "unit-dir-links.h"
#include "unit-name.h"
#include "unit-path.h"

void unit_location_done(UnitLocation *l) {
        l->path = mfree(l->path);
        l->name = mfree(l->name);
        l->aliases = strv_free(l->aliases);
        l->notes = strv_free(l->notes);
        l->missing = mfree(l->missing);
        l->dropin_dirs = strv_free(l->dropin_dirs);
        l->search_path = strv_free(l->search_path);
}

bool unit_is_path(const char *s) {
        return strchr(s, '/');
}

/* Appends each non-empty component of a colon separated list, skipping
 * duplicates; a relative one made absolute against the working directory
 * (as systemd's $SYSTEMD_UNIT_PATH), so that a unit found there can be read
 * again from elsewhere (cell exec, the runtime state). */
static int strv_extend_colon_list(char ***l, const char *list) {
        _cleanup_free_ char *cwd = NULL;

        for (const char *p = list; *p; ) {
                size_t n = strcspn(p, ":");

                if (n > 0) {
                        _cleanup_free_ char *d = NULL;
                        int r;

                        if (*p == '/')
                                d = strndup(p, n);
                        else {
                                if (!cwd && !(cwd = getcwd(NULL, 0)))
                                        return errno == ENOMEM ? -ENOMEM : -errno;
                                if (asprintf(&d, "%s%s%.*s", cwd, streq(cwd, "/") ? "" : "/", (int) n, p) < 0)
                                        d = NULL;
                        }
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

/* The unit whose file is fragment, as requested by name: its name and its
 * other names (aliases), filled into l. */
static int location_set_unit(UnitLocation *l, char * const *search_path, const UnitEntry *fragment,
                             const char *name) {
        _cleanup_free_ char *canonical = NULL;
        _cleanup_strv_free_ char **aliases = NULL;
        int r;

        r = unit_canonical_name(fragment, name, &canonical);
        if (r < 0)
                return r;
        r = unit_aliases_find(search_path, fragment, canonical, &aliases);
        if (r < 0)
                return r;
        /* The name asked for is one of them, whatever the directories say. */
        if (!streq(name, canonical) && !strv_contains(aliases, name)) {
                r = strv_extend(&aliases, name);
                if (r < 0)
                        return r;
        }
        l->name = TAKE_PTR(canonical);
        l->aliases = TAKE_PTR(aliases);
        return 0;
}

static int location_from_name(const char *s, char * const *search_path, UnitLocation *l) {
        _cleanup_(unit_entry_done) UnitEntry fragment = {};
        _cleanup_free_ char *name = NULL;
        int r;

        r = unit_name_normalize(s, &name);
        if (r < 0)
                return r;

        /* systemd's unit_file_find_fragment(): the first entry of the name,
         * its aliases followed to the unit's file; an instance without a
         * file of its own is its template's. */
        r = unit_name_resolve(search_path, name, &l->notes, &fragment, &l->missing);
        if (r == -ENXIO || r == -ELOOP) {
                _cleanup_(unit_entry_done) UnitEntry e = {};

                /* For the message: the link that leads nowhere. */
                if (unit_entry_lookup(search_path, name, NULL, &e) >= 0)
                        l->path = TAKE_PTR(e.path);
                l->name = TAKE_PTR(name);
                return r;
        }
        if (r < 0)
                return r;

        l->dropin_dirs = strv_copy(search_path);
        if (!l->dropin_dirs)
                return -ENOMEM;
        r = location_set_unit(l, search_path, &fragment, name);
        if (r < 0)
                return r;
        l->path = TAKE_PTR(fragment.path);
        return 0;
}

/* For a unit file given as dir/base: its name and aliases as if it was
 * found in dirs ([dir] + search path). Leaves l->name NULL when the file is
 * no entry of its own there (no unit file name, missing, a link systemd
 * ignores, an alias that leads nowhere): it is then called after its name;
 * and when name is a --name that is not the unit's own (the unit's aliases
 * are then not its). */
static int location_path_names(const char *base, char * const *dirs, const char *name, bool override,
                               UnitLocation *l) {
        _cleanup_(unit_entry_done) UnitEntry own = {}, fragment = {};
        _cleanup_free_ char *canonical = NULL;
        int r;

        r = unit_entry_classify(dirs, dirs[0], base, NULL, &own);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        r = unit_entry_resolve(dirs, &own, NULL, &fragment, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        if (override) {
                r = unit_canonical_name(&fragment, name, &canonical);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || !streq(canonical, name))
                        return 0;
        }
        return location_set_unit(l, dirs, &fragment, name);
}

/* Whether a file called base is, by its name, the file of the unit name:
 * NAME.cell, or the template NAME@.cell of an instance NAME@INSTANCE. */
static bool file_name_is_units(const char *base, const char *name) {
        _cleanup_free_ char *own = NULL, *template = NULL;

        if (unit_name_normalize(base, &own) < 0)
                return false;
        if (streq(own, name))
                return true;
        return cell_name_is_valid(name, UNIT_NAME_INSTANCE) && unit_name_template(name, &template) >= 0 &&
                streq(own, template);
}

/* The names the unit name has where it is installed, for a file that stands
 * in for its file (a config tool's copy): the drop-ins of its aliases apply
 * to it once installed (cell.syntax(7), ALIASES), so they do to the copy.
 * Nothing when name is not installed, or is itself an alias of another
 * unit: the copy, installed as NAME.cell, would replace that link. */
static int location_installed_names(char * const *search_path, const char *name, UnitLocation *l) {
        _cleanup_(unit_entry_done) UnitEntry fragment = {};
        _cleanup_free_ char *canonical = NULL;
        int r;

        r = unit_name_resolve(search_path, name, NULL, &fragment, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        r = unit_canonical_name(&fragment, name, &canonical);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !streq(canonical, name))
                return 0;
        return location_set_unit(l, search_path, &fragment, name);
}

/* For dir/base that is no file: the path of its template beside it, if
 * base is an instance's file name (the unit's own: no --name of another)
 * and the template is there; else NULL. systemd-analyze verify, whose unit
 * path begins with the file's directory, finds an instance there as its
 * template, as in the search path ("verify /etc/systemd/system/getty@tty1.service").
 * Nothing else is looked for: a missing dir/web.cell is not the search
 * path's web.cell (systemd 252 verifies that one), which is not the file
 * that was named. */
static int location_template_beside(const char *path, const char *base, const char *name,
                                    const char *name_override, char **ret) {
        _cleanup_free_ char *own = NULL, *template = NULL, *t = NULL;
        int r;

        *ret = NULL;
        if (!cell_name_is_valid(name, UNIT_NAME_INSTANCE))
                return 0;
        if (name_override && (unit_name_normalize(base, &own) < 0 || !streq(own, name)))
                return 0;
        if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) >= 0 || errno != ENOENT)
                return 0;
        r = unit_name_template(name, &template);
        if (r < 0)
                return r;
        if (asprintf(&t, "%.*s%s" UNIT_SUFFIX, (int) (base - path), path, template) < 0)
                return -ENOMEM;
        /* A link counts, as a file there: reading it says what it is. */
        if (faccessat(AT_FDCWD, t, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOMEM ? -ENOMEM : 0;
        *ret = TAKE_PTR(t);
        return 0;
}

static int location_from_path(const char *path, const char *name_override,
                              char * const *search_path, UnitLocation *l) {
        _cleanup_free_ char *name = NULL, *dir = NULL, *p = NULL, *template_path = NULL;
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
        if (r < 0) {
                struct stat st;

                /* "/etc/cell/": the name is not wrong,
                 * the file is no file at all. Said as such, as reading a
                 * directory under a valid name says it. */
                if (!name_override && stat(path, &st) >= 0 && S_ISDIR(st.st_mode))
                        return -EISDIR;
                return r;
        }

        /* web@3.cell that is not there: web@.cell beside it, as the unit web@3. */
        r = location_template_beside(path, base, name, name_override, &template_path);
        if (r < 0)
                return r;
        if (template_path) {
                free(p);
                p = TAKE_PTR(template_path);
                path = p;
                slash = strrchr(path, '/');
                base = slash + 1;
        }

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

        /* The file is read as given; but its name follows systemd's rules
         * for the directory it is in (systemd-analyze verify puts that
         * directory first in the unit path): an alias is called after its
         * unit, and the unit's other names' drop-ins apply. So they do
         * with a --name that is the unit's own name anyway (cell exec
         * reloads the file a cell runs from that way, and must see the
         * drop-ins that cell run saw). */
        r = location_path_names(base, dirs, name, name_override != NULL, l);
        if (r < 0)
                return r;
        if (!l->name && name_override && !file_name_is_units(base, name)) {
                /* A file that --name makes another unit than it is (a
                 * config tool's temporary copy, /tmp/tmpk2f9x) stands in
                 * for that unit: the drop-ins that apply are those the
                 * unit has where it is installed, the search path's. What
                 * lies next to the copy is no part of it: a cell.d/ that
                 * anyone may make in /tmp must not decide what "cell
                 * verify" accepts. */
                strv_free(dirs);
                dirs = strv_copy(search_path);
                if (!dirs)
                        return -ENOMEM;
                r = location_installed_names(search_path, name, l);
                if (r < 0)
                        return r;
        }
        if (!l->name)
                l->name = TAKE_PTR(name);
        l->path = TAKE_PTR(p);
        l->dropin_dirs = TAKE_PTR(dirs);
        return 0;
}

int unit_location_find(const char *name_or_path, const char *name_override,
                       char * const *search_path, UnitLocation *ret) {
        UnitLocation l = {};
        int r;

        /* What the directories hold is looked at again for each unit. */
        unit_dir_cache_expire();
        r = unit_search_path_get(search_path, &l.search_path);
        if (r < 0)
                return r;

        if (unit_is_path(name_or_path))
                r = location_from_path(name_or_path, name_override, l.search_path, &l);
        else {
                r = location_from_name(name_or_path, l.search_path, &l);
                if (r >= 0 && name_override) {
                        _cleanup_free_ char *n = NULL;

                        /* --name renames a unit found by name too, and
                         * only that name's drop-ins apply (unless it is
                         * the unit's own name). */
                        r = unit_name_normalize(name_override, &n);
                        if (r >= 0 && !streq(n, l.name)) {
                                l.aliases = strv_free(l.aliases);
                                free(l.name);
                                l.name = TAKE_PTR(n);
                        }
                }
        }
        if (r < 0 && r != -ENOENT && r != -ENXIO && r != -ELOOP) {
                unit_location_done(&l);
                return r;
        }
        *ret = l;
        return r;
}

int unit_name_canonical(const char *name, char * const *search_path, char **ret) {
        _cleanup_(unit_location_done) UnitLocation l = {};
        _cleanup_(unit_entry_done) UnitEntry fragment = {};
        _cleanup_strv_free_ char **dirs = NULL;
        _cleanup_free_ char *n = NULL;
        int r;

        if (unit_is_path(name)) {
                r = unit_location_find(name, NULL, search_path, &l);
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(l.name);
                return 0;
        }

        /* By name, the unit's file is all it takes: not its aliases (the
         * generator asks this of every name of the search path). */
        r = unit_search_path_get(search_path, &dirs);
        if (r < 0)
                return r;
        r = unit_name_normalize(name, &n);
        if (r < 0)
                return r;
        r = unit_name_resolve(dirs, n, NULL, &fragment, NULL);
        if (r < 0)
                return r;
        return unit_canonical_name(&fragment, n, ret);
}
