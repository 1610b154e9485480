/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Network] keys of systemd-nspawn's that keep where they were written:
 * Zone= and VirtualEthernetExtra=. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config-parsers.h"
#include "parse-network.h"
#include "parse-value.h"

/* nspawn's rule: "vz-" + NAME must be a valid interface name. */
static bool zone_name_is_valid(const char *s) {
        char bridge[32];

        if (isempty(s) || strlen(s) >= sizeof bridge - 3)
                return false;
        (void) snprintf(bridge, sizeof bridge, "vz-%s", s);
        return ifname_is_valid(bridge);
}

/* Zone=NAME keeps its file and line: Bridge= is refused there. An empty
 * value clears it. */
int config_parse_zone(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int r;

        if (!isempty(ctx->value) && !zone_name_is_valid(ctx->value))
                return -EINVAL;
        r = config_parse_string(ctx, k, c, data);
        if (r < 0)
                return r;
        c->zone_file = mfree(c->zone_file);
        c->zone_line = 0;
        if (isempty(ctx->value))
                return 0;
        return config_entry_origin(ctx, &c->zone_file, &c->zone_line);
}

void cell_config_free_veth_extras(CellConfig *c) {
        for (size_t i = 0; i < c->n_veth_extras; i++) {
                free(c->veth_extras[i].host);
                free(c->veth_extras[i].container);
                free(c->veth_extras[i].file);
        }
        c->veth_extras = mfree(c->veth_extras);
        c->n_veth_extras = 0;
}

/* VirtualEthernetExtra=HOSTIF[:CONTAINERIF]: one pair a line, a repeated
 * key adds one, an empty value clears them. */
int config_parse_veth_extra(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_free_ char *host = NULL, *container = NULL;
        CellVethExtra *e;
        int r;

        if (isempty(ctx->value)) {
                cell_config_free_veth_extras(c);
                return 0;
        }
        r = parse_veth_extra(ctx->value, &host, &container);
        if (r < 0)
                return r;
        e = config_array_append((void **) &c->veth_extras, &c->n_veth_extras, sizeof(CellVethExtra));
        if (!e)
                return -ENOMEM;
        e->host = TAKE_PTR(host);
        e->container = TAKE_PTR(container);
        /* Counted: the start names the line of a pair it cannot make. */
        ctx->items = c->n_veth_extras;
        return config_entry_origin(ctx, &e->file, &e->line);
}
