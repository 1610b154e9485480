/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* /dev/char/MAJ:MIN links (mount-devchar.h): programs find a device by its
 * numbers there (sd-device, systemd's device_path_make_major_minor(), a
 * DeviceAllow= of /dev/char/1:3), without udev, which no container runs. */

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "macros.h"
#include "mount-created.h"
#include "mount-devchar.h"
#include "mount-util.h"

int mount_devchar_link(MountContext *c, const PlanMount *m, const struct stat *st, const char *what) {
        const char *rest, *dir;
        char name[64], text[PATH_MAX];

        rest = startswith(m->target, "/dev/");
        if (isempty(rest) || (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode)))
                return 0;
        dir = S_ISCHR(st->st_mode) ? "char" : "block";

        /* /dev as do_fs() attached its tmpfs there, looked at once a start:
         * the device nodes all follow it. */
        if (c->dev_fd < 0) {
                c->dev_fd = mount_resolve(c->root_fd, "/dev", 0);
                if (c->dev_fd < 0)
                        return spawn_error(c->err, c->dev_fd, "%s: cannot open /dev for its /dev/%s link", what, dir);
                c->dev_fresh = mount_created_on_fresh(&c->made.created, c->dev_fd);
        }
        /* Only on the tmpfs this start mounted: never in the image or on
         * the host, and nothing to record or take back. */
        if (!c->dev_fresh)
                return 0;

        (void) snprintf(name, sizeof name, "%s/%u:%u", dir, major(st->st_rdev), minor(st->st_rdev));
        if (snprintf(text, sizeof text, "../%s", rest) >= (int) sizeof text)
                return spawn_error(c->err, ENAMETOOLONG, "%s: the path is too long for a /dev/%s link", what, dir);

        /* "char" is looked up by name: on this new tmpfs only cell has made
         * anything yet (the payload has not run, Bind= comes later), and
         * only a directory of cell's own is there. */
        if (symlinkat(text, c->dev_fd, name) >= 0 || errno == EEXIST)
                return 0;       /* one already (two nodes of one number): the first stays */
        if (errno != ENOENT)
                return spawn_error(c->err, errno, "%s: cannot create /dev/%s", what, name);
        /* The first node: its directory. */
        if (mkdirat(c->dev_fd, dir, 0755) < 0 && errno != EEXIST)
                return spawn_error(c->err, errno, "%s: cannot create /dev/%s", what, dir);
        if (symlinkat(text, c->dev_fd, name) < 0 && errno != EEXIST)
                return spawn_error(c->err, errno, "%s: cannot create /dev/%s", what, name);
        return 0;
}
