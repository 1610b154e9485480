/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What cell makes of a scope of its name that exists already: reset it, stop
 * it (active with no process: over, its end not yet seen by systemd), or
 * refuse the start. Only a scope known to be both active and empty is stopped. */

#include "scope-bus-leftover.h"
#include "test.h"

TEST(over_is_reset) {
        ASSERT_EQ(scope_leftover_classify("inactive", -1), SCOPE_LEFTOVER_RESET);
        ASSERT_EQ(scope_leftover_classify("failed", -1), SCOPE_LEFTOVER_RESET);
        /* Processes left in a failed scope do not make it running. */
        ASSERT_EQ(scope_leftover_classify("failed", 3), SCOPE_LEFTOVER_RESET);
}

TEST(empty_and_not_over_is_stale) {
        ASSERT_EQ(scope_leftover_classify("active", 0), SCOPE_LEFTOVER_STALE);
        /* A stop job under way. */
        ASSERT_EQ(scope_leftover_classify("deactivating", 0), SCOPE_LEFTOVER_STALE);
}

TEST(a_start_under_way_is_running) {
        /* Another cell's start: its process may not be in the cgroup yet. */
        ASSERT_EQ(scope_leftover_classify("activating", 0), SCOPE_LEFTOVER_RUNNING);
        /* Not a state a scope has: not known to be over. */
        ASSERT_EQ(scope_leftover_classify("reloading", 0), SCOPE_LEFTOVER_RUNNING);
}

TEST(processes_or_doubt_is_running) {
        ASSERT_EQ(scope_leftover_classify("active", 1), SCOPE_LEFTOVER_RUNNING);
        ASSERT_EQ(scope_leftover_classify("deactivating", 2), SCOPE_LEFTOVER_RUNNING);
        /* Processes not known (GetProcesses failed): never cleared on a guess. */
        ASSERT_EQ(scope_leftover_classify("active", -1), SCOPE_LEFTOVER_RUNNING);
        /* State not read. */
        ASSERT_EQ(scope_leftover_classify(NULL, 0), SCOPE_LEFTOVER_RUNNING);
        ASSERT_EQ(scope_leftover_classify(NULL, -1), SCOPE_LEFTOVER_RUNNING);
}

TEST(names) {
        ASSERT_STREQ(scope_leftover_to_string(SCOPE_LEFTOVER_RESET), "reset");
        ASSERT_STREQ(scope_leftover_to_string(SCOPE_LEFTOVER_STALE), "stale");
        ASSERT_STREQ(scope_leftover_to_string(SCOPE_LEFTOVER_RUNNING), "running");
        ASSERT_NULL(scope_leftover_to_string(_SCOPE_LEFTOVER_MAX));
}
