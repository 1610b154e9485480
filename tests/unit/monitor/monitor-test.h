/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The monitor tests' fd that stands for any in a hand-over: /dev/null, above
 * stdio. */

#include <fcntl.h>

#include "test.h"

static inline int fd_null(void) {
        int fd = open("/dev/null", O_RDONLY|O_CLOEXEC);
        ASSERT_TRUE(fd >= 3);
        return fd;
}
