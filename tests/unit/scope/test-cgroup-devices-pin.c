/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/scope/cgroup-devices-pin.c: the device filter pinned on a BPF
 * filesystem and taken from there. As root only (bpf()); each test runs in a
 * child with a mount namespace of its own and a BPF filesystem of its own
 * (every mount of bpffs is a new instance), so nothing is left anywhere. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-devices.h"
#include "macros.h"
#include "test.h"

static const CgroupDeviceRule null_rw[] = { { 'c', 1, 3, CGROUP_DEVICE_READ | CGROUP_DEVICE_WRITE } };
static const CgroupDeviceRule zero_r[] = { { 'c', 1, 5, CGROUP_DEVICE_READ } };
static char bpffs[] = "/tmp/cell-pintest.XXXXXX";

static int bpf_call(int cmd, union bpf_attr *attr) {
        long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
        return r < 0 ? -errno : (int) r;
}

static uint32_t prog_id(int fd) {
        struct bpf_prog_info info = {};
        union bpf_attr attr = {};

        attr.info.bpf_fd = (uint32_t) fd;
        attr.info.info_len = sizeof info;
        attr.info.info = (uint64_t) (uintptr_t) &info;
        ASSERT_OK(bpf_call(BPF_OBJ_GET_INFO_BY_FD, &attr));
        return info.id;
}

static uint32_t pinned_id(const char *name) {
        char path[256];
        union bpf_attr attr = {};
        int fd;
        uint32_t id;

        snprintf(path, sizeof path, "%s/cell/%s", bpffs, name);
        attr.pathname = (uint64_t) (uintptr_t) path;
        fd = bpf_call(BPF_OBJ_GET, &attr);
        if (fd < 0)
                return 0;
        id = prog_id(fd);
        close(fd);
        return id;
}

static void pin_at(int fd, const char *name) {
        char path[256];
        union bpf_attr attr = {};

        snprintf(path, sizeof path, "%s/cell/%s", bpffs, name);
        attr.pathname = (uint64_t) (uintptr_t) path;
        attr.bpf_fd = (uint32_t) fd;
        ASSERT_OK(bpf_call(BPF_OBJ_PIN, &attr));
}

/* The names in bpffs/cell that begin with prefix: how many, and the first. */
static unsigned pins(const char *prefix, char *ret_first, size_t size) {
        char path[256];
        unsigned n = 0;

        snprintf(path, sizeof path, "%s/cell", bpffs);
        DIR *d = opendir(path);
        if (!d)
                return 0;
        for (struct dirent *de; (de = readdir(d)); )
                if (startswith(de->d_name, prefix)) {
                        if (n++ == 0 && ret_first)
                                snprintf(ret_first, size, "%.*s", (int) size - 1, de->d_name);
                }
        closedir(d);
        return n;
}

static int load(const CgroupDeviceRule *rules, size_t n, int *ret_fd) {
        return cgroup_devices_load_pinned(rules, n, bpffs, ret_fd);
}

/* Runs body in a child with a private mount namespace and a BPF filesystem
 * of its own at bpffs; skips when not root or bpf() is refused. */
static void in_private_bpffs(void (*body)(void)) {
        int fd = -EBADF, status = 0;
        pid_t pid;

        if (geteuid() != 0) {
                test_skip("not root");
                return;
        }
        if (cgroup_devices_load(NULL, 0, &fd) == -EPERM) {
                test_skip("bpf() refused (EPERM)");
                return;
        }
        safe_close(fd);
        ASSERT_NOT_NULL(mkdtemp(bpffs));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                alarm(30);
                ASSERT_OK(unshare(CLONE_NEWNS));
                ASSERT_OK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
                ASSERT_OK(mount("bpf", bpffs, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700"));
                body();
                exit(0);        /* exit(), not _exit(): LeakSanitizer checks at exit */
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_OK(rmdir(bpffs));
        memcpy(bpffs + strlen(bpffs) - 6, "XXXXXX", 6);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

static void body_miss_then_hit(void) {
        _cleanup_close_ int a = -EBADF, b = -EBADF, c = -EBADF;
        char name[64];

        ASSERT_EQ(load(null_rw, 1, &a), CGROUP_DEVICES_PIN_STORED);
        ASSERT_TRUE(a >= 0);
        ASSERT_EQ(pins("devices-", name, sizeof name), 1u);
        ASSERT_EQ(pins("tmp-", NULL, 0), 0u);
        /* What is pinned is the program just loaded; the next start gets that one. */
        ASSERT_EQ(pinned_id(name), prog_id(a));
        ASSERT_EQ(load(null_rw, 1, &b), CGROUP_DEVICES_PIN_HIT);
        ASSERT_EQ(prog_id(b), prog_id(a));

        /* Another policy: a pin of its own; the first is still taken. */
        ASSERT_EQ(load(zero_r, 1, &c), CGROUP_DEVICES_PIN_STORED);
        ASSERT_TRUE(prog_id(c) != prog_id(a));
        ASSERT_EQ(pins("devices-", NULL, 0), 2u);
        safe_close(b);
        ASSERT_EQ(load(null_rw, 1, &b), CGROUP_DEVICES_PIN_HIT);
        ASSERT_EQ(prog_id(b), prog_id(a));

        /* The directory: ours alone. */
        char path[256];
        struct stat st;
        snprintf(path, sizeof path, "%s/cell", bpffs);
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ(st.st_mode & 07777, 0700u);
}

TEST(miss_then_hit) {
        in_private_bpffs(body_miss_then_hit);
}

/* Something else at the name the rules hash to is never taken: replaced. */
static void body_foreign_replaced(void) {
        _cleanup_close_ int a = -EBADF, other = -EBADF, b = -EBADF, sock = -EBADF;
        char name[64], path[256];
        static const struct bpf_insn ret0[] = {
                { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
                { .code = BPF_JMP | BPF_EXIT },
        };

        ASSERT_EQ(load(null_rw, 1, &a), CGROUP_DEVICES_PIN_STORED);
        ASSERT_EQ(pins("devices-", name, sizeof name), 1u);
        snprintf(path, sizeof path, "%s/cell/%s", bpffs, name);

        /* A device filter with other rules (one that allows more). */
        ASSERT_OK(unlink(path));
        ASSERT_OK(cgroup_devices_load(zero_r, 1, &other));
        pin_at(other, name);
        ASSERT_EQ(load(null_rw, 1, &b), CGROUP_DEVICES_PIN_STORED);
        ASSERT_TRUE(prog_id(b) != prog_id(other));
        ASSERT_EQ(pinned_id(name), prog_id(b));
        safe_close(b);

        /* A program of another type with the same instructions' length. */
        union bpf_attr attr = {};
        attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        attr.insns = (uint64_t) (uintptr_t) ret0;
        attr.insn_cnt = ELEMENTSOF(ret0);
        attr.license = (uint64_t) (uintptr_t) "GPL";
        sock = bpf_call(BPF_PROG_LOAD, &attr);
        ASSERT_TRUE(sock >= 0);
        ASSERT_OK(unlink(path));
        pin_at(sock, name);
        ASSERT_EQ(load(null_rw, 1, &b), CGROUP_DEVICES_PIN_STORED);
        ASSERT_EQ(pinned_id(name), prog_id(b));

        /* Not a program at all: a directory. */
        safe_close(b);
        ASSERT_OK(unlink(path));
        ASSERT_OK(mkdir(path, 0700));
        ASSERT_TRUE(load(null_rw, 1, &b) >= 0);
        ASSERT_TRUE(b >= 0);
        ASSERT_OK(rmdir(path));
}

TEST(foreign_replaced) {
        in_private_bpffs(body_foreign_replaced);
}

/* A directory others may write, or another user's: loaded, nothing pinned. */
static void body_open_dir_unused(void) {
        _cleanup_close_ int a = -EBADF, b = -EBADF;
        char path[256];

        snprintf(path, sizeof path, "%s/cell", bpffs);
        ASSERT_OK(mkdir(path, 0700));
        ASSERT_OK(chmod(path, 0770));
        ASSERT_EQ(load(null_rw, 1, &a), CGROUP_DEVICES_PIN_OFF);
        ASSERT_TRUE(a >= 0);
        ASSERT_EQ(pins("devices-", NULL, 0), 0u);

        ASSERT_OK(chmod(path, 0700));
        ASSERT_OK(chown(path, 1000, 1000));
        ASSERT_EQ(load(null_rw, 1, &b), CGROUP_DEVICES_PIN_OFF);
        ASSERT_EQ(pins("devices-", NULL, 0), 0u);
}

TEST(open_dir_unused) {
        in_private_bpffs(body_open_dir_unused);
}

/* Off, and a directory with no BPF filesystem on it: loaded, nothing made. */
static void body_off_and_no_bpffs(void) {
        _cleanup_close_ int a = -EBADF, b = -EBADF;
        char plain[] = "/tmp/cell-pinplain.XXXXXX", path[256];

        ASSERT_OK(setenv("CELL_BPF_PIN", "0", 1));
        ASSERT_EQ(load(null_rw, 1, &a), CGROUP_DEVICES_PIN_OFF);
        ASSERT_TRUE(a >= 0);
        snprintf(path, sizeof path, "%s/cell", bpffs);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        ASSERT_OK(unsetenv("CELL_BPF_PIN"));

        ASSERT_NOT_NULL(mkdtemp(plain));
        ASSERT_EQ(cgroup_devices_load_pinned(null_rw, 1, plain, &b), CGROUP_DEVICES_PIN_OFF);
        ASSERT_TRUE(b >= 0);
        snprintf(path, sizeof path, "%s/cell", plain);
        ASSERT_TRUE(access(path, F_OK) < 0 && errno == ENOENT);
        ASSERT_OK(rmdir(plain));
}

TEST(off_and_no_bpffs) {
        in_private_bpffs(body_off_and_no_bpffs);
}

/* Past 16 policies a new pin removes the others; a temporary pin an hour
 * old goes, a fresh one (a start between pin and rename) stays. */
static void body_prune(void) {
        _cleanup_close_ int other = -EBADF, a = -EBADF;
        char name[64], path[256];
        struct timespec old[2] = { { .tv_sec = time(NULL) - 2 * 3600 }, { .tv_sec = time(NULL) - 2 * 3600 } };

        ASSERT_OK(cgroup_devices_load(zero_r, 1, &other));
        snprintf(path, sizeof path, "%s/cell", bpffs);
        ASSERT_OK(mkdir(path, 0700));
        for (int i = 0; i < 16; i++) {
                snprintf(name, sizeof name, "devices-%016x", i);
                pin_at(other, name);
        }
        pin_at(other, "tmp-fresh");
        pin_at(other, "tmp-old");
        snprintf(path, sizeof path, "%s/cell/tmp-old", bpffs);
        ASSERT_OK(utimensat(AT_FDCWD, path, old, AT_SYMLINK_NOFOLLOW));

        ASSERT_EQ(load(null_rw, 1, &a), CGROUP_DEVICES_PIN_STORED);
        ASSERT_EQ(pins("devices-", name, sizeof name), 1u);
        ASSERT_EQ(pinned_id(name), prog_id(a));
        ASSERT_EQ(pins("tmp-", name, sizeof name), 1u);
        ASSERT_STREQ(name, "tmp-fresh");
}

TEST(prune) {
        in_private_bpffs(body_prune);
}
