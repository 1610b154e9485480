/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-created.h"
#include "mount-record.h"
#include "mount-root.h"
#include "mount-util.h"
#include "root-image.h"

int mount_root_identity(int root_fd, struct statx *ret) {
        if (statx(root_fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, ret) < 0)
                return negative_errno();
        return 0;
}

int mount_root_check_not(const struct statx *root, int fd) {
        struct statx b;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, &b) < 0)
                return negative_errno();
        if (root->stx_dev_major == b.stx_dev_major && root->stx_dev_minor == b.stx_dev_minor &&
            root->stx_ino == b.stx_ino && root->stx_mnt_id == b.stx_mnt_id)
                return -ELOOP;
        return 0;
}

int mount_root_check_not_root(int root_fd, int fd) {
        struct statx a;
        int r;

        r = mount_root_identity(root_fd, &a);
        if (r < 0)
                return r;
        return mount_root_check_not(&a, fd);
}

/* Volatile=yes: an empty tmpfs is "/", Directory=/usr is bound read-only on
 * it (systemd's meaning: the OS tree is the image's /usr, all state is lost
 * at exit). The merged-/usr compatibility links of the image (bin -> usr/bin,
 * ...) are recreated so the image's programs are found. */
static int root_volatile_yes(const Plan *p, int dir_fd, int idmapped_fd, uid_t owner, int *ret_root_fd,
                             SpawnError *err) {
        static const char *const compat[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32" };
        static const struct {
                const char *name;
                mode_t mode;
        } base[] = { { "var", 0755 }, { "root", 0750 }, { "tmp", 01777 } };
        _cleanup_close_ int usr_fd = -EBADF, usr_tree = -EBADF, tmp_fd = -EBADF, usr_target = -EBADF;
        _cleanup_free_ char *data = NULL;
        char kmsg[256], link[PATH_MAX];
        struct stat st;
        int r;

        /* Only /usr is taken from the image: one whose /bin is a directory
         * of its own (no merged /usr) would start without it. Refused with
         * a reason, as nspawn refuses it; a missing /bin is fine. */
        if (fstatat(dir_fd, "bin", &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return spawn_error(err, errno, "Volatile=yes: %s/bin: cannot stat", plan_root_source(p));
        } else if (S_ISDIR(st.st_mode))
                return spawn_error(err, EISDIR, "Volatile=yes: %s/bin is a directory: the image must have "
                                   "/bin, /sbin and /lib merged into /usr (links to usr/bin, ...)",
                                   plan_root_source(p));
        else if (!S_ISLNK(st.st_mode))
                return spawn_error(err, EINVAL, "Volatile=yes: %s/bin is neither a link into /usr nor missing",
                                   plan_root_source(p));

        if (idmapped_fd >= 0) {
                /* The supervisor's idmapped clone of /usr, read-only already. */
                usr_tree = fcntl(idmapped_fd, F_DUPFD_CLOEXEC, 3);
                if (usr_tree < 0)
                        return spawn_error(err, errno, "Volatile=yes: /usr: cannot take the idmapped tree");
        } else {
                usr_fd = mount_openat2(dir_fd, "usr", O_PATH | O_DIRECTORY, MOUNT_RESOLVE_FLAGS);
                if (usr_fd < 0)
                        return spawn_error(err, usr_fd, "Volatile=yes: %s/usr: cannot open", plan_root_source(p));
                usr_tree = mount_clone_tree(usr_fd, true);
                if (usr_tree < 0)
                        return spawn_error(err, usr_tree, "Volatile=yes: %s/usr: cannot clone", plan_root_source(p));
                /* The image is never written: /usr is read-only before it is visible. */
                r = mount_set_attr(usr_tree, true, MOUNT_ATTR_RDONLY, 0);
                if (r < 0)
                        return spawn_error(err, r, "Volatile=yes: /usr: cannot make read-only");
        }

        if (mount_tmpfs_data_owned("mode=0755", owner, &data) < 0)
                return spawn_error(err, ENOMEM, "Volatile=yes: out of memory");
        tmp_fd = mount_fs_new("tmpfs", "tmpfs", data ?: "mode=0755", 0, kmsg, sizeof kmsg);
        if (tmp_fd < 0)
                return spawn_error(err, tmp_fd, "Volatile=yes: cannot create the root tmpfs%s%s",
                                   *kmsg ? ": " : "", kmsg);
        r = mount_move(tmp_fd, dir_fd);
        if (r < 0)
                return spawn_error(err, r, "Volatile=yes: cannot attach the root tmpfs");

        if (mkdirat(tmp_fd, "usr", 0755) < 0)
                return spawn_error(err, errno, "Volatile=yes: cannot create /usr");
        usr_target = openat(tmp_fd, "usr", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (usr_target < 0)
                return spawn_error(err, errno, "Volatile=yes: cannot open /usr");
        r = mount_move(usr_tree, usr_target);
        if (r < 0)
                return spawn_error(err, r, "Volatile=yes: cannot attach /usr");

        /* The empty root's base directories, as nspawn's base file system
         * (/var, /root) and its tmpfs on /tmp give them: a payload that
         * writes state or a temporary file finds a place for it. */
        for (size_t i = 0; i < ELEMENTSOF(base); i++)
                if (mkdirat(tmp_fd, base[i].name, 0) < 0 || fchmodat(tmp_fd, base[i].name, base[i].mode, 0) < 0)
                        return spawn_error(err, errno, "Volatile=yes: cannot create /%s", base[i].name);

        for (size_t i = 0; i < ELEMENTSOF(compat); i++) {
                ssize_t n = readlinkat(dir_fd, compat[i], link, sizeof link - 1);

                if (n <= 0)
                        continue;
                link[n] = 0;
                if (!startswith(link, "usr/") && !startswith(link, "/usr/"))
                        continue;
                if (symlinkat(link, tmp_fd, compat[i]) < 0)
                        return spawn_error(err, errno, "Volatile=yes: cannot create /%s", compat[i]);
        }

        *ret_root_fd = TAKE_FD(tmp_fd);
        return 0;
}

/* Volatile=overlay: overlayfs with Directory= as the lower layer and a
 * private tmpfs as upper; the image is never written. The layers are passed
 * as /proc/self/fd/N of fds we hold, so no path is looked up twice. */
static int root_volatile_overlay(const Plan *p, int dir_fd, int lower_fd, uid_t owner, int *ret_root_fd,
                                 SpawnError *err) {
        _cleanup_close_ int tmp_fd = -EBADF, ovl_fd = -EBADF;
        _cleanup_free_ char *tmp_data = NULL;
        char kmsg[256], data[256];
        int r;

        if (mount_tmpfs_data_owned("mode=0755", owner, &tmp_data) < 0)
                return spawn_error(err, ENOMEM, "Volatile=overlay: out of memory");
        tmp_fd = mount_fs_new("tmpfs", "tmpfs", tmp_data ?: "mode=0755", 0, kmsg, sizeof kmsg);
        if (tmp_fd < 0)
                return spawn_error(err, tmp_fd, "Volatile=overlay: cannot create the upper tmpfs%s%s",
                                   *kmsg ? ": " : "", kmsg);
        if (mkdirat(tmp_fd, "upper", 0755) < 0 || mkdirat(tmp_fd, "work", 0700) < 0)
                return spawn_error(err, errno, "Volatile=overlay: cannot create the upper directories");

        (void) snprintf(data, sizeof data,
                        "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d/upper,workdir=/proc/self/fd/%d/work",
                        lower_fd, tmp_fd, tmp_fd);
        ovl_fd = mount_fs_new("overlay", "overlay", data, 0, kmsg, sizeof kmsg);
        if (ovl_fd < 0)
                return spawn_error(err, ovl_fd, "Volatile=overlay: cannot create the overlay%s%s",
                                   *kmsg ? ": " : "", kmsg);
        r = mount_move(ovl_fd, dir_fd);
        if (r < 0)
                return spawn_error(err, r, "Volatile=overlay: cannot attach the overlay");

        *ret_root_fd = TAKE_FD(ovl_fd);
        return 0;
}

/* root_read_only ("ReadOnly=yes, or implied by Volatile=") means: the image
 * is never written. With Volatile=yes the image is only /usr (bound
 * read-only) and the tmpfs "/" stays writable; with Volatile=overlay the
 * image is the lower layer and the overlay stays writable; with
 * Volatile=state and no Volatile= the whole tree goes read-only. */
int mount_root_prepare(const Plan *p, MountCreated *created, int *ret_root_fd, bool *ret_read_only,
                       SpawnError *err) {
        return mount_root_prepare_idmapped(p, -EBADF, -EBADF, (uid_t) -1, NULL, created, ret_root_fd, ret_read_only,
                                           err);
}

int mount_root_image_attach(const Plan *p, int image_fd, SpawnError *err) {
        _cleanup_close_ int target_fd = -EBADF;
        int r;

        if (image_fd < 0)
                return spawn_error(err, EBADF, "Image=%s: the image is not mounted", p->root_image);
        /* O_NOFOLLOW: a link planted there must not move the root elsewhere. */
        target_fd = open(ROOT_IMAGE_MOUNT_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (target_fd < 0)
                return spawn_error(err, errno, "Image=%s: cannot open %s", p->root_image, ROOT_IMAGE_MOUNT_DIR);
        /* The detached mount itself, never a clone of it: a kernel before
         * 6.15 clones no mount outside the caller's namespace, but attaches
         * a detached one (with what is mounted below it) once, since 5.2.
         * Once attached, the fd is its root, there. */
        r = mount_move(image_fd, target_fd);
        if (r < 0)
                return spawn_error(err, r, "Image=%s: cannot attach its mount", p->root_image);
        return 0;
}

/* Image=: the supervisor's mount of it, attached at ROOT_IMAGE_MOUNT_DIR in
 * this private namespace (pivot_root needs the new root in it): by us
 * here, or with PrivateUsers= by the supervisor in S already, where the
 * builder runs (spawn-users.c); from here on it is what Directory= is. */
static int root_image_open(const Plan *p, int image_fd, int *ret_dir_fd, SpawnError *err) {
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        if (!(p->namespaces & CLONE_NEWUSER)) {
                r = mount_root_image_attach(p, image_fd, err);
                if (r < 0)
                        return r;
        } else if (image_fd < 0)
                return spawn_error(err, EBADF, "Image=%s: the image is not mounted", p->root_image);
        /* The supervisor keeps its fd: the root is built on a copy. */
        dir_fd = fcntl(image_fd, F_DUPFD_CLOEXEC, 3);
        if (dir_fd < 0)
                return spawn_error(err, errno, "Image=%s: cannot take its mount", p->root_image);
        *ret_dir_fd = TAKE_FD(dir_fd);
        return 0;
}

/* 1 when fd is the host's "/" (ours: the child has not pivoted yet). */
static int root_is_host(int fd) {
        struct stat a, b;

        if (fstat(fd, &a) < 0 || stat("/", &b) < 0)
                return negative_errno();
        return stat_same_inode(&a, &b);
}

int mount_root_prepare_idmapped(const Plan *p, int image_fd, int idmapped_fd, uid_t owner, const SharedLocks *places,
                                MountCreated *created, int *ret_root_fd, bool *ret_read_only, SpawnError *err) {
        _cleanup_close_ int dir_fd = -EBADF, tree_fd = -EBADF, var_fd = -EBADF;
        int r;

        if (p->root_image) {
                r = root_image_open(p, image_fd, &dir_fd, err);
                if (r < 0)
                        return r;
        } else {
                if (isempty(p->root_directory) || p->root_directory[0] != '/')
                        return spawn_error(err, EINVAL, "Directory=%s: not an absolute path",
                                           strempty(p->root_directory));
                dir_fd = open(p->root_directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (dir_fd < 0)
                        return spawn_error(err, errno, errno == ENOENT ? "Directory=%s: does not exist" :
                                           "Directory=%s: cannot open", p->root_directory);
                /* The directory the start decided on and locked, not
                 * another a link on the way leads to now: the container's
                 * root is what was checked, and nothing is made where
                 * another start's take-back does not look (shared-lock.h). */
                r = shared_locks_check(places, NULL, dir_fd);
                if (r < 0)
                        return spawn_error(err, r, r == -ESTALE ? "Directory=%s: " SHARED_LOCK_CHANGED :
                                           "Directory=%s: cannot stat", p->root_directory);
                /* A link or a bind mount that leads to the host's root: what
                 * the plan refuses for Directory=/ (plan_build()). */
                r = root_is_host(dir_fd);
                if (r < 0)
                        return spawn_error(err, r, "Directory=%s: cannot stat", p->root_directory);
                if (r > 0 && p->root_volatile != CELL_VOLATILE_YES && p->root_volatile != CELL_VOLATILE_OVERLAY)
                        return spawn_error_complete(err, EPERM, "Directory=%s: leads to the host's own root, which "
                                                    "cannot be the container's, except under Volatile=yes or "
                                                    "Volatile=overlay", p->root_directory);
        }

        switch (p->root_volatile) {
        case CELL_VOLATILE_YES:
                r = root_volatile_yes(p, dir_fd, idmapped_fd, owner, ret_root_fd, err);
                if (r >= 0)
                        *ret_read_only = false;
                return r;

        case CELL_VOLATILE_OVERLAY:
                r = root_volatile_overlay(p, dir_fd, idmapped_fd >= 0 ? idmapped_fd : dir_fd, owner, ret_root_fd,
                                          err);
                if (r >= 0)
                        *ret_read_only = false;
                return r;

        case CELL_VOLATILE_NO:
        case CELL_VOLATILE_STATE:
        default:
                break;
        }

        /* Bind Directory= onto itself (recursively, with what is mounted
         * below it): pivot_root needs the new root to be a mount point. The
         * open_tree fd stays the top of that mount once attached. */
        /* PrivateUsers=pick/UID: the supervisor's idmapped clone instead. */
        tree_fd = idmapped_fd >= 0 ? RET_NERRNO(fcntl(idmapped_fd, F_DUPFD_CLOEXEC, 3)) : mount_clone_tree(dir_fd, true);
        if (tree_fd < 0)
                return spawn_error(err, tree_fd, "%s=%s: cannot bind", plan_root_key(p), plan_root_source(p));
        r = mount_move(tree_fd, dir_fd);
        if (r < 0)
                return spawn_error(err, r, "%s=%s: cannot bind onto itself", plan_root_key(p), plan_root_source(p));

        if (p->root_volatile == CELL_VOLATILE_STATE) {
                /* Where the supervisor finds it, before /var is made in it. */
                if (created && created->record_fd >= 0) {
                        r = mount_record_root(created->record_fd, tree_fd);
                        if (r < 0)
                                return spawn_error(err, r, "%s=%s: cannot record the root", plan_root_key(p),
                                                   plan_root_source(p));
                }
                /* /var must exist before the root turns read-only; made
                 * for this start, it goes again if the start fails. */
                var_fd = mount_target_ensure_recorded(tree_fd, "/var", MOUNT_TARGET_DIR, 0, created);
                /* An image is mounted read-only under Volatile=state. */
                if (var_fd == -EROFS && p->root_image)
                        return spawn_error_complete(err, EROFS, "Volatile=state: Image=%s has no /var, and is "
                                                    "mounted read-only: the /var tmpfs has nowhere to go",
                                                    p->root_image);
                if (var_fd < 0)
                        return spawn_error(err, var_fd, "Volatile=state: cannot create /var");
        }

        *ret_read_only = p->root_read_only || p->root_volatile == CELL_VOLATILE_STATE;
        *ret_root_fd = TAKE_FD(tree_fd);
        return 0;
}

int mount_root_finish(const Plan *p, int root_fd, uid_t owner, SpawnError *err) {
        _cleanup_close_ int var_fd = -EBADF, tmp_fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        char kmsg[256];
        int r;

        if (p->root_volatile != CELL_VOLATILE_STATE)
                return 0;

        /* Volatile=state: the OS tree read-only, /var a tmpfs that is lost at exit. */
        var_fd = mount_target_ensure(root_fd, "/var", MOUNT_TARGET_DIR, 0);
        if (var_fd < 0)
                return spawn_error(err, var_fd, "Volatile=state: cannot open /var");
        /* An image's /var that leads to "/" would get the tmpfs stacked on
         * the root itself, as a target of the unit's mounts would. */
        r = mount_root_check_not_root(root_fd, var_fd);
        if (r < 0)
                return spawn_error(err, r, "Volatile=state: /var leads to the root itself, refusing");
        if (mount_tmpfs_data_owned("mode=0755", owner, &data) < 0)
                return spawn_error(err, ENOMEM, "Volatile=state: out of memory");
        tmp_fd = mount_fs_new("tmpfs", "tmpfs", data ?: "mode=0755", MS_NOSUID | MS_NODEV, kmsg, sizeof kmsg);
        if (tmp_fd < 0)
                return spawn_error(err, tmp_fd, "Volatile=state: cannot create the /var tmpfs%s%s",
                                   *kmsg ? ": " : "", kmsg);
        r = mount_move(tmp_fd, var_fd);
        if (r < 0)
                return spawn_error(err, r, "Volatile=state: cannot attach /var");
        return 0;
}
