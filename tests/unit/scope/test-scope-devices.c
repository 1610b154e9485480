/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* scope-devices.c, the wiring of cell's device policy: what it does when the
 * kernel will not take the program on the container's cgroup. As root with a
 * cgroup2 tree and bpf(); otherwise the test says why it skipped. */

#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-devices.h"
#include "cgroup-util.h"
#include "scope-internal.h"
#include "test.h"

/* Attaches prog to the cgroup without BPF_F_ALLOW_MULTI or _OVERRIDE: the
 * kernel then refuses any program below it. */
static int attach_exclusive(int prog_fd, int cgroup_fd) {
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) prog_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        return syscall(__NR_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

/* A cgroup with an exclusive allow-all program, and one below it: what a
 * container's cgroup looks like below such an ancestor. */
typedef struct Fixture {
        char *parent, *child;
        int parent_fd, child_fd, prog_fd;
} Fixture;

/* false (and why, test_skip()) when it cannot be made here. */
static bool fixture_make(Fixture *f, const char *tag) {
        CgroupDeviceRule all = { .type = 'c', .major = -1, .minor = -1, .access = CGROUP_DEVICE_ALL };
        char *base = NULL;

        *f = (Fixture) { .parent_fd = -1, .child_fd = -1, .prog_fd = -1 };
        if (geteuid() != 0 || cg_v2_dir_of(0, &base) < 0 || cgroup_devices_load(&all, 1, &f->prog_fd) == -EPERM) {
                test_skip("needs root, a cgroup2 tree and bpf()");
                free(base);
                return false;
        }
        ASSERT_TRUE(f->prog_fd >= 0);
        ASSERT_TRUE(asprintf(&f->parent, "%s/test-scope-devices-%s%d", base, tag, (int) getpid()) > 0);
        ASSERT_TRUE(asprintf(&f->child, "%s/c", f->parent) > 0);
        free(base);
        ASSERT_OK(mkdir(f->parent, 0755) < 0 ? -errno : 0);
        ASSERT_OK(mkdir(f->child, 0755) < 0 ? -errno : 0);
        f->parent_fd = open(f->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        f->child_fd = open(f->child, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return true;
}

/* Removing the cgroups detaches every program from them. */
static void fixture_done(Fixture *f) {
        close(f->child_fd);
        close(f->parent_fd);
        close(f->prog_fd);
        ASSERT_OK(rmdir(f->child) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(f->parent) < 0 ? -errno : 0);
        free(f->child);
        free(f->parent);
}

/* cgroupfs below a cgroup whose program allows no others: no policy, said so
 * (scope_devices_unrestricted()), not a failed start -- as with no BPF at all. */
TEST(cgroupfs_below_an_exclusive_program) {
        CgroupDeviceRule null_rw = { .type = 'c', .major = 1, .minor = 3,
                                     .access = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE };
        Fixture f;

        if (!fixture_make(&f, ""))
                return;
        int r = attach_exclusive(f.prog_fd, f.parent_fd);
        Scope s = { .manager = CGROUP_MANAGER_CGROUPFS, .devices_own = true, .devices_prog_fd = -EBADF,
                    .devices_rules = &null_rw, .n_devices_rules = 1 };
        int a = r < 0 ? r : scope_devices_attach_fd(&s, f.child_fd);
        bool own = s.devices_own, restricted = scope_devices_restricted(&s);
        int unrestricted = scope_devices_unrestricted(&s);
        s.devices_rules = NULL;                 /* not ours to free */
        scope_devices_free(&s);
        fixture_done(&f);

        ASSERT_OK(r);
        ASSERT_OK(a);
        ASSERT_FALSE(own);
        ASSERT_ERROR(unrestricted, EPERM);
        ASSERT_FALSE(restricted);               /* cell run withholds CAP_MKNOD */
}

/* Attached, the program restricts the cgroup: the kernel counts it there
 * (what cell exec asks), and scope_devices_restricted() says so. */
TEST(cgroupfs_attached_restricts) {
        CgroupDeviceRule null_rw = { .type = 'c', .major = 1, .minor = 3,
                                     .access = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE };
        Fixture f;

        if (!fixture_make(&f, "a"))
                return;
        Scope s = { .manager = CGROUP_MANAGER_CGROUPFS, .devices_own = true, .devices_prog_fd = -EBADF,
                    .devices_rules = &null_rw, .n_devices_rules = 1 };
        int before = cgroup_devices_count(f.child_fd);
        int a = scope_devices_attach_fd(&s, f.child_fd);
        int after = cgroup_devices_count(f.child_fd);
        bool restricted = scope_devices_restricted(&s);
        s.devices_rules = NULL;
        scope_devices_free(&s);
        fixture_done(&f);

        ASSERT_OK(a);
        ASSERT_TRUE(before >= 0);
        ASSERT_EQ(after, before + 1);
        ASSERT_TRUE(restricted);
}

/* Without root: who restricts devices, by manager. */
TEST(restricted_by_manager) {
        Scope none = { .manager = CGROUP_MANAGER_NONE }, systemd = { .manager = CGROUP_MANAGER_SYSTEMD },
              fs = { .manager = CGROUP_MANAGER_CGROUPFS, .devices_own = true };

        ASSERT_FALSE(scope_devices_restricted(NULL));
        ASSERT_FALSE(scope_devices_restricted(&none));
        ASSERT_TRUE(scope_devices_restricted(&systemd));
        /* cgroupfs only once its program is attached. */
        ASSERT_FALSE(scope_devices_restricted(&fs));
        fs.devices_attached = true;
        ASSERT_TRUE(scope_devices_restricted(&fs));
}

/* The same with systemd: its own attach would fail there too, so the start
 * fails, naming the step, rather than run without the policy systemd was not
 * asked for. */
TEST(systemd_below_an_exclusive_program) {
        CgroupDeviceRule all = { .type = 'c', .major = -1, .minor = -1, .access = CGROUP_DEVICE_ALL };
        Fixture f;

        if (!fixture_make(&f, "s"))
                return;
        int r = attach_exclusive(f.prog_fd, f.parent_fd);
        Scope s = { .manager = CGROUP_MANAGER_SYSTEMD, .devices_own = true, .devices_prog_fd = -EBADF,
                    .devices_rules = &all, .n_devices_rules = 1 };
        int a = r < 0 ? r : scope_devices_attach_fd(&s, f.child_fd);
        char *error = s.error;
        s.devices_rules = NULL;
        scope_devices_free(&s);
        fixture_done(&f);

        ASSERT_OK(r);
        ASSERT_ERROR(a, EPERM);
        ASSERT_STREQ(error, "cannot attach the device policy to the container's cgroup: Operation not permitted");
        free(error);
}

/* With systemd, the filter goes on the scope's own cgroup in the cgroup2 tree
 * and nowhere else: a child found in another cgroup there (a host whose
 * systemd keeps no units in that tree) fails the start, naming both, rather
 * than restrict the processes of others. Nothing is loaded or attached. */
TEST(systemd_attaches_to_its_scope_only) {
        static const char *const elsewhere[] = { "/", "/machine.slice/other.scope", "/machine.slice",
                                                 "/cell-t.scope/payload" };
        CgroupDeviceRule null_rw = { .type = 'c', .major = 1, .minor = 3,
                                     .access = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE };
        char unit[] = "cell-t.scope";

        for (size_t i = 0; i < ELEMENTSOF(elsewhere); i++) {
                CgroupMembership m = { .id = 0, .path = (char *) elsewhere[i] };
                Scope s = { .manager = CGROUP_MANAGER_SYSTEMD, .devices_own = true, .devices_prog_fd = -EBADF,
                            .devices_rules = &null_rw, .n_devices_rules = 1, .unit = unit,
                            .devices_v2 = { .where = (char *) "/nonexistent", .root = (char *) "/", .unified = true } };

                ASSERT_ERROR(scope_devices_attach_member(&s, &m, 1), EXDEV);
                ASSERT_NOT_NULL(strstr(s.error, elsewhere[i]));
                ASSERT_NOT_NULL(strstr(s.error, "is not its scope's (cell-t.scope)"));
                ASSERT_TRUE(s.devices_prog_fd < 0);
                free(s.error);
        }

        /* Its own: past the check (here the directory is missing). */
        CgroupMembership own = { .id = 0, .path = (char *) "/machine.slice/cell-t.scope" };
        Scope s = { .manager = CGROUP_MANAGER_SYSTEMD, .devices_own = true, .devices_prog_fd = -EBADF,
                    .devices_rules = &null_rw, .n_devices_rules = 1, .unit = unit,
                    .devices_v2 = { .where = (char *) "/nonexistent", .root = (char *) "/", .unified = true } };
        ASSERT_ERROR(scope_devices_attach_member(&s, &own, 1), ENOENT);
        ASSERT_NOT_NULL(strstr(s.error, "cannot open the container's cgroup"));
        free(s.error);
}
