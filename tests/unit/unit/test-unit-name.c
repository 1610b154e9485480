/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "test.h"
#include "unit-name.h"

TEST(is_valid) {
        ASSERT_TRUE(cell_name_is_valid("web", UNIT_NAME_PLAIN));
        ASSERT_FALSE(cell_name_is_valid("web", UNIT_NAME_TEMPLATE | UNIT_NAME_INSTANCE));
        ASSERT_TRUE(cell_name_is_valid("worker@", UNIT_NAME_TEMPLATE));
        ASSERT_FALSE(cell_name_is_valid("worker@", UNIT_NAME_PLAIN | UNIT_NAME_INSTANCE));
        ASSERT_TRUE(cell_name_is_valid("worker@3", UNIT_NAME_INSTANCE));
        ASSERT_TRUE(cell_name_is_valid("a-b_c:d.e\\x2d", UNIT_NAME_ANY));
        ASSERT_TRUE(cell_name_is_valid("tmpk2f9x", UNIT_NAME_ANY));

        ASSERT_FALSE(cell_name_is_valid("", UNIT_NAME_ANY));
        ASSERT_FALSE(cell_name_is_valid(NULL, UNIT_NAME_ANY));
        ASSERT_FALSE(cell_name_is_valid("@3", UNIT_NAME_ANY));
        ASSERT_FALSE(cell_name_is_valid("a@b@c", UNIT_NAME_ANY));
        ASSERT_FALSE(cell_name_is_valid("a b", UNIT_NAME_ANY));
        ASSERT_FALSE(cell_name_is_valid("a/b", UNIT_NAME_ANY));
        ASSERT_FALSE(cell_name_is_valid("caf\xc3\xa9", UNIT_NAME_ANY));

        /* The names of cell's own files in /run/cell, where a cell's state is
         * NAME/state: a unit "lock" wrote its state among the name locks. */
        static const char * const reserved[] = { "lock", "uid", "port", "place-lock", "image-lock",
                                                 "image-root", "zone.lock", "macvlan", ".state-lock", ".x" };
        for (size_t i = 0; i < ELEMENTSOF(reserved); i++) {
                ASSERT_TRUE(cell_name_is_reserved(reserved[i]));
                ASSERT_FALSE(cell_name_is_valid(reserved[i], UNIT_NAME_ANY));
        }
        /* A dot name's instance or template too: "cell list" skips dot names. */
        ASSERT_FALSE(cell_name_is_valid(".web@1", UNIT_NAME_ANY));
        ASSERT_FALSE(cell_name_is_valid(".web@", UNIT_NAME_ANY));
        _cleanup_free_ char *norm = NULL;
        ASSERT_EQ(unit_name_normalize("lock.cell", &norm), -EINVAL);
        static const char * const fine[] = { "lock@", "lock@3", "locks", "port2", "web.lock" };
        for (size_t i = 0; i < ELEMENTSOF(fine); i++) {
                ASSERT_FALSE(cell_name_is_reserved(fine[i]));
                ASSERT_TRUE(cell_name_is_valid(fine[i], UNIT_NAME_ANY));
        }

        /* 240 bytes is the limit: cell@NAME.service.d, the drop-in directory
         * of the service that runs it, is then 255 (NAME_MAX), the service a
         * valid unit name. A name of 241 to 250 bytes (255 with ".cell") was
         * valid, and its generator run failed with "File name too long". */
        char n[256];
        memset(n, 'a', sizeof(n));
        n[240] = 0;
        ASSERT_EQ(CELL_NAME_MAX, 240u);
        ASSERT_TRUE(cell_name_fits(n));
        ASSERT_TRUE(cell_name_is_valid(n, UNIT_NAME_ANY));
        for (size_t l = 241; l <= 250; l++) {
                memset(n, 'a', sizeof(n));
                n[l] = 0;
                ASSERT_FALSE(cell_name_fits(n));
                ASSERT_FALSE(cell_name_is_valid(n, UNIT_NAME_ANY));
        }
        /* The scope, cell-ESCAPED.scope, must fit in 255 too: "-", "\" and
         * "@" are "\xNN" there, four bytes each, and so is a leading ".". */
        memset(n, 'a', sizeof(n));
        n[240] = 0;
        n[10] = '-';
        ASSERT_TRUE(cell_name_is_valid(n, UNIT_NAME_PLAIN));          /* 243 escaped */
        n[20] = '\\';
        ASSERT_FALSE(cell_name_is_valid(n, UNIT_NAME_PLAIN));         /* 246 */
        n[20] = 'a';
        n[0] = '.';
        ASSERT_FALSE(cell_name_is_valid(n, UNIT_NAME_PLAIN));
        memset(n, 'a', sizeof(n));
        n[238] = 0;
        n[5] = '@';
        ASSERT_TRUE(cell_name_is_valid(n, UNIT_NAME_INSTANCE));       /* 241 escaped */
        n[6] = '-';
        n[7] = '-';
        ASSERT_FALSE(cell_name_is_valid(n, UNIT_NAME_INSTANCE));      /* 247 */
        memset(n, '-', 60);
        n[61] = 0;
        n[60] = 'a';
        ASSERT_TRUE(cell_name_is_valid(n, UNIT_NAME_PLAIN));          /* 241 */
        n[61] = '-';
        n[62] = 0;
        ASSERT_FALSE(cell_name_is_valid(n, UNIT_NAME_PLAIN));         /* 245 */
}

TEST(normalize) {
        char *n = NULL;

        ASSERT_OK(unit_name_normalize("web.cell", &n));
        ASSERT_STREQ(n, "web");
        n = mfree(n);
        ASSERT_OK(unit_name_normalize("web", &n));
        ASSERT_STREQ(n, "web");
        n = mfree(n);
        ASSERT_OK(unit_name_normalize("worker@3.cell", &n));
        ASSERT_STREQ(n, "worker@3");
        n = mfree(n);
        ASSERT_OK(unit_name_normalize("web.service", &n));
        ASSERT_STREQ(n, "web.service");
        n = mfree(n);
        ASSERT_ERROR(unit_name_normalize(".cell", &n), EINVAL);
        ASSERT_ERROR(unit_name_normalize("a b.cell", &n), EINVAL);
        ASSERT_NULL(n);
}

TEST(parts) {
        char *s = NULL;

        ASSERT_OK(unit_name_to_prefix("worker@3", &s));
        ASSERT_STREQ(s, "worker");
        s = mfree(s);
        ASSERT_OK(unit_name_to_prefix("web", &s));
        ASSERT_STREQ(s, "web");
        s = mfree(s);
        ASSERT_OK(unit_name_to_instance("worker@3", &s));
        ASSERT_STREQ(s, "3");
        s = mfree(s);
        ASSERT_OK(unit_name_to_instance("worker@", &s));
        ASSERT_STREQ(s, "");
        s = mfree(s);
        ASSERT_OK(unit_name_to_instance("web", &s));
        ASSERT_NULL(s);
        ASSERT_OK(unit_name_template("worker@3", &s));
        ASSERT_STREQ(s, "worker@");
        s = mfree(s);
        ASSERT_ERROR(unit_name_template("web", &s), EINVAL);
        ASSERT_OK(unit_name_replace_instance("worker@", "7", &s));
        ASSERT_STREQ(s, "worker@7");
        s = mfree(s);
        ASSERT_OK(unit_name_replace_instance("worker@3", "7", &s));
        ASSERT_STREQ(s, "worker@7");
        s = mfree(s);
        ASSERT_ERROR(unit_name_replace_instance("worker@", "a b", &s), EINVAL);
        ASSERT_ERROR(unit_name_replace_instance("web", "1", &s), EINVAL);
        /* an instance too long for its service */
        char i[240];
        memset(i, 'i', sizeof(i));
        i[sizeof(i) - 1] = 0;
        ASSERT_ERROR(unit_name_replace_instance("w@", i, &s), EINVAL);
        i[238] = 0;
        ASSERT_OK(unit_name_replace_instance("w@", i, &s));
        ASSERT_EQ(strlen(s), 240u);
        s = mfree(s);
        ASSERT_NULL(s);
}

static void check_escape(const char *in, const char *expect) {
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(unit_name_escape(in, &s));
        ASSERT_STREQ(s, expect);
}

TEST(escape) {
        /* What systemd-escape prints for the same input. */
        check_escape("web", "web");
        check_escape("my-web", "my\\x2dweb");
        check_escape("worker@3", "worker\\x403");
        check_escape("a/b c", "a-b\\x20c");
        check_escape(".hidden", "\\x2ehidden");
        check_escape("a.b:c_d", "a.b:c_d");
        check_escape("back\\slash", "back\\x5cslash");
        check_escape("caf\xc3\xa9", "caf\\xc3\\xa9");
        check_escape("", "");
}

TEST(unescape) {
        char *s = NULL;

        ASSERT_OK(unit_name_unescape("my\\x2dweb", &s));
        ASSERT_STREQ(s, "my-web");
        s = mfree(s);
        ASSERT_OK(unit_name_unescape("a-b\\x20c", &s));
        ASSERT_STREQ(s, "a/b c");
        s = mfree(s);
        ASSERT_OK(unit_name_unescape("\\x2E\\x2e", &s));
        ASSERT_STREQ(s, "..");
        s = mfree(s);
        ASSERT_ERROR(unit_name_unescape("a\\y20", &s), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\x2", &s), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\x00b", &s), EINVAL);
        ASSERT_NULL(s);
}

TEST(escape_roundtrip) {
        const char *inputs[] = { "web", "my-web", "a/b/c", ".x", "sp ace", "\x01\xff" };

        for (size_t i = 0; i < ELEMENTSOF(inputs); i++) {
                _cleanup_free_ char *e = NULL, *u = NULL;

                ASSERT_OK(unit_name_escape(inputs[i], &e));
                ASSERT_OK(unit_name_unescape(e, &u));
                ASSERT_STREQ(u, inputs[i]);
        }
}

TEST(path_unescape) {
        char *s = NULL;

        ASSERT_OK(unit_name_path_unescape("-", &s));
        ASSERT_STREQ(s, "/");
        s = mfree(s);
        ASSERT_OK(unit_name_path_unescape("srv-www", &s));
        ASSERT_STREQ(s, "/srv/www");
        s = mfree(s);
        ASSERT_OK(unit_name_path_unescape("dev-disk-by\\x2dlabel", &s));
        ASSERT_STREQ(s, "/dev/disk/by-label");
        s = mfree(s);
        ASSERT_ERROR(unit_name_path_unescape("", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("-srv", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("srv-", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("a--b", &s), EINVAL);
        ASSERT_ERROR(unit_name_path_unescape("a-..-b", &s), EINVAL);
        ASSERT_NULL(s);
}

TEST(service_name) {
        const char *names[] = { "web", "worker@3", "worker@a@b", "my-web", "x" };
        char *s = NULL;

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *service = NULL, *back = NULL;

                ASSERT_OK(cell_service_name(names[i], &service));
                ASSERT_TRUE(startswith(service, "cell@") && endswith(service, ".service"));
                ASSERT_OK(cell_name_from_service(service, &back));
                ASSERT_STREQ(back, names[i]);
        }
        ASSERT_OK(cell_service_name("worker@3", &s));
        ASSERT_STREQ(s, "cell@worker@3.service");
        s = mfree(s);
        /* The bare template and other units name no cell. */
        ASSERT_ERROR(cell_name_from_service("cell@.service", &s), EINVAL);
        ASSERT_ERROR(cell_name_from_service("cell.service", &s), EINVAL);
        ASSERT_ERROR(cell_name_from_service("cell@web.scope", &s), EINVAL);
        ASSERT_ERROR(cell_name_from_service("getty@tty1.service", &s), EINVAL);
        ASSERT_ERROR(cell_name_from_service("cell@.servic", &s), EINVAL);
        ASSERT_NULL(s);
}
