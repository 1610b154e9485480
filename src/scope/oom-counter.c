/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <fcntl.h>
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

/* cgroup1: the kills in the cgroups below dirfd (not its own: fd has them),
 * at most depth levels down; what is removed meanwhile is skipped. */
static uint64_t kills_below(int dirfd, unsigned depth) {
        uint64_t sum = 0;
        int fd;
        DIR *d;

        if (depth == 0 || (fd = openat(dirfd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC)) < 0)
                return 0;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return 0;
        }
        for (struct dirent *de; (de = readdir(d)); ) {
                int child, file;
                uint64_t n = 0;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                /* Names below are the payload's choice: real directories only. */
                child = openat(dirfd, de->d_name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
                if (child < 0)
                        continue;
                file = openat(child, "memory.oom_control", O_RDONLY|O_CLOEXEC|O_NOCTTY);
                if (file >= 0 && read_kills(file, &n) >= 0)
                        sum += n;
                safe_close(file);
                sum += kills_below(child, depth - 1);
                safe_close(child);
        }
        closedir(d);
        return sum;
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
        if (c->dirfd >= 0)
                n += kills_below(c->dirfd, 32);
        /* The highest seen: a cgroup below that is removed takes its kills along. */
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
        c->dirfd = safe_close(c->dirfd);
}
