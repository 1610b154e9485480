/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device filter, loaded once and pinned.
 *
 * Loading it (BPF_PROG_LOAD) runs the kernel's verifier and JIT: 0.1-0.2 ms
 * of cell's CPU at every start, and with systemd on the start's critical
 * path (it is loaded before StartTransientUnit, scope-devices.c). The program
 * depends on the rules alone, so it is pinned on the BPF filesystem systemd
 * mounts at /sys/fs/bpf, as cell/devices-HASH, and a later start takes it
 * from there (BPF_OBJ_GET: a microsecond). bpffs lives in memory: a reboot
 * empties it.
 *
 * What is taken is checked, not trusted by its name: a program of the device
 * type whose instructions, as the kernel reports them, are exactly the ones
 * the rules make now; anything else there is replaced. The directory is used
 * only when it is ours alone (our uid, nobody else may write), on a BPF
 * filesystem. Each distinct policy is one pin (a few KiB of kernel memory);
 * past PIN_MAX of them, storing one removes the others. A pin removed while a
 * container runs takes nothing from it: its cgroup holds its own reference. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-devices.h"
#include "fs-util.h"
#include "log.h"
#include "macros.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

#define PIN_PREFIX "devices-"
#define TEMP_PREFIX "tmp-"             /* bpffs reserves names with a dot */
#define TEMP_MAX_AGE_SEC (60 * 60)
#define PIN_MAX 16

static const char *const pin_table[_CGROUP_DEVICES_PIN_MAX] = {
        [CGROUP_DEVICES_PIN_OFF] = "loaded, not pinned",
        [CGROUP_DEVICES_PIN_HIT] = "the pinned one",
        [CGROUP_DEVICES_PIN_STORED] = "loaded and pinned",
        [CGROUP_DEVICES_PIN_MISS] = "loaded, pinning failed",
};

const char *cgroup_devices_pin_to_string(CgroupDevicesPin p) {
        return p >= 0 && p < _CGROUP_DEVICES_PIN_MAX ? pin_table[p] : NULL;
}

static int bpf_call(int cmd, union bpf_attr *attr) {
        long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
        return r < 0 ? -errno : (int) r;
}

/* 0 if fd is on a BPF filesystem, -ENOTTY if not. */
static int fd_on_bpffs(int fd) {
        int64_t magic;
        int r = fs_magic_of(fd, &magic);
        if (r < 0)
                return r;
        return (uint32_t) magic == BPF_FS_MAGIC ? 0 : -ENOTTY;
}

/* bpffs/cell, made when missing: only a directory of ours on a BPF filesystem. */
static int pin_dir_open(const char *bpffs, char **ret_path) {
        _cleanup_close_ int top = -EBADF, fd = -EBADF;
        struct stat st;
        int r;

        top = open(bpffs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (top < 0)
                return negative_errno();
        /* Nothing is made anywhere else (/sys/fs/bpf with no BPF filesystem on it). */
        r = fd_on_bpffs(top);
        if (r < 0)
                return r;
        fd = openat(top, "cell", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {        /* made by the first start after boot */
                if (mkdirat(top, "cell", 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                fd = openat(top, "cell", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return negative_errno();
        r = fd_on_bpffs(fd);            /* something else mounted on bpffs/cell */
        if (r < 0)
                return r;
        /* Ours alone: whoever else could write here could pin a filter of theirs. */
        if (fstat(fd, &st) < 0 || !stat_ours_alone(&st))
                return -EPERM;
        if (asprintf(ret_path, "%s/cell", bpffs) < 0)
                return -ENOMEM;
        return TAKE_FD(fd);
}

/* The program pinned at path, when it is exactly insns[n]: 1 and its fd;
 * 0 when there is none or another one; -errno when the kernel will not
 * show its instructions (then nothing pinned can be checked). */
static int pin_get(const char *path, const struct bpf_insn *insns, size_t n, int *ret_fd) {
        _cleanup_free_ struct bpf_insn *xlated = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct bpf_prog_info info = {};
        union bpf_attr attr = {};
        int r;

        attr.pathname = (uint64_t) (uintptr_t) path;
        fd = bpf_call(BPF_OBJ_GET, &attr);
        if (fd < 0)
                return fd == -ENOENT ? 0 : fd;

        /* One instruction more than ours: a longer program shows as one. */
        xlated = calloc(n + 1, sizeof(struct bpf_insn));
        if (!xlated)
                return -ENOMEM;
        info.xlated_prog_len = (uint32_t) ((n + 1) * sizeof(struct bpf_insn));
        info.xlated_prog_insns = (uint64_t) (uintptr_t) xlated;
        memset(&attr, 0, sizeof attr);
        attr.info.bpf_fd = (uint32_t) fd;
        attr.info.info_len = sizeof info;
        attr.info.info = (uint64_t) (uintptr_t) &info;
        r = bpf_call(BPF_OBJ_GET_INFO_BY_FD, &attr);
        if (r < 0)
                return r == -EINVAL ? 0 : r;   /* not a program at all */
        if (info.type != BPF_PROG_TYPE_CGROUP_DEVICE)
                return 0;
        /* The kernel withholds them (kernel.kptr_restrict): nothing can be checked. */
        if (info.xlated_prog_insns == 0)
                return -EPERM;
        if (info.xlated_prog_len != n * sizeof(struct bpf_insn) ||
            memcmp(xlated, insns, n * sizeof(struct bpf_insn)) != 0)
                return 0;
        *ret_fd = TAKE_FD(fd);
        return 1;
}

/* Temporary pins a start left when it died between pinning and renaming,
 * and, past PIN_MAX policies, every other one. */
static void pin_prune(int dfd, const char *keep) {
        _cleanup_(closedirp) DIR *d = opendir_at(dfd, ".");
        struct dirent *de;
        unsigned n = 0;

        if (!d)
                return;
        while ((de = readdir(d))) {
                struct stat st;

                if (startswith(de->d_name, TEMP_PREFIX) &&
                    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
                    st.st_mtime + TEMP_MAX_AGE_SEC <= time(NULL))
                        (void) unlinkat(dfd, de->d_name, 0);
                else if (startswith(de->d_name, PIN_PREFIX))
                        n++;
        }
        if (n <= PIN_MAX)
                return;
        rewinddir(d);
        while ((de = readdir(d)))
                if (startswith(de->d_name, PIN_PREFIX) && !streq(de->d_name, keep))
                        (void) unlinkat(dfd, de->d_name, 0);
}

/* Pins fd as dir/name: under a name of its own first, renamed over once there. */
static int pin_store(int dfd, const char *dir, const char *name, int fd) {
        _cleanup_free_ char *path = NULL;
        union bpf_attr attr = {};
        char tmp[64];
        uint64_t rnd;
        int r;

        if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
                rnd = (uint64_t) getpid() << 32 ^ (uint64_t) time(NULL);
        snprintf(tmp, sizeof tmp, TEMP_PREFIX "%016" PRIx64, rnd);
        if (asprintf(&path, "%s/%s", dir, tmp) < 0)
                return -ENOMEM;
        attr.pathname = (uint64_t) (uintptr_t) path;
        attr.bpf_fd = (uint32_t) fd;
        r = bpf_call(BPF_OBJ_PIN, &attr);
        if (r < 0)
                return r;
        if (renameat(dfd, tmp, dfd, name) < 0) {
                r = negative_errno();
                (void) unlinkat(dfd, tmp, 0);
                return r;
        }
        return 0;
}

/* "0" turns it off, as CELL_SECCOMP_CACHE=0 does the seccomp cache. */
static bool pin_enabled(void) {
        return !streq_ptr(getenv("CELL_BPF_PIN"), "0");
}

int cgroup_devices_load_pinned(const CgroupDeviceRule *rules, size_t n_rules, const char *bpffs, int *ret_prog_fd) {
        _cleanup_free_ struct bpf_insn *insns = NULL;
        _cleanup_free_ char *dir = NULL, *path = NULL;
        _cleanup_close_ int dfd = -EBADF;
        char name[64];
        size_t n = 0;
        int r, fd = -EBADF;

        if (!ret_prog_fd)
                return -EINVAL;
        r = cgroup_devices_build(rules, n_rules, &insns, &n);
        if (r < 0)
                return r;
        /* The hash only names the pin; what is pinned is compared in full. */
        snprintf(name, sizeof name, PIN_PREFIX "%016" PRIx64, hash_fnv1a64(insns, n * sizeof(struct bpf_insn)));

        if (!pin_enabled())
                r = -ECANCELED;
        else {
                dfd = r = pin_dir_open(bpffs ?: CGROUP_DEVICES_BPFFS, &dir);
                if (r < 0)
                        log_debug_errno(r, "Device filter not pinned: %s/cell not usable: %m",
                                        bpffs ?: CGROUP_DEVICES_BPFFS);
                else if (asprintf(&path, "%s/%s", dir, name) < 0)
                        return -ENOMEM;
                else {
                        r = pin_get(path, insns, n, &fd);
                        if (r > 0) {
                                *ret_prog_fd = fd;
                                return CGROUP_DEVICES_PIN_HIT;
                        }
                        if (r < 0)
                                log_debug_errno(r, "Device filter %s not usable: %m", path);
                }
        }

        /* r < 0: nothing to pin in, or nothing pinned could ever be checked. */
        bool pin = r >= 0;
        r = cgroup_devices_load_insns(insns, n, &fd);
        if (r < 0)
                return r;
        *ret_prog_fd = fd;
        if (!pin)
                return CGROUP_DEVICES_PIN_OFF;
        r = pin_store(dfd, dir, name, fd);
        if (r < 0) {
                log_debug_errno(r, "Pinning the device filter as %s: %m", path);
                return CGROUP_DEVICES_PIN_MISS;
        }
        pin_prune(dfd, name);
        return CGROUP_DEVICES_PIN_STORED;
}
