/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One mount of the plan, by its kind (mount-setup-internal.h).
 *
 * Every target is resolved inside the root with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) from an O_PATH fd of the root, and every mount is
 * attached with move_mount() onto the fd that resolution returned: a symlink
 * planted in the image (or swapped in while we work, CVE-2021-30465) can at
 * worst move a mount to another place inside the root, never onto the host. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-created.h"
#include "mount-devchar.h"
#include "mount-overlay.h"
#include "mount-root.h"
#include "mount-setup-internal.h"
#include "mount-source.h"
#include "mount-util.h"
#include "parse-util.h"
#include "strv.h"
#include "uid-range.h"

/* A failure to find or make a target, worded for the human. */
static int target_error(MountContext *c, int r, const char *what) {
        switch (-r) {
        case EINVAL:
                return spawn_error(c->err, r, "%s: target must be an absolute path without \".\" or \"..\"", what);
        case ELOOP:
                return spawn_error(c->err, r, "%s: target is a symlink or the root itself, refusing", what);
        case ENOTDIR:
                return spawn_error(c->err, r, "%s: target exists and is not a directory", what);
        case EISDIR:
                return spawn_error(c->err, r, "%s: target is a directory but the source is not", what);
        case EXDEV:
                return spawn_error(c->err, r, "%s: target resolves outside the root, refusing", what);
        case ENOENT:
                /* mount_target_ensure() made what was missing: only a link to nothing is left. */
                return spawn_error(c->err, r, "%s: target leads through a symlink in the image to a path that "
                                   "does not exist, refusing to make it", what);
        case EROFS:
                return spawn_error(c->err, r, "%s: cannot create the target on a read-only file system", what);
        default:
                return spawn_error(c->err, r, "%s: cannot create or open the target", what);
        }
}

/* Targets below /proc must be in the procfs we mounted: a fake /proc (a
 * tmpfs or directory in the image, CVE-2019-16884) must never receive the
 * masks and read-only binds meant for the real one. */
static int target_check_proc(MountContext *c, const PlanMount *m, int fd, const char *what) {
        int64_t magic;
        int r;

        if (!path_is_below(m->target, "/proc"))
                return 0;
        r = fs_magic_of(fd, &magic);
        if (r < 0)
                return spawn_error(c->err, r, "%s: cannot check the target", what);
        if (magic != PROC_SUPER_MAGIC)
                return spawn_error(c->err, EPERM, "%s: target is not on procfs (fake /proc?), refusing", what);
        return 0;
}

/* An optional file system (the built-in /tmp) goes only on a directory of
 * the image's, never through a link (which could lead it over /proc/sys,
 * /sys or /dev), nor on a file; and where a read-only image has none, it
 * is left out: skipped, as the image started before there was one. */
static bool fs_target_skipped(const PlanMount *m, int r) {
        return m->kind == PLAN_MOUNT_FS && m->optional && (r == -EROFS || r == -ELOOP || r == -ENOTDIR || r == -ENOENT);
}

/* Resolves (and creates) a target, refusing one that resolves to the root.
 * The pass before ReadOnly= only makes it: nothing is mounted on what it
 * opens, and the real pass checks the same path again. */
static int target_open(MountContext *c, const PlanMount *m, MountTargetType type, uint64_t extra, const char *what) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = mount_target_ensure_recorded(c->root_fd, m->target, type, extra, &c->made.created);
        if (fs_target_skipped(m, fd))
                return fd;
        if (fd < 0)
                return fd == -ENOENT && type == MOUNT_TARGET_ANY ? -ENOENT : target_error(c, fd, what);
        if (c->create_only)
                return TAKE_FD(fd);
        r = mount_root_check_not(&c->root_id, fd);
        if (r < 0)
                return target_error(c, r, what);
        return TAKE_FD(fd);
}

/* The places the start locked, which the sources must still be. */
static const SharedLocks *mount_places(const MountContext *c) {
        return c->trees ? c->trees->places : NULL;
}

/* A missing source is skipped when optional ("-"), and in the pass before
 * ReadOnly= when it lies inside the root: one of the plan's own mounts made
 * later (/dev, /run, a Bind=) may bring it, the real pass decides. */
static bool source_may_be_missing(const MountContext *c, const PlanMount *m) {
        return m->optional || (c->create_only && m->source_in_root);
}

/* Clones tree_fd's flags in place and attaches it: the attributes are set on
 * the detached tree, so the mount is never visible with weaker ones. */
static int attach(MountContext *c, int tree_fd, int target_fd, bool recursive, uint64_t attr, const char *what) {
        int r;

        r = mount_set_attr(tree_fd, recursive, attr, 0);
        if (r < 0)
                return spawn_error(c->err, r, "%s: cannot set the mount flags", what);
        r = mount_move(tree_fd, target_fd);
        if (r < 0)
                return spawn_error(c->err, r, "%s: cannot attach the mount", what);
        return 0;
}

/* A bind's target, made of the kind of its source (src_fd): a directory
 * for a directory, a file for anything else. */
static int target_open_like(MountContext *c, const PlanMount *m, int src_fd, const char *what) {
        struct stat st;

        if (fstat(src_fd, &st) < 0)
                return spawn_error(c->err, errno, "%s: cannot stat the source", what);
        return target_open(c, m, S_ISDIR(st.st_mode) ? MOUNT_TARGET_DIR : MOUNT_TARGET_FILE, 0, what);
}

static int do_bind(MountContext *c, const PlanMount *m, const char *what) {
        _cleanup_close_ int src_fd = -EBADF, target_fd = -EBADF, tree_fd = -EBADF;
        bool recursive = m->flags & MS_REC;

        src_fd = mount_source_open(c->root_fd, m, source_may_be_missing(c, m), mount_places(c), what, c->err);
        if (src_fd == -ENOENT && source_may_be_missing(c, m))
                return 0;
        if (src_fd < 0)
                return src_fd;

        target_fd = target_open_like(c, m, src_fd, what);
        if (target_fd < 0 || c->create_only)
                return MIN(target_fd, 0);

        tree_fd = mount_clone_tree(src_fd, recursive);
        if (tree_fd < 0)
                return spawn_error(c->err, tree_fd, "%s: cannot clone the source", what);
        return attach(c, tree_fd, target_fd, recursive, mount_attr_from_flags(m->flags), what);
}

/* A Bind= with "idmap" from the host: the supervisor's detached idmapped
 * clone (its flags set already) goes onto the target. */
static int do_bind_idmapped(MountContext *c, const PlanMount *m, int tree, const char *what) {
        _cleanup_close_ int target_fd = -EBADF;
        int r;

        if (tree < 0) {
                if (m->optional && access(m->source, F_OK) < 0 && errno == ENOENT)
                        return 0;
                return spawn_error(c->err, ENOENT, "%s: no idmapped mount was made for it", what);
        }
        target_fd = target_open_like(c, m, tree, what);
        if (target_fd < 0 || c->create_only)
                return MIN(target_fd, 0);
        r = mount_move(tree, target_fd);
        if (r < 0)
                return spawn_error(c->err, r, "%s: cannot attach the idmapped mount", what);
        return 0;
}

/* A node of the container's own, as runc and nspawn make them: on the new
 * tmpfs cell mounted at (or above) the node's directory (/dev, /dev/net).
 * Its root may then chmod or chown it without touching the host's node.
 * With PrivateUsers= the tree builder makes it with the host's privileges
 * as the container's root (fsuid), so that it is the container's root's,
 * as nspawn chowns its nodes: a bound host node of mode 0600
 * (/dev/net/tun) would be nobody's inside, and closed to its root. 1 when
 * made; 0 where it is not (a user namespace without the builder, another
 * file system, no CAP_MKNOD, a device cgroup that refuses it): the caller
 * binds the host's node instead. */
static int device_make_node(MountContext *c, const PlanMount *m, const struct stat *st, const char *what) {
        _cleanup_close_ int parent_fd = -EBADF;
        char dir[PATH_MAX];
        const char *name;

        if ((c->plan->namespaces & CLONE_NEWUSER) && (!c->trees || c->trees->owner == (uid_t) -1))
                return 0;
        if (mount_path_split(m->target, dir, sizeof dir, &name) < 0)
                return 0;
        /* A directory of its own (/dev/net) is made as the bind's would be. */
        parent_fd = mount_target_ensure_recorded(c->root_fd, dir, MOUNT_TARGET_DIR, 0, &c->made.created);
        if (parent_fd < 0 || !mount_created_on_fresh(&c->made.created, parent_fd))
                return 0;
        /* 0600 first, whatever the umask: the node is never more open than
         * the host's, then gets the host's mode. */
        if (mknodat(parent_fd, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0)
                return errno == EPERM || errno == EACCES || errno == EEXIST ? 0 :
                        spawn_error(c->err, errno, "%s: cannot make the device node", what);
        if (fchmodat(parent_fd, name, st->st_mode & 0777, 0) < 0)
                return spawn_error(c->err, errno, "%s: cannot set the device node's mode", what);
        return 1;
}

static int do_device(MountContext *c, const PlanMount *m, const char *what) {
        _cleanup_close_ int src_fd = -EBADF, target_fd = -EBADF, tree_fd = -EBADF;
        struct stat st;
        int r;

        src_fd = mount_source_open(c->root_fd, m, m->optional, mount_places(c), what, c->err);
        if (src_fd == -ENOENT && m->optional)
                return 0;
        if (src_fd < 0)
                return src_fd;
        r = mount_source_check_device(src_fd, m, what, c->err, &st);
        if (r < 0)
                return r;
        if (!c->create_only) {
                r = device_make_node(c, m, &st, what);
                if (r < 0)
                        return r;
                if (r > 0)
                        return mount_devchar_link(c, m, &st, what);
        }

        target_fd = target_open(c, m, MOUNT_TARGET_FILE, 0, what);
        if (target_fd < 0 || c->create_only)
                return MIN(target_fd, 0);

        tree_fd = mount_clone_tree(src_fd, false);
        if (tree_fd < 0)
                return spawn_error(c->err, tree_fd, "%s: cannot clone the device node", what);
        /* Never nodev, whatever the plan says: the node must work. Read-only:
         * the node stays writable, but the container's root cannot chmod,
         * chown or touch the host's node through it. */
        r = attach(c, tree_fd, target_fd, false, mount_attr_from_flags((m->flags & ~MS_NODEV) | MS_RDONLY), what);
        if (r < 0)
                return r;
        return mount_devchar_link(c, m, &st, what);
}

int mount_devpts_data_shifted(const char *data, uid_t base, uint32_t count, char **ret) {
        _cleanup_free_ char *copy = NULL;
        _cleanup_strv_free_ char **opts = NULL;
        char *save = NULL;

        *ret = NULL;
        if (isempty(data))
                return 0;
        copy = strdup(data);
        if (!copy)
                return -ENOMEM;
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                const char *v = startswith(w, "uid=") ?: startswith(w, "gid=");
                char shifted[32];
                uint64_t id;

                if (!v) {
                        if (strv_extend(&opts, w) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (parse_uint64(v, &id) < 0)
                        return -EINVAL;
                if (id >= count)
                        continue;       /* unmapped: the opener's instead */
                (void) snprintf(shifted, sizeof shifted, "%.4s%" PRIu64, w, (uint64_t) base + id);
                if (strv_extend(&opts, shifted) < 0)
                        return -ENOMEM;
        }
        if (opts && !(*ret = strv_join(opts, ",")))
                return -ENOMEM;
        return 0;
}

/* PrivateUsers=: the root of a devpts or mqueue the tree builder mounted
 * with the host's privileges belongs to the host's root (devpts), or to
 * the one that made the container's IPC namespace (mqueue, whose one
 * superblock the namespace made with it): nobody inside. It is given to
 * the container's root, as nspawn chowns its /dev/pts. */
static int fs_root_give(MountContext *c, const PlanMount *m, int mnt_fd, const char *what) {
        uid_t owner = c->trees ? c->trees->owner : (uid_t) -1;

        if (owner == (uid_t) -1)
                return 0;
        if (!streq(m->fstype, "devpts") && !streq(m->fstype, "mqueue"))
                return 0;
        /* Only the container's own mqueue: with the host's IPC namespace
         * this would be the host's /dev/mqueue. */
        if (streq(m->fstype, "mqueue") && !(c->plan->namespaces & CLONE_NEWIPC))
                return 0;
        /* Through the new mount's own fd: no path is looked up. */
        if (fchownat(mnt_fd, "", owner, (gid_t) owner, AT_EMPTY_PATH) < 0)
                return spawn_error(c->err, errno, "%s: cannot give it to the container's root (UID %u)", what,
                                   (unsigned) owner);
        return 0;
}

/* Whether m's target is path ("/dev" as the plan writes it, or "/dev/"). */
static bool target_is(const PlanMount *m, const char *path) {
        return path_is_below(m->target, path) && path_is_below(path, m->target);
}

static int do_fs(MountContext *c, const PlanMount *m, const char *what) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF, check_fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        bool api = streq_ptr(m->fstype, "proc") || streq_ptr(m->fstype, "sysfs") || target_is(m, "/dev") ||
                target_is(m, "/run");
        uint64_t id_mounted, id_found;
        char kmsg[256];
        int64_t magic;
        int r;

        if (isempty(m->fstype))
                return spawn_error(c->err, EINVAL, "%s: no file system type", what);

        /* proc and sysfs go on a real directory of the root, never through a
         * symlink: a /proc symlink in the image is the CVE-2019-16884 trick
         * (the payload's later writes to /proc/self/... land in a fake). So
         * do the tmpfs of /dev and /run: a link would lay the device nodes,
         * or cell's own files (the notify socket), over another directory of
         * the image, and /dev's went under the /tmp mounted after it. */
        target_fd = target_open(c, m, MOUNT_TARGET_DIR, api || m->optional ? RESOLVE_NO_SYMLINKS : 0, what);
        if (fs_target_skipped(m, target_fd))
                return 0;
        if (target_fd < 0 || c->create_only)
                return MIN(target_fd, 0);

        /* Made with the host's privileges for a user namespace: owned by the
         * container's root, as if it mounted it. */
        if (c->trees && streq(m->fstype, "tmpfs") && mount_tmpfs_data_owned(m->data, c->trees->owner, &data) < 0)
                return spawn_error(c->err, ENOMEM, "%s: out of memory", what);
        /* Its tty group, which the kernel reads in the host's user
         * namespace: the container's GID 5 is the host's BASE+5. */
        if (c->trees && c->trees->owner != (uid_t) -1 && streq(m->fstype, "devpts")) {
                r = mount_devpts_data_shifted(m->data, c->trees->owner, c->plan->uid_count ?: UID_RANGE_PICK_SIZE,
                                              &data);
                if (r < 0)
                        return spawn_error(c->err, r, "%s: cannot shift the IDs of \"%s\"", what, m->data);
        }
        mnt_fd = mount_fs_new(m->fstype, m->source ?: m->fstype, data ?: m->data, m->flags, kmsg, sizeof kmsg);
        if (mnt_fd < 0)
                return spawn_error(c->err, mnt_fd, "%s: cannot mount %s%s%s", what, m->fstype,
                                   *kmsg ? ": " : "", kmsg);
        r = fs_root_give(c, m, mnt_fd, what);
        if (r < 0)
                return r;
        r = mount_move(mnt_fd, target_fd);
        if (r < 0)
                return spawn_error(c->err, r, "%s: cannot attach the mount", what);

        if (streq(m->fstype, "tmpfs")) {
                /* What is made on it (/dev's nodes) goes with the container. */
                if (mount_id_of(mnt_fd, &id_mounted) >= 0)
                        mount_created_fresh(&c->made.created, id_mounted);
                return 0;
        }
        if (!streq(m->fstype, "proc"))
                return 0;

        /* Check that the path now leads to exactly the procfs we made: what
         * runs later (identity, the payload) trusts "/proc". */
        check_fd = mount_resolve(c->root_fd, m->target, RESOLVE_NO_SYMLINKS);
        if (check_fd < 0)
                return spawn_error(c->err, check_fd, "%s: cannot check the mount", what);
        r = mount_id_of(mnt_fd, &id_mounted);
        if (r >= 0)
                r = mount_id_of(check_fd, &id_found);
        if (r >= 0)
                r = fs_magic_of(check_fd, &magic);
        if (r < 0)
                return spawn_error(c->err, r, "%s: cannot check the mount", what);
        if (id_mounted != id_found || magic != PROC_SUPER_MAGIC)
                return spawn_error(c->err, EPERM, "%s: the path does not lead to the new procfs, refusing", what);
        return 0;
}

static int do_symlink(MountContext *c, const PlanMount *m, const char *what) {
        _cleanup_close_ int parent_fd = -EBADF;
        _cleanup_free_ char *parent = NULL;
        char buf[PATH_MAX];
        const char *name;
        ssize_t n;

        if (isempty(m->source) || !mount_path_is_safe(m->target))
                return spawn_error(c->err, EINVAL, "%s: bad link", what);
        name = strrchr(m->target, '/') + 1;
        if (isempty(name))
                return spawn_error(c->err, EINVAL, "%s: bad link", what);
        parent = strndup(m->target, (size_t) (name - m->target));
        if (!parent)
                return spawn_error(c->err, ENOMEM, "%s: out of memory", what);

        parent_fd = strcmp(parent, "/") == 0 ? fcntl(c->root_fd, F_DUPFD_CLOEXEC, 3)
                                             : mount_target_ensure_recorded(c->root_fd, parent, MOUNT_TARGET_DIR, 0,
                                                                            &c->made.created);
        if (parent_fd < 0)
                return target_error(c, parent_fd, what);

        if (symlinkat(m->source, parent_fd, name) >= 0)
                return 0;
        if (errno != EEXIST)
                return spawn_error(c->err, errno, "%s: cannot create the link", what);
        /* Already there (the pass before ReadOnly=, or the image has it). */
        n = readlinkat(parent_fd, name, buf, sizeof buf - 1);
        if (n >= 0) {
                buf[n] = 0;
                if (streq(buf, m->source))
                        return 0;
        }
        return spawn_error(c->err, EEXIST, "%s: target exists and is not a link to %s", what, m->source);
}

static int do_mask(MountContext *c, const PlanMount *m, const char *what) {
        _cleanup_close_ int target_fd = -EBADF, tree_fd = -EBADF;
        struct stat st;
        char kmsg[256];
        int r;

        target_fd = target_open(c, m, MOUNT_TARGET_ANY, 0, what);
        if (target_fd == -ENOENT)
                return 0;               /* nothing to hide */
        if (target_fd < 0)
                return target_fd;
        r = target_check_proc(c, m, target_fd, what);
        if (r < 0)
                return r;
        if (fstat(target_fd, &st) < 0)
                return spawn_error(c->err, errno, "%s: cannot stat the target", what);

        if (S_ISDIR(st.st_mode)) {
                /* An empty read-only tmpfs: nothing to read, nothing to write. */
                tree_fd = mount_fs_new("tmpfs", "tmpfs", "mode=0755,size=0",
                                       MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, kmsg, sizeof kmsg);
                if (tree_fd < 0)
                        return spawn_error(c->err, tree_fd, "%s: cannot create the empty tmpfs%s%s",
                                           what, *kmsg ? ": " : "", kmsg);
                r = mount_move(tree_fd, target_fd);
                if (r < 0)
                        return spawn_error(c->err, r, "%s: cannot attach the mount", what);
                return 0;
        }

        /* The host's /dev/null, opened and checked before anything of the
         * image was looked at -- never the image's /dev/null, which could be
         * a link to a writable host file (CVE-2025-31133) -- and read-only
         * on top, so the mask can never be a way in. */
        tree_fd = mount_clone_tree(c->devnull_fd, false);
        if (tree_fd < 0)
                return spawn_error(c->err, tree_fd, "%s: cannot clone /dev/null", what);
        return attach(c, tree_fd, target_fd, false,
                      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, what);
}

/* "read-only" and "writable": the path bound onto itself (with what is
 * mounted below it), the copy read-only or not. Not its submounts: on the
 * container's fresh procfs those are only the unit's own mounts (a writable
 * TemporaryFileSystem=/proc/sys/kernel keeps its flags, as nspawn mounts
 * them over its read-only /proc/sys), masks, ro already, and a "writable"
 * one made before, which a read-only one above it so leaves writable. */
static int do_rebind(MountContext *c, const PlanMount *m, const char *what) {
        _cleanup_close_ int target_fd = -EBADF, tree_fd = -EBADF;
        int r;

        target_fd = target_open(c, m, MOUNT_TARGET_ANY, 0, what);
        if (target_fd == -ENOENT)
                return 0;
        if (target_fd < 0)
                return target_fd;
        /* Below /proc only on the container's own procfs: never the image's. */
        r = target_check_proc(c, m, target_fd, what);
        if (r < 0)
                return r;

        tree_fd = mount_clone_tree(target_fd, true);
        if (tree_fd < 0)
                return spawn_error(c->err, tree_fd, "%s: cannot clone the target", what);
        return attach(c, tree_fd, target_fd, false,
                      (m->kind == PLAN_MOUNT_READ_ONLY ? MOUNT_ATTR_RDONLY : 0) | mount_attr_from_flags(m->flags),
                      what);
}

static int do_overlay(MountContext *c, const PlanMount *m, const char *what) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        bool unseal;
        int r;

        target_fd = target_open(c, m, MOUNT_TARGET_DIR, 0, what);
        if (target_fd < 0 || c->create_only)
                return MIN(target_fd, 0);

        /* ReadOnly=yes sealed the root before the unit's mounts; a "+" upper
         * and its work directory lie on it. The root's own mount is made
         * writable for this overlay's making only (nothing else runs in this
         * mount namespace yet): overlayfs keeps a private writable copy of
         * the upper's mount, and the root is sealed again before anything
         * else. (nspawn 252 remounts "/" ro before its overlays, and fails
         * on such an upper: cell lets ReadOnly=yes keep working.)
         * Never under Volatile=state, whose image stays as it is: the plan
         * refuses a writable "+" upper outside its /var tmpfs (as nspawn
         * fails on one), and a read-only one is only read. */
        unseal = c->made.sealed && m->source_in_root && !isempty(m->upper) &&
                c->plan->root_volatile != CELL_VOLATILE_STATE;
        if (unseal) {
                r = mount_set_attr(c->root_fd, false, 0, MOUNT_ATTR_RDONLY);
                if (r < 0)
                        return spawn_error(c->err, r, "%s: cannot make the root writable for the upper layer", what);
        }
        /* What it makes for the layers is on the host unless they are "+". */
        c->made.created.host = !m->source_in_root;
        mnt_fd = mount_overlay_new(c->root_fd, m, &c->made.created, what, c->err);
        c->made.created.host = false;
        if (unseal) {
                r = mount_set_attr(c->root_fd, false, MOUNT_ATTR_RDONLY, 0);
                if (r < 0)
                        return spawn_error(c->err, r, "ReadOnly=yes: cannot make the root read-only again");
        }
        if (mnt_fd == -ENOENT && m->optional)
                return 0;
        if (mnt_fd < 0)
                return mnt_fd;
        /* Layers of the image, where no device policy holds: nodev as the
         * root is (mount-setup.c), or the image's nodes would open here. */
        if (c->plan->devices_unrestricted && m->source_in_root) {
                r = mount_set_attr(mnt_fd, false, MOUNT_ATTR_NODEV, 0);
                if (r < 0)
                        return spawn_error(c->err, r, "%s: cannot mount it nodev", what);
        }
        r = mount_move(mnt_fd, target_fd);
        if (r < 0)
                return spawn_error(c->err, r, "%s: cannot attach the mount", what);
        return 0;
}

int mount_one(MountContext *c, const PlanMount *m) {
        char what[MOUNT_DESCRIBE_MAX];

        mount_describe(m, what, sizeof what);

        if (!mount_path_is_safe(m->target))
                return target_error(c, -EINVAL, what);

        /* A "+" source lies in the root, which is idmapped already: a plain
         * bind of it keeps that. */
        if (m->idmap && m->kind == PLAN_MOUNT_BIND && !m->source_in_root) {
                size_t i = (size_t) (m - c->plan->mounts);

                if (!c->trees || !(c->plan->namespaces & CLONE_NEWUSER))
                        return spawn_error(c->err, EOPNOTSUPP, "%s: idmap needs PrivateUsers=", what);
                return do_bind_idmapped(c, m, i < c->trees->n_mount_fds ? c->trees->mount_fds[i] : -EBADF, what);
        }

        switch (m->kind) {
        case PLAN_MOUNT_BIND:
                return do_bind(c, m, what);
        case PLAN_MOUNT_FS:
                return do_fs(c, m, what);
        case PLAN_MOUNT_DEVICE:
                return do_device(c, m, what);
        case PLAN_MOUNT_SYMLINK:
                return do_symlink(c, m, what);
        case PLAN_MOUNT_MASK:
                return c->create_only ? 0 : do_mask(c, m, what);
        case PLAN_MOUNT_READ_ONLY:
        case PLAN_MOUNT_WRITABLE:
                return c->create_only ? 0 : do_rebind(c, m, what);
        case PLAN_MOUNT_OVERLAY:
                return do_overlay(c, m, what);
        case PLAN_MOUNT_CGROUP:
                return 0;               /* mount_setup_cgroup(), later */
        case _PLAN_MOUNT_KIND_MAX:
        default:
                return spawn_error(c->err, EINVAL, "%s: unknown mount kind %d", what, (int) m->kind);
        }
}
