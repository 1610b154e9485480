/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse-name.c's checks where they follow systemd's rules, beside
 * test-parse-value.c's first look at each: host names by systemd's
 * hostname_is_valid(), user and group names by its relaxed rules. */
#include <stdlib.h>
#include <string.h>

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
                              "\xff\xfe", "-1", "-65534", "4294967295", "65535", "99999999999999999999",
                              "-" /* refused by systemd 252: User=- is a fatal error there */ };

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ASSERT_TRUE(user_group_name_is_relaxed_valid(good[i]));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_FALSE(user_group_name_is_relaxed_valid(bad[i]));
        /* The strict rules still tell the portable ones. */
        ASSERT_TRUE(user_group_name_is_valid("www-data"));
        ASSERT_FALSE(user_group_name_is_valid("alice@example.com"));
        ASSERT_FALSE(user_group_name_is_valid("-x"));
}

/* systemd 252's strict rules, whose miss is its "does not match strict
 * user/group name rules" notice: at most 31 bytes (utmp), no "." or "$". */
TEST(user_names_strict) {
        ASSERT_TRUE(user_group_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));      /* 31 */
        ASSERT_FALSE(user_group_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));    /* 32 */
        ASSERT_TRUE(user_group_name_is_relaxed_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        ASSERT_FALSE(user_group_name_is_valid("a.b"));
        ASSERT_FALSE(user_group_name_is_valid("a$"));
        ASSERT_TRUE(user_group_name_is_relaxed_valid("a.b"));
        ASSERT_TRUE(user_group_name_is_valid("_a-B9"));
        ASSERT_FALSE(user_group_name_is_valid("1a"));
}

/* As systemd's parse_uid(): no leading zero; all digits, no name either. */
TEST(user_ids_leading_zero) {
        ASSERT_TRUE(user_group_name_is_valid("0"));
        ASSERT_TRUE(user_group_name_is_relaxed_valid("0"));
        ASSERT_TRUE(user_group_name_is_relaxed_valid("100"));
        ASSERT_FALSE(user_group_name_is_valid("00"));
        ASSERT_FALSE(user_group_name_is_valid("0100"));
        ASSERT_FALSE(user_group_name_is_relaxed_valid("00"));
        ASSERT_FALSE(user_group_name_is_relaxed_valid("0100"));
        /* "+5" is no id to parse_uid(): a (relaxed) name, as systemd takes it. */
        ASSERT_TRUE(user_group_name_is_relaxed_valid("+5"));
}

/* Over 256 bytes: systemd takes it (relaxed rules set no length); cell
 * refuses it, LOGIN_NAME_MAX being 256: no system can log such a user in. */
TEST(user_names_too_long) {
        char name[258];

        memset(name, 'a', 256);
        name[256] = 0;
        ASSERT_TRUE(user_group_name_is_relaxed_valid(name));
        name[256] = 'a';
        name[257] = 0;
        ASSERT_FALSE(user_group_name_is_relaxed_valid(name));
}

/* systemd's path_is_valid(): no component over NAME_MAX (255) bytes. */
TEST(path_component_length) {
        char path[300] = "/";
        char *p = NULL;

        memset(path + 1, 'a', 255);
        ASSERT_OK(parse_path_absolute(path, &p));
        free(p);
        p = NULL;
        strcat(path, "a/b");
        ASSERT_ERROR(parse_path_absolute(path, &p), ERANGE);
        ASSERT_ERROR(parse_path_absolute_cc(path, &p), ERANGE);
        ASSERT_NULL(p);
}

/* WorkingDirectory='s path: a tab or other control character is part of a
 * name, as systemd 252 takes it; normalised as parse_path_absolute(). */
TEST(path_absolute_cc) {
        char *p = NULL;

        ASSERT_OK(parse_path_absolute_cc("/a\tb//./c\x01/", &p));
        ASSERT_STREQ(p, "/a\tb/c\x01");
        free(p);
        p = NULL;
        ASSERT_ERROR(parse_path_absolute("/a\tb", &p), EINVAL);
        ASSERT_ERROR(parse_path_absolute_cc("/a/../b", &p), EINVAL);
        ASSERT_ERROR(parse_path_absolute_cc("a\tb", &p), EINVAL);
        ASSERT_ERROR(parse_path_absolute_cc("", &p), EINVAL);
        ASSERT_NULL(p);
}
