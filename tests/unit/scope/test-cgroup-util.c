/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroupfs manager's pure helpers: /proc/self/cgroup and mountinfo from
 * sample text (pure cgroup2, hybrid, legacy), and the value conversions. */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <systemd/sd-login.h>
#include <unistd.h>

#include "cgroup-util.h"
#include "strv.h"
#include "test.h"

TEST(proc_cgroup_v2) {
        CgroupMembership *m = NULL;
        size_t n = 0;

        ASSERT_OK(cg_parse_proc_cgroup("0::/system.slice/cell@web.service\n", &m, &n));
        ASSERT_EQ(n, 1);
        ASSERT_EQ(m[0].id, 0);
        ASSERT_EQ(strv_length(m[0].controllers), 0);
        ASSERT_STREQ(cg_membership_path(m, n, NULL), "/system.slice/cell@web.service");
        ASSERT_NULL(cg_membership_path(m, n, "memory"));
        cg_membership_free(m, n);
}

TEST(proc_cgroup_hybrid) {
        /* This machine's layout: cpu and cpuacct apart, cell in a memory cgroup below the root. */
        const char *text =
                "9:name=systemd:/\n"
                "8:pids:/\n"
                "4:memory:/process_api/e55aecd6\n"
                "3:cpuset:/\n"
                "2:cpuacct:/\n"
                "1:cpu:/\n"
                "0::/\n";
        CgroupMembership *m = NULL;
        size_t n = 0;

        ASSERT_OK(cg_parse_proc_cgroup(text, &m, &n));
        ASSERT_EQ(n, 7);
        ASSERT_STREQ(cg_membership_path(m, n, "memory"), "/process_api/e55aecd6");
        ASSERT_STREQ(cg_membership_path(m, n, "name=systemd"), "/");
        ASSERT_STREQ(cg_membership_path(m, n, "cpu"), "/");
        ASSERT_STREQ(cg_membership_path(m, n, NULL), "/");
        ASSERT_NULL(cg_membership_path(m, n, "blkio"));
        cg_membership_free(m, n);
}

TEST(proc_cgroup_legacy_combined) {
        /* Legacy (no cgroup2 line) with cpu,cpuacct together. */
        const char *text =
                "11:cpu,cpuacct:/user.slice\n"
                "5:memory:/user.slice/user-1000.slice/session-2.scope\n"
                "1:name=systemd:/user.slice/user-1000.slice/session-2.scope";
        CgroupMembership *m = NULL;
        size_t n = 0;

        ASSERT_OK(cg_parse_proc_cgroup(text, &m, &n));
        ASSERT_EQ(n, 3);
        ASSERT_STREQ(cg_membership_path(m, n, "cpuacct"), "/user.slice");
        ASSERT_STREQ(cg_membership_path(m, n, "cpu"), "/user.slice");
        ASSERT_STREQ(cg_membership_path(m, n, "name=systemd"), "/user.slice/user-1000.slice/session-2.scope");
        ASSERT_NULL(cg_membership_path(m, n, NULL));
        cg_membership_free(m, n);
}

TEST(proc_cgroup_malformed) {
        CgroupMembership *m = NULL;
        size_t n = 0;
        ASSERT_ERROR(cg_parse_proc_cgroup("0:/\n", &m, &n), EBADMSG);
        ASSERT_ERROR(cg_parse_proc_cgroup("x::/\n", &m, &n), EBADMSG);
        ASSERT_ERROR(cg_parse_proc_cgroup("0::relative\n", &m, &n), EBADMSG);
}

static const char *mountinfo_hybrid =
        "25 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
        "31 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:28 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "34 31 0:29 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory\n"
        "35 31 0:30 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "36 31 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
        "37 31 0:32 /sub /mnt/odd\\040dir rw,relatime - cgroup cgroup rw,pids,release_agent=/x\n";

typedef struct PathUnitCase {
        const char *path, *unit;
} PathUnitCase;

/* unit_of finds each case's unit, and for each of none -ENXIO, leaving
 * *ret alone. */
static void check_path_units(int (*unit_of)(const char *path, char **ret), const PathUnitCase *cases,
                             size_t n_cases, const char *const *none, size_t n_none) {
        for (size_t i = 0; i < n_cases; i++) {
                char *unit = NULL;

                ASSERT_OK(unit_of(cases[i].path, &unit));
                ASSERT_STREQ(unit, cases[i].unit);
                free(unit);
        }
        for (size_t i = 0; i < n_none; i++) {
                char *unit = (char *) "untouched";

                ASSERT_EQ(unit_of(none[i], &unit), -ENXIO);
                ASSERT_STREQ(unit, "untouched");
        }
}

/* The unit of a cgroup path, as sd_pid_get_unit() finds it (runtime-state.c's
 * "am I run by a service"). */
TEST(path_unit) {
        static const PathUnitCase cases[] = {
                { "/system.slice/cell@web.service", "cell@web.service" },
                { "/system.slice/cell@web.service/payload", "cell@web.service" },
                { "/machine.slice/machine-web.scope", "machine-web.scope" },
                { "/user.slice/user-0.slice/user@0.service/app.slice/x.service", "user@0.service" },
                { "//system.slice//a.service", "a.service" },
                { "/system.slice/_init.scope", "init.scope" },  /* systemd's escape taken off */
                { "/init.scope", "init.scope" },
        };
        static const char *const none[] = {
                "/", "", "/system.slice", "/user.slice/user-0.slice", "/process_api/e55aecd6",
                "/system.slice/notaunit", "/.service", "/system.slice/a@.service",
        };

        check_path_units(cg_path_unit, cases, ELEMENTSOF(cases), none, ELEMENTSOF(none));
}

/* The unit of a user's manager, as sd_pid_get_user_unit() finds it (the
 * service of a user's manager that "cell run --user" binds its scope to). */
TEST(path_user_unit) {
        static const PathUnitCase cases[] = {
                { "/user.slice/user-0.slice/user@0.service/app.slice/x.service", "x.service" },
                { "/user.slice/user-1000.slice/user@1000.service/urunner.service/payload", "urunner.service" },
                { "/user.slice/user-0.slice/user@0.service/machine.slice/cell-u.scope", "cell-u.scope" },
                { "/user@0.service/init.scope", "init.scope" },
        };
        static const char *const none[] = {
                "/", "/system.slice/cell@web.service", "/user.slice/user-0.slice/user@0.service",
                "/user.slice/user-0.slice/user@0.service/app.slice", "/user.slice/user-1000.slice/session-2.scope",
                "/user.slice/user-0.slice/user@x.service/a.service", "/user.slice/user-0.slice/user@.service/a.service",
                "/user.slice/user-0.slice/session-.scope/a.service",
        };

        check_path_units(cg_path_user_unit, cases, ELEMENTSOF(cases), none, ELEMENTSOF(none));
}

/* Our own unit, against libsystemd's sd_pid_get_unit() and
 * sd_pid_get_user_unit() reading the same /proc/self/cgroup: a file of the
 * test's, bind-mounted over it in a mount namespace of a child's own, with
 * the path both on the cgroup2 line and on name=systemd's (so that it is
 * the same path whichever layout libsystemd takes the host for). Where it
 * finds no unit, sd-login says -ENODATA and cell's cgroup-util -ENXIO. */
static const char *const own_paths[] = {
        "/system.slice/cell@web.service", "/system.slice/cell@web.service/payload",
        "/machine.slice/machine-web.scope", "/system.slice/_init.scope", "/init.scope", "/",
        "/system.slice", "/system.slice/notaunit", "/system.slice/a@.service", "/system.slice/-.service",
        "/user.slice/user-0.slice/user@0.service", "/user.slice/user-0.slice/user@0.service/app.slice/x.service",
        "/user.slice/user-1000.slice/user@1000.service/urunner.service/payload",
        "/user.slice/user-0.slice/user@0.service/app.slice", "/user.slice/user-0.slice/user@x.service/a.service",
        "/user.slice/user-1000.slice/session-2.scope", "/user.slice/user-1000.slice/session-c1.scope/a.service",
        "/user.slice/user-1000.slice/session-2.scope/a.service", "/user@0.service/init.scope",
};

static int own_unit_compare(const char *file, const char *path) {
        int differ = 0;
        char target[64];
        FILE *f;

        ASSERT_NOT_NULL(f = fopen(file, "we"));
        ASSERT_TRUE(fprintf(f, "1:name=systemd:%s\n0::%s\n", path, path) > 0);
        ASSERT_EQ(fclose(f), 0);
        (void) snprintf(target, sizeof target, "/proc/%d/cgroup", (int) getpid());
        ASSERT_EQ(mount(file, target, NULL, MS_BIND, NULL), 0);

        for (int user = 0; user <= 1; user++) {
                _cleanup_free_ char *ours = NULL, *theirs = NULL;
                int r = cg_own_unit(user, &ours);
                int k = user ? sd_pid_get_user_unit(0, &theirs) : sd_pid_get_unit(0, &theirs);

                if (k == -ENODATA)
                        k = -ENXIO;
                if (r != k || !streq_ptr(ours, theirs)) {
                        fprintf(stderr, "%s%s: cell %d \"%s\", libsystemd %d \"%s\"\n", path,
                                user ? " (user)" : "", r, strna(ours), k, strna(theirs));
                        differ++;
                }
        }
        ASSERT_EQ(umount2(target, MNT_DETACH), 0);
        return differ;
}

TEST(own_unit_as_libsystemd) {
        char file[] = "/tmp/test-cgroup-util.XXXXXX";
        int fd, status = 0;
        pid_t pid;

        if (geteuid() != 0) {
                test_skip("not root (a mount over /proc/self/cgroup)");
                return;
        }

        ASSERT_TRUE((fd = mkostemp(file, O_CLOEXEC)) >= 0);
        (void) close(fd);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                ASSERT_EQ(unshare(CLONE_NEWNS), 0);
                ASSERT_EQ(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
                int differ = 0;

                for (size_t i = 0; i < ELEMENTSOF(own_paths); i++)
                        differ += own_unit_compare(file, own_paths[i]);
                _exit(differ > 0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        (void) unlink(file);
        ASSERT_EQ(status, 0);
}

TEST(mountinfo_hybrid) {
        CgroupMount *m = NULL;
        size_t n = 0;

        ASSERT_OK(cg_parse_mountinfo(mountinfo_hybrid, &m, &n));
        ASSERT_EQ(n, 6);
        ASSERT_TRUE(cg_mounts_have_v1_controllers(m, n));

        const CgroupMount *mem = cg_mount_find(m, n, "memory");
        ASSERT_NOT_NULL(mem);
        ASSERT_STREQ(mem->where, "/sys/fs/cgroup/memory");
        ASSERT_EQ(strv_length(mem->controllers), 1);

        const CgroupMount *sd = cg_mount_find(m, n, "name=systemd");
        ASSERT_NOT_NULL(sd);
        ASSERT_STREQ(sd->where, "/sys/fs/cgroup/systemd");
        ASSERT_EQ(strv_length(sd->controllers), 1);     /* "xattr" is a flag, not a controller */

        const CgroupMount *u = cg_mount_find(m, n, NULL);
        ASSERT_NOT_NULL(u);
        ASSERT_TRUE(u->unified);
        ASSERT_STREQ(u->where, "/sys/fs/cgroup/unified");

        const CgroupMount *pids = cg_mount_find(m, n, "pids");
        ASSERT_NOT_NULL(pids);
        ASSERT_STREQ(pids->where, "/mnt/odd dir");      /* \040 unescaped */
        ASSERT_STREQ(pids->root, "/sub");
        ASSERT_EQ(strv_length(pids->controllers), 1);   /* release_agent= dropped */

        char *p = cg_mount_path(mem, "/process_api/e55aecd6");
        ASSERT_STREQ(p, "/sys/fs/cgroup/memory/process_api/e55aecd6");
        free(p);
        p = cg_mount_path(mem, "/");
        ASSERT_STREQ(p, "/sys/fs/cgroup/memory");
        free(p);
        /* A mount of a sub-tree: the path is made relative to its root. */
        p = cg_mount_path(pids, "/sub/a");
        ASSERT_STREQ(p, "/mnt/odd dir/a");
        free(p);
        p = cg_mount_path(pids, "/subway");
        ASSERT_STREQ(p, "/mnt/odd dir/subway");
        free(p);
        cg_mount_free(m, n);
}

TEST(mountinfo_pure_v2) {
        const char *text =
                "26 21 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
        CgroupMount *m = NULL;
        size_t n = 0;

        ASSERT_OK(cg_parse_mountinfo(text, &m, &n));
        ASSERT_EQ(n, 1);
        ASSERT_FALSE(cg_mounts_have_v1_controllers(m, n));
        ASSERT_NULL(cg_mount_find(m, n, "memory"));
        char *p = cg_mount_path(cg_mount_find(m, n, NULL), "/system.slice/cell@web.service");
        ASSERT_STREQ(p, "/sys/fs/cgroup/system.slice/cell@web.service");
        free(p);
        cg_mount_free(m, n);
}

TEST(mountinfo_named_only_is_not_v1) {
        /* A lone name=systemd hierarchy next to cgroup2 carries no limits. */
        const char *text =
                "26 21 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                "27 26 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";
        CgroupMount *m = NULL;
        size_t n = 0;

        ASSERT_OK(cg_parse_mountinfo(text, &m, &n));
        ASSERT_EQ(n, 2);
        ASSERT_FALSE(cg_mounts_have_v1_controllers(m, n));
        cg_mount_free(m, n);
}

TEST(cpu_conversions) {
        char buf[64];

        /* CPUQuota=150%: 1.5 s per second, 150 ms per 100 ms period. */
        ASSERT_OK(cg_format_cpu_max(1500000, USEC_INFINITY, buf, sizeof buf));
        ASSERT_STREQ(buf, "150000 100000");
        ASSERT_OK(cg_format_cpu_max(USEC_INFINITY, USEC_INFINITY, buf, sizeof buf));
        ASSERT_STREQ(buf, "max 100000");
        /* CPUQuota=0.1%: 100us per 100ms is below the kernel's 1ms, so the
         * period grows until the quota is 1ms (systemd: "Clamping CPU
         * interval for cpu.max: period is now 1s"). */
        ASSERT_OK(cg_format_cpu_max(1000, USEC_INFINITY, buf, sizeof buf));
        ASSERT_STREQ(buf, "1000 1000000");
        ASSERT_EQ_U64(cg_cpu_quota_per_period(500000, CG_CPU_PERIOD_USEC), 50000);
        ASSERT_ERROR(cg_format_cpu_max(1500000, USEC_INFINITY, buf, 5), ENOBUFS);

        /* CPUQuotaPeriodSec=, the numbers systemd 252 wrote for these
         * (cpu.cfs_period_us, cpu.cfs_quota_us): */
        ASSERT_OK(cg_format_cpu_max(500000, 10 * USEC_PER_MSEC, buf, sizeof buf));     /* 50%, 10ms */
        ASSERT_STREQ(buf, "5000 10000");
        ASSERT_OK(cg_format_cpu_max(5000, 10 * USEC_PER_MSEC, buf, sizeof buf));       /* 0.5%, 10ms */
        ASSERT_STREQ(buf, "1000 200000");
        ASSERT_OK(cg_format_cpu_max(500000, 5 * USEC_PER_SEC, buf, sizeof buf));       /* 50%, 5s */
        ASSERT_STREQ(buf, "500000 1000000");
        ASSERT_OK(cg_format_cpu_max(500000, 0, buf, sizeof buf));                      /* 50%, 0 */
        ASSERT_STREQ(buf, "1000 2000");
        ASSERT_OK(cg_format_cpu_max(3000000, 0, buf, sizeof buf));                     /* 300%, 0: 1ms */
        ASSERT_STREQ(buf, "3000 1000");
        /* Without a quota the period is the default, whatever was asked. */
        ASSERT_EQ_U64(cg_cpu_quota_period(USEC_INFINITY, 10 * USEC_PER_MSEC), CG_CPU_PERIOD_USEC);
        ASSERT_OK(cg_format_cpu_max(USEC_INFINITY, 10 * USEC_PER_MSEC, buf, sizeof buf));
        ASSERT_STREQ(buf, "max 100000");
        ASSERT_EQ_U64(cg_cpu_quota_period(500000, USEC_INFINITY), CG_CPU_PERIOD_USEC);
        ASSERT_EQ_U64(cg_cpu_quota_period(500000, 250 * USEC_PER_MSEC), 250 * USEC_PER_MSEC);

        /* CPUWeight= -> cpu.shares, systemd's way: 100 is the default 1024. */
        ASSERT_EQ_U64(cg_cpu_weight_to_shares(100), 1024);
        ASSERT_EQ_U64(cg_cpu_weight_to_shares(50), 512);
        ASSERT_EQ_U64(cg_cpu_weight_to_shares(1), 10);
        ASSERT_EQ_U64(cg_cpu_weight_to_shares(10000), 102400);
        /* CPUWeight=idle (weight 0) on v1: the minimum, as systemd 252 wrote. */
        ASSERT_EQ_U64(cg_cpu_weight_to_shares(0), 2);

        ASSERT_EQ_U64(cg_io_weight_to_blkio(100), 500);
        ASSERT_EQ_U64(cg_io_weight_to_blkio(1), 10);
        ASSERT_EQ_U64(cg_io_weight_to_blkio(10000), 1000);
        /* BFQ's 1..1000, as systemd maps it: the default (100) stays. */
        ASSERT_EQ_U64(cg_io_weight_to_bfq(1), 1);
        ASSERT_EQ_U64(cg_io_weight_to_bfq(100), 100);
        ASSERT_EQ_U64(cg_io_weight_to_bfq(300), 118);
        ASSERT_EQ_U64(cg_io_weight_to_bfq(5050), 550);
        ASSERT_EQ_U64(cg_io_weight_to_bfq(10000), 1000);
        /* v1's BFQ file, as systemd 252 writes it: BFQ's mapping of the blkio weight. */
        ASSERT_EQ_U64(cg_io_weight_to_blkio_bfq(1), 10);
        ASSERT_EQ_U64(cg_io_weight_to_blkio_bfq(50), 113);
        ASSERT_EQ_U64(cg_io_weight_to_blkio_bfq(100), 136);
        ASSERT_EQ_U64(cg_io_weight_to_blkio_bfq(10000), 181);
}

TEST(limit_conversions) {
        char buf[64];
        uint64_t v;
        CellLimit unset = { .kind = CELL_LIMIT_UNSET };
        CellLimit inf = { .kind = CELL_LIMIT_INFINITY };
        CellLimit val = { .kind = CELL_LIMIT_VALUE, .value = UINT64_C(536870912) };
        CellLimit half = { .kind = CELL_LIMIT_PERCENT, .permyriad = 5000 };
        CellLimit odd = { .kind = CELL_LIMIT_PERCENT, .permyriad = 1234 };      /* 12.34% */
        const uint64_t gib8 = UINT64_C(8) << 30;

        ASSERT_ERROR(cg_limit_resolve(&unset, gib8, 4096, &v), ENODATA);
        ASSERT_ERROR(cg_format_limit_v2(&unset, gib8, 4096, buf, sizeof buf), ENODATA);

        ASSERT_OK(cg_format_limit_v2(&inf, gib8, 4096, buf, sizeof buf));
        ASSERT_STREQ(buf, "max");
        ASSERT_OK(cg_format_limit_v1(&inf, gib8, 4096, buf, sizeof buf));
        ASSERT_STREQ(buf, "-1");

        ASSERT_OK(cg_format_limit_v2(&val, gib8, 4096, buf, sizeof buf));
        ASSERT_STREQ(buf, "536870912");
        ASSERT_OK(cg_format_limit_v1(&val, gib8, 4096, buf, sizeof buf));
        ASSERT_STREQ(buf, "536870912");

        ASSERT_OK(cg_format_limit_v2(&half, gib8, 4096, buf, sizeof buf));
        ASSERT_STREQ(buf, "4294967296");
        /* 12.34% of 8 GiB = 1059997928.65, rounded down to a page. */
        ASSERT_OK(cg_limit_resolve(&odd, gib8, 4096, &v));
        ASSERT_EQ_U64(v, UINT64_C(1059995648));
        ASSERT_EQ_U64(v % 4096, 0);
        /* As systemd resolves MemoryMaxScale=: whole pages times the scale,
         * rounded down. 56.25% of 4 GiB is a page short of 2.25 GiB there, the
         * scale being a little below 56.25%. */
        ASSERT_OK(cg_limit_resolve(&(CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 5625 },
                                   UINT64_C(4) << 30, 4096, &v));
        ASSERT_EQ_U64(v, UINT64_C(2415915008));
        /* TasksMaxScale= the same way, in tasks: 33% of 100 is 32 there. */
        ASSERT_OK(cg_limit_resolve(&(CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 3300 }, 100, 0, &v));
        ASSERT_EQ_U64(v, 32);
        ASSERT_OK(cg_limit_resolve(&(CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 10000 }, 100, 0, &v));
        ASSERT_EQ_U64(v, 100);
        /* Counts (TasksMax=10%) are not page-rounded. */
        ASSERT_OK(cg_limit_resolve(&(CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 1000 }, 4194303, 0, &v));
        ASSERT_EQ_U64(v, 419430);

        /* Against this machine: a percentage is of its physical memory. */
        uint64_t mem = cg_physical_memory();
        ASSERT_TRUE(mem > 0 && mem != UINT64_MAX);
        ASSERT_OK(cg_limit_resolve(&half, mem, 4096, &v));
        ASSERT_TRUE(v <= mem / 2 && v + 4096 > mem / 2);
        /* TasksMax= as pids.max takes it: above the kernel's limit (4194304),
         * which pids.max refuses, "max", as no more tasks can be. */
        ASSERT_OK(cg_format_tasks_max(&(CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 4194304 }, 32767, buf,
                                      sizeof buf));
        ASSERT_STREQ(buf, "4194304");
        ASSERT_OK(cg_format_tasks_max(&(CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 4194305 }, 32767, buf,
                                      sizeof buf));
        ASSERT_STREQ(buf, "max");
        ASSERT_OK(cg_format_tasks_max(&inf, 32767, buf, sizeof buf));
        ASSERT_STREQ(buf, "max");
        ASSERT_OK(cg_format_tasks_max(&half, 32767, buf, sizeof buf));
        ASSERT_STREQ(buf, "16383");
        ASSERT_ERROR(cg_format_tasks_max(&unset, 32767, buf, sizeof buf), ENODATA);

        uint64_t tasks = cg_system_tasks_max();
        ASSERT_TRUE(tasks > 0 && tasks <= 4194303);
}

/* writes text into dir/rel (made with its parents) */
static void put_file(const char *dir, const char *rel, const char *text) {
        char cmd[1100], path[512];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s", dir, rel);
        snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
        ASSERT_EQ(system(cmd), 0);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        fclose(f);
}

/* What a percentage is of, as systemd's physical_memory() and
 * system_tasks_max() find it: the root cgroup's limit, that of PID 1's
 * cgroup without "/init.scope" (a container's own cgroup). The cgroupfs
 * manager took 50% of the host's RAM in a container limited to 1G. */
TEST(root_limit) {
        char dir[] = "/tmp/cell-test-root-XXXXXX", text[2048], cmd[128];
        CgroupMembership *pid1 = NULL;
        CgroupMount *m = NULL;
        size_t n_pid1 = 0, n = 0;
        uint64_t v = 0;

        ASSERT_NOT_NULL(mkdtemp(dir));
        /* Hybrid: memory and pids on v1; PID 1 (systemd) in /init.scope. */
        snprintf(text, sizeof text,
                 "30 25 0:26 / %1$s/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
                 "31 25 0:27 / %1$s/memory rw - cgroup cgroup rw,memory\n"
                 "32 25 0:28 / %1$s/pids rw - cgroup cgroup rw,pids\n"
                 "33 25 0:29 / %1$s/unified rw - cgroup2 cgroup2 rw\n", dir);
        ASSERT_OK(cg_parse_mountinfo(text, &m, &n));
        ASSERT_OK(cg_parse_proc_cgroup("9:name=systemd:/init.scope\n8:pids:/init.scope\n4:memory:/init.scope\n"
                                       "0::/init.scope\n", &pid1, &n_pid1));
        ASSERT_ERROR(cg_root_limit(pid1, n_pid1, m, n, "memory", "memory.limit_in_bytes", "memory.max", &v), ENOENT);
        put_file(dir, "memory/memory.limit_in_bytes", "1073741824\n");
        put_file(dir, "memory/init.scope/memory.limit_in_bytes", "4096\n");
        put_file(dir, "pids/pids.max", "max\n");
        ASSERT_OK(cg_root_limit(pid1, n_pid1, m, n, "memory", "memory.limit_in_bytes", "memory.max", &v));
        ASSERT_EQ_U64(v, 1073741824);
        ASSERT_OK(cg_root_limit(pid1, n_pid1, m, n, "pids", "pids.max", "pids.max", &v));
        ASSERT_EQ_U64(v, UINT64_MAX);
        ASSERT_ERROR(cg_root_limit(pid1, n_pid1, m, n, "cpu", "cpu.cfs_quota_us", "cpu.max", &v), ENOENT);
        cg_membership_free(pid1, n_pid1);
        /* PID 1 of a container seen from outside its cgroup namespace: its
         * name=systemd cgroup is the root, whatever its memory one says. */
        ASSERT_OK(cg_parse_proc_cgroup("9:name=systemd:/machine.slice/c1/init.scope\n4:memory:/elsewhere\n",
                                       &pid1, &n_pid1));
        put_file(dir, "memory/machine.slice/c1/memory.limit_in_bytes", "2147483648\n");
        ASSERT_OK(cg_root_limit(pid1, n_pid1, m, n, "memory", "memory.limit_in_bytes", "memory.max", &v));
        ASSERT_EQ_U64(v, 2147483648);
        cg_membership_free(pid1, n_pid1);
        /* PID 1 in the cgroup that systemd before 205 put itself in, "system"
         * (cg_get_root_path() takes it off, as system.slice): its parent is
         * the root; "systemd" is no such name. */
        ASSERT_OK(cg_parse_proc_cgroup("9:name=systemd:/lxc/c2/system\n4:memory:/lxc/c2/system\n", &pid1, &n_pid1));
        put_file(dir, "memory/lxc/c2/memory.limit_in_bytes", "3221225472\n");
        put_file(dir, "memory/lxc/c2/system/memory.limit_in_bytes", "8192\n");
        ASSERT_OK(cg_root_limit(pid1, n_pid1, m, n, "memory", "memory.limit_in_bytes", "memory.max", &v));
        ASSERT_EQ_U64(v, 3221225472);
        cg_membership_free(pid1, n_pid1);
        ASSERT_OK(cg_parse_proc_cgroup("9:name=systemd:/lxc/c2/systemd\n", &pid1, &n_pid1));
        put_file(dir, "memory/lxc/c2/systemd/memory.limit_in_bytes", "16384\n");
        ASSERT_OK(cg_root_limit(pid1, n_pid1, m, n, "memory", "memory.limit_in_bytes", "memory.max", &v));
        ASSERT_EQ_U64(v, 16384);
        cg_membership_free(pid1, n_pid1);
        /* PID 1 outside our cgroup namespace: nothing of ours to read. */
        ASSERT_OK(cg_parse_proc_cgroup("9:name=systemd:/../..\n4:memory:/../..\n", &pid1, &n_pid1));
        ASSERT_ERROR(cg_root_limit(pid1, n_pid1, m, n, "memory", "memory.limit_in_bytes", "memory.max", &v), ENOENT);
        cg_membership_free(pid1, n_pid1);
        cg_mount_free(m, n);

        /* Pure cgroup2: memory.max and pids.max of the root of PID 1's cgroup. */
        snprintf(text, sizeof text, "26 21 0:23 / %s/v2 rw - cgroup2 cgroup2 rw\n", dir);
        ASSERT_OK(cg_parse_mountinfo(text, &m, &n));
        ASSERT_OK(cg_parse_proc_cgroup("0::/init.scope\n", &pid1, &n_pid1));
        ASSERT_ERROR(cg_root_limit(pid1, n_pid1, m, n, "memory", "memory.limit_in_bytes", "memory.max", &v), ENOENT);
        put_file(dir, "v2/memory.max", "536870912\n");
        put_file(dir, "v2/pids.max", "300\n");
        ASSERT_OK(cg_root_limit(pid1, n_pid1, m, n, "memory", "memory.limit_in_bytes", "memory.max", &v));
        ASSERT_EQ_U64(v, 536870912);
        ASSERT_OK(cg_root_limit(pid1, n_pid1, m, n, "pids", "pids.max", "pids.max", &v));
        ASSERT_EQ_U64(v, 300);
        put_file(dir, "v2/pids.max", "-1\n");
        ASSERT_ERROR(cg_root_limit(pid1, n_pid1, m, n, "pids", "pids.max", "pids.max", &v), EINVAL);
        cg_membership_free(pid1, n_pid1);
        cg_mount_free(m, n);

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        ASSERT_EQ(system(cmd), 0);
}

TEST(cpuset_list) {
        char *s = NULL;
        uint8_t a[] = { 0x0b };                 /* 0,1,3 */
        uint8_t b[] = { 0xff, 0x01, 0x00, 0x80 }; /* 0-8, 31 */
        uint8_t none[] = { 0x00 };

        ASSERT_OK(cg_format_cpuset(a, sizeof a, &s));
        ASSERT_STREQ(s, "0-1,3");
        free(s);
        ASSERT_OK(cg_format_cpuset(b, sizeof b, &s));
        ASSERT_STREQ(s, "0-8,31");
        free(s);
        ASSERT_ERROR(cg_format_cpuset(none, sizeof none, &s), EINVAL);
}

TEST(read_keyed) {
        char path[] = "/tmp/cell-test-keyed-XXXXXX";
        int fd = mkstemp(path);
        uint64_t v = 0;

        ASSERT_TRUE(fd >= 0);
        const char *text = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
        ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        ASSERT_OK(cg_read_keyed(AT_FDCWD, path, "oom_kill", &v));
        ASSERT_EQ_U64(v, 3);
        ASSERT_OK(cg_read_keyed(AT_FDCWD, path, "under_oom", &v));
        ASSERT_EQ_U64(v, 0);
        ASSERT_ERROR(cg_read_keyed(AT_FDCWD, path, "oom", &v), ENODATA);
        unlink(path);
}

/* Our own cgroup2 directory: it lists us in cgroup.procs; the layout agrees
 * with whether there is one at all. */
TEST(v2_dir_of_self) {
        char *dir = NULL, *procs = NULL, *path = NULL, me[32];
        int layout = cg_layout();

        ASSERT_TRUE(layout >= CGROUP_LAYOUT_NONE && layout <= CGROUP_LAYOUT_UNIFIED);
        if (layout < CGROUP_LAYOUT_HYBRID) {
                ASSERT_ERROR(cg_v2_dir_of(0, &dir), ENOENT);
                return;
        }
        ASSERT_OK(cg_v2_dir_of(0, &dir));
        ASSERT_TRUE(asprintf(&path, "%s/cgroup.procs", dir) > 0);
        ASSERT_OK(cg_read_file(path, &procs));
        snprintf(me, sizeof me, "%d", (int) getpid());
        bool found = false;
        for (char *l = procs, *e; l && *l; l = e ? e + 1 : NULL) {
                e = strchr(l, '\n');
                if (e)
                        *e = 0;
                found = found || streq(l, me);
        }
        ASSERT_TRUE(found);
        /* A PID that names no process has no cgroup. */
        ASSERT_TRUE(cg_v2_dir_of(INT32_MAX, &dir) == -ENOENT || cg_v2_dir_of(INT32_MAX, &dir) == -ESRCH);
        free(dir);
        free(path);
        free(procs);
}

TEST(list_has) {
        ASSERT_TRUE(cg_list_has("cpuset cpu io memory pids\n", "cpu"));
        ASSERT_TRUE(cg_list_has("cpuset cpu io memory pids\n", "pids"));
        ASSERT_TRUE(cg_list_has("memory", "memory"));
        ASSERT_FALSE(cg_list_has("cpuset io\n", "cpu"));
        ASSERT_FALSE(cg_list_has("hugetlb misc\n", "io"));
        ASSERT_FALSE(cg_list_has("", "memory"));
        ASSERT_FALSE(cg_list_has("\n", "memory"));
        ASSERT_FALSE(cg_list_has("cpuset io\n", ""));      /* returned, not looped forever */
        ASSERT_FALSE(cg_list_has("", ""));
}
