/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cases of a start that fails: bad input leaves nothing behind, so the
 * image (and the host's bind sources) are as they were, whatever mount
 * points were made before the failure. The table is in test-mounts.c. */

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "mounts-lib.h"

void case_unit_bind_missing(TestEnv *env);
void case_unit_undo(TestEnv *env);
void case_unit_undo_overlay(TestEnv *env);
void case_unit_undo_made(TestEnv *env);
void case_unit_overlay_upper_mount(TestEnv *env);

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

/* Starts a container of t that must fail with error and a message
 * containing needle, and checks that the image and the host's sources are
 * as they were; untouched with untouched: nothing was made in them at all.
 * what names the start in a failure. */
static void expect_plan_failure_unchanged(TestEnv *env, const TestPlan *t, const char *what, bool untouched,
                                          int error, const char *needle) {
        char *before, *after;

        before = listing(env, untouched);
        container_expect_error(env, t, error, needle);
        after = listing(env, untouched);
        check_listing(before, after, what);
        free(before);
        free(after);
}

/* The same for a container of the unit keys, on a read-only root or not. */
static void expect_failure_unchanged(TestEnv *env, const char *keys, bool read_only, bool untouched, int error,
                                     const char *needle) {
        TestPlan t;

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        t.plan.root_read_only = read_only;
        expect_plan_failure_unchanged(env, &t, keys, untouched, error, needle);
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

static void check_absent_below(const char *dir, const char *path) {
        char *p = path_join(dir, path);

        if (access(p, F_OK) >= 0 || errno != ENOENT) {
                fprintf(stderr, "%s: is there\n", p);
                _exit(1);
        }
        free(p);
}

static void check_absent(const TestEnv *env, const char *path) {
        check_absent_below(env->root, path);
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
                /* An overlay as written, and its layer at fault. */
                { "Overlay=@/missing::/c/d", "/test.cell:4: Overlay=@/missing::/c/d: @/missing: cannot open the layer",
                  ENOENT },
                { "Overlay=@/srcfile::/c/d", "/test.cell:4: Overlay=@/srcfile::/c/d: @/srcfile: cannot open the layer",
                  ENOTDIR },
                { "Overlay=+/missing::/c/d", "/test.cell:4: Overlay=+/missing::/c/d: +/missing: cannot open the layer",
                  ENOENT },
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
                { "TemporaryFileSystem=/z:nr_inodes=1E",
                  "/test.cell:11: TemporaryFileSystem=/z:nr_inodes=1E: cannot mount tmpfs", EINVAL },
                /* /keep/dir is a directory in the image. */
                { "Bind=@/srcfile:/keep/dir", "/test.cell:11: Bind=@/srcfile:/keep/dir: target is a directory but the "
                  "source is not", EISDIR },
                /* Through a link in the image: known only when its mount comes
                 * (another mount may bring what it leads to). */
                { "Bind=+/link:/z", "/test.cell:11: Bind=+/link:/z: source does not exist", ENOENT },
                /* A target through a link in the image to nothing: not made
                 * where it points, and said so (not a bare ENOENT). */
                { "Bind=@/srcdir:/link/x", "/test.cell:11: Bind=@/srcdir:/link/x: target leads through a symlink "
                  "in the image to a path that does not exist", ENOENT },
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

/* ---- unit-undo-overlay: an Overlay= upper directory that was missing
 * (with its parents), on the host or in the root, the work directory made
 * next to it and what the kernel made in that, go again when a later
 * mount fails; an upper that was there stays, and so does what a start
 * that succeeds made ---- */

/* The mount failing after the overlays (/z sorts after /o...). */
#define LATER_FAILURE "TemporaryFileSystem=/z:nr_inodes=1E\n"
#define LATER_FAILURE_WANT "TemporaryFileSystem=/z:nr_inodes=1E: cannot mount tmpfs"

static void inside_overlay_made(const TestEnv *env) {
        CHECK(access("/o/h/MARKER-cell-mounts", F_OK) == 0);
        CHECK(access("/o/r/passwd", F_OK) == 0);
}

void case_unit_undo_overlay(TestEnv *env) {
        static const char *const on_host =
                /* upper and its parents missing on the host */
                "Overlay=@/srcdir:@/new/upper:/o/h\n"
                /* an upper that is there: only the work directory is made */
                "Overlay=@/srcdir:@/there:/o/t\n"
                /* read-only: the upper is the top layer, made when missing */
                "OverlayReadOnly=@/srcdir:@/new-ro/upper:/o/ro\n";
        char *keys = NULL, *line = NULL, *p;
        TestPlan t;

        p = path_join(env->host, "there");
        make_dir(p);
        free(p);

        for (int ro = 0; ro <= 1; ro++) {
                /* Inside the root ("+"): on a read-only root too. */
                CHECK(asprintf(&line, "%s%s%s", on_host, "Overlay=+/etc:+/up/new:/o/r\n", LATER_FAILURE) >= 0);
                keys = with_host(env, line);
                expect_failure_unchanged(env, keys, ro, false, EINVAL, LATER_FAILURE_WANT);
                check_absent(env, "/o");
                check_absent(env, "/up");
                check_absent_below(env->host, "new");
                check_absent_below(env->host, "new-ro");
                check_absent_below(env->host, ".#there.cellwork");
                free(line);
                free(keys);
        }

        /* A start that succeeds keeps them: the upper holds the changes. */
        keys = with_host(env, "Overlay=@/srcdir:@/new/upper:/o/h\nOverlay=+/etc:+/up/new:/o/r\n");
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        CHECK(container_run(env, &t, false, inside_overlay_made, NULL) == 0);
        free(keys);
        p = path_join(env->host, "new/.#upper.cellwork");
        CHECK(access(p, F_OK) == 0);
        free(p);
        p = path_join(env->root, "up/new");
        CHECK(access(p, F_OK) == 0);
        free(p);
}

/* ---- unit-overlay-upper-mount: an upper directory that is the root of a
 * mount (a tmpfs mounted there) would have its work directory beside it on
 * another mount, which overlayfs refuses with EINVAL, saying why in the
 * kernel log alone; the start says why instead, and leaves nothing (no work
 * directory beside it). (A directory below that mount point is an upper as
 * any; the harness takes a mount in its host directory for an escape.) ---- */

void case_unit_overlay_upper_mount(TestEnv *env) {
        char *mp = path_join(env->host, "mp"), *keys;
        TestPlan t;

        make_dir(mp);
        /* in the test's own mount namespace: gone with it */
        CHECK(mount("tmpfs", mp, "tmpfs", 0, "mode=0755") == 0);
        keys = with_host(env, "Overlay=@/srcdir:@/mp:/o\n");
        expect_failure_unchanged(env, keys, false, false, EXDEV, "/mp is a mount point: overlayfs needs the work "
                                 "directory beside it (.#mp.cellwork) on its mount");
        check_absent_below(env->host, ".#mp.cellwork");
        check_absent(env, "/o");
        free(keys);
        CHECK(umount2(mp, MNT_DETACH) == 0);
        free(mp);

        /* Volatile=state keeps the image as it is: a "+" upper outside its
         * /var (which the plan refuses; a plan made here) is neither made
         * in the root nor written through it, the root is not unsealed for
         * it (as for ReadOnly=yes), and the start fails as nspawn's does. */
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, "Overlay=+/etc:+/up/new:/o/r\n");
        t.plan.root_volatile = CELL_VOLATILE_STATE;
        expect_plan_failure_unchanged(env, &t, "Volatile=state\nOverlay=+/etc:+/up/new:/o/r\n", false, EROFS,
                                      "/test.cell:3: Overlay=+/etc:+/up/new:/o/r: +/up/new: cannot open the upper "
                                      "layer");
        check_absent(env, "/up");
        check_absent(env, "/o");
}

/* ---- unit-undo-made: what else a start makes for itself goes again when
 * it fails later: Volatile=state's /var, an /etc file of ResolvConf= or
 * Timezone= (and its directory) that was not there; and a mount point
 * made on a host mount below Directory= that ReadOnly= sealed ---- */

static void etc_file(PlanEtcFile *f, const char *key, const char *target, PlanEtcMode mode, char *source) {
        *f = (PlanEtcFile) {
                .key = key,
                .setting = mode == PLAN_ETC_COPY ? "copy" : "replace",
                .target = target,
                .mode = mode,
                .source = source,
        };
}

void case_unit_undo_made(TestEnv *env) {
        char *keys, *p, *text, *src_file = path_join(env->host, "srcfile"), *src_dir = path_join(env->host, "srcdir");
        struct {
                const char *target;
                PlanEtcMode mode;
                const char *absent;     /* what must be gone */
                const char *what;       /* in a failure */
        } etc[] = {
                { "/etc/resolv.conf", PLAN_ETC_COPY, "/etc/resolv.conf", "ResolvConf=copy-host\n" },
                { "/etc/resolv.conf", PLAN_ETC_REPLACE, "/etc/resolv.conf", "ResolvConf=replace-host\n" },
                { "/newetc/resolv.conf", PLAN_ETC_COPY, "/newetc", "ResolvConf=copy-host to /newetc\n" },
        };
        TestPlan t;

        keys = with_host(env, "Bind=@/srcdir:/a/b\n" LATER_FAILURE);

        /* Volatile=state on an image without /var. */
        p = path_join(env->root, "var");
        CHECK(rmdir(p) == 0);
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        t.plan.root_volatile = CELL_VOLATILE_STATE;
        expect_plan_failure_unchanged(env, &t, "Volatile=state\n", false, EINVAL, LATER_FAILURE_WANT);
        check_absent(env, "/var");
        make_dir(p);
        free(p);

        /* ResolvConf= writes a new file, then Timezone= fails (its host
         * file is a directory). */
        for (size_t i = 0; i < ELEMENTSOF(etc); i++) {
                test_plan_init(&t, env);
                test_plan_add_defaults(&t);
                test_plan_add_unit(&t, env, "Bind=/dev/null:/a/null\n");
                etc_file(&t.plan.resolv_conf, "ResolvConf", etc[i].target, etc[i].mode, src_file);
                etc_file(&t.plan.timezone, "Timezone", "/etc/localtime", PLAN_ETC_COPY, src_dir);
                expect_plan_failure_unchanged(env, &t, etc[i].what, false, EISDIR, "Timezone=copy: ");
                check_absent(env, etc[i].absent);
                check_absent(env, "/a");
        }
        /* One the image has is written over, as nspawn does: it stays. */
        p = path_join(env->root, "etc/resolv.conf");
        write_file(p, "image\n");
        etc_file(&t.plan.resolv_conf, "ResolvConf", "/etc/resolv.conf", PLAN_ETC_COPY, src_file);
        container_expect_error(env, &t, EISDIR, "Timezone=copy: ");
        text = read_file(p);
        CHECK(text && streq(text, "srcfile\n"));
        CHECK(unlink(p) == 0);
        free(text);
        free(p);

        /* A mount point on a host mount below Directory=, which the seal of
         * ReadOnly= made read-only with the rest. */
        p = path_join(env->root, "srv");
        make_dir(p);
        free(p);
        p = path_join(env->host, "sub");
        make_dir(p);
        free(p);
        {
                char *sub = path_join(env->host, "sub"), *srv = path_join(env->root, "srv");

                CHECK(mount(sub, srv, NULL, MS_BIND, NULL) == 0);
                free(keys);
                keys = with_host(env, "Bind=@/srcdir:/srv/x/y\nBind=@/srcdir:/a/b\n" LATER_FAILURE);
                expect_failure_unchanged(env, keys, true, false, EINVAL, LATER_FAILURE_WANT);
                check_absent_below(env->host, "sub/x");
                check_absent(env, "/a");
                CHECK(umount2(srv, MNT_DETACH) == 0);
                free(sub);
                free(srv);
        }
        free(keys);
        free(src_file);
        free(src_dir);
}
