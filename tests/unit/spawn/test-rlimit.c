/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/spawn/rlimit.c: a Limit*= the kernel refuses is told with the value
 * asked and the hard limit in force. Only refused calls are made here, so
 * the test's own limits never change. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "spawn-child.h"
#include "test.h"

TEST(refused_limit_says_value_and_hard_limit) {
        struct rlimit now;
        SpawnError err = {};
        char want[256];
        unsigned long long nr_open;
        FILE *f = fopen("/proc/sys/fs/nr_open", "re");

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fscanf(f, "%llu", &nr_open), 1);
        fclose(f);

        /* Past fs.nr_open: refused even with CAP_SYS_RESOURCE. */
        PlanRlimit nofile = { .resource = RLIMIT_NOFILE, .soft = nr_open + 1, .hard = nr_open + 1 };
        ASSERT_OK(getrlimit(RLIMIT_NOFILE, &now));
        ASSERT_ERROR(rlimits_apply(&nofile, 1, &err), EPERM);
        snprintf(want, sizeof want, "LimitNOFILE=%llu: setrlimit (the hard limit in force is %llu; at most "
                 "fs.nr_open=%llu)", nr_open + 1, (unsigned long long) now.rlim_max, nr_open);
        ASSERT_STREQ(err.message, want);

        /* Soft above hard, as SOFT:HARD; infinity by name. */
        PlanRlimit core = { .resource = RLIMIT_CORE, .soft = RLIM_INFINITY, .hard = 1 };
        ASSERT_OK(getrlimit(RLIMIT_CORE, &now));
        ASSERT_ERROR(rlimits_apply(&core, 1, &err), EINVAL);
        if (now.rlim_max == RLIM_INFINITY)
                snprintf(want, sizeof want, "LimitCORE=infinity:1: setrlimit (the hard limit in force is infinity)");
        else
                snprintf(want, sizeof want, "LimitCORE=infinity:1: setrlimit (the hard limit in force is %llu)",
                         (unsigned long long) now.rlim_max);
        ASSERT_STREQ(err.message, want);
}
