/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every Startup*= key a unit sets (plan_limits_startup_keys()), each named
 * where it was set, as the cgroupfs manager's start names them; and the
 * origins "cell verify" names a host's cgroup v1 refusals by. */

#include <limits.h>

#include "plan-test.h"

#define UNIT "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n[Limits]\nStartupCPUWeight=idle\n" \
        "StartupIOWeight=10\nStartupAllowedCPUs=0\nMemoryMin=1M\n"
#define DROPIN "[Limits]\nStartupAllowedMemoryNodes=0\nStartupAllowedCPUs=1\n"

static const char *prefix(const Plan *p, const char *message, char *buf, size_t n) {
        const char *slash;

        plan_message_origin(p, message, buf, n);
        slash = strstr(buf, "/web.cell");
        return slash ? slash + 1 : buf;
}

TEST(startup_keys_each_with_its_line) {
        const char *keys[PLAN_STARTUP_KEYS_MAX];
        const char *want[] = { "web.cell:6: ", "web.cell:7: ", "web.cell:8 (and 1 more line): ",
                               "web.cell.d/x.conf:2: " };
        char buf[PATH_MAX + 32], key[64];
        CellConfig c;
        Plan p = {};

        config_from_files(&c, "web", UNIT, DROPIN);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(plan_limits_startup_keys(&p.limits, keys), 4);
        ASSERT_STREQ(keys[0], "StartupCPUWeight");
        ASSERT_STREQ(keys[1], "StartupIOWeight");
        ASSERT_STREQ(keys[2], "StartupAllowedCPUs");
        ASSERT_STREQ(keys[3], "StartupAllowedMemoryNodes");
        for (size_t i = 0; i < 4; i++) {
                snprintf(key, sizeof key, "%s=:", keys[i]);
                ASSERT_STREQ(prefix(&p, key, buf, sizeof buf), want[i]);
        }
        plan_done(&p);
        cell_config_done(&c);
}

TEST(startup_keys_none) {
        PlanLimits l = { .cpu_quota_per_sec_usec = USEC_INFINITY };
        const char *keys[PLAN_STARTUP_KEYS_MAX];

        ASSERT_EQ(plan_limits_startup_keys(&l, keys), 0);
        l.startup_io_weight = 5;
        ASSERT_EQ(plan_limits_startup_keys(&l, keys), 1);
        ASSERT_STREQ(keys[0], "StartupIOWeight");
}

/* "cell verify" (verify_only) keeps the origins too: it names the lines of
 * what this host's cgroup v1 controllers would refuse. They were left out. */
TEST(verify_only_keeps_origins) {
        char buf[PATH_MAX + 32];
        CellConfig c;
        Plan p = {};

        config_from_files(&c, "web", UNIT, NULL);
        plan_ok(&c, &(PlanOptions) { .verify_only = true }, &p);
        ASSERT_STREQ(prefix(&p, "MemoryMin=: refused on this host", buf, sizeof buf), "web.cell:9: ");
        plan_done(&p);
        cell_config_done(&c);
}
