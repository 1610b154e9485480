/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* src/unit/config-isolation.c: [Isolation]'s values. */
#include <linux/capability.h>

#include "config-assign-test.h"
#include "test.h"

TEST(isolation) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "Isolation", "PrivateNetwork", "no");
        ASSERT_FALSE(c.private_network);
        OK(&c, "Isolation", "PrivateNetwork", "");
        ASSERT_TRUE(c.private_network);         /* reset to the default, yes */
        OK(&c, "Isolation", "NoNewPrivileges", "false");
        ASSERT_FALSE(c.no_new_privileges);
        OK(&c, "Isolation", "NoNewPrivileges", "");
        ASSERT_TRUE(c.no_new_privileges);
        OK(&c, "Isolation", "PrivateTime", "yes");
        ASSERT_TRUE(c.private_time);

        OK(&c, "Isolation", "PrivateUsers", "pick");
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_PICK);
        ASSERT_EQ(c.private_users_count, 65536);
        OK(&c, "Isolation", "PrivateUsers", "yes");
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_YES);
        OK(&c, "Isolation", "PrivateUsers", "100000:65536");
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_FIXED);
        ASSERT_EQ(c.private_users_uid, 100000);
        ASSERT_EQ(c.private_users_count, 65536);
        OK(&c, "Isolation", "PrivateUsers", "200000");
        ASSERT_EQ(c.private_users_uid, 200000);
        ASSERT_EQ(c.private_users_count, 65536);
        /* As nspawn: the COUNT in C's notation, the UID decimal (a UID is never octal). */
        OK(&c, "Isolation", "PrivateUsers", "0100000:0x10000");
        ASSERT_EQ(c.private_users_uid, 100000);
        ASSERT_EQ(c.private_users_count, 65536);
        BAD(&c, "Isolation", "PrivateUsers", "0x10:1", "expected no, yes, pick or UID[:COUNT]");
        BAD(&c, "Isolation", "PrivateUsers", "4294967295:2", "UID+COUNT <= 4294967295");
        BAD(&c, "Isolation", "PrivateUsers", "1000:0", "COUNT >= 1");
        /* As nspawn's parse_uid(): the 16-bit (uid_t) -1 is no UID; a range across it is fine. */
        BAD(&c, "Isolation", "PrivateUsers", "65535:1", "UID is not 65535");
        BAD(&c, "Isolation", "PrivateUsers", "65535", "UID is not 65535");
        OK(&c, "Isolation", "PrivateUsers", "65534:2");
        ASSERT_EQ(c.private_users_uid, 65534);
        BAD(&c, "Isolation", "PrivateUsers", "some", "expected no, yes, pick or UID[:COUNT]");
        /* nspawn's "identity" is 0:65536: the host's root as the container's. */
        BAD_EXACT(&c, "Isolation", "PrivateUsers", "identity",
                  "web.cell:7: PrivateUsers=identity: expected no, yes, pick or UID[:COUNT]; not nspawn's "
                  "\"identity\" (0:65536), which makes the container's root the host's root");
        OK(&c, "Isolation", "PrivateUsers", "no");
        ASSERT_EQ(c.private_users, CELL_PRIVATE_USERS_NO);

        OK(&c, "Isolation", "Capability", "CAP_NET_ADMIN");
        OK(&c, "Isolation", "Capability", "sys_time");
        ASSERT_EQ_U64(c.capability, (UINT64_C(1) << CAP_NET_ADMIN) | (UINT64_C(1) << CAP_SYS_TIME));
        BAD_EXACT(&c, "Isolation", "Capability", "CAP_FLY",
                  "web.cell:7: Capability=CAP_FLY: expected capability names (CAP_NET_ADMIN, net_raw) "
                  "or \"all\" (\"CAP_FLY\" is not one)");
        OK(&c, "Isolation", "Capability", "");
        ASSERT_EQ_U64(c.capability, 0);
        OK(&c, "Isolation", "DropCapability", "all");
        ASSERT_TRUE(c.drop_capability & (UINT64_C(1) << CAP_SYS_ADMIN));
        OK(&c, "Isolation", "AmbientCapability", "CAP_NET_BIND_SERVICE");
        OK(&c, "Isolation", "AmbientCapability", "net_raw");
        ASSERT_EQ_U64(c.ambient_capability, (UINT64_C(1) << CAP_NET_BIND_SERVICE) | (UINT64_C(1) << CAP_NET_RAW));
        /* "all" is refused, as nspawn refuses it: every capability, whatever the user. */
        BAD_EXACT(&c, "Isolation", "AmbientCapability", "chown,ALL",
                  "web.cell:7: AmbientCapability=chown,ALL: expected capability names (CAP_NET_BIND_SERVICE, "
                  "net_raw); \"all\" is not taken here");
        BAD(&c, "Isolation", "AmbientCapability", "CAP_FLY", "(\"CAP_FLY\" is not one)");
        BAD(&c, "Isolation", "Capability", "~CAP_NET_RAW",
            "(\"~CAP_NET_RAW\" is not one; DropCapability= takes capabilities away)");
        ASSERT_EQ_U64(c.ambient_capability, (UINT64_C(1) << CAP_NET_BIND_SERVICE) | (UINT64_C(1) << CAP_NET_RAW));
        OK(&c, "Isolation", "AmbientCapability", "");
        ASSERT_EQ_U64(c.ambient_capability, 0);

        OK(&c, "Isolation", "SystemCallFilter", "@system-service");
        OK(&c, "Isolation", "SystemCallFilter", "~@privileged");
        ASSERT_TRUE(c.syscall_filter_allow_list);
        BAD_EXACT(&c, "Isolation", "SystemCallFilter", "~fly",
                  "web.cell:7: SystemCallFilter=~fly: expected system call names or @groups (\"fly\" is neither)");
        BAD(&c, "Isolation", "SystemCallFilter", "~mount:EWHAT",
            "expected an errno name, a number 0..4095 or \"kill\"");
        BAD(&c, "Isolation", "SystemCallFilter", "~mount:4096", "expected an errno name, a number 0..4095");
        BAD(&c, "Isolation", "SystemCallFilter", "~mount:KILL", "(in \"mount:KILL\")");
        BAD(&c, "Isolation", "SystemCallFilter", "mount:EPERM", "no :ERRNO in an allow list");
        BAD(&c, "Isolation", "SystemCallFilter", "~mount ~", "expected system call names or @groups");
        OK(&c, "Isolation", "SystemCallFilter", "");
        ASSERT_FALSE(c.syscall_filter_set);
        /* "~" alone is systemd's empty deny list: nothing denied, but the
         * lines after it take calls out of a deny list, not make an allow list. */
        OK(&c, "Isolation", "SystemCallFilter", "~");
        ASSERT_TRUE(c.syscall_filter_set);
        ASSERT_FALSE(c.syscall_filter_allow_list);
        ASSERT_EQ(c.n_syscall_filter, 0U);
        OK(&c, "Isolation", "SystemCallFilter", "mount");
        ASSERT_FALSE(c.syscall_filter_allow_list);
        ASSERT_EQ(c.n_syscall_filter, 0U);
        OK(&c, "Isolation", "SystemCallFilter", "");
        OK(&c, "Isolation", "SystemCallFilter", "~@mount");
        ASSERT_FALSE(c.syscall_filter_allow_list);
        /* As systemd 252: ":kill" kills, ":0" returns success doing nothing. */
        OK(&c, "Isolation", "SystemCallFilter", "~ptrace:kill sync:0");
        ASSERT_EQ(c.n_syscall_filter, 3U);
        ASSERT_STREQ(c.syscall_filter[1].name, "ptrace");
        ASSERT_EQ(c.syscall_filter[1].error, CELL_SYSCALL_KILL);
        ASSERT_STREQ(c.syscall_filter[2].name, "sync");
        ASSERT_EQ(c.syscall_filter[2].error, 0);

        OK(&c, "Isolation", "SystemCallErrorNumber", "EPERM");
        ASSERT_EQ(c.syscall_error_number, EPERM);
        OK(&c, "Isolation", "SystemCallErrorNumber", "38");
        ASSERT_EQ(c.syscall_error_number, 38);
        BAD(&c, "Isolation", "SystemCallErrorNumber", "EFOO", "expected an errno name");
        /* "kill" as systemd 252 takes it; 0 is no error to fail with. */
        OK(&c, "Isolation", "SystemCallErrorNumber", "kill");
        ASSERT_EQ(c.syscall_error_number, CELL_SYSCALL_KILL);
        BAD_EXACT(&c, "Isolation", "SystemCallErrorNumber", "0",
                  "web.cell:7: SystemCallErrorNumber=0: expected an errno name (EPERM), a number between 1 "
                  "and 4095, or \"kill\"");
        OK(&c, "Isolation", "SystemCallErrorNumber", "");
        ASSERT_EQ(c.syscall_error_number, -1);
        cell_config_done(&c);
        diag_done(&diag);
}
