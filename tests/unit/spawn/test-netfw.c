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

/* "IPHANDLE:IP6HANDLE:NAME", the one format of a start's tables, for
 * "cell __finish" (--netfw-table=) and a Port='s lock file alike: what is
 * written reads back the same, NETFW_HANDLE_BY_NAME and a "/" of an "@"
 * included. */
TEST(tables_format_parse_round_trip) {
        static const struct {
                const char *table;
                uint64_t handles[2];
                const char *text;
        } cases[] = {
                { "cell-web", { 7, 0 }, "7:0:cell-web" },
                { "cell-worker/3", { 0, 12 }, "0:12:cell-worker/3" },
                { "cell-a_b//0123456789abcdef", { NETFW_HANDLE_BY_NAME, NETFW_HANDLE_BY_NAME },
                  "18446744073709551615:18446744073709551615:cell-a_b//0123456789abcdef" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *text = netfw_tables_format(cases[i].table, cases[i].handles), *table = NULL;
                uint64_t handles[2] = {};

                ASSERT_STREQ(text, cases[i].text);
                ASSERT_OK(netfw_tables_parse(text, strlen(text), &table, handles));
                ASSERT_STREQ(table, cases[i].table);
                ASSERT_EQ_U64(handles[0], cases[i].handles[0]);
                ASSERT_EQ_U64(handles[1], cases[i].handles[1]);
                free(table);
                free(text);
        }
        /* A line of a longer text: only its n bytes are read. */
        char *table = NULL;
        uint64_t handles[2];
        ASSERT_OK(netfw_tables_parse("3:4:cell-a\n5:6:cell-b\n", strlen("3:4:cell-a"), &table, handles));
        ASSERT_STREQ(table, "cell-a");
        free(table);
}

/* Hostile input, from a file or a command line: nothing that is not what
 * netfw_tables_format() writes, and nothing that could go into an nft
 * script as more than one name (a newline, a space, a quote, a ";"). */
TEST(tables_parse_refuses) {
        static const char *const bad[] = {
                "", "cell-web", "1:cell-web", "1:2:", "1:2", ":2:cell-web", "1::cell-web", "::cell-web",
                "x:2:cell-web", "-1:2:cell-web", "+1:2:cell-web", " 1:2:cell-web", "01:2:cell-web",
                "1:00:cell-web", "0x1:2:cell-web",
                /* Overflowing handles: one more than UINT64_MAX, and far more. */
                "18446744073709551616:0:cell-web", "0:18446744073709551616:cell-web",
                "99999999999999999999999:0:cell-web", "184467440737095516150:0:cell-web",
                /* Not a name netfw_table_name() makes. */
                "1:2:web", "1:2:cell-", "1:2:Cell-web", "1:2:cell-a b", "1:2:cell-a:b", "1:2:cell-a\nb",
                "1:2:cell-a\n", "1:2:cell-a;", "1:2:cell-a\"", "1:2:cell-a\\b", "1:2:cell-a@b", "1:2:cell-a\tb",
                "1:2:cell-a ", "1:2:cell-a\r", "1:2:/cell-a", "1:2:cell-a\n3:4:cell-b",
        };
        char long_name[300];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *table = (char *) "untouched";
                uint64_t handles[2] = { 42, 43 };

                if (netfw_tables_parse(bad[i], strlen(bad[i]), &table, handles) != -EINVAL) {
                        fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
                        ASSERT_TRUE(false);
                }
                ASSERT_STREQ(table, "untouched");
                ASSERT_EQ_U64(handles[0], 42);
        }
        /* A NUL inside the n bytes. */
        char *table = NULL;
        uint64_t handles[2];
        ASSERT_ERROR(netfw_tables_parse("1:2:cell-a\0b", 12, &table, handles), EINVAL);
        /* nft's 255 characters, not one more. */
        memcpy(long_name, "1:2:cell-", 9);
        memset(long_name + 9, 'a', 255 - 5);
        long_name[9 + 250] = 0;
        ASSERT_OK(netfw_tables_parse(long_name, strlen(long_name), &table, handles));
        ASSERT_EQ(strlen(table), 255);
        free(table);
        long_name[9 + 250] = 'a';
        long_name[9 + 251] = 0;
        ASSERT_ERROR(netfw_tables_parse(long_name, strlen(long_name), &table, handles), EINVAL);
        /* The largest handle is one: NETFW_HANDLE_BY_NAME. */
        ASSERT_OK(netfw_tables_parse("18446744073709551615:0:cell-a", 29, &table, handles));
        ASSERT_EQ_U64(handles[0], UINT64_MAX);
        free(table);
}
