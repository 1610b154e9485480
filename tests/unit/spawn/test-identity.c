/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identity.h"
#include "test.h"

static const char passwd_text[] =
        "root:x:0:0:root:/root:/bin/sh\n"
        "broken line\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
        "test:x:1000:1000:Test User:/home/test:/bin/sh\n"
        "noshell:x:1001:1001:::\n"
        "daemonish:x:1002:4242::/:/usr/sbin/nologin\n";
static const char group_text[] =
        "root:x:0:\n"
        "wheel:x:10:other,test,root\n"
        "audio:x:29:other\n"
        "test:x:1000:\n"
        "1234:x:77:\n";

typedef struct Files {
        FILE *passwd, *group;
} Files;

static Files files_open(void) {
        Files f = {
                .passwd = fmemopen((void *) passwd_text, strlen(passwd_text), "r"),
                .group = fmemopen((void *) group_text, strlen(group_text), "r"),
        };
        ASSERT_NOT_NULL(f.passwd);
        ASSERT_NOT_NULL(f.group);
        return f;
}

static void files_close(Files *f) {
        fclose(f->passwd);
        fclose(f->group);
}

TEST(root_by_default) {
        _cleanup_(files_close) Files f = files_open();
        _cleanup_(identity_done) Identity id = {};

        ASSERT_OK(identity_resolve(f.passwd, f.group, NULL, NULL, NULL, &id, NULL));
        ASSERT_EQ(id.uid, 0);
        ASSERT_EQ(id.gid, 0);
        ASSERT_EQ(id.n_groups, 0);
        ASSERT_STREQ(id.user_name, "root");
        ASSERT_STREQ(id.home, "/root");
        ASSERT_STREQ(id.shell, "/bin/sh");
}

TEST(root_without_passwd) {
        _cleanup_(identity_done) Identity id = {};

        ASSERT_OK(identity_resolve(NULL, NULL, NULL, NULL, NULL, &id, NULL));
        ASSERT_EQ(id.uid, 0);
        ASSERT_STREQ(id.home, "/root");
}

TEST(user_by_name_with_memberships) {
        _cleanup_(files_close) Files f = files_open();
        _cleanup_(identity_done) Identity id = {};

        ASSERT_OK(identity_resolve(f.passwd, f.group, "test", NULL, NULL, &id, NULL));
        ASSERT_EQ(id.uid, 1000);
        ASSERT_EQ(id.gid, 1000);
        /* initgroups(3): the primary group too, then the memberships. */
        ASSERT_EQ(id.n_groups, 2);
        ASSERT_EQ(id.groups[0], 1000);
        ASSERT_EQ(id.groups[1], 10);
        ASSERT_STREQ(id.home, "/home/test");
}

/* As systemd: no initgroups for a group of 0, nor without User=, so root's
 * memberships (wheel here) are not taken. */
TEST(root_gets_no_memberships) {
        _cleanup_(files_close) Files f = files_open();
        _cleanup_(identity_done) Identity a = {}, b = {}, c = {}, d = {};

        ASSERT_OK(identity_resolve(f.passwd, f.group, NULL, NULL, NULL, &a, NULL));
        ASSERT_EQ(a.n_groups, 0);
        ASSERT_OK(identity_resolve(f.passwd, f.group, "root", NULL, NULL, &b, NULL));
        ASSERT_EQ(b.n_groups, 0);
        /* Group=root: no initgroups for test either. */
        ASSERT_OK(identity_resolve(f.passwd, f.group, "test", "root", NULL, &c, NULL));
        ASSERT_EQ(c.gid, 0);
        ASSERT_EQ(c.n_groups, 0);
        /* root with a group other than 0: that group and root's memberships. */
        ASSERT_OK(identity_resolve(f.passwd, f.group, "root", "audio", NULL, &d, NULL));
        ASSERT_EQ(d.gid, 29);
        ASSERT_EQ(d.n_groups, 2);
        ASSERT_EQ(d.groups[0], 29);
        ASSERT_EQ(d.groups[1], 10);
}

/* A primary group the group file lacks is still the user's group. */
TEST(primary_group_missing) {
        _cleanup_(files_close) Files f = files_open();
        _cleanup_(identity_done) Identity id = {};

        ASSERT_OK(identity_resolve(f.passwd, f.group, "daemonish", NULL, NULL, &id, NULL));
        ASSERT_EQ(id.gid, 4242);
        ASSERT_EQ(id.n_groups, 1);
        ASSERT_EQ(id.groups[0], 4242);
        /* Home "/" and a nologin shell: $HOME and $SHELL are not set. */
        ASSERT_NULL(id.home);
        ASSERT_NULL(id.shell);
}

TEST(user_by_number_found_and_not) {
        _cleanup_(files_close) Files f = files_open();
        _cleanup_(identity_done) Identity a = {}, b = {};

        ASSERT_OK(identity_resolve(f.passwd, f.group, "65534", NULL, NULL, &a, NULL));
        ASSERT_STREQ(a.user_name, "nobody");
        ASSERT_EQ(a.gid, 65534);
        ASSERT_STREQ(a.home, "/nonexistent");
        ASSERT_NULL(a.shell);   /* /bin/false */

        /* A number nobody has: taken as it is, group the same number. */
        ASSERT_OK(identity_resolve(f.passwd, f.group, "4242", NULL, NULL, &b, NULL));
        ASSERT_EQ(b.uid, 4242);
        ASSERT_EQ(b.gid, 4242);
        ASSERT_NULL(b.home);
        ASSERT_NULL(b.shell);
}

TEST(empty_home_and_shell) {
        _cleanup_(files_close) Files f = files_open();
        _cleanup_(identity_done) Identity id = {};

        ASSERT_OK(identity_resolve(f.passwd, f.group, "noshell", NULL, NULL, &id, NULL));
        ASSERT_NULL(id.home);
        ASSERT_NULL(id.shell);
}

TEST(group_and_supplementary) {
        _cleanup_(files_close) Files f = files_open();
        _cleanup_(identity_done) Identity id = {};
        char *supp[] = { (char *) "audio", (char *) "500", (char *) "wheel", (char *) "1234", NULL };

        ASSERT_OK(identity_resolve(f.passwd, f.group, "test", "wheel", supp, &id, NULL));
        ASSERT_EQ(id.gid, 10);
        /* wheel (Group=, the user's memberships add none other), then
         * audio, 500, and GID 1234: a number is an id, as systemd takes it,
         * never the group *named* "1234" (gid 77); wheel again is not
         * repeated. */
        ASSERT_EQ(id.n_groups, 4);
        ASSERT_EQ(id.groups[0], 10);
        ASSERT_EQ(id.groups[1], 29);
        ASSERT_EQ(id.groups[2], 500);
        ASSERT_EQ(id.groups[3], 1234);
}

/* An image's entries named like numbers (which systemd never takes as
 * names) do not capture a numeric User=/Group=: "1000" of UID 0 must not
 * make User=1000 root; nor does a "root" of another UID make the default
 * user anyone but UID 0. */
TEST(numbers_are_ids_not_names) {
        static const char pw[] =
                "root:x:1003:1003:fake:/fake:/bin/sh\n"
                "1000:x:0:0:trap:/root:/bin/sh\n"
                "toor:x:0:0:root:/root:/bin/sh\n"
                "test:x:1000:1000::/home/test:/bin/sh\n";
        static const char gr[] = "1000:x:0:\ntest:x:1000:\n";
        FILE *p = fmemopen((void *) pw, strlen(pw), "r"), *g = fmemopen((void *) gr, strlen(gr), "r");
        Identity id = {};

        ASSERT_NOT_NULL(p);
        ASSERT_NOT_NULL(g);
        ASSERT_OK(identity_resolve(p, g, "1000", "1000", NULL, &id, NULL));
        ASSERT_EQ(id.uid, 1000);
        ASSERT_EQ(id.gid, 1000);
        ASSERT_STREQ(id.user_name, "test");
        identity_done(&id);

        ASSERT_OK(identity_resolve(p, g, NULL, NULL, NULL, &id, NULL));
        ASSERT_EQ(id.uid, 0);
        ASSERT_EQ(id.gid, 0);
        ASSERT_STREQ(id.user_name, "1000");
        identity_done(&id);
        fclose(p);
        fclose(g);
}

TEST(unknown_names_fail_with_message) {
        _cleanup_(files_close) Files f = files_open();
        Identity id = {};
        SpawnError err = {};
        char *supp[] = { (char *) "nosuchgroup", NULL };

        ASSERT_ERROR(identity_resolve(f.passwd, f.group, "nosuchuser", NULL, NULL, &id, &err), ESRCH);
        ASSERT_EQ(err.error, ESRCH);
        ASSERT_CONTAINS(err.message, "User=nosuchuser");

        ASSERT_ERROR(identity_resolve(f.passwd, f.group, "test", "nosuchgroup", NULL, &id, &err), ESRCH);
        ASSERT_CONTAINS(err.message, "Group=nosuchgroup");

        ASSERT_ERROR(identity_resolve(f.passwd, f.group, "test", NULL, supp, &id, &err), ESRCH);
        ASSERT_CONTAINS(err.message, "SupplementaryGroups=nosuchgroup");

        /* Not a host lookup: a user the host has but the container lacks. */
        ASSERT_ERROR(identity_resolve(f.passwd, f.group, "daemon", NULL, NULL, &id, &err), ESRCH);
}

/* PrivateUsers=UID:COUNT maps fewer ids than the image's users have: each
 * id outside the map is refused naming its key, the id and the map, not
 * left to setgroups()'s bare EINVAL at the exec (which named no line). */
TEST(unmapped_ids_fail_naming_the_key) {
        _cleanup_(files_close) Files f = files_open();
        static const char uid_text[] = "         0     524288       1001\n";
        static const char gid_text[] = "0 524288 1000\n2000 600000 10\n";
        FILE *um = fmemopen((void *) uid_text, strlen(uid_text), "r");
        FILE *gm = fmemopen((void *) gid_text, strlen(gid_text), "r");
        char *supp_ok[] = { (char *) "2009", NULL }, *supp_bad[] = { (char *) "audio", (char *) "2010", NULL };
        Identity id = {};
        SpawnError err = {};

        ASSERT_NOT_NULL(um);
        ASSERT_NOT_NULL(gm);
        /* test: UID 1000, group 1000 (not mapped), wheel (10). */
        ASSERT_ERROR(identity_resolve_mapped(f.passwd, f.group, um, gm, "test", NULL, NULL, &id, &err), EINVAL);
        ASSERT_TRUE(err.complete);
        ASSERT_CONTAINS(err.message, "User=test: its group, GID 1000");
        ASSERT_CONTAINS(err.message, "GIDs are 0..999, 2000..2009 (PrivateUsers=)");

        ASSERT_ERROR(identity_resolve_mapped(f.passwd, f.group, um, gm, "test", "1001", NULL, &id, &err), EINVAL);
        ASSERT_CONTAINS(err.message, "Group=1001: GID 1001 is not mapped");

        /* Group= mapped, the memberships mapped, one supplementary not. */
        ASSERT_OK(identity_resolve_mapped(f.passwd, f.group, um, gm, "test", "wheel", supp_ok, &id, NULL));
        ASSERT_EQ(id.n_groups, 2);
        identity_done(&id);
        ASSERT_ERROR(identity_resolve_mapped(f.passwd, f.group, um, gm, "test", "wheel", supp_bad, &id, &err),
                     EINVAL);
        ASSERT_CONTAINS(err.message, "SupplementaryGroups=2010: GID 2010 is not mapped");

        /* nobody: UID 65534, outside 0..1000. */
        ASSERT_ERROR(identity_resolve_mapped(f.passwd, f.group, um, gm, "nobody", NULL, NULL, &id, &err), EINVAL);
        ASSERT_CONTAINS(err.message, "User=nobody: UID 65534 is not mapped in the container's user namespace, "
                        "whose UIDs are 0..1000");

        /* No maps: nothing checked (identity_resolve()). */
        ASSERT_OK(identity_resolve_mapped(f.passwd, f.group, NULL, NULL, "nobody", NULL, NULL, &id, NULL));
        identity_done(&id);
        fclose(um);
        fclose(gm);
}

/* The files are the container's, read with the host's privileges (by cell
 * exec while its root may have replaced them): a FIFO refused at once, not
 * waited on for ever; a link to an endless device refused, not read into
 * all the host's memory; a regular file read, an empty one names no one. */
TEST(files_must_be_regular_and_bounded) {
        char dir[] = "/tmp/test-identity.XXXXXX", passwd[64], group[64];
        Identity id = {};
        SpawnError err = {};

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(passwd, sizeof passwd, "%s/passwd", dir);
        snprintf(group, sizeof group, "%s/group", dir);

        ASSERT_OK(mkfifo(passwd, 0600));
        ASSERT_ERROR(identity_resolve_files(passwd, group, "test", NULL, NULL, false, &id, &err), EBADFD);
        ASSERT_CONTAINS(err.message, "/passwd is not a regular file");
        ASSERT_TRUE(err.complete);
        ASSERT_OK(unlink(passwd));

        ASSERT_OK(symlink("/dev/zero", passwd));
        ASSERT_ERROR(identity_resolve_files(passwd, group, NULL, NULL, NULL, false, &id, &err), EBADFD);
        ASSERT_OK(unlink(passwd));

        /* procfs says 0 bytes for a file that never ends. */
        ASSERT_OK(symlink("/proc/self/pagemap", passwd));
        ASSERT_ERROR(identity_resolve_files(passwd, group, NULL, NULL, NULL, false, &id, &err), EFBIG);
        ASSERT_CONTAINS(err.message, "/passwd is larger than");
        ASSERT_OK(unlink(passwd));

        /* Smaller than 64 MiB, as cell.unit(5) says (systemd's
         * READ_FULL_BYTES_MAX): a file of 64 MiB exactly is refused. */
        ASSERT_OK(close(open(passwd, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)));
        ASSERT_OK(truncate(passwd, 64 * 1024 * 1024));
        ASSERT_ERROR(identity_resolve_files(passwd, group, NULL, NULL, NULL, false, &id, &err), EFBIG);
        ASSERT_CONTAINS(err.message, "/passwd is larger than 67108863 bytes");
        ASSERT_OK(unlink(passwd));

        ASSERT_OK(mkdir(group, 0755));
        ASSERT_ERROR(identity_resolve_files("/nonexistent/passwd", group, NULL, NULL, NULL, false, &id, &err), EISDIR);
        ASSERT_CONTAINS(err.message, "/group is not a regular file (a directory)");
        ASSERT_OK(rmdir(group));

        FILE *f = fopen(passwd, "we");
        ASSERT_NOT_NULL(f);
        fputs(passwd_text, f);
        fclose(f);
        ASSERT_OK(close(open(group, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)));
        ASSERT_OK(identity_resolve_files(passwd, group, "test", NULL, NULL, false, &id, &err));
        ASSERT_EQ(id.uid, 1000u);
        ASSERT_STREQ(id.home, "/home/test");
        ASSERT_EQ(id.n_groups, 1u);
        identity_done(&id);

        ASSERT_OK(unlink(passwd));
        ASSERT_OK(unlink(group));
        ASSERT_OK(rmdir(dir));
}
