/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ResolvConf= and Timezone= at start, on the host: which host file, and
 * what "auto" comes to here (see mount-etc.h). Looks at the image only
 * through openat2(RESOLVE_IN_ROOT) from an fd of Directory=, as the child
 * will; the child checks again and is the one that acts. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macros.h"
#include "mount-etc.h"
#include "mount-util.h"
#include "parse-util.h"

#define ZONEINFO "/usr/share/zoneinfo/"

/* What follows prefix in path, compared by components as systemd's
 * path_startswith() (both absolute or both relative); NULL when path does
 * not begin so. */
static const char *path_after(const char *path, const char *prefix) {
        if ((path[0] == '/') != (prefix[0] == '/'))
                return NULL;
        for (;;) {
                size_t n = 0, m = 0;
                const char *p = path_next_component(&path, &n), *q = path_next_component(&prefix, &m);

                if (!q)
                        return p ?: path;
                if (!p || n != m || strncmp(p, q, n) != 0)
                        return NULL;
        }
}

/* The zone a host /etc/localtime link names, as nspawn 252's
 * timezone_from_path(): what follows "../usr/share/zoneinfo/" or
 * "/usr/share/zoneinfo/" ("Europe/Berlin"), in buf, its target in link.
 * -EINVAL for a plain file (link ""), a link elsewhere, or one that names
 * no zone (nothing after the prefix, or a ".." in it: a way about, which
 * systemd's verify_timezone() refuses too); -errno when unreadable. */
static int host_zone(const char *path, char *link, size_t link_size, char *buf, size_t n) {
        const char *zone, *rest;
        size_t cn;
        ssize_t l;

        link[0] = 0;
        l = readlink(path, link, link_size - 1);
        if (l < 0)
                return errno == EINVAL ? -EINVAL : negative_errno();
        link[l] = 0;
        zone = path_after(link, "../usr/share/zoneinfo/") ?: path_after(link, "/usr/share/zoneinfo/");
        if (!zone || isempty(zone) || strlen(zone) >= n)
                return -EINVAL;
        rest = zone;
        for (const char *c; (c = path_next_component(&rest, &cn));)
                if (cn == 2 && strncmp(c, "..", 2) == 0)
                        return -EINVAL;
        strcpy(buf, zone);
        return 0;
}

/* Why Timezone=symlink has no zone from the host's /etc/localtime (link:
 * its target, "" for a plain file). */
static int host_zone_error(SpawnError *note, const char *what, const char *path, const char *link) {
        if (isempty(link))
                return spawn_error(note, EINVAL, "%s: the host's %s is no symlink, so it names no zone (nspawn 252 "
                                   "takes a link to /usr/share/zoneinfo/ZONE or ../usr/share/zoneinfo/ZONE)", what,
                                   path);
        if (!path_after(link, "../usr/share/zoneinfo/") && !path_after(link, "/usr/share/zoneinfo/"))
                return spawn_error(note, EINVAL, "%s: the host's %s links to %s, not into /usr/share/zoneinfo/ "
                                   "(nspawn 252 takes a link to /usr/share/zoneinfo/ZONE or "
                                   "../usr/share/zoneinfo/ZONE)", what, path, link);
        return spawn_error(note, EINVAL, "%s: the host's %s links to %s, which names no zone (nothing, or a \"..\", "
                           "after /usr/share/zoneinfo/)", what, path, link);
}

/* Out of fds or memory: no answer about the image, which must not pass for
 * one ("the container has no zone file"). */
static bool resource_error(int r) {
        return r == -EMFILE || r == -ENFILE || r == -ENOMEM;
}

/* The root as an fd: the caller's own when it passes one as "/proc/self/fd/N"
 * (run_root_path(), root_image_root_path()), then *ret_owned stays -EBADF: a
 * second open of it would cost an fd, fail at few fds, and name the
 * directory by that path instead of as the unit wrote it. */
static int root_open(const char *root_directory, int *ret_owned) {
        const char *n = startswith(root_directory, "/proc/self/fd/"), *end = NULL;
        uint64_t fd;

        *ret_owned = -EBADF;
        if (n && scan_digits(n, &fd, &end) >= 0 && end && !*end && fd <= INT32_MAX &&
            fcntl((int) fd, F_GETFD) >= 0)
                return (int) fd;
        *ret_owned = open(root_directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return *ret_owned < 0 ? negative_errno() : *ret_owned;
}

/* What path is inside the root (links followed there): its mode, -ENOENT, ... */
static int root_stat(int dir_fd, const char *path, mode_t *ret_mode) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = mount_resolve(dir_fd, path, 0);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        *ret_mode = st.st_mode;
        return 0;
}

/* Whether path's last component is a symlink in the root (its parent
 * resolved inside the root: a linked /etc never leads to the host's). */
static bool root_is_link(int dir_fd, const char *path) {
        _cleanup_close_ int parent_fd = -EBADF;
        const char *slash = strrchr(path, '/');
        char parent[PATH_MAX];
        struct stat st;

        if (!slash || (size_t) (slash - path) >= sizeof parent)
                return false;
        memcpy(parent, path, (size_t) (slash - path));
        parent[slash - path] = 0;
        parent_fd = mount_resolve(dir_fd, *parent ? parent : "/", 0);
        return parent_fd >= 0 && fstatat(parent_fd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
                S_ISLNK(st.st_mode);
}

/* Whether the way to path's parent has a symlink in the root: the values
 * that write leave the file alone then (see mount-etc.c). */
static bool root_parent_has_link(int dir_fd, const char *path) {
        _cleanup_close_ int fd = -EBADF;
        const char *slash = strrchr(path, '/');
        char parent[PATH_MAX];

        if (!slash || slash == path || (size_t) (slash - path) >= sizeof parent)
                return false;
        memcpy(parent, path, (size_t) (slash - path));
        parent[slash - path] = 0;
        fd = mount_resolve(dir_fd, parent, RESOLVE_NO_SYMLINKS);
        return fd == -ELOOP;
}

static bool mode_writes(PlanEtcMode m) {
        return m == PLAN_ETC_COPY || m == PLAN_ETC_REPLACE || m == PLAN_ETC_SYMLINK || m == PLAN_ETC_DELETE;
}

/* Why an explicit value has no host file: none there, a link that leads
 * nowhere (a host /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf
 * while resolved is stopped: "does not exist" alone would send the admin to
 * a file that is there), or something else than a regular file. */
static int host_missing(const PlanEtcFile *f, const char *what, SpawnError *note) {
        const char *path = f->sources[0];
        char link[PATH_MAX];
        struct stat st;
        ssize_t l;

        if (lstat(path, &st) >= 0 && S_ISLNK(st.st_mode) && (l = readlink(path, link, sizeof link - 1)) >= 0) {
                link[l] = 0;
                if (stat(path, &st) < 0)
                        return spawn_error(note, ENOENT, "%s: %s on the host is a symlink to %s, which does not "
                                           "exist%s", what, path, link, strstr(link, "run/systemd/resolve/") ?
                                           " (is systemd-resolved running?)" : "");
        }
        if (stat(path, &st) >= 0)
                return spawn_error(note, EINVAL, "%s: %s is not a regular file on the host", what, path);
        return spawn_error(note, ENOENT, "%s: %s does not exist on the host%s", what, path,
                           startswith(path, "/run/systemd/resolve/") ? " (is systemd-resolved running?)" : "");
}

/* Turns an automatic entry off, with why. */
static int decide_off(PlanEtcFile *f, const char *what, SpawnError *note, const char *why, const char *arg) {
        f->mode = PLAN_ETC_OFF;
        spawn_error(note, ENOENT, "%s: %s%s, left as the image has it", what, why, arg);
        return 1;
}

int etc_file_decide(PlanEtcFile *f, const char *root_directory, SpawnError *note) {
        _cleanup_close_ int owned_fd = -EBADF;
        char zone[NAME_MAX + 1], link[PATH_MAX], what[PATH_MAX + 64];
        int dir_fd;
        struct stat st;
        mode_t mode;
        int r;

        if (f->mode == PLAN_ETC_OFF)
                return 0;
        /* Named where the unit wrote it, as the child names it (mount-etc.c). */
        etc_file_describe(f, what, sizeof what);

        /* delete takes nothing from the host. */
        for (size_t i = 0; f->mode != PLAN_ETC_DELETE && i < ELEMENTSOF(f->sources) && f->sources[i]; i++)
                if (stat(f->sources[i], &st) >= 0 && S_ISREG(st.st_mode)) {
                        f->source = strdup(f->sources[i]);
                        if (!f->source)
                                return spawn_error(note, ENOMEM, "%s: out of memory", f->key);
                        break;
                }
        if (!f->source && f->mode != PLAN_ETC_DELETE) {
                if (f->automatic)
                        return decide_off(f, what, note, "no file on the host: ", f->sources[0]);
                return host_missing(f, what, note);
        }

        dir_fd = root_open(root_directory, &owned_fd);
        if (dir_fd < 0)
                return spawn_error(note, dir_fd, "Directory=%s: cannot open", root_directory);

        if (f->mode == PLAN_ETC_SYMLINK || f->mode == PLAN_ETC_SYMLINK_OR_BIND) {
                r = host_zone(f->source, link, sizeof link, zone, sizeof zone);
                if (r >= 0) {
                        (void) snprintf(link, sizeof link, ZONEINFO "%s", zone);
                        r = root_stat(dir_fd, link, &mode);
                        if (resource_error(r))
                                return spawn_error(note, r, "%s: looking up %s in the container", what, link);
                        if (r >= 0 && !S_ISREG(mode))
                                r = -ENOENT;
                }
                /* auto: where no link can be made, the bind. */
                if (r >= 0 && f->mode == PLAN_ETC_SYMLINK_OR_BIND && !f->empty_root &&
                    root_parent_has_link(dir_fd, f->target))
                        r = -ELOOP;
                if (r >= 0) {
                        /* Relative, as nspawn makes it: right inside the root and outside. */
                        (void) snprintf(link, sizeof link, ".." ZONEINFO "%s", zone);
                        f->link = strdup(link);
                        if (!f->link)
                                return spawn_error(note, ENOMEM, "%s: out of memory", f->key);
                        f->mode = PLAN_ETC_SYMLINK;
                } else if (f->mode == PLAN_ETC_SYMLINK && r == -EINVAL)
                        return host_zone_error(note, what, f->source, link);
                else {
                        /* The container lacks the zone (symlink too: nspawn
                         * falls back so), or auto: the host's zone file itself. */
                        f->mode = PLAN_ETC_BIND;
                }
        }

        /* Volatile=yes: the root is cell's tmpfs, its /etc cell's own
         * (made now if missing); the image's /etc is not the container's. */
        if (f->empty_root)
                return 0;

        if (mode_writes(f->mode) && root_parent_has_link(dir_fd, f->target)) {
                /* The writes are made with the host's capabilities; through a
                 * link they could land in a Bind= of a host directory. */
                spawn_error(note, ELOOP, "%s: the way to %s has a symlink in the image, left alone "
                            "(cell writes nothing reached through a link)", what, f->target);
                return 1;
        }

        /* auto binds over the image's own file, never through its link: a
         * bind lands on what the link leads to, and /etc/localtime ->
         * zoneinfo/Etc/UTC would make "UTC" the host's zone for every program
         * in the container. An explicit bind-* follows it, inside the root only,
         * as nspawn 252 does (254 and later bind over the link itself). */
        if (f->mode == PLAN_ETC_BIND && f->automatic && root_is_link(dir_fd, f->target))
                return decide_off(f, what, note, "a symlink in the image: ", f->target);
        if (f->mode == PLAN_ETC_BIND && f->automatic && !f->create_missing) {
                /* auto binds over the image's file; it creates none there. */
                r = root_stat(dir_fd, f->target, &mode);
                if (resource_error(r))
                        return spawn_error(note, r, "%s: looking up %s in the container", what, f->target);
                if (r == -ENOENT)
                        return decide_off(f, what, note, "the image has no ", f->target);
                if (r >= 0 && !S_ISREG(mode))
                        return decide_off(f, what, note, "not a regular file in the image: ", f->target);
        }

        if (f->mode == PLAN_ETC_COPY && root_is_link(dir_fd, f->target)) {
                /* nspawn's copy leaves a link alone; the child does too. Say
                 * so, and what would replace it: only ResolvConf= has copy-*. */
                const char *suffix = startswith(f->setting, "copy-");

                spawn_error(note, EEXIST, "%s: %s is a symlink in the image, left alone%s%s%s",
                            what, f->target, suffix ? " (replace-" : "", strempty(suffix),
                            suffix ? " replaces it)" : "");
                return 1;
        }
        /* Nor does it write into a FIFO, a device node, a socket or a
         * directory the image put there (the child only looks at it through
         * O_PATH): said so, as of a link, not passed over in silence. */
        if (f->mode == PLAN_ETC_COPY && root_stat(dir_fd, f->target, &mode) >= 0 && !S_ISREG(mode)) {
                /* replace-* renames over anything but a directory. */
                const char *suffix = S_ISDIR(mode) ? NULL : startswith(f->setting, "copy-");

                spawn_error(note, EEXIST, "%s: %s is not a regular file in the image (%s), left alone%s%s%s",
                            what, f->target, S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" :
                            S_ISSOCK(mode) ? "a socket" : "a device node", suffix ? " (replace-" : "",
                            strempty(suffix), suffix ? " replaces it)" : "");
                return 1;
        }
        return 0;
}
