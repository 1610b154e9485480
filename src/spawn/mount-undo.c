/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macros.h"
#include "mount-undo.h"

static bool made_on_host(const MountUndo *u) {
        for (size_t i = 0; i < u->created.n; i++)
                if (u->created.entries[i].host)
                        return true;
        return false;
}

void mount_undo_take_back(MountUndo *u, int root_fd, int host_fd) {
        _cleanup_close_ int own_host_fd = -EBADF;

        /* With a record the supervisor takes back, not the process that
         * made it: it alone holds the locks of the places another
         * container may share, and asks them first (shared-lock.h). */
        if (u->created.record_fd >= 0) {
                mount_created_done(&u->created);
                return;
        }
        /* Each mount something was made on was writable then; the seal is
         * lifted only for the removal: this namespace dies with the failed
         * start. */
        if (u->sealed && root_fd >= 0)
                mount_created_unseal(&u->created, root_fd);
        if (host_fd < 0 && made_on_host(u))
                host_fd = own_host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        mount_created_undo(&u->created, root_fd, host_fd);
}

int mount_undo_keep(MountUndo *u, int root_fd) {
        _cleanup_close_ int root_copy = -EBADF, host_fd = -EBADF;

        root_copy = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (root_copy < 0)
                return negative_errno();
        if (made_on_host(u)) {
                host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host_fd < 0)
                        return negative_errno();
        }
        safe_close(u->root_fd);
        safe_close(u->host_fd);
        u->root_fd = TAKE_FD(root_copy);
        u->host_fd = TAKE_FD(host_fd);
        return 0;
}

void mount_undo_run(MountUndo *u) {
        if (u->root_fd >= 0)
                mount_undo_take_back(u, u->root_fd, u->host_fd);
        mount_undo_done(u);
}

void mount_undo_done(MountUndo *u) {
        mount_created_done(&u->created);
        u->root_fd = safe_close(u->root_fd);
        u->host_fd = safe_close(u->host_fd);
        u->sealed = false;
        u->root_mnt_id = 0;
}
