/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The cases for the runc/crun escape classes, Volatile=, Overlay= and the
 * cgroup mount. The table is in test-mounts.c. */

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "mount-util.h"
#include "mounts-lib.h"

void case_mask_symlink(TestEnv *env);
void after_mask_symlink(const TestEnv *env);
void case_fake_proc(TestEnv *env);
void case_volatile_yes(TestEnv *env);
void case_volatile_state(TestEnv *env);
void case_volatile_overlay(TestEnv *env);
void after_volatile_overlay(const TestEnv *env);
void case_overlay(TestEnv *env);
void case_cgroup(TestEnv *env);
void case_race(TestEnv *env);

static bool is_null_device(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

static bool has_mount(const char *path, const char *fstype, const char *option) {
        char *opts = NULL, *type = NULL;
        bool ok;

        if (!mountinfo_lookup(path, &opts, &type))
                return false;
        ok = (!fstype || streq(type, fstype)) && (!option || has_option(opts, option));
        if (!ok)
                fprintf(stderr, "%s: %s %s\n", path, type, opts);
        free(opts);
        free(type);
        return ok;
}

static void run_ok(const TestEnv *env, const TestPlan *t, bool cgroup, InsideFunc inside) {
        SpawnError err = {};
        int r;

        r = container_run(env, t, cgroup, inside, &err);
        if (r != 0) {
                fprintf(stderr, "container failed: %d %s\n", r, err.message);
                _exit(1);
        }
}

static int write_fails(const char *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

        if (fd >= 0) {
                close(fd);
                return 0;
        }
        return errno;
}

/* ---- mask-symlink (CVE-2025-31133 class) ----
 * The image's /dev/null is a link to a writable host file, and masked
 * targets are links to a host file and to a file of the image: no mask may
 * become a writable host path. */

static void inside_mask_symlink(const TestEnv *env) {
        struct stat st;

        /* The mask is the host's real /dev/null, never the image's link. */
        char *s;
        int fd;

        CHECK(is_null_device("/proc/timer_list"));
        CHECK(write_fails("/proc/sys/kernel/core_pattern") == EROFS);
        /* /secret -> <host path>: resolved in the root, where it does not exist. */
        CHECK(lstat("/secret", &st) == 0 && S_ISLNK(st.st_mode));
        CHECK(access("/secret", F_OK) < 0 && errno == ENOENT);
        /* /secret2 -> /etc/passwd of the image: masked, read-only. */
        CHECK(is_null_device("/etc/passwd"));
        fd = open("/secret2", O_WRONLY | O_CLOEXEC);
        CHECK(fd >= 0 && write(fd, "x", 1) == 1);      /* into the null device */
        close(fd);
        s = read_file("/secret2");
        CHECK(s && *s == 0);
        free(s);
}

void case_mask_symlink(TestEnv *env) {
        char *p, *hostfile = path_join(env->host, "hostfile"), *cp, *save;
        TestPlan t;

        p = path_join(env->root, "secret");
        make_link(hostfile, p);
        free(p);
        p = path_join(env->root, "secret2");
        make_link("/etc/passwd", p);
        free(p);
        p = path_join(env->root, "dev/null");
        make_link("/proc/sys/kernel/core_pattern", p);
        free(p);

        cp = read_file("/proc/sys/kernel/core_pattern");
        CHECK(cp);
        save = path_join(env->host, "core_pattern.before");
        write_file(save, cp);

        /* No /dev tmpfs: the image's /dev (with its planted link) is used. */
        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_FS, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        test_plan_add(&t, PLAN_MOUNT_MASK, NULL, "/proc/timer_list", NULL, 0, NULL);
        test_plan_add(&t, PLAN_MOUNT_READ_ONLY, NULL, "/proc/sys", NULL, 0, NULL);
        test_plan_add(&t, PLAN_MOUNT_MASK, NULL, "/secret", NULL, 0, NULL)->line = 5;
        test_plan_add(&t, PLAN_MOUNT_MASK, NULL, "/secret2", NULL, 0, NULL)->line = 6;
        run_ok(env, &t, false, inside_mask_symlink);
        free(hostfile);
        free(cp);
        free(save);
}

void after_mask_symlink(const TestEnv *env) {
        char *p = path_join(env->host, "hostfile"), *s = read_file(p), *before, *now;

        CHECK(s && streq(s, "host secret\n"));
        free(s);
        free(p);
        p = path_join(env->host, "core_pattern.before");
        before = read_file(p);
        now = read_file("/proc/sys/kernel/core_pattern");
        CHECK(before && now && streq(before, now));
        free(before);
        free(now);
        free(p);
}

/* ---- fake-proc (CVE-2019-16884 class) ---- */

static void inside_fake_proc(const TestEnv *env) {
        struct statfs sfs;
        char link[16];

        CHECK(statfs("/proc", &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC);
        CHECK(readlink("/proc/self", link, sizeof link) == 1 && link[0] == '1');
        CHECK(is_null_device("/proc/timer_list"));
}

void case_fake_proc(TestEnv *env) {
        char *proc = path_join(env->root, "proc"), *fake = path_join(env->root, "fakeproc"), *p;
        TestPlan t;
        PlanMount *m;

        /* /proc a symlink to a directory of the image: refused. */
        CHECK(rmdir(proc) == 0);
        make_dir(fake);
        make_link("/fakeproc", proc);
        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_FS, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        container_expect_error(env, &t, ELOOP, "proc on /proc: target is a symlink");
        CHECK(unlink(proc) == 0);

        /* /proc a regular file: refused. */
        write_file(proc, "");
        container_expect_error(env, &t, ENOTDIR, "proc on /proc: target exists and is not a directory");
        CHECK(unlink(proc) == 0);

        /* A mask meant for the real /proc never goes into a fake one. */
        make_dir(proc);
        p = path_join(proc, "timer_list");
        write_file(p, "fake\n");
        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_MASK, NULL, "/proc/timer_list", NULL, 0, NULL);
        test_plan_add(&t, PLAN_MOUNT_FS, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        container_expect_error(env, &t, EPERM, "mask /proc/timer_list: target is not on procfs");
        CHECK(unlink(p) == 0);
        free(p);

        /* A tmpfs planted at /proc first: the fresh procfs goes on top. */
        test_plan_init(&t, env);
        m = test_plan_add(&t, PLAN_MOUNT_FS, "tmpfs", "/proc", "tmpfs", 0, NULL);
        m->line = 9;
        test_plan_add(&t, PLAN_MOUNT_FS, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        test_plan_add(&t, PLAN_MOUNT_MASK, NULL, "/proc/timer_list", NULL, 0, NULL);
        run_ok(env, &t, false, inside_fake_proc);
        free(proc);
        free(fake);

        /* /dev and /run links are refused as well (cell.unit(5), SECURITY):
         * their tmpfs, with the device nodes and cell's own files (the
         * notify socket), never goes over another directory of the image. */
        for (size_t i = 0; i < 2; i++) {
                const char *api = i == 0 ? "/dev" : "/run";
                char *dir = path_join(env->root, api), needle[64];

                CHECK(rmdir(dir) == 0);
                make_link("var", dir);
                test_plan_init(&t, env);
                test_plan_add(&t, PLAN_MOUNT_FS, "tmpfs", api, "tmpfs", MS_NOSUID, "mode=0755");
                snprintf(needle, sizeof needle, "tmpfs on %s: target is a symlink", api);
                container_expect_error(env, &t, ELOOP, needle);
                CHECK(unlink(dir) == 0);
                make_dir(dir);
                free(dir);
        }
}

/* ---- Volatile= ---- */

static void inside_volatile_yes(const TestEnv *env) {
        char link[32];

        CHECK(has_mount("/", "tmpfs", "rw"));
        CHECK(has_mount("/usr", NULL, "ro"));
        CHECK(readlink("/bin", link, sizeof link) == 7 && strncmp(link, "usr/bin", 7) == 0);
        CHECK(write_fails("/usr/x") == EROFS);
        CHECK(write_fails("/volatile-file") == 0);
        CHECK(access("/etc/passwd", F_OK) < 0);         /* only /usr comes from the image */
        CHECK(system("/bin/sh -c 'echo hi > /tmpf && /bin/cat /tmpf >/dev/null'") == 0);
}

void case_volatile_yes(TestEnv *env) {
        char *p;
        TestPlan t;

        test_plan_init(&t, env);
        t.plan.root_volatile = CELL_VOLATILE_YES;
        t.plan.root_read_only = true;
        test_plan_add_defaults(&t);
        run_ok(env, &t, false, inside_volatile_yes);
        p = path_join(env->root, "volatile-file");
        CHECK(access(p, F_OK) < 0 && errno == ENOENT);
        free(p);

        /* An image without a merged /usr (/bin a directory) would start
         * without /bin: refused, as nspawn refuses it. */
        p = path_join(env->root, "bin");
        CHECK(unlink(p) == 0);
        make_dir(p);
        container_expect_error(env, &t, EISDIR, "/bin is a directory: the image must have /bin, /sbin and /lib merged");
        CHECK(rmdir(p) == 0);
        make_link("usr/bin", p);
        free(p);
}

static void inside_volatile_state(const TestEnv *env) {
        CHECK(has_mount("/", NULL, "ro"));
        CHECK(has_mount("/var", "tmpfs", "rw"));
        CHECK(write_fails("/etc/x") == EROFS);
        CHECK(write_fails("/var/x") == 0);
        CHECK(access("/etc/passwd", R_OK) == 0);
}

void case_volatile_state(TestEnv *env) {
        TestPlan t;
        char *p;

        test_plan_init(&t, env);
        t.plan.root_volatile = CELL_VOLATILE_STATE;
        test_plan_add_defaults(&t);
        run_ok(env, &t, false, inside_volatile_state);

        /* An image whose /var is a link to "/": the tmpfs would go on the
         * root itself. Refused, as a unit's mount target there is. */
        p = path_join(env->root, "var");
        CHECK(rmdir(p) == 0);
        make_link("/", p);
        free(p);
        container_expect_error(env, &t, ELOOP, "Volatile=state: /var leads to the root");
}

static void inside_volatile_overlay(const TestEnv *env) {
        CHECK(has_mount("/", "overlay", "rw"));
        CHECK(access("/etc/passwd", R_OK) == 0);
        CHECK(write_fails("/etc/overlay-file") == 0);
        CHECK(access("/etc/overlay-file", F_OK) == 0);
}

void case_volatile_overlay(TestEnv *env) {
        TestPlan t;

        test_plan_init(&t, env);
        t.plan.root_volatile = CELL_VOLATILE_OVERLAY;
        t.plan.root_read_only = true;
        test_plan_add_defaults(&t);
        run_ok(env, &t, false, inside_volatile_overlay);
}

void after_volatile_overlay(const TestEnv *env) {
        char *p = path_join(env->root, "etc/overlay-file");

        CHECK(access(p, F_OK) < 0 && errno == ENOENT);
        free(p);
}

/* ---- Overlay= ---- */

static void inside_overlay(const TestEnv *env) {
        CHECK(has_mount("/ovl", "overlay", "rw"));
        CHECK(access("/ovl/L1", F_OK) == 0 && access("/ovl/MARKER-cell-mounts", F_OK) == 0);
        CHECK(write_fails("/ovl/new") == 0);
        CHECK(has_mount("/ovlw", "overlay", "rw"));
        CHECK(write_fails("/ovlw/new2") == 0);
        CHECK(has_mount("/ovlro", "overlay", "ro"));
        CHECK(access("/ovlro/rofile", F_OK) == 0);      /* the upper is the top lower layer */
        CHECK(access("/ovlro/MARKER-cell-mounts", F_OK) == 0);
        CHECK(write_fails("/ovlro/new3") == EROFS);
}

void case_overlay(TestEnv *env) {
        char *l1 = path_join(env->host, "lower1"), *src = path_join(env->host, "srcdir");
        char *upw = path_join(env->host, "upperw"), *upro = path_join(env->host, "upperro"), *p;
        char *lowers_a[] = { l1, src, NULL }, *lowers_b[] = { src, NULL };
        TestPlan t;
        PlanMount *m;

        make_dir(l1);
        make_dir(upw);
        make_dir(upro);
        p = path_join(upro, "rofile");
        write_file(p, "");
        free(p);
        p = path_join(l1, "L1");
        write_file(p, "l1\n");
        free(p);

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        m = test_plan_add(&t, PLAN_MOUNT_OVERLAY, NULL, "/ovl", "overlay", 0, NULL);
        m->lower = lowers_a;
        m->upper = (char *) "";
        m->line = 2;
        m = test_plan_add(&t, PLAN_MOUNT_OVERLAY, NULL, "/ovlw", "overlay", 0, NULL);
        m->lower = lowers_b;
        m->upper = upw;
        m->line = 3;
        m = test_plan_add(&t, PLAN_MOUNT_OVERLAY, NULL, "/ovlro", "overlay", MS_RDONLY, NULL);
        m->lower = lowers_b;
        m->upper = upro;
        m->line = 4;
        run_ok(env, &t, false, inside_overlay);

        p = path_join(src, "new");
        CHECK(access(p, F_OK) < 0 && errno == ENOENT);  /* lower layers never written */
        free(p);
        p = path_join(upw, "new2");
        CHECK(access(p, F_OK) == 0);                    /* a given upper keeps the changes */
        free(p);
        free(upro);
        free(l1);
        free(src);
        free(upw);
}

/* ---- cgroup: /sys/fs/cgroup inside a new cgroup namespace ---- */

/* The hierarchy case_cgroup() left the container in the test's cgroup in
 * ("0" for cgroup2), or NULL. */
static const char *inside_foreign;

static void inside_cgroup(const TestEnv *env) {
        char *text = read_file("/proc/self/cgroup"), *line, *save = NULL;
        bool v1 = false;

        CHECK(text);
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c = strchr(line, ':'), *path, dir[256];

                CHECK(c);
                path = strchr(c + 1, ':');
                CHECK(path);
                /* The cgroup namespace: our own cgroup is the root. */
                CHECK(streq(path + 1, "/"));
                if (startswith(line, "0::"))
                        continue;
                v1 = true;
                *path = 0;
                (void) snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s", startswith(c + 1, "name=") ?: c + 1);
                /* Not the container's own cgroup there: not shown at all. */
                if (streq_ptr(inside_foreign, c + 1))
                        CHECK(access(dir, F_OK) < 0 && errno == ENOENT);
                else
                        CHECK(has_mount(dir, "cgroup", "ro"));
        }
        free(text);

        if (v1) {
                CHECK(has_mount("/sys/fs/cgroup", "tmpfs", "ro"));
                if (streq_ptr(inside_foreign, "0"))
                        CHECK(access("/sys/fs/cgroup/unified", F_OK) < 0 && errno == ENOENT);
                else {
                        CHECK(has_mount("/sys/fs/cgroup/unified", "cgroup2", "ro"));
                        CHECK(has_mount("/sys/fs/cgroup/unified", NULL, "nosuid"));
                        CHECK(mkdir("/sys/fs/cgroup/unified/x", 0755) < 0 && errno == EROFS);
                }
                CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS);
        } else {
                CHECK(has_mount("/sys/fs/cgroup", "cgroup2", "ro"));
                CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS);
        }
}

static void inside_cgroup_unified(const TestEnv *env) {
        /* cgroup2 alone, as the host has it, even though the kernel lists v1
         * hierarchies in /proc/self/cgroup (this hybrid machine does). */
        CHECK(has_mount("/sys/fs/cgroup", "cgroup2", "ro"));
        CHECK(access("/sys/fs/cgroup/cgroup.procs", F_OK) == 0);
        CHECK(access("/sys/fs/cgroup/unified", F_OK) < 0 && errno == ENOENT);
        CHECK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS);
}

void case_cgroup(TestEnv *env) {
        TestPlan t;

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add(&t, PLAN_MOUNT_CGROUP, NULL, "/sys/fs/cgroup", NULL, MS_RDONLY, NULL);
        run_ok(env, &t, true, inside_cgroup);

        /* A hierarchy where the container is in the test's cgroup, not one of
         * its own (a controller systemd's scope does not take): left out, or
         * the test's tree would show; the unified tree alike. */
        if (!cgroup_host_unified()) {
                char *text = read_file("/proc/self/cgroup"), *c, *e;

                CHECK(text);
                for (c = text; *c && startswith(c, "0:"); c += strcspn(c, "\n") + (c[strcspn(c, "\n")] != 0))
                        ;
                if (*c) {       /* "ID:CONTROLLERS:PATH": a v1 hierarchy */
                        c = strchr(c, ':') + 1;
                        e = strchr(c, ':');
                        *e = 0;
                        t.cgroup_foreign = inside_foreign = c;
                        run_ok(env, &t, true, inside_cgroup);
                }
                t.cgroup_foreign = inside_foreign = "0";
                run_ok(env, &t, true, inside_cgroup);
                t.cgroup_foreign = inside_foreign = NULL;
                free(text);
        }

        /* The host's /sys/fs/cgroup decides, not the kernel's list of hierarchies. */
        t.cgroup_unified = true;
        run_ok(env, &t, true, inside_cgroup_unified);
}

/* ---- race (CVE-2021-30465 class, short): a Bind= target's parent flips
 * between a directory and a link to / while containers start. The harness
 * checks before each pivot that no mount landed outside the root. ---- */

void case_race(TestEnv *env) {
        char *dir = path_join(env->host, "srcdir"), *a = path_join(env->root, "flip"),
             *b = path_join(env->root, "flip-alt");
        unsigned ok = 0, refused = 0;
        TestPlan t;
        pid_t swapper;
        int status;

        make_dir(a);
        make_link("../../../../../../../", b);

        swapper = fork();
        CHECK(swapper >= 0);
        if (swapper == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;)
                        (void) renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
        }

        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_BIND, dir, "/flip/x", NULL, MS_REC, NULL)->line = 2;
        for (unsigned i = 0; i < 60; i++) {
                SpawnError err = {};
                int r = container_run(env, &t, false, NULL, &err);

                /* Either it worked (inside the root) or failed cleanly; a
                 * positive status would be the harness seeing an escape. */
                CHECK(r <= 0);
                if (r == 0)
                        ok++;
                else
                        refused++;
        }
        CHECK(kill(swapper, SIGKILL) == 0);
        CHECK(waitpid(swapper, &status, 0) == swapper);
        fprintf(stderr, "race: %u started, %u refused\n", ok, refused);
        CHECK(ok > 0);
        free(dir);
        free(a);
        free(b);
}
