/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unit_load() of a unit given as a path in a staging directory, with its
 * drop-ins beside it: what a deploy script checks with "cell verify
 * /tmp/stage/web.cell" before it copies the lot into /etc/cell. The
 * drop-ins read, and their order, are those systemd-analyze verify 252
 * reads for /tmp/stage/web.service (tried: its unit path is the file's
 * directory, then the usual one). */

#include "unit-tree.h"

/* Each drop-in sets Environment=NAME=1: the order they were applied in. */
#define ENV(n) "[Exec]\nEnvironment=" n "=1\n"

static void assert_env(const CellConfig *c, const char * const *want, size_t n) {
        ASSERT_EQ(strv_length(c->environment), n);
        for (size_t i = 0; i < n; i++)
                ASSERT_STREQ(c->environment[i], want[i]);
}

/* stage/web.cell.d/ and stage/cell.d/ first, then the search path's; one
 * file name read from the first directory that has it; all of them in
 * file name order. */
TEST(staged_unit_reads_its_directory_first) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "stage/web.cell", VALID);
        WRITE(&t, "stage/web.cell.d/a.conf", ENV("STAGE_A"));
        WRITE(&t, "stage/cell.d/b.conf", ENV("STAGE_TYPE_B"));
        WRITE(&t, "etc/web.cell.d/a.conf", ENV("ETC_A"));       /* hidden by the staged a.conf */
        WRITE(&t, "etc/web.cell.d/c.conf", ENV("ETC_C"));
        WRITE(&t, "usr/cell.d/d.conf", ENV("USR_TYPE_D"));
        WRITE(&t, "etc/web.cell", VALID "[Exec]\nEnvironment=INSTALLED=1\n");   /* not read: a path is its file */
        ASSERT_OK(tree_load(&t, p, &c, &d));
        dump(&d);
        ASSERT_STREQ(c.name, "web");
        ASSERT_STREQ(c.path, p);
        assert_env(&c, (const char * const[]) { "STAGE_A=1", "STAGE_TYPE_B=1", "ETC_C=1", "USR_TYPE_D=1" }, 4);
        ASSERT_EQ(d.n_messages, 0);
        diag_done(&d);
        tree_done(&t);
}

/* A staged template is checked as an instance, with its template's
 * drop-ins beside it and in the search path: the instance "i", as
 * systemd-analyze verify 252 checks foo@.service as foo@i.service, with
 * foo@i.service.d/ (tried; it was test_instance here). */
TEST(staged_template_reads_its_template_dropins) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "stage/worker@.cell", VALID);
        WRITE(&t, "stage/worker@.cell.d/a.conf", ENV("STAGE_TEMPLATE_A"));
        WRITE(&t, "etc/worker@.cell.d/b.conf", ENV("ETC_TEMPLATE_B"));
        WRITE(&t, "stage/worker@i.cell.d/c.conf", ENV("STAGE_I_C"));
        WRITE(&t, "stage/worker@test_instance.cell.d/c.conf", ENV("TEST_INSTANCE"));
        ASSERT_OK(tree_load(&t, p, &c, &d));
        dump(&d);
        ASSERT_STREQ(c.name, "worker@i");
        assert_env(&c, (const char * const[]) { "STAGE_TEMPLATE_A=1", "ETC_TEMPLATE_B=1", "STAGE_I_C=1" }, 3);
        diag_done(&d);
        tree_done(&t);
}

/* stage/worker@3.cell, which is no file: the template stage/worker@.cell
 * beside it, as the unit worker@3, with the instance's and the template's
 * drop-ins, as systemd-analyze verify finds an instance beside its
 * template (and "cell run worker@3" in the search path). It was "No such
 * file or directory". */
TEST(staged_instance_is_its_template_beside_it) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *template = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        template = WRITE_PATH(&t, "stage/worker@.cell", VALID "[Unit]\nDescription=%i\n");
        WRITE(&t, "stage/worker@.cell.d/a.conf", ENV("STAGE_TEMPLATE_A"));
        WRITE(&t, "stage/worker@3.cell.d/b.conf", ENV("STAGE_INSTANCE_B"));
        WRITE(&t, "stage/worker@4.cell.d/b.conf", ENV("OTHER_INSTANCE"));
        WRITE(&t, "etc/worker@3.cell.d/c.conf", ENV("ETC_INSTANCE_C"));
        p = tree_path(&t, "stage/worker@3.cell");
        ASSERT_OK(tree_load(&t, p, &c, &d));
        dump(&d);
        ASSERT_STREQ(c.name, "worker@3");
        ASSERT_STREQ(c.path, template);
        ASSERT_STREQ(c.description, "3");
        assert_env(&c, (const char * const[]) { "STAGE_TEMPLATE_A=1", "STAGE_INSTANCE_B=1", "ETC_INSTANCE_C=1" },
                   3);
        cell_config_done(&c);

        /* --name of its own name: the same. */
        ASSERT_OK(unit_load(p, &(UnitLoadOptions) { .name = "worker@3", .search_path = t.search_path }, &c, &d));
        ASSERT_STREQ(c.path, template);
        ASSERT_EQ(strv_length(c.environment), 3u);
        cell_config_done(&c);
        ASSERT_EQ(d.n_errors, 0);

        /* --name of another: that is no file, and no instance of it. */
        ASSERT_ERROR(unit_load(p, &(UnitLoadOptions) { .name = "worker@4", .search_path = t.search_path }, &c, &d),
                     ENOENT);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "worker@3.cell: No such file or directory");
        diag_done(&d);
        tree_done(&t);
}

/* A path that is no file is not looked up anywhere else: not a plain name
 * in the search path (systemd-analyze verify 252 would verify
 * /etc/cell/web.cell for a missing /tmp/stage/web.cell, which is not what
 * was named), nor an instance whose template is not beside it. */
TEST(staged_missing_file_is_missing) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *q = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/web.cell", VALID);
        WRITE(&t, "etc/worker@.cell", VALID);
        WRITE(&t, "stage/other.cell", VALID);
        p = tree_path(&t, "stage/web.cell");
        ASSERT_ERROR(tree_load(&t, p, &c, &d), ENOENT);
        cell_config_done(&c);
        q = tree_path(&t, "stage/worker@3.cell");
        ASSERT_ERROR(tree_load(&t, q, &c, &d), ENOENT);
        ASSERT_EQ(d.n_errors, 2);
        ASSERT_CONTAINS(d.messages[0], "stage/web.cell: No such file or directory");
        ASSERT_CONTAINS(d.messages[1], "stage/worker@3.cell: No such file or directory");
        diag_done(&d);
        tree_done(&t);
}

/* A drop-in directory others may write to, or that is neither root's nor
 * ours, is refused rather than read: anyone may make /tmp/cell.d before root
 * runs "cell run /tmp/web.cell", and its Exec= would run as root. */
TEST(staged_dropins_of_others_refused) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *dir = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "stage/web.cell", VALID);
        WRITE(&t, "stage/cell.d/planted.conf", "[Exec]\nExec=/bin/planted\n");
        dir = tree_path(&t, "stage/cell.d");
        ASSERT_OK(chmod(dir, 0777));
        ASSERT_ERROR(tree_load(&t, p, &c, &d), EPERM);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "stage/cell.d: refusing the drop-ins of web here");
        diag_done(&d);
        cell_config_done(&c);

        /* Ours and not writable by others: read. */
        ASSERT_OK(chmod(dir, 0775));
        ASSERT_OK(tree_load(&t, p, &c, &d));
        ASSERT_STREQ(c.exec[0], "/bin/planted");
        diag_done(&d);
        cell_config_done(&c);

        /* Another user's (root alone can make one here). */
        if (geteuid() == 0) {
                ASSERT_OK(chmod(dir, 0755));
                ASSERT_OK(chown(dir, 65534, 65534));
                ASSERT_ERROR(tree_load(&t, p, &c, &d), EPERM);
                ASSERT_CONTAINS(d.messages[0], "stage/cell.d: refusing the drop-ins of web here");
                diag_done(&d);
        } else
                test_skip("not root: a directory of another user's");
        tree_done(&t);
}
