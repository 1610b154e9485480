/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>

#include "signal-util.h"
#include "test.h"

TEST(names_as_systemd) {
        ASSERT_STREQ(signal_name(SIGTERM), "TERM");
        ASSERT_STREQ(signal_name(SIGIO), "IO");
        ASSERT_NULL(signal_name(0));
        ASSERT_NULL(signal_name(SIGRTMIN));
        ASSERT_NULL(signal_name(-1));
}

TEST(to_string) {
        char buf[SIGNAL_STRING_MAX];

        ASSERT_STREQ(signal_to_string(SIGKILL, buf), "SIGKILL");
        ASSERT_STREQ(signal_to_string(SIGIO, buf), "SIGIO");
        ASSERT_STREQ(signal_to_string(SIGRTMIN, buf), "SIGRTMIN");
        ASSERT_STREQ(signal_to_string(SIGRTMIN + 3, buf), "SIGRTMIN+3");
        ASSERT_STREQ(signal_to_string(SIGRTMAX, buf), "SIGRTMIN+30");
        ASSERT_STREQ(signal_to_string(0, buf), "0");
        ASSERT_STREQ(signal_to_string(200, buf), "200");
}
