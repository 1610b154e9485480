/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the cgroupfs manager tells at the start about a limit it applies
 * otherwise than the unit says (as systemd 252 warns in its log): the period
 * of CPUQuota= it adjusts, IOWeight= where cgroup v1 has nothing to weigh IO
 * with, CPUWeight=idle where it has no cpu.idle; and Boot=yes refused where
 * it cannot make the container's own name=systemd or unified cgroup. Needs
 * root and a writable cgroup tree (skips without); each body runs in a
 * child, and the parent removes the cgroups "cell-v1-TAG" a failed one left
 * (test-scope-cgroupfs.c tests the limits themselves). */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cgroup-fixture.h"
#include "cgroup-util.h"
#include "fs-util.h"
#include "scope-cgroupfs.h"
#include "test.h"

static char tag[32], child[64], unit[96], run[sizeof "/tmp/test-scope-cgroupfs-v1.XXXXXX"];

/* The dir of child in the hierarchy of controller (NULL: cgroup2), or NULL. */
static char *dir_of(const char *controller) {
        return fixture_child_dir(controller, child);
}

static void cleanup_leftovers(void) {
        static const char *hier[] = { "memory", "pids", "cpu", "cpuset", "blkio", "name=systemd", NULL };
        char cmd[96];

        for (size_t h = 0; h < ELEMENTSOF(hier); h++)
                fixture_remove_child(hier[h], child);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", run);
        ASSERT_EQ(system(cmd), 0);
        unsetenv("CELL_RUNTIME_DIR");
}

static bool can_run(void) {
        if (geteuid() != 0) {
                test_skip("not root");
                return false;
        }
        return true;
}

static void run_isolated_then(void (*body)(void), void (*cleanup)(void)) {
        snprintf(tag, sizeof tag, "%d", (int) getpid());
        snprintf(child, sizeof child, "cell-v1-%s", tag);
        snprintf(unit, sizeof unit, "%s.scope", child);
        snprintf(run, sizeof run, "/tmp/test-scope-cgroupfs-v1.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(run));
        ASSERT_EQ(setenv("CELL_RUNTIME_DIR", run, 1), 0);
        fixture_run(body, cleanup);
}

static void run_isolated(void (*body)(void)) {
        run_isolated_then(body, cleanup_leftovers);
}

/* scope_new() with the cgroupfs manager and scope_free(); into text, what
 * they wrote to stderr. false (test_skip()) where no cgroup tree is usable. */
static bool start_logged(const Plan *p, char *text, size_t size) {
        TestStderr c = test_stderr_capture();
        Event *e = NULL;
        Scope *s = NULL;

        ASSERT_OK(event_new(&e));
        int r = scope_new(p, CGROUP_MANAGER_CGROUPFS, false, e, &s);
        scope_free(s);
        event_unref(e);
        test_stderr_release(c, text, size);
        if (r == -EROFS || r == -EACCES || r == -EOPNOTSUPP) {
                test_skip("cgroupfs not usable here: %s", text);
                return false;
        }
        ASSERT_OK(r);
        return true;
}

/* CPUQuotaPeriodSec=5s: systemd clamps it to 1s, with a warning; cell wrote
 * 1s without a word. CPUQuota=0.5%: 200ms, for 1ms of CPU time in each. */
static void period_notice(void) {
        CellOrigin o[] = { { .key = "CPUQuota", .file = (char *) "/etc/cell/web.cell", .line = 6 },
                           { .key = "CPUQuotaPeriodSec", .file = (char *) "/etc/cell/web.cell", .line = 7 } };
        Plan p = { .name = (char *) "v1", .scope_unit = unit, .origins = o, .n_origins = ELEMENTSOF(o),
                   .limits = { .cpu_quota_per_sec_usec = 500000, .cpu_quota_period_set = true,
                               .cpu_quota_period_usec = 5 * USEC_PER_SEC } };
        char text[2048];

        if (!start_logged(&p, text, sizeof text))
                return;
        ASSERT_CONTAINS(text, "/etc/cell/web.cell:7: CPUQuotaPeriodSec=5000ms: the period is 1000ms instead: the "
                        "kernel takes 1ms to 1s, with at least 1ms of CPU time in each (CPUQuota=50.00%), as "
                        "systemd clamps it.\n");

        p.limits.cpu_quota_per_sec_usec = 5000;
        p.limits.cpu_quota_period_set = false;
        ASSERT_TRUE(start_logged(&p, text, sizeof text));
        ASSERT_CONTAINS(text, "/etc/cell/web.cell:6: CPUQuota=0.50%: the period is 200ms, not the default 100ms: "
                        "each period holds at least 1ms of CPU time (the kernel's least), as systemd makes it.\n");

        /* A period the kernel takes as it is: nothing to say. */
        p.limits.cpu_quota_per_sec_usec = 500000;
        p.limits.cpu_quota_period_set = true;
        p.limits.cpu_quota_period_usec = 20 * USEC_PER_MSEC;
        ASSERT_TRUE(start_logged(&p, text, sizeof text));
        ASSERT_NULL(strstr(text, "period is"));
}

/* The v1 cpu cgroup "cell-v1q-TAG" below ours, with a quota of 50%, that
 * quota_notice() runs the start in; cell-v1-TAG is made below it. */
static char quota_parent[64], quota_child[128];

/* value into dir/file, as a cgroup file takes it: one write. */
static int put(const char *dir, const char *file, const char *value) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return write(fd, value, strlen(value)) == (ssize_t) strlen(value) ? 0 : -errno;
}

static void cleanup_quota(void) {
        fixture_remove_child("cpu", quota_child);
        fixture_remove_child("cpu", quota_parent);
        cleanup_leftovers();
}

/* CPUQuota=150% below a cgroup that allows 50%: v1 refuses the larger
 * quota, and the container runs under the one above, with a notice. It
 * named no line of the unit, where the period's notice names one. */
static void quota_notice(void) {
        CellOrigin o = { .key = "CPUQuota", .file = (char *) "/etc/cell/web.cell", .line = 6 };
        Plan p = { .name = (char *) "v1", .scope_unit = unit, .origins = &o, .n_origins = 1,
                   .limits = { .cpu_quota_per_sec_usec = 1500000 } };
        _cleanup_free_ char *dir = fixture_child_dir("cpu", quota_parent), *own = NULL;
        char text[2048], want[512], pid[32];

        if (!dir || access("/sys/fs/cgroup/cpu/cgroup.procs", F_OK) < 0) {
                test_skip("no v1 cpu hierarchy here");
                return;
        }
        if (mkdir(dir, 0755) < 0) {
                test_skip("cannot make a cpu cgroup here: %m");
                return;
        }
        own = strndup(dir, strrchr(dir, '/') - dir);
        snprintf(pid, sizeof pid, "%d", (int) getpid());
        ASSERT_OK(put(dir, "cpu.cfs_quota_us", "50000"));
        ASSERT_OK(put(dir, "cgroup.procs", pid));
        if (!start_logged(&p, text, sizeof text))
                return;
        snprintf(want, sizeof want, "/etc/cell/web.cell:6: CPUQuota=150.00%%: %s allows less (cpu.cfs_quota_us=50000 "
                 "per cpu.cfs_period_us=100000), which holds for the container too", dir);
        ASSERT_CONTAINS(text, want);
        ASSERT_OK(put(own, "cgroup.procs", pid));
}

/* IOWeight= on a v1 blkio with neither blkio.weight (CFQ) nor
 * blkio.bfq.weight (BFQ): nothing weighs IO. It was skipped without a word;
 * on cgroup2 the same was a warning. */
static void io_weight_v1_warning(void) {
        CellOrigin o = { .key = "IOWeight", .file = (char *) "/etc/cell/web.cell", .line = 9 };
        Plan p = { .name = (char *) "v1", .scope_unit = unit, .origins = &o, .n_origins = 1,
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .io_weight = 300 } };
        _cleanup_free_ char *blkio = dir_of("blkio"), *parent = NULL, *w = NULL, *bfq = NULL;
        char text[2048], want[512];

        if (!blkio || access("/sys/fs/cgroup/blkio", F_OK) < 0) {
                test_skip("no v1 blkio hierarchy here");
                return;
        }
        parent = strndup(blkio, strrchr(blkio, '/') - blkio);
        ASSERT_TRUE(asprintf(&w, "%s/blkio.weight", parent) > 0 && asprintf(&bfq, "%s/blkio.bfq.weight", parent) > 0);
        if (access(w, F_OK) >= 0 || access(bfq, F_OK) >= 0) {
                test_skip("this blkio hierarchy has weights");
                return;
        }
        if (!start_logged(&p, text, sizeof text))
                return;
        snprintf(want, sizeof want, "/etc/cell/web.cell:9: IOWeight=300: %s has neither blkio.weight nor "
                 "blkio.bfq.weight (no IO scheduler with weights: CFQ is gone since Linux 5.0, BFQ is not "
                 "loaded): not applied.\n", blkio);
        ASSERT_CONTAINS(text, want);
}

/* IOWeight= on a v1 host without a blkio hierarchy (unmounted here, in a
 * mount namespace of this child's): it was skipped without a word. Each
 * weight key is named, at its line: only the first was. */
static void io_weight_no_blkio(void) {
        CellOrigin o = { .key = "IOWeight", .file = (char *) "/etc/cell/web.cell", .line = 9 };
        CellIODevice d[] = {
                { .kind = CELL_IO_DEVICE_WEIGHT, .path = (char *) "/", .value = 200,
                  .file = (char *) "/etc/cell/web.cell", .line = 10 },
                { .kind = CELL_IO_DEVICE_WEIGHT, .path = (char *) "/etc", .value = 50,
                  .file = (char *) "/etc/cell/web.cell.d/io.conf", .line = 2 },
        };
        Plan p = { .name = (char *) "v1", .scope_unit = unit, .origins = &o, .n_origins = 1,
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .io_weight = 300, .io_devices = d,
                               .n_io_devices = ELEMENTSOF(d) } };
        char text[2048], sys[64];
        struct stat st;

        if (access("/sys/fs/cgroup/blkio/cgroup.procs", F_OK) < 0) {
                test_skip("no v1 blkio hierarchy here");
                return;
        }
        /* The device weights name the disks of "/" and "/etc": ones the start finds. */
        for (size_t i = 0; i < ELEMENTSOF(d); i++) {
                ASSERT_OK(stat(d[i].path, &st));
                snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
                if (access(sys, F_OK) < 0) {
                        test_skip("no disk under %s here", d[i].path);
                        return;
                }
        }
        /* Private: the unmount stays in this child's namespace. */
        ASSERT_OK(unshare(CLONE_NEWNS));
        ASSERT_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        ASSERT_OK(umount2("/sys/fs/cgroup/blkio", MNT_DETACH));
        if (!start_logged(&p, text, sizeof text))
                return;
        ASSERT_CONTAINS(text, "/etc/cell/web.cell:9: IOWeight=300: this host's cgroup controllers are v1 ones and "
                        "no blkio hierarchy is mounted that cell may make cgroups in: not applied.\n");
        ASSERT_CONTAINS(text, "/etc/cell/web.cell:10: IODeviceWeight=/: this host's cgroup controllers are "
                        "v1 ones and no blkio hierarchy is mounted that cell may make cgroups in: not applied.\n");
        ASSERT_CONTAINS(text, "/etc/cell/web.cell.d/io.conf:2: IODeviceWeight=/etc: this host's cgroup "
                        "controllers are v1 ones and no blkio hierarchy is mounted that cell may make cgroups in: "
                        "not applied.\n");

        /* The device weights alone: each named too. */
        p.limits.io_weight = 0;
        ASSERT_TRUE(start_logged(&p, text, sizeof text));
        ASSERT_NULL(strstr(text, "IOWeight="));
        ASSERT_CONTAINS(text, "/etc/cell/web.cell:10: IODeviceWeight=/: ");
        ASSERT_CONTAINS(text, "/etc/cell/web.cell.d/io.conf:2: IODeviceWeight=/etc: ");
}

/* IODeviceWeight= on a v1 blkio whose disk no scheduler with weights runs:
 * cgroup v1 weighs a disk with CFQ's or BFQ's weight_device, and has no
 * iocost; the warning said "iocost off, not BFQ" there, cgroup2's words. */
static void io_device_weight_v1_words(void) {
        CellIODevice d = { .kind = CELL_IO_DEVICE_WEIGHT, .path = (char *) "/", .value = 200,
                           .file = (char *) "/etc/cell/web.cell", .line = 10 };
        CellOrigin o = { .key = "IODeviceWeight", .file = (char *) "/etc/cell/web.cell", .line = 10 };
        Plan p = { .name = (char *) "v1", .scope_unit = unit, .origins = &o, .n_origins = 1,
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .io_devices = &d, .n_io_devices = 1 } };
        _cleanup_free_ char *sched = NULL;
        char text[2048], sys[96];
        size_t size;
        struct stat st;

        if (access("/sys/fs/cgroup/blkio/cgroup.procs", F_OK) < 0) {
                test_skip("no v1 blkio hierarchy here");
                return;
        }
        ASSERT_OK(stat("/", &st));
        snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u/queue/scheduler", major(st.st_dev), minor(st.st_dev));
        if (read_full_file_at(AT_FDCWD, sys, 0, 4096, 0, &sched, &size) < 0 || strstr(sched, "[bfq]")) {
                test_skip("the disk of / is no whole disk, or BFQ runs it");
                return;
        }
        if (!start_logged(&p, text, sizeof text))
                return;
        ASSERT_CONTAINS(text, "/etc/cell/web.cell:10: IODeviceWeight=/: no IO scheduler with weights on this disk "
                        "(CFQ is gone since Linux 5.0, BFQ does not run it): not applied.\n");
        ASSERT_NULL(strstr(text, "iocost"));
}

/* CPUWeight=idle on a v1 cpu hierarchy: cpu.shares 2, the least weight, as
 * systemd writes it; verify warned of it, the start said nothing. */
static void cpu_idle_warning(void) {
        CellOrigin o = { .key = "CPUWeight", .file = (char *) "/etc/cell/web.cell", .line = 7 };
        Plan p = { .name = (char *) "v1", .scope_unit = unit, .origins = &o, .n_origins = 1,
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY, .cpu_idle = true } };
        const char *want = "/etc/cell/web.cell:7: CPUWeight=idle: not applied as idle on this host: its cpu "
                "controller is a cgroup v1 one, which has no cpu.idle; the container gets the minimum weight instead "
                "(cpu.shares 2), as systemd gives it.\n";
        char text[2048];

        if (access("/sys/fs/cgroup/cpu/cgroup.procs", F_OK) < 0) {
                test_skip("no v1 cpu hierarchy here");
                return;
        }
        if (!start_logged(&p, text, sizeof text))
                return;
        ASSERT_CONTAINS(text, want);
        ASSERT_NULL(strstr(strstr(text, want) + strlen(want), "CPUWeight=idle"));   /* once */

        /* A weight v1 has: nothing to say. */
        p.limits.cpu_idle = false;
        p.limits.cpu_weight = 50;
        ASSERT_TRUE(start_logged(&p, text, sizeof text));
        ASSERT_NULL(strstr(text, "CPUWeight"));
}

/* Boot=yes without PrivateUsers= gets the named systemd hierarchy and the
 * unified tree writable at its cgroup namespace's root: a cgroup of the
 * container's own there, which the cgroupfs manager made without checking
 * that it could (cell's own would have been mounted writable). Each made
 * impossible in turn (read-only, in a mount namespace of this child's): the
 * start fails, naming it; without Boot=yes, with PrivateUsers= or with
 * ProtectControlGroups=yes it goes on without. */
static void boot_dirs_unmade(void) {
        static const struct { const char *where, *named; } cases[] = {
                { "/sys/fs/cgroup/systemd", "the named systemd hierarchy (name=systemd)" },
                { "/sys/fs/cgroup/unified", "the unified cgroup2 tree" },
        };
        Plan p = { .name = (char *) "v1", .scope_unit = unit,
                   .limits = { .cpu_quota_per_sec_usec = USEC_INFINITY } };
        Event *e = NULL;
        Scope *sc = NULL;

        if (access("/sys/fs/cgroup/systemd/cgroup.procs", F_OK) < 0 ||
            access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) < 0) {
                test_skip("not a hybrid host");
                return;
        }
        ASSERT_OK(event_new(&e));
        /* The unmodified host first: the cgroupfs manager works here. */
        p.boot = true;
        int r = scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &sc);
        if (r == -EROFS || r == -EACCES || r == -EOPNOTSUPP) {
                test_skip("cgroupfs not usable here: %s", strna(scope_last_error(NULL)));
                event_unref(e);
                return;
        }
        ASSERT_OK(r);
        sc = scope_free(sc);

        ASSERT_OK(unshare(CLONE_NEWNS));
        ASSERT_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char want[256];

                ASSERT_OK(mount(cases[i].where, cases[i].where, NULL, MS_BIND, NULL));
                ASSERT_OK(mount(NULL, cases[i].where, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL));

                p.boot = true;
                p.namespaces = 0;
                p.protect = 0;
                ASSERT_TRUE(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &sc) < 0);
                snprintf(want, sizeof want, "Boot=yes: no cgroup of the container's own in %s (cannot create "
                         "cgroup ", cases[i].named);
                ASSERT_TRUE(startswith(strempty(scope_last_error(NULL)), want));
                ASSERT_CONTAINS(scope_last_error(NULL), "a systemd booting inside needs one there, writable");

                /* Mounted read-only in these: the start goes on without it. */
                p.boot = false;
                ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &sc));
                sc = scope_free(sc);
                p.boot = true;
                p.namespaces = CLONE_NEWUSER;
                ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &sc));
                sc = scope_free(sc);
                p.namespaces = 0;
                p.protect = PLAN_PROTECT_CONTROL_GROUPS;
                ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &sc));
                sc = scope_free(sc);

                ASSERT_OK(umount2(cases[i].where, MNT_DETACH));
        }
        event_unref(e);
}

TEST(cgroupfs_cpu_period_notice) {
        if (can_run())
                run_isolated(period_notice);
}

TEST(cgroupfs_v1_quota_notice_names_the_line) {
        if (!can_run())
                return;
        snprintf(quota_parent, sizeof quota_parent, "cell-v1q-%d", (int) getpid());
        snprintf(quota_child, sizeof quota_child, "%s/cell-v1-%d", quota_parent, (int) getpid());
        run_isolated_then(quota_notice, cleanup_quota);
}

TEST(cgroupfs_v1_io_weight_warning) {
        if (can_run())
                run_isolated(io_weight_v1_warning);
}

TEST(cgroupfs_v1_io_weight_without_blkio) {
        if (can_run())
                run_isolated(io_weight_no_blkio);
}

TEST(cgroupfs_v1_io_device_weight_words) {
        if (can_run())
                run_isolated(io_device_weight_v1_words);
}

TEST(cgroupfs_v1_cpu_idle_warning) {
        if (can_run())
                run_isolated(cpu_idle_warning);
}

TEST(cgroupfs_v1_boot_dirs_unmade) {
        if (can_run())
                run_isolated(boot_dirs_unmade);
}
