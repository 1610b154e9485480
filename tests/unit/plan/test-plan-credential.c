/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LoadCredential= and SetCredential= in the plan: one entry per ID, loads
 * first, where each was written; IDs and sources in the JSON and the text,
 * never a value. */

#include <stdio.h>

#include "json-check.h"
#include "plan-test.h"

TEST(credentials) {
        _cleanup_free_ char *json = NULL, *text = NULL;
        CellConfig c;
        Plan p = {};

        config_from_files(&c, "cred",
                          "[Root]\n"
                          "Directory=/var/lib/cell/test\n"
                          "[Exec]\n"
                          "Exec=/bin/true\n"
                          "SetCredential=only:s3cr3t-only\n"
                          "SetCredential=both:s3cr3t-fallback\n"
                          "LoadCredential=tls.key\n"
                          "LoadCredential=both:/etc/both\n",
                          "[Exec]\n"
                          "LoadCredential=dir:/etc/creds\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_credentials, 4);
        ASSERT_STREQ(p.credentials_directory, "/run/host/credentials");
        ASSERT_STREQ(p.credentials[0].id, "tls.key");
        ASSERT_STREQ(p.credentials[0].source, "tls.key");
        ASSERT_FALSE(p.credentials[0].has_value);
        ASSERT_EQ(p.credentials[0].line, 7);
        ASSERT_STREQ(p.credentials[1].id, "both");
        ASSERT_STREQ(p.credentials[1].source, "/etc/both");
        ASSERT_TRUE(p.credentials[1].has_value);
        ASSERT_EQ(p.credentials[1].size, strlen("s3cr3t-fallback"));
        ASSERT_EQ(p.credentials[1].line, 8);    /* LoadCredential='s line */
        ASSERT_STREQ(p.credentials[2].id, "dir");
        ASSERT_EQ(p.credentials[2].line, 2);
        ASSERT_CONTAINS(p.credentials[2].file, "cred.cell.d/x.conf");
        ASSERT_STREQ(p.credentials[3].id, "only");
        ASSERT_NULL(p.credentials[3].source);
        ASSERT_TRUE(p.credentials[3].has_value);
        ASSERT_EQ(p.credentials[3].line, 5);
        ASSERT_NULL(p.credential_data);

        json = plan_printed(&p, plan_print_json);
        ASSERT_TRUE(json_check(json, strlen(json)));
        ASSERT_CONTAINS(json, "\"credentials\": [\n"
                        "    {\"id\": \"tls.key\", \"load\": \"tls.key\", \"set\": false, "
                        "\"load_encrypted\": false, \"set_encrypted\": false},\n"
                        "    {\"id\": \"both\", \"load\": \"/etc/both\", \"set\": true, "
                        "\"load_encrypted\": false, \"set_encrypted\": false},\n"
                        "    {\"id\": \"dir\", \"load\": \"/etc/creds\", \"set\": false, "
                        "\"load_encrypted\": false, \"set_encrypted\": false},\n"
                        "    {\"id\": \"only\", \"load\": null, \"set\": true, "
                        "\"load_encrypted\": false, \"set_encrypted\": false}\n"
                        "  ],\n"
                        "  \"credentials_directory\": \"/run/host/credentials\"");
        ASSERT_FALSE(strstr(json, "s3cr3t"));
        text = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(text,
                        "Credential:        tls.key from $CREDENTIALS_DIRECTORY/tls.key or a credential store\n");
        ASSERT_CONTAINS(text, "Credential:        both from /etc/both, else SetCredential=\n");
        ASSERT_CONTAINS(text, "Credential:        only from SetCredential=\n");
        ASSERT_CONTAINS(text, "Credentials in:    /run/host/credentials\n");
        ASSERT_FALSE(strstr(text, "s3cr3t"));
        /* After the start: no value is left in the plan, what it has still says. */
        plan_credentials_forget(&p);
        ASSERT_NULL(p.credentials[1].value);
        ASSERT_NULL(p.credentials[3].value);
        ASSERT_TRUE(p.credentials[3].has_value);
        plan_done(&p);
        cell_config_done(&c);
}

/* The Encrypted variants: the same lists (LoadCredentialEncrypted=ID
 * replaces LoadCredential=ID, as systemd's one hashmap), "encrypted" said,
 * the Base64 text never printed; the SetCredential= line kept for the
 * start's messages. */
TEST(credentials_encrypted) {
        _cleanup_free_ char *json = NULL, *text = NULL;
        CellConfig c;
        Plan p = {};

        config_from_files(&c, "enc",
                          "[Root]\n"
                          "Directory=/var/lib/cell/test\n"
                          "[Exec]\n"
                          "Exec=/bin/true\n"
                          "LoadCredential=db:/etc/db.plain\n"
                          "LoadCredentialEncrypted=db:/etc/db.cred\n"
                          "SetCredentialEncrypted=db:Q2lwaGVyVGV4dA==\n"
                          "LoadCredentialEncrypted=tok\n"
                          "SetCredentialEncrypted=only:T25seUNpcGhlcg==\n",
                          NULL);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_credentials, 3);
        ASSERT_STREQ(p.credentials[0].source, "/etc/db.cred");
        ASSERT_TRUE(p.credentials[0].encrypted);
        ASSERT_TRUE(p.credentials[0].value_encrypted);
        ASSERT_EQ(p.credentials[0].line, 6);
        ASSERT_EQ(p.credentials[0].value_line, 7);
        ASSERT_CONTAINS(p.credentials[0].value_file, "enc.cell");
        ASSERT_TRUE(p.credentials[1].encrypted);
        ASSERT_FALSE(p.credentials[1].has_value);
        ASSERT_FALSE(p.credentials[2].encrypted);
        ASSERT_TRUE(p.credentials[2].value_encrypted);
        ASSERT_EQ(p.credentials[2].size, strlen("T25seUNpcGhlcg=="));

        json = plan_printed(&p, plan_print_json);
        ASSERT_TRUE(json_check(json, strlen(json)));
        ASSERT_CONTAINS(json, "{\"id\": \"db\", \"load\": \"/etc/db.cred\", \"set\": true, "
                        "\"load_encrypted\": true, \"set_encrypted\": true}");
        ASSERT_CONTAINS(json, "{\"id\": \"only\", \"load\": null, \"set\": true, "
                        "\"load_encrypted\": false, \"set_encrypted\": true}");
        text = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(text, "Credential:        db from /etc/db.cred (encrypted), else SetCredentialEncrypted=\n");
        ASSERT_CONTAINS(text, "Credential:        tok from an encrypted credential store, "
                        "$CREDENTIALS_DIRECTORY/tok or a credential store (encrypted)\n");
        ASSERT_CONTAINS(text, "Credential:        only from SetCredentialEncrypted=\n");
        ASSERT_FALSE(strstr(json, "Q2lwaGVy") || strstr(text, "Q2lwaGVy") || strstr(json, "T25seU"));
        plan_done(&p);
        cell_config_done(&c);
}

TEST(no_credentials) {
        _cleanup_free_ char *json = NULL;
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "none");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_credentials, 0);
        ASSERT_NULL(p.credentials_directory);
        json = plan_printed(&p, plan_print_json);
        ASSERT_CONTAINS(json, "\"credentials\": [],\n  \"credentials_directory\": null,\n");
        plan_done(&p);
        cell_config_done(&c);
}

/* A unit of thousands of lines: the entries a unit of a few gets. An ID
 * written again is replaced in place and named by its last line; a set
 * one of a loaded ID is that load's value; after an empty SetCredential=
 * only the sets written after it are left. */
#define MANY 3000

TEST(credentials_many_lines) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, k = 0;
        unsigned line = 4, load_line[MANY], set_line[MANY];
        FILE *f = open_memstream(&buf, &size);
        CellConfig c;
        Plan p = {};

        ASSERT_NOT_NULL(f);
        fputs("[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n", f);
        for (unsigned i = 0; i < MANY; i++, line++)
                fprintf(f, "SetCredential=gone%u:x\n", i);
        fputs("SetCredential=\n", f), line++;
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "LoadCredential=l%u:/etc/l%u\n", i, i), load_line[i] = ++line;
        for (unsigned i = 0; i < MANY; i++)
                fprintf(f, "SetCredential=s%u:v%u\n", i, i), set_line[i] = ++line;
        for (unsigned i = 0; i < MANY; i += 2)
                fprintf(f, "SetCredential=l%u:f%u\n", i, i), ++line;
        for (unsigned i = 0; i < MANY; i += 3)
                fprintf(f, "SetCredential=s%u:w%u\n", i, i), set_line[i] = ++line;
        for (unsigned i = 0; i < MANY; i += 5)
                fprintf(f, "LoadCredential=l%u:/etc/again\n", i), load_line[i] = ++line;
        ASSERT_EQ(fclose(f), 0);

        config_from_text(&c, "many", buf);
        ASSERT_EQ(c.n_load_credentials, (size_t) MANY);
        ASSERT_EQ(c.n_set_credentials, (size_t) MANY + MANY / 2);
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_credentials, (size_t) 2 * MANY);
        for (unsigned i = 0; i < MANY; i++, k++) {
                char id[32], source[32], value[32];

                snprintf(id, sizeof id, "l%u", i);
                snprintf(source, sizeof source, i % 5 == 0 ? "/etc/again" : "/etc/l%u", i);
                ASSERT_STREQ(p.credentials[k].id, id);
                ASSERT_STREQ(p.credentials[k].source, source);
                ASSERT_EQ(p.credentials[k].line, load_line[i]);
                ASSERT_EQ(p.credentials[k].has_value, i % 2 == 0);
                if (i % 2 != 0)
                        continue;
                snprintf(value, sizeof value, "f%u", i);
                ASSERT_STREQ(p.credentials[k].value, value);
        }
        for (unsigned i = 0; i < MANY; i++, k++) {
                char id[32], value[32];

                snprintf(id, sizeof id, "s%u", i);
                snprintf(value, sizeof value, i % 3 == 0 ? "w%u" : "v%u", i);
                ASSERT_STREQ(p.credentials[k].id, id);
                ASSERT_NULL(p.credentials[k].source);
                ASSERT_STREQ(p.credentials[k].value, value);
                ASSERT_EQ(p.credentials[k].line, set_line[i]);
                ASSERT_EQ(p.credentials[k].value_line, set_line[i]);
        }
        plan_done(&p);
        cell_config_done(&c);
}
