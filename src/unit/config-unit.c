/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of [Unit] and [Install]: unit names and their lists, Alias=,
 * DefaultInstance=, Documentation= and Description=, as systemd reads them. */
#include <string.h>

#include "config-parsers.h"
#include "parse-value.h"
#include "strv.h"
#include "unit-alias.h"
#include "unit-name.h"

/* [Install] Alias=: each word as systemctl enable takes it for the unit's
 * service (unit_install_alias()). One it refuses is an error where the unit
 * is checked (ctx->verify: cell verify), else a warning and
 * the word left out: systemctl enable refuses that alias alone, and a unit
 * must not stay off at boot, or fail to start, for it. */
static int parse_alias(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, char ***list) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *service = NULL;
        bool refused = false;
        int r;

        if (isempty(ctx->value)) {
                *list = strv_free(*list);
                return 0;
        }
        r = config_split_words(ctx, k, EXTRACT_RETAIN_ESCAPE | EXTRACT_UNQUOTE, &words);
        if (r < 0)
                return r;
        if (!words[0])
                return -EINVAL;
        /* The service the unit runs as (none for a config made by hand). */
        if (c->name && cell_service_name(c->name, &service) < 0)
                return -ENOMEM;
        if (service && !unit_name_is_valid(service))
                service = mfree(service);
        for (size_t i = 0; words[i]; ) {
                _cleanup_free_ char *path = NULL, *why = NULL;
                bool one = !words[1] && streq(words[0], ctx->value);

                /* A "/" is the old form, UNIT.wants/NAME: unit_install_alias() says what is wrong with it. */
                if (!strchr(words[i], '/') && !unit_name_is_valid(words[i]))
                        return config_bad(ctx, "%s (\"%s\" is not one)", k->expected, words[i]);
                r = service ? unit_install_alias(service, words[i], &path, &why) : 0;
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        i++;
                        continue;
                }
                if (ctx->verify) {
                        ctx->reported = refused = true;
                        r = diag_error(ctx->diag, ctx->file, ctx->line, "%s=%s: %s%s%s; systemctl enable refuses it "
                                       "(cell-generator(8) leaves it out)", ctx->key, ctx->value,
                                       one ? "" : words[i], one ? "" : ": ", why);
                        i++;
                } else {
                        r = diag_warning(ctx->diag, ctx->file, ctx->line, "%s=%s: %s%s%s; systemctl enable "
                                         "refuses it: left out", ctx->key, ctx->value, one ? "" : words[i],
                                         one ? "" : ": ", why);
                        free(words[i]);
                        memmove(words + i, words + i + 1, strv_length(words + i + 1) * sizeof(char *) + sizeof(char *));
                }
                if (r < 0)
                        return r;
        }
        if (refused)
                return -EINVAL;
        return config_list_extend(c, list, words);
}

/* As systemd's dependency and [Install] lists: a backslash stays as written.
 * An escaped unit name ("mnt-data\x2d1.mount", the mount of /mnt/data-1) is
 * a name, not a C string: unescaped it would name another unit
 * ("mnt-data-1.mount", /mnt/data/1). Quotes are removed in [Install]
 * (config_parse_strv()) but not in [Unit] (config_parse_unit_deps()), where
 * a quote is part of the word and so no unit name. */
int config_parse_unit_names(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_strv_free_ char **added = NULL;
        ExtractFlags flags = EXTRACT_RETAIN_ESCAPE;
        int r;

        if (streq(k->section, "Install") && streq(k->key, "Alias"))
                return parse_alias(ctx, k, c, data);
        if (streq(k->section, "Install"))
                flags |= EXTRACT_UNQUOTE;
        if (isempty(ctx->value) || streq(k->section, "Install"))
                r = config_parse_words(ctx, k, c, data, flags, unit_name_is_valid);
        else {
                _cleanup_free_ char *service = NULL;

                r = config_parse_words(ctx, k, NULL, &added, flags, unit_name_is_valid);
                /* The service the unit runs as (none for a config made by hand). */
                if (r >= 0 && streq(k->key, "After") && c->name && cell_service_name(c->name, &service) < 0)
                        return -ENOMEM;
                /* A template ("foo@.service", or "foo@%i.service" in a unit
                 * that is no instance) is no unit to order against or pull
                 * in: systemd refuses the start's scope for it ("Invalid unit
                 * name"). Said here, so that cell verify says it. [Install]'s
                 * WantedBy= of a template is systemd's own (every instance). */
                STRV_FOREACH(w, added) {
                        const char *at = strchr(*w, '@');

                        if (r >= 0 && at && at[1] == '.')
                                r = config_bad(ctx, "a unit, not the template \"%s\": name one of its instances "
                                               "(\"%.*sNAME%s\")", *w, (int) (at - *w + 1), *w, at + 1);
                        /* After= its own service, whose start job starts the
                         * scope: systemd refused the scope there ("Transaction
                         * order is cyclic"), exit 2 and no line, after cell
                         * verify passed it. */
                        if (r >= 0 && streq(k->key, "After") && streq_ptr(*w, service))
                                r = config_bad(ctx, "a unit other than \"%s\", the service this unit runs as, "
                                               "which starts its scope: systemd refuses the scope After= it "
                                               "(\"Transaction order is cyclic\")", *w);
                }
                if (r >= 0)
                        r = config_list_extend(c, data, added);
        }
        /* [Unit]'s are counted: systemd's refusal at the start names a unit
         * (one not found or masked), and cell names its line. */
        if (streq(k->section, "Unit"))
                ctx->items = config_list_length(c, data);
        return r;
}

int config_parse_unit_name(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        if (!isempty(ctx->value) && !unit_name_is_valid(ctx->value))
                return -EINVAL;
        return config_set_string(data, ctx->value);
}

static bool instance_is_valid(const char *s) {
        if (isempty(s) || strlen(s) > 255)
                return false;
        for (const char *p = s; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@", *p))
                        return false;
        return true;
}

int config_parse_instance(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int r;

        if (!isempty(ctx->value) && !instance_is_valid(ctx->value))
                return -EINVAL;
        /* As systemd ("only makes sense for template units, ignoring"): a
         * unit that is no template has no instance to enable, and
         * cell-generator(8) does not read it. An instance ("web@3") is read
         * from its template's file, whose line it is: nothing to say. */
        if (!isempty(ctx->value) && c->name && !strchr(c->name, '@')) {
                r = diag_warning(ctx->diag, ctx->file, ctx->line, "%s=%s: %s is no template (NAME@.cell), and "
                                 "only a template has a default instance: unused, as systemd ignores it",
                                 ctx->key, ctx->value, c->name);
                if (r < 0)
                        return r;
        }
        return config_set_string(data, ctx->value);
}

/* As systemd's documentation_url_is_valid(): a known scheme and more, in
 * ASCII. And no blank, quote, backslash or control character: no URL has
 * them, and the generator writes each URL as one word of a unit file,
 * which systemd would split, unquote or unescape into something else. */
static bool documentation_url_is_valid(const char *s) {
        static const char * const schemes[] = { "http://", "https://", "file:/", "info:", "man:" };

        for (const char *p = s; *p; p++)
                if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f || strchr("\"'\\", *p))
                        return false;
        for (size_t i = 0; i < ELEMENTSOF(schemes); i++) {
                const char *rest = startswith(s, schemes[i]);
                if (rest && *rest)
                        return true;
        }
        return false;
}

int config_parse_documentation(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        /* As systemd's config_parse_strv(): quotes removed, a backslash kept
         * (and so refused): "man:a\x2db" is no "man:a-b" there. */
        return config_parse_words(ctx, k, c, data, EXTRACT_UNQUOTE | EXTRACT_RETAIN_ESCAPE, documentation_url_is_valid);
}

/* cell-generator(8) writes Description= into the drop-in of cell@NAME.service,
 * where a control character (a tab too: systemd would keep it, but no line of
 * a unit file is the place for one) cannot be written and a trailing backslash
 * would join the next line: said here, at the line, where the generator could
 * only skip the whole unit at boot. (A backslash last comes of a specifier.) */
int config_parse_description(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        const char *v = ctx->value;

        for (const char *p = v; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 0x7f)
                        return config_bad(ctx, "%s without control characters (\\x%02x here), which "
                                          "cell-generator(8) could not write into cell@.service's drop-in",
                                          k->expected, (unsigned) (unsigned char) *p);
        if (endswith(v, "\\"))
                return config_bad(ctx, "%s that does not end in \"\\\", which would join the next line of "
                                  "the drop-in cell-generator(8) writes", k->expected);
        return config_set_string(data, v);
}
