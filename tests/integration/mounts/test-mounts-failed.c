/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cases of a start that fails: bad input leaves nothing behind, so the
 * image (and the host's bind sources) are as they were, whatever mount
 * points were made before the failure. The table is in test-mounts.c. */

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "mounts-lib.h"

void case_unit_bind_missing(TestEnv *env);
void case_unit_undo(TestEnv *env);

/* ---- a listing of a tree, to compare before and after ---- */

static char **listing_lines;
static size_t listing_n;
static bool listing_mtime;

static int listing_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        char *line;

        /* A directory's size is the file system's business (ext4 never shrinks one). */
        CHECK(asprintf(&line, "%s %o %lld %lld.%09ld", path, (unsigned) st->st_mode,
                       S_ISDIR(st->st_mode) ? 0LL : (long long) st->st_size,
                       listing_mtime ? (long long) st->st_mtim.tv_sec : 0LL,
                       listing_mtime ? st->st_mtim.tv_nsec : 0L) >= 0);
        listing_lines = realloc(listing_lines, (listing_n + 1) * sizeof *listing_lines);
        CHECK(listing_lines);
        listing_lines[listing_n++] = line;
        return 0;
}

static int compare_lines(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every object below the image and the host's sources, sorted: path, mode,
 * a file's size, and with mtime its modification time (a directory's
 * changes when something was made in it, even if removed again). */
static char *listing(const TestEnv *env, bool mtime) {
        char *text = strdup(""), *next;

        CHECK(text);
        listing_n = 0;
        listing_mtime = mtime;
        CHECK(nftw(env->root, listing_one, 16, FTW_PHYS) == 0);
        CHECK(nftw(env->host, listing_one, 16, FTW_PHYS) == 0);
        qsort(listing_lines, listing_n, sizeof *listing_lines, compare_lines);
        for (size_t i = 0; i < listing_n; i++) {
                CHECK(asprintf(&next, "%s%s\n", text, listing_lines[i]) >= 0);
                free(text);
                free(listing_lines[i]);
                text = next;
        }
        free(listing_lines);
        listing_lines = NULL;
        return text;
}

static void check_listing(const char *before, const char *after, const char *keys) {
        if (!streq(before, after)) {
                fprintf(stderr, "the failed start of\n%sleft something behind:\n--- before\n%s--- after\n%s",
                        keys, before, after);
                _exit(1);
        }
}

/* Starts a container of the unit keys (on a read-only root or not) that
 * must fail with error and a message containing needle, and checks that
 * the image and the host's sources are as they were; untouched with
 * untouched: nothing was made in them at all. */
static void expect_failure_unchanged(TestEnv *env, const char *keys, bool read_only, bool untouched, int error,
                                     const char *needle) {
        char *before, *after;
        TestPlan t;

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        t.plan.root_read_only = read_only;

        before = listing(env, untouched);
        container_expect_error(env, &t, error, needle);
        after = listing(env, untouched);
        check_listing(before, after, keys);
        free(before);
        free(after);
}

/* tmpl with every "@" replaced by the host directory. */
static char *with_host(const TestEnv *env, const char *tmpl) {
        char *s = strdup(""), *next;

        CHECK(s);
        for (const char *p = tmpl; *p; p++) {
                if (*p == '@')
                        CHECK(asprintf(&next, "%s%s", s, env->host) >= 0);
                else
                        CHECK(asprintf(&next, "%s%c", s, *p) >= 0);
                free(s);
                s = next;
        }
        return s;
}

static void check_absent(const TestEnv *env, const char *path) {
        char *p = path_join(env->root, path);

        if (access(p, F_OK) >= 0 || errno != ENOENT) {
                fprintf(stderr, "%s: is there\n", p);
                _exit(1);
        }
        free(p);
}

/* ---- unit-bind-missing: a source that is missing (or not what the mount
 * needs) fails the start before the first mount point is made -- the
 * image is not even touched -- and with "-" it is skipped ---- */

static void inside_bind_missing_optional(const TestEnv *env) {
        CHECK(access("/a/b/MARKER-cell-mounts", F_OK) == 0);
        CHECK(access("/c/d", F_OK) < 0 && errno == ENOENT);
        CHECK(access("/c", F_OK) < 0 && errno == ENOENT);
}

void case_unit_bind_missing(TestEnv *env) {
        char *keys = NULL, *want = NULL, *p;
        struct {
                const char *key;        /* the failing line, @ the host dir */
                const char *want;       /* the message, @ the host dir, after the unit
                                         * file's line (the keys start on line 3) */
                int error;
        } bad[] = {
                { "Bind=@/missing:/c/d", "/test.cell:4: Bind=@/missing:/c/d: source does not exist", ENOENT },
                { "BindReadOnly=@/missing:/c/d", "/test.cell:4: BindReadOnly=@/missing:/c/d: source does not exist", ENOENT },
                { "Bind=@/srcfile/x:/c/d", "/test.cell:4: Bind=@/srcfile/x:/c/d: cannot open the source", ENOTDIR },
                { "Bind=+/missing:/c/d", "/test.cell:4: Bind=+/missing:/c/d: source does not exist", ENOENT },
                { "Overlay=@/missing::/c/d", "/test.cell:4: Overlay=/c/d: @/missing: cannot open the layer", ENOENT },
                { "Overlay=@/srcfile::/c/d", "/test.cell:4: Overlay=/c/d: @/srcfile: cannot open the layer", ENOTDIR },
                { "Overlay=+/missing::/c/d", "/test.cell:4: Overlay=/c/d: /missing: cannot open the layer", ENOENT },
        };
        TestPlan t;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                for (int ro = 0; ro <= 1; ro++) {
                        char *line = NULL;

                        /* Before and after the failing one in mount order, on
                         * the image and in a host source. */
                        CHECK(asprintf(&line, "Bind=@/srcdir:/a/b\n%s\nTemporaryFileSystem=/e/f\n"
                                       "Bind=@/srcfile:/a/b/new/file\n", bad[i].key) >= 0);
                        keys = with_host(env, line);
                        want = with_host(env, bad[i].want);
                        expect_failure_unchanged(env, keys, ro, true, bad[i].error, want);
                        check_absent(env, "/a");
                        check_absent(env, "/c");
                        check_absent(env, "/e");
                        free(line);
                        free(keys);
                        free(want);
                }

        /* "-": skipped, the other mounts are made. */
        keys = with_host(env, "Bind=@/srcdir:/a/b\nBind=-@/missing:/c/d\nBind=-+/missing:/c/e\n");
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        CHECK(container_run(env, &t, false, inside_bind_missing_optional, NULL) == 0);
        free(keys);
        /* The mount point made stays, as nspawn's do. */
        p = path_join(env->root, "a/b");
        CHECK(rmdir(p) == 0);
        free(p);
        p = path_join(env->root, "a");
        CHECK(rmdir(p) == 0);
        free(p);
}

/* ---- unit-undo: a failure after mount points were made (the kernel
 * refuses a mount, a target of the wrong type, a source inside the root
 * found missing only when its mount comes) removes what the start made:
 * only that, deepest first, on a read-only root too ---- */

void case_unit_undo(TestEnv *env) {
        char *keys = NULL, *want = NULL, *p;
        struct {
                const char *key;
                const char *want;       /* after the unit file's line (the keys start on line 3) */
                int error;
        } bad[] = {
                /* The kernel refuses the mount (too many inodes for it). */
                { "TemporaryFileSystem=/z:nr_inodes=1E", "/test.cell:11: TemporaryFileSystem=/z: cannot mount tmpfs", EINVAL },
                /* /keep/dir is a directory in the image. */
                { "Bind=@/srcfile:/keep/dir", "/test.cell:11: Bind=@/srcfile:/keep/dir: target is a directory but the "
                  "source is not", EISDIR },
                /* Through a link in the image: known only when its mount comes
                 * (another mount may bring what it leads to). */
                { "Bind=+/link:/z", "/test.cell:11: Bind=+/link:/z: source does not exist", ENOENT },
        };

        /* An empty directory of the image that the mounts go below: it stays. */
        p = path_join(env->root, "keep");
        make_dir(p);
        free(p);
        p = path_join(env->root, "keep/dir");
        make_dir(p);
        free(p);
        p = path_join(env->root, "link");
        make_link("/nonexistent-cell-src", p);
        free(p);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                for (int ro = 0; ro <= 1; ro++) {
                        char *line = NULL;

                        /* Mount points made in the image (directories and an
                         * empty file, below a directory it has and not), in a
                         * host source, in a tmpfs and stacked on one path. */
                        CHECK(asprintf(&line,
                                       "Bind=@/srcdir:/a/b\n"
                                       "Bind=@/srcfile:/a/file\n"
                                       "Bind=@/srcfile:/a/b/new/file\n"
                                       "Bind=@/srcdir:/keep/x/y\n"
                                       "TemporaryFileSystem=/t\n"
                                       "Bind=@/srcdir:/t/u\n"
                                       "Bind=@/srcdir:/s\n"
                                       "TemporaryFileSystem=/s\n"
                                       "%s\n", bad[i].key) >= 0);
                        keys = with_host(env, line);
                        want = with_host(env, bad[i].want);
                        expect_failure_unchanged(env, keys, ro, false, bad[i].error, want);
                        check_absent(env, "/a");
                        check_absent(env, "/keep/x");
                        check_absent(env, "/t");
                        check_absent(env, "/s");
                        check_absent(env, "/z");
                        free(line);
                        free(keys);
                        free(want);
                }
}
