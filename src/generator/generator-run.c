/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The generator's pass over the search path: find every NAME.cell (the
 * first of a name wins, as systemd's unit path has it), load and check it
 * as "cell verify" does, and write what it asks for. A bad unit is reported
 * and skipped; it never stops the others. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "generator.h"
#include "plan.h"
#include "strv.h"
#include "unit-name.h"
#include "unit-path.h"
#include "unit.h"
#include "utf8.h"

/* Why file (a name ending in ".cell") is no unit name. */
static const char *bad_name_reason(const char *file) {
        _cleanup_free_ char *name = strndup(file, strlen(file) - strlen(UNIT_SUFFIX));

        if (name && !cell_name_fits(name))
                return "name too long for systemd: at most 240 characters (for cell@NAME.service.d), "
                       "and cell-NAME.scope at most 255 with each \"-\", \"\\\" and \"@\" of the "
                       "name escaped to four (cell.syntax(7))";
        return "not a valid unit name";
}

/* The unit names of the search path, sorted, each once; *ret_bad: how many
 * files were skipped for their name. */
static int collect_names(char * const *search_path, FILE *err, char ***ret, int *ret_bad) {
        _cleanup_strv_free_ char **names = NULL;
        int r, bad = 0;

        STRV_FOREACH(dir, search_path) {
                DIR *d = opendir(*dir);
                struct dirent *de;

                if (!d) {
                        if (errno != ENOENT && errno != ENOTDIR)
                                fprintf(err, "cell-generator: cannot read %s: %s\n", *dir, strerror(errno));
                        continue;
                }
                while ((de = readdir(d))) {
                        _cleanup_free_ char *n = NULL;

                        if (!endswith(de->d_name, UNIT_SUFFIX))
                                continue;
                        /* Hidden files are no one's units, as in systemd's
                         * configuration directories: an editor's lock file
                         * (Emacs's ".#web.cell"), a config tool's temporary
                         * copy (Ansible's ".ansible_tmpXXXXweb.cell"). */
                        if (de->d_name[0] == '.')
                                continue;
                        if (de->d_type == DT_DIR)
                                continue;
                        if (unit_name_normalize(de->d_name, &n) < 0) {
                                fprintf(err, "cell-generator: %s/%s: %s; skipped\n",
                                        *dir, de->d_name, bad_name_reason(de->d_name));
                                bad++;
                                continue;
                        }
                        if (strv_contains(names, n))
                                continue;       /* a higher-priority directory has it */
                        r = strv_push(&names, TAKE_PTR(n));
                        if (r < 0) {
                                closedir(d);
                                return r;
                        }
                }
                closedir(d);
        }
        if (names)
                strv_sort(names);
        *ret = TAKE_PTR(names);
        *ret_bad = bad;
        return 0;
}

/* The start of a warning's line: its level, if asked for (main's report()
 * gives the kernel log each line at its own), told by how it was made,
 * not by its text. */
static void print_warning_mark(const GeneratorOptions *o) {
        if (o->mark_warnings)
                fputs(GENERATOR_WARNING_MARK, o->err);
}

static void print_diag(const GeneratorOptions *o, const Diagnostics *d) {
        /* As cell's own: a unit's text escaped, no terminal command in it. */
        for (size_t i = 0; i < d->n_messages; i++) {
                if (diag_level(d, i) == LOG_WARNING)
                        print_warning_mark(o);
                fputs("cell-generator: ", o->err);
                utf8_fputs_escaped(o->err, d->messages[i]);
                fputc('\n', o->err);
        }
}

/* Whether the load failed only for the unit being masked (a link to
 * /dev/null, or empty): its one error is unit_load()'s "PATH: unit NAME is
 * masked (...)", with no line (a value of the unit quoted in an error
 * comes after "PATH:LINE: "). Found by its level, not as the last message:
 * a warning may follow it. */
static bool load_failed_masked(const CellConfig *c, const Diagnostics *d) {
        if (!c->path || d->n_errors != 1)
                return false;
        for (size_t i = 0; i < d->n_messages; i++) {
                const char *m = d->messages[i], *p;

                if (diag_level(d, i) != LOG_ERR)
                        continue;
                p = startswith(m, c->path);
                p = p ? startswith(p, ": unit ") : NULL;
                return p && strstr(p, " is masked (") && endswith(p, ")");
        }
        return false;
}

/* Loads, checks and turns one unit into entries. 1: added, 0: nothing to
 * do (an alias, masked, a template without DefaultInstance= or whose default instance
 * has a file of its own), -EINVAL: bad (reported). names: every unit name
 * of the search path. */
static int generate_one(const GeneratorOptions *o, const char *name, char * const *names, GeneratorOutput *out) {
        const UnitLoadOptions lo = { .search_path = o->search_path };
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_(diag_done) Diagnostics d = {};
        _cleanup_free_ char *service = NULL, *error = NULL, *load_name = NULL;
        _cleanup_free_ char *canonical = NULL;
        Plan p = {};
        int r;

        /* An alias (web.cell -> nginx.cell) is another name of a unit the
         * loop reaches under its own name: one unit, one service, as
         * systemd has one unit for all its names. (An alias that leads
         * nowhere fails below, and is reported.) */
        r = unit_name_canonical(name, o->search_path, &canonical);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && !streq(canonical, name))
                return 0;

        r = unit_load(name, &lo, &c, &d);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* A masked unit (a link to /dev/null) is meant to be off. */
                if (load_failed_masked(&c, &d))
                        return 0;
                print_diag(o, &d);
                fprintf(o->err, "cell-generator: %s.cell is invalid, skipped\n", name);
                return -EINVAL;
        }
        /* A template with DefaultInstance=: its service is that instance, so its
         * specifiers are that instance's (%i is "1", as "cell run w@1" has it), not
         * the stand-in "cell verify" checks a bare template with. As in systemd, an
         * instance with a file of its own (w@1.cell) is read from that file, not
         * from its template: "cell run w@1" does, and so does the generator, which
         * makes cell@w@1.service of w@1.cell alone. */
        if (cell_name_is_valid(name, UNIT_NAME_TEMPLATE) && !isempty(c.default_instance)) {
                r = unit_name_replace_instance(name, c.default_instance, &load_name);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0 && strv_contains(names, load_name))
                        return 0;
                if (r >= 0) {
                        cell_config_done(&c);
                        diag_done(&d);
                        r = unit_load(load_name, &lo, &c, &d);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0) {
                                print_diag(o, &d);
                                fprintf(o->err, "cell-generator: %s.cell is invalid as %s, skipped\n", name,
                                        load_name);
                                return -EINVAL;
                        }
                }
                /* else: generator_service_name() below says why the name is no unit name */
        }
        /* The same check as "cell verify": a unit that cannot be planned cannot run. */
        const PlanOptions po = { .verify_only = true };
        r = plan_build(&c, &po, &p, &d);
        plan_done(&p);
        print_diag(o, &d);              /* warnings too */
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                fprintf(o->err, "cell-generator: %s.cell is invalid, skipped\n", name);
                return -EINVAL;
        }

        r = generator_service_name(&c, name, &service);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                fprintf(o->err, "cell-generator: %s: DefaultInstance=%s makes %s%s, which is no valid unit "
                        "name (too long, or a second \"@\": cell.syntax(7)); skipped\n",
                        c.path, c.default_instance, name, c.default_instance);
                return -EINVAL;
        }
        if (!service)
                return 0;       /* a template runs as instances named by whoever starts them */

        r = generator_unit(&c, service, o->template_path, out, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                fprintf(o->err, "cell-generator: %s: %s; skipped\n", c.path, strna(error));
                return -EINVAL;
        }
        STRV_FOREACH(w, out->warnings) {
                print_warning_mark(o);
                fprintf(o->err, "cell-generator: %s: %s\n", c.path, *w);
        }
        return 1;
}

static const GeneratorEntry *find_entry(const GeneratorOutput *o, const char *path) {
        for (size_t i = 0; i < o->n_entries; i++)
                if (streq(o->entries[i].path, path))
                        return o->entries + i;
        return NULL;
}

/* Moves one unit's entries into all, unless one of them claims a path that
 * another unit already has (two cells with the same Alias=). */
static int merge(GeneratorOutput *all, GeneratorOutput *one, const char *name, FILE *err) {
        GeneratorEntry *e;

        for (size_t i = 0; i < one->n_entries; i++)
                if (find_entry(all, one->entries[i].path)) {
                        fprintf(err, "cell-generator: %s.cell: %s is claimed by another unit; skipped\n",
                                name, one->entries[i].path);
                        return -EINVAL;
                }
        e = realloc(all->entries, (all->n_entries + one->n_entries + 1) * sizeof(GeneratorEntry));
        if (!e)
                return -ENOMEM;
        all->entries = e;
        if (one->n_entries > 0)   /* memcpy() from NULL is undefined, even for 0 bytes */
                memcpy(all->entries + all->n_entries, one->entries, one->n_entries * sizeof(GeneratorEntry));
        all->n_entries += one->n_entries;
        free(one->entries);
        *one = (GeneratorOutput) { .warnings = one->warnings };       /* freed by the caller */
        return 0;
}

/* mkdir -p for the directories of rel below dirfd. */
static int make_parents(int dirfd, const char *rel) {
        _cleanup_free_ char *p = strdup(rel);

        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                if (mkdirat(dirfd, p, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *s = '/';
        }
        return 0;
}

static int write_entry(int dirfd, const GeneratorEntry *e) {
        int r = make_parents(dirfd, e->path);

        if (r < 0)
                return r;
        if (e->link_target) {
                /* The output directory is fresh on every run; a leftover of
                 * a run by hand is replaced, never followed. */
                if (unlinkat(dirfd, e->path, 0) < 0 && errno != ENOENT)
                        return negative_errno();
                return RET_NERRNO(symlinkat(e->link_target, dirfd, e->path));
        }

        _cleanup_close_ int fd = openat(dirfd, e->path, O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW|O_CLOEXEC, 0644);
        if (fd < 0)
                return negative_errno();
        return write_all(fd, e->content, strlen(e->content));
}

int generator_run(const GeneratorOptions *o) {
        _cleanup_strv_free_ char **search_path = NULL, **names = NULL;
        _cleanup_(generator_output_done) GeneratorOutput all = {};
        int r, bad = 0;

        r = unit_search_path_get(o->search_path, &search_path);
        if (r < 0)
                return r;
        r = collect_names(search_path, o->err, &names, &bad);
        if (r < 0)
                return r;

        GeneratorOptions opts = *o;
        opts.search_path = search_path;
        STRV_FOREACH(n, names) {
                _cleanup_(generator_output_done) GeneratorOutput one = {};

                r = generate_one(&opts, *n, names, &one);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        r = merge(&all, &one, *n, o->err);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        bad++;
        }

        if (o->dry_run) {
                for (size_t i = 0; i < all.n_entries; i++) {
                        const GeneratorEntry *e = all.entries + i;
                        if (e->link_target)
                                fprintf(o->out, "%s/%s -> %s\n", o->output_dir, e->path, e->link_target);
                        else
                                fprintf(o->out, "%s/%s:\n%s", o->output_dir, e->path, e->content);
                }
                return fflush(o->out) == 0 ? bad : -EIO;
        }

        _cleanup_close_ int dirfd = open(o->output_dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (dirfd < 0) {
                fprintf(o->err, "cell-generator: cannot open the output directory %s: %s\n",
                        o->output_dir, strerror(errno));
                return -ECANCELED;      /* said */
        }
        for (size_t i = 0; i < all.n_entries; i++) {
                r = write_entry(dirfd, all.entries + i);
                if (r < 0) {
                        fprintf(o->err, "cell-generator: cannot write %s/%s: %s\n",
                                o->output_dir, all.entries[i].path, strerror(-r));
                        return -ECANCELED;      /* said */
                }
        }
        return bad;
}
