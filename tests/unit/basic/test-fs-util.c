/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/basic/fs-util.c: block_device_node(), a block device's node for a
 * message or an open: its kernel name, or none where sysfs has no such
 * device. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs-util.h"
#include "test.h"

TEST(block_device_node) {
        char name[64] = "x", p[96];
        struct stat st;

        block_device_node(makedev(0, 0), name, sizeof name);
        ASSERT_STREQ(name, "");
        ASSERT_OK(stat("/", &st) < 0 ? -errno : 0);
        if (major(st.st_dev) == 0) {
                printf("skip - / is on no block device here\n");
                return;
        }
        block_device_node(st.st_dev, name, sizeof name);
        ASSERT_TRUE(startswith(name, "/dev/") && name[5] && !strchr(name, '\n'));
        /* The name the kernel gives the device in /sys/class/block, and
         * the node of that number. */
        snprintf(p, sizeof p, "/sys/class/block/%s", name + 5);
        ASSERT_OK(access(p, F_OK) < 0 ? -errno : 0);
        ASSERT_OK(stat(name, &st) < 0 ? -errno : 0);
        ASSERT_TRUE(S_ISBLK(st.st_mode));
        /* No room: nothing but the end. */
        block_device_node(st.st_rdev, name, 1);
        ASSERT_STREQ(name, "");
        /* One byte too little for the whole name: none, not a part of it. */
        block_device_node(st.st_rdev, name, sizeof name);
        size_t len = strlen(name);
        ASSERT_TRUE(len > 0);
        block_device_node(st.st_rdev, name, len);
        ASSERT_STREQ(name, "");
}
