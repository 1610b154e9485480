/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config-parse.h"
#include "specifier.h"
#include "strv.h"
#include "unit-dropin.h"
#include "unit-lexer.h"
#include "unit-name.h"
#include "unit-path.h"
#include "unit.h"

/* systemd-analyze verify instantiates a bare template with this instance,
 * so that %i and friends have something to expand to. */
#define TEMPLATE_TEST_INSTANCE "test_instance"

typedef struct UnitLoader {
        CellConfig *config;
        SpecifierContext specifiers;
        ConfigSpecifiers expander;
        Diagnostics *diag;
} UnitLoader;

static int loader_expand(void *userdata, const char *s, char **ret, char *ret_bad) {
        return specifier_expand(userdata, s, ret, ret_bad);
}

/* The key table decides where in the value specifiers are expanded (config-parse.h). */
static int loader_assign(const char *section, const char *key, const char *value,
                         const char *file, unsigned line, void *userdata) {
        UnitLoader *u = userdata;

        return config_assign_expand(u->config, &u->expander, section, key, value, file, line, u->diag);
}

/* systemd's masking: a unit file that is a symlink to /dev/null. */
static bool path_is_masked(const char *path) {
        struct stat st;

        return stat(path, &st) >= 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

static int loader_read(UnitLoader *u, const char *path) {
        int r;

        r = unit_lex_file(path, NULL, loader_assign, u, u->diag);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                int q;
                if (r == -EPROTO)
                        q = diag_error(u->diag, path, 0, "inih did not return what it was given (internal error)");
                else if (r == -EBADFD)
                        q = diag_error(u->diag, path, 0, "not a regular file (a unit file or drop-in must be one, "
                                       "or a symlink to /dev/null)");
                else if (r == -EFBIG)
                        q = diag_error(u->diag, path, 0, "larger than %u MiB (a unit file or drop-in may be at "
                                       "most that)", UNIT_FILE_MAX / 1024U / 1024U);
                else
                        q = diag_error(u->diag, path, 0, "%s", strerror(-r));
                return q < 0 ? q : r;
        }
        return 0;
}

static bool name_is_valid(const char *s) {
        _cleanup_free_ char *n = NULL;

        return unit_name_normalize(s, &n) >= 0;
}

static int location_error(const char *name_or_path, const UnitLoadOptions *opts,
                          const UnitLocation *loc, int r, Diagnostics *diag) {
        _cleanup_free_ char *searched = NULL;
        const char *name = opts ? opts->name : NULL;
        int q;

        switch (r) {
        case -ENOENT:
                searched = strv_join(loc->search_path, ", ");
                if (!searched)
                        return -ENOMEM;
                q = diag_error(diag, NULL, 0, "%s: no such unit (searched: %s)", name_or_path,
                               isempty(searched) ? "nothing, the search path is empty" : searched);
                break;
        case -EINVAL:
                if (!name && unit_is_path(name_or_path))
                        q = diag_error(diag, name_or_path, 0,
                                       "the file name is not a valid unit name; name the unit explicitly (--name)");
                else
                        q = diag_error(diag, NULL, 0, "\"%s\" is not a valid unit name",
                                       name && !name_is_valid(name) ? name : name_or_path);
                break;
        default:
                q = diag_error(diag, name_or_path, 0, "%s", strerror(-r));
                break;
        }
        return q < 0 ? q : r;
}

static void unit_loader_done(UnitLoader *u) {
        specifier_context_done(&u->specifiers);
}

static void diag_freep(Diagnostics **d) {
        if (*d)
                diag_done(*d);
}

int unit_load(const char *name_or_path, const UnitLoadOptions *opts, CellConfig *ret, Diagnostics *diag) {
        Diagnostics local = {};
        _cleanup_(diag_freep) Diagnostics *local_ref = diag ? NULL : &local;
        _cleanup_(unit_location_done) UnitLocation loc = {};
        _cleanup_(unit_loader_done) UnitLoader u = {
                .config = ret,
                .diag = diag ?: &local,
        };
        _cleanup_free_ char *real_path = NULL;
        size_t errors_before = u.diag->n_errors;
        int r, io_error = 0;

        /* Initialised whatever happens, so cell_config_done() is always safe. */
        cell_config_init(ret);

        r = unit_location_find(name_or_path, opts ? opts->name : NULL, opts ? opts->search_path : NULL, &loc);
        if (r < 0)
                return location_error(name_or_path, opts, &loc, r, u.diag);

        if (cell_name_is_valid(loc.name, UNIT_NAME_TEMPLATE)) {
                char *n;

                r = unit_name_replace_instance(loc.name, TEMPLATE_TEST_INSTANCE, &n);
                if (r < 0)
                        return r;
                free(loc.name);
                loc.name = n;
        }

        ret->path = strdup(loc.path);
        ret->name = strdup(loc.name);
        if (!ret->path || !ret->name)
                return -ENOMEM;

        if (path_is_masked(loc.path)) {
                r = diag_error(u.diag, loc.path, 0, "unit %s is masked (symlink to /dev/null)", loc.name);
                return r < 0 ? r : -EINVAL;
        }

        r = unit_dropin_find(loc.dropin_dirs, loc.name, &ret->dropin_paths);
        if (r < 0) {
                int q = diag_error(u.diag, loc.path, 0, "cannot list drop-ins of %s: %s", loc.name, strerror(-r));
                return q < 0 ? q : r;
        }

        /* %y and %Y, as systemd's specifier_real_path(): the unit file's real
         * path, absolute and with its symlinks resolved. */
        real_path = realpath(loc.path, NULL);
        if (!real_path && errno == ENOMEM)
                return -ENOMEM;
        u.specifiers.name = loc.name;
        u.specifiers.fragment_path = real_path ?: loc.path;
        u.expander = (ConfigSpecifiers) { .expand = loader_expand, .userdata = &u.specifiers };

        /* The main file, then every drop-in: all their problems are
         * reported, an unreadable drop-in does not hide the others'. */
        r = loader_read(&u, loc.path);
        if (r < 0)
                return r;       /* without the main file there is nothing to check */
        STRV_FOREACH(d, ret->dropin_paths) {
                r = loader_read(&u, *d);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && io_error == 0)
                        io_error = r;
        }

        r = config_finish(ret, loc.path, u.diag);
        if (r < 0)
                return r;

        if (io_error < 0)
                return io_error;
        return u.diag->n_errors > errors_before ? -EINVAL : 0;
}
