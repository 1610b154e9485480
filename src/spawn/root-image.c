/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image=: the image's file system, probed, on a loop device, mounted
 * detached (root-image.h). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lock-file.h"
#include "macros.h"
#include "mount-created.h"
#include "mount-util.h"
#include "root-image-gpt.h"
#include "root-image-lock.h"
#include "root-image-probe.h"
#include "root-image.h"

/* Plain file systems a Linux root is made of, as nspawn mounts them from a
 * partition of a disk image; vfat and the like cannot hold one. */
static const char *const supported[] = { "ext4", "btrfs", "xfs", "squashfs", "erofs" };

/* How often a free loop device is taken by someone else between
 * LOOP_CTL_GET_FREE and LOOP_CONFIGURE before we give up (systemd's
 * loop-util retries the same race). */
#define LOOP_ATTEMPTS 64

bool root_image_fstype_supported(const char *fstype) {
        for (size_t i = 0; fstype && i < ELEMENTSOF(supported); i++)
                if (streq(fstype, supported[i]))
                        return true;
        return false;
}

bool root_image_fstype_read_only(const char *fstype) {
        return streq_ptr(fstype, "squashfs") || streq_ptr(fstype, "erofs");
}

/* A read-only image is never written, and its type's options say so where
 * MS_RDONLY alone does not (systemd's fstype_norecovery_options()):
 * norecovery keeps ext4 and xfs from replaying their journal into it,
 * rescue=nologreplay btrfs from replaying its log tree (which, on the
 * read-only loop device, it would otherwise refuse to mount at all). xfs
 * also takes nouuid: it refuses a second mount of a UUID that is mounted
 * already, and two containers of one image are just that. */
static const char *read_only_options(const char *fstype) {
        if (streq(fstype, "ext4"))
                return "ro,norecovery";
        if (streq(fstype, "xfs"))
                return "ro,norecovery,nouuid";
        if (streq(fstype, "btrfs"))
                return "ro,rescue=nologreplay";
        return "ro";
}

/* file_fd on a free loop device, with LO_FLAGS_AUTOCLEAR: the device goes
 * when its last user (the mount) does; [offset, offset + size) of it, size
 * 0 to its end (a GPT partition: the kernel's loop device of the whole
 * image would scan the table and make partition devices of its own). The
 * loop fd is returned: it must stay open until the mount holds the device,
 * or autoclear detaches it. */
static int loop_attach(int file_fd, uint64_t offset, uint64_t size, const char *name, bool read_only,
                       char *ret_dev, size_t dev_size, int *ret_loop_fd) {
        _cleanup_close_ int control = -EBADF;
        bool direct = true;

        control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        if (control < 0)
                return -errno;
        for (unsigned attempt = 0; attempt < LOOP_ATTEMPTS;) {
                _cleanup_close_ int loop_fd = -EBADF;
                struct loop_config c = {
                        .fd = (uint32_t) file_fd,
                        /* AUTOCLEAR: a start that fails or a container that ends
                         * leaves no loop device; READ_ONLY: the kernel refuses
                         * writes to the image itself, not only the mount;
                         * DIRECT_IO: no second copy in the page cache. */
                        .info.lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0) |
                                         (direct ? LO_FLAGS_DIRECT_IO : 0),
                        .info.lo_offset = offset,
                        .info.lo_sizelimit = size,
                };
                int nr;

                (void) snprintf((char *) c.info.lo_file_name, sizeof c.info.lo_file_name, "%s", name);
                nr = ioctl(control, LOOP_CTL_GET_FREE);
                if (nr < 0)
                        return -errno;
                (void) snprintf(ret_dev, dev_size, "/dev/loop%d", nr);
                loop_fd = open(ret_dev, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
                if (loop_fd < 0) {
                        /* Taken and removed again (LOOP_CTL_REMOVE) before we opened it. */
                        if (errno == ENOENT || errno == ENXIO) {
                                attempt++;
                                continue;
                        }
                        return -errno;
                }
                if (ioctl(loop_fd, LOOP_CONFIGURE, &c) >= 0) {
                        /* Held read-only until the mount: a kernel without
                         * CONFIG_BLK_DEV_WRITE_MOUNTED refuses to mount a
                         * device someone has open for writing (EBUSY). The
                         * new fd is open before the old one closes, so
                         * autoclear never sees the device unused. */
                        if (!read_only) {
                                char self[32];
                                int ro;

                                (void) snprintf(self, sizeof self, "/proc/self/fd/%d", loop_fd);
                                ro = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                                if (ro < 0)
                                        return -errno;
                                safe_close(loop_fd);
                                loop_fd = ro;
                        }
                        *ret_loop_fd = TAKE_FD(loop_fd);
                        return 0;
                }
                /* A backing file system without direct I/O: buffered then. */
                if (errno == EINVAL && direct) {
                        direct = false;
                        continue;
                }
                /* Another process configured it between GET_FREE and ours. */
                if (errno != EBUSY)
                        return -errno;
                attempt++;
        }
        return -EBUSY;
}

/* One file system of the image: the whole image, or a GPT partition. */
typedef struct ImagePart {
        GptDesignator designator;
        int partno;             /* 0: the whole image */
        uint64_t offset, size;  /* size 0: the whole image */
        char fstype[16];
        bool read_only;
} ImagePart;

/* "Image=PATH: its /usr partition (3)" for a message about part. */
static const char *part_name(const ImagePart *part, char *buf, size_t size) {
        if (part->partno == 0)
                return "";
        (void) snprintf(buf, size, ": its %s partition (%d)", gpt_designator_name(part->designator), part->partno);
        return buf;
}

/* part's file system, probed within it, and whether it is ever written. */
static int part_check(const Plan *p, int fd, ImagePart *part, SpawnError *err) {
        char name[64];
        int r;

        if (part->partno > 0) {
                r = image_probe_fstype(fd, part->offset, part->size, part->fstype, sizeof part->fstype);
                if (r == -ENOTUNIQ)
                        return spawn_error(err, r, "Image=%s%s: more than one file system signature, refusing to "
                                           "guess", p->root_image, part_name(part, name, sizeof name));
                if (r < 0)
                        return spawn_error(err, r, "Image=%s%s: cannot probe its file system", p->root_image,
                                           part_name(part, name, sizeof name));
        }
        /* What nspawn would ask a passphrase for: cell unlocks nothing. */
        if (streq(part->fstype, "crypto_LUKS"))
                return spawn_error_complete(err, EMEDIUMTYPE, "Image=%s%s: is encrypted (LUKS): cell does not "
                                            "unlock images", p->root_image, part_name(part, name, sizeof name));
        if (!root_image_fstype_supported(part->fstype))
                return spawn_error_complete(err, EMEDIUMTYPE, "Image=%s%s: %s%s%s: cell mounts ext4, btrfs, xfs, "
                                            "squashfs or erofs", p->root_image, part_name(part, name, sizeof name),
                                            part->fstype[0] ? "a file system of type " : "no file system found",
                                            part->fstype, part->fstype[0] ? " is not supported" : "");
        part->read_only = part->read_only || p->root_read_only || root_image_fstype_read_only(part->fstype);
        return 0;
}

/* The bytes of the image: its file's, or its device's. */
static int image_size(int fd, const struct stat *st, uint64_t *ret) {
        if (S_ISBLK(st->st_mode))
                return RET_NERRNO(ioctl(fd, BLKGETSIZE64, ret));
        *ret = (uint64_t) st->st_size;
        return 0;
}

/* A GPT's entries say where its partitions lie, and nothing else does: an
 * extent that is empty, past the image's end, or shared is refused before
 * any loop device is made of it. */
static int parts_check_extents(const Plan *p, const ImageProbe *probe, const GptChoice *c, uint64_t size,
                               SpawnError *err) {
        GptDesignator a = GPT_ROOT, b = GPT_ROOT;
        const GptPartition *pa, *pb;
        int r;

        r = gpt_check_extents(probe->parts, c, size, &a, &b);
        if (r == 0)
                return 0;
        pa = probe->parts + c->index[a];
        if (r == -ERANGE && pa->size == 0)
                return spawn_error_complete(err, r, "Image=%s: its %s partition (%d) is empty", p->root_image,
                                            gpt_designator_name(a), pa->partno);
        if (r == -ERANGE)
                return spawn_error_complete(err, r, "Image=%s: its %s partition (%d) ends past the image's end "
                                            "(%" PRIu64 " bytes from %" PRIu64 ", of %" PRIu64 ")", p->root_image,
                                            gpt_designator_name(a), pa->partno, pa->size, pa->start, size);
        pb = probe->parts + c->index[b];
        return spawn_error_complete(err, r, "Image=%s: its %s partition (%d) and its %s partition (%d) overlap: one "
                                    "file system would be mounted twice", p->root_image, gpt_designator_name(a),
                                    pa->partno, gpt_designator_name(b), pb->partno);
}

/* The partitions of a GPT image cell mounts, root first (root-image-gpt.h). */
static int parts_from_gpt(const Plan *p, const ImageProbe *probe, uint64_t size, ImagePart *parts, size_t *ret_n,
                          SpawnError *err) {
        GptDesignator refused = GPT_ROOT;
        GptChoice c;
        size_t n = 0;
        int r;

        r = gpt_choose(probe->parts, probe->n_parts, &c, &refused);
        if (r == -ENXIO && c.index[GPT_USR] >= 0)
                return spawn_error_complete(err, r, "Image=%s: a GPT with a /usr partition but no root partition "
                                            "for %s (%s): cell needs a root", p->root_image, gpt_native_arch(),
                                            strna(gpt_native_root_type()));
        if (r == -ENXIO || r == -ENOTUNIQ)
                return spawn_error_complete(err, r, "Image=%s: a GPT with no root partition for %s (%s) nor a "
                                            "single generic Linux one%s", p->root_image, gpt_native_arch(),
                                            strna(gpt_native_root_type()),
                                            r == -ENOTUNIQ ? " (it has several: refusing to guess)" : "");
        if (r == -EADDRNOTAVAIL && c.index[refused] < 0)
                return spawn_error_complete(err, r, "Image=%s: its verity partition (%d) is for a %s partition of "
                                            "%s, which the image lacks: refused, as systemd refuses it (\"No root "
                                            "partition for specified root hash found\")", p->root_image,
                                            probe->parts[c.verity].partno, gpt_designator_name(refused),
                                            strna(c.verity_arch));
        if (r == -EADDRNOTAVAIL)
                return spawn_error_complete(err, r, "Image=%s: its %s partition (%d) has a verity partition (%d): "
                                            "cell does not verify images, and mounts none unverified that asks to "
                                            "be", p->root_image, gpt_designator_name(refused),
                                            probe->parts[c.index[refused]].partno, probe->parts[c.verity].partno);
        if (r == -ENOEXEC)
                return spawn_error_complete(err, r, "Image=%s: its %s partition (%d) is for %s, not %s: cell "
                                            "mounts no other architecture's (systemd would %s it)", p->root_image,
                                            gpt_designator_name(refused), probe->parts[c.foreign].partno,
                                            strna(gpt_partition_arch(probe->parts + c.foreign)), gpt_native_arch(),
                                            refused == GPT_USR && c.index[GPT_ROOT] >= 0 ? "refuse" : "mount");
        if (r < 0)
                return spawn_error(err, r, "Image=%s: cannot choose its partitions", p->root_image);
        r = parts_check_extents(p, probe, &c, size, err);
        if (r < 0)
                return r;

        for (GptDesignator d = 0; d < _GPT_DESIGNATOR_MAX; d++) {
                const GptPartition *gp;

                if (c.index[d] < 0)
                        continue;
                gp = probe->parts + c.index[d];
                parts[n++] = (ImagePart) {
                        .designator = d,
                        .partno = gp->partno > 0 ? gp->partno : c.index[d] + 1,
                        .offset = gp->start,
                        .size = gp->size,
                        .read_only = c.read_only[d],
                };
        }
        *ret_n = n;
        return 0;
}

/* part mounted detached, from fd (probed and locked): a file's through a
 * loop device, a partition's (of a file or a device) through one of its
 * extent, a whole device as it is. */
static int part_mount(const Plan *p, int fd, const struct stat *st, const ImagePart *part, int *ret_mnt_fd,
                      char *ret_dev, size_t dev_size, SpawnError *err) {
        _cleanup_close_ int loop_fd = -EBADF, mnt_fd = -EBADF;
        char data[64], kmsg[256], reopen[32], name[64];
        const char *source;
        int r;

        ret_dev[0] = 0;
        if (S_ISREG(st->st_mode) || part->partno > 0) {
                r = loop_attach(fd, part->offset, part->size, p->root_image, part->read_only, ret_dev, dev_size,
                                &loop_fd);
                if (r < 0)
                        return spawn_error(err, r, "Image=%s%s: cannot attach it to a loop device", p->root_image,
                                           part_name(part, name, sizeof name));
                source = ret_dev;
        } else {
                /* The device probed and locked, not what the path (a udev link) names by now. */
                (void) snprintf(reopen, sizeof reopen, "/proc/self/fd/%d", fd);
                source = reopen;
        }

        (void) snprintf(data, sizeof data, "%s", part->read_only ? read_only_options(part->fstype) : "");
        /* nodev: device nodes the image brings must not open the host's
         * devices (the container's /dev is a tmpfs of cell's anyway). */
        mnt_fd = mount_fs_new(part->fstype, source, data, (part->read_only ? MS_RDONLY : 0) | MS_NODEV, kmsg,
                              sizeof kmsg);
        if (mnt_fd < 0)
                return spawn_error(err, mnt_fd, "Image=%s%s: cannot mount its %s file system%s%s", p->root_image,
                                   part_name(part, name, sizeof name), part->fstype, *kmsg ? ": " : "", kmsg);
        /* The mount holds the device now: the loop fd goes. */
        *ret_mnt_fd = TAKE_FD(mnt_fd);
        return 0;
}

/* What a kernel before Linux 6.15 answers (EINVAL) to a mount onto a
 * detached mount, in cell's words rather than the kernel's. */
#define DETACHED_TREES "this kernel mounts nothing onto a detached mount (Linux 6.15 and later do)"

/* The root's mount with the others below it, as one detached tree: each
 * detached mount is moved onto its place in the root's (Linux 6.15's
 * detached mount trees; an older kernel refuses, DETACHED_TREES). The
 * child, or the supervisor in S, then attaches the tree whole, once
 * (mount_root_image_attach()). mnt[0] is the root's, and the tree's. */
static int parts_compose(const Plan *p, const ImagePart *parts, int *mnt, size_t n, SpawnError *err) {
        for (size_t i = 1; i < n; i++) {
                const char *where = gpt_designator_path(parts[i].designator);
                _cleanup_close_ int target = -EBADF;
                char name[64];
                int r;

                /* Made where missing, as systemd does; inside the image's
                 * root (RESOLVE_IN_ROOT): its links cannot lead out of it. */
                target = mount_target_ensure(mnt[0], where, MOUNT_TARGET_DIR, 0);
                if (target < 0)
                        return spawn_error(err, target, "Image=%s%s: no directory %s in its root to mount it on",
                                           p->root_image, part_name(parts + i, name, sizeof name), where);
                r = mount_move(mnt[i], target);
                if (r == -EINVAL)
                        return spawn_error_complete(err, r, "Image=%s%s: cannot attach it at %s: " DETACHED_TREES,
                                                    p->root_image, part_name(parts + i, name, sizeof name), where);
                if (r < 0)
                        return spawn_error(err, r, "Image=%s%s: cannot attach it at %s", p->root_image,
                                           part_name(parts + i, name, sizeof name), where);
        }
        return 0;
}

int root_image_mount(const Plan *p, RootImage *ret, SpawnError *err) {
        return root_image_mount_again(p, NULL, ret, err);
}

int root_image_mount_again(const Plan *p, RootImage *held, RootImage *ret, SpawnError *err) {
        _cleanup_close_ int file_fd = -EBADF, dir_fd = -EBADF, lock_fd = -EBADF, whole_lock_fd = -EBADF;
        int mnt[_GPT_DESIGNATOR_MAX];
        char devs[_GPT_DESIGNATOR_MAX][32] = {}, reopen[32], why[256];
        ImagePart parts[_GPT_DESIGNATOR_MAX];
        ImageProbe probe = {};
        GptBadEntry bad = {};
        const char *path = p->root_image;
        bool written = false;
        struct stat st;
        size_t n = 0;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(mnt); i++)
                mnt[i] = -EBADF;
        if (isempty(path) || path[0] != '/')
                return spawn_error(err, EINVAL, "Image=%s: not an absolute path", strempty(path));
        /* Read-only first: the type decides whether it is ever written. */
        file_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (file_fd < 0)
                return spawn_error(err, errno, errno == ENOENT ? "Image=%s: does not exist" : "Image=%s: cannot open",
                                   path);
        if (fstat(file_fd, &st) < 0)
                return spawn_error(err, errno, "Image=%s: cannot stat", path);
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
                return spawn_error(err, S_ISDIR(st.st_mode) ? EISDIR : EBADFD,
                                   "Image=%s: neither a regular file nor a block device%s", path,
                                   S_ISDIR(st.st_mode) ? " (a directory is Directory='s)" : "");

        /* Said as what it is, not as a file system not found in it. */
        if (S_ISREG(st.st_mode) && st.st_size == 0)
                return spawn_error_complete(err, EMEDIUMTYPE, "Image=%s: is empty (0 bytes)", path);

        r = root_image_blkid_load(why, sizeof why);
        if (r < 0)
                return spawn_error(err, r, "Image=%s: needs libblkid (Debian: libblkid1) to tell its file system: %s",
                                   path, why);
        r = image_probe(file_fd, &probe, &bad);
        /* systemd 252 refuses both, with a bare "Input/output error" and "Invalid argument" (the kernel's
         * BLKPG_ADD_PARTITION): said here as what is wrong with which entry. */
        if (r == -ERANGE)
                return spawn_error_complete(err, r, "Image=%s: its GPT's partition %d ends (LBA %" PRIu64 ") before "
                                            "it starts (LBA %" PRIu64 "): it lies nowhere in the image", path,
                                            bad.partno, bad.last_lba, bad.first_lba);
        if (r == -E2BIG)
                return spawn_error_complete(err, r, "Image=%s: its GPT has a partition %d: a disk has partitions 1 to "
                                            "%d at most (the kernel's limit, by which systemd refuses the image too)",
                                            path, bad.partno, GPT_PARTNO_MAX);
        if (r == -ENOTUNIQ)
                return spawn_error(err, r, "Image=%s: more than one file system signature, refusing to guess", path);
        if (r == -EFBIG)
                return spawn_error_complete(err, r, "Image=%s: its GPT header claims a partition entry array larger "
                                            "than cell reads (%" PRIu64 " bytes: %" PRIu64 " entries of 128)", path,
                                            GPT_ENTRIES_MAX_BYTES, GPT_ENTRIES_MAX_BYTES / 128);
        if (r < 0)
                return spawn_error(err, r, "Image=%s: cannot probe its file system", path);
        if (streq(probe.pttype, "gpt")) {
                uint64_t size;

                r = image_size(file_fd, &st, &size);
                if (r < 0)
                        r = spawn_error(err, r, "Image=%s: cannot tell its size", path);
                else
                        r = parts_from_gpt(p, &probe, size, parts, &n, err);
        } else if (streq(probe.pttype, "PMBR") && probe.gpt_other_sector > 0)
                /* A GPT's protective MBR, and its GPT at another sector size
                 * than libblkid reads the image at: 512 bytes for a file,
                 * the device's own for a block device. */
                r = spawn_error_complete(err, EMEDIUMTYPE, "Image=%s: a GPT's protective MBR, and its GPT made for "
                                         "%u-byte sectors where it is read at %u-byte ones (an image is read at "
                                         "512-byte sectors from a file, at its logical sector size from a block "
                                         "device)", path, probe.gpt_other_sector, probe.sector);
        else if (streq(probe.pttype, "PMBR"))
                r = spawn_error_complete(err, EMEDIUMTYPE, "Image=%s: a GPT's protective MBR but no valid GPT "
                                         "header after it (neither the primary at LBA 1 nor the backup at the "
                                         "last LBA)", path);
        else if (probe.gpt_without_pmbr)
                /* libblkid reads a GPT only behind a protective MBR, and
                 * so systemd: no partition table it accepts. */
                r = spawn_error_complete(err, EMEDIUMTYPE, "Image=%s: a GPT header but no protective MBR before it "
                                         "(a partition of type 0xee): no partition table nor file system that "
                                         "cell or systemd accepts", path);
        else if (probe.pttype[0])
                /* systemd takes an MBR's single bootable Linux partition too;
                 * what the DDI specification describes is a GPT. */
                r = spawn_error_complete(err, EMEDIUMTYPE, "Image=%s: has a partition table (%s): cell mounts a "
                                         "plain file system image (ext4, btrfs, xfs, squashfs, erofs) or a GPT "
                                         "discoverable disk image", path, probe.pttype);
        else {
                parts[n++] = (ImagePart) { .designator = GPT_ROOT };
                (void) snprintf(parts[0].fstype, sizeof parts[0].fstype, "%s", probe.fstype);
        }
        image_probe_done(&probe);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = part_check(p, file_fd, parts + i, err);
                if (r < 0)
                        return r;
                written = written || !parts[i].read_only;
        }

        if (written && S_ISBLK(st.st_mode)) {
                int ro = 0;

                /* A read-only device (losetup -r, a write-protected disk)
                 * opens for writing all the same: its mount would fail later
                 * with a bare EACCES, and a partition's loop device over it
                 * would take writes the device refuses. */
                if (ioctl(file_fd, BLKROGET, &ro) < 0)
                        return spawn_error(err, errno, "Image=%s: cannot tell whether the device is read-only", path);
                if (ro)
                        return spawn_error_complete(err, EROFS, "Image=%s: a read-only block device, and the "
                                                    "container would write to it (ReadOnly=yes mounts it "
                                                    "read-only)", path);
        }
        if (written) {
                /* The same inode again, for writing: a path swapped since
                 * cannot change what is mounted. */
                (void) snprintf(reopen, sizeof reopen, "/proc/self/fd/%d", file_fd);
                r = open(reopen, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (r < 0)
                        return spawn_error(err, errno, "Image=%s: cannot open for writing (ReadOnly=yes mounts "
                                           "it read-only)", path);
                /* A file's loop device is configured from it, and so is a
                 * partition's of a device; a whole device is only asked
                 * whether it may be written: the mount opens it itself, and
                 * refuses to where we hold it open for writing (a kernel
                 * without CONFIG_BLK_DEV_WRITE_MOUNTED: EBUSY). */
                if (S_ISBLK(st.st_mode) && parts[0].partno == 0)
                        safe_close(r);
                else {
                        safe_close(file_fd);
                        file_fd = r;
                }
        }

        /* Before anything mounts it, as systemd-nspawn locks an image: any
         * number of read-only containers, or one that writes to it. Two
         * writers (or a writer and a reader) of one file system, each with
         * its own superblock, corrupt it; xfs alone refuses the second. */
        /* A mount again for the same start: its locks are kept, never let
         * go in between, where another start could take the image (and
         * then ours, already running its init once, would fail). They are
         * the image's only while the path still leads to it. */
        if (held) {
                bool same = S_ISBLK(st.st_mode) ? st.st_rdev == held->rdev :
                        st.st_dev == held->dev && st.st_ino == held->ino;

                if (!same || written != held->written)
                        return spawn_error_complete(err, ESTALE, "Image=%s: %s while the start cloned the "
                                                    "container's init again", path,
                                                    same ? "its partitions changed" : "replaced at its path");
                lock_fd = TAKE_FD(held->lock_fd);
                whole_lock_fd = TAKE_FD(held->whole_lock_fd);
                r = 0;
        } else
                /* Not waited for: no take-back locks an image, so whoever
                 * holds it is a container that runs. */
                r = image_lock(file_fd, &st, written ? LOCK_EX : LOCK_SH, &lock_fd, &whole_lock_fd, why,
                               sizeof why);
        if (r == -EBUSY)
                return spawn_error(err, r, "Image=%s: what it is a part of (%s in %s) is in use by another container "
                                   "that writes to it", path, why, ROOT_IMAGE_LOCK_DIR);
        if (r == -EWOULDBLOCK)
                return spawn_error(err, EBUSY, "Image=%s: in use by another container%s (an image is mounted by "
                                   "any number of read-only containers, or by one that writes to it)", path,
                                   written ? "" : " that writes to it");
        if (r < 0)
                return spawn_error(err, r, "Image=%s: cannot lock it (in %s)", path, ROOT_IMAGE_LOCK_DIR);

        for (size_t i = 0; i < n; i++) {
                r = part_mount(p, file_fd, &st, parts + i, mnt + i, devs[i], sizeof devs[i], err);
                if (r < 0)
                        goto fail;
        }

        /* Where the child attaches it, there before the clone. */
        r = lock_dir_open(ROOT_IMAGE_MOUNT_DIR, &dir_fd);
        if (r < 0) {
                r = spawn_error(err, r, "Image=%s: cannot create %s", path, ROOT_IMAGE_MOUNT_DIR);
                goto fail;
        }
        r = parts_compose(p, parts, mnt, n, err);
        if (r < 0)
                goto fail;

        *ret = (RootImage) { .mount_fd = TAKE_FD(mnt[0]), .read_only = parts[0].read_only,
                             .lock_fd = TAKE_FD(lock_fd), .whole_lock_fd = TAKE_FD(whole_lock_fd),
                             .dev = st.st_dev, .ino = st.st_ino, .rdev = st.st_rdev, .written = written };
        (void) snprintf(ret->fstype, sizeof ret->fstype, "%s", parts[0].fstype);
        (void) snprintf(ret->device, sizeof ret->device, "%s", devs[0]);
        r = 0;
fail:
        /* Each mount's loop device goes with its last mount: a failure
         * leaves none. */
        for (size_t i = 0; i < ELEMENTSOF(mnt); i++)
                safe_close(mnt[i]);
        return r;
}

void root_image_done(RootImage *img) {
        img->mount_fd = safe_close(img->mount_fd);
        /* Each lock file goes with its last holder, as nspawn's. */
        lock_file_release_shared(TAKE_FD(img->lock_fd), ROOT_IMAGE_LOCK_DIR);
        lock_file_release_shared(TAKE_FD(img->whole_lock_fd), ROOT_IMAGE_LOCK_DIR);
}

const char *root_image_root_path(const Plan *p, const RootImage *img, char *buf, size_t size) {
        if (!p->root_image)
                return p->root_directory;
        (void) snprintf(buf, size, "/proc/self/fd/%d", img ? img->mount_fd : -1);
        return buf;
}
