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

/* cgroupfs below a cgroup whose program allows no others: no policy, said so
 * (scope_devices_unrestricted()), not a failed start -- as with no BPF at all. */
TEST(cgroupfs_below_an_exclusive_program) {
        char *base = NULL, *parent = NULL, *child = NULL;
        CgroupDeviceRule all = { .type = 'c', .major = -1, .minor = -1, .access = CGROUP_DEVICE_ALL };
        CgroupDeviceRule null_rw = { .type = 'c', .major = 1, .minor = 3,
                                     .access = CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE };
        int pfd = -1, cfd = -1, excl = -1;

        if (geteuid() != 0) {
                printf("skipped: not root\n");
                return;
        }
        if (cg_v2_dir_of(0, &base) < 0) {
                printf("skipped: no cgroup2 tree\n");
                return;
        }
        if (cgroup_devices_load(&all, 1, &excl) == -EPERM) {
                printf("skipped: bpf() refused (EPERM)\n");
                free(base);
                return;
        }
        ASSERT_TRUE(excl >= 0);
        ASSERT_TRUE(asprintf(&parent, "%s/test-scope-devices-%d", base, (int) getpid()) > 0);
        ASSERT_TRUE(asprintf(&child, "%s/c", parent) > 0);
        ASSERT_OK(mkdir(parent, 0755) < 0 ? -errno : 0);
        ASSERT_OK(mkdir(child, 0755) < 0 ? -errno : 0);
        pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cfd = open(child, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = attach_exclusive(excl, pfd);

        Scope s = { .manager = CGROUP_MANAGER_CGROUPFS, .devices_own = true, .devices_prog_fd = -EBADF,
                    .devices_rules = &null_rw, .n_devices_rules = 1 };
        int a = r < 0 ? r : scope_devices_attach_fd(&s, cfd);
        bool own = s.devices_own;
        int unrestricted = scope_devices_unrestricted(&s);
        s.devices_rules = NULL;                 /* not ours to free */
        scope_devices_free(&s);

        /* Removing the cgroups detaches every program from them. */
        close(cfd);
        close(pfd);
        close(excl);
        ASSERT_OK(rmdir(child) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(parent) < 0 ? -errno : 0);
        ASSERT_OK(r);
        ASSERT_OK(a);
        ASSERT_FALSE(own);
        ASSERT_ERROR(unrestricted, EPERM);
        free(child);
        free(parent);
        free(base);
}

/* The same with systemd: its own attach would fail there too, so the start
 * fails, naming the step, rather than run without the policy systemd was not
 * asked for. */
TEST(systemd_below_an_exclusive_program) {
        char *base = NULL, *parent = NULL, *child = NULL;
        CgroupDeviceRule all = { .type = 'c', .major = -1, .minor = -1, .access = CGROUP_DEVICE_ALL };
        int pfd = -1, cfd = -1, excl = -1;

        if (geteuid() != 0 || cg_v2_dir_of(0, &base) < 0 || cgroup_devices_load(&all, 1, &excl) == -EPERM) {
                printf("skipped: needs root, a cgroup2 tree and bpf()\n");
                free(base);
                return;
        }
        ASSERT_TRUE(asprintf(&parent, "%s/test-scope-devices-s%d", base, (int) getpid()) > 0);
        ASSERT_TRUE(asprintf(&child, "%s/c", parent) > 0);
        ASSERT_OK(mkdir(parent, 0755) < 0 ? -errno : 0);
        ASSERT_OK(mkdir(child, 0755) < 0 ? -errno : 0);
        pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cfd = open(child, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = attach_exclusive(excl, pfd);

        Scope s = { .manager = CGROUP_MANAGER_SYSTEMD, .devices_own = true, .devices_prog_fd = -EBADF,
                    .devices_rules = &all, .n_devices_rules = 1 };
        int a = r < 0 ? r : scope_devices_attach_fd(&s, cfd);
        char *error = s.error;
        s.devices_rules = NULL;
        scope_devices_free(&s);

        close(cfd);
        close(pfd);
        close(excl);
        ASSERT_OK(rmdir(child) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(parent) < 0 ? -errno : 0);
        ASSERT_OK(r);
        ASSERT_ERROR(a, EPERM);
        ASSERT_STREQ(error, "cannot attach the device policy to the container's cgroup: Operation not permitted");
        free(error);
        free(child);
        free(parent);
        free(base);
}
