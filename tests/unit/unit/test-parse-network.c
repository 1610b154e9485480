/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse-network.c: which Address= Port= can forward to. A DNAT on the host
 * to an address the host takes as its own (127.0.0.0/8, ::1) reaches the
 * host's loopback services, not the container; one to no unicast address
 * reaches nobody. */
#include <sys/socket.h>

#include "parse-network.h"
#include "test.h"

TEST(port_target_families) {
        const char *v4[] = { "10.0.0.2/24", "192.168.1.1/32", "1.2.3.4/8", "126.255.255.255/8", "128.0.0.1/16",
                             "223.255.255.1/24", "169.254.1.2/16", "100.64.0.1/10" };
        const char *v6[] = { "fd00::2/64", "2001:db8::1/64", "::ffff:10.0.0.2/96", "fec0::1/64" };
        const char *none[] = { "127.0.0.1/8", "127.0.0.2/8", "127.255.255.254/8", "0.0.0.0/8", "0.1.2.3/8",
                               "224.0.0.5/24", "239.1.1.1/8", "255.255.255.255/32", "fe80::2/64", "::1/128",
                               "::/0", "ff02::1/64", "not-an-address/24", "10.0.0.300/24" };

        for (size_t i = 0; i < ELEMENTSOF(v4); i++)
                ASSERT_EQ(address_port_family(v4[i]), AF_INET);
        for (size_t i = 0; i < ELEMENTSOF(v6); i++)
                ASSERT_EQ(address_port_family(v6[i]), AF_INET6);
        for (size_t i = 0; i < ELEMENTSOF(none); i++)
                ASSERT_EQ(address_port_family(none[i]), 0);
}
