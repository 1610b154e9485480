/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/resource.h>

#include "spawn-child.h"

static const char *const rlimit_keys[RLIMIT_NLIMITS] = {
        [RLIMIT_CPU] = "LimitCPU",
        [RLIMIT_FSIZE] = "LimitFSIZE",
        [RLIMIT_DATA] = "LimitDATA",
        [RLIMIT_STACK] = "LimitSTACK",
        [RLIMIT_CORE] = "LimitCORE",
        [RLIMIT_RSS] = "LimitRSS",
        [RLIMIT_NPROC] = "LimitNPROC",
        [RLIMIT_NOFILE] = "LimitNOFILE",
        [RLIMIT_MEMLOCK] = "LimitMEMLOCK",
        [RLIMIT_AS] = "LimitAS",
        [RLIMIT_LOCKS] = "LimitLOCKS",
        [RLIMIT_SIGPENDING] = "LimitSIGPENDING",
        [RLIMIT_MSGQUEUE] = "LimitMSGQUEUE",
        [RLIMIT_NICE] = "LimitNICE",
        [RLIMIT_RTPRIO] = "LimitRTPRIO",
        [RLIMIT_RTTIME] = "LimitRTTIME",
};

int rlimits_apply(const PlanRlimit *rlimits, size_t n, SpawnError *err) {
        for (size_t i = 0; i < n; i++) {
                const PlanRlimit *l = rlimits + i;
                struct rlimit rl = { .rlim_cur = l->soft, .rlim_max = l->hard };
                const char *key = l->resource >= 0 && l->resource < RLIMIT_NLIMITS ?
                        rlimit_keys[l->resource] : NULL;

                if (setrlimit((__rlimit_resource_t) l->resource, &rl) < 0)
                        return spawn_error(err, errno, "%s=: setrlimit", key ?: "Limit");
        }
        return 0;
}
