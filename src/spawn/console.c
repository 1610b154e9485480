/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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

typedef struct ConsoleOpen {
        uid_t uid;
        int master;
        SpawnError *err;
} ConsoleOpen;

/* A new pty's slave belongs to the fsuid (and, where the devpts sets no
 * gid=, the fsgid) of the one who opens the master. This thread opens it
 * as the terminal's user and the container's root group, so that the slave
 * is that user's from the start, with no chown after (which would need the
 * ID mapped and CAP_CHOWN over it wherever the caller stands). fsuid and
 * fsgid are per thread: the caller's stay as they are. */
static void *console_open_as(void *userdata) {
        ConsoleOpen *o = userdata;

        (void) setfsgid(0);
        (void) setfsuid(o->uid);
        o->master = console_open_ptmx(o->err);
        return NULL;
}

int console_open_send(int sock, const struct winsize *ws, uid_t uid, int *ret_slave, SpawnError *err) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        ConsoleOpen o = { .uid = uid, .master = -EBADF, .err = err };
        pthread_t thread;
        int r;

        /* The container's private devpts instance (newinstance). Without
         * a thread (TasksMax= reached), as we are, chowned below. */
        if (pthread_create(&thread, NULL, console_open_as, &o) == 0) {
                (void) pthread_join(thread, NULL);
                master = o.master;
        } else
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
        /* Its terminal is the user's, as login(1) makes it; mode 0620 and
         * the tty group from the devpts mount: no one else writes to it
         * but write(1) and wall(1). Made so (console_open_as()); said
         * again, so that a slave opened without the thread, of an owner
         * not mapped here, fails here rather than reach the command as
         * nobody's. */
        if (fchown(slave, uid, (gid_t) -1) < 0)
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
        /* The console is its user's alone, as nspawn's (0600): not the tty
         * group's too, whose write(1) and wall(1) may write to a pty. */
        if (fchmod(slave, 0600) < 0)
                return spawn_error(err, errno, "making the console's pty 0600");
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
