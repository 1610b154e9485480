/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Root]: the container's file system. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-parsers.h"
#include "parse-mount.h"
#include "strv.h"

/* A source path's specifiers: an in-root "+" stays in front, an empty (allowed) one stays empty. */
static int expand_source(ConfigContext *ctx, const ConfigKey *k, char **path) {
        _cleanup_free_ char *p = NULL;
        int r;

        if (!*path || (*path)[0] != '+')
                return config_expand_path(ctx, k, path);
        p = strdup(*path + 1);
        if (!p)
                return -ENOMEM;
        r = config_expand_path(ctx, k, &p);
        if (r < 0)
                return r;
        free(*path);
        if (asprintf(path, "+%s", p) < 0) {
                *path = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* "Bind=:/dst", "-:/dst", "+:/dst": nspawn's empty SRC, which cell refuses (a
 * directory it made on the host would stay there if cell were killed). */
static bool bind_source_is_empty(const char *v) {
        v += *v == '-';
        v += *v == '+';
        return *v == ':';
}

int config_parse_bind(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        bool read_only = k->ltype;
        CellBind b, *slot;
        int r;

        if (isempty(ctx->value)) {
                /* Bind= resets the Bind= entries, BindReadOnly= the read-only ones. */
                size_t j = 0;
                for (size_t i = 0; i < c->n_binds; i++) {
                        if (c->binds[i].read_only == read_only)
                                cell_bind_done(&c->binds[i]);
                        else
                                c->binds[j++] = c->binds[i];
                }
                c->n_binds = j;
                if (j == 0)
                        cell_config_free_binds(c);
                return 0;
        }
        r = parse_bind(ctx->value, read_only, &b);
        if (r == -EINVAL && bind_has_option(ctx->value, "rootidmap"))
                return config_bad(ctx, "%s (nspawn's rootidmap, which makes SRC's owner the container's root, "
                                  "is not taken)", k->expected);
        if (r == -EINVAL && bind_source_is_empty(ctx->value))
                return config_bad(ctx, "%s (an empty SRC, nspawn's temporary directory under /var/tmp, is not "
                                  "taken: TemporaryFileSystem=DST gives an empty writable directory)", k->expected);
        if (r < 0)
                return r;
        /* After the split, as systemd's BindPaths=: an instance's ":" stays in its path. */
        r = expand_source(ctx, k, &b.source);
        if (r >= 0)
                r = config_expand_path(ctx, k, &b.target);
        if (r >= 0)
                r = config_entry_origin(ctx, &b.file, &b.line);
        if (r < 0) {
                cell_bind_done(&b);
                return r;
        }
        slot = config_array_append((void **) &c->binds, &c->n_binds, sizeof(CellBind));
        if (!slot) {
                cell_bind_done(&b);
                return -ENOMEM;
        }
        *slot = b;
        return 0;
}

int config_parse_tmpfs(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellTmpfs t, *slot;
        int r;

        if (isempty(ctx->value)) {
                cell_config_free_tmpfs(c);
                return 0;
        }
        r = parse_tmpfs(ctx->value, &t);
        if (r < 0)
                return r;
        /* The path only, as systemd: "size=50%" is no specifier. */
        r = config_expand_path(ctx, k, &t.path);
        if (r >= 0)
                r = config_entry_origin(ctx, &t.file, &t.line);
        if (r < 0) {
                cell_tmpfs_done(&t);
                return r;
        }
        slot = config_array_append((void **) &c->tmpfs, &c->n_tmpfs, sizeof(CellTmpfs));
        if (!slot) {
                cell_tmpfs_done(&t);
                return -ENOMEM;
        }
        *slot = t;
        return 0;
}

/* Inaccessible= refused for a prefix it does not take: systemd's
 * InaccessiblePaths= takes "-" (skip a missing path) and then "+" (relative
 * to RootDirectory=); cell takes "-", which changes nothing, and no "+":
 * its paths are the container's already. The generic message otherwise. */
static int inaccessible_bad_prefix(ConfigContext *ctx, const ConfigKey *k) {
        _cleanup_strv_free_ char **words = NULL;
        int r;

        r = split_words(ctx->value, &words);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        STRV_FOREACH(w, words) {
                const char *path = *w + (**w == '-');

                if (path[0] == '+')
                        return config_bad(ctx, "%s, each with an optional \"-\" (\"%s\": systemd's \"+\" prefix, a "
                                          "path relative to RootDirectory=, is not taken: Inaccessible= paths are "
                                          "the container's already; write \"%s%s\")", k->expected, *w,
                                          **w == '-' ? "-" : "", path + 1);
                if (path[0] == '-')
                        return config_bad(ctx, "%s, each with an optional \"-\" (\"%s\": one \"-\" at most, the only "
                                          "prefix taken)", k->expected, *w);
        }
        return -EINVAL;
}

int config_parse_inaccessible(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_strv_free_ char **paths = NULL, **raws = NULL;
        CellInaccessible *l;
        size_t n;
        int r;

        if (isempty(ctx->value)) {
                cell_config_free_inaccessible(c);
                return 0;
        }
        r = parse_inaccessible(ctx->value, &paths);
        if (r == -EINVAL)
                return inaccessible_bad_prefix(ctx, k);
        if (r < 0)
                return r;
        /* The words as written ("-/proc/"), for the plan's messages. */
        r = split_words(ctx->value, &raws);
        if (r < 0)
                return r;
        if (strv_length(raws) != strv_length(paths))
                return -EINVAL;
        for (size_t i = 0; paths[i]; i++) {
                r = config_expand_path(ctx, k, &paths[i]);
                if (r < 0)
                        return r;
        }
        n = strv_length(paths);
        l = reallocarray(c->inaccessible, c->n_inaccessible + n, sizeof(CellInaccessible));
        if (!l)
                return -ENOMEM;
        c->inaccessible = l;
        /* Each path keeps where it was written, as Bind= does, for the plan's messages. */
        for (size_t i = 0; i < n; i++) {
                CellInaccessible *e = &c->inaccessible[c->n_inaccessible + i];

                *e = (CellInaccessible) { .path = paths[i], .raw = raws[i] };
                r = config_entry_origin(ctx, &e->file, &e->line);
                if (r < 0) {
                        while (i > 0)
                                free(c->inaccessible[c->n_inaccessible + --i].file);
                        return r;
                }
        }
        c->n_inaccessible += n;
        paths = mfree(paths);   /* its strings are the entries' paths now */
        raws = mfree(raws);     /* ... and raw words */
        return 0;
}

int config_parse_overlay(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        bool read_only = k->ltype;
        CellOverlay o, *slot;
        int r;

        if (isempty(ctx->value)) {
                size_t j = 0;
                for (size_t i = 0; i < c->n_overlays; i++) {
                        if (c->overlays[i].read_only == read_only)
                                cell_overlay_done(&c->overlays[i]);
                        else
                                c->overlays[j++] = c->overlays[i];
                }
                c->n_overlays = j;
                if (j == 0)
                        cell_config_free_overlays(c);
                return 0;
        }
        r = parse_overlay(ctx->value, read_only, &o);
        if (r < 0)
                return r;
        for (size_t i = 0; r >= 0 && o.lower[i]; i++)
                r = expand_source(ctx, k, &o.lower[i]);
        if (r >= 0 && !isempty(o.upper))
                r = expand_source(ctx, k, &o.upper);
        if (r >= 0)
                r = config_expand_path(ctx, k, &o.target);
        if (r >= 0)
                r = config_entry_origin(ctx, &o.file, &o.line);
        if (r < 0) {
                cell_overlay_done(&o);
                return r;
        }
        slot = config_array_append((void **) &c->overlays, &c->n_overlays, sizeof(CellOverlay));
        if (!slot) {
                cell_overlay_done(&o);
                return -ENOMEM;
        }
        *slot = o;
        return 0;
}

int config_parse_volatile(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        if (isempty(ctx->value)) {
                c->volatile_mode = CELL_VOLATILE_NO;
                return 0;
        }
        return parse_volatile(ctx->value, &c->volatile_mode);
}
