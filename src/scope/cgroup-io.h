/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The per-device IO limits (IODeviceWeight=, IOReadBandwidthMax= ...): the
 * device behind each path, found as systemd finds it, and the lines the
 * cgroup files take. Both managers find the devices before the scope is
 * made (systemd would drop a limit on a path it cannot resolve with no more
 * than a warning in its log); the cgroupfs manager writes the lines. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* The whole disk behind path: the node itself for a block device, else the
 * device of the file system path is on; a partition is taken to its disk and
 * a device-mapper device with one device below it (LVM, LUKS) to that one,
 * as systemd does (the kernel takes IO limits for whole disks only).
 * A btrfs (no device number of its own) is taken to the one device it is
 * made of, as systemd takes it. -ENOTBLK for a character device, -ENODEV
 * where no block device is behind the file system (tmpfs, overlayfs, NFS),
 * -EXDEV for a btrfs of several devices, or stat()'s -errno. */
int cg_io_resolve(const char *path, dev_t *ret);

/* The limits of one disk, from every entry that names it (by whatever path):
 * per key the last value written. */
typedef struct CgroupIODisk {
        dev_t dev;
        bool set[_CELL_IO_KIND_MAX];
        uint64_t value[_CELL_IO_KIND_MAX];
        size_t origin[_CELL_IO_KIND_MAX];       /* the entry each value came from, for messages */
} CgroupIODisk;

/* The disks of the n entries d, d[i] found at devs[i], in the order each is
 * first named. */
int cg_io_disks(const CellIODevice *d, const dev_t *devs, size_t n, CgroupIODisk **ret, size_t *ret_n);

/* systemd's D-Bus property for a kind: "IOReadBandwidthMax", ...,
 * "IODeviceLatencyTargetUSec". StartTransientUnit gets one "a(st)" each, a
 * disk as "/dev/block/MAJ:MIN": PID 1 takes that without looking for a node,
 * so it limits the very disk cell found, once. */
const char *cg_io_property(CellIOKind kind);

typedef struct CgroupIOWrite {
        const char *file;       /* "io.max", "blkio.throttle.read_bps_device", ... */
        const char *fallback;   /* written where file is missing or refuses (BFQ's weights), or NULL */
        bool optional;          /* both missing or refused: skipped, a weight needs a scheduler that has them */
        size_t origin;          /* the entry it came from, for messages */
        dev_t dev;              /* the disk, for messages */
        char line[128];         /* "254:0 rbps=1000000 wbps=max" */
        char fallback_line[128];        /* what fallback takes (BFQ's own scale) */
} CgroupIOWrite;

/* What the cgroupfs manager writes for disks into a cgroup2 directory (v2)
 * or a blkio one (v1), one write per line, in order: per disk one io.max
 * line with all its limits, as the kernel keeps them. -EOPNOTSUPP with
 * *ret_bad the entry v1 has no file for (IODeviceLatencyTargetSec=, but for
 * infinity: no target, v1's as the kernel's default); -ENOMEM. */
int cg_io_writes(const CgroupIODisk *disks, size_t n, bool v2, CgroupIOWrite **ret, size_t *ret_n, size_t *ret_bad);
