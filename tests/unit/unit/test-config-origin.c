/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config.c: cell_config_origin(), the FILE:LINE a check across keys
 * names. Over many records it looks them up in an index built once, not by
 * walking all records at each call: 20,000 refused Gateway= lines, each
 * message looking for its line, were quadratic (0.9 s of "cell verify").
 * What it finds must stay what cell_origin_find()'s walk finds. */
#include <stdio.h>
#include <stdlib.h>

#include "config-assign-test.h"
#include "test.h"

/* cell_config_origin() for every key of keys[] and item up to max_item,
 * against the walk. */
static void origin_matches_walk(const CellConfig *c, const char *const *keys, size_t n_keys, size_t max_item) {
        for (size_t k = 0; k < n_keys; k++)
                for (size_t item = 0; item <= max_item; item++) {
                        const CellOrigin *o = cell_origin_find(c->origins, c->n_origins, keys[k], item);
                        const char *file = NULL;
                        unsigned line = cell_config_origin(c, keys[k], item, &file);

                        if (line != (o ? o->line : 0) || file != (o && o->file ? o->file : c->path)) {
                                fprintf(stderr, "%s item %zu: line %u, the walk's %u\n", keys[k], item, line,
                                        o ? o->line : 0);
                                ASSERT_TRUE(false);
                        }
                }
}

/* Lines as a unit and its drop-ins write them: keys of one value written
 * again, counted lists, a reset, over more records than the walk is kept for. */
TEST(parsed) {
        static const char *const keys[] = { "Gateway", "SupplementaryGroups", "User", "TasksMax",
                                            "EnvironmentFile", "Address", "Nope" };
        CellConfig c;
        char value[64], file[32];

        cell_config_init(&c);
        c.path = strdup("web.cell");
        ASSERT_NOT_NULL(c.path);
        ASSERT_NULL(assign_at(&c, "Network", "VirtualEthernet", "yes", "web.cell", 1));
        for (unsigned i = 0; i < 300; i++) {
                const char *f = i % 3 == 0 ? "web.cell" : (snprintf(file, sizeof file, "web.cell.d/%u.conf", i % 7),
                                                           file);

                (void) snprintf(value, sizeof value, "10.%u.%u.1", i / 256, i % 256);
                ASSERT_NULL(assign_at(&c, "Network", "Gateway", value, f, 10 + i));
                if (i % 5 == 0) {
                        (void) snprintf(value, sizeof value, "g%u h%u", i, i);
                        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", value, f, 1000 + i));
                }
                if (i % 11 == 0)
                        ASSERT_NULL(assign_at(&c, "Exec", "User", i % 2 ? "nobody" : "daemon", f, 2000 + i));
                if (i % 13 == 0) {
                        (void) snprintf(value, sizeof value, "%u", i + 1);
                        ASSERT_NULL(assign_at(&c, "Limits", "TasksMax", value, f, 3000 + i));
                }
                if (i == 150)   /* the reset: the list's records start again */
                        ASSERT_NULL(assign_at(&c, "Exec", "SupplementaryGroups", "", f, 1000 + i));
        }
        ASSERT_TRUE(c.n_origins > 300);
        origin_matches_walk(&c, keys, ELEMENTSOF(keys), 700);

        /* Built once, kept while nothing changes. */
        CellOriginIndex *ix = c.origins_index;
        ASSERT_NOT_NULL(ix);
        origin_matches_walk(&c, keys, ELEMENTSOF(keys), 10);
        ASSERT_TRUE(c.origins_index == ix);

        /* A line more changes the records: the index is dropped, and what
         * is found is the new line's. */
        ASSERT_NULL(assign_at(&c, "Exec", "User", "root", "web.cell.d/99.conf", 5));
        ASSERT_NULL(c.origins_index);
        const char *f = NULL;
        ASSERT_EQ(cell_config_origin(&c, "User", 0, &f), 5);
        ASSERT_STREQ(f, "web.cell.d/99.conf");
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "", "web.cell.d/99.conf", 6));
        ASSERT_EQ(cell_config_origin(&c, "Gateway", 0, &f), 0);
        ASSERT_STREQ(f, "web.cell");
        origin_matches_walk(&c, keys, ELEMENTSOF(keys), 400);
        cell_config_done(&c);
        ASSERT_NULL(c.origins_index);
}

/* Records made by hand, as no parser makes them: counts that go down, a key
 * with counted records and others, keys interleaved. */
TEST(by_hand) {
        static const char *const keys[] = { "A", "B", "C", "D", "E" };
        static const size_t b_items[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
        CellConfig c;

        cell_config_init(&c);
        c.n_origins = 200;
        c.origins = calloc(c.n_origins, sizeof(CellOrigin));
        ASSERT_NOT_NULL(c.origins);
        for (size_t i = 0; i < c.n_origins; i++) {
                CellOrigin *o = c.origins + i;

                o->line = (unsigned) i + 1;
                switch (i % 5) {
                case 0:         /* counted, ascending */
                        *o = (CellOrigin) { .key = "A", .line = o->line, .items = i / 5 + 1 };
                        break;
                case 1:         /* counted, up and down */
                        *o = (CellOrigin) { .key = "B", .line = o->line, .items = b_items[(i / 5) % 8] };
                        break;
                case 2:         /* counted and not, mixed */
                        *o = (CellOrigin) { .key = "C", .line = o->line, .items = (i / 5) % 3 == 0 ? 0 : i / 5 };
                        break;
                case 3:         /* of one value */
                        *o = (CellOrigin) { .key = "D", .line = o->line };
                        break;
                default:        /* counted, all of one count */
                        *o = (CellOrigin) { .key = "E", .line = o->line, .items = 2 };
                        break;
                }
        }
        origin_matches_walk(&c, keys, ELEMENTSOF(keys), 60);
        const char *f = NULL;
        ASSERT_EQ(cell_config_origin(&c, NULL, 0, &f), 0);
        ASSERT_EQ(cell_config_origin(&c, "", 0, &f), 0);
        cell_config_done(&c);
}

/* The line of each of 20,000 Gateway= lines, from one index built at the
 * first lookup and kept through the rest (the walk for each was quadratic:
 * 0.9 s). Kept means the same index; a change of the records drops it. */
TEST(linear) {
        const size_t n = 20000;
        const CellOriginIndex *ix = NULL;
        CellConfig c;
        char value[32];

        cell_config_init(&c);
        c.path = strdup("web.cell");
        ASSERT_NOT_NULL(c.path);
        for (size_t i = 0; i < n; i++) {
                (void) snprintf(value, sizeof value, "10.%zu.%zu.1", i / 256 % 256, i % 256);
                ASSERT_NULL(assign_at(&c, "Network", "Gateway", value, "web.cell", 10 + i));
        }

        ASSERT_NULL(c.origins_index);
        for (size_t i = 0; i < n; i++) {
                const char *f = NULL;

                ASSERT_EQ(cell_config_origin(&c, "Gateway", n - 1 - i, &f), 10 + n - 1 - i);
                ASSERT_STREQ(f, "web.cell");
                if (i == 0)
                        ix = c.origins_index;
                ASSERT_NOT_NULL(c.origins_index);
                ASSERT_TRUE(c.origins_index == ix);
        }
        ASSERT_NULL(assign_at(&c, "Network", "Gateway", "10.255.255.1", "web.cell", 10 + n));
        ASSERT_NULL(c.origins_index);
        cell_config_done(&c);
}
