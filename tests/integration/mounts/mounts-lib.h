/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The harness of the mount tests (root only).
 *
 *   main (host mount namespace): records the host's mountinfo, makes a temp
 *     dir with a busybox root, forks
 *   sandbox: a private mount namespace of the test (/ made rprivate, then
 *     rshared so a mount that leaked out of a container would show up
 *     here), runs one case; each case starts containers with
 *   container_run(): fork, unshare(NEWNS|NEWPID|NEWNET|NEWIPC), fork the
 *     container's PID 1, mount_setup_build(), check the tree before pivot
 *     (no new mount outside the root), mount_setup_pivot(), run the case's
 *     check from inside.
 *   main again: removes the temp dir (also after a failure), compares the
 *   host's mountinfo before/after. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "mount-setup.h"

/* A failed check: print where and why, exit 1 (the process we are in). */
#define CHECK(expr)                                                             \
        do {                                                                    \
                if (!(expr)) {                                                  \
                        fprintf(stderr, "%s:%d: check failed: %s (errno: %m)\n", \
                                __FILE__, __LINE__, #expr);                     \
                        _exit(1);                                               \
                }                                                               \
        } while (0)

typedef struct TestEnv {
        char base[64];          /* /tmp/cell-mounts-XXXXXX */
        char root[96];          /* base/root: busybox, merged /usr */
        char host[96];          /* base/host: bind sources, sentinels */
        char *sandbox_mountinfo;        /* the sandbox's table before the case */
} TestEnv;

typedef struct TestPlan {
        Plan plan;
        PlanMount mounts[64];
        bool cgroup_unified;    /* mount /sys/fs/cgroup as on a pure cgroup2 host, whatever this host is */
        const char *cgroup_foreign; /* the hierarchy ("memory", "0" for cgroup2) where the container is in
                                 * the test's cgroup, not its own; in each other its own (the test's
                                 * /proc/self/cgroup with the paths made "/test/cell-test") */
        bool no_mknod;          /* the builder without CAP_MKNOD (cell in a service that drops it) */
} TestPlan;

typedef void (*InsideFunc)(const TestEnv *env);

/* A plan with Directory= = env->root and no mounts. */
void test_plan_init(TestPlan *t, const TestEnv *env);
PlanMount *test_plan_add(TestPlan *t, PlanMountKind kind, const char *source, const char *target,
                         const char *fstype, unsigned long flags, const char *data);
/* What the plan stage gives every container: /proc with its masks and
 * read-only paths, /sys, /dev with nodes, devpts, shm, mqueue and links, /run. */
void test_plan_add_defaults(TestPlan *t);
/* The mounts of a unit's own [Root] keys (root_keys: "Bind=...\n" lines;
 * Directory= is env->root), as unit_load() and plan_build() make them,
 * appended to t: what the unit syntax means, down to the mounts. */
void test_plan_add_unit(TestPlan *t, const TestEnv *env, const char *root_keys);

/* Runs a container of the plan; inside (may be NULL) runs after pivot_root
 * (and after mount_setup_cgroup() in a new cgroup namespace when cgroup).
 * Returns 0 when everything passed, -errno of mount_setup_*() with its
 * message in *err, or a positive exit status from a failed check. */
int container_run(const TestEnv *env, const TestPlan *t, bool cgroup, InsideFunc inside, SpawnError *err);

/* Like container_run() but the build must fail with -error and a message
 * containing needle. */
void container_expect_error(const TestEnv *env, const TestPlan *t, int error, const char *needle);

/* Files. */
char *read_file(const char *path);
void write_file(const char *path, const char *text);
void make_dir(const char *path);
void make_link(const char *target, const char *path);
char *path_join(const char *a, const char *b);

/* The top-most mount at path in /proc/self/mountinfo: its per-mount options
 * ("ro,nosuid,...") and file system type; false if path is no mount point. */
bool mountinfo_lookup(const char *path, char **ret_options, char **ret_fstype);
/* The option list has the option (comma separated, exact). */
bool has_option(const char *options, const char *option);

/* One test case, in the sandbox. Returns 0 or exits non-zero. */
typedef struct TestCase {
        const char *name;
        void (*run)(TestEnv *env);
        void (*after)(const TestEnv *env);      /* in main, on the host, after the sandbox is gone */
} TestCase;

extern const TestCase test_cases[];
