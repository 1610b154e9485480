/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "mount-created.h"
#include "mount-overlay.h"
#include "mount-util.h"

#define OVERLAY_LAYERS_MAX 64

/* A layer as the entry names it: "+" in front of one in the root. */
static const char *layer_name(const PlanMount *m, const char *path, char *buf, size_t n) {
        (void) snprintf(buf, n, "%s%s", m->source_in_root ? "+" : "", path);
        return buf;
}

typedef struct OverlayLayers {
        int fds[OVERLAY_LAYERS_MAX + 3];
        size_t n;
} OverlayLayers;

static void overlay_layers_done(OverlayLayers *l) {
        for (size_t i = 0; i < l->n; i++)
                safe_close(l->fds[i]);
        l->n = 0;
}

/* Every layer is handed to overlayfs as /proc/self/fd/N of an fd we hold:
 * the path is resolved once, here (inside the root when asked), and no ':'
 * or ',' in a directory name can be taken for an option separator. */
static int layer_open(int root_fd, const PlanMount *m, const char *path, OverlayLayers *l) {
        int fd;

        if (l->n >= ELEMENTSOF(l->fds))
                return -E2BIG;
        if (m->source_in_root)
                fd = mount_openat2(root_fd, path, O_PATH | O_DIRECTORY, MOUNT_RESOLVE_FLAGS);
        else
                fd = RET_NERRNO(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (fd < 0)
                return fd;
        l->fds[l->n++] = fd;
        return fd;
}

/* The upper layer, made (with its parents, 0755) when missing, as nspawn
 * makes it: the first start of an Overlay= with a new changes directory
 * works. Inside the root it is made there, never through a link out of it.
 * What it made is recorded in made. */
static int layer_open_upper(int root_fd, const PlanMount *m, MountCreated *made, OverlayLayers *l) {
        _cleanup_close_ int host_fd = -EBADF, fd = -EBADF;
        int r;

        r = layer_open(root_fd, m, m->upper, l);
        if (r != -ENOENT || m->optional)
                return r;
        if (!m->source_in_root) {
                host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host_fd < 0)
                        return negative_errno();
        }
        fd = mount_target_ensure_recorded(m->source_in_root ? root_fd : host_fd, m->upper, MOUNT_TARGET_DIR, 0,
                                          made);
        if (fd < 0)
                return fd;
        return layer_open(root_fd, m, m->upper, l);
}

/* Appends "PREFIX/proc/self/fd/FD SUFFIX" to the option string. */
static int append(char *buf, size_t size, const char *prefix, int fd, const char *suffix) {
        size_t len = strlen(buf);
        int n;

        n = snprintf(buf + len, size - len, "%s/proc/self/fd/%d%s", prefix, fd, suffix);
        if (n < 0 || (size_t) n >= size - len)
                return -ENAMETOOLONG;
        return 0;
}

/* Opens every lower layer into l, in order, each appended to data (the
 * option string; NULL: only opened, as mount_overlay_check() does). */
static int lower_layers_open(int root_fd, const PlanMount *m, const char *what, OverlayLayers *l,
                             char *data, size_t size, SpawnError *err) {
        for (size_t i = 0; m->lower[i]; i++) {
                int fd, r;

                char name[PATH_MAX + 1];

                fd = layer_open(root_fd, m, m->lower[i], l);
                if (fd == -ENOENT && m->optional)
                        return -ENOENT;
                if (fd < 0)
                        return spawn_error(err, fd, "%s: %s: cannot open the layer", what,
                                           layer_name(m, m->lower[i], name, sizeof name));
                if (!data)
                        continue;
                r = append(data, size, "", fd, m->lower[i + 1] ? ":" : "");
                if (r < 0)
                        return spawn_error(err, r, "%s: too many layers", what);
        }
        return 0;
}

int mount_overlay_check(int root_fd, const PlanMount *m, const char *what, SpawnError *err) {
        _cleanup_(overlay_layers_done) OverlayLayers l = {};
        bool read_only = m->flags & MS_RDONLY;
        char name[PATH_MAX + 1];
        int r, fd;

        /* In mount_overlay_new()'s order and words: the same layer fails first. */
        if (!m->lower || !m->lower[0])
                return spawn_error(err, EINVAL, "%s: no lower layer", what);
        if (read_only && !isempty(m->upper)) {
                fd = layer_open(root_fd, m, m->upper, &l);
                if (fd == -ENOENT)      /* made, or the overlay skipped */
                        return m->optional ? -ENOENT : 0;
                if (fd < 0)
                        return spawn_error(err, fd, "%s: %s: cannot open the layer", what,
                                           layer_name(m, m->upper, name, sizeof name));
        }
        r = lower_layers_open(root_fd, m, what, &l, NULL, 0, err);
        if (r < 0)
                return r;
        if (!read_only && !isempty(m->upper)) {
                fd = layer_open(root_fd, m, m->upper, &l);
                if (fd == -ENOENT)
                        return m->optional ? -ENOENT : 0;
                if (fd < 0)
                        return spawn_error(err, fd, "%s: %s: cannot open the upper layer", what,
                                           layer_name(m, m->upper, name, sizeof name));
        }
        return 0;
}

/* A new work directory holds nothing but what the kernel makes in it for
 * the mount (its "work", and "index" where it indexes): made for the start
 * too, announced before the mount (slots), recorded or dropped after it. */
static const char *const kernel_work[] = { "work", "index" };

static int kernel_work_path(const char *work_path, const char *name, char *buf, size_t size) {
        if (snprintf(buf, size, "%s/%s", work_path, name) >= (int) size)
                return -ENAMETOOLONG;
        return 0;
}

static int announce_kernel_work(MountCreated *made, int work_fd, const char *work_path, int64_t *slots) {
        for (size_t i = 0; i < ELEMENTSOF(kernel_work); i++) {
                char path[PATH_MAX];
                int r;

                r = kernel_work_path(work_path, kernel_work[i], path, sizeof path);
                if (r >= 0)
                        r = mount_created_announce(made, work_fd, path, S_IFDIR, 0, &slots[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int record_kernel_work(MountCreated *made, int work_fd, const char *work_path, const int64_t *slots) {
        for (size_t i = 0; i < ELEMENTSOF(kernel_work); i++) {
                char path[PATH_MAX];
                int r;

                if (faccessat(work_fd, kernel_work[i], F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                        mount_created_drop(made, slots[i]);
                        continue;
                }
                r = kernel_work_path(work_path, kernel_work[i], path, sizeof path);
                if (r >= 0)
                        r = mount_created_add(made, slots[i], work_fd, kernel_work[i], path);
                if (r < 0)
                        return r;
        }
        return 0;
}

int mount_overlay_new(int root_fd, const PlanMount *m, MountCreated *made, const char *what, SpawnError *err) {
        _cleanup_(overlay_layers_done) OverlayLayers l = {};
        _cleanup_close_ int tmp_fd = -EBADF, upper_parent = -EBADF;
        bool read_only = m->flags & MS_RDONLY;
        char data[4096] = "lowerdir=", kmsg[256], work[NAME_MAX + 1], work_path[PATH_MAX] = "", path[PATH_MAX];
        char name[PATH_MAX + 1];
        int64_t slot, kernel_slots[ELEMENTSOF(kernel_work)];
        int r, fd, upper_fd = -EBADF, work_fd = -EBADF;

        if (!m->lower || !m->lower[0])
                return spawn_error(err, EINVAL, "%s: no lower layer", what);

        /* Read-only with an upper dir: it is just the top-most lower layer. */
        if (read_only && !isempty(m->upper)) {
                fd = layer_open_upper(root_fd, m, made, &l);
                if (fd == -ENOENT && m->optional)
                        return -ENOENT;
                if (fd < 0)
                        return spawn_error(err, fd, "%s: %s: cannot open the layer", what,
                                           layer_name(m, m->upper, name, sizeof name));
                r = append(data, sizeof data, "", fd, ":");
                if (r < 0)
                        return spawn_error(err, r, "%s: too many layers", what);
        } else if (read_only) {
                /* Read-only with an empty upper: an empty layer on top, as
                 * nspawn's temporary upper is one. overlayfs refuses a single
                 * lower without an upper, and an empty one changes nothing. */
                tmp_fd = mount_fs_new("tmpfs", "tmpfs", "mode=0755,size=0", MS_RDONLY, kmsg, sizeof kmsg);
                if (tmp_fd < 0)
                        return spawn_error(err, tmp_fd, "%s: cannot create the empty top layer", what);
                r = append(data, sizeof data, "", tmp_fd, ":");
                if (r < 0)
                        return spawn_error(err, r, "%s: too many layers", what);
        }

        r = lower_layers_open(root_fd, m, what, &l, data, sizeof data, err);
        if (r < 0)
                return r;

        if (read_only)
                ;
        else if (isempty(m->upper)) {
                /* A private tmpfs holds the changes; they are lost at exit. */
                tmp_fd = mount_fs_new("tmpfs", "tmpfs", "mode=0755", 0, kmsg, sizeof kmsg);
                if (tmp_fd < 0)
                        return spawn_error(err, tmp_fd, "%s: cannot create the upper tmpfs", what);
                if (mkdirat(tmp_fd, "upper", 0755) < 0 || mkdirat(tmp_fd, "work", 0700) < 0)
                        return spawn_error(err, errno, "%s: cannot create the upper directories", what);
                r = append(data, sizeof data, ",upperdir=", tmp_fd, "/upper");
                if (r >= 0)
                        r = append(data, sizeof data, ",workdir=", tmp_fd, "/work");
                if (r < 0)
                        return spawn_error(err, r, "%s: too many layers", what);
        } else {
                /* overlayfs needs an empty work directory on the upper's file
                 * system: ".#NAME.cellwork" next to the upper (nspawn's habit). */
                const char *slash = strrchr(m->upper, '/'), *base = slash ? slash + 1 : m->upper;
                _cleanup_free_ char *parent = NULL;

                if (!slash || isempty(base) || strlen(base) + 12 > NAME_MAX)
                        return spawn_error(err, EINVAL, "%s: bad upper directory %s", what,
                                           layer_name(m, m->upper, name, sizeof name));
                parent = slash == m->upper ? strdup("/") : strndup(m->upper, (size_t) (slash - m->upper));
                if (!parent)
                        return spawn_error(err, ENOMEM, "%s: out of memory", what);
                (void) snprintf(work, sizeof work, ".#%s.cellwork", base);

                upper_fd = layer_open_upper(root_fd, m, made, &l);
                if (upper_fd == -ENOENT && m->optional)
                        return -ENOENT;
                if (upper_fd < 0)
                        return spawn_error(err, upper_fd, "%s: %s: cannot open the upper layer", what,
                                           layer_name(m, m->upper, name, sizeof name));
                if (m->source_in_root)
                        upper_parent = mount_openat2(root_fd, parent, O_PATH | O_DIRECTORY, MOUNT_RESOLVE_FLAGS);
                else
                        upper_parent = RET_NERRNO(open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC));
                if (upper_parent < 0)
                        return spawn_error(err, upper_parent, "%s: %s: cannot open", what,
                                           layer_name(m, parent, name, sizeof name));
                /* The work directory must be on the upper's mount: an upper that
                 * is a mount point's root would get it on the mount below, and
                 * overlayfs says why in the kernel log alone (EINVAL). */
                r = mount_is_mount_point_at(upper_parent, upper_fd);
                layer_name(m, m->upper, name, sizeof name);
                if (r < 0)
                        return spawn_error(err, r, "%s: %s: cannot tell its mount", what, name);
                if (r > 0)
                        return spawn_error(err, EXDEV, "%s: the upper directory %s is a mount point: overlayfs "
                                           "needs the work directory beside it (%s) on its mount, so the upper "
                                           "must be a directory below it", what, name, work);

                if (snprintf(path, sizeof path, "%s/%s", streq(parent, "/") ? "" : parent, work) >= (int) sizeof path)
                        return spawn_error(err, ENAMETOOLONG, "%s: bad upper directory %s", what, name);
                layer_name(m, path, name, sizeof name);
                /* Announced before it is made (mount-record.h). */
                r = mount_created_announce(made, upper_parent, path, S_IFDIR, 0, &slot);
                if (r < 0)
                        return spawn_error(err, r, "%s: cannot record the work directory", what);
                if (mkdirat(upper_parent, work, 0700) >= 0) {
                        /* Made for this start: recorded, with what the kernel makes in it. */
                        strcpy(work_path, path);
                        r = mount_created_add(made, slot, upper_parent, work, work_path);
                        if (r < 0)
                                return spawn_error(err, r, "%s: cannot record the work directory", what);
                } else {
                        r = -errno;
                        mount_created_drop(made, slot);
                        if (r != -EEXIST)
                                return spawn_error(err, r, "%s: %s: cannot create the work directory", what, name);
                }
                work_fd = RET_NERRNO(openat(upper_parent, work, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (work_fd < 0)
                        return spawn_error(err, work_fd, "%s: %s: cannot open the work directory", what, name);
                l.fds[l.n++] = work_fd;

                r = append(data, sizeof data, ",upperdir=", upper_fd, "");
                if (r >= 0)
                        r = append(data, sizeof data, ",workdir=", work_fd, "");
                if (r < 0)
                        return spawn_error(err, r, "%s: too many layers", what);
        }

        if (*work_path) {
                r = announce_kernel_work(made, work_fd, work_path, kernel_slots);
                if (r < 0)
                        return spawn_error(err, r, "%s: cannot record the work directory", what);
        }
        fd = mount_fs_new("overlay", "overlay", data, m->flags, kmsg, sizeof kmsg);
        r = *work_path ? record_kernel_work(made, work_fd, work_path, kernel_slots) : 0;
        if (r < 0) {
                safe_close(fd);
                return spawn_error(err, r, "%s: cannot record the work directory", what);
        }
        if (fd < 0)
                return spawn_error(err, fd, "%s: cannot mount overlay%s%s", what, *kmsg ? ": " : "", kmsg);
        return fd;
}
