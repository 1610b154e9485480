/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>

#include "parse-caps.h"
#include "test.h"

#define BIT(c) (UINT64_C(1) << (c))

TEST(names) {
        CellCapMask m = 0;
        _cleanup_free_ char *bad = NULL;

        ASSERT_OK(parse_capabilities("CAP_NET_ADMIN net_raw Sys_Ptrace", true, &m, &bad));
        ASSERT_EQ_U64(m, BIT(CAP_NET_ADMIN) | BIT(CAP_NET_RAW) | BIT(CAP_SYS_PTRACE));
        ASSERT_NULL(bad);
        /* OR'ed into what is there, comma separated works too */
        ASSERT_OK(parse_capabilities("cap_chown,CAP_KILL", true, &m, &bad));
        ASSERT_EQ_U64(m, BIT(CAP_NET_ADMIN) | BIT(CAP_NET_RAW) | BIT(CAP_SYS_PTRACE) | BIT(CAP_CHOWN) | BIT(CAP_KILL));
}

TEST(all) {
        CellCapMask m = 0;

        ASSERT_OK(parse_capabilities("all", true, &m, NULL));
        ASSERT_EQ_U64(m, cap_mask_all());
        ASSERT_TRUE(m & BIT(CAP_SYS_ADMIN));
        ASSERT_TRUE(m & BIT(CAP_CHOWN));
        m = 0;
        ASSERT_OK(parse_capabilities("ALL", true, &m, NULL));
        ASSERT_EQ_U64(m, cap_mask_all());
}

TEST(bad) {
        CellCapMask m = BIT(CAP_KILL);
        _cleanup_free_ char *bad = NULL;

        ASSERT_ERROR(parse_capabilities("CAP_NET_ADMIN CAP_FLY", true, &m, &bad), EINVAL);
        ASSERT_STREQ(bad, "CAP_FLY");
        ASSERT_EQ_U64(m, BIT(CAP_KILL));   /* unchanged */
        bad = mfree(bad);
        ASSERT_ERROR(parse_capabilities("12", true, &m, &bad), EINVAL);
        ASSERT_STREQ(bad, "12");
        ASSERT_ERROR(parse_capabilities("   ", true, &m, NULL), EINVAL);
        ASSERT_ERROR(parse_capabilities("cap_", true, &m, NULL), EINVAL);
}

/* libcap's cap_from_name() matches a known name at the start of the word and
 * ignores what follows a non-name character: "sys_admin.x" would be
 * CAP_SYS_ADMIN. systemd's lookup is of the whole word; neither grants it. */
TEST(trailing_garbage) {
        const char *words[] = { "cap_chown.x", "kill=ep", "net_raw-", "CAP_SYS_ADMIN+", "chown/", "cap_kill!" };
        _cleanup_free_ char *quoted = NULL;
        CellCapMask m = 0;

        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
                _cleanup_free_ char *bad = NULL;

                ASSERT_ERROR(parse_capabilities(words[i], true, &m, &bad), EINVAL);
                ASSERT_STREQ(bad, words[i]);
                ASSERT_EQ_U64(m, 0);
        }
        /* Quoted, two names are one word: it was CAP_CHOWN alone, CAP_KILL lost. */
        ASSERT_ERROR(parse_capabilities("\"cap_chown cap_kill\"", true, &m, &quoted), EINVAL);
        ASSERT_STREQ(quoted, "cap_chown cap_kill");
        ASSERT_EQ_U64(m, 0);
}

TEST(name_of) {
        _cleanup_free_ char *n = capability_name(CAP_NET_ADMIN);

        ASSERT_STREQ(n, "cap_net_admin");
        ASSERT_NULL(capability_name(200));
}
