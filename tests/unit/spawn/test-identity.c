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
         * audio, 500, and the group *named* "1234" (gid 77) wins over the
         * number; wheel again is not repeated. */
        ASSERT_EQ(id.n_groups, 4);
        ASSERT_EQ(id.groups[0], 10);
        ASSERT_EQ(id.groups[1], 29);
        ASSERT_EQ(id.groups[2], 500);
        ASSERT_EQ(id.groups[3], 77);
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
        ASSERT_ERROR(identity_resolve_files(passwd, group, "test", NULL, NULL, &id, &err), EBADFD);
        ASSERT_CONTAINS(err.message, "/passwd is not a regular file");
        ASSERT_TRUE(err.complete);
        ASSERT_OK(unlink(passwd));

        ASSERT_OK(symlink("/dev/zero", passwd));
        ASSERT_ERROR(identity_resolve_files(passwd, group, NULL, NULL, NULL, &id, &err), EBADFD);
        ASSERT_OK(unlink(passwd));

        /* procfs says 0 bytes for a file that never ends. */
        ASSERT_OK(symlink("/proc/self/pagemap", passwd));
        ASSERT_ERROR(identity_resolve_files(passwd, group, NULL, NULL, NULL, &id, &err), EFBIG);
        ASSERT_CONTAINS(err.message, "/passwd is larger than");
        ASSERT_OK(unlink(passwd));

        ASSERT_OK(mkdir(group, 0755));
        ASSERT_ERROR(identity_resolve_files("/nonexistent/passwd", group, NULL, NULL, NULL, &id, &err), EISDIR);
        ASSERT_CONTAINS(err.message, "/group is not a regular file (a directory)");
        ASSERT_OK(rmdir(group));

        FILE *f = fopen(passwd, "we");
        ASSERT_NOT_NULL(f);
        fputs(passwd_text, f);
        fclose(f);
        ASSERT_OK(close(open(group, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)));
        ASSERT_OK(identity_resolve_files(passwd, group, "test", NULL, NULL, &id, &err));
        ASSERT_EQ(id.uid, 1000u);
        ASSERT_STREQ(id.home, "/home/test");
        ASSERT_EQ(id.n_groups, 1u);
        identity_done(&id);

        ASSERT_OK(unlink(passwd));
        ASSERT_OK(unlink(group));
        ASSERT_OK(rmdir(dir));
}
