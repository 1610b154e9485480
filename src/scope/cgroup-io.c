/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup-io.h"
#include "cgroup-util.h"
#include "fs-util.h"
#include "parse-limits.h"
#include "macros.h"

/* /sys/dev/block/MAJ:MIN, opened; -errno. */
static int sysfs_block_open(dev_t d) {
        char p[64];

        snprintf(p, sizeof p, "/sys/dev/block/%u:%u", major(d), minor(d));
        return RET_NERRNO(open(p, O_RDONLY|O_DIRECTORY|O_CLOEXEC));
}

/* MAJ:MIN in a sysfs "dev" file below dir. */
static int read_dev(int dir, const char *file, dev_t *ret) {
        char buf[32];
        unsigned ma, mi;
        ssize_t k;
        int fd = openat(dir, file, O_RDONLY|O_CLOEXEC);

        if (fd < 0)
                return negative_errno();
        k = read(fd, buf, sizeof buf - 1);
        safe_close(fd);
        if (k <= 0)
                return k < 0 ? negative_errno() : -EIO;
        buf[k] = 0;
        if (sscanf(buf, "%u:%u", &ma, &mi) != 2)
                return -EIO;
        *ret = makedev(ma, mi);
        return 0;
}

/* A device-mapper device with exactly one device below it: that one. */
static bool dm_single_slave(dev_t d, dev_t *ret) {
        _cleanup_close_ int dir = sysfs_block_open(d);
        _cleanup_close_ int slaves = -EBADF;
        DIR *list;
        struct dirent *e;
        char name[256] = "";
        unsigned n = 0;

        if (dir < 0 || faccessat(dir, "dm", F_OK, 0) < 0)
                return false;
        slaves = openat(dir, "slaves", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (slaves < 0)
                return false;
        list = fdopendir(slaves);
        if (!list)
                return false;
        slaves = -EBADF;        /* the DIR owns it now */
        while ((e = readdir(list)))
                if (e->d_name[0] != '.' && n++ == 0)
                        snprintf(name, sizeof name, "%s", e->d_name);
        _cleanup_close_ int below = n == 1 ? openat(dirfd(list), name, O_RDONLY|O_DIRECTORY|O_CLOEXEC) : -EBADF;
        closedir(list);
        return below >= 0 && read_dev(below, "dev", ret) >= 0;
}

/* A partition's disk (its sysfs directory's parent), or d itself. */
static dev_t whole_disk(dev_t d) {
        _cleanup_close_ int dir = sysfs_block_open(d);
        _cleanup_close_ int parent = -EBADF;
        dev_t disk;

        if (dir < 0 || faccessat(dir, "partition", F_OK, 0) < 0)
                return d;
        parent = openat(dir, "..", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        return parent >= 0 && read_dev(parent, "dev", &disk) >= 0 ? disk : d;
}

/* A btrfs has an anonymous device number, as tmpfs has; the device it is
 * made of is found as systemd finds it: the file system's own list, when
 * it holds one device (-EXDEV: several, no one disk to limit; -ENODEV:
 * not a btrfs). */
static int btrfs_single_device(const char *path, dev_t *ret) {
        struct btrfs_ioctl_fs_info_args fsi = {};
        _cleanup_close_ int fd = -EBADF;
        int64_t magic;
        int r;

        /* O_NONBLOCK: a FIFO the unit names does not hold the start. */
        fd = open(path, O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        r = fs_magic_of(fd, &magic);
        if (r < 0)
                return r;
        if (magic != BTRFS_SUPER_MAGIC)
                return -ENODEV;
        if (ioctl(fd, BTRFS_IOC_FS_INFO, &fsi) < 0)
                return negative_errno();
        if (fsi.num_devices != 1)
                return -EXDEV;
        /* Device ids count from 1; a removed device leaves a gap. */
        for (uint64_t id = 1; id <= fsi.max_id; id++) {
                struct btrfs_ioctl_dev_info_args di = { .devid = id };
                struct stat st;

                if (ioctl(fd, BTRFS_IOC_DEV_INFO, &di) < 0) {
                        if (errno == ENODEV)
                                continue;
                        return negative_errno();
                }
                di.path[sizeof di.path - 1] = 0;
                if (stat((const char *) di.path, &st) < 0)
                        return negative_errno();
                if (!S_ISBLK(st.st_mode) || major(st.st_rdev) == 0)
                        return -ENODEV;
                *ret = st.st_rdev;
                return 0;
        }
        return -ENODEV;
}

int cg_io_resolve(const char *path, dev_t *ret) {
        struct stat st;
        dev_t d, below;
        int r;

        if (stat(path, &st) < 0)
                return negative_errno();
        if (S_ISCHR(st.st_mode))
                return -ENOTBLK;
        if (S_ISBLK(st.st_mode))
                d = st.st_rdev;
        else if (major(st.st_dev) != 0)
                d = st.st_dev;
        else if ((r = btrfs_single_device(path, &d)) < 0)
                return r;               /* an anonymous device: tmpfs, overlayfs, NFS, a btrfs of several */
        /* Bounded: a device-mapper stack is a few levels deep. */
        for (unsigned i = 0; i < 8 && dm_single_slave(d, &below); i++)
                d = below;
        *ret = whole_disk(d);
        return 0;
}

int cg_io_disks(const CellIODevice *d, const dev_t *devs, size_t n, CgroupIODisk **ret, size_t *ret_n) {
        CgroupIODisk *disks = n > 0 ? calloc(n, sizeof(CgroupIODisk)) : NULL;
        size_t nd = 0;

        if (n > 0 && !disks)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                size_t k = 0;

                if ((unsigned) d[i].kind >= _CELL_IO_KIND_MAX) {
                        free(disks);
                        return -EINVAL;
                }
                while (k < nd && disks[k].dev != devs[i])
                        k++;
                if (k == nd)
                        disks[nd++].dev = devs[i];
                disks[k].set[d[i].kind] = true;
                disks[k].value[d[i].kind] = d[i].value;
                disks[k].origin[d[i].kind] = i;
        }
        *ret = disks;
        *ret_n = nd;
        return 0;
}

const char *cg_io_property(CellIOKind kind) {
        /* The unit's key, but for the latency: its property counts in usec. */
        return kind == CELL_IO_LATENCY ? "IODeviceLatencyTargetUSec" : io_kind_key(kind);
}

static int writes_add(CgroupIOWrite **w, size_t *n, const char *file, const char *fallback, bool optional,
                      size_t origin, const CgroupIODisk *disk, CgroupIOWrite **ret) {
        CgroupIOWrite *l = realloc(*w, sizeof(CgroupIOWrite) * (*n + 1));
        if (!l)
                return -ENOMEM;
        *w = l;
        l[*n] = (CgroupIOWrite) { .file = file, .fallback = fallback, .optional = optional, .origin = origin,
                                  .dev = disk->dev };
        snprintf(l[*n].line, sizeof l[*n].line, "%u:%u", major(disk->dev), minor(disk->dev));
        *ret = l + (*n)++;
        return 0;
}

/* " key=N", or " key=max" for infinity. */
static void append(CgroupIOWrite *x, const char *key, uint64_t v) {
        size_t k = strlen(x->line);
        if (v == UINT64_MAX)
                snprintf(x->line + k, sizeof x->line - k, " %s=max", key);
        else
                snprintf(x->line + k, sizeof x->line - k, " %s=%" PRIu64, key, v);
}

/* cgroup2: per disk one io.max line with its four limits, its io.weight and io.latency. */
static int writes_v2(const CgroupIODisk *disks, size_t n, CgroupIOWrite **w, size_t *nw) {
        static const char *const max_keys[_CELL_IO_KIND_MAX] = {
                [CELL_IO_READ_BPS] = "rbps", [CELL_IO_WRITE_BPS] = "wbps",
                [CELL_IO_READ_IOPS] = "riops", [CELL_IO_WRITE_IOPS] = "wiops",
        };
        CgroupIOWrite *x = NULL;
        int r;

        for (size_t i = 0; i < n; i++) {
                const CgroupIODisk *k = disks + i;
                bool first = true;

                for (CellIOKind t = 0; t < _CELL_IO_KIND_MAX; t++) {
                        if (!k->set[t] || !max_keys[t])
                                continue;
                        if (first && (r = writes_add(w, nw, "io.max", NULL, false, k->origin[t], k, &x)) < 0)
                                return r;
                        first = false;
                        append(x, max_keys[t], k->value[t]);
                }
                if (k->set[CELL_IO_DEVICE_WEIGHT]) {
                        /* iocost's file (it refuses a disk iocost is off for), else
                         * BFQ's, on BFQ's scale; neither: no weights on this disk. */
                        uint64_t v = k->value[CELL_IO_DEVICE_WEIGHT];
                        r = writes_add(w, nw, "io.weight", "io.bfq.weight", true, k->origin[CELL_IO_DEVICE_WEIGHT],
                                       k, &x);
                        if (r < 0)
                                return r;
                        size_t l = strlen(x->line);
                        snprintf(x->fallback_line, sizeof x->fallback_line, "%u:%u %" PRIu64, major(k->dev),
                                 minor(k->dev), cg_io_weight_to_bfq(v));
                        snprintf(x->line + l, sizeof x->line - l, " %" PRIu64, v);
                }
                if (k->set[CELL_IO_LATENCY]) {
                        r = writes_add(w, nw, "io.latency", NULL, false, k->origin[CELL_IO_LATENCY], k, &x);
                        if (r < 0)
                                return r;
                        append(x, "target", k->value[CELL_IO_LATENCY]);
                }
        }
        return 0;
}

/* cgroup1's blkio: one file per limit, "MAJ:MIN VALUE"; no limit is its default. */
static int writes_v1(const CgroupIODisk *disks, size_t n, CgroupIOWrite **w, size_t *nw, size_t *ret_bad) {
        static const char *const files[_CELL_IO_KIND_MAX] = {
                [CELL_IO_READ_BPS] = "blkio.throttle.read_bps_device",
                [CELL_IO_WRITE_BPS] = "blkio.throttle.write_bps_device",
                [CELL_IO_READ_IOPS] = "blkio.throttle.read_iops_device",
                [CELL_IO_WRITE_IOPS] = "blkio.throttle.write_iops_device",
                [CELL_IO_DEVICE_WEIGHT] = "blkio.weight_device",
        };
        CgroupIOWrite *x;
        int r;

        for (size_t i = 0; i < n; i++)
                for (CellIOKind t = 0; t < _CELL_IO_KIND_MAX; t++) {
                        const CgroupIODisk *k = disks + i;
                        bool weight = t == CELL_IO_DEVICE_WEIGHT;
                        uint64_t v = k->value[t];

                        if (!k->set[t])
                                continue;
                        /* A latency target of infinity is none, as v1 has none. */
                        if (t == CELL_IO_LATENCY && v == USEC_INFINITY)
                                continue;
                        if (!files[t]) {
                                *ret_bad = k->origin[t];
                                return -EOPNOTSUPP;
                        }
                        if (weight)
                                v = cg_io_weight_to_blkio(v);
                        else if (v == UINT64_MAX)
                                continue;
                        r = writes_add(w, nw, files[t], weight ? "blkio.bfq.weight_device" : NULL, weight,
                                       k->origin[t], k, &x);
                        if (r < 0)
                                return r;
                        size_t l = strlen(x->line);
                        snprintf(x->line + l, sizeof x->line - l, " %" PRIu64, v);
                        /* BFQ's file on the scale systemd 252 gives BFQ on v1
                         * (cg_io_weight_to_blkio_bfq()), as IOWeight= gets there. */
                        if (weight)
                                snprintf(x->fallback_line, sizeof x->fallback_line, "%u:%u %" PRIu64,
                                         major(k->dev), minor(k->dev), cg_io_weight_to_blkio_bfq(k->value[t]));
                }
        return 0;
}

int cg_io_writes(const CgroupIODisk *disks, size_t n, bool v2, CgroupIOWrite **ret, size_t *ret_n, size_t *ret_bad) {
        CgroupIOWrite *w = NULL;
        size_t nw = 0, bad = 0;
        int r;

        r = v2 ? writes_v2(disks, n, &w, &nw) : writes_v1(disks, n, &w, &nw, &bad);
        if (r < 0) {
                free(w);
                if (r == -EOPNOTSUPP && ret_bad)
                        *ret_bad = bad;
                return r;
        }
        *ret = w;
        *ret_n = nw;
        return 0;
}
