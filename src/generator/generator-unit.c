/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One unit's share of the generator output, as data: the drop-in text and
 * the links. Pure, so that the tests check it byte for byte. */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "parse-value.h"
#include "strv.h"
#include "unit-alias.h"
#include "unit-name.h"

void generator_output_done(GeneratorOutput *o) {
        for (size_t i = 0; i < o->n_entries; i++) {
                free(o->entries[i].path);
                free(o->entries[i].content);
                free(o->entries[i].link_target);
        }
        free(o->entries);
        strv_free(o->warnings);
        *o = (GeneratorOutput) {};
}

/* Takes path, content and link_target (also on failure). */
static int output_add(GeneratorOutput *o, char *path, char *content, char *link_target) {
        GeneratorEntry *e;

        if (!path || (!content && !link_target)) {
                free(path);
                free(content);
                free(link_target);
                return -ENOMEM;
        }
        /* The same link asked for twice (WantedBy=multi-user.target in the
         * unit and again in a drop-in, an Alias= repeated) is made once, as
         * systemd's [Install] makes it: --dry-run prints it once, and the
         * run does not make it twice. */
        for (size_t i = 0; i < o->n_entries; i++)
                if (streq(o->entries[i].path, path) && streq_ptr(o->entries[i].content, content) &&
                    streq_ptr(o->entries[i].link_target, link_target)) {
                        free(path);
                        free(content);
                        free(link_target);
                        return 0;
                }
        e = realloc(o->entries, (o->n_entries + 1) * sizeof(GeneratorEntry));
        if (!e) {
                free(path);
                free(content);
                free(link_target);
                return -ENOMEM;
        }
        o->entries = e;
        o->entries[o->n_entries++] = (GeneratorEntry) {
                .path = path, .content = content, .link_target = link_target,
        };
        return 0;
}

int generator_service_name(const CellConfig *c, const char *name, char **ret) {
        _cleanup_free_ char *instance = NULL;
        int r;

        if (cell_name_is_valid(name, UNIT_NAME_TEMPLATE)) {
                /* A template runs only as instances; the one [Install] can
                 * name is DefaultInstance=, as systemctl enable has it. */
                if (isempty(c->default_instance)) {
                        *ret = NULL;
                        return 0;
                }
                r = unit_name_replace_instance(name, c->default_instance, &instance);
                if (r < 0)
                        return r;
                name = instance;
        }
        return cell_service_name(name, ret);
}

/* systemd reads the drop-in as a unit file: '%' starts a specifier there,
 * and a trailing '\' would join the next line. The unit language already
 * expanded its own specifiers, so what is left is literal text. */
static int escape_value(const char *v, char **ret) {
        size_t n = strlen(v);
        char *s, *p;

        if (n > 0 && v[n - 1] == '\\')
                return -EINVAL;
        for (const char *q = v; *q; q++)
                if ((unsigned char) *q < ' ' || *q == 0x7f)
                        return -EINVAL;
        s = p = malloc(n * 2 + 1);
        if (!s)
                return -ENOMEM;
        for (const char *q = v; *q; q++) {
                if (*q == '%')
                        *p++ = '%';
                *p++ = *q;
        }
        *p = 0;
        *ret = s;
        return 0;
}

/* A dependency as systemd names it: "db.cell" is the service running
 * db.cell, anything else a systemd unit as written. */
/* One unit name, written as it stands: systemd reads these lists without
 * unescaping ("dev-disk-by\x2duuid-1.device" stays as it is), so only a valid
 * name, which it would not split, expand, read as a path or join with the
 * next line, is written. The parser took nothing else (another cell is named
 * by its service, "cell@db.service"); checked again as it goes into a file
 * systemd reads at boot. */
static int dependency_name(const char *dep, char **ret) {
        char *s;

        if (!unit_name_is_valid(dep))
                return -EINVAL;
        s = strdup(dep);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

_printf_(3, 4)
static int fail(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;
        int k;

        if (r == -ENOMEM)
                return r;
        va_start(ap, fmt);
        k = vasprintf(ret_error, fmt, ap);
        va_end(ap);
        return k < 0 ? -ENOMEM : -EINVAL;
}

/* Each unit once per key: a name repeated (in the unit, again in a drop-in,
 * in one line or two) is one line: systemd merges them
 * anyway, and the drop-in reads as the unit meant. */
static int write_deps(FILE *f, const char *key, char * const *deps, char **ret_error) {
        _cleanup_strv_free_ char **written = NULL;

        STRV_FOREACH(d, deps) {
                char *n = NULL;
                int r = dependency_name(*d, &n);
                if (r < 0)
                        return fail(ret_error, r, "cannot use \"%s\" as a systemd unit name", *d);
                if (strv_contains(written, n)) {
                        free(n);
                        continue;
                }
                fprintf(f, "%s=%s\n", key, n);
                r = strv_push(&written, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* RequiresMountsFor= of one host path, as systemd reads that key: words
 * unquoted, specifiers expanded. A path with a blank, quote or backslash is
 * written in double quotes, with a backslash before each quote and
 * backslash in it. */
static int write_mounts_for(FILE *f, const char *path, char ***written, char **ret_error) {
        _cleanup_free_ char *e = NULL;
        int r;

        if (streq(path, "/"))           /* mounted before anything runs */
                return 0;
        /* The root and a Bind= source (or two Bind=s) may be one path. */
        if (strv_contains(*written, path))
                return 0;
        r = strv_extend(written, path);
        if (r < 0)
                return r;
        r = escape_value(path, &e);
        if (r < 0)
                return fail(ret_error, r, "the path %s cannot be written into a unit file", path);
        if (!strpbrk(e, " \t\"'\\")) {
                fprintf(f, "RequiresMountsFor=%s\n", e);
                return 0;
        }
        fputs("RequiresMountsFor=\"", f);
        for (const char *q = e; *q; q++) {
                if (*q == '"' || *q == '\\')
                        fputc('\\', f);
                fputc(*q, f);
        }
        fputs("\"\n", f);
        return 0;
}

/* What the container needs mounted on the host before it starts: its root
 * (Directory=, or Image='s file) and the host sources of Bind= and Overlay= (not those inside the root,
 * "+", nor a "-" one, which may be missing), as systemd adds
 * RequiresMountsFor= for a service's RootDirectory= and BindPaths=; as
 * nspawn's template asks for /var/lib/machines/%i. Local file systems are
 * mounted before any service anyway; this orders a container whose root is
 * on NFS or another remote or late file system after that mount. */
static int write_host_paths(FILE *f, const CellConfig *c, char **ret_error) {
        _cleanup_strv_free_ char **written = NULL;
        int r;

        /* The image file as systemd's RootImage= asks for it: the file
         * system it lies on (a block device's /dev is always there). */
        if (c->directory || c->image) {
                r = write_mounts_for(f, c->directory ?: c->image, &written, ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_binds; i++) {
                const CellBind *b = c->binds + i;

                if (b->ignore_missing || !b->source || b->source[0] != '/')
                        continue;
                r = write_mounts_for(f, b->source, &written, ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_overlays; i++) {
                const CellOverlay *o = c->overlays + i;

                STRV_FOREACH(l, o->lower)
                        if ((*l)[0] == '/' && (r = write_mounts_for(f, *l, &written, ret_error)) < 0)
                                return r;
                if (o->upper && o->upper[0] == '/' &&
                    (r = write_mounts_for(f, o->upper, &written, ret_error)) < 0)
                        return r;
        }
        return 0;
}

static int build_dropin(const CellConfig *c, char **ret, char **ret_error) {
        _cleanup_free_ char *text = NULL, *path = NULL, *desc = NULL;
        size_t size = 0;
        FILE *f;
        int r = 0;

        r = escape_value(c->path, &path);
        if (r < 0)
                return fail(ret_error, r, "the file name %s cannot be written into a unit file", c->path);
        if (c->description) {
                r = escape_value(c->description, &desc);
                if (r < 0)
                        return fail(ret_error, r, "Description=%s cannot be written into a unit file "
                                    "(control character or trailing backslash)", c->description);
        }

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        /* No timestamp, no host name: the same units give the same bytes. */
        fprintf(f, "# Generated by cell-generator from %s; edit that file instead.\n", c->path);
        fputs("[Unit]\n", f);
        fprintf(f, "SourcePath=%s\n", path);
        if (desc)
                fprintf(f, "Description=%s\n", desc);
        STRV_FOREACH(d, c->documentation) {
                _cleanup_free_ char *e = NULL;
                /* systemd splits Documentation= into words and unquotes them:
                 * a blank, quote or backslash would make other URLs of one. */
                if (strpbrk(*d, " \t\"'\\"))
                        r = -EINVAL;
                else
                        r = escape_value(*d, &e);
                if (r < 0) {
                        r = fail(ret_error, r, "Documentation=%s cannot be written into a unit file "
                                 "(a blank, quote, backslash or control character)", *d);
                        break;
                }
                fprintf(f, "Documentation=%s\n", e);
        }
        if (r >= 0 &&
            (r = write_deps(f, "After", c->after, ret_error)) >= 0 &&
            (r = write_deps(f, "Before", c->before, ret_error)) >= 0 &&
            (r = write_deps(f, "Wants", c->wants, ret_error)) >= 0 &&
            (r = write_deps(f, "Requires", c->requires, ret_error)) >= 0 &&
            (r = write_deps(f, "BindsTo", c->binds_to, ret_error)) >= 0 &&
            (r = write_deps(f, "PartOf", c->part_of, ret_error)) >= 0 &&
            (r = write_deps(f, "Conflicts", c->conflicts, ret_error)) >= 0)
                r = write_host_paths(f, c, ret_error);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(text);
        return 0;
}

static int add_links(GeneratorOutput *out, const char *key, char * const *targets, const char *suffix,
                     const char *service, const char *template_path, char **ret_error) {
        STRV_FOREACH(t, targets) {
                _cleanup_free_ char *n = NULL;
                char *path;
                int r;

                r = dependency_name(*t, &n);
                if (r < 0)
                        return fail(ret_error, r, "cannot use \"%s\" as a systemd unit name", *t);
                /* A unit name may take all of NAME_MAX: its .wants/ can then not exist. */
                if (strlen(n) + strlen(suffix) > NAME_MAX)
                        return fail(ret_error, -EINVAL, "%s=%s: the directory %s%s/ would be longer than "
                                    "%d characters", key, *t, n, suffix, NAME_MAX);
                if (asprintf(&path, "%s%s/%s", n, suffix, service) < 0)
                        return -ENOMEM;
                /* The link's name is what systemd reads; its target is the
                 * template the instance comes from, as systemctl enable makes it. */
                r = output_add(out, path, NULL, strdup(template_path));
                if (r < 0)
                        return r;
        }
        return 0;
}

int generator_unit(const CellConfig *c, const char *service, const char *template_path,
                   GeneratorOutput *out, char **ret_error) {
        char *text = NULL, *path;
        int r;

        /* The service's drop-in directory must be a file name (cell_name_fits()). */
        if (strlen(service) + strlen(".d") > NAME_MAX)
                return fail(ret_error, -EINVAL, "the drop-in directory %s.d/ would be longer than %d characters",
                            service, NAME_MAX);
        r = build_dropin(c, &text, ret_error);
        if (r < 0)
                return r;
        if (asprintf(&path, "%s.d/" GENERATOR_DROPIN_NAME, service) < 0) {
                free(text);
                return -ENOMEM;
        }
        r = output_add(out, path, text, NULL);
        if (r < 0)
                return r;

        r = add_links(out, "WantedBy", c->wanted_by, ".wants", service, template_path, ret_error);
        if (r >= 0)
                r = add_links(out, "RequiredBy", c->required_by, ".requires", service, template_path, ret_error);
        if (r < 0)
                return r;

        /* Each as systemctl enable makes it (unit_install_alias()): an alias
         * is a link named ALIAS to the unit it stands for, the old form
         * UNIT.wants/SERVICE a link to the template, as WantedBy=UNIT's. What
         * systemd refuses is left out with a warning (a loaded unit's
         * refused aliases were said and left out at their lines already). */
        STRV_FOREACH(a, c->alias) {
                _cleanup_free_ char *link = NULL, *why = NULL;

                r = unit_install_alias(service, *a, &link, &why);
                if (r == -ENOMEM)
                        return r;
                if (r == 0)
                        continue;       /* the service's own name: no link to itself */
                if (r < 0) {
                        char *w;

                        if (asprintf(&w, "Alias=%s: %s; left out", *a, why) < 0)
                                return -ENOMEM;
                        r = strv_push(&out->warnings, w);
                        if (r < 0)
                                return r;
                        continue;
                }
                const char *target = strchr(link, '/') ? template_path : service;

                r = output_add(out, TAKE_PTR(link), NULL, strdup(target));
                if (r < 0)
                        return r;
        }
        return 0;
}
