/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-build.h"
#include "strv.h"
#include "test.h"
#include "unit-path.h"

static char *data_path(const char *rel) {
        const char *data = getenv("CELL_TEST_DATA");
        char *p;

        ASSERT_NOT_NULL(data);
        ASSERT_TRUE(asprintf(&p, "%s/%s", data, rel) > 0);
        return p;
}

/* tests/unit/unit/data/search/{etc,run,usr} */
static char **search_dirs(void) {
        char **l = NULL;

        ASSERT_OK(strv_push(&l, data_path("search/etc")));
        ASSERT_OK(strv_push(&l, data_path("search/run")));
        ASSERT_OK(strv_push(&l, data_path("search/usr")));
        return l;
}

TEST(search_path_default_env_override) {
        _cleanup_strv_free_ char **l = NULL, **dflt = NULL;
        _cleanup_free_ char *j = NULL;
        char *override[] = { (char *) "/x", NULL };

        ASSERT_EQ(unsetenv("CELL_UNIT_PATH"), 0);
        ASSERT_OK(unit_search_path_get(NULL, &dflt));
        j = strv_join(dflt, ":");
        ASSERT_STREQ(j, CELL_UNIT_SEARCH_PATH);
        ASSERT_STREQ(j, "/etc/cell:/run/cell:/usr/local/lib/cell:/usr/lib/cell");
        j = mfree(j);

        ASSERT_EQ(setenv("CELL_UNIT_PATH", "/a::/b:/a", 1), 0);
        ASSERT_OK(unit_search_path_get(NULL, &l));
        j = strv_join(l, ":");
        ASSERT_STREQ(j, "/a:/b");
        j = mfree(j);
        l = strv_free(l);

        /* A trailing ':' appends the built-in path, as $SYSTEMD_UNIT_PATH. */
        ASSERT_EQ(setenv("CELL_UNIT_PATH", "/a:", 1), 0);
        ASSERT_OK(unit_search_path_get(NULL, &l));
        j = strv_join(l, ":");
        ASSERT_STREQ(j, "/a:" CELL_UNIT_SEARCH_PATH);
        j = mfree(j);
        l = strv_free(l);

        /* A relative entry is taken from the working directory, as
         * systemd's path_split_and_make_absolute(): cell exec and the
         * runtime state read the unit again from elsewhere. */
        _cleanup_free_ char *cwd = getcwd(NULL, 0), *want = NULL;
        ASSERT_NOT_NULL(cwd);
        ASSERT_TRUE(asprintf(&want, "%s/units:/b:%s/x/y", streq(cwd, "/") ? "" : cwd, streq(cwd, "/") ? "" : cwd) > 0);
        ASSERT_EQ(setenv("CELL_UNIT_PATH", "units:/b:x/y", 1), 0);
        ASSERT_OK(unit_search_path_get(NULL, &l));
        j = strv_join(l, ":");
        ASSERT_STREQ(j, want);
        j = mfree(j);
        l = strv_free(l);

        ASSERT_EQ(setenv("CELL_UNIT_PATH", "", 1), 0);
        ASSERT_OK(unit_search_path_get(NULL, &l));
        ASSERT_NOT_NULL(l);
        ASSERT_NULL(l[0]);
        l = strv_free(l);

        /* The option beats the environment. */
        ASSERT_EQ(setenv("CELL_UNIT_PATH", "/a", 1), 0);
        ASSERT_OK(unit_search_path_get(override, &l));
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "/x");
        ASSERT_EQ(unsetenv("CELL_UNIT_PATH"), 0);
}

static void check_name(const char *arg, const char *override, const char *file, const char *name) {
        _cleanup_strv_free_ char **dirs = search_dirs();
        _cleanup_(unit_location_done) UnitLocation l = {};
        _cleanup_free_ char *expect = data_path(file);

        ASSERT_OK(unit_location_find(arg, override, dirs, &l));
        ASSERT_STREQ(l.path, expect);
        ASSERT_STREQ(l.name, name);
        ASSERT_EQ(strv_length(l.dropin_dirs), 3);
        ASSERT_STREQ(l.dropin_dirs[0], dirs[0]);
}

TEST(find_by_name) {
        check_name("web", NULL, "search/etc/web.cell", "web");
        check_name("web.cell", NULL, "search/etc/web.cell", "web");
        check_name("only-run", NULL, "search/run/only-run.cell", "only-run");
        /* An instance without its own file uses the template... */
        check_name("worker@3", NULL, "search/usr/worker@.cell", "worker@3");
        check_name("worker@3.cell", NULL, "search/usr/worker@.cell", "worker@3");
        /* ...one with its own file uses that, wherever the template is. */
        check_name("worker@5", NULL, "search/etc/worker@5.cell", "worker@5");
        check_name("worker@", NULL, "search/usr/worker@.cell", "worker@");
        check_name("web", "other", "search/etc/web.cell", "other");
}

TEST(find_by_name_errors) {
        _cleanup_strv_free_ char **dirs = search_dirs();
        _cleanup_(unit_location_done) UnitLocation l = {};

        ASSERT_ERROR(unit_location_find("nope", NULL, dirs, &l), ENOENT);
        ASSERT_NULL(l.path);
        /* What was searched, for the message. */
        ASSERT_EQ(strv_length(l.search_path), 3);
        unit_location_done(&l);
        ASSERT_ERROR(unit_location_find("nope@1", NULL, dirs, &l), ENOENT);
        unit_location_done(&l);
        ASSERT_ERROR(unit_location_find("bad name", NULL, dirs, &l), EINVAL);
        ASSERT_ERROR(unit_location_find("a@b@c", NULL, dirs, &l), EINVAL);
        ASSERT_ERROR(unit_location_find("web", "bad name", dirs, &l), EINVAL);
}

/* dir: the file's directory, the first searched for drop-ins; NULL: the
 * search path alone (a file that stands in for another unit). */
static void check_path(const char *arg, const char *override, const char *name, const char *dir) {
        _cleanup_strv_free_ char **dirs = search_dirs();
        _cleanup_(unit_location_done) UnitLocation l = {};

        ASSERT_OK(unit_location_find(arg, override, dirs, &l));
        ASSERT_STREQ(l.path, arg);
        ASSERT_STREQ(l.name, name);
        if (!dir) {
                ASSERT_EQ(strv_length(l.dropin_dirs), 3);
                ASSERT_STREQ(l.dropin_dirs[0], dirs[0]);
                return;
        }
        /* Drop-ins next to the file first, then the search path. */
        ASSERT_STREQ(l.dropin_dirs[0], dir);
        ASSERT_EQ(strv_length(l.dropin_dirs), 4);
        ASSERT_STREQ(l.dropin_dirs[1], dirs[0]);
}

TEST(find_by_path) {
        /* Any file name; the file need not exist yet (it is read later). */
        check_path("/tmp/tmpk2f9x", NULL, "tmpk2f9x", "/tmp");
        /* --name of another unit: the file stands in for it (Ansible's
         * validate:), and /tmp's drop-ins are none of that unit's. */
        check_path("/tmp/tmpk2f9x", "web", "web", NULL);
        check_path("/tmp/tmpk2f9x", "web.cell", "web", NULL);
        check_path("/tmp/web.cell", "web", "web", "/tmp");
        check_path("/srv/units/worker@.cell", NULL, "worker@", "/srv/units");
        check_path("/srv/units/worker@.cell", "worker@9", "worker@9", "/srv/units");
        check_path("/srv/units/worker@.cell", "other@9", "other@9", NULL);
        check_path("/srv/units/worker@9.cell", "worker@", "worker@", NULL);
        check_path("./web.cell", NULL, "web", ".");
        check_path("/web.cell", NULL, "web", "/");
}

TEST(find_by_path_in_search_dir_not_twice) {
        _cleanup_strv_free_ char **dirs = search_dirs();
        _cleanup_(unit_location_done) UnitLocation l = {};
        _cleanup_free_ char *p = data_path("search/run/only-run.cell");

        ASSERT_OK(unit_location_find(p, NULL, dirs, &l));
        ASSERT_EQ(strv_length(l.dropin_dirs), 3);
        ASSERT_STREQ(l.dropin_dirs[0], dirs[1]);
        ASSERT_STREQ(l.dropin_dirs[1], dirs[0]);
        ASSERT_STREQ(l.dropin_dirs[2], dirs[2]);
}

TEST(find_by_path_errors) {
        _cleanup_strv_free_ char **dirs = search_dirs();
        _cleanup_(unit_location_done) UnitLocation l = {};

        ASSERT_ERROR(unit_location_find("/tmp/bad name", NULL, dirs, &l), EINVAL);
        /* No file name, and a directory there: said to be one ("cell
         * verify /etc/cell/"); no file name and nothing there: no name. */
        ASSERT_ERROR(unit_location_find("/tmp/", NULL, dirs, &l), EISDIR);
        ASSERT_ERROR(unit_location_find("/proc/no-such-dir/", NULL, dirs, &l), EINVAL);
        ASSERT_ERROR(unit_location_find("/tmp/x", "a b", dirs, &l), EINVAL);
}

static char *pjoin(char buf[static PATH_MAX], const char *a, const char *b) {
        ASSERT_TRUE(snprintf(buf, PATH_MAX, "%s%s", a, b) < PATH_MAX);
        return buf;
}

/* Symlinks in the search path (unit-alias.h): an alias is its target's unit,
 * with every alias of it listed; a link out of the search path keeps its
 * name; unit_name_canonical() says which unit a name is. */
TEST(aliases_and_linked_units) {
        char root[] = "/tmp/test-unit-path-XXXXXX";
        _cleanup_(unit_location_done) UnitLocation l = {};
        _cleanup_free_ char *etc = NULL, *usr = NULL, *nginx = NULL, *c = NULL;
        char *dirs[3] = {}, buf[PATH_MAX];
        FILE *f;

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_TRUE(asprintf(&etc, "%s/etc", root) > 0);
        ASSERT_TRUE(asprintf(&usr, "%s/usr", root) > 0);
        ASSERT_TRUE(asprintf(&nginx, "%s/nginx.cell", usr) > 0);
        ASSERT_OK(mkdir(etc, 0755));
        ASSERT_OK(mkdir(usr, 0755));
        f = fopen(nginx, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_OK(symlinkat("../usr/nginx.cell", AT_FDCWD, pjoin(buf, etc, "/web.cell")));
        ASSERT_OK(symlinkat("web.cell", AT_FDCWD, pjoin(buf, etc, "/www.cell")));   /* a chain */
        ASSERT_OK(symlinkat(nginx, AT_FDCWD, pjoin(buf, root, "/linked.cell")));
        ASSERT_OK(symlinkat("../linked.cell", AT_FDCWD, pjoin(buf, etc, "/linked.cell")));
        dirs[0] = etc;
        dirs[1] = usr;

        ASSERT_OK(unit_location_find("www", NULL, dirs, &l));
        ASSERT_STREQ(l.name, "nginx");
        ASSERT_STREQ(l.path, nginx);
        ASSERT_EQ(strv_length(l.aliases), 2);
        ASSERT_STREQ(l.aliases[0], "web");
        ASSERT_STREQ(l.aliases[1], "www");
        ASSERT_NULL(l.notes);
        unit_location_done(&l);

        /* --name still names the unit, and only it. */
        ASSERT_OK(unit_location_find("web", "other", dirs, &l));
        ASSERT_STREQ(l.name, "other");
        ASSERT_NULL(l.aliases);
        unit_location_done(&l);

        ASSERT_OK(unit_name_canonical("web", dirs, &c));
        ASSERT_STREQ(c, "nginx");
        c = mfree(c);
        ASSERT_OK(unit_name_canonical("nginx", dirs, &c));
        ASSERT_STREQ(c, "nginx");
        c = mfree(c);
        ASSERT_OK(unit_name_canonical("linked", dirs, &c));
        ASSERT_STREQ(c, "linked");
        c = mfree(c);
        ASSERT_ERROR(unit_name_canonical("nope", dirs, &c), ENOENT);

        ASSERT_OK(unlink(pjoin(buf, etc, "/linked.cell")));
        ASSERT_OK(unlink(pjoin(buf, root, "/linked.cell")));
        ASSERT_OK(unlink(pjoin(buf, etc, "/www.cell")));
        ASSERT_OK(unlink(pjoin(buf, etc, "/web.cell")));
        ASSERT_OK(unlink(nginx));
        ASSERT_OK(rmdir(etc));
        ASSERT_OK(rmdir(usr));
        ASSERT_OK(rmdir(root));
}

/* A link's target is found as the kernel finds it (systemd's
 * unit_file_resolve_symlink() chases it): from the working directory when
 * the unit is given by a relative path, and with ".." taken after the
 * symlinks before it. */
TEST(alias_target_resolved_as_the_kernel_does) {
        char root[] = "/tmp/test-unit-path-XXXXXX", buf[PATH_MAX], cwd[PATH_MAX];
        _cleanup_(unit_location_done) UnitLocation l = {};
        _cleanup_free_ char *etc = NULL, *usr = NULL, *srv = NULL, *deep = NULL;
        char *dirs[3] = {};
        FILE *f;

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_TRUE(asprintf(&etc, "%s/etc", root) > 0);
        ASSERT_TRUE(asprintf(&usr, "%s/usr", root) > 0);
        ASSERT_TRUE(asprintf(&srv, "%s/srv", root) > 0);
        ASSERT_TRUE(asprintf(&deep, "%s/srv/deep", root) > 0);
        ASSERT_OK(mkdir(etc, 0755));
        ASSERT_OK(mkdir(usr, 0755));
        ASSERT_OK(mkdir(srv, 0755));
        ASSERT_OK(mkdir(deep, 0755));
        f = fopen(pjoin(buf, usr, "/nginx.cell"), "we");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fclose(f), 0);
        f = fopen(pjoin(buf, srv, "/nginx.cell"), "we");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_OK(symlinkat("../usr/nginx.cell", AT_FDCWD, pjoin(buf, etc, "/web.cell")));
        /* etc/sub/.. is srv: the link leads out of the search path. */
        ASSERT_OK(symlinkat(deep, AT_FDCWD, pjoin(buf, etc, "/sub")));
        ASSERT_OK(symlinkat("sub/../nginx.cell", AT_FDCWD, pjoin(buf, etc, "/out.cell")));
        dirs[0] = etc;
        dirs[1] = usr;

        /* "cell run ./web.cell" in etc/ is the unit nginx, as
         * "cell run /…/etc/web.cell" is: not a second nginx called web. */
        ASSERT_NOT_NULL(getcwd(cwd, sizeof(cwd)));
        ASSERT_OK(chdir(etc));
        ASSERT_OK(unit_location_find("./web.cell", NULL, dirs, &l));
        ASSERT_OK(chdir(cwd));
        ASSERT_STREQ(l.name, "nginx");
        ASSERT_STREQ(l.path, "./web.cell");
        unit_location_done(&l);

        /* out.cell is a linked unit file (srv/nginx.cell, read through the
         * link), not an alias of usr/nginx.cell. */
        ASSERT_OK(unit_location_find("out", NULL, dirs, &l));
        ASSERT_STREQ(l.name, "out");
        ASSERT_STREQ(l.path, pjoin(buf, etc, "/out.cell"));
        ASSERT_EQ(strv_length(l.aliases), 0);
        unit_location_done(&l);
        ASSERT_OK(unit_location_find("nginx", NULL, dirs, &l));
        ASSERT_EQ(strv_length(l.aliases), 1);
        ASSERT_STREQ(l.aliases[0], "web");
        unit_location_done(&l);

        ASSERT_OK(unlink(pjoin(buf, etc, "/out.cell")));
        ASSERT_OK(unlink(pjoin(buf, etc, "/sub")));
        ASSERT_OK(unlink(pjoin(buf, etc, "/web.cell")));
        ASSERT_OK(unlink(pjoin(buf, srv, "/nginx.cell")));
        ASSERT_OK(unlink(pjoin(buf, usr, "/nginx.cell")));
        ASSERT_OK(rmdir(deep));
        ASSERT_OK(rmdir(srv));
        ASSERT_OK(rmdir(etc));
        ASSERT_OK(rmdir(usr));
        ASSERT_OK(rmdir(root));
}
