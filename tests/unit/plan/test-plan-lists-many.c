/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Units of thousands of lines of the word lists (After= and the other
 * dependencies, Documentation=, SupplementaryGroups=, Address=): the lists
 * a unit of a few lines gets, an empty value still emptying them, and each
 * item named by its own line. How long it takes is tests/bench's to
 * measure, never a pass or fail here. */

#include <stdio.h>

#include "plan-internal.h"
#include "plan-test.h"

#define MANY 3000

TEST(lists_many_lines) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        unsigned line = 1, after_line[MANY];
        FILE *f = open_memstream(&buf, &size);
        CellConfig c;
        Plan p = {};

        ASSERT_NOT_NULL(f);
        fputs("[Unit]\n", f);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "After=gone%u.service\nBefore=b%u.service\n", i, i), line += 2;
        fputs("After=\n", f), line++;
        for (unsigned i = 0; i < MANY; i += 2) {
                fprintf(f, "After=a%u.service a%u.service\n", i, i + 1), line++;
                after_line[i] = after_line[i + 1] = line;
                fprintf(f, "Documentation=man:d%u(1)\nWants=w%u.service\n", i, i), line += 2;
        }
        fputs("[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n", f);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "SupplementaryGroups=%u\n", 1000 + i);
        fputs("[Network]\nVirtualEthernet=yes\n", f);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "Address=10.%u.%u.1/24\nGateway=10.%u.%u.2\n", i / 256, i % 256, i / 256, i % 256);
        ASSERT_EQ(fclose(f), 0);

        config_from_text(&c, "many", buf);
        ASSERT_EQ(strv_length(c.after), (size_t) MANY);
        ASSERT_EQ(strv_length(c.before), (size_t) MANY);
        ASSERT_EQ(strv_length(c.wants), (size_t) MANY / 2);
        ASSERT_EQ(strv_length(c.documentation), (size_t) MANY / 2);
        ASSERT_EQ(strv_length(c.supplementary_groups), (size_t) MANY);
        ASSERT_EQ(strv_length(c.addresses), (size_t) MANY);
        ASSERT_EQ(strv_length(c.gateways), (size_t) MANY);
        for (unsigned i = 0; i < MANY; i++) {
                char want[32];
                const char *file;

                snprintf(want, sizeof want, "a%u.service", i);
                ASSERT_STREQ(c.after[i], want);
                ASSERT_EQ(cell_config_origin(&c, "After", i, &file), after_line[i]);
                snprintf(want, sizeof want, "b%u.service", i);
                ASSERT_STREQ(c.before[i], want);
                ASSERT_EQ(cell_config_origin(&c, "Before", i, &file), 3 + 2 * i);
                snprintf(want, sizeof want, "%u", 1000 + i);
                ASSERT_STREQ(c.supplementary_groups[i], want);
                snprintf(want, sizeof want, "10.%u.%u.1/24", i / 256, i % 256);
                ASSERT_STREQ(c.addresses[i], want);
        }
        for (unsigned i = 0; i < MANY / 2; i++) {
                char want[32];

                snprintf(want, sizeof want, "man:d%u(1)", 2 * i);
                ASSERT_STREQ(c.documentation[i], want);
        }
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(strv_length(p.supplementary_groups), (size_t) MANY);
        ASSERT_EQ(strv_length(p.addresses), (size_t) MANY);
        plan_done(&p);
        cell_config_done(&c);
}

/* Thousands of words on one line: the same list as a line each. */
TEST(words_one_line) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        CellConfig c;

        ASSERT_NOT_NULL(f);
        fputs("[Unit]\nAfter=", f);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, " a%u.service", i);
        fputs("\nDocumentation=", f);
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "\"man:d%u(1)\" ", i);
        fputs("\n[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n", f);
        ASSERT_EQ(fclose(f), 0);

        config_from_text(&c, "many", buf);
        ASSERT_EQ(strv_length(c.after), (size_t) MANY);
        ASSERT_EQ(strv_length(c.documentation), (size_t) MANY);
        for (unsigned i = 0; i < MANY; i++) {
                char want[32];
                const char *file;

                snprintf(want, sizeof want, "a%u.service", i);
                ASSERT_STREQ(c.after[i], want);
                ASSERT_EQ(cell_config_origin(&c, "After", i, &file), 2u);
                snprintf(want, sizeof want, "man:d%u(1)", i);
                ASSERT_STREQ(c.documentation[i], want);
        }
        cell_config_done(&c);
}
