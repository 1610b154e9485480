/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cases that start from a unit's keys: what Overlay= and Bind= say in
 * nspawn's syntax, through the reader and the planner, down to the mounts
 * the payload sees. The table is in test-mounts.c. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "mounts-lib.h"

void case_unit_overlay_order(TestEnv *env);
void case_unit_bind_in_root(TestEnv *env);
void case_unit_order(TestEnv *env);
void case_unit_overlay_upper(TestEnv *env);

static void run_ok(const TestEnv *env, const TestPlan *t, InsideFunc inside) {
        SpawnError err = {};
        int r;

        r = container_run(env, t, false, inside, &err);
        if (r != 0) {
                fprintf(stderr, "container failed: %d %s\n", r, err.message);
                _exit(1);
        }
}

static void check_content(const char *path, const char *want) {
        char *s = read_file(path);

        if (!s || !streq(s, want)) {
                fprintf(stderr, "%s: \"%s\", expected \"%s\"\n", path, strna(s), want);
                _exit(1);
        }
        free(s);
}

/* A file of the given content at dir/name (dir made if missing). */
static void put(const char *dir, const char *name, const char *text) {
        char *p = path_join(dir, name);

        make_dir(dir);
        write_file(p, text);
        free(p);
}

/* ---- unit-overlay-order: lowers are written lowest first (nspawn), so
 * of the lowers the right-most one's file wins, and the upper's over all ---- */

static void inside_overlay_order(const TestEnv *env) {
        check_content("/o-host/f", "hl2\n");
        check_content("/o/f", "l2\n");
        check_content("/o/only1", "1\n");       /* a lower file nothing covers shows through */
        check_content("/o3/f", "l2\n");         /* the upper (empty) adds nothing */
        check_content("/o4/f", "upro\n");       /* read-only: the upper is the top layer */
        check_content("/o5/f", "l3\n");
        check_content("/o5/mid", "l2\n");       /* the middle lower over the lowest */
        /* Read-only, an empty upper and one lower: a read-only view of it
         * (nspawn's empty temporary layer on top), not a refused mount. */
        check_content("/o6/f", "l1\n");
        CHECK(access("/o6/f", W_OK) < 0 && errno == EROFS);
}

void case_unit_overlay_order(TestEnv *env) {
        char *ov = path_join(env->root, "ov"), *keys = NULL, *d;
        TestPlan t;

        make_dir(ov);
        d = path_join(ov, "l1");
        put(d, "f", "l1\n");
        put(d, "only1", "1\n");
        put(d, "mid", "l1\n");
        free(d);
        d = path_join(ov, "l2");
        put(d, "f", "l2\n");
        put(d, "mid", "l2\n");
        free(d);
        d = path_join(ov, "l3");
        put(d, "f", "l3\n");
        free(d);
        d = path_join(ov, "up");
        make_dir(d);
        free(d);
        d = path_join(ov, "upro");
        put(d, "f", "upro\n");
        free(d);
        d = path_join(env->host, "hl1");
        put(d, "f", "hl1\n");
        free(d);
        d = path_join(env->host, "hl2");
        put(d, "f", "hl2\n");
        free(d);

        CHECK(asprintf(&keys,
                       "Overlay=%1$s/hl1:%1$s/hl2::/o-host\n"
                       "Overlay=+/ov/l1:+/ov/l2::/o\n"
                       "Overlay=+/ov/l1:+/ov/l2:+/ov/up:/o3\n"
                       "OverlayReadOnly=+/ov/l1:+/ov/l2:+/ov/upro:/o4\n"
                       "Overlay=+/ov/l1:+/ov/l2:+/ov/l3::/o5\n"
                       "OverlayReadOnly=+/ov/l1::/o6\n",
                       env->host) >= 0);
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        run_ok(env, &t, inside_overlay_order);
        free(keys);
        free(ov);
}

/* ---- unit-bind-in-root: Bind=+SRC takes SRC inside the root, resolved
 * there: a link in the image never reaches a host file, nor the
 * container's /proc or /sys before their masks are on ---- */

static void inside_bind_in_root(const TestEnv *env) {
        char *opts = NULL, *fstype = NULL;

        check_content("/mnt/file", "in root\n");
        check_content("/mnt/dir/x", "x\n");
        CHECK(mountinfo_lookup("/mnt/dir", &opts, &fstype) && has_option(opts, "ro"));
        free(opts);
        free(fstype);
        CHECK(open("/mnt/dir/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS);
        CHECK(access("/mnt/none", F_OK) < 0 && errno == ENOENT);
        check_content("/srv/dir/x", "x\n");     /* default target: the path without "+" */
        CHECK(mountinfo_lookup("/srv/dir", &opts, &fstype));
        free(opts);
        free(fstype);
}

static void inside_links(const TestEnv *env) {
        /* The image's own file at the path the links name, never the host's. */
        check_content("/abs", "image\n");
        check_content("/rel", "image\n");
}

void case_unit_bind_in_root(TestEnv *env) {
        char *srv = path_join(env->root, "srv"), *d, *p;
        TestPlan t;

        put(srv, "file", "in root\n");
        d = path_join(srv, "dir");
        put(d, "x", "x\n");
        free(d);

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env,
                           "Bind=+/srv/file:/mnt/file\n"
                           "BindReadOnly=+/srv/dir:/mnt/dir\n"
                           "Bind=-+/nonexistent-cell-src:/mnt/none\n"
                           "Bind=+/srv/dir\n");
        run_ok(env, &t, inside_bind_in_root);

        /* The same with the root read-only: the mount points are made first. */
        t.plan.root_read_only = true;
        run_ok(env, &t, inside_bind_in_root);
        t.plan.root_read_only = false;

        /* Links in the image to the host's file (absolute, and climbing out
         * with ".."): resolved inside the root, where nothing is there yet. */
        p = path_join(env->host, "hostfile");
        d = path_join(env->root, "abs-link");
        make_link(p, d);
        free(d);
        free(p);
        CHECK(asprintf(&p, "../../../../../../../../..%s/hostfile", env->host) >= 0);
        d = path_join(env->root, "rel-link");
        make_link(p, d);
        free(d);
        free(p);

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, "Bind=+/abs-link:/abs\n");
        container_expect_error(env, &t, ENOENT, "/test.cell:3: Bind=+/abs-link:/abs: source does not exist");
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, "Bind=+/rel-link:/rel\n");
        container_expect_error(env, &t, ENOENT, "/test.cell:3: Bind=+/rel-link:/rel: source does not exist");

        /* ... and the image's own file once it has one at that path. */
        d = path_join(env->root, env->host);
        for (char *slash = d + strlen(env->root) + 1; (slash = strchr(slash, '/')); slash++) {
                *slash = 0;
                make_dir(d);
                *slash = '/';
        }
        put(d, "hostfile", "image\n");
        free(d);
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, "Bind=+/abs-link:/abs\nBind=+/rel-link:/rel\n");
        run_ok(env, &t, inside_links);

        /* The container's /proc and /sys, directly or through a link: they
         * get their masks and read-only paths only after the unit's mounts. */
        d = path_join(env->root, "proc-link");
        make_link("/proc/sys", d);
        free(d);
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, "Bind=+/proc-link:/p\n");
        container_expect_error(env, &t, EPERM, "/test.cell:3: Bind=+/proc-link:/p: source is on the container's procfs");
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, "Bind=+/proc:/p\n");
        container_expect_error(env, &t, EPERM, "/test.cell:3: Bind=+/proc:/p: source is on the container's procfs");
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, "BindReadOnly=+/sys/kernel:/k\n");
        container_expect_error(env, &t, EPERM, "BindReadOnly=+/sys/kernel:/k: source is on the container's sysfs");

        free(srv);
}

/* ---- unit-order: the unit's mounts go on sorted by target, as nspawn
 * sorts them, so a TemporaryFileSystem= written after a Bind= below it
 * does not hide it; a tmpfs with options has the kernel's mode; below
 * cell's read-only /proc/sys they keep their own flags ---- */

static mode_t mode_of(const char *path) {
        struct stat st;

        CHECK(stat(path, &st) == 0);
        return st.st_mode & 07777;
}

static void inside_order(const TestEnv *env) {
        check_content("/srv/data/f", "data\n");
        check_content("/srv/data/x/f", "x\n");
        CHECK(mode_of("/srv") == 0755);         /* a bare PATH: 0755, as nspawn */
        CHECK(mode_of("/scratch") == 01777);    /* PATH:OPTS: the kernel's mode, as nspawn */
        CHECK(mode_of("/scratch2") == 0700);
}

static void inside_proc_sys_below(const TestEnv *env) {
        char *opts = NULL, *fstype = NULL;

        write_file("/proc/sys/kernel/f", "tmpfs\n");
        write_file("/proc/sys/net/written", "bind\n");
        CHECK(open("/proc/sys/fs/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS);
        CHECK(mountinfo_lookup("/proc/sys", &opts, &fstype));
        CHECK(has_option(opts, "ro") && streq(fstype, "proc"));
        free(opts);
        free(fstype);
        CHECK(mountinfo_lookup("/proc/sys/kernel", &opts, &fstype));
        CHECK(has_option(opts, "rw") && streq(fstype, "tmpfs"));
        free(opts);
        free(fstype);
}

void case_unit_order(TestEnv *env) {
        char *data = path_join(env->host, "data"), *x = path_join(env->host, "x"), *keys = NULL, *p;
        TestPlan t;

        put(data, "f", "data\n");
        put(x, "f", "x\n");
        CHECK(asprintf(&keys,
                       "Bind=%s:/srv/data/x\n"
                       "Bind=%s:/srv/data\n"
                       "TemporaryFileSystem=/srv\n"
                       "TemporaryFileSystem=/scratch:size=1M\n"
                       "TemporaryFileSystem=/scratch2:mode=700\n",
                       x, data) >= 0);
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        run_ok(env, &t, inside_order);

        /* With the root read-only only /srv is made in the image: the
         * others lie in the tmpfs and the bind on it. */
        t.plan.root_read_only = true;
        run_ok(env, &t, inside_order);
        p = path_join(env->root, "srv");
        CHECK(rmdir(p) == 0);
        free(p);
        free(keys);

        /* Below cell's read-only /proc/sys, made after them, the unit's
         * mounts keep their own flags, as nspawn's do: writable unless
         * asked read-only. */
        CHECK(asprintf(&keys,
                       "TemporaryFileSystem=/proc/sys/kernel\n"
                       "Bind=%s:/proc/sys/net\n"
                       "BindReadOnly=%s:/proc/sys/fs\n",
                       data, x) >= 0);
        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_FS, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        test_plan_add_unit(&t, env, keys);
        test_plan_add(&t, PLAN_MOUNT_READ_ONLY, NULL, "/proc/sys", NULL,
                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REC, NULL);
        run_ok(env, &t, inside_proc_sys_below);
        p = path_join(data, "written");
        CHECK(access(p, F_OK) == 0);
        free(p);

        free(keys);
        free(data);
        free(x);
}

/* ---- unit-overlay-upper: a missing upper directory is made, as nspawn
 * makes it, on the host or (with "+") inside the root, a read-only root
 * (ReadOnly=yes) too ---- */

static void inside_overlay_upper(const TestEnv *env) {
        int fd;

        check_content("/o/f", "low\n");
        check_content("/o2/f", "low\n");
        fd = open("/o/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        close(fd);
        fd = open("/o2/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        close(fd);
}

static void inside_overlay_upper_sealed(const TestEnv *env) {
        int fd;

        check_content("/o2/f", "low\n");
        check_content("/o3/f", "low\n");       /* its missing upper made on the sealed root */
        fd = open("/o2/new-sealed", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        close(fd);
        /* The root, and the upper at its own path, stay read-only. */
        CHECK(open("/etc/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS);
        CHECK(open("/state/up/other", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS);
}

void case_unit_overlay_upper(TestEnv *env) {
        char *low = path_join(env->host, "low"), *up = path_join(env->host, "new/up"), *keys = NULL, *p;
        TestPlan t;

        put(low, "f", "low\n");
        p = path_join(env->root, "low");
        put(p, "f", "low\n");
        free(p);
        CHECK(asprintf(&keys,
                       "Overlay=%s:%s:/o\n"
                       "Overlay=+/low:+/state/up:/o2\n"
                       "OverlayReadOnly=+/low:+/state/ro-up:/o3\n",
                       low, up) >= 0);
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        run_ok(env, &t, inside_overlay_upper);

        p = path_join(up, "new");
        CHECK(access(p, F_OK) == 0);            /* the changes are in the upper made */
        free(p);
        p = path_join(env->root, "state/up/new");
        CHECK(access(p, F_OK) == 0);
        free(p);

        /* ReadOnly=yes: the root read-only, the "+" upper written through
         * the overlay all the same (cell unseals the root for it; nspawn 252 fails); a
         * missing read-only upper is made there as well. */
        p = path_join(env->root, "state/ro-up");
        CHECK(rmdir(p) == 0);
        free(p);
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        t.plan.root_read_only = true;
        run_ok(env, &t, inside_overlay_upper_sealed);
        p = path_join(env->root, "state/up/new-sealed");
        CHECK(access(p, F_OK) == 0);
        free(p);
        p = path_join(env->root, "state/.#up.cellwork");
        CHECK(access(p, F_OK) == 0);
        free(p);

        free(keys);
        free(low);
        free(up);
}
