/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-limits.c: [Limits] values as systemd 252's unit files
 * take them (load-fragment.c), where the parsers alone do not say it. */
#include <sys/resource.h>

#include "config-test.h"
#include "strv.h"
#include "test.h"

static Diagnostics diag;

static const char *assign(CellConfig *c, const char *key, const char *value) {
        return config_test_assign(&diag, c, "Limits", key, value);
}

/* An empty Limit*= is no reset in systemd 252: rlimit_parse() finds no
 * number in it ("Failed to parse resource value, ignoring"), and the
 * earlier value stays. cell took it as a reset, so a drop-in's
 * "LimitNOFILE=" silently dropped the unit's limit, where systemd keeps it. */
TEST(rlimit_empty_is_no_reset) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(assign(&c, "LimitNOFILE", "1024:4096"));
        ASSERT_STREQ(assign(&c, "LimitNOFILE", ""),
                     "web.cell:7: LimitNOFILE=: expected SOFT[:HARD], each a number or \"infinity\"; "
                     "an empty value resets nothing, as in systemd");
        ASSERT_TRUE(c.rlimits[RLIMIT_NOFILE].set);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].soft, 1024);
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].hard, 4096);
        ASSERT_CONTAINS(assign(&c, "LimitCPU", ""), "LimitCPU=: expected SOFT[:HARD], each a time span");
        ASSERT_FALSE(c.rlimits[RLIMIT_CPU].set);
        ASSERT_CONTAINS(assign(&c, "LimitNICE", ""), "LimitNICE=: expected SOFT[:HARD], each a nice level");
        /* The later assignment wins, as in systemd. */
        ASSERT_NULL(assign(&c, "LimitNOFILE", "infinity"));
        ASSERT_EQ_U64(c.rlimits[RLIMIT_NOFILE].soft, RLIM_INFINITY);
        cell_config_done(&c);
        diag_done(&diag);
}

/* An empty Slice= is no reset either: systemd 252 loads no slice of that
 * name ("Unit name  is not valid") and keeps the earlier one. cell put the
 * container back in machine.slice. */
TEST(slice_empty_is_no_reset) {
        CellConfig c;

        cell_config_init(&c);
        ASSERT_NULL(assign(&c, "Slice", "web.slice"));
        ASSERT_STREQ(assign(&c, "Slice", ""),
                     "web.cell:7: Slice=: expected a slice unit name such as \"machine.slice\"");
        ASSERT_STREQ(c.slice, "web.slice");
        cell_config_done(&c);
        diag_done(&diag);
}
