/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config-parse.h"
#include "strv.h"
#include "test.h"
#include "unit-lexer.h"
#include "unit.h"

/* Every test builds its unit tree under a fresh temporary directory. */
typedef struct Tree {
        char root[64];
        char **files;           /* created, removed in reverse order */
        char **search_path;     /* the tree's etc/, run/ and usr/ */
} Tree;

static char *tree_path(Tree *t, const char *rel) {
        char *p;

        ASSERT_TRUE(asprintf(&p, "%s/%s", t->root, rel) > 0);
        return p;
}

static void tree_init(Tree *t) {
        snprintf(t->root, sizeof(t->root), "/tmp/test-unit-load-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(t->root));
        t->files = NULL;
        t->search_path = NULL;
        ASSERT_OK(strv_push(&t->search_path, tree_path(t, "etc")));
        ASSERT_OK(strv_push(&t->search_path, tree_path(t, "run")));
        ASSERT_OK(strv_push(&t->search_path, tree_path(t, "usr")));
}

/* Writes size bytes to root/rel, creating the directories on the way. */
static char *tree_write(Tree *t, const char *rel, const char *text, size_t size) {
        char *p = tree_path(t, rel);
        int fd;

        for (size_t i = strlen(t->root) + 1; p[i]; i++) {
                _cleanup_free_ char *dir = NULL;

                if (p[i] != '/')
                        continue;
                dir = strndup(p, i);
                ASSERT_NOT_NULL(dir);
                if (mkdir(dir, 0755) >= 0)
                        ASSERT_OK(strv_extend(&t->files, dir));
        }
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, text, size), (ssize_t) size);
        close(fd);
        if (!strv_contains(t->files, p))
                ASSERT_OK(strv_extend(&t->files, p));
        return p;
}
/* For string literals (NUL bytes included). */
#define WRITE_PATH(t, rel, text) tree_write(t, rel, text, sizeof(text) - 1)
#define WRITE(t, rel, text) free(WRITE_PATH(t, rel, text))

static void tree_done(Tree *t) {
        for (size_t n = strv_length(t->files); n > 0; n--)
                ASSERT_EQ(remove(t->files[n - 1]), 0);
        ASSERT_EQ(rmdir(t->root), 0);
        t->files = strv_free(t->files);
        t->search_path = strv_free(t->search_path);
}

/* Makes root/rel a symlink to target, removed with the tree. */
static void tree_symlink(Tree *t, const char *rel, const char *target) {
        _cleanup_free_ char *p = tree_path(t, rel);

        ASSERT_OK(symlink(target, p));
        ASSERT_OK(strv_extend(&t->files, p));
}

/* unit_load() of name through the tree's search path. */
static int tree_load(Tree *t, const char *name, CellConfig *c, Diagnostics *d) {
        return unit_load(name, &(UnitLoadOptions) { .search_path = t->search_path }, c, d);
}

static void dump(const Diagnostics *d) {
        STRV_FOREACH(m, d->messages)
                fprintf(stderr, "  diag: %s\n", *m);
}

#define VALID "[Root]\nDirectory=/srv/x\n[Exec]\nExec=/bin/true\n"

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
        ASSERT_STREQ(c.name, "worker@test_instance");
        ASSERT_STREQ(c.description, "test_instance");
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
 * one cell-generator enables: %i a CPU there, not "test_instance"; without
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
        ASSERT_STREQ(c.name, "w@test_instance");
        m = strv_join(d.messages, "\n");
        ASSERT_CONTAINS(m, "w@.cell:5: CPUAffinity=test_instance: expected");
        ASSERT_CONTAINS(m, "w@.cell: warning: the template was checked as the instance w@test_instance");
        ASSERT_CONTAINS(m, "(--name w@NAME) or set DefaultInstance=");
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
        ASSERT_STREQ(c.name, "foo@test_instance");
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
 * name, a link to its own name); an alias whose unit is missing does, and is
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
