/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-build.h"
#include "config-parse.h"
#include "fs-util.h"
#include "specifier.h"
#include "strv.h"
#include "unit-dropin.h"
#include "unit-lexer.h"
#include "unit-name.h"
#include "unit-path.h"
#include "unit.h"

/* systemd-analyze verify instantiates a bare template with this instance,
 * so that %i and friends have something to expand to: "i" in systemd 252
 * (verify_prepare_filename(); "systemd-analyze verify foo@.service" checks
 * foo@i.service, with foo@i.service.d/), as cell checks foo@i. */
#define TEMPLATE_TEST_INSTANCE "i"

typedef struct UnitLoader {
        CellConfig *config;
        SpecifierContext specifiers;
        ConfigSpecifiers expander;
        bool verify;
        Diagnostics *diag;
} UnitLoader;

static int loader_expand(void *userdata, const char *s, char **ret, char *ret_bad) {
        return specifier_expand(userdata, s, ret, ret_bad);
}

/* The key table decides where in the value specifiers are expanded (config-parse.h).
 * key NULL: the header of section, which is checked at its own line. */
static int loader_assign(const char *section, const char *key, const char *value,
                         const char *file, unsigned line, void *userdata) {
        UnitLoader *u = userdata;

        if (!key)
                return config_section(section, file, line, u->diag);
        return config_assign_expand(u->config, &u->expander, u->verify, section, key, value, file, line,
                                    u->diag);
}

/* systemd's masking (its null_or_empty()): a unit file or drop-in that is a
 * symlink to /dev/null, or an empty file (systemd.unit(5): "If a unit file
 * is empty ... it appears with a load state of masked"). */
static bool path_is_masked(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return false;
        return stat_is_null_device(&st) || (S_ISREG(st.st_mode) && st.st_size == 0);
}

static bool path_is_empty_file(const char *path) {
        struct stat st;

        return stat(path, &st) >= 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

typedef enum LoaderFile {
        LOADER_UNIT,
        LOADER_DROPIN,
        LOADER_EXTRA,           /* a drop-in not installed (UnitExtraDropin) */
} LoaderFile;

/* systemd's stat_warn_permissions(), for a unit file or drop-in read all the
 * same: its text decides what the container runs, so one that anyone may
 * write to is worth a word, and an executable one is likely a mistake. */
static int loader_warn_permissions(UnitLoader *u, const char *path) {
        struct stat st;
        int r = 0;

        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        if (st.st_mode & 0111)
                r = diag_warning(u->diag, path, 0, "marked executable; a unit file or drop-in need not be "
                                 "(systemd warns of it too): chmod a-x");
        if (r >= 0 && (st.st_mode & S_IWOTH))
                r = diag_warning(u->diag, path, 0, "anyone may write to it, and so change what the container "
                                 "runs (systemd warns of it too): chmod o-w");
        return r;
}

/* 0 when read, 1 when a drop-in was skipped, or -errno (reported). */
static int loader_read(UnitLoader *u, const char *path, LoaderFile kind, const UnitExtraDropin *extra) {
        int r;

        /* A drop-in that is a mask hides those of its name in lower
         * directories (unit_dropin_find_names()) and adds nothing: it is
         * not among the drop-ins applied (systemd's DropInPaths lists it). */
        if (kind != LOADER_UNIT && path_is_masked(path)) {
                if (kind == LOADER_DROPIN)
                        return 1;
                const char *what = path_is_empty_file(path) ? "an empty file" : "/dev/null";

                /* Said, as an empty template rendering is more likely a
                 * mistake than a mask: deployed, it would be one. */
                if (extra->name)
                        r = diag_warning(u->diag, path, 0, "drop-in is masked (%s): it adds nothing, and as %s it "
                                         "hides the unit's drop-ins of that name", what, extra->name);
                else
                        r = diag_warning(u->diag, path, 0, "drop-in is masked (%s): it adds nothing (installed, "
                                         "it hides the unit's drop-ins of the name it is given)", what);
                return r < 0 ? r : 1;
        }
        r = loader_warn_permissions(u, path);
        if (r < 0)
                return r;
        r = unit_lex_file(path, NULL, loader_assign, u, u->diag);
        if (r == -ENOMEM)
                return r;
        /* Not an extra one: a file given that is not there is an error, no
         * symlink deployed to nowhere. */
        if (r == -ENOENT && kind == LOADER_DROPIN) {
                /* systemd's config_parse() skips a drop-in that is not there
                 * to open (logged at debug level): a dangling symlink. It
                 * still hides drop-ins of its name in lower directories. */
                r = diag_warning(u->diag, path, 0, "drop-in is a symlink that leads nowhere, skipped "
                                 "(as systemd does; it still hides drop-ins of the same name in "
                                 "lower-priority directories)");
                return r < 0 ? r : 1;
        }
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

/* Whether s is refused for being one of cell's own names alone: a dot name
 * (".web") or "lock", not one that is no name anyway ("../x", ".a b"), of
 * which "reserved" would say nothing useful. */
static bool name_is_only_reserved(const char *s) {
        _cleanup_free_ char *n = NULL;

        /* The runtime directory itself and its parent: no name at all. */
        if (streq(s, ".") || streq(s, ".."))
                return false;
        if (!cell_name_is_reserved(s))
                return false;
        if (s[0] != '.')
                return true;
        n = strdup(s);
        if (!n)
                return true;
        n[0] = 'x';
        return cell_name_is_valid(n, UNIT_NAME_ANY);
}

static const char *searched_or_nothing(const UnitLocation *loc, char **buf) {
        *buf = strv_join(loc->search_path, ", ");
        if (isempty(*buf))
                return *buf ? "nothing, the search path is empty" : "(out of memory)";
        return *buf;
}

static int template_test_instance(char **name, const char *instance) {
        char *n;
        int r;

        if (!cell_name_is_valid(*name, UNIT_NAME_TEMPLATE))
                return 0;
        r = unit_name_replace_instance(*name, instance, &n);
        if (r < 0)
                return r;
        free(*name);
        *name = n;
        return 0;
}

static int scan_default_instance(const char *section, const char *key, const char *value,
                                 const char *file, unsigned line, void *userdata) {
        char **v = userdata;

        if (!key || !streq(section, "Install") || !streq(key, "DefaultInstance"))
                return 0;
        *v = mfree(*v);
        if (!isempty(value) && !(*v = strdup(value)))
                return -ENOMEM;
        return 0;
}

/* The drop-ins to apply: those installed (loc->dropin_dirs) for the unit's
 * names, with the extra ones of opts placed among them (unit-dropin.h). */
static int unit_dropins(const UnitLocation *loc, char * const *names, const UnitLoadOptions *opts,
                        char ***ret, char **ret_bad_dir) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = unit_dropin_find_names(loc->dropin_dirs, names, &l, ret_bad_dir);
        if (r >= 0 && opts)
                r = unit_dropin_add_extra(&l, opts->extra_dropins, opts->n_extra_dropins);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static const UnitExtraDropin *extra_dropin_find(const UnitLoadOptions *opts, const char *path) {
        for (size_t i = 0; opts && i < opts->n_extra_dropins; i++)
                if (streq(opts->extra_dropins[i].path, path))
                        return opts->extra_dropins + i;
        return NULL;
}

/* The instance a bare template is checked as: the DefaultInstance= its file
 * and drop-ins set, which cell-generator(8) enables, if it makes a valid name
 * as written (no specifiers); else systemd-analyze verify's instance "i",
 * an instance no value can be written for ("CPUAffinity=%i" is a number for
 * every real one). What cannot be read here is reported by the real read.
 * *ret_unused: a DefaultInstance= that was set but not used so (else NULL). */
static int template_instance(const UnitLocation *loc, const UnitLoadOptions *opts, char **ret,
                             char **ret_unused) {
        _cleanup_(diag_done) Diagnostics scratch = {};
        _cleanup_strv_free_ char **names = NULL, **dropins = NULL;
        _cleanup_free_ char *value = NULL, *n = NULL;
        int r;

        *ret = *ret_unused = NULL;
        r = strv_extend(&names, loc->name);
        if (r >= 0)
                r = strv_extend_strv(&names, loc->aliases);
        if (r < 0)
                return r;
        r = unit_lex_file(loc->path, NULL, scan_default_instance, &value, &scratch);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && unit_dropins(loc, names, opts, &dropins, NULL) >= 0)
                STRV_FOREACH(d, dropins) {
                        r = unit_lex_file(*d, NULL, scan_default_instance, &value, &scratch);
                        if (r == -ENOMEM)
                                return r;
                }
        if (!value || strchr(value, '%') || unit_name_replace_instance(loc->name, value, &n) < 0) {
                *ret = strdup(TEMPLATE_TEST_INSTANCE);
                if (!*ret)
                        return -ENOMEM;
                *ret_unused = TAKE_PTR(value);
                return 0;
        }
        *ret = TAKE_PTR(value);
        return 0;
}

static int location_error(const char *name_or_path, const UnitLoadOptions *opts,
                          const UnitLocation *loc, int r, Diagnostics *diag) {
        _cleanup_free_ char *searched = NULL;
        const char *name = opts ? opts->name : NULL;
        int q;

        switch (r) {
        case -ENOENT: {
                /* A name is looked up in the search path only, as systemctl
                 * does; a file of that name in the current directory is most
                 * likely what was meant, so say how to name it. */
                bool here = !unit_is_path(name_or_path) &&
                        faccessat(AT_FDCWD, name_or_path, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;

                q = diag_error(diag, NULL, 0, "%s: no such unit (searched: %s)%s%s", name_or_path,
                               searched_or_nothing(loc, &searched),
                               here ? "; a file of that name is here: name it as a path, ./" : "",
                               here ? name_or_path : "");
                break;
        }
        case -EINVAL: {
                /* The name the unit would run as: --name, else the file's or the argument. */
                const char *base = name ?: unit_is_path(name_or_path) ? basename(name_or_path) : name_or_path;
                _cleanup_free_ char *stem = strndup(base, strlen(base) - (endswith(base, UNIT_SUFFIX) ?
                                                                          strlen(UNIT_SUFFIX) : 0));

                if (stem && name_is_only_reserved(stem)) {
                        q = diag_error(diag, unit_is_path(name_or_path) ? name_or_path : NULL, 0,
                                       "\"%s\" is a reserved name: cell keeps its own files in %s/%s, where a "
                                       "cell of that name would keep its runtime state; name the unit otherwise%s",
                                       stem, CELL_RUNTIME_DIR, stem, name ? "" : " (or run it with --name)");
                        break;
                }
                if (!name && unit_is_path(name_or_path))
                        q = diag_error(diag, name_or_path, 0,
                                       "the file name is not a valid unit name; name the unit explicitly (--name)");
                else
                        q = diag_error(diag, NULL, 0, "\"%s\" is not a valid unit name",
                                       name && !name_is_valid(name) ? name : name_or_path);
                break;
        }
        case -ENXIO:
                q = diag_error(diag, loc->path, 0, "%s is an alias of %s, which is no unit (searched: %s)",
                               loc->name, loc->missing, searched_or_nothing(loc, &searched));
                break;
        case -ELOOP:
                q = diag_error(diag, loc->path, 0, "%s: too many levels of aliases (a loop of symlinks?)",
                               loc->name);
                break;
        default:
                q = diag_error(diag, name_or_path, 0, "%s", strerror(-r));
                break;
        }
        return q < 0 ? q : r;
}

/* cell-generator enables a template as its DefaultInstance= (cell@NAME@INSTANCE.service):
 * a name that cannot be one (too long, a second "@") is said where it was written, so
 * that "cell verify" refuses the template the generator would skip. */
static int default_instance_check(const CellConfig *c, const char *template, Diagnostics *diag) {
        _cleanup_free_ char *n = NULL;
        const char *where;
        unsigned line;
        int r;

        if (isempty(c->default_instance))
                return 0;
        r = unit_name_replace_instance(template, c->default_instance, &n);
        if (r != -EINVAL)
                return r;
        line = cell_config_origin(c, "DefaultInstance", 0, &where);
        r = diag_error(diag, where, line, "DefaultInstance=%s makes %.*s%s, which is no valid unit name (too long, "
                       "or a second \"@\": cell.syntax(7)), so cell-generator(8) cannot enable it",
                       c->default_instance, (int) (strchr(template, '@') - template + 1), template,
                       c->default_instance);
        return r < 0 ? r : -EINVAL;
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
        /* Only its cleanup reads it (clang would warn of an unused variable). */
        _cleanup_(diag_freep) _unused_ Diagnostics *local_ref = diag ? NULL : &local;
        _cleanup_(unit_location_done) UnitLocation loc = {};
        _cleanup_(unit_loader_done) UnitLoader u = {
                .config = ret,
                .verify = opts && opts->verify,
                .diag = diag ?: &local,
        };
        _cleanup_free_ char *bad_dir = NULL, *template = NULL, *instance = NULL, *unused_default = NULL;
        _cleanup_strv_free_ char **names = NULL;
        size_t errors_before = u.diag->n_errors;
        int r, io_error = 0;

        /* Initialised whatever happens, so cell_config_done() is always safe. */
        cell_config_init(ret);

        r = unit_location_find(name_or_path, opts ? opts->name : NULL, opts ? opts->search_path : NULL, &loc);
        STRV_FOREACH(n, loc.notes) {
                int q = diag_warning(u.diag, NULL, 0, "%s", *n);
                if (q < 0)
                        return q;
        }
        if (r < 0)
                return location_error(name_or_path, opts, &loc, r, u.diag);

        /* A bare template is checked as an instance, its template aliases
         * with it (bar@.cell -> foo@.cell: foo@i, bar@i,
         * or its DefaultInstance=). */
        if (cell_name_is_valid(loc.name, UNIT_NAME_TEMPLATE)) {
                template = strdup(loc.name);
                if (!template)
                        return -ENOMEM;
                r = template_instance(&loc, opts, &instance, &unused_default);
                if (r < 0)
                        return r;
        }
        r = template_test_instance(&loc.name, instance);
        if (r < 0)
                return r;
        for (size_t i = 0; loc.aliases && loc.aliases[i]; i++) {
                r = template_test_instance(loc.aliases + i, instance);
                if (r < 0)
                        return r;
        }
        r = strv_extend(&names, loc.name);
        if (r >= 0)
                r = strv_extend_strv(&names, loc.aliases);
        if (r < 0)
                return r;

        ret->path = strdup(loc.path);
        ret->name = strdup(loc.name);
        if (!ret->path || !ret->name)
                return -ENOMEM;

        if (path_is_masked(loc.path)) {
                /* A bare template is named as asked for, not as the instance it is checked as. */
                r = diag_error(u.diag, loc.path, 0, "unit %s is masked (%s)", template ?: loc.name,
                               path_is_empty_file(loc.path) ? "an empty file" : "symlink to /dev/null");
                return r < 0 ? r : -EINVAL;
        }

        /* The caller's to check (cell verify does); said all the same. */
        for (size_t i = 0; opts && i < opts->n_extra_dropins; i++) {
                const UnitExtraDropin *e = opts->extra_dropins + i;

                if (e->name && !unit_dropin_name_is_valid(e->name)) {
                        r = diag_error(u.diag, e->path, 0, "\"%s\" is no drop-in name: one ends in \".conf\" and "
                                       "does not begin with \".\"", e->name);
                        return r < 0 ? r : -EINVAL;
                }
        }
        r = unit_dropins(&loc, names, opts, &ret->dropin_paths, &bad_dir);
        if (r < 0 && r != -ENOMEM) {
                /* Named by the directory at fault, not the unit's file. */
                int q = r == -EPERM ?
                        diag_error(u.diag, bad_dir ?: loc.path, 0, "refusing the drop-ins of %s here: the "
                                   "directory is neither root's nor yours, or others may write to it, so "
                                   "anyone could have put them there", loc.name) :
                        diag_error(u.diag, bad_dir ?: loc.path, 0, "cannot list the drop-ins of %s: %s",
                                   loc.name, strerror(-r));
                return q < 0 ? q : r;
        }
        if (r < 0)
                return r;

        /* %y and %Y, as systemd's specifier_real_path(): the unit file's real
         * path, absolute and with its symlinks resolved (when a value asks). */
        u.specifiers.name = loc.name;
        u.specifiers.fragment_path = loc.path;
        u.specifiers.fragment_path_resolve = true;
        u.expander = (ConfigSpecifiers) { .expand = loader_expand, .userdata = &u.specifiers };

        /* The main file, then every drop-in: all their problems are
         * reported, an unreadable drop-in does not hide the others'. */
        r = loader_read(&u, loc.path, LOADER_UNIT, NULL);
        if (r < 0)
                return r;       /* without the main file there is nothing to check */
        for (size_t i = 0; ret->dropin_paths[i]; ) {
                const UnitExtraDropin *e = extra_dropin_find(opts, ret->dropin_paths[i]);

                r = loader_read(&u, ret->dropin_paths[i], e ? LOADER_EXTRA : LOADER_DROPIN, e);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && io_error == 0)
                        io_error = r;
                if (r == 1) {
                        /* Skipped (a mask, or a link to nothing): not among the drop-ins applied. */
                        free(ret->dropin_paths[i]);
                        memmove(ret->dropin_paths + i, ret->dropin_paths + i + 1,
                                (strv_length(ret->dropin_paths + i + 1) + 1) * sizeof(char *));
                        continue;
                }
                i++;
        }

        r = config_finish(ret, loc.path, u.diag);
        if (r < 0)
                return r;
        if (template) {
                r = default_instance_check(ret, template, u.diag);
                if (r == -ENOMEM)
                        return r;
        }

        /* A value that %i makes bad may be fine for every real instance. */
        if (template && streq(instance, TEMPLATE_TEST_INSTANCE) && u.diag->n_errors > errors_before) {
                int prefix_len = (int) (strchr(template, '@') - template + 1);

                /* Set, DefaultInstance= cannot be set again: say why it was not used. */
                if (unused_default)
                        r = diag_warning(u.diag, loc.path, 0, "the template was checked as the instance %s, as "
                                         "systemd-analyze verify checks one, not as its DefaultInstance=%s, which "
                                         "%s; to check it as a real instance, name one (--name %.*sNAME)",
                                         loc.name, unused_default, strchr(unused_default, '%') ?
                                         "has specifiers, known only once there is an instance" :
                                         "makes no valid unit name", prefix_len, template);
                else if (isempty(ret->default_instance))
                        r = diag_warning(u.diag, loc.path, 0, "the template was checked as the instance %s, as "
                                         "systemd-analyze verify checks one; to check it as a real instance, "
                                         "name one (--name %.*sNAME) or set DefaultInstance=", loc.name,
                                         prefix_len, template);
                else
                        r = 0;  /* DefaultInstance=i: checked as the instance it names */
                if (r < 0)
                        return r;
        }
        if (io_error < 0)
                return io_error;
        return u.diag->n_errors > errors_before ? -EINVAL : 0;
}
