/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unit_load() of aliases: symlinks between unit files, of templates and
 * instances, linked units, and the links systemd ignores. */

#include "unit-tree.h"

/* A symlink within the search path is an alias (systemd 252's
 * unit_file_build_name_map()): the unit is the target's, called after it,
 * and the drop-ins of both names apply, the unit's own first. */
TEST(alias_is_the_targets_unit) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *nginx = NULL, *own = NULL, *alias = NULL, *web = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        nginx = WRITE_PATH(&t, "usr/nginx.cell", VALID "[Unit]\nDescription=%n %N %p\n");
        own = WRITE_PATH(&t, "usr/nginx.cell.d/10-same.conf", "[Unit]\nDocumentation=man:own(1)\n");
        WRITE(&t, "etc/web.cell.d/10-same.conf", "[Unit]\nDocumentation=man:hidden(1)\n");
        alias = WRITE_PATH(&t, "etc/web.cell.d/20-alias.conf", "[Unit]\nDescription=%n via alias\n");
        tree_symlink(&t, "etc/web.cell", "../usr/nginx.cell");
        web = tree_path(&t, "etc/web.cell");

        /* Whichever name is asked for, one unit: nginx. */
        for (const char * const *n = (const char * const[]) { "web", "nginx", web, NULL }; *n; n++) {
                ASSERT_OK(tree_load(&t, *n, &c, &d));
                dump(&d);
                ASSERT_EQ(d.n_errors + d.n_warnings, 0);
                ASSERT_STREQ(c.name, "nginx");
                ASSERT_STREQ(c.path, *n == web ? web : nginx);
                ASSERT_STREQ(c.description, "nginx.cell via alias");
                ASSERT_EQ(strv_length(c.dropin_paths), 2);
                /* The unit's own name's drop-in beats the alias's, though in a
                 * lower directory (systemd: own name first, then aliases). */
                ASSERT_STREQ(c.dropin_paths[0], own);
                ASSERT_STREQ(c.dropin_paths[1], alias);
                cell_config_done(&c);
        }
        diag_done(&d);
        tree_done(&t);
}

/* A symlink out of the search path is a linked unit file: the unit is
 * called after the link (systemd's "linked unit file"), whatever the target's
 * name; so is one into a subdirectory of a search directory (systemd: a
 * "suspicious" alias by file name). */
TEST(linked_unit_keeps_the_links_name) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *target = NULL, *link = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        target = WRITE_PATH(&t, "srv/units/nginx.cell", VALID "[Unit]\nDescription=%n\n");
        WRITE(&t, "etc/web.cell.d/10-web.conf", "[Unit]\nDocumentation=man:web(1)\n");
        WRITE(&t, "usr/sub/deep.cell", VALID "[Unit]\nDescription=%n\n");
        tree_symlink(&t, "etc/web.cell", target);
        tree_symlink(&t, "etc/sus.cell", "../usr/sub/deep.cell");
        link = tree_path(&t, "etc/web.cell");

        ASSERT_OK(tree_load(&t, "web", &c, &d));
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        ASSERT_STREQ(c.name, "web");
        ASSERT_STREQ(c.path, link);
        ASSERT_STREQ(c.description, "web.cell");
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        cell_config_done(&c);

        ASSERT_OK(tree_load(&t, "sus", &c, &d));
        ASSERT_STREQ(c.name, "sus");
        ASSERT_STREQ(c.description, "sus.cell");
        diag_done(&d);
        tree_done(&t);
}

/* Templates and instances, as systemd: bar@.cell -> foo@.cell makes bar@N
 * the unit foo@N, with bar@.cell.d/ applied; baz@7.cell -> foo@.cell is
 * foo@7 under another name, and no other instance of baz. */
TEST(template_and_instance_aliases) {
        _cleanup_(cell_config_done) CellConfig c = {};
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "usr/foo@.cell", VALID "[Unit]\nDescription=%n %i %p\n");
        WRITE(&t, "etc/bar@.cell.d/10-bar.conf", "[Unit]\nDocumentation=man:bar(1)\n");
        WRITE(&t, "etc/baz@7.cell.d/10-baz.conf", "[Unit]\nDocumentation=man:baz(7)\n");
        tree_symlink(&t, "etc/bar@.cell", "foo@.cell");   /* a name: found in usr/ */
        tree_symlink(&t, "etc/baz@7.cell", "foo@.cell");

        ASSERT_OK(tree_load(&t, "bar@1", &c, &d));
        dump(&d);
        ASSERT_STREQ(c.name, "foo@1");
        ASSERT_STREQ(c.description, "foo@1.cell 1 foo");
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_CONTAINS(c.dropin_paths[0], "/etc/bar@.cell.d/10-bar.conf");
        cell_config_done(&c);

        /* foo@7 has both the template alias and the instance alias. */
        ASSERT_OK(tree_load(&t, "baz@7", &c, &d));
        ASSERT_STREQ(c.name, "foo@7");
        ASSERT_EQ(strv_length(c.dropin_paths), 2);
        cell_config_done(&c);
        ASSERT_OK(tree_load(&t, "foo@7", &c, &d));
        ASSERT_EQ(strv_length(c.dropin_paths), 2);
        cell_config_done(&c);

        ASSERT_ERROR(tree_load(&t, "baz@8", &c, &d), ENOENT);
        ASSERT_EQ(d.n_errors, 1);
        cell_config_done(&c);
        diag_done(&d);

        /* A bare template is checked as an instance of the unit's template. */
        ASSERT_OK(tree_load(&t, "bar@", &c, &d));
        ASSERT_STREQ(c.name, "foo@i");
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        diag_done(&d);
        tree_done(&t);
}

/* cell exec reloads the file a cell runs from with --name set to the cell's
 * name: when that is the unit's own name, the drop-ins of its aliases apply
 * as they did for cell run (the payload's environment, identity and
 * capabilities are the plan's); only another name drops them. */
TEST(name_option_of_the_units_own_name_keeps_its_aliases) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *nginx = NULL, *foo = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        nginx = WRITE_PATH(&t, "usr/nginx.cell", VALID "[Unit]\nDescription=%n\n");
        WRITE(&t, "etc/web.cell.d/20-alias.conf", "[Unit]\nDescription=%n via alias\n");
        tree_symlink(&t, "etc/web.cell", "nginx.cell");
        foo = WRITE_PATH(&t, "usr/foo@.cell", VALID "[Unit]\nDescription=%n\n");
        WRITE(&t, "etc/bar@.cell.d/20-alias.conf", "[Unit]\nDescription=%n via alias\n");
        tree_symlink(&t, "etc/bar@.cell", "foo@.cell");

        for (const char * const *n = (const char * const[]) { "nginx", nginx, "foo@7", foo, NULL }; *n; n += 2) {
                _cleanup_free_ char *want = NULL;
                UnitLoadOptions o = { .name = n[0], .search_path = t.search_path };

                ASSERT_TRUE(asprintf(&want, "%s.cell via alias", n[0]) > 0);
                ASSERT_OK(unit_load(n[1], &o, &c, &d));
                dump(&d);
                ASSERT_STREQ(c.name, n[0]);
                ASSERT_STREQ(c.description, want);
                ASSERT_EQ(strv_length(c.dropin_paths), 1);
                cell_config_done(&c);
                /* The same by name. */
                ASSERT_OK(unit_load(n[0], &o, &c, &d));
                ASSERT_STREQ(c.description, want);
                cell_config_done(&c);
        }
        /* Another name: that name's drop-ins only. */
        ASSERT_OK(unit_load(nginx, &(UnitLoadOptions) { .name = "other", .search_path = t.search_path }, &c, &d));
        ASSERT_STREQ(c.name, "other");
        ASSERT_STREQ(c.description, "other.cell");
        ASSERT_EQ(strv_length(c.dropin_paths), 0);
        cell_config_done(&c);
        ASSERT_OK(unit_load(foo, &(UnitLoadOptions) { .name = "bar@7", .search_path = t.search_path }, &c, &d));
        ASSERT_STREQ(c.description, "bar@7.cell via alias");
        cell_config_done(&c);
        ASSERT_OK(unit_load(foo, &(UnitLoadOptions) { .name = "zed@7", .search_path = t.search_path }, &c, &d));
        ASSERT_STREQ(c.description, "zed@7.cell");
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        diag_done(&d);
        tree_done(&t);
}

/* Links systemd ignores do not hide lower copies (an alias between kinds of
 * name, a link to its own name; one to itself is said); an alias whose unit is missing does, and is
 * an error; so is a loop; an alias of a masked unit is masked. */
TEST(ignored_dangling_and_looping_aliases) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *bad = NULL, *self = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "usr/foo@.cell", VALID);
        bad = WRITE_PATH(&t, "usr/bad.cell", VALID);
        self = WRITE_PATH(&t, "usr/self.cell", VALID);
        WRITE(&t, "usr/dang.cell", VALID);
        WRITE(&t, "etc/.keep", "");
        tree_symlink(&t, "etc/bad.cell", "foo@.cell");
        tree_symlink(&t, "etc/self.cell", "../usr/self.cell");
        tree_symlink(&t, "etc/dang.cell", "gone.cell");
        tree_symlink(&t, "etc/l1.cell", "l2.cell");
        tree_symlink(&t, "etc/l2.cell", "l1.cell");
        tree_symlink(&t, "etc/m.cell", "/dev/null");
        tree_symlink(&t, "etc/malias.cell", "m.cell");
        tree_symlink(&t, "etc/itself.cell", "itself.cell");

        ASSERT_OK(tree_load(&t, "bad", &c, &d));
        ASSERT_STREQ(c.path, bad);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 1);
        ASSERT_CONTAINS(d.messages[0], "etc/bad.cell: a symlink to foo@.cell, which is no valid alias");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_OK(tree_load(&t, "self", &c, &d));
        ASSERT_STREQ(c.path, self);
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        cell_config_done(&c);

        /* A link to itself is no unit either, and says why. */
        ASSERT_ERROR(tree_load(&t, "itself", &c, &d), ENOENT);
        ASSERT_EQ(d.n_warnings, 1);
        ASSERT_CONTAINS(d.messages[0], "etc/itself.cell: a symlink to itself: ignored, as systemd does");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_ERROR(tree_load(&t, "dang", &c, &d), ENXIO);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "etc/dang.cell: dang is an alias of gone, which is no unit");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_ERROR(tree_load(&t, "l1", &c, &d), ELOOP);
        ASSERT_CONTAINS(d.messages[0], "too many levels of aliases");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_ERROR(tree_load(&t, "malias", &c, &d), EINVAL);
        ASSERT_CONTAINS(d.messages[0], "unit m is masked");
        diag_done(&d);
        tree_done(&t);
}
