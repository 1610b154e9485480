/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuse-server.h: the few opcodes a lookup, an open and a close need. */

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuse-server.h"
#include "macros.h"

#define FUSE_FILE_INO 2

static void reply(int dev, uint64_t unique, int error, const void *out, size_t len) {
        struct fuse_out_header h = { .len = sizeof h + (error ? 0 : len), .error = error, .unique = unique };
        struct iovec iov[2] = { { &h, sizeof h }, { (void *) out, error ? 0 : len } };

        (void) !writev(dev, iov, 2);
}

static void fill_attr(struct fuse_attr *a, uint64_t ino) {
        *a = (struct fuse_attr) {
                .ino = ino,
                .mode = ino == FUSE_ROOT_ID ? S_IFDIR|0755 : S_IFREG|0644,
                .nlink = ino == FUSE_ROOT_ID ? 2 : 1,
                .blksize = 4096,
        };
}

_noreturn_ static void serve(int dev, int flushes) {
        static uint8_t buf[FUSE_MIN_READ_BUFFER + 128 * 1024];

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) {
                const struct fuse_in_header *in = (const struct fuse_in_header *) buf;
                const void *arg = buf + sizeof *in;
                ssize_t k = read(dev, buf, sizeof buf);

                if (k < 0 && (errno == EINTR || errno == ENOENT))
                        continue;               /* ENOENT: a request interrupted meanwhile */
                if (k < (ssize_t) sizeof *in)
                        _exit(EXIT_SUCCESS);    /* unmounted, or aborted */
                switch (in->opcode) {
                case FUSE_INIT: {
                        const struct fuse_init_in *ii = arg;
                        struct fuse_init_out o = {
                                .major = FUSE_KERNEL_VERSION,
                                .minor = FUSE_KERNEL_MINOR_VERSION,
                                .max_readahead = ii->max_readahead,
                                .max_write = 4096,
                                .time_gran = 1,
                        };
                        reply(dev, in->unique, 0, &o, sizeof o);
                        break;
                }
                case FUSE_LOOKUP: {
                        struct fuse_entry_out o = { .nodeid = FUSE_FILE_INO };

                        if (in->nodeid != FUSE_ROOT_ID || !streq((const char *) arg, "file")) {
                                reply(dev, in->unique, -ENOENT, NULL, 0);
                                break;
                        }
                        fill_attr(&o.attr, FUSE_FILE_INO);
                        reply(dev, in->unique, 0, &o, sizeof o);
                        break;
                }
                case FUSE_GETATTR: {
                        struct fuse_attr_out o = {};

                        fill_attr(&o.attr, in->nodeid);
                        reply(dev, in->unique, 0, &o, sizeof o);
                        break;
                }
                case FUSE_OPEN: {
                        struct fuse_open_out o = { .fh = 1 };

                        reply(dev, in->unique, 0, &o, sizeof o);
                        break;
                }
                case FUSE_FLUSH:
                        /* Never answered: whoever closes the file waits. */
                        (void) !write(flushes, "F", 1);
                        break;
                case FUSE_RELEASE:
                        reply(dev, in->unique, 0, NULL, 0);
                        break;
                case FUSE_FORGET:
                case FUSE_BATCH_FORGET:
                case FUSE_INTERRUPT:
                        break;                  /* no answer expected */
                default:
                        reply(dev, in->unique, -ENOSYS, NULL, 0);
                }
        }
}

bool fuse_server_start(FuseServer *s, const char *dir, int *ret_dev) {
        char opts[128];
        int dev, pipe_fds[2];

        *s = (FuseServer) { .dir = dir, .flushes = -EBADF };
        if (unshare(geteuid() == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) < 0)
                return false;
        dev = open("/dev/fuse", O_RDWR|O_CLOEXEC);
        if (dev < 0)
                return false;
        snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", dev);
        if (mount("cell-test", s->dir, "fuse", MS_NOSUID|MS_NODEV, opts) < 0 ||
            pipe2(pipe_fds, O_CLOEXEC) < 0) {
                (void) umount2(s->dir, MNT_DETACH);
                safe_close(dev);
                return false;
        }
        s->pid = fork();
        if (s->pid < 0)
                abort();
        if (s->pid == 0) {
                safe_close(pipe_fds[0]);
                serve(dev, pipe_fds[1]);
        }
        safe_close(pipe_fds[1]);
        s->flushes = pipe_fds[0];
        *ret_dev = dev;
        return true;
}

bool fuse_server_flush_seen(FuseServer *s, int timeout_msec) {
        struct pollfd p = { .fd = s->flushes, .events = POLLIN };
        char c;

        return poll(&p, 1, timeout_msec) == 1 && read(s->flushes, &c, 1) == 1;
}

void fuse_server_stop(FuseServer *s) {
        if (s->pid > 0) {
                (void) kill(s->pid, SIGKILL);
                (void) waitpid(s->pid, NULL, 0);
        }
        s->flushes = safe_close(s->flushes);
        (void) umount2(s->dir, MNT_DETACH);
        s->pid = 0;
}
