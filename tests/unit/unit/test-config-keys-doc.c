/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The key table of config-parse.c against cell.unit(5): every key the
 * parser knows is documented in its section's list, and every key the
 * page lists there is one the parser knows, in that section. A key added to
 * one side only fails here, naming it. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-parsers.h"
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

/* The keys cell.unit(5) defines: in each "# [Section] SECTION", the terms
 * of its definition list (a line of scdoc that the tab-indented text of
 * its definition follows), "*After=*, *Before=*, ..._unit..._" naming
 * several. Keys named in running text are mentions, not definitions. */
static void doc_load(void) {
        _cleanup_free_ char *path = NULL;
        char section[32] = "", prev[4096] = "", buf[4096];
        const char *dir = getenv("CELL_MAN_DIR");
        unsigned line = 0;
        FILE *f;

        ASSERT_NOT_NULL(dir);
        ASSERT_TRUE(asprintf(&path, "%s/cell.unit.5.scd", dir) >= 0);
        f = fopen(path, "re");
        if (!f)
                TEST_FAIL("%s: %s", path, strerror(errno));
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
