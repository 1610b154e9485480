/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unit_load() and drop-ins: dangling and masked ones, and those not
 * installed yet ("cell verify --drop-in"). */

#include "unit-tree.h"

/* systemd skips a drop-in that is a symlink leading nowhere (config_parse()
 * finds nothing to open: debug level), and the unit loads; the link still
 * hides a drop-in of its name in a lower-priority directory, as any drop-in
 * does (conf_files_list_strv() lists it without looking at it). */
TEST(dangling_dropin_skipped) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *ok = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/web.cell", VALID);
        WRITE(&t, "usr/web.cell.d/10-gone.conf", "[Unit]\nDescription=hidden\n");
        ok = WRITE_PATH(&t, "etc/web.cell.d/20-ok.conf", "[Unit]\nDocumentation=man:ok(1)\n");
        tree_symlink(&t, "etc/web.cell.d/10-gone.conf", "/nonexistent/10-gone.conf");
        ASSERT_OK(tree_load(&t, "web", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 1);
        ASSERT_CONTAINS(d.messages[0],
                        "etc/web.cell.d/10-gone.conf: warning: drop-in is a symlink that leads nowhere, skipped");
        /* Not applied, not listed; the lower one stays hidden. */
        ASSERT_NULL(c.description);
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_STREQ(c.dropin_paths[0], ok);
        diag_done(&d);
        tree_done(&t);
}

/* A drop-in that is a symlink to /dev/null masks the drop-ins of its name
 * in lower-priority directories and is not itself among those applied: as
 * systemd's DropInPaths, and as a dangling one (above), with no warning. */
TEST(masked_dropin_not_listed) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *ok = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/web.cell", VALID);
        WRITE(&t, "usr/web.cell.d/10-x.conf", "[Unit]\nDescription=masked\n");
        ok = WRITE_PATH(&t, "etc/web.cell.d/20-ok.conf", "[Unit]\nDocumentation=man:ok(1)\n");
        tree_symlink(&t, "etc/web.cell.d/10-x.conf", "/dev/null");
        ASSERT_OK(tree_load(&t, "web", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        ASSERT_NULL(c.description);
        ASSERT_EQ(strv_length(c.documentation), 1);
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_STREQ(c.dropin_paths[0], ok);
        diag_done(&d);
        tree_done(&t);
}

/* A drop-in name that is a symbolic link to a directory (or a directory):
 * systemd 252 reads nothing from it, without a word, and it hides the
 * drop-in of its name in a lower-priority directory; the unit loads. cell
 * reported "Is a directory" and failed. */
TEST(dropin_link_to_a_directory_adds_nothing) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *ok = NULL, *dir = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/web.cell", VALID);
        WRITE(&t, "usr/web.cell.d/10-x.conf", "[Unit]\nDescription=hidden\n");
        ok = WRITE_PATH(&t, "etc/web.cell.d/20-ok.conf", "[Unit]\nDocumentation=man:ok(1)\n");
        WRITE(&t, "elsewhere/file", "");
        dir = tree_path(&t, "elsewhere");
        tree_symlink(&t, "etc/web.cell.d/10-x.conf", dir);
        ASSERT_OK(tree_load(&t, "web", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        ASSERT_NULL(c.description);
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_STREQ(c.dropin_paths[0], ok);
        diag_done(&d);
        tree_done(&t);
}

/* unit_load() of name with drop-ins not installed ("cell verify --drop-in"). */
static int tree_load_extra(Tree *t, const char *name, const UnitExtraDropin *extra, size_t n, CellConfig *c,
                           Diagnostics *d) {
        return unit_load(name, &(UnitLoadOptions) { .search_path = t->search_path, .extra_dropins = extra,
                                                    .n_extra_dropins = n }, c, d);
}

/* A drop-in not installed is read as an installed one: after them, or in
 * place of the one of its name; its problems at its own FILE:LINE, also
 * those it makes only with the unit. */
TEST(extra_dropins) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *x = NULL, *bad = NULL, *mv = NULL, *installed = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/web.cell", VALID "[Isolation]\nPrivateNetwork=no\n");
        installed = WRITE_PATH(&t, "etc/web.cell.d/mem.conf", "[Unit]\nDescription=installed\n");
        x = WRITE_PATH(&t, "tmp/ansible.x", "[Unit]\nDescription=extra\n");

        ASSERT_OK(tree_load_extra(&t, "web", (const UnitExtraDropin[]) { { x, NULL } }, 1, &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        ASSERT_STREQ(c.description, "extra");
        ASSERT_EQ(strv_length(c.dropin_paths), 2);
        ASSERT_STREQ(c.dropin_paths[0], installed);
        ASSERT_STREQ(c.dropin_paths[1], x);
        cell_config_done(&c);

        /* As mem.conf: the installed one is not applied. */
        WRITE(&t, "etc/web.cell.d/zz.conf", "[Unit]\nDocumentation=man:zz(1)\n");
        ASSERT_OK(tree_load_extra(&t, "web", (const UnitExtraDropin[]) { { x, "mem.conf" } }, 1, &c, &d));
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        ASSERT_STREQ(c.description, "extra");
        ASSERT_EQ(strv_length(c.dropin_paths), 2);
        ASSERT_STREQ(c.dropin_paths[0], x);
        ASSERT_EQ(strv_length(c.documentation), 1);
        cell_config_done(&c);

        bad = WRITE_PATH(&t, "tmp/ansible.bad", "[Unit]\nDescription=x\nBogus=1\n");
        ASSERT_ERROR(tree_load_extra(&t, "web", (const UnitExtraDropin[]) { { bad, NULL } }, 1, &c, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "tmp/ansible.bad:3: unknown key \"Bogus\"");
        diag_done(&d);
        cell_config_done(&c);

        mv = WRITE_PATH(&t, "tmp/ansible.mv", "[Network]\nMACVLAN=eth0\n");
        ASSERT_ERROR(tree_load_extra(&t, "web", (const UnitExtraDropin[]) { { mv, NULL } }, 1, &c, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "tmp/ansible.mv:2: MACVLAN= needs PrivateNetwork=yes");
        diag_done(&d);
        tree_done(&t);
}

/* An empty one is a masked drop-in, as an installed one would be: it adds
 * nothing (as mem.conf, it hides the installed mem.conf), said in a warning.
 * One that is not there is no dangling symlink to skip: an error. */
TEST(extra_dropin_empty_or_missing) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *empty = NULL, *gone = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/web.cell", VALID);
        WRITE(&t, "etc/web.cell.d/mem.conf", "[Unit]\nDescription=installed\n");
        empty = WRITE_PATH(&t, "tmp/ansible.empty", "");

        ASSERT_OK(tree_load_extra(&t, "web", (const UnitExtraDropin[]) { { empty, "mem.conf" } }, 1, &c, &d));
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 1);
        ASSERT_CONTAINS(d.messages[0], "tmp/ansible.empty: warning: drop-in is masked (an empty file): it adds "
                        "nothing, and as mem.conf it hides");
        ASSERT_NULL(c.description);
        ASSERT_EQ(strv_length(c.dropin_paths), 0);
        diag_done(&d);
        cell_config_done(&c);

        ASSERT_OK(tree_load_extra(&t, "web", (const UnitExtraDropin[]) { { empty, NULL } }, 1, &c, &d));
        ASSERT_EQ(d.n_warnings, 1);
        ASSERT_STREQ(c.description, "installed");
        diag_done(&d);
        cell_config_done(&c);

        gone = tree_path(&t, "tmp/ansible.gone");
        ASSERT_ERROR(tree_load_extra(&t, "web", (const UnitExtraDropin[]) { { gone, NULL } }, 1, &c, &d), ENOENT);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "tmp/ansible.gone: No such file or directory");
        diag_done(&d);
        cell_config_done(&c);

        ASSERT_ERROR(tree_load_extra(&t, "web", (const UnitExtraDropin[]) { { empty, ".x.conf" } }, 1, &c, &d),
                     EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "\".x.conf\" is no drop-in name");
        diag_done(&d);
        tree_done(&t);
}

/* A bare template is checked as its DefaultInstance=, which a drop-in not
 * installed may set as an installed one may. */
TEST(extra_dropin_of_template) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *inst = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/pin@.cell", VALID "[Unit]\nDescription=%i\n");
        inst = WRITE_PATH(&t, "tmp/ansible.inst", "[Install]\nDefaultInstance=7\n");
        ASSERT_OK(tree_load_extra(&t, "pin@", (const UnitExtraDropin[]) { { inst, NULL } }, 1, &c, &d));
        dump(&d);
        ASSERT_STREQ(c.name, "pin@7");
        ASSERT_STREQ(c.description, "7");
        diag_done(&d);
        tree_done(&t);
}
