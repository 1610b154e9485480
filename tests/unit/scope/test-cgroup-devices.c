/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup2 device filter of src/scope/cgroup-devices.c.
 *
 * Rootless (also under ASan): perms parsing, DeviceAllow= resolution against
 * /dev and a fixture /proc/devices, and the built program run through a small
 * interpreter of the instructions it may use, so its decisions are checked
 * without a kernel.
 *
 * Root: the program loaded, attached to "test-devices-PID" below our own
 * cgroup2 dir, and a child moved there trying open() and mknod() for real.
 * Skips without root, bpf() or cgroup2. The parent asserts only after the
 * cgroup and the temp dir are gone, so a failure leaves nothing behind. */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "cgroup-devices.h"
#include "cgroup-util.h"
#include "test.h"

#define ACC_R   CGROUP_DEVICE_READ
#define ACC_W   CGROUP_DEVICE_WRITE
#define ACC_M   CGROUP_DEVICE_MKNOD
#define ACC_RW  (ACC_R | ACC_W)
#define ACC_RWM (ACC_R | ACC_W | ACC_M)

TEST(access_from_string) {
        unsigned a = 0;

        ASSERT_OK(cgroup_device_access_from_string("", &a));
        ASSERT_EQ(a, ACC_RWM);
        a = 0;
        ASSERT_OK(cgroup_device_access_from_string(NULL, &a));
        ASSERT_EQ(a, ACC_RWM);
        ASSERT_OK(cgroup_device_access_from_string("r", &a));
        ASSERT_EQ(a, ACC_R);
        ASSERT_OK(cgroup_device_access_from_string("rw", &a));
        ASSERT_EQ(a, ACC_RW);
        ASSERT_OK(cgroup_device_access_from_string("rwm", &a));
        ASSERT_EQ(a, ACC_RWM);
        ASSERT_OK(cgroup_device_access_from_string("mr", &a));
        ASSERT_EQ(a, ACC_R | ACC_M);

        a = 42;
        ASSERT_ERROR(cgroup_device_access_from_string("x", &a), EINVAL);
        ASSERT_ERROR(cgroup_device_access_from_string("rx", &a), EINVAL);
        ASSERT_ERROR(cgroup_device_access_from_string("R", &a), EINVAL);
        ASSERT_EQ(a, 42);
}

TEST(resolve_device_node) {
        CgroupDeviceRule *rules = NULL;
        size_t n = 0;

        ASSERT_EQ(cgroup_devices_resolve("/dev/null", "rw", NULL, &rules, &n), 1);
        ASSERT_EQ(n, 1);
        ASSERT_EQ(rules[0].type, 'c');
        ASSERT_EQ(rules[0].major, 1);
        ASSERT_EQ(rules[0].minor, 3);
        ASSERT_EQ(rules[0].access, ACC_RW);

        /* Appends; default perms are rwm. */
        ASSERT_EQ(cgroup_devices_resolve("/dev/zero", NULL, NULL, &rules, &n), 1);
        ASSERT_EQ(n, 2);
        ASSERT_EQ(rules[1].major, 1);
        ASSERT_EQ(rules[1].minor, 5);
        ASSERT_EQ(rules[1].access, ACC_RWM);
        ASSERT_EQ(rules[0].minor, 3);
        free(rules);
}

TEST(resolve_missing_node_is_no_rule) {
        CgroupDeviceRule *rules = NULL;
        size_t n = 0;

        ASSERT_EQ(cgroup_devices_resolve("/dev/cell-no-such-device", "rw", NULL, &rules, &n), 0);
        ASSERT_EQ(n, 0);
        ASSERT_NULL(rules);
}

/* /dev/char/MAJ:MIN and /dev/block/MAJ:MIN are their number, as systemd reads
 * them: granted on a host without udev's links (or before the driver is loaded).
 * Before, they were stat()ed: missing, so silently nothing. 4095:1048575, the
 * largest device number, names no node anywhere. */
TEST(resolve_devnum_paths) {
        CgroupDeviceRule *rules = NULL;
        size_t n = 0;

        ASSERT_EQ(cgroup_devices_resolve("/dev/char/4095:1048575", "r", NULL, &rules, &n), 1);
        ASSERT_EQ(n, 1);
        ASSERT_EQ(rules[0].type, 'c');
        ASSERT_EQ(rules[0].major, 4095);
        ASSERT_EQ(rules[0].minor, 1048575);
        ASSERT_EQ(rules[0].access, ACC_R);
        ASSERT_EQ(cgroup_devices_resolve("/dev/block/7:0", NULL, NULL, &rules, &n), 1);
        ASSERT_EQ(n, 2);
        ASSERT_EQ(rules[1].type, 'b');
        ASSERT_EQ(rules[1].major, 7);
        ASSERT_EQ(rules[1].minor, 0);
        ASSERT_EQ(rules[1].access, ACC_RWM);

        /* Not a number the kernel has, or not a number: a path like any other
         * (stat()ed; none of these exists), so no rule. */
        ASSERT_EQ(cgroup_devices_resolve("/dev/char/4096:0", "r", NULL, &rules, &n), 0);
        ASSERT_EQ(cgroup_devices_resolve("/dev/char/1:1048576", "r", NULL, &rules, &n), 0);
        ASSERT_EQ(cgroup_devices_resolve("/dev/char/1:3x", "r", NULL, &rules, &n), 0);
        ASSERT_EQ(cgroup_devices_resolve("/dev/char/:3", "r", NULL, &rules, &n), 0);
        ASSERT_EQ(cgroup_devices_resolve("/dev/block/8:", "r", NULL, &rules, &n), 0);
        ASSERT_EQ(cgroup_devices_resolve("/dev/chars/1:3", "r", NULL, &rules, &n), 0);
        ASSERT_EQ(n, 2);
        free(rules);
}

TEST(resolve_refuses_what_is_not_a_device) {
        CgroupDeviceRule *rules = NULL;
        char file[] = "/dev/shm/cell-devtest.XXXXXX";
        size_t n = 0;
        int fd;

        /* A directory under /dev. */
        ASSERT_ERROR(cgroup_devices_resolve("/dev/.", "rw", NULL, &rules, &n), ENODEV);
        /* A regular file under /dev. */
        fd = mkostemp(file, O_CLOEXEC);
        if (fd >= 0) {
                close(fd);
                int r = cgroup_devices_resolve(file, "rw", NULL, &rules, &n);
                (void) unlink(file);
                ASSERT_ERROR(r, ENODEV);
        } else
                test_skip_part("the regular file: no writable /dev/shm");
        /* Not a DeviceAllow= form at all, or bad perms. */
        ASSERT_ERROR(cgroup_devices_resolve("/etc/passwd", "rw", NULL, &rules, &n), EINVAL);
        ASSERT_ERROR(cgroup_devices_resolve("null", "rw", NULL, &rules, &n), EINVAL);
        ASSERT_ERROR(cgroup_devices_resolve("char-", "rw", NULL, &rules, &n), EINVAL);
        ASSERT_ERROR(cgroup_devices_resolve("/dev/null", "rwx", NULL, &rules, &n), EINVAL);
        ASSERT_EQ(n, 0);
        ASSERT_NULL(rules);
}

static const char fixture[] =
        "Character devices:\n"
        "  1 mem\n"
        "  4 /dev/vc/0\n"
        "  4 tty\n"
        "  4 ttyS\n"
        "  5 /dev/tty\n"
        "  7 vcs\n"
        "136 pts\n"
        "188 ttyUSB\n"
        "\n"
        "Block devices:\n"
        "  7 loop\n"
        "  8 sd\n"
        "259 blkext\n";

TEST(resolve_major_names) {
        char path[] = "/tmp/cell-procdevices.XXXXXX";
        CgroupDeviceRule *rules = NULL;
        size_t n = 0;
        int fd;

        fd = mkostemp(path, O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, fixture, strlen(fixture)), (ssize_t) strlen(fixture));
        close(fd);

        ASSERT_EQ(cgroup_devices_resolve("char-pts", "rw", path, &rules, &n), 1);
        ASSERT_EQ(rules[0].type, 'c');
        ASSERT_EQ(rules[0].major, 136);
        ASSERT_EQ(rules[0].minor, -1);
        ASSERT_EQ(rules[0].access, ACC_RW);

        /* From the block section only: char 7 is "vcs". */
        ASSERT_EQ(cgroup_devices_resolve("block-loop", "r", path, &rules, &n), 1);
        ASSERT_EQ(rules[1].type, 'b');
        ASSERT_EQ(rules[1].major, 7);
        ASSERT_EQ(rules[1].minor, -1);
        ASSERT_EQ(rules[1].access, ACC_R);
        ASSERT_EQ(cgroup_devices_resolve("char-loop", "r", path, &rules, &n), 0);
        ASSERT_EQ(cgroup_devices_resolve("block-vcs", "r", path, &rules, &n), 0);

        /* A pattern: tty and ttyS share major 4 (one rule), ttyUSB is 188; "/dev/tty" does not match. */
        ASSERT_EQ(cgroup_devices_resolve("char-tty*", "rwm", path, &rules, &n), 2);
        ASSERT_EQ(n, 4);
        ASSERT_EQ(rules[2].major, 4);
        ASSERT_EQ(rules[3].major, 188);
        ASSERT_EQ(rules[3].type, 'c');
        ASSERT_EQ(rules[3].access, ACC_RWM);

        /* The whole class: one rule with major and minor any. */
        ASSERT_EQ(cgroup_devices_resolve("char-*", "rw", path, &rules, &n), 1);
        ASSERT_EQ(n, 5);
        ASSERT_EQ(rules[4].type, 'c');
        ASSERT_EQ(rules[4].major, -1);
        ASSERT_EQ(rules[4].minor, -1);

        ASSERT_OK(unlink(path));
        ASSERT_ERROR(cgroup_devices_resolve("char-pts", "rw", path, &rules, &n), ENOENT);
        ASSERT_EQ(n, 5);
        free(rules);
}

/* A small interpreter of exactly the instructions the builder may emit: an
 * unknown opcode, a backward or out-of-range jump, a read of an unset
 * register or a ctx field outside bpf_cgroup_dev_ctx fails the test. */
static int bpf_run(const struct bpf_insn *p, size_t n, char type, unsigned acc, unsigned major, unsigned minor) {
        const uint32_t ctx[3] = {
                ((uint32_t) ((acc & ACC_R ? BPF_DEVCG_ACC_READ : 0) |
                             (acc & ACC_W ? BPF_DEVCG_ACC_WRITE : 0) |
                             (acc & ACC_M ? BPF_DEVCG_ACC_MKNOD : 0) |
                             (acc & 8 ? 1U << 3 : 0)) << 16) |
                (type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
                major, minor,
        };
        uint64_t r[11] = {};
        unsigned set = 1U << 1;         /* r1: ctx */

        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = p + pc;
                uint64_t imm = (uint64_t) (int64_t) i->imm;
                bool jump = false;

                ASSERT_TRUE(i->dst_reg < 11);
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        ASSERT_EQ(i->src_reg, 1);
                        ASSERT_TRUE(set & (1U << 1));
                        ASSERT_TRUE(i->off >= 0 && i->off % 4 == 0 && i->off < (int) sizeof(ctx));
                        r[i->dst_reg] = ctx[i->off / 4];
                        set |= 1U << i->dst_reg;
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        r[i->dst_reg] = imm;
                        set |= 1U << i->dst_reg;
                        break;
                case BPF_ALU64 | BPF_AND | BPF_K:
                case BPF_ALU64 | BPF_RSH | BPF_K:
                case BPF_JMP | BPF_JNE | BPF_K:
                case BPF_JMP | BPF_JSET | BPF_K:
                        ASSERT_TRUE(set & (1U << i->dst_reg));
                        if (i->code == (BPF_ALU64 | BPF_AND | BPF_K))
                                r[i->dst_reg] &= imm;
                        else if (i->code == (BPF_ALU64 | BPF_RSH | BPF_K))
                                r[i->dst_reg] >>= imm;
                        else if (i->code == (BPF_JMP | BPF_JNE | BPF_K))
                                jump = r[i->dst_reg] != imm;
                        else
                                jump = (r[i->dst_reg] & imm) != 0;
                        ASSERT_TRUE(i->off >= 0);
                        if (jump)
                                pc += (size_t) i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        ASSERT_TRUE(set & 1U);
                        ASSERT_TRUE(r[0] == 0 || r[0] == 1);
                        return (int) r[0];
                default:
                        TEST_FAIL("unexpected opcode 0x%02x at %zu", i->code, pc);
                }
        }
        TEST_FAIL("ran off the end of the program");
}

static void build(const CgroupDeviceRule *rules, size_t n_rules, struct bpf_insn **ret, size_t *ret_n) {
        ASSERT_OK(cgroup_devices_build(rules, n_rules, ret, ret_n));
        /* Whatever the rules, the program ends in "r0 = 0; exit": deny by default. */
        ASSERT_TRUE(*ret_n >= 2);
        ASSERT_EQ((*ret)[*ret_n - 1].code, BPF_JMP | BPF_EXIT);
        ASSERT_EQ((*ret)[*ret_n - 2].code, BPF_ALU64 | BPF_MOV | BPF_K);
        ASSERT_EQ((*ret)[*ret_n - 2].dst_reg, 0);
        ASSERT_EQ((*ret)[*ret_n - 2].imm, 0);
}

TEST(build_grows_per_rule) {
        const CgroupDeviceRule rules[] = {
                { 'c', 1, 3, ACC_RW },
                { 'c', 1, 5, ACC_R },
                { 'b', 7, -1, ACC_RWM },
        };
        struct bpf_insn *p = NULL;
        size_t n0, n1, n2, n3;

        build(NULL, 0, &p, &n0);
        free(p);
        build(rules, 1, &p, &n1);
        free(p);
        build(rules, 2, &p, &n2);
        free(p);
        build(rules, 3, &p, &n3);
        ASSERT_EQ(n0, 2);
        ASSERT_TRUE(n1 > n0);
        /* Two specific rules of the same shape cost the same short block. */
        ASSERT_EQ(n2 - n1, 6);
        /* A wildcard minor and full rwm emit no test for them. */
        ASSERT_EQ(n3 - n2, 4);
        free(p);
}

TEST(build_refuses_bad_rules) {
        const CgroupDeviceRule bad[] = {
                { 'x', 1, 3, ACC_RW },
                { 'c', -2, 3, ACC_RW },
                { 'c', 4096, 3, ACC_RW },
                { 'c', 1, 1 << 20, ACC_RW },
                { 'c', 1, -7, ACC_RW },
                { 'c', 1, 3, 8 },
        };
        struct bpf_insn *p = (struct bpf_insn *) bad;
        size_t n = 42;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERROR(cgroup_devices_build(bad + i, 1, &p, &n), EINVAL);
        ASSERT_TRUE(p == (struct bpf_insn *) bad);
        ASSERT_EQ(n, 42);
}

static int decide(const CgroupDeviceRule *rules, size_t n_rules, char type, unsigned acc, unsigned major, unsigned minor) {
        struct bpf_insn *p = NULL;
        size_t n = 0;
        int r;

        build(rules, n_rules, &p, &n);
        r = bpf_run(p, n, type, acc, major, minor);
        free(p);
        return r;
}

TEST(build_decides) {
        const CgroupDeviceRule null_rw[] = { { 'c', 1, 3, ACC_RW } };
        const CgroupDeviceRule any_char[] = { { 'c', -1, -1, ACC_RW } };
        const CgroupDeviceRule pts[] = { { 'c', 136, -1, ACC_RWM } };
        const CgroupDeviceRule split[] = { { 'c', 1, 3, ACC_R }, { 'c', 1, 3, ACC_W } };
        const CgroupDeviceRule nothing[] = { { 'c', 1, 3, 0 } };
        const CgroupDeviceRule two[] = { { 'b', 8, 0, ACC_R }, { 'c', 1, 3, ACC_RWM } };

        ASSERT_EQ(decide(null_rw, 1, 'c', ACC_R, 1, 3), 1);
        ASSERT_EQ(decide(null_rw, 1, 'c', ACC_RW, 1, 3), 1);
        ASSERT_EQ(decide(null_rw, 1, 'c', ACC_M, 1, 3), 0);
        ASSERT_EQ(decide(null_rw, 1, 'c', ACC_RWM, 1, 3), 0);
        ASSERT_EQ(decide(null_rw, 1, 'c', ACC_R, 1, 5), 0);
        ASSERT_EQ(decide(null_rw, 1, 'c', ACC_R, 2, 3), 0);
        ASSERT_EQ(decide(null_rw, 1, 'b', ACC_R, 1, 3), 0);

        /* Major -1 ("char-*"): every char device, never a block one, never more than rw. */
        ASSERT_EQ(decide(any_char, 1, 'c', ACC_RW, 136, 0), 1);
        ASSERT_EQ(decide(any_char, 1, 'c', ACC_R, 4095, 1048575), 1);
        ASSERT_EQ(decide(any_char, 1, 'b', ACC_R, 7, 0), 0);
        ASSERT_EQ(decide(any_char, 1, 'c', ACC_M, 1, 3), 0);

        ASSERT_EQ(decide(pts, 1, 'c', ACC_M, 136, 5), 1);
        ASSERT_EQ(decide(pts, 1, 'c', ACC_RWM, 136, 0), 1);
        ASSERT_EQ(decide(pts, 1, 'c', ACC_R, 137, 5), 0);

        /* One rule must cover every requested bit: r from one and w from another is not rw. */
        ASSERT_EQ(decide(split, 2, 'c', ACC_R, 1, 3), 1);
        ASSERT_EQ(decide(split, 2, 'c', ACC_W, 1, 3), 1);
        ASSERT_EQ(decide(split, 2, 'c', ACC_RW, 1, 3), 0);

        /* A later rule still gets its chance after an earlier one failed to match. */
        ASSERT_EQ(decide(two, 2, 'c', ACC_RWM, 1, 3), 1);
        ASSERT_EQ(decide(two, 2, 'b', ACC_R, 8, 0), 1);
        ASSERT_EQ(decide(two, 2, 'b', ACC_W, 8, 0), 0);

        /* An access bit the kernel may add later is denied even by an rwm rule. */
        ASSERT_EQ(decide(pts, 1, 'c', ACC_R | 8, 136, 0), 0);

        /* No rules, or a rule granting nothing: everything is denied. */
        ASSERT_EQ(decide(NULL, 0, 'c', ACC_R, 1, 3), 0);
        ASSERT_EQ(decide(nothing, 1, 'c', ACC_R, 1, 3), 0);
}

/* --- Root: the program in a real cgroup ------------------------------------ */

/* The cgroup2 dir we are in, or NULL without a cgroup2 mount. */
static char *v2_dir(void) {
        char *path = NULL;
        return cg_v2_dir_of(0, &path) >= 0 ? path : NULL;
}

/* Our cgroup2 dir, or NULL (and why, test_skip()) when the root tests cannot run here. */
static char *root_base(void) {
        char *base;
        int fd = -EBADF, r;

        if (geteuid() != 0) {
                test_skip("not root");
                return NULL;
        }
        base = v2_dir();
        if (!base) {
                test_skip("no cgroup2 mount");
                return NULL;
        }
        r = cgroup_devices_load(NULL, 0, &fd);
        if (r == -EPERM) {
                test_skip("bpf() refused (EPERM)");
                free(base);
                return NULL;
        }
        ASSERT_OK(r);
        close(fd);
        return base;
}

/* In the child, moved into the filtered cgroup: a failed check says which and exits 1. */
#define CHILD_CHECK(expr)                                                       \
        do {                                                                    \
                errno = 0;                                                      \
                if (!(expr)) {                                                  \
                        fprintf(stderr, "child: %s:%d: %s (errno: %m)\n",       \
                                __FILE__, __LINE__, #expr);                     \
                        return 1;                                               \
                }                                                               \
        } while (0)

static bool open_ok(const char *path, int flags) {
        int fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

static bool open_eperm(const char *path, int flags) {
        int fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
                close(fd);
                return false;
        }
        return errno == EPERM;
}

static int mknod_at(int dirfd, const char *name, mode_t type, unsigned major, unsigned minor) {
        return mknodat(dirfd, name, type | 0600, makedev(major, minor)) < 0 ? -errno : 0;
}

typedef int (*ChildCheck)(int tmpfd);

/* Load, attach, fork the child into the cgroup, wait. No assertion here: the caller cleans up first. */
static int scenario_in_cgroup(const char *cg, int tmpfd, const CgroupDeviceRule *rules, size_t n_rules,
                              ChildCheck check, int *ret_status) {
        _cleanup_close_ int cgfd = -EBADF, prog = -EBADF;
        int r, status;
        pid_t pid;

        cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cgfd < 0)
                return -errno;
        r = cgroup_devices_load(rules, n_rules, &prog);
        if (r < 0)
                return r;
        r = cgroup_devices_attach(prog, cgfd);
        if (r < 0)
                return r;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                alarm(30);
                if (cg_write(cgfd, "cgroup.procs", "0") < 0) {
                        fprintf(stderr, "child: cannot enter %s: %m\n", cg);
                        exit(100);
                }
                exit(check(tmpfd));     /* exit(), not _exit(): LeakSanitizer checks at exit */
        }
        if (waitpid(pid, &status, 0) != pid)
                return -errno;
        *ret_status = status;
        return 0;
}

static void remove_tmp(const char *tmp) {
        DIR *d = opendir(tmp);
        struct dirent *de;

        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        ASSERT_OK(unlinkat(dirfd(d), de->d_name, 0));
        closedir(d);
        ASSERT_OK(rmdir(tmp));
}

static int remove_cgroup(const char *cg) {
        /* The child is reaped; the kernel may take a moment to let the dir go
         * (up to 10 s: longer on a loaded host). */
        for (int i = 0; i < 1000; i++) {
                if (rmdir(cg) >= 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY)
                        break;
                usleep(10000);
        }
        return -errno;
}

static void run_scenario(const char *base, const CgroupDeviceRule *rules, size_t n_rules, ChildCheck check) {
        char cg[PATH_MAX], tmp[] = "/tmp/cell-devtest.XXXXXX";
        int r, r_rm = 0, status = -1;

        ASSERT_NOT_NULL(mkdtemp(tmp));
        (void) snprintf(cg, sizeof cg, "%s/test-devices-%d", base, (int) getpid());
        r = mkdir(cg, 0755) < 0 ? -errno : 0;
        if (r == 0) {
                int tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = tmpfd < 0 ? -errno : scenario_in_cgroup(cg, tmpfd, rules, n_rules, check, &status);
                if (tmpfd >= 0)
                        close(tmpfd);
                r_rm = remove_cgroup(cg);
        }
        remove_tmp(tmp);
        if (r < 0)
                TEST_FAIL("%s: %s", cg, strerror(-r));
        ASSERT_OK(r_rm);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

/* Resolve one DeviceAllow= entry, then run check in a cgroup filtered by it. */
static void root_test(const char *spec, const char *perms, const char *proc_devices, int major, ChildCheck check) {
        CgroupDeviceRule *rules = NULL;
        size_t n = 0;
        char *base = root_base();

        if (!base)
                return;
        ASSERT_EQ(cgroup_devices_resolve(spec, perms, proc_devices, &rules, &n), 1);
        ASSERT_EQ(rules[0].major, major);
        run_scenario(base, rules, n, check);
        free(rules);
        free(base);
}

static int check_null_rw(int tmpfd) {
        CHILD_CHECK(open_ok("/dev/null", O_RDWR));
        CHILD_CHECK(open_eperm("/dev/zero", O_RDONLY));
        /* rw without m: no device node may be made, not even /dev/null's. */
        CHILD_CHECK(mknod_at(tmpfd, "null", S_IFCHR, 1, 3) == -EPERM);
        return 0;
}

TEST(root_allows_only_null_rw) {
        root_test("/dev/null", "rw", NULL, 1, check_null_rw);
}

static int check_null_r(int tmpfd) {
        CHILD_CHECK(open_ok("/dev/null", O_RDONLY));
        CHILD_CHECK(open_eperm("/dev/null", O_RDWR));
        CHILD_CHECK(open_eperm("/dev/null", O_WRONLY));
        return 0;
}

TEST(root_read_only_refuses_write) {
        root_test("/dev/null", "r", NULL, 1, check_null_r);
}

static int check_null_rwm(int tmpfd) {
        CHILD_CHECK(mknod_at(tmpfd, "null", S_IFCHR, 1, 3) == 0);
        /* m is per device too: /dev/zero's number stays refused. */
        CHILD_CHECK(mknod_at(tmpfd, "zero", S_IFCHR, 1, 5) == -EPERM);
        CHILD_CHECK(open_eperm("/dev/zero", O_RDONLY));
        return 0;
}

TEST(root_mknod_with_m) {
        root_test("/dev/null", "rwm", NULL, 1, check_null_rwm);
}

static int check_any_char(int tmpfd) {
        CHILD_CHECK(open_ok("/dev/null", O_RDWR));
        CHILD_CHECK(open_ok("/dev/zero", O_RDONLY));
        CHILD_CHECK(open_ok("/dev/full", O_WRONLY));
        CHILD_CHECK(mknod_at(tmpfd, "null", S_IFCHR, 1, 3) == 0);
        CHILD_CHECK(mknod_at(tmpfd, "pts", S_IFCHR, 136, 0) == 0);
        CHILD_CHECK(mknod_at(tmpfd, "last", S_IFCHR, 4095, 1048575) == 0);
        /* char-* is the char class only. */
        CHILD_CHECK(mknod_at(tmpfd, "loop", S_IFBLK, 7, 0) == -EPERM);
        return 0;
}

TEST(root_major_any_allows_every_char_device) {
        /* "char-*" never reads /proc/devices: the fixture path is not there. */
        root_test("char-*", "rwm", "/nonexistent", -1, check_any_char);
}

static int check_char_mem(int tmpfd) {
        CHILD_CHECK(open_ok("/dev/null", O_RDWR));
        CHILD_CHECK(open_ok("/dev/zero", O_RDONLY));
        /* /dev/ptmx is 5:2, another major. */
        CHILD_CHECK(open_eperm("/dev/ptmx", O_RDWR));
        CHILD_CHECK(mknod_at(tmpfd, "null", S_IFCHR, 1, 3) == -EPERM);
        return 0;
}

TEST(root_major_from_proc_devices) {
        root_test("char-mem", "rw", NULL, 1, check_char_mem);
}
