/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse-name.c's checks where they follow systemd's rules, beside
 * test-parse-value.c's first look at each: host names by systemd's
 * hostname_is_valid(), user and group names by its relaxed rules. */
#include "parse-value.h"
#include "test.h"

TEST(hostname_labels) {
        const char *good[] = { "web", "web-1", "a-b.c-d", "web_1", "a.b.c", "x1", "a--b" };
        const char *bad[] = { "-web", "web-", "a.-b", "a-.b", "a.b-", "-", "a..b", ".a", "a.", "a b" };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ASSERT_TRUE(hostname_is_valid(good[i]));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_FALSE(hostname_is_valid(bad[i]));
}

TEST(user_names_relaxed) {
        /* What SSSD, Samba and Windows domains name their users. */
        const char *good[] = { "alice@example.com", "DOMAIN\\alice", "domain users", "~x", "Ölaf",
                               "www-data", "_apt", "1000", "0", "a$", "-x" };
        const char *bad[] = { "", " alice", "alice ", "a:b", "a/b", ".", "..", "a\nb", "a\tb", "a\x7f",
                              "\xff\xfe", "-1", "-65534", "4294967295", "65535", "99999999999999999999" };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ASSERT_TRUE(user_group_name_is_relaxed_valid(good[i]));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_FALSE(user_group_name_is_relaxed_valid(bad[i]));
        /* The strict rules still tell the portable ones. */
        ASSERT_TRUE(user_group_name_is_valid("www-data"));
        ASSERT_FALSE(user_group_name_is_valid("alice@example.com"));
        ASSERT_FALSE(user_group_name_is_valid("-x"));
}
