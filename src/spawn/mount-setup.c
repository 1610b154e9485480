/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The container's file system, made in the child's private mount namespace:
 * the root prepared, then the plan's mounts in order (each by mount-one.c),
 * /etc's files and the credentials, then pivot_root. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"
#include "id128-util.h"
#include "macros.h"
#include "mount-credentials.h"
#include "mount-etc.h"
#include "mount-record.h"
#include "mount-root.h"
#include "mount-setup-internal.h"
#include "mount-setup.h"
#include "mount-source.h"
#include "mount-undo.h"
#include "mount-util.h"

/* Before ReadOnly= seals the root: the mount points that live on the root
 * file system itself (not below an earlier mount, which brings its own,
 * nor below Volatile=state's /var, whose tmpfs comes after the seal and
 * takes them: an image is mounted read-only there, and a directory's own
 * /var must not get them). */
static int mount_precreate(MountContext *c) {
        const Plan *p = c->plan;
        int r;

        c->create_only = true;
        for (size_t i = 0; i < p->n_mounts; i++) {
                const PlanMount *m = &p->mounts[i];
                bool below = p->root_volatile == CELL_VOLATILE_STATE && path_is_below(m->target, "/var");

                for (size_t j = 0; j < i && !below; j++) {
                        const PlanMount *e = &p->mounts[j];

                        below = (e->kind == PLAN_MOUNT_BIND || e->kind == PLAN_MOUNT_FS ||
                                 e->kind == PLAN_MOUNT_OVERLAY) &&
                                path_is_below(m->target, e->target);
                }
                if (below)
                        continue;
                r = mount_one(c, m);
                if (r < 0)
                        return r;
        }
        c->create_only = false;
        return 0;
}

/* A boot ID of the container's own over /proc/sys/kernel/random/boot_id, as
 * nspawn mounts one: the kernel's is the host's, the same in every container
 * and in every start of one, and a systemd inside files each boot's journal
 * under it, so "journalctl -b" and --list-boots there would show all its
 * boots as one. The file is made on the container's /run, bound read-only
 * over the kernel's, and unlinked at once. A /run that takes no file (a
 * read-only Bind= there) leaves the kernel's, as does a kernel without it. */
static int mount_boot_id(MountContext *c) {
        static const char name[] = ".#cell-boot-id";
        _cleanup_close_ int target_fd = -EBADF, run_fd = -EBADF, file_fd = -EBADF, mnt_fd = -EBADF;
        char text[ID128_UUID_STRING_MAX + 1];
        uint8_t id[16];
        size_t len;
        int r;

        target_fd = mount_resolve(c->root_fd, "/proc/sys/kernel/random/boot_id", 0);
        run_fd = mount_resolve(c->root_fd, "/run", 0);
        if (target_fd == -ENOENT || run_fd == -ENOENT)
                return 0;
        if (target_fd < 0)
                return spawn_error(c->err, target_fd, "/proc/sys/kernel/random/boot_id: cannot open");
        if (run_fd < 0)
                return spawn_error(c->err, run_fd, "/run: cannot open for the boot ID");

        r = id128_randomize(id);
        if (r < 0)
                return spawn_error(c->err, r, "cannot make a boot ID");
        id128_to_uuid_string(id, text);
        len = strlen(text);
        text[len++] = '\n';

        /* One a killed start left on a /run bound from the host: made anew,
         * O_EXCL|O_NOFOLLOW, so that nothing planted there is written to. */
        (void) unlinkat(run_fd, name, 0);
        file_fd = openat(run_fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        if (file_fd < 0 && (errno == EROFS || errno == EACCES || errno == EPERM))
                return 0;
        if (file_fd < 0)
                return spawn_error(c->err, errno, "/run/%s: cannot create", name);
        /* Unlinked only once mounted: the kernel attaches no mount of a
         * file that is gone (ENOENT). */
        r = write_all(file_fd, text, len);
        if (r >= 0) {
                mnt_fd = mount_clone_tree(file_fd, false);
                r = mnt_fd < 0 ? mnt_fd : 0;
        }
        if (r >= 0)
                r = mount_set_attr(mnt_fd, false, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                   MOUNT_ATTR_NOEXEC, 0);
        if (r >= 0)
                r = mount_move(mnt_fd, target_fd);
        (void) unlinkat(run_fd, name, 0);
        if (r < 0)
                return spawn_error(c->err, r, "/proc/sys/kernel/random/boot_id: cannot mount the container's own");
        return 0;
}

/* Everything that goes on the attached root, in order. */
static int mount_build_tree(MountContext *c, bool read_only) {
        const Plan *p = c->plan;
        int r;

        r = mount_sources_check_in_root(p, c->root_fd, c->err);
        if (r < 0)
                return r;

        if (read_only) {
                r = mount_precreate(c);
                if (r < 0)
                        return r;
                /* Said first: a take-back after a kill lifts it. */
                if (c->made.created.record_fd >= 0) {
                        r = mount_record_seal(c->made.created.record_fd);
                        if (r < 0)
                                return spawn_error(c->err, r, "ReadOnly=yes: cannot record the seal");
                }
                /* The image read-only, recursively, before anything goes on
                 * top: /dev, /run, /proc and the binds keep their own flags. */
                r = mount_set_attr(c->root_fd, true, MOUNT_ATTR_RDONLY, 0);
                if (r < 0)
                        return spawn_error(c->err, r, "ReadOnly=yes: cannot make the root read-only");
                c->made.sealed = true;
        }
        /* No device policy (no cgroup, or no BPF filter): a node the image
         * (or what is mounted below it) has would reach the host's disks and
         * kernel memory, CAP_MKNOD withheld or not. nodev before anything
         * goes on top: /dev and the binds keep their own flags. */
        if (p->devices_unrestricted) {
                r = mount_set_attr(c->root_fd, true, MOUNT_ATTR_NODEV, 0);
                if (r < 0)
                        return spawn_error(c->err, r, "%s=%s: cannot mount it nodev", plan_root_key(p),
                                           plan_root_source(p));
        }

        r = mount_root_finish(p, c->root_fd, c->trees ? c->trees->owner : (uid_t) -1, c->err);
        if (r < 0)
                return r;

        for (size_t i = 0; i < p->n_mounts; i++) {
                r = mount_one(c, &p->mounts[i]);
                if (r < 0)
                        return r;
        }

        r = mount_boot_id(c);
        if (r < 0)
                return r;

        /* After the mounts: a Bind= of /etc, or the /run a link leads to,
         * is in place, and the file is made where the container sees it. */
        r = mount_etc_file(c->root_fd, &p->resolv_conf, &c->made.created, c->err);
        if (r < 0)
                return r;
        r = mount_etc_file(c->root_fd, &p->timezone, &c->made.created, c->err);
        if (r < 0)
                return r;
        /* Last: on the /run made above, whatever a Bind= put below it. */
        return mount_credentials_make(p, c->root_fd, c->trees ? c->trees->owner : (uid_t) -1, &c->made.created,
                                      c->err);
}

int mount_setup_build(const Plan *p, int *ret_root_fd, MountUndo *ret_undo, SpawnError *err) {
        return mount_setup_build_idmapped(p, NULL, ret_root_fd, ret_undo, err);
}

int mount_setup_build_idmapped(const Plan *p, const MountIdmapTrees *trees, int *ret_root_fd, MountUndo *ret_undo,
                               SpawnError *err) {
        _cleanup_close_ int root_fd = -EBADF, devnull_fd = -EBADF;
        MountContext c = { .plan = p, .trees = trees, .made = MOUNT_UNDO_NULL, .err = err, .dev_fd = -EBADF };
        bool read_only = false;
        struct stat st;
        int r;

        /* Where each entry goes as it is made, for the supervisor. */
        if (ret_undo)
                c.made.created.record_fd = ret_undo->created.record_fd;

        /* First of all: nothing we mount may propagate to the host's mount
         * namespace (or receive the host's events) through shared peers. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return spawn_error(err, errno, "making / private");
        /* The mount points and files cell makes in the container are 0755 and
         * 0644 whatever umask cell was started with (a service's UMask=0077);
         * the payload gets its own, UMask=, just before its exec. This process
         * is the container's child or builder, never the supervisor. */
        (void) umask(0022);

        /* The mask source, taken from the host before the image is looked at. */
        devnull_fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (devnull_fd < 0)
                return spawn_error(err, errno, "/dev/null: cannot open");
        if (fstat(devnull_fd, &st) < 0)
                return spawn_error(err, errno, "/dev/null: cannot stat");
        if (!stat_is_null_device(&st))
                return spawn_error(err, ENODEV, "/dev/null: not the null device");

        /* Before anything is made, in the image or on the host: a start that
         * fails for a missing source has nothing to take back. */
        r = mount_sources_check_host(p, trees ? trees->places : NULL, err);
        if (r < 0)
                return r;

        r = mount_root_prepare_idmapped(p, trees ? trees->image_fd : -EBADF, trees ? trees->root_fd : -EBADF,
                                        trees ? trees->owner : (uid_t) -1, trees ? trees->places : NULL,
                                        &c.made.created, &root_fd, &read_only, err);
        if (r < 0)
                return r;
        /* Where the supervisor finds the root (mount_root_prepare() said
         * so before its Volatile=state /var already). */
        if (c.made.created.record_fd >= 0) {
                r = mount_record_root(c.made.created.record_fd, root_fd);
                if (r < 0) {
                        mount_undo_take_back(&c.made, root_fd, -EBADF);
                        mount_undo_done(&c.made);
                        return spawn_error(err, r, "cannot record the container's root");
                }
        }
        c.root_fd = root_fd;
        c.devnull_fd = devnull_fd;
        r = mount_root_identity(root_fd, &c.root_id);
        if (r < 0)
                r = spawn_error(err, r, "cannot stat the container's root");
        else
                r = mount_build_tree(&c, read_only);
        c.dev_fd = safe_close(c.dev_fd);
        if (r < 0) {
                /* Bad input leaves nothing behind. */
                mount_undo_take_back(&c.made, root_fd, -EBADF);
                mount_undo_done(&c.made);
                return r;
        }
        /* Without its fds the list cannot be used here: what was made is
         * the supervisor's to take back, from its record. */
        if (ret_undo && mount_undo_keep(&c.made, root_fd) >= 0) {
                mount_undo_done(ret_undo);
                *ret_undo = c.made;
        } else
                mount_undo_done(&c.made);

        *ret_root_fd = TAKE_FD(root_fd);
        return 0;
}

int mount_setup_pivot(int root_fd, SpawnError *err) {
        if (fchdir(root_fd) < 0)
                return spawn_error(err, errno, "pivot_root: cannot enter the root");
        /* pivot_root, never chroot: a chroot can be left with a second
         * chroot and fchdir; after pivot_root the host tree is not there. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return spawn_error(err, errno, "pivot_root");
        /* The old root is now stacked on "/": detach it, so no path leads
         * back to the host. */
        if (umount2(".", MNT_DETACH) < 0)
                return spawn_error(err, errno, "pivot_root: cannot detach the old root");
        if (chdir("/") < 0)
                return spawn_error(err, errno, "pivot_root: cannot change to /");
        return 0;
}

int mount_setup_root(const Plan *p, int image_fd, const SharedLocks *places, MountUndo *ret_undo, SpawnError *err) {
        _cleanup_close_ int root_fd = -EBADF;
        MountIdmapTrees image = MOUNT_IDMAP_TREES_NULL;
        int r;

        image.image_fd = image_fd;
        image.places = places;
        r = mount_setup_build_idmapped(p, image_fd >= 0 || places ? &image : NULL, &root_fd, ret_undo, err);
        if (r < 0)
                return r;
        r = mount_setup_pivot(root_fd, err);
        if (r < 0 && ret_undo)
                mount_undo_run(ret_undo);
        return r;
}
