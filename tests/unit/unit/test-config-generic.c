/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-generic.c: the parsers of several sections ([Unit] and
 * [Install]'s strings and names, every boolean key). */
#include "config-assign-test.h"
#include "config-parsers.h"
#include "strv.h"
#include "test.h"

TEST(unit_install) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Unit", "Description", "A web server");
        OK(&c, "Unit", "Description", "Last wins");
        ASSERT_STREQ(c.description, "Last wins");
        OK(&c, "Unit", "Documentation", "man:cell.unit(5) https://example.com/doc");
        ASSERT_EQ(strv_length(c.documentation), 2);
        BAD(&c, "Unit", "Documentation", "example.com", "(\"example.com\" is not one)");
        /* no URL has a blank, quote, backslash or control character (or, as in
         * systemd, a byte beyond ASCII): the generator could not write it as one word */
        BAD_EXACT(&c, "Unit", "Documentation", "\"man:a b\"",
                  "web.cell:7: Documentation=\"man:a b\": expected space-separated URLs "
                  "(http://, https://, file:/, info:, man:) (\"man:a b\" is not one)");
        BAD(&c, "Unit", "Documentation", "\"man:c\\\"d\"", "(bad quoting or escape)");
        BAD(&c, "Unit", "Documentation", "\"man:c'd\"", "is not one");
        BAD(&c, "Unit", "Documentation", "man:c\\\\d", "is not one");
        BAD(&c, "Unit", "Documentation", "https://x/\\ty", "is not one");
        BAD(&c, "Unit", "Documentation", "https://x/\\x7f", "is not one");
        BAD(&c, "Unit", "Documentation", "https://example.com/caf\u00e9", "is not one");
        ASSERT_EQ(strv_length(c.documentation), 2);
        OK(&c, "Unit", "After", "network-online.target");
        OK(&c, "Unit", "After", "a.service b.socket");
        ASSERT_EQ(strv_length(c.after), 3);
        OK(&c, "Unit", "After", "");
        ASSERT_NULL(c.after);
        BAD_EXACT(&c, "Unit", "Wants", "network",
                  "web.cell:7: Wants=network: expected space-separated unit names such as "
                  "\"network-online.target\" (\"network\" is not one)");
        OK(&c, "Unit", "Before", "x.target");
        OK(&c, "Unit", "Requires", "y.service");
        OK(&c, "Unit", "BindsTo", "z.mount");
        OK(&c, "Unit", "PartOf", "p.target");
        OK(&c, "Unit", "Conflicts", "shutdown.target");
        ASSERT_STREQ(c.conflicts[0], "shutdown.target");
        OK(&c, "Install", "WantedBy", "multi-user.target");
        OK(&c, "Install", "RequiredBy", "machines.target");
        OK(&c, "Install", "Alias", "www.service");
        /* an escaped unit name is kept as written, as systemd keeps it: unescaped,
         * "mnt-data\x2d1.mount" (/mnt/data-1) would be "mnt-data-1.mount" (/mnt/data/1) */
        OK(&c, "Unit", "After", "mnt-data\\x2d1.mount dev-disk-by\\x2duuid-1234.device");
        ASSERT_STREQ(c.after[0], "mnt-data\\x2d1.mount");
        ASSERT_STREQ(c.after[1], "dev-disk-by\\x2duuid-1234.device");
        /* [Unit] takes no quotes, as systemd's config_parse_unit_deps() (it ignores
         * After="a.service" as no unit name); [Install] removes them. */
        BAD_EXACT(&c, "Unit", "After", "\"a.service\"",
                  "web.cell:7: After=\"a.service\": expected space-separated unit names such as "
                  "\"network-online.target\" (\"\"a.service\"\" is not one)");
        BAD(&c, "Unit", "Wants", "'b.service'", "(\"'b.service'\" is not one)");
        OK(&c, "Install", "WantedBy", "\"q.target\"");
        ASSERT_STREQ(c.wanted_by[1], "q.target");
        OK(&c, "Unit", "Wants", "mnt-data\\\\x2d1.mount");
        ASSERT_STREQ(c.wants[0], "mnt-data\\\\x2d1.mount");
        OK(&c, "Install", "WantedBy", "a\\x2db.target");
        ASSERT_STREQ(c.wanted_by[2], "a\\x2db.target");
        OK(&c, "Install", "Alias", "www@w\\x2d1.service");
        ASSERT_STREQ(c.alias[1], "www@w\\x2d1.service");
        BAD(&c, "Unit", "After", "a.service\\", "(\"a.service\\\" is not one)");
        /* Another cell is named by its service: the refusal says which. */
        BAD(&c, "Unit", "After", "a.service db.cell", "(\"db.cell\" is not one: the cell \"db\" runs as "
            "\"cell@db.service\")");
        BAD(&c, "Unit", "Wants", "worker@3.cell", "the cell \"worker@3\" runs as \"cell@worker@3.service\"");
        BAD(&c, "Install", "WantedBy", "x.cell", "the cell \"x\" runs as \"cell@x.service\"");
        BAD_EXACT(&c, "Unit", "After", "worker@.cell",
                  "web.cell:7: After=worker@.cell: expected space-separated unit names such as "
                  "\"network-online.target\" (\"worker@.cell\" is not one)");
        BAD_EXACT(&c, "Unit", "After", ".cell",
                  "web.cell:7: After=.cell: expected space-separated unit names such as "
                  "\"network-online.target\" (\".cell\" is not one)");
        /* A template is no unit to depend on (systemd refuses the scope's
         * start for it); [Install]'s WantedBy= of one is systemd's own. */
        BAD_EXACT(&c, "Unit", "After", "a.service foo@.service",
                  "web.cell:7: After=a.service foo@.service: expected a unit, not the template \"foo@.service\": "
                  "name one of its instances (\"foo@NAME.service\")");
        BAD(&c, "Unit", "Requires", "db@.service", "not the template \"db@.service\"");
        OK(&c, "Unit", "Requires", "db@main.service");
        ASSERT_STREQ(c.requires[strv_length(c.requires) - 1], "db@main.service");
        OK(&c, "Install", "WantedBy", "getty@.service");
        OK(&c, "Install", "DefaultInstance", "1");
        ASSERT_STREQ(c.default_instance, "1");
        BAD(&c, "Install", "DefaultInstance", "a b", "expected an instance name");
        OK(&c, "Install", "DefaultInstance", "");
        ASSERT_NULL(c.default_instance);
        cell_config_done(&c);
        diag_done(&diag);
}

/* Every boolean key: systemd's (config_parse_bool()) ignore an empty value
 * and keep the earlier one, so cell refuses it and keeps the value; nspawn's
 * settings' (config_parse_tristate()) take it for the default. */
TEST(bool_empty_value) {
        size_t n, strict = 0, tristate = 0;
        const ConfigKey *t = config_key_table(&n);

        for (size_t i = 0; i < n; i++) {
                bool *b;
                CellConfig c;

                if (t[i].parse != config_parse_bool && t[i].parse != config_parse_tristate)
                        continue;
                cell_config_init(&c);
                b = (bool *) ((uint8_t *) &c + t[i].offset);
                OK(&c, t[i].section, t[i].key, t[i].ltype ? "no" : "yes");
                ASSERT_EQ(*b, !t[i].ltype);
                if (t[i].parse == config_parse_bool) {
                        BAD(&c, t[i].section, t[i].key, "", "an empty value resets nothing, as in systemd");
                        ASSERT_EQ(*b, !t[i].ltype);
                        strict++;
                } else {
                        OK(&c, t[i].section, t[i].key, "");
                        ASSERT_EQ(*b, (bool) t[i].ltype);
                        tristate++;
                }
                cell_config_done(&c);
        }
        /* LockPersonality=, MemoryDenyWriteExecute=, ... and ReadOnly=, NotifyReady=, ... */
        ASSERT_TRUE(strict >= 10);
        ASSERT_EQ(tristate, 6u);
        diag_done(&diag);
}
