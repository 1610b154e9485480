/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers shared by several sections: strings, booleans, word lists, paths, users, host and interface names. */
#include <stdio.h>
#include <string.h>

#include "config-parsers.h"
#include "parse-exec.h"
#include "parse-value.h"
#include "strv.h"
#include "unit-name.h"

/* Grows *array of n elements of size sz by one; returns the new slot (zeroed). */
void *config_array_append(void **array, size_t *n, size_t sz) {
        char *a = realloc(*array, (*n + 1) * sz);

        if (!a)
                return NULL;
        *array = a;
        memset(a + *n * sz, 0, sz);
        return a + (*n)++ * sz;
}

size_t config_list_length(CellConfig *c, char ***list) {
        size_t n;

        if (!*list)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(c->list_lengths); i++)
                if (c->list_lengths[i].list == list && c->list_lengths[i].array == *list)
                        return c->list_lengths[i].n;
        n = strv_length(*list);
        config_list_set_length(c, list, n);
        return n;
}

void config_list_set_length(CellConfig *c, char ***list, size_t n) {
        size_t i = 0;

        /* The list's entry, or a free one (none left: counted each time). */
        while (i < ELEMENTSOF(c->list_lengths) && c->list_lengths[i].list && c->list_lengths[i].list != list)
                i++;
        if (i == ELEMENTSOF(c->list_lengths))
                return;
        c->list_lengths[i].list = list;
        c->list_lengths[i].array = *list;
        c->list_lengths[i].n = n;
}

int config_list_extend(CellConfig *c, char ***list, char * const *words) {
        size_t n = config_list_length(c, list), m = strv_length(words);
        char **l;

        if (m == 0)
                return 0;
        l = reallocarray(*list, n + m + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        *list = l;
        /* Copied as strv_extend_strv() does: on failure, those copied so far stay. */
        for (size_t i = 0; i < m; i++) {
                l[n] = strdup(words[i]);
                if (!l[n]) {
                        config_list_set_length(c, list, n);
                        return -ENOMEM;
                }
                l[++n] = NULL;
        }
        config_list_set_length(c, list, n);
        return 0;
}

/* Replaces *dst with a copy of s (NULL for an empty s: the reset). */
int config_set_string(char **dst, const char *s) {
        char *n = NULL;

        if (!isempty(s)) {
                n = strdup(s);
                if (!n)
                        return -ENOMEM;
        }
        free(*dst);
        *dst = n;
        return 0;
}

int config_entry_origin(const ConfigContext *ctx, char **ret_file, unsigned *ret_line) {
        char *f = NULL;

        if (ctx->file) {
                f = strdup(ctx->file);
                if (!f)
                        return -ENOMEM;
        }
        *ret_file = f;
        *ret_line = ctx->line;
        return 0;
}

int config_cpu_set_line(ConfigContext *ctx, uint8_t **set, size_t *set_size) {
        int r;

        /* As systemd's: none at all ("", ",") resets, each other assignment
         * adds its CPUs (nodes) to those before. */
        r = parse_cpu_set_extend(ctx->value, set, set_size);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        if (!*set) {
                ctx->reset = true;
                return 0;
        }
        /* This line's own, for its origin: the start names the line of a CPU
         * the kernel or systemd refuses, not the set's last. */
        r = parse_cpu_set(ctx->value, &ctx->set, &ctx->set_size);
        return r == -ENOMEM ? r : 0;
}

/* Forgets where key was set. */
static void origins_drop(CellConfig *c, const char *key) {
        size_t n = 0;

        for (size_t i = 0; i < c->n_origins; i++) {
                if (streq(c->origins[i].key, key)) {
                        free(c->origins[i].file);
                        free(c->origins[i].set);
                } else
                        c->origins[n++] = c->origins[i];
        }
        c->n_origins = n;
}

/* Remembers (reset) or forgets where key was last emptied. */
static int emptied_record(CellConfig *c, const char *key, bool reset, char **file, unsigned line) {
        size_t n = 0;
        CellOrigin *o;

        for (size_t i = 0; i < c->n_emptied; i++) {
                if (streq(c->emptied[i].key, key))
                        free(c->emptied[i].file);
                else
                        c->emptied[n++] = c->emptied[i];
        }
        c->n_emptied = n;
        if (!reset)
                return 0;
        o = config_array_append((void **) &c->emptied, &c->n_emptied, sizeof(CellOrigin));
        if (!o)
                return -ENOMEM;
        *o = (CellOrigin) { .key = key, .file = TAKE_PTR(*file), .line = line };
        return 0;
}

int config_origin_record(CellConfig *c, ConfigContext *ctx, const ConfigKey *k) {
        _cleanup_free_ char *file = NULL;
        CellOrigin *o;
        unsigned line = ctx->line, lines = 1;
        int r;

        cell_config_origins_changed(c);
        /* The main file's lines keep no copy of its path (most keys of most
         * units: "cell verify" of many units pays for each copy). */
        if (ctx->file && !streq_ptr(ctx->file, c->path)) {
                file = strdup(ctx->file);
                if (!file)
                        return -ENOMEM;
        }
        /* The reset (an empty value, or a set's line of no CPU), or a value
         * that replaces the key's: no earlier line holds any more. A counted
         * list's lines add up, and a set's. */
        bool reset = isempty(ctx->value) || ctx->reset;

        /* The key's last line before this one, found from the end: a list
         * of thousands of lines (Port=) is not walked through at each. */
        for (size_t i = c->n_origins; !reset && i > 0; i--)
                if (streq(c->origins[i - 1].key, k->key)) {
                        lines = c->origins[i - 1].lines + 1;
                        break;
                }
        if (reset || (ctx->items == 0 && !ctx->set))
                origins_drop(c, k->key);
        if (c->n_emptied > 0 || reset) {
                r = emptied_record(c, k->key, reset, &file, line);
                if (r < 0 || reset)
                        return r;
        }
        o = config_array_append((void **) &c->origins, &c->n_origins, sizeof(CellOrigin));
        if (!o)
                return -ENOMEM;
        *o = (CellOrigin) { .key = k->key, .file = TAKE_PTR(file), .line = line, .items = ctx->items,
                            .lines = lines, .set = TAKE_PTR(ctx->set), .set_size = ctx->set_size };
        return 0;
}

int config_parse_string(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        return config_set_string(data, ctx->value);
}

int config_empty_refused(ConfigContext *ctx, const char *expected, const char *who) {
        return config_bad(ctx, "%s; an empty value resets nothing, as in %s", expected, who);
}

/* No reset: systemd's config_parse_bool() ignores an empty value and keeps
 * the earlier one, so a drop-in's "MemoryDenyWriteExecute=" must not turn
 * off the unit's "yes" here. */
int config_parse_bool(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        bool *b = data;
        int r;

        if (isempty(ctx->value))
                return config_empty_refused(ctx, k->expected, "systemd");
        r = parse_boolean(ctx->value);
        if (r < 0)
                return -EINVAL;
        *b = r;
        return 0;
}

/* nspawn's settings' booleans (config_parse_tristate()): the empty value
 * is the default, as a .nspawn file's "ReadOnly=" is "not set". */
int config_parse_tristate(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        if (isempty(ctx->value)) {
                *(bool *) data = k->ltype;
                return 0;
        }
        return config_parse_bool(ctx, k, c, data);
}

int config_split_words(ConfigContext *ctx, const ConfigKey *k, ExtractFlags flags, char ***ret) {
        _cleanup_strv_free_ char **words = NULL;
        size_t n = 0;
        int r;

        words = calloc(1, sizeof(char *));
        if (!words)
                return -ENOMEM;
        for (const char *p = ctx->value;;) {
                char *w;

                r = extract_first_word(&p, &w, NULL, flags);
                if (r == -EINVAL)
                        return config_bad(ctx, "%s (bad quoting or escape)", k->expected);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                /* Counted: thousands of words on one line are not each appended by a walk to the end. */
                r = strv_push_n(&words, &n, w);
                if (r < 0)
                        return r;
        }
        r = config_expand_strv(ctx, k, words);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(words);
        return 0;
}

/* Words of ctx->value (config_split_words()), each checked by valid();
 * appended to *list (an empty value resets it). */
int config_parse_words(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, char ***list,
                       ExtractFlags flags, bool (*valid)(const char *)) {
        _cleanup_strv_free_ char **words = NULL;
        int r;

        if (isempty(ctx->value)) {
                *list = strv_free(*list);
                return 0;
        }
        r = config_split_words(ctx, k, flags, &words);
        if (r < 0)
                return r;
        if (!words[0])
                return -EINVAL;
        STRV_FOREACH(w, words) {
                const char *e = endswith(*w, UNIT_SUFFIX);

                if (valid(*w))
                        continue;
                /* Another cell is ordered against or pulled in by the service
                 * it runs as: say that name rather than only refuse this one. */
                if (valid == unit_name_is_valid && e && e > *w && e[-1] != '@')
                        return config_bad(ctx, "%s (\"%s\" is not one: the cell \"%.*s\" runs as "
                                          "\"cell@%.*s.service\")", k->expected, *w,
                                          (int) (e - *w), *w, (int) (e - *w), *w);
                return config_bad(ctx, "%s (\"%s\" is not one)", k->expected, *w);
        }
        /* c: *list is one of its lists (else the caller's own). */
        return c ? config_list_extend(c, list, words) : strv_extend_strv(list, words);
}

int config_parse_path(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        char **dst = data, *n = NULL;
        int r;

        if (!isempty(ctx->value)) {
                r = parse_path_absolute(ctx->value, &n);
                if (r < 0)
                        return r == -ENOMEM ? r : -EINVAL;
        }
        free(*dst);
        *dst = n;
        return 0;
}

/* A name systemd takes only by its relaxed rules: taken, with the notice
 * systemd logs. */
static int warn_relaxed_name(ConfigContext *ctx, const char *name) {
        if (user_group_name_is_valid(name))
                return 0;
        return diag_warning(ctx->diag, ctx->file, ctx->line, "%s=%s: not a portable user or group name (at most 31 "
                            "bytes of letters, digits, \"_\" and \"-\", not first a digit or \"-\"); taken, as "
                            "systemd takes it", ctx->key, name);
}

int config_parse_user(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int r;

        if (!isempty(ctx->value)) {
                if (!user_group_name_is_relaxed_valid(ctx->value))
                        return -EINVAL;
                r = warn_relaxed_name(ctx, ctx->value);
                if (r < 0)
                        return r;
        }
        return config_set_string(data, ctx->value);
}

/* SupplementaryGroups=: the start names a group it cannot find by its own line.
 * Split as systemd 252 splits it (extract_first_word() without flags): a
 * backslash keeps the next character ("a\ b" is "a b", "\x41" is "x41"),
 * a quote is part of the name ("\"wheel\"", which no group has), as in User=. */
int config_parse_users(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        char ***list = data;
        size_t n = config_list_length(c, list);
        int r;

        r = config_parse_words(ctx, k, c, list, 0, user_group_name_is_relaxed_valid);
        for (size_t i = n; r >= 0 && *list && (*list)[i]; i++)
                r = warn_relaxed_name(ctx, (*list)[i]);
        ctx->items = config_list_length(c, list);
        return r;
}

/* The longest label (between dots) of a host name. */
static size_t hostname_label_max(const char *s) {
        size_t m = 0;

        for (const char *p = s; *p; p += *p == '.') {
                size_t n = strcspn(p, ".");

                m = MAX(m, n);
                p += n;
        }
        return m;
}

int config_parse_hostname(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        if (!isempty(ctx->value) && !hostname_is_valid(ctx->value))
                return -EINVAL;
        /* As nspawn's Hostname=, which wants a DNS name too (dns_name_is_valid()):
         * a label of 64 characters fits the kernel's 64, not DNS's 63. */
        if (!isempty(ctx->value) && hostname_label_max(ctx->value) > 63)
                return config_bad(ctx, "%s, and no label (between dots) longer than 63, as in DNS and "
                                  "systemd-nspawn's Hostname=", k->expected);
        return config_set_string(data, ctx->value);
}

int config_parse_ifname(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        if (!isempty(ctx->value) && !ifname_is_valid(ctx->value))
                return -EINVAL;
        return config_set_string(data, ctx->value);
}

static bool ifname_equal(const void *userdata, size_t pos, const void *key) {
        return streq(((char * const *) userdata)[pos], key);
}

static uint64_t ifname_hash(const char *name) {
        return pos_index_hash(name, strlen(name), 0);
}

/* Interface=, MACVLAN=, IPVLAN=: space-separated lists of names, as
 * nspawn's; no ":NEWNAME" (systemd 252 has none, and ":" is in no name). A
 * name the key has already is refused here, at its line, and the value
 * changes nothing: the container would get two interfaces of one name.
 * The names before are found through an index of the list (made again
 * where it changed without it), not held against each new one. */
int config_parse_ifnames(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        char ***list = data;
        PosIndex *index = c->ifnames_index + (list == &c->interfaces ? 0 : list == &c->macvlan ? 1 : 2);
        size_t before = config_list_length(c, list), i, j;
        int r;

        r = config_parse_words(ctx, k, c, data, EXTRACT_UNQUOTE, ifname_is_valid);
        if (r < 0 || !*list) {
                pos_index_done(index);
                return r;
        }
        if (index->n != before) {
                pos_index_done(index);
                for (i = 0; i < before; i++)
                        if (pos_index_add(index, ifname_hash((*list)[i]), i) < 0)
                                goto oom;
        }
        for (i = before; (*list)[i]; i++) {
                if (pos_index_find(index, ifname_hash((*list)[i]), ifname_equal, *list, (*list)[i], &j) == 0) {
                        if (pos_index_add(index, ifname_hash((*list)[i]), i) < 0)
                                goto oom;
                        continue;
                }
                ctx->reported = true;
                r = diag_error(ctx->diag, ctx->file, ctx->line,
                               "%s=%s: %s is named %s (an empty %s= clears the list)", ctx->key,
                               ctx->value, (*list)[i], j < before ? "by an earlier line already" :
                               "twice", ctx->key);
                r = r < 0 ? r : -EINVAL;
                goto undo;
        }
        /* Counted: a check across keys names an interface by its own line. */
        ctx->items = i;
        return 0;
oom:
        r = -ENOMEM;
undo:
        for (size_t n = before; (*list)[n]; n++)
                (*list)[n] = mfree((*list)[n]);
        if (before == 0)
                *list = strv_free(*list);
        config_list_set_length(c, list, before);
        /* The names of this line are gone again: made anew at the next. */
        pos_index_done(index);
        return r;
}
