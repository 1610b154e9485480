/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credentials_read() of an absolute PATH that ends in "/": as systemd 252,
 * whose open() of "/etc/db/" reads a directory and fails on a file, a
 * trailing "/" names a directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials.h"
#include "test.h"

static char dir[] = "/tmp/test-credentials-slash-XXXXXX";

static void put(const char *name, const char *data) {
        _cleanup_free_ char *path = NULL;
        FILE *f;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fputs(data, f) >= 0, true);
        ASSERT_EQ(fclose(f), 0);
}

/* One LoadCredential=ID:DIR/NAME (NAME as written, its "/" too). */
static int rd_one(Plan *p, const char *id, const char *name, SpawnError *err) {
        static const char *const none[] = { NULL };
        _cleanup_free_ char *source = NULL;

        ASSERT_TRUE(asprintf(&source, "%s/%s", dir, name) > 0);
        *p = (Plan) {};
        p->credentials = calloc(1, sizeof(PlanCredential));
        ASSERT_NOT_NULL(p->credentials);
        p->credentials[0] = (PlanCredential) { .id = strdup(id), .source = TAKE_PTR(source),
                                               .file = strdup("u.cell"), .line = 5 };
        p->n_credentials = 1;
        *err = (SpawnError) {};
        return credentials_read(p, &(const CredentialSources) { .store_dirs = none, .encrypted_store_dirs = none },
                                err);
}

TEST(trailing_slash) {
        _cleanup_free_ char *d = NULL, *want = NULL, *cmd = NULL;
        SpawnError err = {};
        Plan p;

        ASSERT_NOT_NULL(mkdtemp(dir));
        ASSERT_TRUE(asprintf(&d, "%s/d", dir) > 0);
        ASSERT_EQ(mkdir(d, 0700), 0);
        put("file", "F");
        put("d/a", "A");

        /* A file without the "/" is read, with it the start fails, naming the step. */
        ASSERT_OK(rd_one(&p, "f", "file", &err));
        ASSERT_EQ(p.n_credential_data, 1);
        ASSERT_STREQ(p.credential_data[0].data, "F");
        plan_done(&p);
        ASSERT_TRUE(rd_one(&p, "f", "file/", &err) < 0);
        ASSERT_EQ(p.n_credential_data, 0);
        ASSERT_TRUE(asprintf(&want, "u.cell:5: LoadCredential=f:%s/file/: %s/file/: not a directory (a PATH that "
                             "ends in \"/\" names one, as in systemd: without the \"/\" a file is read)",
                             dir, dir) > 0);
        ASSERT_CONTAINS(err.message, want);
        plan_done(&p);

        /* A directory with the "/" as without, its files named without a "//". */
        ASSERT_OK(rd_one(&p, "x", "d/", &err));
        ASSERT_EQ(p.n_credential_data, 1);
        ASSERT_STREQ(p.credential_data[0].id, "x_a");
        plan_done(&p);
        put("d/bad:name", "B");
        ASSERT_TRUE(rd_one(&p, "x", "d/", &err) < 0);
        want = mfree(want);
        ASSERT_TRUE(asprintf(&want, ": %s/d/bad:name: would be the credential \"x_bad:name\"", dir) > 0);
        ASSERT_CONTAINS(err.message, want);
        plan_done(&p);

        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}
