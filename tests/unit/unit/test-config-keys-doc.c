/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The key table of config-parse.c against cell.unit(5): every key the
 * parser knows is documented in its section's list, and every key the
 * page lists there is one the parser knows, in that section. A key added to
 * one side only fails here, naming it. And what COMMON RULES says an empty
 * value does, key by key, is what the parser does with it. Not checked: the
 * keys running text mentions, and what a definition says of its values. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-parse.h"
#include "config-parsers.h"
#include "diag.h"
#include "macros.h"
#include "test.h"

#define KEYS_MAX 512

typedef struct DocKey {
        char section[32];
        char key[64];
        unsigned line;
} DocKey;

static DocKey doc_keys[KEYS_MAX];
static size_t n_doc_keys;

/* The "*Key=*" of one definition line, each noted as section's. */
static void doc_note_keys(const char *section, const char *text, unsigned line) {
        for (const char *p = text; (p = strchr(p, '*')); ) {
                const char *k = p + 1;
                size_t n = strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

                if (n == 0 || k[0] < 'A' || k[0] > 'Z' || !startswith(k + n, "=*")) {
                        p++;
                        continue;
                }
                ASSERT_TRUE(n_doc_keys < KEYS_MAX);
                ASSERT_TRUE(n < sizeof doc_keys[0].key && strlen(section) < sizeof doc_keys[0].section);
                snprintf(doc_keys[n_doc_keys].section, sizeof doc_keys[0].section, "%s", section);
                snprintf(doc_keys[n_doc_keys].key, sizeof doc_keys[0].key, "%.*s", (int) n, k);
                doc_keys[n_doc_keys++].line = line;
                p = k + n + 2;
        }
}

/* cell.unit.5.scd of $CELL_MAN_DIR, open for reading (the test fails without). */
static FILE *doc_open(void) {
        _cleanup_free_ char *path = NULL;
        const char *dir = getenv("CELL_MAN_DIR");
        FILE *f;

        ASSERT_NOT_NULL(dir);
        ASSERT_TRUE(asprintf(&path, "%s/cell.unit.5.scd", dir) >= 0);
        f = fopen(path, "re");
        if (!f)
                TEST_FAIL("%s: %s", path, strerror(errno));
        return f;
}

/* The keys cell.unit(5) defines: in each "# [Section] SECTION", the terms
 * of its definition list (a line of scdoc that the tab-indented text of
 * its definition follows), "*After=*, *Before=*, ..._unit..._" naming
 * several. Keys named in running text are mentions, not definitions. */
static void doc_load(void) {
        char section[32] = "", prev[4096] = "", buf[4096];
        unsigned line = 0;
        FILE *f = doc_open();

        while (fgets(buf, sizeof buf, f)) {
                line++;
                ASSERT_TRUE(strchr(buf, '\n'));
                if (startswith(buf, "# ")) {
                        const char *s = buf + 2;
                        size_t n = strcspn(s, "]");

                        section[0] = '\0';
                        if (s[0] == '[' && startswith(s + n, "] SECTION") && n - 1 < sizeof section)
                                snprintf(section, sizeof section, "%.*s", (int) (n - 1), s + 1);
                } else if (section[0] && buf[0] == '\t' && prev[0] && prev[0] != '\t' && prev[0] != '\n')
                        doc_note_keys(section, prev, line - 1);
                snprintf(prev, sizeof prev, "%s", buf);
        }
        ASSERT_FALSE(ferror(f));
        fclose(f);
}

static const DocKey *doc_find(const char *section, const char *key) {
        for (size_t i = 0; i < n_doc_keys; i++)
                if (streq(doc_keys[i].section, section) && streq(doc_keys[i].key, key))
                        return doc_keys + i;
        return NULL;
}

static const ConfigKey *table_find(const char *section, const char *key) {
        size_t n;
        const ConfigKey *t = config_key_table(&n);

        for (size_t i = 0; i < n; i++)
                if ((!section || streq(t[i].section, section)) && streq(t[i].key, key))
                        return t + i;
        return NULL;
}

TEST(every_table_key_is_documented) {
        unsigned missing = 0;
        size_t n;
        const ConfigKey *t = config_key_table(&n);

        ASSERT_TRUE(n >= 100);
        if (n_doc_keys == 0)
                doc_load();
        for (size_t i = 0; i < n; i++) {
                const ConfigKey *k = t + i;
                const DocKey *d = doc_find(k->section, k->key);

                if (d)
                        continue;
                for (size_t j = 0; j < n_doc_keys; j++)
                        if (streq(doc_keys[j].key, k->key))
                                d = doc_keys + j;
                if (d)
                        fprintf(stderr, "[%s] %s= is documented in [%s] (cell.unit.5.scd:%u)\n",
                                k->section, k->key, d->section, d->line);
                else
                        fprintf(stderr, "[%s] %s= is not in cell.unit.5.scd's [%s] SECTION\n",
                                k->section, k->key, k->section);
                missing++;
        }
        ASSERT_EQ(missing, 0);
}

TEST(every_documented_key_is_parsed) {
        unsigned unknown = 0;

        if (n_doc_keys == 0)
                doc_load();
        /* The page was read at all: its sections' definitions were found. */
        ASSERT_TRUE(n_doc_keys >= 100);
        for (size_t i = 0; i < n_doc_keys; i++) {
                const DocKey *d = doc_keys + i;

                if (table_find(d->section, d->key))
                        continue;
                fprintf(stderr, "cell.unit.5.scd:%u: [%s] %s= is no key of config-parse.c's table%s\n",
                        d->line, d->section, d->key, table_find(NULL, d->key) ? " in that section" : "");
                unknown++;
        }
        ASSERT_EQ(unknown, 0);
}

/* Each key once: two definitions of one key would say two things of it. */
TEST(every_documented_key_once) {
        if (n_doc_keys == 0)
                doc_load();
        for (size_t i = 0; i < n_doc_keys; i++)
                for (size_t j = i + 1; j < n_doc_keys; j++)
                        if (streq(doc_keys[i].section, doc_keys[j].section) &&
                            streq(doc_keys[i].key, doc_keys[j].key))
                                TEST_FAIL("[%s] %s= is defined at cell.unit.5.scd:%u and :%u", doc_keys[i].section,
                                          doc_keys[i].key, doc_keys[i].line, doc_keys[j].line);
}

/* The keys the COMMON RULES item that begins with item names after marker,
 * as "*ReadOnly=*" each ("*Limit\*=*": "Limit*", every key it begins),
 * into keys; their number returned. */
static size_t doc_rule_keys(const char *item_start, const char *marker, char keys[][64], size_t max) {
        char buf[4096], item[8192] = "";
        bool in = false;
        size_t n = 0;
        FILE *f = doc_open();

        while (fgets(buf, sizeof buf, f)) {
                if (startswith(buf, "# [")) /* COMMON RULES end at the first section's */
                        break;
                if (startswith(buf, item_start))
                        in = true;
                else if (in && (startswith(buf, "- ") || startswith(buf, "#")))
                        break;
                if (in) {
                        ASSERT_TRUE(strlen(item) + strlen(buf) < sizeof item);
                        strcat(item, buf);
                }
        }
        fclose(f);
        const char *p = strstr(item, marker);
        if (!p)
                TEST_FAIL("cell.unit.5.scd: no COMMON RULES item \"%s\" with \"%s\"", item_start, marker);
        while ((p = strchr(p, '*'))) {
                const char *k = p + 1;
                size_t m = strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
                /* "(nspawn's *Private=*)" names nspawn's key, not cell's. */
                size_t before = sizeof "nspawn's " - 1;
                bool nspawns = (size_t) (p - item) >= before && startswith(p - before, "nspawn's ");
                bool prefix = startswith(k + m, "\\*=*");

                p = k;
                if (m == 0 || m >= 63 || !(startswith(k + m, "=*") || prefix) || nspawns)
                        continue;
                ASSERT_TRUE(n < max);
                snprintf(keys[n++], 64, "%.*s%s", (int) m, k, prefix ? "*" : "");
                p = k + m + (prefix ? 4 : 2);
        }
        ASSERT_TRUE(n > 0);     /* the item was read at all */
        return n;
}

/* "Limit*" is every key it begins. */
static bool key_matches(const char *pattern, const char *key) {
        size_t m = strlen(pattern);

        return streq(pattern, key) || (m > 0 && pattern[m - 1] == '*' && strncmp(pattern, key, m - 1) == 0);
}

static bool key_listed(char keys[][64], size_t n, const char *key) {
        for (size_t i = 0; i < n; i++)
                if (key_matches(keys[i], key))
                        return true;
        return false;
}

/* What an empty value does, against cell.unit(5)'s COMMON RULES: refused
 * by the booleans but those the "- Booleans:" item names (whose empty value
 * is the default) and by the keys of one value the item "- Keys that take a
 * single value:" names; taken by every other key (it empties a list or
 * restores a default). A key moved from one rule to the other, or added to
 * either, without the page fails here. */
TEST(empty_values_as_documented) {
        char defaults[32][64], refused[32][64];
        size_t n_defaults = doc_rule_keys("- Booleans:", "except for the keys", defaults, ELEMENTSOF(defaults));
        size_t n_refused = doc_rule_keys("- Keys that take a single value:", "These are", refused,
                                         ELEMENTSOF(refused));
        size_t t_n;
        const ConfigKey *t = config_key_table(&t_n);
        Diagnostics diag = {};
        unsigned wrong = 0;

        for (size_t i = 0; i < n_defaults + n_refused; i++) {
                const char *key = i < n_defaults ? defaults[i] : refused[i - n_defaults];
                bool found = false;

                for (size_t j = 0; j < t_n && !found; j++)
                        found = key_matches(key, t[j].key);
                if (!found) {
                        fprintf(stderr, "cell.unit.5.scd, COMMON RULES: %s= is no key\n", key);
                        wrong++;
                }
        }
        for (size_t i = 0; i < t_n; i++) {
                const ConfigKey *k = t + i;
                bool is_default = key_listed(defaults, n_defaults, k->key);
                bool boolean = k->expected && startswith(k->expected, "a boolean (");  /* not "a boolean, or" */
                bool want = !(boolean || key_listed(refused, n_refused, k->key)) || is_default;
                size_t before = diag.n_errors;
                bool taken;
                CellConfig c;

                cell_config_init(&c);
                ASSERT_OK(config_assign(&c, k->section, k->key, "", "web.cell", 7, &diag));
                taken = diag.n_errors == before;
                cell_config_done(&c);
                if (taken != want)
                        fprintf(stderr, "[%s] %s=: an empty value is %s, but cell.unit.5.scd's COMMON RULES say %s\n",
                                k->section, k->key, taken ? "taken" : "refused", want ? "taken" : "refused");
                else if (is_default && !boolean)
                        fprintf(stderr, "[%s] %s=: no boolean, but cell.unit.5.scd's COMMON RULES name it among "
                                "the booleans whose empty value is the default\n", k->section, k->key);
                else
                        continue;
                wrong++;
        }
        diag_done(&diag);
        ASSERT_EQ(wrong, 0);
}
