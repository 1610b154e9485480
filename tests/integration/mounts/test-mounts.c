/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The container's file system, checked from inside (root only). One case
 * per meson test; the harness is in mounts-lib.c. */

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "mounts-lib.h"

static void check_mount(const char *path, const char *fstype, const char *const *options, const char *const *absent) {
        char *opts = NULL, *type = NULL;

        if (!mountinfo_lookup(path, &opts, &type)) {
                fprintf(stderr, "%s is not a mount point\n", path);
                _exit(1);
        }
        if (fstype && !streq(type, fstype)) {
                fprintf(stderr, "%s: fstype %s, expected %s\n", path, type, fstype);
                _exit(1);
        }
        for (size_t i = 0; options && options[i]; i++)
                if (!has_option(opts, options[i])) {
                        fprintf(stderr, "%s: options %s lack %s\n", path, opts, options[i]);
                        _exit(1);
                }
        for (size_t i = 0; absent && absent[i]; i++)
                if (has_option(opts, absent[i])) {
                        fprintf(stderr, "%s: options %s have %s\n", path, opts, absent[i]);
                        _exit(1);
                }
        free(opts);
        free(type);
}

#define OPTS(...) ((const char *const[]) { __VA_ARGS__, NULL })

static long fs_magic(const char *path) {
        struct statfs sfs;

        CHECK(statfs(path, &sfs) == 0);
        return (long) sfs.f_type;
}

static bool is_null_device(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

/* Every mount point is "/" or below one of the planned trees: nothing of
 * the host's table came along. */
static void check_only_planned_mounts(void) {
        char *text = read_file("/proc/self/mountinfo"), *line, *save = NULL, mp[4096];
        size_t n = 0;

        CHECK(text);
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
                CHECK(sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1);
                if (!streq(mp, "/") && !startswith(mp, "/proc") && !startswith(mp, "/sys") &&
                    !startswith(mp, "/dev") && !streq(mp, "/run")) {
                        fprintf(stderr, "unexpected mount point %s\n", mp);
                        _exit(1);
                }
        }
        CHECK(n > 10 && n < 40);
        free(text);
}

/* The host's /dev/full, as the sandbox sees it: what a container's root did
 * to its own /dev/full must not show here. */
static struct statx host_full;

static void host_full_record(void) {
        CHECK(statx(AT_FDCWD, "/dev/full", 0, STATX_MODE | STATX_UID | STATX_MTIME | STATX_CTIME, &host_full) == 0);
}

static void host_full_unchanged(void) {
        struct statx now;

        CHECK(statx(AT_FDCWD, "/dev/full", 0, STATX_MODE | STATX_UID | STATX_MTIME | STATX_CTIME, &now) == 0);
        CHECK(now.stx_mode == host_full.stx_mode && now.stx_uid == host_full.stx_uid);
        CHECK(now.stx_mtime.tv_sec == host_full.stx_mtime.tv_sec &&
              now.stx_mtime.tv_nsec == host_full.stx_mtime.tv_nsec);
        CHECK(now.stx_ctime.tv_sec == host_full.stx_ctime.tv_sec &&
              now.stx_ctime.tv_nsec == host_full.stx_ctime.tv_nsec);
}

/* The sandbox's /dev/net/tun (st_rdev 0: it has none), read before the
 * container starts. */
static struct stat host_tun;

static void host_tun_record(void) {
        if (stat("/dev/net/tun", &host_tun) < 0 || !S_ISCHR(host_tun.st_mode))
                host_tun = (struct stat) {};
}

/* Without a user namespace the nodes are made on /dev's tmpfs, as runc and
 * nspawn make them: no mount points, the host's modes, and the container's
 * root may chown and touch its own (the same owner, an old mtime: nothing
 * the host would miss if a fault let it reach the host's node). */
static void device_nodes_own(void) {
        static const struct timespec old[2] = { { .tv_sec = 978307200 }, { .tv_sec = 978307200 } };
        static const char *const nodes[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                             "/dev/urandom", "/dev/tty" };
        struct stat st;

        for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                CHECK(!mountinfo_lookup(nodes[i], NULL, NULL));
                CHECK(lstat(nodes[i], &st) == 0 && S_ISCHR(st.st_mode));
                CHECK(st.st_uid == 0 && st.st_gid == 0);
        }
        CHECK(lstat("/dev/full", &st) == 0 && st.st_rdev == makedev(1, 7) && (st.st_mode & 07777) == 0666);
        CHECK(lstat("/dev/tty", &st) == 0 && st.st_rdev == makedev(5, 0));
        CHECK(chown("/dev/full", 0, 0) == 0);
        CHECK(utimensat(AT_FDCWD, "/dev/full", old, 0) == 0);
        CHECK(lstat("/dev/full", &st) == 0 && st.st_mtime == 978307200);
        /* /dev/net/tun, where the sandbox has it (outside: the host's, the
         * same numbers and mode): made in its own directory on /dev's tmpfs,
         * as nspawn makes it, no mount point either. */
        if (host_tun.st_rdev != 0) {
                CHECK(!mountinfo_lookup("/dev/net", NULL, NULL) && !mountinfo_lookup("/dev/net/tun", NULL, NULL));
                CHECK(lstat("/dev/net/tun", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(10, 200));
                CHECK((st.st_mode & 07777) == (host_tun.st_mode & 07777) && st.st_uid == 0);
        } else
                CHECK(lstat("/dev/net/tun", &st) < 0 && errno == ENOENT);
}

/* Where the builder cannot make a node (no CAP_MKNOD), the host's is bound
 * read-only: still a working device, but its owner, mode and times are out
 * of the container's reach. */
static void device_nodes_bound(void) {
        static const struct timespec old[2] = { { .tv_sec = 978307200 }, { .tv_sec = 978307200 } };
        char buf[4];
        int fd;

        CHECK(is_null_device("/dev/null"));
        check_mount("/dev/null", NULL, OPTS("ro", "nosuid", "noexec"), OPTS("nodev"));
        check_mount("/dev/full", NULL, OPTS("ro", "nosuid", "noexec"), OPTS("nodev"));
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        CHECK(fd >= 0 && write(fd, "x", 1) == 1);
        close(fd);
        fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0 && read(fd, buf, sizeof buf) == sizeof buf && buf[0] == 0);
        close(fd);
        CHECK(chown("/dev/full", 0, 0) < 0 && errno == EROFS);
        CHECK(chmod("/dev/full", 0600) < 0 && errno == EROFS);
        CHECK(utimensat(AT_FDCWD, "/dev/full", old, 0) < 0 && errno == EROFS);
        /* /dev/net/tun too, in the directory the bind made for it. */
        if (host_tun.st_rdev != 0)
                check_mount("/dev/net/tun", NULL, OPTS("ro", "nosuid", "noexec"), OPTS("nodev"));
}

/* Runs a busybox command line inside; returns its stdout. */
static char *busybox(const char *cmd) {
        int pfd[2], status;
        char buf[4096];
        size_t n = 0;
        ssize_t k;
        pid_t pid;

        CHECK(pipe2(pfd, O_CLOEXEC) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                CHECK(dup2(pfd[1], 1) == 1);
                execl("/bin/sh", "sh", "-c", cmd, (char *) NULL);
                _exit(127);
        }
        close(pfd[1]);
        while ((k = read(pfd[0], buf + n, sizeof buf - 1 - n)) > 0)
                n += (size_t) k;
        buf[n] = 0;
        close(pfd[0]);
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return strdup(buf);
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

/* ---- basic: the default tree ---- */

static void inside_basic(const TestEnv *env) {
        char *s, link[64];
        int fd;

        /* A fresh procfs of our PID namespace, nosuid,nodev,noexec. */
        CHECK(fs_magic("/proc") == PROC_SUPER_MAGIC);
        check_mount("/proc", "proc", OPTS("rw", "nosuid", "nodev", "noexec"), NULL);
        CHECK(readlink("/proc/self", link, sizeof link) == 1 && link[0] == '1');

        /* Masks: /dev/null over files, read-only; an empty tmpfs over dirs. */
        CHECK(is_null_device("/proc/timer_list"));
        check_mount("/proc/timer_list", NULL, OPTS("ro", "nosuid", "noexec"), NULL);
        /* A device node stays writable on a read-only mount: what is written
         * to the mask goes to the null device, nowhere else. */
        fd = open("/proc/timer_list", O_WRONLY | O_CLOEXEC);
        CHECK(fd >= 0 && write(fd, "x", 1) == 1);
        close(fd);
        s = read_file("/proc/timer_list");
        CHECK(s && *s == 0);
        free(s);
        s = read_file("/proc/keys");
        CHECK(s && *s == 0);
        free(s);
        if (access("/proc/acpi", F_OK) == 0) {
                check_mount("/proc/acpi", "tmpfs", OPTS("ro", "nosuid", "nodev", "noexec"), NULL);
                s = busybox("ls -A /proc/acpi");
                CHECK(streq(s, ""));
                free(s);
                CHECK(mkdir("/proc/acpi/x", 0755) < 0 && errno == EROFS);
        }
        if (access("/sys/firmware", F_OK) == 0) {
                check_mount("/sys/firmware", "tmpfs", OPTS("ro"), NULL);
                s = busybox("ls -A /sys/firmware");
                CHECK(streq(s, ""));
                free(s);
        }

        /* Read-only paths. */
        check_mount("/proc/sys", "proc", OPTS("ro"), NULL);
        CHECK(open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
        if (access("/proc/sysrq-trigger", F_OK) == 0)
                CHECK(open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
        check_mount("/proc/irq", "proc", OPTS("ro"), NULL);

        /* /sys read-only sysfs. */
        check_mount("/sys", "sysfs", OPTS("ro", "nosuid", "nodev", "noexec"), NULL);

        /* /dev, its nodes the container's own (device_nodes_own()). */
        check_mount("/dev", "tmpfs", OPTS("nosuid", "noexec"), OPTS("nodev"));
        CHECK(is_null_device("/dev/null"));
        device_nodes_own();
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        CHECK(fd >= 0 && write(fd, "x", 1) == 1);
        close(fd);
        fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0 && read(fd, link, 4) == 4 && link[0] == 0);
        close(fd);
        CHECK(access("/dev/urandom", R_OK) == 0 && access("/dev/full", W_OK) == 0);
        check_mount("/dev/pts", "devpts", OPTS("nosuid", "noexec"), NULL);
        CHECK(readlink("/dev/ptmx", link, sizeof link) == 8 && strncmp(link, "pts/ptmx", 8) == 0);
        fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        CHECK(fd >= 0);         /* ptmxmode=0666 of our own devpts instance */
        close(fd);
        check_mount("/dev/shm", "tmpfs", OPTS("nosuid", "nodev", "noexec"), NULL);
        check_mount("/dev/mqueue", "mqueue", NULL, NULL);
        CHECK(readlink("/dev/fd", link, sizeof link) == 13);
        CHECK(access("/dev/stdin", F_OK) == 0 && access("/dev/stderr", F_OK) == 0);

        /* /run. */
        check_mount("/run", "tmpfs", OPTS("nosuid", "nodev"), NULL);

        /* The pivot happened: the host's tree is gone, "/" is the root. */
        CHECK(access(env->base, F_OK) < 0 && errno == ENOENT);
        CHECK(access("/work", F_OK) < 0);
        check_only_planned_mounts();
        CHECK(access("/etc/passwd", R_OK) == 0);

        /* busybox runs, /run is writable. */
        s = busybox("echo hello > /run/x && cat /run/x");
        CHECK(streq(s, "hello\n"));
        free(s);
}

static void case_basic(TestEnv *env) {
        TestPlan t;

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        host_full_record();
        host_tun_record();
        run_ok(env, &t, false, inside_basic);
        host_full_unchanged();
}

/* ---- devices-bound: no CAP_MKNOD, the host's nodes bound read-only ---- */

static void inside_devices_bound(const TestEnv *env) {
        device_nodes_bound();
}

static void case_devices_bound(TestEnv *env) {
        TestPlan t;

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        t.no_mknod = true;
        host_full_record();
        host_tun_record();
        run_ok(env, &t, false, inside_devices_bound);
        host_full_unchanged();
}

/* ---- read-only: the root read-only before the other mounts ---- */

static void inside_read_only(const TestEnv *env) {
        char *s;

        check_mount("/", NULL, OPTS("ro"), NULL);
        CHECK(open("/etc/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS);
        check_mount("/proc", "proc", OPTS("rw"), NULL);
        check_mount("/run", "tmpfs", OPTS("rw"), NULL);
        check_mount("/dev", "tmpfs", OPTS("rw"), NULL);
        /* The mount points that were missing were made before the root went read-only. */
        s = read_file("/data/MARKER-cell-mounts");
        CHECK(s && streq(s, "marker\n"));
        free(s);
        check_mount("/data", NULL, OPTS("rw"), NULL);
        s = read_file("/etc/bound-file");
        CHECK(s && streq(s, "srcfile\n"));
        free(s);
        s = busybox("echo w > /run/w && cat /run/w");
        CHECK(streq(s, "w\n"));
        free(s);
}

static void case_read_only(TestEnv *env) {
        TestPlan t;
        char *dir = path_join(env->host, "srcdir"), *file = path_join(env->host, "srcfile");

        test_plan_init(&t, env);
        t.plan.root_read_only = true;
        test_plan_add_defaults(&t);
        test_plan_add(&t, PLAN_MOUNT_BIND, dir, "/data", NULL, MS_REC, NULL)->line = 3;
        test_plan_add(&t, PLAN_MOUNT_BIND, file, "/etc/bound-file", NULL, 0, NULL)->line = 4;
        run_ok(env, &t, false, inside_read_only);
        free(dir);
        free(file);
}

/* ---- bind: sources, optional sources, types, read-only ---- */

static void inside_bind(const TestEnv *env) {
        char *s;

        check_mount("/ro", NULL, OPTS("ro", "nosuid"), NULL);
        CHECK(open("/ro/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS);
        s = read_file("/ro/MARKER-cell-mounts");
        CHECK(s && streq(s, "marker\n"));
        free(s);
        CHECK(access("/opt/missing", F_OK) < 0 && errno == ENOENT);
        check_mount("/deep/er/file", NULL, OPTS("rw"), NULL);
        s = read_file("/deep/er/file");
        CHECK(s && streq(s, "srcfile\n"));
        free(s);
}

static void case_bind(TestEnv *env) {
        char *dir = path_join(env->host, "srcdir"), *file = path_join(env->host, "srcfile");
        TestPlan t;
        PlanMount *m;

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add(&t, PLAN_MOUNT_BIND, dir, "/ro", NULL, MS_REC | MS_RDONLY | MS_NOSUID, NULL)->line = 2;
        m = test_plan_add(&t, PLAN_MOUNT_BIND, "/nonexistent-cell-src", "/opt/missing", NULL, MS_REC, NULL);
        m->optional = true;
        m->line = 3;
        test_plan_add(&t, PLAN_MOUNT_BIND, file, "/deep/er/file", NULL, 0, NULL)->line = 4;
        run_ok(env, &t, false, inside_bind);

        /* A missing source without "-" is an error naming it. */
        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_BIND, "/nonexistent-cell-src", "/nonexistent-cell-src", NULL, MS_REC, NULL)->line = 7;
        container_expect_error(env, &t, ENOENT, "Bind=/nonexistent-cell-src: source does not exist");

        /* A file onto an existing directory is refused. */
        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_BIND, file, "/etc", NULL, 0, NULL)->line = 8;
        container_expect_error(env, &t, EISDIR, ":/etc: target is a directory");

        /* An idmap bind needs the supervisor's idmapped tree (PrivateUsers=, tests/integration/userns). */
        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_BIND, dir, "/idm", NULL, MS_REC, NULL)->idmap = true;
        container_expect_error(env, &t, EOPNOTSUPP, "idmap needs PrivateUsers=");
        free(dir);
        free(file);
}

/* ---- escape-symlink: targets that are links to /etc, ../.., / ---- */

static void inside_escape(const TestEnv *env) {
        char *s;

        /* Both landed on the root's own /etc. */
        s = read_file("/etc/MARKER-cell-mounts");
        CHECK(s && streq(s, "marker\n"));
        free(s);
        s = read_file("/etc/escape-dir/MARKER-cell-mounts");
        CHECK(s && streq(s, "marker\n"));
        free(s);
        check_mount("/etc", NULL, NULL, NULL);
        check_mount("/etc/escape-dir", NULL, NULL, NULL);
}

static void case_escape_symlink(TestEnv *env) {
        char *dir = path_join(env->host, "srcdir"), *p;
        TestPlan t;

        p = path_join(env->root, "etc-link");
        make_link("/etc", p);
        free(p);
        p = path_join(env->root, "up");
        make_link("../../../../../../../../..", p);
        free(p);
        p = path_join(env->root, "rootlink");
        make_link("/", p);
        free(p);

        test_plan_init(&t, env);
        test_plan_add_defaults(&t);
        test_plan_add(&t, PLAN_MOUNT_BIND, dir, "/etc-link", NULL, MS_REC, NULL)->line = 2;
        test_plan_add(&t, PLAN_MOUNT_BIND, dir, "/up/etc/escape-dir", NULL, MS_REC, NULL)->line = 3;
        run_ok(env, &t, false, inside_escape);

        /* A target that resolves to the root itself is refused. */
        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_BIND, dir, "/rootlink", NULL, MS_REC, NULL)->line = 4;
        container_expect_error(env, &t, ELOOP, "Bind=");
        free(dir);
}

static void after_escape_symlink(const TestEnv *env) {
        /* The host's /etc never received anything. */
        CHECK(access("/etc/MARKER-cell-mounts", F_OK) < 0 && errno == ENOENT);
        CHECK(access("/etc/escape-dir", F_OK) < 0 && errno == ENOENT);
}

/* ---- dotdot: ".." in a target is refused ---- */

static void case_dotdot(TestEnv *env) {
        char *dir = path_join(env->host, "srcdir");
        TestPlan t;

        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_BIND, dir, "/../../../etc", NULL, MS_REC, NULL)->line = 2;
        container_expect_error(env, &t, EINVAL, "target must be an absolute path");

        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_FS, "tmpfs", "/tmp/../../x", "tmpfs", 0, NULL)->line = 3;
        container_expect_error(env, &t, EINVAL, "TemporaryFileSystem=/tmp/../../x: target must be");

        test_plan_init(&t, env);
        test_plan_add(&t, PLAN_MOUNT_MASK, NULL, "etc/passwd", NULL, 0, NULL)->line = 4;
        container_expect_error(env, &t, EINVAL, "Inaccessible=etc/passwd");
        free(dir);
}

/* The case table continues in test-mounts-escape.c. */
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
void case_unit_overlay_order(TestEnv *env);
void case_unit_bind_in_root(TestEnv *env);
void case_unit_order(TestEnv *env);
void case_unit_overlay_upper(TestEnv *env);
void case_unit_bind_missing(TestEnv *env);
void case_unit_undo(TestEnv *env);
void case_unit_undo_overlay(TestEnv *env);
void case_unit_undo_made(TestEnv *env);
void case_unit_overlay_upper_mount(TestEnv *env);

const TestCase test_cases[] = {
        { "basic", case_basic, NULL },
        { "devices-bound", case_devices_bound, NULL },
        { "read-only", case_read_only, NULL },
        { "bind", case_bind, NULL },
        { "escape-symlink", case_escape_symlink, after_escape_symlink },
        { "dotdot", case_dotdot, NULL },
        { "mask-symlink", case_mask_symlink, after_mask_symlink },
        { "fake-proc", case_fake_proc, NULL },
        { "volatile-yes", case_volatile_yes, NULL },
        { "volatile-state", case_volatile_state, NULL },
        { "volatile-overlay", case_volatile_overlay, after_volatile_overlay },
        { "overlay", case_overlay, NULL },
        { "cgroup", case_cgroup, NULL },
        { "race", case_race, NULL },
        { "unit-overlay-order", case_unit_overlay_order, NULL },
        { "unit-bind-in-root", case_unit_bind_in_root, NULL },
        { "unit-order", case_unit_order, NULL },
        { "unit-overlay-upper", case_unit_overlay_upper, NULL },
        { "unit-bind-missing", case_unit_bind_missing, NULL },
        { "unit-undo", case_unit_undo, NULL },
        { "unit-undo-overlay", case_unit_undo_overlay, NULL },
        { "unit-undo-made", case_unit_undo_made, NULL },
        { "unit-overlay-upper-mount", case_unit_overlay_upper_mount, NULL },
        {}
};
