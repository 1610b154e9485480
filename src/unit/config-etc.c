/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Exec] ResolvConf= and Timezone=: the names systemd-nspawn gives their
 * values, and their parsers. What each value does is plan-etc.c's. */
#include <string.h>

#include "config-parsers.h"
#include "parse-value.h"

static const char * const resolv_conf_names[_CELL_RESOLV_CONF_MAX] = {
        [CELL_RESOLV_CONF_AUTO]           = "auto",
        [CELL_RESOLV_CONF_OFF]            = "off",
        [CELL_RESOLV_CONF_COPY_HOST]      = "copy-host",
        [CELL_RESOLV_CONF_COPY_STATIC]    = "copy-static",
        [CELL_RESOLV_CONF_COPY_UPLINK]    = "copy-uplink",
        [CELL_RESOLV_CONF_COPY_STUB]      = "copy-stub",
        [CELL_RESOLV_CONF_REPLACE_HOST]   = "replace-host",
        [CELL_RESOLV_CONF_REPLACE_STATIC] = "replace-static",
        [CELL_RESOLV_CONF_REPLACE_UPLINK] = "replace-uplink",
        [CELL_RESOLV_CONF_REPLACE_STUB]   = "replace-stub",
        [CELL_RESOLV_CONF_BIND_HOST]      = "bind-host",
        [CELL_RESOLV_CONF_BIND_STATIC]    = "bind-static",
        [CELL_RESOLV_CONF_BIND_UPLINK]    = "bind-uplink",
        [CELL_RESOLV_CONF_BIND_STUB]      = "bind-stub",
        [CELL_RESOLV_CONF_DELETE]         = "delete",
};

static const char * const timezone_names[_CELL_TIMEZONE_MAX] = {
        [CELL_TIMEZONE_AUTO]    = "auto",
        [CELL_TIMEZONE_OFF]     = "off",
        [CELL_TIMEZONE_COPY]    = "copy",
        [CELL_TIMEZONE_BIND]    = "bind",
        [CELL_TIMEZONE_SYMLINK] = "symlink",
        [CELL_TIMEZONE_DELETE]  = "delete",
};

/* A name, or a boolean as nspawn takes one for both keys
 * (DEFINE_STRING_TABLE_LOOKUP_WITH_BOOLEAN): false is "off", true "auto". */
static int lookup(const char * const *names, size_t n, const char *s, int off, int yes) {
        int b = s ? parse_boolean(s) : -EINVAL;

        if (b >= 0)
                return b ? yes : off;
        for (size_t i = 0; s && i < n; i++)
                if (streq(names[i], s))
                        return (int) i;
        return -EINVAL;
}

const char *cell_resolv_conf_to_string(CellResolvConf v) {
        return v >= 0 && v < _CELL_RESOLV_CONF_MAX ? resolv_conf_names[v] : NULL;
}

int cell_resolv_conf_from_string(const char *s, CellResolvConf *ret) {
        int i = lookup(resolv_conf_names, ELEMENTSOF(resolv_conf_names), s, CELL_RESOLV_CONF_OFF,
                       CELL_RESOLV_CONF_AUTO);

        if (i < 0)
                return i;
        *ret = (CellResolvConf) i;
        return 0;
}

const char *cell_timezone_to_string(CellTimezone v) {
        return v >= 0 && v < _CELL_TIMEZONE_MAX ? timezone_names[v] : NULL;
}

int cell_timezone_from_string(const char *s, CellTimezone *ret) {
        int i = lookup(timezone_names, ELEMENTSOF(timezone_names), s, CELL_TIMEZONE_OFF, CELL_TIMEZONE_AUTO);

        if (i < 0)
                return i;
        *ret = (CellTimezone) i;
        return 0;
}

/* Both keep where they were written: the plan refuses a value the root
 * cannot take (copy-host with ReadOnly=yes) at that file and line. An
 * empty value is refused: nspawn ignores it and keeps the earlier mode. */
int config_parse_resolv_conf(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellResolvConf v;

        if (isempty(ctx->value))
                return config_empty_refused(ctx, k->expected, "nspawn");
        if (cell_resolv_conf_from_string(ctx->value, &v) < 0)
                return -EINVAL;
        c->resolv_conf = v;
        c->resolv_conf_file = mfree(c->resolv_conf_file);
        c->resolv_conf_line = 0;
        return config_entry_origin(ctx, &c->resolv_conf_file, &c->resolv_conf_line);
}

int config_parse_timezone(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellTimezone v;

        if (isempty(ctx->value))
                return config_empty_refused(ctx, k->expected, "nspawn");
        if (cell_timezone_from_string(ctx->value, &v) < 0)
                return -EINVAL;
        c->timezone = v;
        c->timezone_file = mfree(c->timezone_file);
        c->timezone_line = 0;
        return config_entry_origin(ctx, &c->timezone_file, &c->timezone_line);
}
