/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroupfs manager for real: needs root and a writable cgroup tree, and
 * skips (test_skip(), each test returns early) without them. Each test body runs in a
 * child process and creates "cell-<what>-TAG" below the cgroup it runs in;
 * it asserts that scope_free() removed them, and the parent removes whatever
 * a failed body left behind (killing only processes in those cgroups). */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cgroup-fixture.h"
#include "cgroup-util.h"
#include "name-lock.h"
#include "scope-cgroupfs.h"
#include "strv.h"
#include "test.h"

static bool can_run(void) {
        if (geteuid() != 0) {
                test_skip("not root");
                return false;
        }
        if (access("/proc/self/cgroup", R_OK) < 0) {
                test_skip("no /proc/self/cgroup");
                return false;
        }
        return true;
}

/* The dir scope_new() made in the hierarchy of controller (NULL: cgroup2). */
static char *dir_of(const char *controller, const char *child) {
        return fixture_child_dir(controller, child);
}

/* The first line of dir/file is want. */
static void expect_file(const char *dir, const char *file, const char *want) {
        char *v = fixture_read(dir, file);
        ASSERT_STREQ(v, want);
        free(v);
}

static char tag[32], run[sizeof "/tmp/test-scope-cgroupfs.XXXXXX"];

/* What a body left: its cgroups (and what runs in them), the runtime directory. */
static void cleanup_leftovers(void) {
        static const char *hier[] = { "memory", "pids", "cpu", "cpuacct", "cpuset", "blkio", "devices", "name=systemd",
                                      NULL };
        static const char *what[] = { "test", "busy", "adopt" };
        char cmd[64];

        for (size_t w = 0; w < ELEMENTSOF(what); w++)
                for (size_t h = 0; h < ELEMENTSOF(hier); h++) {
                        char child[64];
                        snprintf(child, sizeof child, "cell-%s-%s", what[w], tag);
                        fixture_remove_child(hier[h], child);
                }
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", run);
        ASSERT_EQ(system(cmd), 0);
        unsetenv("CELL_RUNTIME_DIR");
}

/* Runs body in a child; cleans up after it either way; fails if it failed.
 * The names' locks go to a runtime directory of the test's own. */
static void run_isolated(void (*body)(void)) {
        snprintf(tag, sizeof tag, "%d", (int) getpid());
        snprintf(run, sizeof run, "/tmp/test-scope-cgroupfs.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(run));
        ASSERT_EQ(setenv("CELL_RUNTIME_DIR", run, 1), 0);
        fixture_run(body, cleanup_leftovers);
}

/* The names of the test's scope for what: child "cell-WHAT-TAG" (its
 * cgroups' name) and unit "CHILD.scope". */
static void scope_names(const char *what, char child[static 64], char unit[static 96]) {
        snprintf(child, 64, "cell-%s-%s", what, tag);
        snprintf(unit, 96, "%s.scope", child);
}

/* A new event loop and scope_new() on it with the cgroupfs manager; false
 * (test_skip(), the loop unref'd) when this machine has no cgroup tree cell may
 * write to. */
static bool new_or_skip(const Plan *p, Event **ret_event, Scope **ret) {
        Event *e = NULL;

        ASSERT_OK(event_new(&e));
        int r = scope_new(p, CGROUP_MANAGER_CGROUPFS, false, e, ret);
        if (r == -EROFS || r == -EACCES || r == -EOPNOTSUPP) {
                test_skip("cgroupfs not usable here: %s", strna(scope_last_error(NULL)));
                event_unref(e);
                return false;
        }
        ASSERT_OK(r);
        *ret_event = e;
        return true;
}

/* A child that sleeps until killed, attached to s. */
static pid_t attach_sleeper(Scope *s) {
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                pause();
                _exit(0);
        }
        ASSERT_OK(scope_attach(s, pid, false));
        return pid;
}

static void limits_attach_free(void) {

        char unit[96], child[64];
        scope_names("test", child, unit);
        Plan p = {
                .name = (char *) "test",
                .scope_unit = unit,
                .limits = {
                        .memory_max = { .kind = CELL_LIMIT_VALUE, .value = UINT64_C(268435456) },
                        .tasks_max = { .kind = CELL_LIMIT_VALUE, .value = 64 },
                        .cpu_quota_per_sec_usec = 500000,
                        .cpu_weight = 50,
                        .io_weight = 50,
                        .allowed_cpus = (uint8_t[]) { 0x01 },
                        .allowed_cpus_size = 1,
                },
        };
        Event *e = NULL;
        Scope *s = NULL;

        if (!new_or_skip(&p, &e, &s))
                return;
        ASSERT_EQ(scope_manager(s), CGROUP_MANAGER_CGROUPFS);

        bool v1 = access("/sys/fs/cgroup/memory", F_OK) == 0;
        char *mem = dir_of(v1 ? "memory" : NULL, child);
        char *pids = dir_of(v1 ? "pids" : NULL, child);
        char *cpu = dir_of(v1 ? "cpu" : NULL, child);
        ASSERT_NOT_NULL(mem);
        if (v1) {
                expect_file(mem, "memory.limit_in_bytes", "268435456");
                expect_file(pids, "pids.max", "64");
                expect_file(cpu, "cpu.cfs_quota_us", "50000");
                expect_file(cpu, "cpu.shares", "512");
                char *cpuset = dir_of("cpuset", child);
                expect_file(cpuset, "cpuset.cpus", "0");
                free(cpuset);
                /* IOWeight=50 where BFQ is there, as systemd 252 writes it on
                 * v1: BFQ's mapping of the blkio weight 250. */
                char *blkio = dir_of("blkio", child), *bfq = NULL;
                ASSERT_NOT_NULL(blkio);
                ASSERT_TRUE(asprintf(&bfq, "%s/blkio.bfq.weight", blkio) > 0);
                if (access(bfq, F_OK) >= 0)
                        expect_file(blkio, "blkio.bfq.weight", "113");
                free(bfq);
                free(blkio);
                ASSERT_ERROR(scope_clone_into_fd(s), EBADF);
        } else {
                expect_file(mem, "memory.max", "268435456");
                expect_file(cpu, "cpu.max", "50000 100000");
                /* IOWeight=50: iocost's weight and BFQ's, where they are. */
                char *w = NULL;
                ASSERT_TRUE(asprintf(&w, "%s/io.bfq.weight", mem) > 0);
                if (access(w, F_OK) >= 0)
                        expect_file(mem, "io.bfq.weight", "default 50");
                free(w);
                ASSERT_TRUE(scope_clone_into_fd(s) >= 0);
        }

        /* A child that sleeps, and one it forks: both must be gone after scope_free(). */
        int sync_pipe[2];
        ASSERT_OK(pipe2(sync_pipe, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                char c;
                (void) !read(sync_pipe[0], &c, 1);       /* wait until attached */
                if (fork() == 0)
                        pause();
                pause();
                _exit(0);
        }
        close(sync_pipe[0]);
        ASSERT_OK(scope_attach(s, pid, false));
        ASSERT_OK(scope_wait(s));
        char *procs = fixture_read(mem, "cgroup.procs");
        char want[32];
        snprintf(want, sizeof want, "%d", (int) pid);
        ASSERT_STREQ(procs, want);
        free(procs);
        ASSERT_EQ(write(sync_pipe[1], "x", 1), 1);
        close(sync_pipe[1]);
        ASSERT_FALSE(scope_oom_killed(s));

        /* Reap in parallel: scope_free() waits for the cgroup to empty. */
        ASSERT_NULL(scope_free(s));
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

        ASSERT_TRUE(access(mem, F_OK) < 0 && errno == ENOENT);
        ASSERT_TRUE(access(pids, F_OK) < 0 && errno == ENOENT);
        ASSERT_TRUE(access(cpu, F_OK) < 0 && errno == ENOENT);
        char *sd = dir_of("name=systemd", child), *u = dir_of(NULL, child);
        ASSERT_TRUE(!sd || (access(sd, F_OK) < 0 && errno == ENOENT));
        ASSERT_TRUE(!u || (access(u, F_OK) < 0 && errno == ENOENT));
        free(sd);
        free(u);
        free(mem);
        free(pids);
        free(cpu);
        event_unref(e);
}

/* CPUWeight=idle and CPUQuotaPeriodSec= as systemd 252 writes them: v1
 * cpu.shares 2 and cpu.cfs_period_us, cgroup2 cpu.idle 1 (no weight) and
 * cpu.max's second field; the quota per period computed with the period.
 * MemoryMin=/MemoryLow=: memory.min/memory.low on cgroup2; refused on v1,
 * which has nothing for them, before any cgroup is made. */
static void idle_period_protection(void) {
        char unit[96], child[64];
        scope_names("test", child, unit);
        Plan p = {
                .name = (char *) "test",
                .scope_unit = unit,
                .limits = {
                        .cpu_quota_per_sec_usec = 500000,
                        .cpu_quota_period_set = true,
                        .cpu_quota_period_usec = 10000,
                        .cpu_idle = true,
                },
        };
        Event *e = NULL;
        Scope *s = NULL;
        bool v1 = access("/sys/fs/cgroup/memory", F_OK) == 0;

        if (!new_or_skip(&p, &e, &s))
                return;
        char *cpu = dir_of(v1 ? "cpu" : NULL, child);
        ASSERT_NOT_NULL(cpu);
        if (v1) {
                expect_file(cpu, "cpu.cfs_period_us", "10000");
                expect_file(cpu, "cpu.cfs_quota_us", "5000");
                expect_file(cpu, "cpu.shares", "2");
        } else {
                expect_file(cpu, "cpu.max", "5000 10000");
                expect_file(cpu, "cpu.idle", "1");
                expect_file(cpu, "cpu.weight", "100");
        }
        ASSERT_NULL(scope_free(s));
        ASSERT_TRUE(access(cpu, F_OK) < 0 && errno == ENOENT);
        free(cpu);

        p.limits = (PlanLimits) {
                .cpu_quota_per_sec_usec = USEC_INFINITY,
                .memory_min = { .kind = CELL_LIMIT_VALUE, .value = UINT64_C(16) << 20 },
                .memory_low = { .kind = CELL_LIMIT_VALUE, .value = UINT64_C(32) << 20 },
        };
        char *mem = dir_of(v1 ? "memory" : NULL, child);
        ASSERT_NOT_NULL(mem);
        if (v1) {
                ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s), EOPNOTSUPP);
                ASSERT_NOT_NULL(strstr(strna(scope_last_error(NULL)), "MemoryMin=: cgroup v1 has no memory protection"));
                ASSERT_TRUE(access(mem, F_OK) < 0 && errno == ENOENT);
                p.limits.memory_min = (CellLimit) {};
                ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s), EOPNOTSUPP);
                ASSERT_NOT_NULL(strstr(strna(scope_last_error(NULL)), "MemoryLow=:"));

                /* MemorySwapMax=: v1's memsw holds memory and swap together, so
                 * only with MemoryMax= (no swap limit at all otherwise). */
                p.limits.memory_low = (CellLimit) {};
                p.limits.memory_swap_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 0 };
                ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s), EOPNOTSUPP);
                ASSERT_TRUE(startswith(strna(scope_last_error(NULL)), "MemorySwapMax=: cgroup v1 limits swap only"));
                ASSERT_TRUE(access(mem, F_OK) < 0 && errno == ENOENT);
                p.limits.memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = UINT64_C(64) << 20 };
                p.limits.memory_swap_max.value = UINT64_C(16) << 20;
                ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s));
                expect_file(mem, "memory.limit_in_bytes", "67108864");
                char *memsw = NULL;
                ASSERT_TRUE(asprintf(&memsw, "%s/memory.memsw.limit_in_bytes", mem) > 0);
                if (access(memsw, F_OK) >= 0)
                        expect_file(mem, "memory.memsw.limit_in_bytes", "83886080");
                free(memsw);
                ASSERT_NULL(scope_free(s));
        } else {
                ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s));
                expect_file(mem, "memory.min", "16777216");
                expect_file(mem, "memory.low", "33554432");
                ASSERT_NULL(scope_free(s));
        }
        free(mem);
        event_unref(e);
}

/* A value the kernel refuses fails the start naming the key, and leaves no
 * cgroup; TasksMax= above the kernel's limit is no limit, as with systemd
 * (pids.max refuses it, systemd carries on without). */
static void refused_values(void) {
        char unit[96], child[64];
        scope_names("test", child, unit);
        uint8_t cpus[512] = {};
        cpus[4000 / 8] = 1u << (4000 % 8);              /* CPU 4000, which this machine has not */
        Plan p = {
                .name = (char *) "test",
                .scope_unit = unit,
                .limits = {
                        .cpu_quota_per_sec_usec = USEC_INFINITY,
                        .allowed_cpus = cpus,
                        .allowed_cpus_size = sizeof cpus,
                },
        };
        Event *e = NULL;
        Scope *s = NULL;
        bool v1 = access("/sys/fs/cgroup/memory", F_OK) == 0;

        ASSERT_OK(event_new(&e));
        char *cpuset = dir_of(v1 ? "cpuset" : NULL, child);
        if (!cpuset || access(v1 ? "/sys/fs/cgroup/cpuset" : "/sys/fs/cgroup/cgroup.controllers", F_OK) < 0) {
                test_skip("no cpuset hierarchy");
                free(cpuset);
                event_unref(e);
                return;
        }
        int r = scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s);
        ASSERT_TRUE(r < 0);
        ASSERT_NULL(s);
        printf("AllowedCPUs=4000: %s\n", strna(scope_last_error(NULL)));
        /* Named with the CPU refused, for the line that brought it. */
        ASSERT_TRUE(startswith(strna(scope_last_error(NULL)),
                               "AllowedCPUs=4000: the kernel refuses cpuset.cpus=4000 in "));
        ASSERT_NOT_NULL(strstr(scope_last_error(NULL), ": not in "));
        ASSERT_TRUE(access(cpuset, F_OK) < 0 && errno == ENOENT);
        free(cpuset);

        p.limits = (PlanLimits) {
                .cpu_quota_per_sec_usec = USEC_INFINITY,
                .tasks_max = { .kind = CELL_LIMIT_VALUE, .value = 5000000 },
        };
        char *pids = dir_of(v1 ? "pids" : NULL, child);
        ASSERT_NOT_NULL(pids);
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s));
        expect_file(pids, "pids.max", "max");
        ASSERT_NULL(scope_free(s));
        ASSERT_TRUE(access(pids, F_OK) < 0 && errno == ENOENT);

        /* TasksMax= unset: systemd's DefaultTasksMax=, 15% of the smaller of
         * kernel.pid_max - 1 and kernel.threads-max (no root pids.max here),
         * where the pids controller is cell's; it had no limit. */
        p.limits = (PlanLimits) {
                .cpu_quota_per_sec_usec = USEC_INFINITY,
                .tasks_max_default = { .kind = CELL_LIMIT_PERCENT, .permyriad = PLAN_DEFAULT_TASKS_MAX_PERMYRIAD },
        };
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s));
        char *pid_max = fixture_read("/proc/sys/kernel", "pid_max"),
             *threads_max = fixture_read("/proc/sys/kernel", "threads-max"),
             *got = access(pids, F_OK) >= 0 ? fixture_read(pids, "pids.max") : NULL;
        unsigned long long base = MIN(strtoull(pid_max, NULL, 10) - 1, strtoull(threads_max, NULL, 10)),
                           want = base * 15 / 100;
        printf("TasksMax= unset: pids.max %s (15%% of %llu: %llu)\n", strna(got), base, want);
        if (v1 || got) {
                ASSERT_NOT_NULL(got);
                unsigned long long n = strtoull(got, NULL, 10);
                ASSERT_EQ_U64(n, want);     /* 15/100 exactly, as systemd takes its default */
        }
        ASSERT_NULL(scope_free(s));
        ASSERT_TRUE(access(pids, F_OK) < 0 && errno == ENOENT);
        free(pid_max);
        free(threads_max);
        free(got);
        free(pids);

        /* v1's memsw holds memory and swap together: a swap limit beside
         * MemoryMax=infinity is refused saying so (it said "it needs
         * MemoryMax= too", which the unit has). */
        if (v1 && access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0) {
                p.limits = (PlanLimits) {
                        .cpu_quota_per_sec_usec = USEC_INFINITY,
                        .memory_max = { .kind = CELL_LIMIT_INFINITY },
                        .memory_swap_max = { .kind = CELL_LIMIT_VALUE, .value = 0 },
                };
                s = NULL;
                ASSERT_TRUE(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s) == -EOPNOTSUPP);
                ASSERT_NULL(s);
                ASSERT_NOT_NULL(strstr(strna(scope_last_error(NULL)), "it needs a MemoryMax= other than infinity "));
                p.limits.memory_max = (CellLimit) {};
                ASSERT_TRUE(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s) == -EOPNOTSUPP);
                ASSERT_NOT_NULL(strstr(strna(scope_last_error(NULL)), "it needs MemoryMax= too, "));
        }
        event_unref(e);
}

/* AllowedMemoryNodes= into cpuset.mems (a v1 cpuset gets its parent's CPUs,
 * as it admits no task without); a node this machine has not is refused,
 * naming the key, leaving no cgroup. The Startup*= keys are not written (no
 * start-up phase here): alone they make no cpuset or cpu cgroup on v1, and
 * leave cgroup2's files as the kernel made them. */
static void memory_nodes_and_startup(void) {
        char unit[96], child[64];
        scope_names("test", child, unit);
        uint8_t nodes[512] = { 0x01 };
        Plan p = {
                .name = (char *) "test",
                .scope_unit = unit,
                .limits = {
                        .cpu_quota_per_sec_usec = USEC_INFINITY,
                        .allowed_memory_nodes = nodes,
                        .allowed_memory_nodes_size = 1,
                },
        };
        Event *e = NULL;
        Scope *s = NULL;
        bool v1 = access("/sys/fs/cgroup/memory", F_OK) == 0;

        char *cpuset = dir_of(v1 ? "cpuset" : NULL, child);
        if (!cpuset || access(v1 ? "/sys/fs/cgroup/cpuset" : "/sys/fs/cgroup/cgroup.controllers", F_OK) < 0) {
                test_skip("no cpuset hierarchy");
                free(cpuset);
                return;
        }
        if (!new_or_skip(&p, &e, &s)) {
                free(cpuset);
                return;
        }
        expect_file(cpuset, "cpuset.mems", "0");
        if (v1) {
                char *parent = NULL, *cpus = NULL;
                ASSERT_TRUE(asprintf(&parent, "%s/..", cpuset) > 0);
                cpus = fixture_read(parent, "cpuset.cpus");
                ASSERT_NOT_NULL(cpus);
                expect_file(cpuset, "cpuset.cpus", cpus);
                free(cpus);
                free(parent);
        }
        s = scope_free(s);
        ASSERT_TRUE(access(cpuset, F_OK) < 0 && errno == ENOENT);

        nodes[0] = 0;
        nodes[4000 / 8] = 1u << (4000 % 8);             /* node 4000, which this machine has not */
        p.limits.allowed_memory_nodes_size = sizeof nodes;
        ASSERT_TRUE(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s) < 0);
        ASSERT_NULL(s);
        printf("AllowedMemoryNodes=4000: %s\n", strna(scope_last_error(NULL)));
        ASSERT_TRUE(startswith(strna(scope_last_error(NULL)), "AllowedMemoryNodes=4000: the kernel refuses cpuset.mems=4000 "));
        ASSERT_TRUE(access(cpuset, F_OK) < 0 && errno == ENOENT);

        p.limits = (PlanLimits) {
                .cpu_quota_per_sec_usec = USEC_INFINITY,
                .startup_cpu_weight = 50,
                .startup_io_weight = 50,
                .startup_allowed_cpus = (uint8_t[]) { 0x01 },
                .startup_allowed_cpus_size = 1,
                .startup_allowed_memory_nodes = (uint8_t[]) { 0x01 },
                .startup_allowed_memory_nodes_size = 1,
        };
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s));
        char *cpu = dir_of(v1 ? "cpu" : NULL, child);
        ASSERT_NOT_NULL(cpu);
        if (v1) {
                ASSERT_TRUE(access(cpuset, F_OK) < 0 && errno == ENOENT);
                /* cpu is the container's own all the same (as under a systemd
                 * scope, it is shown it), its weight untouched. */
                char *v = fixture_read(cpu, "cpu.shares");
                ASSERT_TRUE(!v || streq(v, "1024"));
                free(v);
        } else {
                char *v = fixture_read(cpuset, "cpuset.cpus");
                ASSERT_TRUE(!v || streq(v, ""));
                free(v);
                v = fixture_read(cpu, "cpu.weight");
                ASSERT_TRUE(!v || streq(v, "100"));
                free(v);
        }
        ASSERT_NULL(scope_free(s));
        free(cpu);
        free(cpuset);
        event_unref(e);
}

/* The name's lock as a cell's death leaves it: released, its cgroups still
 * there. LOCK_UN: the sleepers forked here share the fd (cell's payload
 * closes every fd it inherits). */
static void drop_lock(Scope *s) {
        ASSERT_OK(flock(s->fs->lock_fd, LOCK_UN));
        s->fs->lock_fd = safe_close(s->fs->lock_fd);
}

static void running_name_is_refused(void) {
        char unit[96], child[64], want[160];
        scope_names("busy", child, unit);
        Plan p = { .name = (char *) "busy", .scope_unit = unit, .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        Event *e = NULL;
        Scope *a = NULL, *b = NULL;
        struct stat before, after;

        if (!new_or_skip(&p, &e, &a))
                return;
        /* A second start while the first has made its cgroup but moved no
         * process in yet (two "cell run" at once): refused, and the first's
         * cgroup, empty as a dead cell's leftover, is left alone. */
        char *dir = dir_of(access("/sys/fs/cgroup/memory", F_OK) == 0 ? "name=systemd" : NULL, child);
        if (!dir || access(dir, F_OK) < 0)
                dir = (free(dir), dir_of(NULL, child));
        ASSERT_NOT_NULL(dir);
        ASSERT_OK(stat(dir, &before));
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &b), EEXIST);
        ASSERT_NULL(b);
        snprintf(want, sizeof want, "cell busy is already running (PID %d holds ", (int) getpid());
        ASSERT_CONTAINS(scope_last_error(NULL), want);
        ASSERT_CONTAINS(scope_last_error(NULL), "/lock/busy.lock)");
        ASSERT_OK(stat(dir, &after));
        ASSERT_TRUE(before.st_ino == after.st_ino);
        pid_t pid = attach_sleeper(a);
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &b), EEXIST);

        /* Its supervisor gone (the lock with it), the container still runs. */
        drop_lock(a);
        ASSERT_ERROR(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &b), EEXIST);
        ASSERT_NULL(b);
        snprintf(want, sizeof want, "cell busy is already running (cgroup ");
        ASSERT_CONTAINS(scope_last_error(NULL), want);
        snprintf(want, sizeof want, "PID %d)", (int) pid);
        ASSERT_CONTAINS(scope_last_error(NULL), want);

        scope_free(a);
        ASSERT_EQ(waitpid(pid, NULL, 0), pid);

        /* An empty leftover (a cell that died: its lock went with it) is simply replaced. */
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &a));
        drop_lock(a);
        ASSERT_OK(stat(dir, &before));
        ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &b));
        ASSERT_OK(stat(dir, &after));
        ASSERT_TRUE(before.st_ino != after.st_ino);
        scope_free(b);
        scope_free(a);
        free(dir);
        event_unref(e);
}

/* Slice= is systemd's: the cgroupfs manager says at the start that it does
 * not use it, naming the file and line; with no Slice= in the unit (the
 * default machine.slice) it says nothing. */
static void slice_notice(void) {
        char unit[96], child[64], want[256], text[1024];
        scope_names("test", child, unit);
        CellOrigin o = { .key = "Slice", .file = (char *) "/etc/cell/web.cell", .line = 7 };
        Plan p = { .name = (char *) "test", .scope_unit = unit, .slice = (char *) "web.slice",
                   .origins = &o, .n_origins = 1, .limits.cpu_quota_per_sec_usec = USEC_INFINITY };
        Event *e = NULL;
        Scope *s = NULL;

        TestStderr c = test_stderr_capture();
        bool up = new_or_skip(&p, &e, &s);
        scope_free(s);
        s = NULL;
        p.n_origins = 0;
        if (up)
                ASSERT_OK(scope_new(&p, CGROUP_MANAGER_CGROUPFS, false, e, &s));
        scope_free(s);
        event_unref(e);
        test_stderr_release(c, text, sizeof text);
        if (!up)
                return;

        snprintf(want, sizeof want, "/etc/cell/web.cell:7: Slice=web.slice: the cgroupfs manager does not use "
                 "slices; %s is made below the cgroup cell runs in\n", child);
        ASSERT_CONTAINS(text, want);
        /* ... once: the second start, with no Slice= in its unit, said nothing. */
        ASSERT_NULL(strstr(strstr(text, "Slice=") + 1, "Slice="));
}

/* What cell hands to cell-monitor and "cell __finish" adopts again
 * (scope-cgroupfs-handover.c): the dirs as data, the memory cgroup's OOM
 * counter as an fd; the adopted Scope empties and removes them. */
static void handover_adopt_free(void) {
        char unit[96], child[64];
        scope_names("adopt", child, unit);
        Plan p = {
                .name = (char *) "adopt",
                .scope_unit = unit,
                .limits = {
                        .memory_max = { .kind = CELL_LIMIT_VALUE, .value = UINT64_C(268435456) },
                        .cpu_quota_per_sec_usec = USEC_INFINITY,
                },
        };
        ScopeCgroupfsDirs d;
        Event *e = NULL;
        Scope *s = NULL, *adopted = NULL;
        int status;

        if (!new_or_skip(&p, &e, &s))
                return;
        pid_t pid = attach_sleeper(s);
        ASSERT_OK(scope_wait(s));

        const OomCounter *c = scope_oom_counter(s);
        ASSERT_NOT_NULL(c);
        ASSERT_TRUE(c->fd >= 0 && c->kills == 0);
        ASSERT_TRUE(scope_oom_counter(s) == c);         /* opened once */

        ASSERT_OK(scope_cgroupfs_dirs(s, &d));
        ASSERT_TRUE(strv_length(d.dirs) >= 1);
        for (char **dir = d.dirs; *dir; dir++) {
                ASSERT_NOT_NULL(strstr(*dir, child));
                ASSERT_OK(access(*dir, F_OK));
        }

        /* The name's lock: the Scope's own fd, handed on as it is through the exec. */
        ASSERT_TRUE(d.lock_fd >= 0 && d.lock_fd == s->fs->lock_fd);
        char *lock = NULL;
        ASSERT_OK(name_lock_path("adopt", &lock));
        ASSERT_OK(access(lock, F_OK));

        /* As after cell's exec: a Scope of those dirs alone removes them all,
         * then releases the lock (here a second fd of it, for s keeps its own). */
        d.lock_fd = fcntl(d.lock_fd, F_DUPFD_CLOEXEC, 3);
        ASSERT_TRUE(d.lock_fd >= 0);
        ASSERT_OK(scope_adopt_cgroupfs("adopt", &d, &adopted));
        ASSERT_EQ(scope_manager(adopted), CGROUP_MANAGER_CGROUPFS);
        ASSERT_NULL(scope_free(adopted));
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        for (char **dir = d.dirs; *dir; dir++)
                ASSERT_TRUE(access(*dir, F_OK) < 0 && errno == ENOENT);
        ASSERT_TRUE(access(lock, F_OK) < 0 && errno == ENOENT);
        free(lock);

        /* Dirs that are gone are skipped; the first Scope's own clean-up finds nothing. */
        d.lock_fd = -EBADF;
        ASSERT_OK(scope_adopt_cgroupfs("adopt", &d, &adopted));
        ASSERT_NULL(scope_free(adopted));
        ASSERT_NULL(scope_free(s));
        scope_cgroupfs_dirs_done(&d);
        ASSERT_ERROR(scope_cgroupfs_dirs(NULL, &d), ENODATA);
        event_unref(e);
}

TEST(cgroupfs_limits_attach_free) {
        if (can_run())
                run_isolated(limits_attach_free);
}

TEST(cgroupfs_idle_period_protection) {
        if (can_run())
                run_isolated(idle_period_protection);
}

TEST(cgroupfs_refused_values) {
        if (can_run())
                run_isolated(refused_values);
}

TEST(cgroupfs_memory_nodes_and_startup) {
        if (can_run())
                run_isolated(memory_nodes_and_startup);
}

TEST(cgroupfs_running_name_is_refused) {
        if (can_run())
                run_isolated(running_name_is_refused);
}

TEST(cgroupfs_handover_adopt_free) {
        if (can_run())
                run_isolated(handover_adopt_free);
}

TEST(cgroupfs_slice_notice) {
        if (can_run())
                run_isolated(slice_notice);
}
