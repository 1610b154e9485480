/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macros.h"
#include "mount-util.h"
#include "mounts-lib.h"
#include "unit.h"

char *path_join(const char *a, const char *b) {
        char *p;

        CHECK(asprintf(&p, "%s/%s", a, b[0] == '/' ? b + 1 : b) >= 0);
        return p;
}

char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t size = 0, n;

        if (!f)
                return NULL;
        buf = malloc(1);
        CHECK(buf);
        for (;;) {
                buf = realloc(buf, size + 4097);
                CHECK(buf);
                n = fread(buf + size, 1, 4096, f);
                size += n;
                if (n == 0)
                        break;
        }
        buf[size] = 0;
        fclose(f);
        return buf;
}

void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        CHECK(f);
        CHECK(fputs(text, f) >= 0);
        CHECK(fclose(f) == 0);
}

void make_dir(const char *path) {
        CHECK(mkdir(path, 0755) == 0 || errno == EEXIST);
}

void make_link(const char *target, const char *path) {
        CHECK(symlink(target, path) == 0);
}

bool has_option(const char *options, const char *option) {
        size_t l = strlen(option);

        for (const char *p = options; p && *p; ) {
                size_t n = strcspn(p, ",");

                if (n == l && strncmp(p, option, l) == 0)
                        return true;
                p += n;
                p += *p == ',';
        }
        return false;
}

bool mountinfo_lookup(const char *path, char **ret_options, char **ret_fstype) {
        char *text = read_file("/proc/self/mountinfo"), *line, *save = NULL;
        char mp[4096], opts[4096], fstype[256];
        bool found = false;

        CHECK(text);
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                const char *sep = strstr(line, " - ");

                /* id parent major:minor root mount-point options ... - fstype source super */
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s %4095s", mp, opts) != 2)
                        continue;
                if (!streq(mp, path))
                        continue;
                CHECK(sscanf(sep + 3, "%255s", fstype) == 1);
                /* NULL: only whether it is a mount point. */
                if (ret_options) {
                        if (found)
                                free(*ret_options);
                        *ret_options = strdup(opts);
                }
                if (ret_fstype) {
                        if (found)
                                free(*ret_fstype);
                        *ret_fstype = strdup(fstype);
                }
                found = true;
        }
        free(text);
        return found;
}

void test_plan_init(TestPlan *t, const TestEnv *env) {
        *t = (TestPlan) {
                .plan = {
                        .name = (char *) "test",
                        .root_directory = (char *) env->root,
                        .scope_unit = (char *) "cell-test.scope",
                },
        };
        t->plan.mounts = t->mounts;
}

PlanMount *test_plan_add(TestPlan *t, PlanMountKind kind, const char *source, const char *target,
                         const char *fstype, unsigned long flags, const char *data) {
        PlanMount *m;

        CHECK(t->plan.n_mounts < ELEMENTSOF(t->mounts));
        m = &t->mounts[t->plan.n_mounts++];
        *m = (PlanMount) {
                .kind = kind,
                .source = (char *) source,
                .target = (char *) target,
                .fstype = (char *) fstype,
                .flags = flags,
                .data = (char *) data,
        };
        return m;
}

void test_plan_add_defaults(TestPlan *t) {
        static const char *const masked[] = {
                "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/acpi", "/proc/scsi",
        };
        static const char *const read_only[] = {
                "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs",
        };
        static const char *const devices[] = {
                "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
        };
        const unsigned long ns = MS_NOSUID | MS_NODEV | MS_NOEXEC;

        test_plan_add(t, PLAN_MOUNT_FS, "proc", "/proc", "proc", ns, NULL);
        for (size_t i = 0; i < ELEMENTSOF(masked); i++)
                test_plan_add(t, PLAN_MOUNT_MASK, NULL, masked[i], NULL, 0, NULL);
        for (size_t i = 0; i < ELEMENTSOF(read_only); i++)
                test_plan_add(t, PLAN_MOUNT_READ_ONLY, NULL, read_only[i], NULL, 0, NULL);
        test_plan_add(t, PLAN_MOUNT_FS, "sysfs", "/sys", "sysfs", MS_RDONLY | ns, NULL);
        test_plan_add(t, PLAN_MOUNT_MASK, NULL, "/sys/firmware", NULL, 0, NULL);
        test_plan_add(t, PLAN_MOUNT_FS, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k");
        for (size_t i = 0; i < ELEMENTSOF(devices); i++)
                test_plan_add(t, PLAN_MOUNT_DEVICE, devices[i], devices[i], NULL, MS_NOSUID | MS_NOEXEC, NULL);
        /* As the plan's: in a directory of its own, skipped where the host lacks it. */
        test_plan_add(t, PLAN_MOUNT_DEVICE, "/dev/net/tun", "/dev/net/tun", NULL, MS_NOSUID | MS_NOEXEC,
                      NULL)->optional = true;
        test_plan_add(t, PLAN_MOUNT_FS, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                      "newinstance,ptmxmode=0666,mode=0620");
        test_plan_add(t, PLAN_MOUNT_SYMLINK, "pts/ptmx", "/dev/ptmx", NULL, 0, NULL);
        test_plan_add(t, PLAN_MOUNT_FS, "shm", "/dev/shm", "tmpfs", ns, "mode=1777,size=65536k");
        test_plan_add(t, PLAN_MOUNT_FS, "mqueue", "/dev/mqueue", "mqueue", ns, NULL);
        test_plan_add(t, PLAN_MOUNT_SYMLINK, "/proc/self/fd", "/dev/fd", NULL, 0, NULL);
        test_plan_add(t, PLAN_MOUNT_SYMLINK, "/proc/self/fd/0", "/dev/stdin", NULL, 0, NULL);
        test_plan_add(t, PLAN_MOUNT_SYMLINK, "/proc/self/fd/1", "/dev/stdout", NULL, 0, NULL);
        test_plan_add(t, PLAN_MOUNT_SYMLINK, "/proc/self/fd/2", "/dev/stderr", NULL, 0, NULL);
        test_plan_add(t, PLAN_MOUNT_FS, "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
}

static void diag_print(const Diagnostics *d) {
        for (char **m = d->messages; m && *m; m++)
                fprintf(stderr, "%s\n", *m);
}

void test_plan_add_unit(TestPlan *t, const TestEnv *env, const char *root_keys) {
        char *path = path_join(env->base, "test.cell"), *text = NULL;
        /* Kept for the life of the process: t's entries point into it. */
        Plan *p = calloc(1, sizeof *p);
        Diagnostics d = {};
        CellConfig c;
        int r;

        CHECK(p);
        CHECK(asprintf(&text, "[Root]\nDirectory=%s\n%s[Exec]\nExec=/bin/true\n", env->root, root_keys) >= 0);
        write_file(path, text);
        r = unit_load(path, &(UnitLoadOptions) { .search_path = (char *[]) { NULL } }, &c, &d);
        diag_print(&d);
        CHECK(r >= 0);
        r = plan_build(&c, NULL, p, &d);
        diag_print(&d);
        CHECK(r >= 0);
        for (size_t i = 0; i < p->n_mounts; i++)
                if (p->mounts[i].line > 0) {
                        CHECK(t->plan.n_mounts < ELEMENTSOF(t->mounts));
                        t->mounts[t->plan.n_mounts++] = p->mounts[i];
                }
        cell_config_done(&c);
        diag_done(&d);
        CHECK(unlink(path) == 0);
        free(path);
        free(text);
}

/* Mount points (with their count) of a mountinfo text. */
static size_t count_mount_point(const char *table, const char *path) {
        char *text = strdup(table), *line, *save = NULL, mp[4096];
        size_t n = 0;

        CHECK(text);
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && streq(mp, path))
                        n++;
        free(text);
        return n;
}

/* Before pivot_root the container still sees the sandbox's tree: every
 * mount point that gained a mount must lie inside the root. */
static void check_no_mount_outside(const TestEnv *env) {
        char *now = read_file("/proc/self/mountinfo"), *text, *line, *save = NULL, mp[4096];

        CHECK(now);
        text = strdup(now);
        CHECK(text);
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                CHECK(sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1);
                if (startswith(mp, env->root) && (mp[strlen(env->root)] == '/' || mp[strlen(env->root)] == 0))
                        continue;
                if (count_mount_point(now, mp) > count_mount_point(env->sandbox_mountinfo, mp)) {
                        fprintf(stderr, "ESCAPE: a mount landed outside the root on %s\n", mp);
                        _exit(1);
                }
        }
        free(text);
        free(now);
}

/* CAP_MKNOD out of our effective and permitted sets. */
static void drop_mknod(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};

        CHECK(syscall(SYS_capget, &h, d) == 0);
        d[CAP_MKNOD / 32].effective &= ~(UINT32_C(1) << (CAP_MKNOD % 32));
        d[CAP_MKNOD / 32].permitted &= ~(UINT32_C(1) << (CAP_MKNOD % 32));
        CHECK(syscall(SYS_capset, &h, d) == 0);
}

/* Our /proc/self/cgroup as cell's child has it after the move: each path
 * the container's own ("/test/cell-test", the cgroupfs manager's name for
 * scope_unit cell-test.scope), but cgroup_foreign's, the test's own. */
static char *memberships_of(const TestPlan *t) {
        char *text = read_file("/proc/self/cgroup"), *line, *save = NULL, *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);

        CHECK(text && f);
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c = strchr(line, ':'), *path;

                CHECK(c);
                path = strchr(c + 1, ':');
                CHECK(path);
                *path++ = 0;
                *c++ = 0;
                bool foreign = t->cgroup_foreign &&
                               (streq(t->cgroup_foreign, "0") ? streq(line, "0") : streq(c, t->cgroup_foreign));
                fprintf(f, "%s:%s:%s\n", line, c, foreign ? path : "/test/cell-test");
        }
        CHECK(fclose(f) == 0);
        free(text);
        return out;
}

static _noreturn_ void container_child(const TestEnv *env, const TestPlan *t, bool cgroup,
                                       InsideFunc inside, SpawnError *shared) {
        int root_fd = -EBADF, r;
        SpawnError err = {};

        /* Never outlive the test. As cell's child: the host's layout, read before pivot_root. */
        bool unified = t->cgroup_unified || cgroup_host_unified();
        char *memberships = unified ? NULL : memberships_of(t);

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (t->no_mknod)
                drop_mknod();
        r = mount_setup_build(&t->plan, &root_fd, NULL, &err);
        if (r >= 0) {
                check_no_mount_outside(env);
                r = mount_setup_pivot(root_fd, &err);
        }
        if (r >= 0 && cgroup) {
                CHECK(unshare(CLONE_NEWCGROUP) == 0);
                r = mount_setup_cgroup(&t->plan, false, memberships, &err);
        }
        if (r < 0) {
                *shared = err;
                _exit(100);
        }
        safe_close(root_fd);
        if (inside)
                inside(env);
        _exit(0);
}

int container_run(const TestEnv *env, const TestPlan *t, bool cgroup, InsideFunc inside, SpawnError *err) {
        SpawnError *shared;
        pid_t pid;
        int status, r;

        shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(shared != MAP_FAILED);
        memset(shared, 0, sizeof *shared);

        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                pid_t init;

                /* What cell's clone gives the child: new mount, PID, network, IPC namespaces. */
                CHECK(unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC) == 0);
                init = fork();
                CHECK(init >= 0);
                if (init == 0)
                        container_child(env, t, cgroup, inside, shared);
                CHECK(waitpid(init, &status, 0) == init);
                _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        }
        CHECK(waitpid(pid, &status, 0) == pid);
        r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r == 100) {
                if (err)
                        *err = *shared;
                r = -shared->error;
        }
        munmap(shared, sizeof *shared);
        return r;
}

void container_expect_error(const TestEnv *env, const TestPlan *t, int error, const char *needle) {
        SpawnError err = {};
        int r;

        r = container_run(env, t, false, NULL, &err);
        fprintf(stderr, "expected failure: %d \"%s\"\n", r, err.message);
        CHECK(r == -error);
        CHECK(strstr(err.message, needle));
}
