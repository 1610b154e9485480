/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LoadCredential= and SetCredential= as systemd 252's parser takes them. */
#include <string.h>

#include "config-test.h"
#include "parse-exec.h"
#include "parse-value.h"
#include "strv.h"
#include "test.h"

static Diagnostics diag;

static const char *assign(CellConfig *c, const char *key, const char *value) {
        return config_test_assign(&diag, c, "Exec", key, value);
}

#define OK(c, k, v) ASSERT_NULL(assign(c, k, v))
#define BAD(c, k, v, text) ASSERT_CONTAINS(assign(c, k, v), text)

TEST(credential_name) {
        ASSERT_TRUE(credential_name_is_valid("tls.key"));
        ASSERT_TRUE(credential_name_is_valid("with space"));
        ASSERT_TRUE(credential_name_is_valid("..."));
        ASSERT_FALSE(credential_name_is_valid(""));
        ASSERT_FALSE(credential_name_is_valid("."));
        ASSERT_FALSE(credential_name_is_valid(".."));
        ASSERT_FALSE(credential_name_is_valid("a/b"));
        ASSERT_FALSE(credential_name_is_valid("a:b"));
        ASSERT_FALSE(credential_name_is_valid("tab\there"));
        ASSERT_FALSE(credential_name_is_valid("caf\xc3\xa9"));

        char name[257];
        memset(name, 'x', 255);
        name[255] = 0;
        ASSERT_TRUE(credential_name_is_valid(name));
        name[255] = 'x';
        name[256] = 0;
        ASSERT_FALSE(credential_name_is_valid(name));
}

TEST(cunescape_bytes) {
        _cleanup_free_ char *s = NULL;
        size_t n;

        ASSERT_OK(cunescape_bytes("a\\x00b\\n\\000c\\s\\u00e4", &s, &n));
        ASSERT_EQ(n, 9);
        ASSERT_TRUE(memcmp(s, "a\0b\n\0c \xc3\xa4", 9) == 0);
        s = mfree(s);
        ASSERT_OK(cunescape_bytes("", &s, &n));
        ASSERT_EQ(n, 0);
        s = mfree(s);
        ASSERT_ERROR(cunescape_bytes("a\\q", &s, &n), EINVAL);
        ASSERT_ERROR(cunescape_bytes("a\\", &s, &n), EINVAL);
        ASSERT_ERROR(cunescape_bytes("\\xg0", &s, &n), EINVAL);
}

TEST(load_credential) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "LoadCredential", "tls.key");
        OK(&c, "LoadCredential", "db:/etc/db/password");
        OK(&c, "LoadCredential", "empty:");
        OK(&c, "LoadCredential", "other:inherited.name");
        OK(&c, "LoadCredential", "dir:/etc/creds/");
        ASSERT_EQ(c.n_load_credentials, 5);
        ASSERT_STREQ(c.load_credentials[0].id, "tls.key");
        ASSERT_STREQ(c.load_credentials[0].path, "tls.key");   /* the same name of our caller's */
        ASSERT_STREQ(c.load_credentials[0].file, "web.cell");
        ASSERT_EQ(c.load_credentials[0].line, 7);
        ASSERT_STREQ(c.load_credentials[1].path, "/etc/db/password");
        ASSERT_STREQ(c.load_credentials[2].path, "empty");
        ASSERT_STREQ(c.load_credentials[3].path, "inherited.name");
        ASSERT_STREQ(c.load_credentials[4].path, "/etc/creds/");    /* a directory, as systemd reads it */
        ASSERT_NULL(c.load_credentials[0].value);

        /* The same ID again: its path replaced, in its place. */
        OK(&c, "LoadCredential", "tls.key:/srv/tls.key");
        ASSERT_EQ(c.n_load_credentials, 5);
        ASSERT_STREQ(c.load_credentials[0].path, "/srv/tls.key");

        BAD(&c, "LoadCredential", ":/x", "no ID before the \":\"");
        BAD(&c, "LoadCredential", ".", "\".\" is no valid credential ID");
        BAD(&c, "LoadCredential", "..:/x", "\"..\" is no valid credential ID");
        BAD(&c, "LoadCredential", "a/b", "\"a/b\" is no valid credential ID");
        BAD(&c, "LoadCredential", "a:rel/path",
            "web.cell:7: LoadCredential=a:rel/path: expected ID[:PATH] with PATH absolute or a credential name "
            "(\"rel/path\" is neither an absolute path nor a credential name of the caller's "
            "$CREDENTIALS_DIRECTORY or a credential store)");
        BAD(&c, "LoadCredential", "a:/etc/../shadow", "is not a normalised absolute path");
        BAD(&c, "LoadCredential", "a:/etc//x", "is not a normalised absolute path");
        BAD(&c, "LoadCredential", "a:..", "is neither an absolute path");
        /* %d is the container's directory: never read as a host path. */
        BAD(&c, "LoadCredential", "a:%d/y", "%d is the container's credentials directory, not a host path");
        BAD(&c, "LoadCredentialEncrypted", "a:%d", "%d is the container's credentials directory");
        OK(&c, "LoadCredential", "pct:/srv/100%%d");         /* a literal "%d" */
        ASSERT_EQ(c.n_load_credentials, 6);
        OK(&c, "LoadCredential", "");
        OK(&c, "LoadCredential", "tls.key:/srv/tls.key");
        OK(&c, "LoadCredential", "db:/etc/db/password");
        OK(&c, "LoadCredential", "empty:");
        OK(&c, "LoadCredential", "other:inherited.name");
        OK(&c, "LoadCredential", "dir:/etc/creds/");
        ASSERT_EQ(c.n_load_credentials, 5);

        /* The empty assignment resets the list, SetCredential='s not. */
        OK(&c, "SetCredential", "x:1");
        OK(&c, "LoadCredential", "");
        ASSERT_EQ(c.n_load_credentials, 0);
        ASSERT_EQ(c.n_set_credentials, 1);
        cell_config_done(&c);
}

TEST(set_credential) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "SetCredential", "pw:hunter2\\n");
        OK(&c, "SetCredential", "bin:a\\x00b");
        OK(&c, "SetCredential", "nul:\\x00");
        OK(&c, "SetCredential", "colons:a:b:c");
        OK(&c, "SetCredential", "pct:100%");        /* no specifiers in the value, as systemd */
        ASSERT_EQ(c.n_set_credentials, 5);
        ASSERT_EQ(c.set_credentials[0].size, 8);
        ASSERT_TRUE(memcmp(c.set_credentials[0].value, "hunter2\n", 8) == 0);
        ASSERT_EQ(c.set_credentials[1].size, 3);
        ASSERT_TRUE(memcmp(c.set_credentials[1].value, "a\0b", 3) == 0);
        ASSERT_EQ(c.set_credentials[2].size, 1);
        ASSERT_EQ(c.set_credentials[2].value[0], 0);
        ASSERT_STREQ(c.set_credentials[3].value, "a:b:c");
        ASSERT_STREQ(c.set_credentials[4].value, "100%");
        ASSERT_NULL(c.set_credentials[0].path);

        OK(&c, "SetCredential", "pw:other");
        ASSERT_EQ(c.n_set_credentials, 5);
        ASSERT_STREQ(c.set_credentials[0].value, "other");

        /* A message names the ID, never the value. */
        const char *m = assign(&c, "SetCredential", "bad/id:s3cr3t");
        ASSERT_CONTAINS(m, "web.cell:7: SetCredential=bad/id:(value not shown): expected");
        ASSERT_FALSE(strstr(m, "s3cr3t"));
        m = assign(&c, "SetCredential", "x:s3cr3t\\q");
        ASSERT_CONTAINS(m, "the value has a bad escape");
        ASSERT_FALSE(strstr(m, "s3cr3t"));
        BAD(&c, "SetCredential", "novalue", "no \":\" after the ID");
        /* systemd 252 ignores "ID:" as invalid syntax: no empty credential. */
        BAD(&c, "SetCredential", "empty:", "web.cell:7: SetCredential=empty:(value not shown): expected ID:VALUE "
            "with C escapes in VALUE (no value after the \":\")");
        ASSERT_EQ(c.n_set_credentials, 5);
        /* Without a ":" the whole text may be the secret (written as Environment= is). */
        m = assign(&c, "SetCredential", "password=s3cr3t");
        ASSERT_CONTAINS(m, "web.cell:7: SetCredential=(value not shown): expected");
        ASSERT_FALSE(strstr(m, "s3cr3t"));
        BAD(&c, "SetCredential", "esc\\:aped", "\"esc:aped\" is no valid credential ID");
        BAD(&c, "SetCredential", ":x", "no ID before the \":\"");

        /* At most a credential's size, as systemd's CREDENTIAL_SIZE_MAX. */
        _cleanup_free_ char *big = malloc(CELL_CREDENTIAL_SIZE_MAX + 8);
        ASSERT_NOT_NULL(big);
        memcpy(big, "big:", 4);
        memset(big + 4, 'x', CELL_CREDENTIAL_SIZE_MAX);
        big[4 + CELL_CREDENTIAL_SIZE_MAX] = 0;
        OK(&c, "SetCredential", big);
        big[4 + CELL_CREDENTIAL_SIZE_MAX] = 'x';
        big[5 + CELL_CREDENTIAL_SIZE_MAX] = 0;
        BAD(&c, "SetCredential", big, "the value is 1048577 bytes, and a credential holds at most 1048576");
        ASSERT_EQ(c.n_set_credentials, 6);

        OK(&c, "SetCredential", "");
        ASSERT_EQ(c.n_set_credentials, 0);
        cell_config_done(&c);
}

/* Outside a section too, the value is not shown. */
TEST(set_credential_outside_section) {
        CellConfig c;
        size_t before = diag.n_errors;

        cell_config_init(&c);
        ASSERT_OK(config_assign(&c, NULL, "SetCredential", "x:s3cr3t", "web.cell", 1, &diag));
        ASSERT_EQ(diag.n_errors, before + 1);
        ASSERT_FALSE(strstr(diag.messages[strv_length(diag.messages) - 1], "s3cr3t"));
        cell_config_done(&c);
}

/* The Encrypted variants share their plain key's list, as systemd 252's one
 * hashmap per key pair: a later line of the ID replaces the earlier
 * whichever variant, an empty assignment of either empties both. */
TEST(load_credential_encrypted) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "LoadCredential", "db:/etc/db.plain");
        OK(&c, "LoadCredentialEncrypted", "db:/etc/db.cred");
        OK(&c, "LoadCredentialEncrypted", "tok");
        ASSERT_EQ(c.n_load_credentials, 2);
        ASSERT_STREQ(c.load_credentials[0].path, "/etc/db.cred");
        ASSERT_TRUE(c.load_credentials[0].encrypted);
        ASSERT_STREQ(c.load_credentials[1].path, "tok");
        ASSERT_TRUE(c.load_credentials[1].encrypted);
        OK(&c, "LoadCredential", "tok:/etc/tok");
        ASSERT_FALSE(c.load_credentials[1].encrypted);

        BAD(&c, "LoadCredentialEncrypted", "a:rel/path",
            "web.cell:7: LoadCredentialEncrypted=a:rel/path: expected ID[:PATH] with PATH absolute or a credential "
            "name");
        BAD(&c, "LoadCredentialEncrypted", "a/b", "\"a/b\" is no valid credential ID");
        OK(&c, "LoadCredentialEncrypted", "");
        ASSERT_EQ(c.n_load_credentials, 0);
        cell_config_done(&c);
}

TEST(set_credential_encrypted) {
        CellConfig c;

        cell_config_init(&c);
        OK(&c, "SetCredential", "db:plain");
        /* As "systemd-creds encrypt -p" prints it, its lines joined. */
        OK(&c, "SetCredentialEncrypted", "db: Q2lw aGVy\n VGV4dA==");
        OK(&c, "SetCredentialEncrypted", "nopad:QUJD");
        OK(&c, "SetCredentialEncrypted", "short:QUI=");
        ASSERT_EQ(c.n_set_credentials, 3);
        ASSERT_TRUE(c.set_credentials[0].encrypted);
        ASSERT_STREQ(c.set_credentials[0].value, "Q2lwaGVyVGV4dA==");
        ASSERT_EQ(c.set_credentials[0].size, strlen("Q2lwaGVyVGV4dA=="));
        OK(&c, "SetCredential", "nopad:x");
        ASSERT_FALSE(c.set_credentials[1].encrypted);
        ASSERT_STREQ(c.set_credentials[1].value, "x");

        const char *m = assign(&c, "SetCredentialEncrypted", "x:Q2l*aGVy");
        ASSERT_CONTAINS(m, "web.cell:7: SetCredentialEncrypted=x:(value not shown): expected ID:BASE64");
        ASSERT_CONTAINS(m, "the value is not Base64 text");
        BAD(&c, "SetCredentialEncrypted", "x:QQ=a", "not Base64");
        BAD(&c, "SetCredentialEncrypted", "x:QUJDR", "not Base64");     /* one digit too many */
        BAD(&c, "SetCredentialEncrypted", "x:QU===", "not Base64");
        BAD(&c, "SetCredentialEncrypted", "x:", "no value after the \":\"");
        /* As systemd's unbase64mem(): whole groups of four, the unused bits zero. */
        BAD(&c, "SetCredentialEncrypted", "x:QUI", "not Base64");
        BAD(&c, "SetCredentialEncrypted", "x:QQ", "not Base64");
        BAD(&c, "SetCredentialEncrypted", "x:QUJDRA", "not Base64");
        BAD(&c, "SetCredentialEncrypted", "x:QUJ=", "not Base64");
        BAD(&c, "SetCredentialEncrypted", "x:QR==", "not Base64");
        BAD(&c, "SetCredentialEncrypted", "x:QU-_", "not Base64");
        BAD(&c, "SetCredentialEncrypted", "x:QQ==QUJD", "not Base64");
        OK(&c, "SetCredentialEncrypted", "x:QQ==");
        OK(&c, "SetCredentialEncrypted", "x:QUJD R A = =");
        ASSERT_STREQ(c.set_credentials[3].value, "QUJDRA==");
        ASSERT_EQ(c.n_set_credentials, 4);
        BAD(&c, "SetCredentialEncrypted", "x", "no \":\" after the ID");
        BAD(&c, "SetCredentialEncrypted", "a/b:QUJD", "\"a/b\" is no valid credential ID");

        /* At most an encrypted credential's size, as CREDENTIAL_ENCRYPTED_SIZE_MAX. */
        size_t digits = (CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX / 3 + 1) * 4;
        _cleanup_free_ char *big = malloc(digits + 8);
        ASSERT_NOT_NULL(big);
        memcpy(big, "big:", 4);
        memset(big + 4, 'A', digits);
        big[4 + digits] = 0;
        BAD(&c, "SetCredentialEncrypted", big, "the value decodes to 1179651 bytes, and an encrypted credential "
            "holds at most 1179648");
        big[4 + digits - 4] = 0;
        OK(&c, "SetCredentialEncrypted", big);
        ASSERT_EQ(c.n_set_credentials, 5);

        OK(&c, "SetCredentialEncrypted", "");
        ASSERT_EQ(c.n_set_credentials, 0);
        cell_config_done(&c);
}
