/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "macros.h"
#include "oom-counter.h"

/* oom_kill of the open file (pread from 0: a cgroup file is read whole again,
 * which also re-arms kernfs poll). -errno once the cgroup is gone. */
static int read_kills(int fd, uint64_t *ret) {
        char buf[512];
        ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
        if (k < 0)
                return negative_errno();
        buf[k] = 0;
        for (char *line = buf; *line; ) {
                char *eol = strchrnul(line, '\n');
                const char *v = startswith(line, "oom_kill ");
                if (v) {
                        *ret = strtoull(v, NULL, 10);
                        return 0;
                }
                line = *eol ? eol + 1 : eol;
        }
        return -ENODATA;
}

int oom_counter_poll_fd(const OomCounter *c, uint32_t *ret_events) {
        if (c->fd < 0 || c->gone)
                return -EBADF;
        *ret_events = c->unified ? EPOLLPRI : EPOLLIN;
        return c->unified ? c->fd : c->efd;
}

int oom_counter_update(OomCounter *c) {
        uint64_t n;
        int r;

        if (c->fd < 0)
                return -EBADF;
        r = read_kills(c->fd, &n);
        if (r < 0) {
                /* Removed: nothing will change any more. */
                c->gone = true;
                return r;
        }
        c->kills = MAX(c->kills, n);
        return 0;
}

int oom_counter_event(OomCounter *c) {
        uint64_t n;

        if (c->unified)
                return oom_counter_update(c);
        if (read(c->efd, &n, sizeof n) != (ssize_t) sizeof n)
                return 0;
        /* Readable: an OOM of the group (a removal leaves nothing to read). */
        int r = oom_counter_update(c);
        if (r >= 0)
                c->oom_seen = true;
        return r;
}

bool oom_counter_killed(OomCounter *c) {
        if (c->fd >= 0 && !c->gone) {
                /* Once more at the payload's exit, if the cgroup is still there. */
                if (c->efd >= 0) {
                        uint64_t n;
                        if (read(c->efd, &n, sizeof n) == (ssize_t) sizeof n && oom_counter_update(c) >= 0)
                                c->oom_seen = true;
                }
                (void) oom_counter_update(c);
        }
        /* cgroup1 notifies before the victim is chosen, so a removal right after
         * may leave the counter unread: then the notification alone counts. */
        return c->kills > 0 || (!c->unified && c->oom_seen && c->gone);
}

void oom_counter_done(OomCounter *c) {
        c->fd = safe_close(c->fd);
        c->efd = safe_close(c->efd);
}
