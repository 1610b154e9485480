/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unit_load(): specifiers per key and file, templates and their
 * DefaultInstance=, as systemd-analyze verify checks a bare template. */

#include "unit-tree.h"

TEST(template_instance_dropins_specifiers_reset) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *tmpl = NULL, *d1 = NULL, *d2 = NULL, *d3 = NULL, *d4 = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        tmpl = WRITE_PATH(&t, "usr/worker@.cell",
                          VALID "[Unit]\nDescription=worker %i of %p\n[Exec]\nEnvironment=MAIN=1 X=%I\n");
        /* Applied by file name over all directories, template and instance alike. */
        d1 = WRITE_PATH(&t, "usr/worker@3.cell.d/10-a.conf", "[Exec]\nEnvironment=A=%i\n");
        d2 = WRITE_PATH(&t, "etc/worker@.cell.d/20-b.conf", "[Exec]\nEnvironment=\nEnvironment=B=2\n");
        d3 = WRITE_PATH(&t, "run/worker@3.cell.d/30-c.conf", "[Exec]\nEnvironment=C=3\n");
        d4 = WRITE_PATH(&t, "etc/worker@.cell.d/40-d.conf", "[Unit]\nDescription=last wins %n\n");
        /* Masked by etc's 20-b.conf. */
        WRITE(&t, "usr/worker@.cell.d/20-b.conf", "[Exec]\nEnvironment=MASKED=1\n");

        ASSERT_OK(tree_load(&t, "worker@3", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.path, tmpl);
        ASSERT_STREQ(c.name, "worker@3");
        ASSERT_EQ(strv_length(c.dropin_paths), 4);
        ASSERT_STREQ(c.dropin_paths[0], d1);
        ASSERT_STREQ(c.dropin_paths[1], d2);
        ASSERT_STREQ(c.dropin_paths[2], d3);
        ASSERT_STREQ(c.dropin_paths[3], d4);
        /* "Environment=" in 20-b.conf reset MAIN, X and A. */
        ASSERT_EQ(strv_length(c.environment), 2);
        ASSERT_STREQ(c.environment[0], "B=2");
        ASSERT_STREQ(c.environment[1], "C=3");
        ASSERT_STREQ(c.description, "last wins worker@3.cell");
        cell_config_done(&c);

        /* Before the reset: main file then 10-a.conf. */
        WRITE(&t, "etc/worker@.cell.d/20-b.conf", "[Exec]\nEnvironment=B=2\n");
        ASSERT_OK(tree_load(&t, "worker@3.cell", &c, &d));
        ASSERT_EQ(strv_length(c.environment), 5);
        ASSERT_STREQ(c.environment[0], "MAIN=1");
        ASSERT_STREQ(c.environment[1], "X=3");
        ASSERT_STREQ(c.environment[2], "A=3");
        diag_done(&d);
        tree_done(&t);
}

/* Specifiers are expanded where systemd expands them: in each word after its
 * quotes are undone, in paths after the split at ':', never in sizes. */
TEST(specifiers_per_key) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *m = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/sp@.cell",
              "[Unit]\nDescription=%I\n"
              "[Root]\nDirectory=/srv/%i\nBind=/data/%i:/mnt/%i\nBindReadOnly=+/img/%i\n"
              "TemporaryFileSystem=/tmp/%i:size=50%,mode=1777\nInaccessible=/secret/%I\n"
              "[Exec]\nExec=/bin/echo %I \"%I\" x%Iy\nEnvironment=A=%I \"B=%I\"\nWorkingDirectory=/w/%I\n"
              "[Limits]\nDeviceAllow=/dev/%i rw\nIOReadBandwidthMax=/dev/%i 5M\n");
        /* %i is a\x20b:c\x22d, %I is a b:c"d */
        ASSERT_OK(tree_load(&t, "sp@a\\x20b:c\\x22d", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.description, "a b:c\"d");
        ASSERT_STREQ(c.directory, "/srv/a\\x20b:c\\x22d");
        ASSERT_EQ(strv_length(c.exec), 4);
        ASSERT_STREQ(c.exec[1], "a b:c\"d");
        ASSERT_STREQ(c.exec[2], "a b:c\"d");
        ASSERT_STREQ(c.exec[3], "xa b:c\"dy");
        ASSERT_EQ(strv_length(c.environment), 2);
        ASSERT_STREQ(c.environment[0], "A=a b:c\"d");
        ASSERT_STREQ(c.environment[1], "B=a b:c\"d");
        ASSERT_EQ(c.n_binds, 2);
        ASSERT_STREQ(c.binds[0].source, "/data/a\\x20b:c\\x22d");
        ASSERT_STREQ(c.binds[0].target, "/mnt/a\\x20b:c\\x22d");
        ASSERT_STREQ(c.binds[1].source, "+/img/a\\x20b:c\\x22d");
        ASSERT_STREQ(c.binds[1].target, "/img/a\\x20b:c\\x22d");
        ASSERT_EQ(c.n_tmpfs, 1);
        ASSERT_STREQ(c.tmpfs[0].path, "/tmp/a\\x20b:c\\x22d");
        ASSERT_CONTAINS(c.tmpfs[0].options, "size=50%");
        ASSERT_STREQ(c.inaccessible[0].path, "/secret/a b:c\"d");
        ASSERT_STREQ(c.working_directory, "/w/a b:c\"d");
        ASSERT_EQ(c.n_device_allow, 1);
        ASSERT_STREQ(c.device_allow[0].path, "/dev/a\\x20b:c\\x22d");
        ASSERT_EQ(c.n_io_devices, 1);
        ASSERT_STREQ(c.io_devices[0].path, "/dev/a\\x20b:c\\x22d");
        ASSERT_EQ_U64(c.io_devices[0].value, 5000000);
        cell_config_done(&c);

        /* Sizes take none, as in systemd; a path its specifiers make ".." is refused; an
         * unknown one is reported against the value as written. */
        WRITE(&t, "etc/bad@.cell",
              VALID "[Limits]\nMemoryMax=50%%\n[Root]\nBind=/data/%I\n[Exec]\nEnvironment=A=%Q\n"
              "Exec=%i\n[Limits]\nIOReadBandwidthMax=/dev/%I 5%%\n");
        ASSERT_ERROR(tree_load(&t, "bad@x-..", &c, &d), EINVAL);
        dump(&d);
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "bad@.cell:6: MemoryMax=50%%: expected");
        ASSERT_CONTAINS(m, "bad@.cell:8: Bind=/data/%I: expected");
        ASSERT_CONTAINS(m, "(its specifiers make \"/data/%I\" of \"/data/x/..\")");
        ASSERT_CONTAINS(m, "bad@.cell:10: Environment=A=%Q: unknown specifier %Q");
        /* The value of an IO limit takes none either, as in systemd. */
        ASSERT_CONTAINS(m, "bad@.cell:13: IOReadBandwidthMax=/dev/%I 5%%: expected DEVICE BYTES");
        ASSERT_EQ(d.n_errors, 4);
        cell_config_done(&c);
        diag_done(&d);

        /* CPUAffinity= takes them, as systemd's (an instance per CPU); Nice= and
         * the other numbers do not. */
        WRITE(&t, "etc/pin@.cell", VALID "[Exec]\nCPUAffinity=%i\nCPUAffinity=1%i\n");
        ASSERT_OK(tree_load(&t, "pin@3", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(c.sched.cpu_affinity_size, 2u);
        ASSERT_EQ(c.sched.cpu_affinity[0], 1u << 3);
        ASSERT_EQ(c.sched.cpu_affinity[1], 1u << (13 - 8));
        cell_config_done(&c);
        diag_done(&d);
        /* A path may start with a specifier, as systemd's BindPaths=%S/web:...: it is
         * checked once expanded. */
        WRITE(&t, "etc/lead@.cell", "[Root]\nDirectory=/srv/x\nBind=%S/%i:%t/%i:nosuid\nBindReadOnly=+%E/a\n"
              "TemporaryFileSystem=%T/%i:size=1M\nInaccessible=%C/%i -%L\nOverlay=%f:%V/up:/o\n"
              "[Exec]\nExec=/bin/true\n[Limits]\nIOReadBandwidthMax=%S 5M\n");
        ASSERT_OK(tree_load(&t, "lead@w", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(c.n_binds, 2);
        ASSERT_STREQ(c.binds[0].source, "/var/lib/w");
        ASSERT_STREQ(c.binds[0].target, "/run/w");
        ASSERT_STREQ(c.binds[1].source, "+/etc/a");
        ASSERT_STREQ(c.binds[1].target, "/etc/a");
        ASSERT_STREQ(c.tmpfs[0].path, "/tmp/w");
        ASSERT_STREQ(c.inaccessible[0].path, "/var/cache/w");
        ASSERT_STREQ(c.inaccessible[1].path, "/var/log");
        ASSERT_STREQ(c.overlays[0].lower[0], "/w");
        ASSERT_STREQ(c.overlays[0].upper, "/var/tmp/up");
        ASSERT_STREQ(c.io_devices[0].path, "/var/lib");
        cell_config_done(&c);
        diag_done(&d);
        /* PassEnvironment= and UnsetEnvironment= in each word, as systemd's
         * unit_env_printf(); WorkingDirectory= after its "-". An expansion
         * that makes no name is refused as a name written so. */
        WRITE(&t, "etc/env@.cell", VALID "[Exec]\nPassEnvironment=V_%i \"W_%i\"\n"
              "UnsetEnvironment=U_%i \"X=%I y\"\nWorkingDirectory=-/w/%i\n");
        ASSERT_OK(tree_load(&t, "env@a_b", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(strv_length(c.pass_environment), 2);
        ASSERT_STREQ(c.pass_environment[0], "V_a_b");
        ASSERT_STREQ(c.pass_environment[1], "W_a_b");
        ASSERT_EQ(strv_length(c.unset_environment), 2);
        ASSERT_STREQ(c.unset_environment[0], "U_a_b");
        ASSERT_STREQ(c.unset_environment[1], "X=a_b y");
        ASSERT_STREQ(c.working_directory, "/w/a_b");
        ASSERT_TRUE(c.working_directory_missing_ok);
        cell_config_done(&c);
        diag_done(&d);
        ASSERT_ERROR(tree_load(&t, "env@a-b", &c, &d), EINVAL);
        m = mfree(m);
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "env@.cell:6: PassEnvironment=V_%i \"W_%i\": expected space-separated variable names");
        ASSERT_CONTAINS(m, "(\"V_a-b\" is not one)");
        ASSERT_CONTAINS(m, "env@.cell:7: UnsetEnvironment=U_%i \"X=%I y\": expected");
        ASSERT_EQ(d.n_errors, 2);
        cell_config_done(&c);
        diag_done(&d);
        WRITE(&t, "etc/dev@.cell", VALID "[Limits]\nDeviceAllow=%f rw\n");
        ASSERT_OK(tree_load(&t, "dev@dev-fuse", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.device_allow[0].path, "/dev/fuse");
        cell_config_done(&c);
        diag_done(&d);
        /* ... and must be absolute then. */
        WRITE(&t, "etc/rel.cell", VALID "[Root]\nBind=%%/x\nInaccessible=%Y/x\n[Limits]\nDeviceAllow=%t rw\n");
        ASSERT_ERROR(tree_load(&t, "rel", &c, &d), EINVAL);
        m = mfree(m);
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "rel.cell:6: Bind=%%/x: expected");
        ASSERT_CONTAINS(m, "(its specifiers make \"%%/x\" of \"%/x\")");
        ASSERT_CONTAINS(m, "rel.cell:9: DeviceAllow=%t rw: expected a device");
        ASSERT_CONTAINS(m, "(its specifiers make \"/run\")");
        ASSERT_EQ(d.n_errors, 2);
        cell_config_done(&c);
        diag_done(&d);

        /* A '%' before anything but a letter or digit is no specifier, as in systemd. */
        WRITE(&t, "etc/pct.cell", "[Unit]\nDescription=50% done\n[Root]\nDirectory=/srv/x\n"
              "[Exec]\nExec=/bin/printf \"%-5s|%.2f\" x 1\n");
        ASSERT_OK(tree_load(&t, "pct", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.description, "50% done");
        ASSERT_STREQ(c.exec[1], "%-5s|%.2f");
        cell_config_done(&c);
        diag_done(&d);
        WRITE(&t, "etc/nice@.cell", VALID "[Exec]\nNice=%i\n");
        ASSERT_ERROR(tree_load(&t, "nice@3", &c, &d), EINVAL);
        m = mfree(m);
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "nice@.cell:6: Nice=%i: expected");
        cell_config_done(&c);
        diag_done(&d);
        tree_done(&t);
}

TEST(bare_template_like_systemd_analyze) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "units/worker@.cell", VALID "[Unit]\nDescription=%i\n");
        ASSERT_OK(tree_load(&t, p, &c, &d));
        ASSERT_STREQ(c.name, "worker@i");      /* systemd-analyze verify 252's instance */
        ASSERT_STREQ(c.description, "i");
        diag_done(&d);
        tree_done(&t);
}

/* cell-generator enables a template as its DefaultInstance=: one that
 * makes no valid unit name (a second "@", too long) is refused at its line
 * when the template is checked, not only skipped by the generator. */
TEST(bare_template_default_instance_name) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *q = NULL, *text = NULL;
        char inst[241];
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "units/w@.cell", VALID "[Install]\nDefaultInstance=a@b\n");
        ASSERT_ERROR(tree_load(&t, p, &c, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "w@.cell:6: DefaultInstance=a@b makes w@a@b, which is no valid unit name");
        diag_done(&d);
        cell_config_done(&c);

        memset(inst, 'i', sizeof(inst) - 1);
        inst[sizeof(inst) - 1] = 0;
        ASSERT_TRUE(asprintf(&text, VALID "[Install]\nDefaultInstance=%s\n", inst) > 0);
        q = tree_write(&t, "units/v@.cell", text, strlen(text));
        ASSERT_ERROR(tree_load(&t, q, &c, &d), EINVAL);
        ASSERT_CONTAINS(d.messages[0], "v@.cell:6: DefaultInstance=iii");
        diag_done(&d);
        cell_config_done(&c);

        /* A valid one; and an instance is not checked for its template's. */
        WRITE(&t, "units/w@.cell", VALID "[Install]\nDefaultInstance=1\n");
        ASSERT_OK(tree_load(&t, p, &c, &d));
        ASSERT_EQ(d.n_errors, 0);
        cell_config_done(&c);
        WRITE(&t, "units/w@.cell", VALID "[Install]\nDefaultInstance=a@b\n");
        ASSERT_OK(unit_load(p, &(UnitLoadOptions) { .name = "w@3", .search_path = t.search_path }, &c, &d));
        ASSERT_EQ(d.n_errors, 0);
        diag_done(&d);
        tree_done(&t);
}

/* A bare template with a DefaultInstance= is checked as that instance, the
 * one cell-generator enables: %i a CPU there, not "i"; without
 * one, the message says how to check a real instance. */
TEST(bare_template_checked_as_default_instance) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *m = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "usr/w@.cell", VALID "CPUAffinity=%i\n[Unit]\nDescription=%i\n"
                       "[Install]\nDefaultInstance=1\n");
        ASSERT_OK(tree_load(&t, p, &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.name, "w@1");
        ASSERT_STREQ(c.description, "1");
        cell_config_done(&c);
        ASSERT_OK(tree_load(&t, "w@", &c, &d));
        ASSERT_STREQ(c.name, "w@1");
        cell_config_done(&c);

        /* A template drop-in's wins, as it does for the generator; one with
         * a specifier is not guessed at. */
        WRITE(&t, "etc/w@.cell.d/10-i.conf", "[Install]\nDefaultInstance=3\n");
        ASSERT_OK(tree_load(&t, "w@", &c, &d));
        ASSERT_STREQ(c.name, "w@3");
        cell_config_done(&c);
        WRITE(&t, "etc/w@.cell.d/10-i.conf", "[Install]\nDefaultInstance=%H\n");
        ASSERT_ERROR(tree_load(&t, "w@", &c, &d), EINVAL);
        ASSERT_STREQ(c.name, "w@i");
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "w@.cell:5: CPUAffinity=i: expected");
        ASSERT_CONTAINS(m, "w@.cell: warning: the template was checked as the instance w@i,");
        /* DefaultInstance= is set: the warning says why it was not used, and
         * does not ask for it to be set. */
        ASSERT_CONTAINS(m, "w@.cell: warning: the template was checked as the instance w@i, as systemd-analyze "
                        "verify checks one, not as its DefaultInstance=%H, which has specifiers, known only once "
                        "there is an instance; to check it as a real instance, name one (--name w@NAME)");
        ASSERT_NULL(strstr(m, "or set DefaultInstance="));
        free(m);
        diag_done(&d);
        cell_config_done(&c);
        WRITE(&t, "etc/w@.cell.d/10-i.conf", "[Install]\nDefaultInstance=a@b\n");
        ASSERT_ERROR(tree_load(&t, "w@", &c, &d), EINVAL);
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "not as its DefaultInstance=a@b, which makes no valid unit name; to check it as a real "
                        "instance, name one (--name w@NAME)");
        ASSERT_NULL(strstr(m, "or set DefaultInstance="));
        diag_done(&d);
        tree_done(&t);
}

/* [Install] takes the specifiers systemctl enable resolves (install_name_printf():
 * %i %j %n %N %p, the host's, the user's, %%); cell verify refuses the others at
 * their line, where the rest of the unit takes them; run and the generator say
 * so and resolve them, as systemctl start never reads [Install]. */
TEST(install_specifiers_as_systemctl_enable) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *m = NULL;
        UnitLoadOptions o = {};
        Diagnostics d = {};
        Tree t;
        int r;

        tree_init(&t);
        o.search_path = t.search_path;
        WRITE(&t, "etc/in@.cell", "[Unit]\nDescription=%I %J %f\n" VALID
              "[Install]\nWantedBy=x-%i.target y-%j.target %p-%N.target %H.target\n");
        r = tree_load(&t, "in@a-b", &c, &d);
        dump(&d);
        ASSERT_OK(r);
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        ASSERT_STREQ(c.wanted_by[0], "x-a-b.target");
        ASSERT_STREQ(c.wanted_by[1], "y-in.target");
        ASSERT_STREQ(c.wanted_by[2], "in-in@a-b.target");
        ASSERT_EQ(strv_length(c.wanted_by), 4);
        cell_config_done(&c);

        WRITE(&t, "etc/bad@.cell", VALID "[Install]\nWantedBy=x-%J.target\nAlias=%P@%i.service\n"
              "WantedBy=%f.target\nDefaultInstance=%h\n");
        o.verify = true;
        ASSERT_ERROR(unit_load("bad@a-b", &o, &c, &d), EINVAL);
        dump(&d);
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "bad@.cell:6: WantedBy=x-%J.target: specifier %J is not resolved in [Install] by "
                        "systemctl enable");
        ASSERT_CONTAINS(m, "bad@.cell:7: Alias=%P@%i.service: specifier %P is not resolved");
        ASSERT_CONTAINS(m, "bad@.cell:8: WantedBy=%f.target: specifier %f");
        ASSERT_CONTAINS(m, "bad@.cell:9: DefaultInstance=%h: specifier %h");
        ASSERT_EQ(d.n_errors, 4);
        cell_config_done(&c);
        diag_done(&d);

        /* Without verify: a warning, and the value resolved as before. */
        WRITE(&t, "etc/ok@.cell", VALID "[Install]\nWantedBy=x-%J.target\n");
        o.verify = false;
        r = unit_load("ok@a-b", &o, &c, &d);
        dump(&d);
        ASSERT_OK(r);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 1);
        ASSERT_CONTAINS(d.messages[0], "ok@.cell:6: warning: WantedBy=x-%J.target: specifier %J is not resolved");
        ASSERT_STREQ(c.wanted_by[0], "x-ok.target");
        diag_done(&d);
        tree_done(&t);
}
