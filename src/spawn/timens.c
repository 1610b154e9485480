/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PrivateTime=: a time namespace whose monotonic and boot clocks start near
 * zero, as a freshly booted machine's (time_namespaces(7)). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"
#include "timens.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

void timens_offsets(const TimensClocks *c, int64_t *ret_monotonic, int64_t *ret_boottime) {
        /* One offset moves all three monotonic clocks, and _RAW (no NTP
         * slewing) and _COARSE (a tick behind) may be whole seconds behind
         * CLOCK_MONOTONIC: the least of them, so that none goes negative. */
        int64_t s = MIN(MIN((int64_t) c->monotonic.tv_sec, (int64_t) c->monotonic_raw.tv_sec),
                        (int64_t) c->monotonic_coarse.tv_sec);
        /* The time the machine was suspended, in whole seconds, as read (the
         * boot clock first: never more than it is): taken off the boot clock
         * too, never more, so that it stays at or above the monotonic one. */
        int64_t k = (int64_t) c->boottime.tv_sec - (int64_t) c->monotonic.tv_sec -
                (c->boottime.tv_nsec < c->monotonic.tv_nsec ? 1 : 0);

        *ret_monotonic = -s;
        *ret_boottime = -(s + (k > 0 ? k : 0));
}

int timens_setup(SpawnError *err) {
        _cleanup_close_ int fd = -EBADF;
        int64_t monotonic, boottime;
        TimensClocks c;
        char text[128];
        ssize_t w;
        int n;

        if (unshare(CLONE_NEWTIME) < 0)
                return spawn_error(err, errno, "PrivateTime=yes: unshare(CLONE_NEWTIME)%s",
                                   errno == EINVAL ? " (time namespaces need Linux 5.6 with CONFIG_TIME_NS)" : "");
        /* Still the host's clocks: unshare() moved only what we exec or fork. */
        if (clock_gettime(CLOCK_BOOTTIME, &c.boottime) < 0 ||
            clock_gettime(CLOCK_MONOTONIC, &c.monotonic) < 0 ||
            clock_gettime(CLOCK_MONOTONIC_RAW, &c.monotonic_raw) < 0 ||
            clock_gettime(CLOCK_MONOTONIC_COARSE, &c.monotonic_coarse) < 0)
                return spawn_error(err, errno, "PrivateTime=yes: clock_gettime");
        timens_offsets(&c, &monotonic, &boottime);
        n = snprintf(text, sizeof text, "monotonic %" PRId64 " 0\nboottime %" PRId64 " 0\n", monotonic, boottime);
        /* Written before any process is in the namespace: the kernel refuses it later. */
        fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return spawn_error(err, errno, "PrivateTime=yes: opening /proc/self/timens_offsets");
        w = write(fd, text, (size_t) n);
        if (w != (ssize_t) n)
                return spawn_error(err, w < 0 ? errno : EIO, "PrivateTime=yes: writing the clock offsets");
        return 0;
}
