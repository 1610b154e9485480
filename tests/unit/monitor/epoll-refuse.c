/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Linked into a cell-monitor of the tests' own (cell-monitor-epoll-refuse),
 * in place of libc's epoll_ctl(): what $TEST_EPOLL_REFUSE names is refused
 * with ENOMEM, as a kernel short of memory (or of fs.epoll.max_user_watches,
 * ENOSPC) refuses it. "fifo": every EPOLL_CTL_ADD of a pipe (the payload's
 * output, from the start); "out": every watch for EPOLLOUT (our fd 1 or 2
 * once it is full). The rest goes to the kernel. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
        const char *what = getenv("TEST_EPOLL_REFUSE");
        struct stat st;

        if (what && op != EPOLL_CTL_DEL &&
            ((strcmp(what, "fifo") == 0 && op == EPOLL_CTL_ADD && fstat(fd, &st) >= 0 && S_ISFIFO(st.st_mode)) ||
             (strcmp(what, "out") == 0 && ev && (ev->events & EPOLLOUT)))) {
                errno = ENOMEM;
                return -1;
        }
        return (int) syscall(SYS_epoll_ctl, epfd, op, fd, ev);
}
