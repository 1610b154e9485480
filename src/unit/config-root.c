/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Root]: the container's file system. */
#include <stdlib.h>
#include <string.h>

#include "config-parsers.h"
#include "parse-mount.h"
#include "strv.h"

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
        if (r < 0)
                return r;
        b.line = ctx->line;
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
        t.line = ctx->line;
        slot = config_array_append((void **) &c->tmpfs, &c->n_tmpfs, sizeof(CellTmpfs));
        if (!slot) {
                cell_tmpfs_done(&t);
                return -ENOMEM;
        }
        *slot = t;
        return 0;
}

int config_parse_inaccessible(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        unsigned *lines;
        size_t n;
        int r;

        if (isempty(ctx->value)) {
                c->inaccessible = strv_free(c->inaccessible);
                c->inaccessible_lines = mfree(c->inaccessible_lines);
                c->n_inaccessible_lines = 0;
                return 0;
        }
        r = parse_inaccessible(ctx->value, &c->inaccessible);
        if (r < 0)
                return r;
        /* Each path keeps its line, as Bind= does, for the plan's messages. */
        n = strv_length(c->inaccessible);
        lines = reallocarray(c->inaccessible_lines, n, sizeof(unsigned));
        if (!lines)
                return -ENOMEM;
        for (size_t i = c->n_inaccessible_lines; i < n; i++)
                lines[i] = ctx->line;
        c->inaccessible_lines = lines;
        c->n_inaccessible_lines = n;
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
        o.line = ctx->line;
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
