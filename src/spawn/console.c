/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "console.h"
#include "fs-util.h"
#include "macros.h"
#include "mount-util.h"
#include "spawn-child.h"

bool console_on_terminal(void) {
        return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
}

void console_window_size(struct winsize *ret) {
        *ret = (struct winsize) {};
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, ret) < 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, ret) < 0)
                *ret = (struct winsize) {};
}

/* The ptmx of the devpts at /dev/pts of our root. Not /dev/ptmx, which
 * the container may have made anything (cell exec -t comes to a container
 * that ran): no link is followed on the way, /dev/pts must be a devpts,
 * and its ptmx is opened with no mount crossed, so that nothing the
 * container put there is opened, with our privileges, in its place. */
static int console_open_ptmx(SpawnError *err) {
        _cleanup_close_ int pts = -EBADF;
        int64_t magic;
        int fd, r;

        pts = mount_openat2(AT_FDCWD, "/dev/pts", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
        if (pts < 0)
                return spawn_error(err, pts, "opening the container's /dev/pts (no symlink on the way)");
        r = fs_magic_of(pts, &magic);
        if (r < 0)
                return spawn_error(err, r, "checking the container's /dev/pts");
        if (magic != DEVPTS_SUPER_MAGIC)
                return spawn_error(err, ENOTTY, "the container's /dev/pts is no devpts, refusing");
        /* O_NOCTTY: the master is no one's terminal, and we take the
         * slave only on purpose (TIOCSCTTY). */
        fd = mount_openat2(pts, "ptmx", O_RDWR | O_NOCTTY,
                           RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS);
        if (fd < 0)
                return spawn_error(err, fd, "opening the container's /dev/pts/ptmx");
        return fd;
}

int console_open_send(int sock, const struct winsize *ws, uid_t uid, int *ret_slave, SpawnError *err) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        int r;

        /* The container's private devpts instance (newinstance). */
        master = console_open_ptmx(err);
        if (master < 0)
                return master;
        if (unlockpt(master) < 0)
                return spawn_error(err, errno, "unlockpt");
        /* The slave through the master, not by its name under /dev/pts:
         * nothing in the container can swap another file in between. */
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return spawn_error(err, errno, "opening the pty's slave (TIOCGPTPEER)");
        /* Before the command runs: "stty size" must see it at once. */
        if (ws && ws->ws_row > 0 && ioctl(slave, TIOCSWINSZ, ws) < 0)
                return spawn_error(err, errno, "setting the pty's window size");
        /* Its terminal is the user's, as login(1) makes it; mode 0620 from
         * the devpts mount: no one else writes to it. */
        if (uid != 0 && fchown(slave, uid, (gid_t) -1) < 0)
                return spawn_error(err, errno, "giving the pty to UID %u", (unsigned) uid);
        r = spawn_message_send(sock, SPAWN_MSG_CONSOLE, NULL, master);
        if (r < 0)
                return spawn_error(err, r, "passing the pty on");
        *ret_slave = TAKE_FD(slave);
        return 0;
}

int console_setup_container(int sock, const struct winsize *ws, uid_t uid, SpawnError *err) {
        _cleanup_close_ int slave = -EBADF, file = -EBADF, tree = -EBADF;
        int r;

        r = console_open_send(sock, ws, uid, &slave, err);
        if (r < 0)
                return r;
        /* /dev is cell's tmpfs and nothing of the container has run yet:
         * O_EXCL|O_NOFOLLOW all the same, never a file the image put there. */
        file = open("/dev/console", O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (file < 0)
                return spawn_error(err, errno, "creating /dev/console");
        /* A bind mount of the slave itself, through its fd: no path under
         * /dev/pts is looked up. */
        tree = mount_clone_tree(slave, false);
        if (tree < 0)
                return spawn_error(err, tree, "binding the console's pty");
        r = mount_move(tree, file);
        if (r < 0)
                return spawn_error(err, r, "mounting the console's pty on /dev/console");
        if (dup2(slave, STDIN_FILENO) < 0 || dup2(slave, STDOUT_FILENO) < 0 || dup2(slave, STDERR_FILENO) < 0)
                return spawn_error(err, errno, "making the console stdin, stdout and stderr");
        return 0;
}

int console_attach(int slave, bool stdio, SpawnError *err) {
        _cleanup_close_ int fd = slave;

        if (ioctl(fd, TIOCSCTTY, 0) < 0)
                return spawn_error(err, errno, "making the pty the controlling terminal");
        if (stdio && (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0))
                return spawn_error(err, errno, "making the pty stdin, stdout and stderr");
        if (fd <= STDERR_FILENO)
                fd = -EBADF;    /* it is one of them now */
        return 0;
}

int console_recv_master(int sock, int *ret_master) {
        SpawnMessage m;
        int fd = -EBADF, r;

        *ret_master = -EBADF;
        r = spawn_message_recv(sock, &m, &fd);
        if (r <= 0)
                return r;
        if (m.type != SPAWN_MSG_CONSOLE || fd < 0) {
                safe_close(fd);
                return -EBADMSG;
        }
        *ret_master = fd;
        return 0;
}
