/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Part of the probe (probe.c): what the kernel says of our scheduling and
 * personality, each from its own source: the nice level from
 * /proc/self/stat, the policy from sched_getscheduler(), the IO priority
 * from ioprio_get(), the CPUs from sched_getaffinity(), the personality from
 * personality(0xffffffff) and what uname(2) makes of it. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "probe-sched.h"

#define IOPRIO_WHO_PROCESS 1

/* Field 19 of /proc/self/stat, counted after the ")" that ends the command name. */
static long stat_nice(void) {
        char buf[1024], *p;
        ssize_t n;
        int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -100;
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return -100;
        buf[n] = 0;
        p = strrchr(buf, ')');
        /* ") S" is field 3: sixteen more fields to the 19th. */
        for (int field = 2; p && field < 19; field++)
                p = strchr(p + 1, ' ');
        return p ? strtol(p + 1, NULL, 10) : -100;
}

void probe_sched_json(void) {
        struct sched_param sp = {};
        struct utsname u = {};
        cpu_set_t set;
        int policy = sched_getscheduler(0);
        long ioprio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
        bool first = true;

        (void) sched_getparam(0, &sp);
        (void) uname(&u);
        printf("{\"nice\": %ld, \"policy\": %d, \"priority\": %d, \"reset_on_fork\": %s, "
               "\"io_class\": %ld, \"io_priority\": %ld, \"affinity\": [",
               stat_nice(), policy < 0 ? -errno : policy & ~SCHED_RESET_ON_FORK, sp.sched_priority,
               policy >= 0 && (policy & SCHED_RESET_ON_FORK) ? "true" : "false",
               ioprio < 0 ? -errno : (ioprio >> 13) & 7, ioprio < 0 ? -1 : ioprio & 0x1fff);
        CPU_ZERO(&set);
        if (sched_getaffinity(0, sizeof set, &set) == 0)
                for (int i = 0; i < CPU_SETSIZE; i++)
                        if (CPU_ISSET(i, &set)) {
                                printf("%s%d", first ? "" : ", ", i);
                                first = false;
                        }
        printf("], \"personality\": %d, \"machine\": \"%s\"}", personality(0xffffffff), u.machine);
}
