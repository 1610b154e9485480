/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "strv.h"
#include "test.h"
#include "unit-dropin.h"

/* tests/unit/unit/data/dropin/{etc,run,usr}: three search directories. */
static char **dropin_dirs(void) {
        const char *data = getenv("CELL_TEST_DATA");
        char **l = NULL;

        ASSERT_NOT_NULL(data);
        for (const char * const *d = (const char * const[]) { "etc", "run", "usr", NULL }; *d; d++) {
                char *p;

                ASSERT_TRUE(asprintf(&p, "%s/dropin/%s", data, *d) > 0);
                ASSERT_OK(strv_push(&l, p));
        }
        return l;
}

/* The drop-ins as "dir/name.cell.d/file", relative to the data folder. */
static char *short_list(char **l) {
        const char *data = getenv("CELL_TEST_DATA");
        _cleanup_strv_free_ char **s = NULL;
        char *j;

        STRV_FOREACH(p, l) {
                const char *rel = startswith(*p, data);

                ASSERT_NOT_NULL(rel);
                ASSERT_OK(strv_extend(&s, rel + strlen("/dropin/")));
        }
        j = strv_join(s, " ");
        ASSERT_NOT_NULL(j);
        return j;
}

TEST(plain_unit_precedence_and_order) {
        _cleanup_strv_free_ char **dirs = dropin_dirs(), **l = NULL;
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(unit_dropin_find(dirs, "web", &l));
        s = short_list(l);
        /* usr's 10-a.conf is masked by etc's; 40-d.txt, .hidden.conf and the
         * directory 50-dir.conf are no drop-ins; order is by file name. */
        ASSERT_STREQ(s, "etc/web.cell.d/10-a.conf usr/web.cell.d/20-b.conf etc/web.cell.d/30-c.conf");
}

TEST(instance_and_template_merge_like_systemd) {
        _cleanup_strv_free_ char **dirs = dropin_dirs(), **l = NULL;
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(unit_dropin_find(dirs, "worker@3", &l));
        s = short_list(l);
        /* One list sorted by file name over instance and template dirs;
         * per name the earliest directory wins, and within a directory the
         * instance's drop-in beats the template's. */
        ASSERT_STREQ(s,
                     "usr/worker@3.cell.d/05-first.conf "
                     "etc/worker@.cell.d/10-t.conf "
                     "etc/worker@3.cell.d/20-same.conf "
                     "etc/worker@3.cell.d/50-x.conf "
                     "run/worker@.cell.d/60-late.conf");
}

TEST(other_instance_gets_template_only) {
        _cleanup_strv_free_ char **dirs = dropin_dirs(), **l = NULL;
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(unit_dropin_find(dirs, "worker@4", &l));
        s = short_list(l);
        ASSERT_STREQ(s, "etc/worker@.cell.d/10-t.conf etc/worker@.cell.d/20-same.conf "
                        "run/worker@.cell.d/60-late.conf");
}

TEST(none) {
        _cleanup_strv_free_ char **dirs = dropin_dirs(), **l = NULL;
        char *empty[] = { NULL };

        ASSERT_OK(unit_dropin_find(dirs, "nothing", &l));
        ASSERT_NOT_NULL(l);
        ASSERT_NULL(l[0]);
        l = strv_free(l);
        ASSERT_OK(unit_dropin_find(empty, "web", &l));
        ASSERT_NULL(l[0]);
}

TEST(dev_null_masks_and_not_a_dir) {
        char dir[] = "/tmp/test-dropin-XXXXXX";
        _cleanup_free_ char *a = NULL, *b = NULL, *da = NULL, *db = NULL, *fa = NULL, *fb = NULL, *nd = NULL;
        _cleanup_strv_free_ char **l = NULL;
        char *dirs[3] = {};
        FILE *f;

        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_TRUE(asprintf(&a, "%s/a", dir) > 0);
        ASSERT_TRUE(asprintf(&b, "%s/b", dir) > 0);
        ASSERT_TRUE(asprintf(&da, "%s/web.cell.d", a) > 0);
        ASSERT_TRUE(asprintf(&db, "%s/web.cell.d", b) > 0);
        ASSERT_TRUE(asprintf(&fa, "%s/10-x.conf", da) > 0);
        ASSERT_TRUE(asprintf(&fb, "%s/10-x.conf", db) > 0);
        ASSERT_TRUE(asprintf(&nd, "%s/other.cell.d", a) > 0);
        ASSERT_EQ(mkdir(a, 0755), 0);
        ASSERT_EQ(mkdir(b, 0755), 0);
        ASSERT_EQ(mkdir(da, 0755), 0);
        ASSERT_EQ(mkdir(db, 0755), 0);
        /* The higher-priority drop-in is a mask: the lower one is gone. */
        ASSERT_EQ(symlink("/dev/null", fa), 0);
        f = fopen(fb, "we");
        ASSERT_NOT_NULL(f);
        fputs("[Unit]\nDescription=masked\n", f);
        ASSERT_EQ(fclose(f), 0);
        /* A file where a drop-in directory could be is ignored. */
        f = fopen(nd, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fclose(f), 0);

        dirs[0] = a;
        dirs[1] = b;
        ASSERT_OK(unit_dropin_find(dirs, "web", &l));
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], fa);
        l = strv_free(l);
        ASSERT_OK(unit_dropin_find(dirs, "other", &l));
        ASSERT_NULL(l[0]);

        ASSERT_EQ(unlink(fa), 0);
        ASSERT_EQ(unlink(fb), 0);
        ASSERT_EQ(unlink(nd), 0);
        ASSERT_EQ(rmdir(da), 0);
        ASSERT_EQ(rmdir(db), 0);
        ASSERT_EQ(rmdir(a), 0);
        ASSERT_EQ(rmdir(b), 0);
        ASSERT_EQ(rmdir(dir), 0);
}

/* A name too long for its drop-in directory (NAME.cell.d past NAME_MAX)
 * is no valid unit name (cell_name_fits()), but unit_dropin_find() does not
 * choke on one: a directory that cannot exist holds no drop-ins, not an
 * error. The longest valid instance gets its own and its template's. */
TEST(name_too_long_for_a_dropin_dir) {
        char dir[] = "/tmp/test-dropin-XXXXXX";
        _cleanup_free_ char *td = NULL, *tf = NULL;
        _cleanup_strv_free_ char **l = NULL;
        char name[256], instance[256];
        char *dirs[2] = { dir, NULL };
        FILE *f;

        ASSERT_NOT_NULL(mkdtemp(dir));
        /* 250 + ".cell" = 255 bytes, the longest file name. */
        memset(name, 'a', 250);
        name[250] = 0;
        ASSERT_OK(unit_dropin_find(dirs, name, &l));
        ASSERT_NOT_NULL(l);
        ASSERT_NULL(l[0]);
        l = strv_free(l);

        ASSERT_TRUE(asprintf(&td, "%s/t@.cell.d", dir) > 0);
        ASSERT_TRUE(asprintf(&tf, "%s/10-t.conf", td) > 0);
        ASSERT_EQ(mkdir(td, 0755), 0);
        f = fopen(tf, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fclose(f), 0);
        memcpy(instance, "t@", 2);
        memset(instance + 2, 'b', 238);
        instance[240] = 0;
        ASSERT_OK(unit_dropin_find(dirs, instance, &l));
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], tf);

        ASSERT_EQ(unlink(tf), 0);
        ASSERT_EQ(rmdir(td), 0);
        ASSERT_EQ(rmdir(dir), 0);
}

/* Creates root/rel (and its directories) holding text, or a symlink to /dev/null. */
static char *tree_file(const char *root, const char *rel, const char *text) {
        char *p;
        FILE *f;

        ASSERT_TRUE(asprintf(&p, "%s/%s", root, rel) > 0);
        for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                ASSERT_TRUE(mkdir(p, 0755) >= 0 || errno == EEXIST);
                *s = '/';
        }
        if (!text) {
                ASSERT_EQ(symlink("/dev/null", p), 0);
                return p;
        }
        f = fopen(p, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
        return p;
}

/* systemd's prefix drop-ins ("a-b-.service.d/" for a-b-c.service) and
 * top-level ones ("service.d/"): a-b-.cell.d/, a-.cell.d/ and cell.d/. */
TEST(prefix_and_top_level_like_systemd) {
        static const char * const files[] = {
                "etc/a-b-c@x.cell.d/10-inst.conf",
                "etc/a-b-c@.cell.d/20-tmpl.conf",
                "etc/a-b-.cell.d/30-ab.conf",
                "etc/a-.cell.d/40-a.conf",
                "etc/a-@x.cell.d/50-ax.conf",
                "etc/a-@.cell.d/60-at.conf",
                "etc/cell.d/70-all.conf",
                "usr/cell.d/10-inst.conf",      /* masked: etc/a-b-c@x.cell.d has it */
                "usr/a-.cell.d/30-ab.conf",     /* masked by etc/a-b-.cell.d's */
                "usr/a-b-.cell.d/70-all.conf",  /* a prefix dir beats cell.d, whatever the directory */
                "etc/a-b-c@x.cell.d/80-none.conf", /* a mask ... */
                "usr/cell.d/80-none.conf",      /* ... of this one */
                "etc/-.cell.d/90-no.conf",      /* a leading dash is no prefix */
                "etc/b-.cell.d/90-no.conf",
                "etc/a.cell.d/90-no.conf",      /* nor is the part without its dash */
        };
        char root[] = "/tmp/test-dropin-XXXXXX";
        _cleanup_strv_free_ char **paths = NULL, **l = NULL, **expect = NULL;
        _cleanup_free_ char *etc = NULL, *usr = NULL, *got = NULL, *want = NULL;
        char *dirs[3] = {};

        ASSERT_NOT_NULL(mkdtemp(root));
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                ASSERT_OK(strv_push(&paths, tree_file(root, files[i],
                                                      strstr(files[i], "80-none.conf") && files[i][0] == 'e' ?
                                                      NULL : "[Unit]\n")));
        ASSERT_TRUE(asprintf(&etc, "%s/etc", root) > 0);
        ASSERT_TRUE(asprintf(&usr, "%s/usr", root) > 0);
        dirs[0] = etc;
        dirs[1] = usr;

        ASSERT_OK(unit_dropin_find(dirs, "a-b-c@x", &l));
        for (size_t i = 0; i < 7; i++)
                ASSERT_OK(strv_extend(&expect, paths[i]));
        free(expect[6]);
        expect[6] = strdup(paths[9]);                   /* 70-all.conf from usr/a-b-.cell.d */
        ASSERT_OK(strv_extend(&expect, paths[10]));     /* 80-none.conf, the mask */
        got = strv_join(l, "\n");
        want = strv_join(expect, "\n");
        ASSERT_STREQ(got, want);

        /* A plain unit: its prefixes and cell.d; a name without a dash: cell.d only. */
        l = strv_free(l);
        ASSERT_OK(unit_dropin_find(dirs, "a-b", &l));
        ASSERT_EQ(strv_length(l), 5);
        ASSERT_STREQ(l[0], paths[7]);                   /* usr/cell.d/10-inst.conf */
        ASSERT_STREQ(l[1], paths[8]);                   /* usr/a-.cell.d/30-ab.conf */
        ASSERT_STREQ(l[2], paths[3]);                   /* etc/a-.cell.d/40-a.conf */
        ASSERT_STREQ(l[3], paths[6]);                   /* etc/cell.d/70-all.conf */
        ASSERT_STREQ(l[4], paths[11]);                  /* usr/cell.d/80-none.conf */
        l = strv_free(l);
        ASSERT_OK(unit_dropin_find(dirs, "other", &l));
        ASSERT_EQ(strv_length(l), 3);

        for (size_t n = strv_length(paths); n > 0; n--) {
                char *s;

                ASSERT_EQ(unlink(paths[n - 1]), 0);
                /* Remove the directories that became empty, up to the root. */
                while ((s = strrchr(paths[n - 1], '/')) && s > paths[n - 1] + strlen(root)) {
                        *s = 0;
                        if (rmdir(paths[n - 1]) < 0)
                                break;
                }
        }
        ASSERT_EQ(rmdir(root), 0);
}

/* A unit with aliases (unit-alias.h): the directories of its own name in
 * every search directory come before an alias's, as in systemd's
 * unit_file_find_dropin_paths(): usr/nginx.cell.d/10-x.conf hides
 * etc/web.cell.d/10-x.conf, though etc/ is the higher directory. A drop-in
 * that is a symlink leading nowhere is listed, and hides its name as any
 * other (unit_load() then skips it). */
TEST(aliases_after_own_name_and_dangling_links_listed) {
        char root[] = "/tmp/test-dropin-XXXXXX";
        _cleanup_strv_free_ char **paths = NULL, **l = NULL;
        char *dirs[3] = {}, *names[] = { (char *) "nginx", (char *) "web", NULL };

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_TRUE(asprintf(&dirs[0], "%s/etc", root) > 0);
        ASSERT_TRUE(asprintf(&dirs[1], "%s/usr", root) > 0);
        ASSERT_OK(strv_push(&paths, tree_file(root, "etc/web.cell.d/10-x.conf", "[Unit]\n")));         /* 0 */
        ASSERT_OK(strv_push(&paths, tree_file(root, "usr/nginx.cell.d/10-x.conf", "[Unit]\n")));       /* 1 */
        ASSERT_OK(strv_push(&paths, tree_file(root, "etc/web.cell.d/20-y.conf", "[Unit]\n")));         /* 2 */
        ASSERT_OK(strv_push(&paths, tree_file(root, "usr/web.cell.d/30-z.conf", "[Unit]\n")));         /* 3 */
        ASSERT_OK(strv_push(&paths, tree_file(root, "usr/nginx.cell.d/30-z.conf", "[Unit]\n")));       /* 4 */
        ASSERT_OK(strv_push(&paths, tree_file(root, "usr/nginx.cell.d/40-w.conf", "[Unit]\n")));       /* 5 */
        ASSERT_OK(strv_push(&paths, strdup(paths[5])));
        ASSERT_EQ(unlink(paths[5]), 0);
        ASSERT_EQ(symlink("/nonexistent", paths[5]), 0);                /* 40-w.conf leads nowhere */
        ASSERT_OK(strv_push(&paths, tree_file(root, "usr/web.cell.d/40-w.conf", "[Unit]\n")));         /* 7 */

        ASSERT_OK(unit_dropin_find_names(dirs, names, &l, NULL));
        ASSERT_EQ(strv_length(l), 4);
        ASSERT_STREQ(l[0], paths[1]);
        ASSERT_STREQ(l[1], paths[2]);
        ASSERT_STREQ(l[2], paths[4]);
        ASSERT_STREQ(l[3], paths[5]);
        l = strv_free(l);

        /* Asked under the alias first, the alias's own directories lead. */
        names[0] = (char *) "web";
        names[1] = (char *) "nginx";
        ASSERT_OK(unit_dropin_find_names(dirs, names, &l, NULL));
        ASSERT_EQ(strv_length(l), 4);
        ASSERT_STREQ(l[0], paths[0]);
        ASSERT_STREQ(l[2], paths[3]);
        ASSERT_STREQ(l[3], paths[7]);

        for (size_t n = strv_length(paths); n > 0; n--)
                if (n - 1 != 6)         /* the same path as 5 */
                        ASSERT_EQ(unlink(paths[n - 1]), 0);
        for (const char * const *d = (const char * const[]) { "etc/web.cell.d", "usr/web.cell.d", "usr/nginx.cell.d",
                                                              "etc", "usr", NULL }; *d; d++) {
                _cleanup_free_ char *p = NULL;

                ASSERT_TRUE(asprintf(&p, "%s/%s", root, *d) > 0);
                ASSERT_EQ(rmdir(p), 0);
        }
        ASSERT_EQ(rmdir(root), 0);
        free(dirs[0]);
        free(dirs[1]);
}

/* An entry of a drop-in name that is a directory, or a symbolic link to
 * one: systemd 252 lists it (conf_files_list_strv() without flags does
 * not look at what an entry is), so that it hides the drop-ins of its name
 * in lower-priority directories, and reads nothing from it, silently
 * (config_parse() of a drop-in does not log); measured with "systemd-analyze
 * verify", DropIn Path. cell hides them likewise and does not list it, as
 * it lists no drop-in that adds nothing. */
TEST(directory_of_a_dropin_name_hides_and_adds_nothing) {
        char root[] = "/tmp/test-dropin-XXXXXX";
        _cleanup_free_ char *etc = NULL, *usr = NULL, *d50 = NULL, *l60 = NULL, *target = NULL;
        _cleanup_strv_free_ char **paths = NULL, **l = NULL;
        char *dirs[3] = {};

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_TRUE(asprintf(&etc, "%s/etc", root) > 0);
        ASSERT_TRUE(asprintf(&usr, "%s/usr", root) > 0);
        dirs[0] = etc;
        dirs[1] = usr;
        ASSERT_OK(strv_push(&paths, tree_file(root, "etc/web.cell.d/70-ok.conf", "[Unit]\n")));        /* 0 */
        ASSERT_OK(strv_push(&paths, tree_file(root, "usr/web.cell.d/50-dir.conf", "[Unit]\n")));       /* 1 */
        ASSERT_OK(strv_push(&paths, tree_file(root, "usr/web.cell.d/60-link.conf", "[Unit]\n")));      /* 2 */
        ASSERT_OK(strv_push(&paths, tree_file(root, "target/x.conf", "[Unit]\n")));                   /* 3 */
        ASSERT_TRUE(asprintf(&d50, "%s/web.cell.d/50-dir.conf", etc) > 0);
        ASSERT_TRUE(asprintf(&l60, "%s/web.cell.d/60-link.conf", etc) > 0);
        ASSERT_TRUE(asprintf(&target, "%s/target", root) > 0);
        ASSERT_EQ(mkdir(d50, 0755), 0);
        ASSERT_EQ(symlink(target, l60), 0);

        ASSERT_OK(unit_dropin_find(dirs, "web", &l));
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], paths[0]);

        ASSERT_EQ(unlink(l60), 0);
        ASSERT_EQ(rmdir(d50), 0);
        for (size_t n = strv_length(paths); n > 0; n--)
                ASSERT_EQ(unlink(paths[n - 1]), 0);
        for (const char * const *d = (const char * const[]) { "etc/web.cell.d", "usr/web.cell.d", "etc", "usr",
                                                              "target", NULL }; *d; d++) {
                _cleanup_free_ char *p = NULL;

                ASSERT_TRUE(asprintf(&p, "%s/%s", root, *d) > 0);
                ASSERT_EQ(rmdir(p), 0);
        }
        ASSERT_EQ(rmdir(root), 0);
}

/* Drop-ins not installed ("cell verify --drop-in"): one with a name is
 * placed as if installed under it in the directory of the highest
 * priority, replacing any drop-in of that name; one without, last. */
static char **add_extra(char **dirs, const UnitExtraDropin *extra, size_t n) {
        char **l = NULL;

        ASSERT_OK(unit_dropin_find(dirs, "web", &l));
        ASSERT_EQ(strv_length(l), 3);   /* 10-a.conf 20-b.conf 30-c.conf */
        ASSERT_OK(unit_dropin_add_extra(&l, extra, n));
        return l;
}

TEST(add_extra_dropins) {
        _cleanup_strv_free_ char **dirs = dropin_dirs(), **l = NULL;
        _cleanup_free_ char *respelled = NULL;

        /* usr's 20-b.conf replaced, in its place. */
        l = add_extra(dirs, (const UnitExtraDropin[]) { { "/nonexistent/ansible.1", "20-b.conf" } }, 1);
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[1], "/nonexistent/ansible.1");
        ASSERT_TRUE(endswith(l[2], "/etc/web.cell.d/30-c.conf"));
        l = strv_free(l);

        /* Each where its name sorts, those without a name last in the order
         * given (whatever their own names), of two of one name the later. */
        l = add_extra(dirs, (const UnitExtraDropin[]) {
                { "/nonexistent/00-first.conf", NULL },
                { "/nonexistent/ansible.2", "25-z.conf" },
                { "/nonexistent/ansible.3", "00.conf" },
                { "/nonexistent/ansible.4", "99.conf" },
                { "/nonexistent/ansible.5", NULL },
                { "/nonexistent/ansible.6", "25-z.conf" },
        }, 6);
        ASSERT_EQ(strv_length(l), 8);
        ASSERT_STREQ(l[0], "/nonexistent/ansible.3");
        ASSERT_TRUE(endswith(l[1], "/etc/web.cell.d/10-a.conf"));
        ASSERT_TRUE(endswith(l[2], "/usr/web.cell.d/20-b.conf"));
        ASSERT_STREQ(l[3], "/nonexistent/ansible.6");
        ASSERT_TRUE(endswith(l[4], "/etc/web.cell.d/30-c.conf"));
        ASSERT_STREQ(l[5], "/nonexistent/ansible.4");
        ASSERT_STREQ(l[6], "/nonexistent/00-first.conf");
        ASSERT_STREQ(l[7], "/nonexistent/ansible.5");
        l = strv_free(l);

        /* An installed one given again (spelled otherwise) is not applied
         * twice: without a name it is where it is installed. */
        ASSERT_TRUE(asprintf(&respelled, "%s/./web.cell.d/10-a.conf", dirs[0]) > 0);
        l = add_extra(dirs, (const UnitExtraDropin[]) { { respelled, NULL } }, 1);
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], respelled);
        l = strv_free(l);
        l = add_extra(dirs, (const UnitExtraDropin[]) { { respelled, "99.conf" } }, 1);
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[2], respelled);
        l = strv_free(l);

        /* A file given twice, without a name ("cell verify --drop-in=web X
         * X", or X and ./X), is one drop-in, at its first place. */
        l = add_extra(dirs, (const UnitExtraDropin[]) {
                { "/nonexistent/x", NULL }, { "/nonexistent/y", NULL }, { "/nonexistent/x", NULL },
        }, 3);
        ASSERT_EQ(strv_length(l), 5);
        ASSERT_STREQ(l[3], "/nonexistent/x");
        ASSERT_STREQ(l[4], "/nonexistent/y");
        l = strv_free(l);
        {
                char tmp[] = "/tmp/test-dropin-extra-XXXXXX";
                _cleanup_free_ char *again = NULL;
                int fd = mkostemp(tmp, O_CLOEXEC);

                ASSERT_TRUE(fd >= 0);
                ASSERT_EQ(close(fd), 0);
                ASSERT_TRUE(asprintf(&again, "/tmp/./%s", tmp + strlen("/tmp/")) > 0);
                l = add_extra(dirs, (const UnitExtraDropin[]) { { tmp, NULL }, { again, NULL } }, 2);
                ASSERT_EQ(unlink(tmp), 0);
                ASSERT_EQ(strv_length(l), 4);
                ASSERT_STREQ(l[3], tmp);
                l = strv_free(l);
        }

        ASSERT_OK(unit_dropin_find(dirs, "web", &l));
        for (const char * const *n = (const char * const[]) { ".hidden.conf", "x.txt", "a/b.conf", ".conf", NULL };
             *n; n++)
                ASSERT_ERROR(unit_dropin_add_extra(&l, (const UnitExtraDropin[]) { { "/nonexistent/x", *n } }, 1),
                             EINVAL);
        ASSERT_EQ(strv_length(l), 3);
        l = strv_free(l);

        /* Into an empty list (a unit without drop-ins). */
        ASSERT_OK(unit_dropin_find(dirs, "nothing", &l));
        ASSERT_OK(unit_dropin_add_extra(&l, (const UnitExtraDropin[]) { { "/nonexistent/x", "a.conf" } }, 1));
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], "/nonexistent/x");
}

/* The search directories' listings are kept (unit-dir-links.h): a drop-in
 * directory made after a lookup is found by the next one, whether its
 * search directory was missing before or was listed in the same clock
 * tick as the change (its mtime then need not move). */
TEST(dropin_dir_made_after_a_lookup) {
        char root[] = "/tmp/test-dropin-XXXXXX";
        _cleanup_free_ char *etc = NULL, *conf = NULL, *other = NULL;
        _cleanup_strv_free_ char **l = NULL;
        char *dirs[2] = {};
        struct stat st;

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_TRUE(asprintf(&etc, "%s/etc", root) > 0);
        dirs[0] = etc;

        /* No search directory yet. */
        ASSERT_OK(unit_dropin_find(dirs, "web", &l));
        ASSERT_NULL(l[0]);
        l = strv_free(l);
        conf = tree_file(root, "etc/web.cell.d/10-a.conf", "[Unit]\n");
        ASSERT_OK(unit_dropin_find(dirs, "web", &l));
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], conf);
        l = strv_free(l);

        /* Listed, then changed without its mtime moving (a change in the
         * same tick of the kernel's clock): not trusted, looked at again. */
        ASSERT_OK(unit_dropin_find(dirs, "other", &l));
        ASSERT_NULL(l[0]);
        l = strv_free(l);
        ASSERT_EQ(stat(etc, &st), 0);
        other = tree_file(root, "etc/other.cell.d/10-b.conf", "[Unit]\n");
        ASSERT_EQ(utimensat(AT_FDCWD, etc, (const struct timespec[]) { st.st_atim, st.st_mtim }, 0), 0);
        ASSERT_OK(unit_dropin_find(dirs, "other", &l));
        ASSERT_EQ(strv_length(l), 1);
        ASSERT_STREQ(l[0], other);

        ASSERT_EQ(unlink(conf), 0);
        ASSERT_EQ(unlink(other), 0);
        for (const char * const *d = (const char * const[]) { "etc/web.cell.d", "etc/other.cell.d", "etc", NULL };
             *d; d++) {
                _cleanup_free_ char *p = NULL;

                ASSERT_TRUE(asprintf(&p, "%s/%s", root, *d) > 0);
                ASSERT_EQ(rmdir(p), 0);
        }
        ASSERT_EQ(rmdir(root), 0);
}
