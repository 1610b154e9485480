/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unit_load() of a file that stands in for an installed unit: what
 * Ansible's "validate: cell verify --name web %s" checks, a temporary copy
 * (/tmp/tmpk2f9x) of what will be installed as web.cell. */

#include "unit-tree.h"

/* The installed unit's aliases are its names: their drop-ins apply to
 * web once the copy is installed (cell.syntax(7), ALIASES: "the drop-ins
 * of every name apply"), so they apply to the copy. They were left out:
 * "cell verify --name web" accepted a unit that www.cell.d/ made invalid
 * once installed. */
TEST(stand_in_gets_the_installed_units_alias_dropins) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *alias_dropin = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "usr/web.cell", VALID);
        alias_dropin = WRITE_PATH(&t, "etc/www.cell.d/50-mem.conf", "[Limits]\nMemoryMax=lots\n");
        tree_symlink(&t, "etc/www.cell", "web.cell");
        p = WRITE_PATH(&t, "tmp/tmpk2f9x", VALID "[Unit]\nDescription=%n\n");

        /* Installed, by name: the alias's drop-in is read. */
        ASSERT_ERROR(tree_load(&t, "web", &c, &d), EINVAL);
        dump(&d);
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_STREQ(c.dropin_paths[0], alias_dropin);
        ASSERT_EQ(d.n_errors, 1);       /* MemoryMax=lots */
        cell_config_done(&c);
        diag_done(&d);

        /* The copy, as web: the same. */
        ASSERT_ERROR(unit_load(p, &(UnitLoadOptions) { .name = "web", .search_path = t.search_path }, &c, &d),
                     EINVAL);
        dump(&d);
        ASSERT_STREQ(c.name, "web");
        ASSERT_STREQ(c.description, "web.cell");
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_STREQ(c.dropin_paths[0], alias_dropin);
        ASSERT_EQ(d.n_errors, 1);
        cell_config_done(&c);
        diag_done(&d);

        /* As www, an alias: installed as www.cell, the copy would replace
         * the link and be a unit of its own, with www's drop-ins only. */
        ASSERT_ERROR(unit_load(p, &(UnitLoadOptions) { .name = "www", .search_path = t.search_path }, &c, &d),
                     EINVAL);
        ASSERT_STREQ(c.name, "www");
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        cell_config_done(&c);
        diag_done(&d);

        /* As a unit not installed: its own name's drop-ins, none here. */
        ASSERT_OK(unit_load(p, &(UnitLoadOptions) { .name = "new", .search_path = t.search_path }, &c, &d));
        ASSERT_STREQ(c.name, "new");
        ASSERT_EQ(strv_length(c.dropin_paths), 0);
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        diag_done(&d);
        tree_done(&t);
}

/* The same for an instance of an installed template: the copy of
 * worker@.cell checked as worker@3 gets the drop-ins of the template's
 * alias for that instance (job@3.cell.d/). */
TEST(stand_in_instance_gets_the_template_alias_dropins) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *alias_dropin = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "usr/worker@.cell", VALID);
        alias_dropin = WRITE_PATH(&t, "etc/job@3.cell.d/50-env.conf", "[Exec]\nEnvironment=JOB=%i\n");
        tree_symlink(&t, "etc/job@.cell", "worker@.cell");
        p = WRITE_PATH(&t, "tmp/tmpk2f9x", VALID);

        ASSERT_OK(unit_load(p, &(UnitLoadOptions) { .name = "worker@3", .search_path = t.search_path }, &c, &d));
        dump(&d);
        ASSERT_STREQ(c.name, "worker@3");
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_STREQ(c.dropin_paths[0], alias_dropin);
        ASSERT_TRUE(strv_contains(c.environment, "JOB=3"));
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        diag_done(&d);
        tree_done(&t);
}
