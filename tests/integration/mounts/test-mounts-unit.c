/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cases that start from a unit's keys: what Overlay= and Bind= say in
 * nspawn's syntax, through the reader and the planner, down to the mounts
 * the payload sees. The table is in test-mounts.c. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"
#include "mounts-lib.h"

void case_unit_overlay_order(TestEnv *env);

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
                       "Overlay=+/ov/l1:+/ov/l2:+/ov/l3::/o5\n",
                       env->host) >= 0);
        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add_unit(&t, env, keys);
        run_ok(env, &t, inside_overlay_order);
        free(keys);
        free(ov);
}
