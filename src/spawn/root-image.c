/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image=: the image's file system, probed, on a loop device, mounted
 * detached (root-image.h). */

#include <blkid.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dlopen-table.h"
#include "lock-file.h"
#include "macros.h"
#include "mount-util.h"
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

/* libblkid is opened with dlopen() only when a plan has Image=: linked
 * directly, every start of every unit would map it at exec. */
#define BLKID_SONAME "libblkid.so.1"

static struct {
        void *handle;
        typeof(blkid_new_probe) *new_probe;
        typeof(blkid_free_probe) *free_probe;
        typeof(blkid_probe_set_device) *probe_set_device;
        typeof(blkid_probe_enable_superblocks) *probe_enable_superblocks;
        typeof(blkid_probe_set_superblocks_flags) *probe_set_superblocks_flags;
        typeof(blkid_probe_enable_partitions) *probe_enable_partitions;
        typeof(blkid_do_safeprobe) *do_safeprobe;
        typeof(blkid_probe_lookup_value) *probe_lookup_value;
} blkid;

/* Loads the library once per process, kept open until exit; error says why
 * not. RTLD_NOW: a missing symbol fails here; RTLD_LOCAL: its symbols stay
 * its own. */
static int blkid_dlopen(char *error, size_t size) {
        const DlopenSym syms[] = {
                DLOPEN_SYM(blkid, new_probe, blkid_new_probe),
                DLOPEN_SYM(blkid, free_probe, blkid_free_probe),
                DLOPEN_SYM(blkid, probe_set_device, blkid_probe_set_device),
                DLOPEN_SYM(blkid, probe_enable_superblocks, blkid_probe_enable_superblocks),
                DLOPEN_SYM(blkid, probe_set_superblocks_flags, blkid_probe_set_superblocks_flags),
                DLOPEN_SYM(blkid, probe_enable_partitions, blkid_probe_enable_partitions),
                DLOPEN_SYM(blkid, do_safeprobe, blkid_do_safeprobe),
                DLOPEN_SYM(blkid, probe_lookup_value, blkid_probe_lookup_value),
        };

        if (dlopen_table(BLKID_SONAME, RTLD_NOW | RTLD_LOCAL, syms, ELEMENTSOF(syms), &blkid.handle, error, size) < 0)
                return -EOPNOTSUPP;
        return 0;
}

/* blkid's TYPE of fd's content; -EMEDIUMTYPE with a partition table, or a
 * type cell does not mount (named in ret_type, "" when none was found);
 * -EOPNOTSUPP without libblkid (blkid_dlopen() says why). */
static int image_probe(int fd, char *ret_type, size_t size, char *ret_pttype, size_t pt_size) {
        blkid_probe pr;
        const char *v = NULL;
        int r;

        ret_type[0] = ret_pttype[0] = 0;
        r = blkid_dlopen(NULL, 0);
        if (r < 0)
                return r;
        pr = blkid.new_probe();
        if (!pr)
                return -ENOMEM;
        r = blkid.probe_set_device(pr, fd, 0, 0);
        if (r >= 0) {
                (void) blkid.probe_enable_superblocks(pr, 1);
                (void) blkid.probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
                (void) blkid.probe_enable_partitions(pr, 1);
                errno = 0;
                r = blkid.do_safeprobe(pr);
        }
        if (r == -2) {
                /* Two signatures that contradict each other: mounting
                 * either could be the wrong one. */
                blkid.free_probe(pr);
                return -ENOTUNIQ;
        }
        if (r < 0) {
                blkid.free_probe(pr);
                return errno > 0 ? -errno : -EIO;
        }
        if (r == 0 && blkid.probe_lookup_value(pr, "PTTYPE", &v, NULL) == 0 && v)
                (void) snprintf(ret_pttype, pt_size, "%s", v);
        if (r == 0 && blkid.probe_lookup_value(pr, "TYPE", &v, NULL) == 0 && v)
                (void) snprintf(ret_type, size, "%s", v);
        blkid.free_probe(pr);
        if (ret_pttype[0] || !root_image_fstype_supported(ret_type))
                return -EMEDIUMTYPE;
        return 0;
}

/* file_fd on a free loop device, with LO_FLAGS_AUTOCLEAR: the device goes
 * when its last user (the mount) does. The loop fd is returned: it must
 * stay open until the mount holds the device, or autoclear detaches it. */
static int loop_attach(int file_fd, const char *name, bool read_only, char *ret_dev, size_t dev_size,
                       int *ret_loop_fd) {
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

/* Whether the block device fd is a whole loop device over all of a file:
 * then that file's identity (as stat() gives it) in *ret_dev, *ret_ino. A
 * partition of one is not (its siblings hold other file systems), nor one
 * that starts at an offset into its file. */
static bool loop_backing_file(int fd, const struct stat *st, dev_t *ret_dev, ino_t *ret_ino) {
        struct loop_info64 info;
        char sys[64];

        (void) snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u/partition", major(st->st_rdev), minor(st->st_rdev));
        if (access(sys, F_OK) >= 0)
                return false;
        if (ioctl(fd, LOOP_GET_STATUS64, &info) < 0 || info.lo_offset != 0 || info.lo_inode == 0)
                return false;
        /* The kernel's encoding (new_encode_dev()) is glibc's makedev(). */
        *ret_dev = (dev_t) info.lo_device;
        *ret_ino = (ino_t) info.lo_inode;
        return true;
}

/* The image's lock file (root-image.h), flock'ed with op | LOCK_NB, into
 * *ret_fd. Not the image: whoever may read it could flock() it, and so
 * refuse every start of it. 0600 in a directory only root writes: only
 * cell opens it. */
static int image_lock(int file_fd, const struct stat *st, int op, int *ret_fd) {
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        dev_t dev;
        ino_t ino;
        char name[64];
        int r;

        r = lock_dir_open(ROOT_IMAGE_LOCK_DIR, &dir_fd);
        if (r < 0)
                return r;
        if (S_ISBLK(st->st_mode) && loop_backing_file(file_fd, st, &dev, &ino))
                /* A loop device is its file: Image= of the file, attached
                 * anew, would be a second superblock of the same file
                 * system (and Image= of the device beside a start of the
                 * file, the same). systemd-nspawn locks the device by its
                 * number alone, and lets both write. */
                lock_file_inode_name(name, sizeof name, dev, ino);
        else if (S_ISBLK(st->st_mode))
                /* One device, whichever node names it. */
                (void) snprintf(name, sizeof name, "block-%u:%u", major(st->st_rdev), minor(st->st_rdev));
        else
                lock_file_inode_name(name, sizeof name, st->st_dev, st->st_ino);
        /* O_NOFOLLOW: nothing planted there makes us lock elsewhere. */
        fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        r = RET_NERRNO(flock(fd, op | LOCK_NB));
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int root_image_mount(const Plan *p, RootImage *ret, SpawnError *err) {
        _cleanup_close_ int file_fd = -EBADF, loop_fd = -EBADF, mnt_fd = -EBADF, dir_fd = -EBADF, lock_fd = -EBADF;
        char fstype[sizeof ret->fstype], pttype[32], data[64], kmsg[256], dev[32] = "", reopen[32], why[256];
        const char *path = p->root_image, *source;
        bool read_only;
        struct stat st;
        int r;

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

        r = blkid_dlopen(why, sizeof why);
        if (r < 0)
                return spawn_error(err, r, "Image=%s: needs libblkid (Debian: libblkid1) to tell its file system: %s",
                                   path, why);
        r = image_probe(file_fd, fstype, sizeof fstype, pttype, sizeof pttype);
        if (r == -ENOTUNIQ)
                return spawn_error(err, r, "Image=%s: more than one file system signature, refusing to guess", path);
        if (r == -EMEDIUMTYPE && pttype[0])
                return spawn_error(err, r, "Image=%s: has a partition table (%s): cell mounts a plain file system "
                                   "image (ext4, btrfs, xfs, squashfs, erofs), not a partitioned disk image", path,
                                   pttype);
        if (r == -EMEDIUMTYPE)
                return spawn_error(err, r, "Image=%s: %s%s%s: cell mounts ext4, btrfs, xfs, squashfs or erofs", path,
                                   fstype[0] ? "a file system of type " : "no file system found",
                                   fstype, fstype[0] ? " is not supported" : "");
        if (r < 0)
                return spawn_error(err, r, "Image=%s: cannot probe its file system", path);

        read_only = p->root_read_only || root_image_fstype_read_only(fstype);
        if (!read_only) {
                /* The same inode again, for writing: a path swapped since
                 * cannot change what is mounted. */
                (void) snprintf(reopen, sizeof reopen, "/proc/self/fd/%d", file_fd);
                r = open(reopen, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (r < 0)
                        return spawn_error(err, errno, "Image=%s: cannot open for writing (ReadOnly=yes mounts "
                                           "it read-only)", path);
                /* A file's loop device is configured from it; a device is
                 * only asked whether it may be written: the mount opens it
                 * itself, and refuses to where we hold it open for writing
                 * (a kernel without CONFIG_BLK_DEV_WRITE_MOUNTED: EBUSY). */
                if (S_ISBLK(st.st_mode))
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
        /* Not waited for: no take-back locks an image, so whoever holds
         * it is a container that runs. */
        r = image_lock(file_fd, &st, read_only ? LOCK_SH : LOCK_EX, &lock_fd);
        if (r == -EWOULDBLOCK)
                return spawn_error(err, EBUSY, "Image=%s: in use by another container%s (an image is mounted by "
                                   "any number of read-only containers, or by one that writes to it)", path,
                                   read_only ? " that writes to it" : "");
        if (r < 0)
                return spawn_error(err, r, "Image=%s: cannot lock it (in %s)", path, ROOT_IMAGE_LOCK_DIR);

        if (S_ISREG(st.st_mode)) {
                r = loop_attach(file_fd, path, read_only, dev, sizeof dev, &loop_fd);
                if (r < 0)
                        return spawn_error(err, r, "Image=%s: cannot attach it to a loop device", path);
                source = dev;
        } else {
                /* The device probed and locked, not what the path (a udev link) names by now. */
                (void) snprintf(reopen, sizeof reopen, "/proc/self/fd/%d", file_fd);
                source = reopen;
        }

        (void) snprintf(data, sizeof data, "%s", read_only ? read_only_options(fstype) : "");
        /* nodev: device nodes the image brings must not open the host's
         * devices (the container's /dev is a tmpfs of cell's anyway). */
        mnt_fd = mount_fs_new(fstype, source, data, (read_only ? MS_RDONLY : 0) | MS_NODEV, kmsg, sizeof kmsg);
        if (mnt_fd < 0)
                return spawn_error(err, mnt_fd, "Image=%s: cannot mount its %s file system%s%s", path, fstype,
                                   *kmsg ? ": " : "", kmsg);

        /* Where the child attaches it, there before the clone. */
        r = lock_dir_open(ROOT_IMAGE_MOUNT_DIR, &dir_fd);
        if (r < 0)
                return spawn_error(err, r, "Image=%s: cannot create %s", path, ROOT_IMAGE_MOUNT_DIR);

        *ret = (RootImage) { .mount_fd = TAKE_FD(mnt_fd), .read_only = read_only, .lock_fd = TAKE_FD(lock_fd) };
        (void) snprintf(ret->fstype, sizeof ret->fstype, "%s", fstype);
        (void) snprintf(ret->device, sizeof ret->device, "%s", dev);
        /* The mount holds the device now: our fds go (loop_fd last). */
        return 0;
}

void root_image_done(RootImage *img) {
        img->mount_fd = safe_close(img->mount_fd);
        img->lock_fd = safe_close(img->lock_fd);
}

const char *root_image_root_path(const Plan *p, const RootImage *img, char *buf, size_t size) {
        if (!p->root_image)
                return p->root_directory;
        (void) snprintf(buf, size, "/proc/self/fd/%d", img ? img->mount_fd : -1);
        return buf;
}
