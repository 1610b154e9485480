/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netfw.h"
#include "test.h"

/* A unit's own table: "@" is "/" (nft takes no "@" in a name, nor a quoted
 * name), "_" stays, so that "worker@3" and "worker_3", one machine name
 * "worker-3" that can run twice (on a bridge and not), keep a table each. */
TEST(table_name) {
        char *t = netfw_table_name("worker@3");

        ASSERT_STREQ(t, "cell-worker/3");
        free(t);
        t = netfw_table_name("worker_3");
        ASSERT_STREQ(t, "cell-worker_3");
        free(t);
        t = netfw_table_name("web-1.a");
        ASSERT_STREQ(t, "cell-web-1.a");
        free(t);
}

/* ":" and "\" have no stand-in nft takes: "_" and a hash of the whole
 * name after "//", which a name of the other kind never has, so "a:b",
 * "a\b" and "a_b" are three tables; at most nft's 255 characters. */
TEST(table_name_hashed) {
        char *colon = netfw_table_name("a:b"), *backslash = netfw_table_name("a\\b"), *plain = netfw_table_name("a_b");
        char long_name[241];

        ASSERT_NOT_NULL(colon);
        ASSERT_NOT_NULL(backslash);
        ASSERT_EQ(strncmp(colon, "cell-a_b//", 10), 0);
        ASSERT_EQ(strlen(colon), 10 + 16);
        ASSERT_EQ(strspn(colon + 10, "0123456789abcdef"), 16);
        ASSERT_EQ(strncmp(backslash, "cell-a_b//", 10), 0);
        ASSERT_TRUE(strcmp(colon, backslash) != 0);
        ASSERT_STREQ(plain, "cell-a_b");
        free(colon);
        free(backslash);
        free(plain);

        memset(long_name, ':', sizeof long_name - 1);
        long_name[sizeof long_name - 1] = 0;
        colon = netfw_table_name(long_name);
        ASSERT_EQ(strlen(colon), 255);
        ASSERT_EQ(strspn(colon + 255 - 18, "/"), 2);
        free(colon);
}

/* Port= over both families, as nspawn's, each in a table of its own
 * ("ip", "ip6"): to the container's IPv4 address and to its IPv6 one
 * ("[ADDR]:PORT"), from other hosts and from the host itself, but not the
 * host's own to its loopback, 127.0.0.0/8 or ::1. */
TEST(script_both_families) {
        CellPort ports[] = { { IPPROTO_TCP, 8080, 80 }, { IPPROTO_UDP, 5353, 53 } };
        Plan p = { .ports = ports, .n_ports = 2, .ports_ipv4 = (char *) "10.0.0.2",
                   .ports_ipv6 = (char *) "fd00::2" };
        char *s = netfw_script("cell-web", AF_INET, &p);

        ASSERT_NOT_NULL(s);
        ASSERT_CONTAINS(s, "add table ip cell-web\ndelete table ip cell-web\nadd table ip cell-web\n");
        ASSERT_CONTAINS(s, "add chain ip cell-web prerouting { type nat hook prerouting priority dstnat;");
        ASSERT_CONTAINS(s, "add rule ip cell-web prerouting fib daddr type local tcp dport 8080 "
                        "dnat to 10.0.0.2:80\n");
        ASSERT_CONTAINS(s, "add rule ip cell-web output ip daddr != 127.0.0.0/8 fib daddr type local "
                        "tcp dport 8080 dnat to 10.0.0.2:80\n");
        ASSERT_CONTAINS(s, "add rule ip cell-web prerouting fib daddr type local udp dport 5353 "
                        "dnat to 10.0.0.2:53\n");
        /* Nothing of the other family in this one's transaction. */
        ASSERT_NULL(strstr(s, "ip6"));
        ASSERT_NULL(strstr(s, "inet"));
        free(s);

        s = netfw_script("cell-web", AF_INET6, &p);
        ASSERT_NOT_NULL(s);
        ASSERT_CONTAINS(s, "add table ip6 cell-web\ndelete table ip6 cell-web\nadd table ip6 cell-web\n");
        ASSERT_CONTAINS(s, "add rule ip6 cell-web prerouting fib daddr type local tcp dport 8080 "
                        "dnat to [fd00::2]:80\n");
        ASSERT_CONTAINS(s, "add rule ip6 cell-web output ip6 daddr != ::1 fib daddr type local "
                        "tcp dport 8080 dnat to [fd00::2]:80\n");
        ASSERT_CONTAINS(s, "add rule ip6 cell-web prerouting fib daddr type local udp dport 5353 "
                        "dnat to [fd00::2]:53\n");
        ASSERT_NULL(strstr(s, "10.0.0.2"));
        free(s);
}

/* A family the container has no address of gets no table: the script only
 * deletes one an earlier start left. */
TEST(script_one_family) {
        CellPort port = { IPPROTO_TCP, 8080, 80 };
        Plan p = { .ports = &port, .n_ports = 1, .ports_ipv6 = (char *) "fd00::2" };
        char *s = netfw_script("cell-web", AF_INET, &p);

        ASSERT_STREQ(s, "add table ip cell-web\ndelete table ip cell-web\n");
        free(s);

        p = (Plan) { .ports = &port, .n_ports = 1, .ports_ipv4 = (char *) "10.0.0.2" };
        s = netfw_script("cell-web", AF_INET6, &p);
        ASSERT_STREQ(s, "add table ip6 cell-web\ndelete table ip6 cell-web\n");
        free(s);
}

/* The handle of the table a start added, from nft's echo: a table that
 * was there echoes only its new "add" (the first "add" changed nothing);
 * one that was not is added, deleted and added again: the last counts. */
TEST(echo_table_handle) {
        const char *fresh = "add table ip cell-web # handle 1\n"
                            "add table ip cell-web # handle 2\n"
                            "add chain ip cell-web prerouting { type nat hook prerouting priority dstnat; policy accept; } # handle 1\n"
                            "add rule ip cell-web prerouting tcp dport 80 dnat to 10.0.0.2:80 # handle 2\n"
                            "# new generation 2 by process 31701 (cell)\n";
        const char *again = "add table ip6 cell-web # handle 3\n"
                            "add chain ip6 cell-web output { type nat hook output priority -100; policy accept; } # handle 1\n";

        ASSERT_EQ(netfw_echo_table_handle(fresh, AF_INET, "cell-web"), 2u);
        ASSERT_EQ(netfw_echo_table_handle(again, AF_INET6, "cell-web"), 3u);
        /* Another family, another table (a prefix of it too), no echo at all. */
        ASSERT_EQ(netfw_echo_table_handle(fresh, AF_INET6, "cell-web"), 0u);
        ASSERT_EQ(netfw_echo_table_handle(fresh, AF_INET, "cell-we"), 0u);
        ASSERT_EQ(netfw_echo_table_handle("add table ip cell-web/1 # handle 9", AF_INET, "cell-web"), 0u);
        ASSERT_EQ(netfw_echo_table_handle("", AF_INET, "cell-web"), 0u);
        ASSERT_EQ(netfw_echo_table_handle(NULL, AF_INET, "cell-web"), 0u);
        /* Only a whole number is a handle. */
        ASSERT_EQ(netfw_echo_table_handle("add table ip cell-web # handle 4x\n", AF_INET, "cell-web"), 0u);
        ASSERT_EQ(netfw_echo_table_handle("add table ip cell-web # handle 0\n", AF_INET, "cell-web"), 0u);
}
