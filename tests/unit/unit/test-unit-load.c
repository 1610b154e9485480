/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* unit_load(): finding, reading and checking a unit and its drop-ins;
 * the other test-unit-load-*.c cover specifiers, drop-ins and aliases. */

#include "unit-tree.h"

TEST(load_path) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "web.cell", VALID "[Unit]\nDescription=I am %n (%N)\n");
        ASSERT_OK(tree_load(&t, p, &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.path, p);
        ASSERT_STREQ(c.name, "web");
        ASSERT_STREQ(c.description, "I am web.cell (web)");
        ASSERT_STREQ(c.directory, "/srv/x");
        ASSERT_EQ(strv_length(c.exec), 1);
        ASSERT_NOT_NULL(c.dropin_paths);
        ASSERT_NULL(c.dropin_paths[0]);
        diag_done(&d);
        tree_done(&t);
}

/* %y and %Y are the real file, as systemd's: absolute, its symlinks resolved. */
TEST(fragment_path_specifiers_real_path) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *real = NULL, *expect = NULL, *cwd = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "usr/lib/web.cell", VALID "[Unit]\nDescription=%y %Y\n");
        ASSERT_OK(mkdir(t.search_path[0], 0755));
        ASSERT_OK(strv_extend(&t.files, t.search_path[0]));
        tree_symlink(&t, "etc/web.cell", "../usr/lib/web.cell");
        real = realpath(p, NULL);
        ASSERT_NOT_NULL(real);
        ASSERT_TRUE(asprintf(&expect, "%s %.*s", real, (int) (strrchr(real, '/') - real), real) > 0);

        ASSERT_OK(tree_load(&t, "web", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.description, expect);
        cell_config_done(&c);

        /* A file given by a relative path. */
        cwd = get_current_dir_name();
        ASSERT_NOT_NULL(cwd);
        ASSERT_OK(chdir(t.root));
        ASSERT_OK(unit_load("./usr/lib/web.cell", NULL, &c, &d));
        ASSERT_OK(chdir(cwd));
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.description, expect);
        diag_done(&d);
        tree_done(&t);
}

TEST(load_any_file_name_with_name_option) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *dropin = NULL;
        Diagnostics d = {};
        Tree t;

        /* Ansible's validate: a temporary file, and the real unit's drop-ins. */
        tree_init(&t);
        p = WRITE_PATH(&t, "tmp/tmpk2f9x", VALID "[Unit]\nDescription=%n\n");
        dropin = WRITE_PATH(&t, "etc/web.cell.d/50-env.conf", "[Exec]\nEnvironment=A=1\n");
        ASSERT_OK(unit_load(p, &(UnitLoadOptions) { .name = "web", .search_path = t.search_path }, &c, &d));
        dump(&d);
        ASSERT_STREQ(c.name, "web");
        ASSERT_STREQ(c.description, "web.cell");
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_STREQ(c.dropin_paths[0], dropin);
        ASSERT_EQ(strv_length(c.environment), 1);
        ASSERT_STREQ(c.environment[0], "A=1");
        cell_config_done(&c);

        /* Without --name, the unit is called after the file. */
        ASSERT_OK(tree_load(&t, p, &c, &d));
        ASSERT_STREQ(c.name, "tmpk2f9x");
        ASSERT_STREQ(c.description, "tmpk2f9x.cell");
        ASSERT_NULL(c.environment);
        ASSERT_EQ(d.n_errors, 0);
        diag_done(&d);
        tree_done(&t);
}

/* A file that --name makes another unit stands in for it: the drop-ins
 * beside it are not that unit's. A cell.d/ or web.cell.d/ that anyone may
 * make in /tmp made "cell verify --name web /tmp/tmpk2f9x" accept a unit
 * that was invalid once installed (or refuse a valid one). A file of the
 * unit's own name still reads its directory's, as systemd-analyze verify
 * does. */
TEST(stand_in_file_ignores_its_neighbours_dropins) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *own = NULL, *etc = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "tmp/tmpk2f9x", "[Unit]\nDescription=%n\n");
        WRITE(&t, "tmp/cell.d/01-planted.conf", "[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n");
        WRITE(&t, "tmp/web.cell.d/00-planted.conf", "[Exec]\nEnvironment=PLANTED=1\n");
        etc = WRITE_PATH(&t, "etc/web.cell.d/50-env.conf", "[Exec]\nEnvironment=A=1\n");
        ASSERT_ERROR(unit_load(p, &(UnitLoadOptions) { .name = "web", .search_path = t.search_path }, &c, &d),
                     EINVAL);
        dump(&d);
        ASSERT_STREQ(c.name, "web");
        ASSERT_EQ(strv_length(c.dropin_paths), 1);
        ASSERT_STREQ(c.dropin_paths[0], etc);
        ASSERT_EQ(strv_length(c.environment), 1);
        ASSERT_STREQ(c.environment[0], "A=1");
        ASSERT_EQ(d.n_errors, 2);       /* Directory= and Exec= are missing */
        cell_config_done(&c);
        diag_done(&d);

        /* The file's own name: its directory is the unit's first. */
        own = WRITE_PATH(&t, "tmp/web.cell", VALID);
        ASSERT_OK(unit_load(own, &(UnitLoadOptions) { .name = "web", .search_path = t.search_path }, &c, &d));
        dump(&d);
        ASSERT_EQ(strv_length(c.dropin_paths), 3);
        ASSERT_TRUE(strv_contains(c.environment, "PLANTED=1"));
        cell_config_done(&c);
        ASSERT_OK(tree_load(&t, own, &c, &d));
        ASSERT_EQ(strv_length(c.dropin_paths), 3);
        ASSERT_EQ(d.n_errors, 0);
        diag_done(&d);
        tree_done(&t);
}

/* A drop-in directory that cannot be listed is named in the message: it
 * is not the unit's file, and of the directories searched (every search
 * directory, every name, cell.d/) the file does not say which. */
TEST(unlistable_dropin_dir_is_named) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *loop = NULL, *want = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "usr/web.cell", VALID);
        loop = tree_path(&t, "etc/web.cell.d");
        WRITE(&t, "etc/keep", "");
        tree_symlink(&t, "etc/web.cell.d", "web.cell.d");     /* ELOOP, for root too */
        ASSERT_ERROR(tree_load(&t, "web", &c, &d), ELOOP);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_TRUE(asprintf(&want, "%s: cannot list the drop-ins of web: ", loop) > 0);
        ASSERT_TRUE(startswith(d.messages[0], want));
        diag_done(&d);
        tree_done(&t);
}

/* The mount keys' entries keep the file they were written in next to the
 * line, for the plan's messages: a drop-in's entry names the drop-in, not
 * the main file (whose line 2 is another line). */
TEST(mount_entries_know_their_file) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *dropin = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "etc/dd.cell", VALID "[Root]\nBind=/srv/main\nInaccessible=/main\n");
        dropin = WRITE_PATH(&t, "etc/dd.cell.d/x.conf",
                            "[Root]\n"
                            "BindReadOnly=/srv/dropin\n"               /* line 2 */
                            "TemporaryFileSystem=/scratch\n"           /* line 3 */
                            "Overlay=/srv/l:/srv/u:/opt\n"             /* line 4 */
                            "Inaccessible=/a /b\n");                   /* line 5 */
        ASSERT_OK(tree_load(&t, "dd", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_STREQ(c.path, p);
        ASSERT_EQ(strv_length(c.dropin_paths), 1);

        ASSERT_EQ(c.n_binds, 2);
        ASSERT_STREQ(c.binds[0].file, p);
        ASSERT_EQ(c.binds[0].line, 6);
        ASSERT_STREQ(c.binds[1].file, dropin);
        ASSERT_EQ(c.binds[1].line, 2);
        ASSERT_EQ(c.n_tmpfs, 1);
        ASSERT_STREQ(c.tmpfs[0].file, dropin);
        ASSERT_EQ(c.tmpfs[0].line, 3);
        ASSERT_EQ(c.n_overlays, 1);
        ASSERT_STREQ(c.overlays[0].file, dropin);
        ASSERT_EQ(c.overlays[0].line, 4);
        ASSERT_EQ(c.n_inaccessible, 3);
        ASSERT_STREQ(c.inaccessible[0].path, "/main");
        ASSERT_STREQ(c.inaccessible[0].file, p);
        ASSERT_EQ(c.inaccessible[0].line, 7);
        for (size_t i = 1; i < 3; i++) {
                ASSERT_STREQ(c.inaccessible[i].file, dropin);
                ASSERT_EQ(c.inaccessible[i].line, 5);
        }
        ASSERT_STREQ(c.inaccessible[2].path, "/b");

        diag_done(&d);
        tree_done(&t);
}

TEST(inih_traps_through_unit_load) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *text = NULL, *arg = NULL;
        Diagnostics d = {};
        Tree t;

        arg = malloc(4097);
        ASSERT_NOT_NULL(arg);
        memset(arg, 'x', 4096);
        arg[4096] = 0;
        ASSERT_TRUE(asprintf(&text,
                             "\xef\xbb\xbf[Root]\r\n"
                             "  Directory = /srv/x\r\n"
                             "[Exec]\r\n"
                             "Exec=sh -c \"a ; b\" \\\r\n"
                             "# comment in a continuation\r\n"
                             "   %s\r\n"
                             "\tUser=nobody\r\n", arg) > 0);
        tree_init(&t);
        p = tree_write(&t, "traps.cell", text, strlen(text));
        ASSERT_OK(tree_load(&t, p, &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(strv_length(c.exec), 4);
        ASSERT_STREQ(c.exec[0], "sh");
        ASSERT_STREQ(c.exec[2], "a ; b");
        ASSERT_STREQ(c.exec[3], arg);
        ASSERT_STREQ(c.user, "nobody");
        ASSERT_STREQ(c.directory, "/srv/x");
        diag_done(&d);
        tree_done(&t);
}

TEST(all_problems_of_all_files) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL, *dropin = NULL, *m = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        p = WRITE_PATH(&t, "etc/bad.cell",
                       "Early=1\n"                      /* 1: before any section */
                       "[Exec]\n"
                       "no equals sign\n"               /* 3 */
                       "Exec=/bin/true\n"
                       "Description=%x\n"               /* 5: wrong section (its specifier is not looked at) */
                       "[Unit]\n"
                       "Description=%Q\n"               /* 7: unknown specifier */
                       "Frobnicate=yes\n"               /* 8: unknown key */
                       "[Root]\nDirectory=/srv\n");
        dropin = WRITE_PATH(&t, "etc/bad.cell.d/10.conf", "[Unit]\nBogus=1\nx\0y\n");
        ASSERT_ERROR(tree_load(&t, "bad", &c, &d), EINVAL);
        dump(&d);
        ASSERT_TRUE(d.n_errors >= 7);
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "bad.cell:1: Early=1: assignment before any [Section] header");
        ASSERT_CONTAINS(m, "bad.cell:3: \"no equals sign\": line is not a Key=value assignment");
        ASSERT_CONTAINS(m, "bad.cell:5: unknown key \"Description\" in section [Exec], it belongs in [Unit]");
        ASSERT_CONTAINS(m, "bad.cell:7: Description=%Q: unknown specifier %Q");
        ASSERT_CONTAINS(m, "bad.cell:8: ");
        ASSERT_CONTAINS(m, "10.conf:2: ");
        ASSERT_CONTAINS(m, "10.conf:3: line contains a NUL byte");
        cell_config_done(&c);
        diag_done(&d);

        /* No Diagnostics: still -EINVAL. */
        ASSERT_ERROR(tree_load(&t, "bad", &c, NULL), EINVAL);
        tree_done(&t);
}

/* An empty unit file is masked, as in systemd (systemd.unit(5), its
 * null_or_empty()): refused as such, not as a unit missing Directory= and
 * Exec=; it hides a lower directory's file of its name. An empty drop-in
 * hides those of its name and is no drop-in applied. */
TEST(empty_file_is_masked) {
        _cleanup_(cell_config_done) CellConfig c = {};
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/empty.cell", "");
        WRITE(&t, "usr/empty.cell", "[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n");
        ASSERT_ERROR(tree_load(&t, "empty", &c, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "empty.cell: unit empty is masked (an empty file)");
        diag_done(&d);
        cell_config_done(&c);

        /* A bare template by its own name, not the instance it is checked as. */
        WRITE(&t, "etc/m@.cell", "");
        ASSERT_ERROR(tree_load(&t, "m@", &c, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "m@.cell: unit m@ is masked (an empty file)");
        ASSERT_NULL(strstr(d.messages[0], "m@i"));
        diag_done(&d);
        cell_config_done(&c);
        ASSERT_ERROR(tree_load(&t, "m@a", &c, &d), EINVAL);
        ASSERT_CONTAINS(d.messages[0], "m@.cell: unit m@a is masked (an empty file)");
        diag_done(&d);
        cell_config_done(&c);

        WRITE(&t, "usr/web.cell", "[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n");
        WRITE(&t, "usr/web.cell.d/10-a.conf", "[Unit]\nDescription=hidden\n");
        WRITE(&t, "etc/web.cell.d/10-a.conf", "");
        ASSERT_OK(tree_load(&t, "web", &c, &d));
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_NULL(c.description);
        ASSERT_EQ(strv_length(c.dropin_paths), 0);
        diag_done(&d);
        tree_done(&t);
}

/* As systemd's stat_warn_permissions(): a unit file or drop-in that is
 * executable, or that anyone may write to, is read with a warning. */
TEST(permissions_warned) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *unit = NULL, *dropin = NULL, *m = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        unit = WRITE_PATH(&t, "etc/web.cell", "[Root]\nDirectory=/srv/a\n[Exec]\nExec=/bin/true\n");
        dropin = WRITE_PATH(&t, "etc/web.cell.d/10-a.conf", "[Unit]\nDescription=a\n");
        ASSERT_OK(tree_load(&t, "web", &c, &d));
        ASSERT_EQ(d.n_warnings, 0);
        diag_done(&d);
        cell_config_done(&c);

        ASSERT_OK(chmod(unit, 0755));
        ASSERT_OK(chmod(dropin, 0646));
        ASSERT_OK(tree_load(&t, "web", &c, &d));
        dump(&d);
        ASSERT_EQ(d.n_errors, 0);
        ASSERT_EQ(d.n_warnings, 2);
        ASSERT_STREQ(c.description, "a");
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "etc/web.cell: warning: marked executable");
        ASSERT_CONTAINS(m, "etc/web.cell.d/10-a.conf: warning: anyone may write to it");
        diag_done(&d);
        tree_done(&t);
}

TEST(not_found_and_bad_names) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *p = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        ASSERT_ERROR(tree_load(&t, "nope", &c, &d), ENOENT);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "nope: no such unit (searched: ");
        ASSERT_CONTAINS(d.messages[0], t.search_path[2]);
        diag_done(&d);
        cell_config_done(&c);

        p = tree_path(&t, "missing.cell");
        ASSERT_ERROR(tree_load(&t, p, &c, &d), ENOENT);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "missing.cell: No such file or directory");
        diag_done(&d);
        cell_config_done(&c);

        ASSERT_ERROR(tree_load(&t, "bad name", &c, &d), EINVAL);
        ASSERT_CONTAINS(d.messages[0], "\"bad name\" is not a valid unit name");
        diag_done(&d);
        cell_config_done(&c);

        ASSERT_ERROR(tree_load(&t, "/tmp/bad name", &c, &d), EINVAL);
        ASSERT_CONTAINS(d.messages[0], "/tmp/bad name: the file name is not a valid unit name");
        diag_done(&d);
        cell_config_done(&c);

        /* systemd's masking: a symlink to /dev/null. */
        WRITE(&t, "etc/.keep", "");
        tree_symlink(&t, "etc/masked.cell", "/dev/null");
        ASSERT_ERROR(tree_load(&t, "masked", &c, &d), EINVAL);
        ASSERT_CONTAINS(d.messages[0], "masked");
        diag_done(&d);
        tree_done(&t);
}

TEST(cell_unit_path_env) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *dir = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "env/fromenv.cell", VALID);
        dir = tree_path(&t, "env");
        ASSERT_EQ(setenv("CELL_UNIT_PATH", dir, 1), 0);
        ASSERT_OK(unit_load("fromenv", NULL, &c, &d));
        ASSERT_EQ(unsetenv("CELL_UNIT_PATH"), 0);
        ASSERT_STREQ(c.name, "fromenv");
        diag_done(&d);
        tree_done(&t);
}

/* A unit file and its drop-ins are regular files: a FIFO is refused at once
 * (not waited on), a device is refused (not read forever), both named; a
 * drop-in that is a symlink to /dev/null (systemd's mask) is empty. */
TEST(only_regular_files) {
        _cleanup_(cell_config_done) CellConfig c = {};
        _cleanup_free_ char *fifo = NULL, *big = NULL;
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/web.cell", VALID);
        WRITE(&t, "etc/web.cell.d/.keep", "");
        tree_symlink(&t, "etc/web.cell.d/10-masked.conf", "/dev/null");
        ASSERT_OK(tree_load(&t, "web", &c, &d));
        ASSERT_EQ(strv_length(c.dropin_paths), 0);     /* a mask is no drop-in applied */
        ASSERT_EQ(d.n_errors, 0);
        cell_config_done(&c);

        /* A FIFO itself is no drop-in (the directory scan skips it); a symlink to one is. */
        fifo = tree_path(&t, "fifo");
        ASSERT_OK(mkfifo(fifo, 0644));
        ASSERT_OK(strv_extend(&t.files, fifo));
        tree_symlink(&t, "etc/web.cell.d/20-fifo.conf", fifo);
        ASSERT_ERROR(tree_load(&t, "web", &c, &d), EBADFD);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "20-fifo.conf: not a regular file");
        diag_done(&d);
        cell_config_done(&c);

        ASSERT_ERROR(unit_load(fifo, &(UnitLoadOptions) { .name = "x", .search_path = t.search_path }, &c, &d), EBADFD);
        ASSERT_CONTAINS(d.messages[0], "/fifo: not a regular file");
        diag_done(&d);
        cell_config_done(&c);

        tree_symlink(&t, "etc/zero.cell", "/dev/zero");
        ASSERT_ERROR(tree_load(&t, "zero", &c, &d), EBADFD);
        ASSERT_CONTAINS(d.messages[0], "zero.cell: not a regular file");
        diag_done(&d);
        cell_config_done(&c);

        /* Past UNIT_FILE_MAX: refused before it is read (sparse here). */
        big = tree_path(&t, "etc/big.cell");
        int fd = open(big, O_WRONLY|O_CREAT|O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(ftruncate(fd, (off_t) UNIT_FILE_MAX + 1));
        close(fd);
        ASSERT_OK(strv_extend(&t.files, big));
        ASSERT_ERROR(tree_load(&t, "big", &c, &d), EFBIG);
        ASSERT_CONTAINS(d.messages[0], "big.cell: larger than 64 MiB");
        diag_done(&d);
        tree_done(&t);
}

/* An unknown section is an error at its header's line (systemd's "Unknown
 * section" is said there), with or without keys after it, once; X- sections
 * are other tools', empty or not. */
TEST(unknown_section_at_its_header) {
        _cleanup_(cell_config_done) CellConfig c = {};
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        /* VALID is 4 lines: the header is line 5, its first key line 8. */
        WRITE(&t, "etc/keys.cell", VALID "[Isolaton]\n# network\n\nPrivateNetwork=no\nPrivateUsers=yes\n");
        WRITE(&t, "etc/comments.cell", VALID "[Isolaton]\n# PrivateNetwork=no\n");
        WRITE(&t, "etc/dropin.cell", VALID);
        WRITE(&t, "etc/dropin.cell.d/10-x.conf", "# nothing yet\n[Isolaton]\n");
        WRITE(&t, "etc/extensions.cell", VALID "[X-Empty]\n# nothing\n[X-Tool]\nKey=value\n");

        ASSERT_ERROR(tree_load(&t, "keys", &c, &d), EINVAL);
        dump(&d);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "/etc/keys.cell:5: unknown section [Isolaton], did you mean [Isolation]?");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_ERROR(tree_load(&t, "comments", &c, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "/etc/comments.cell:5: unknown section [Isolaton], did you mean [Isolation]?");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_ERROR(tree_load(&t, "dropin", &c, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "/etc/dropin.cell.d/10-x.conf:2: unknown section [Isolaton]");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_OK(tree_load(&t, "extensions", &c, &d));
        ASSERT_EQ(d.n_errors + d.n_warnings, 0);
        diag_done(&d);
        tree_done(&t);
}

/* A required key (or its alternative) written with a bad value is not
 * also "missing": the bad value is the one error, at its line, as
 * systemd's verify says; in the main file or a drop-in. */
TEST(bad_value_is_not_missing) {
        _cleanup_(cell_config_done) CellConfig c = {};
        Diagnostics d = {};
        Tree t;

        tree_init(&t);
        WRITE(&t, "etc/dir.cell", "[Root]\nDirectory=root\n[Exec]\nExec=/bin/true\n");
        WRITE(&t, "etc/alt.cell", "[Root]\nImage=img.raw\n[Exec]\nBoot=maybe\n");
        WRITE(&t, "etc/dropin.cell", "[Exec]\nExec=/bin/true\n");
        WRITE(&t, "etc/dropin.cell.d/10-x.conf", "[Root]\nDirectory=%Z/root\n[Exec]\nExec=\nExec=-/bin/true\n");

        ASSERT_ERROR(tree_load(&t, "dir", &c, &d), EINVAL);
        dump(&d);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "/etc/dir.cell:2: Directory=root: expected an absolute path");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_ERROR(tree_load(&t, "alt", &c, &d), EINVAL);
        dump(&d);
        ASSERT_EQ(d.n_errors, 2);
        ASSERT_CONTAINS(d.messages[0], "/etc/alt.cell:2: Image=img.raw: expected");
        ASSERT_CONTAINS(d.messages[1], "/etc/alt.cell:4: Boot=maybe: expected");
        cell_config_done(&c);
        diag_done(&d);

        ASSERT_ERROR(tree_load(&t, "dropin", &c, &d), EINVAL);
        dump(&d);
        ASSERT_EQ(d.n_errors, 2);
        ASSERT_CONTAINS(d.messages[0], "/etc/dropin.cell.d/10-x.conf:2: Directory=%Z/root: unknown specifier %Z");
        ASSERT_CONTAINS(d.messages[1], "/etc/dropin.cell.d/10-x.conf:5: Exec=-/bin/true: expected");
        diag_done(&d);
        tree_done(&t);
}
