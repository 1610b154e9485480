/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How a ResolvConf= or Timezone= that cannot be honoured is named: a value
 * the unit wrote by its file and line (as "cell verify" names it), a
 * default by the key alone. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "mount-etc.h"
#include "test.h"

#define DROPIN "/etc/cell/web.cell.d/10-dns.conf"

TEST(describe_names_the_origin) {
        char buf[PATH_MAX];
        PlanEtcFile written = { .key = "ResolvConf", .setting = "bind-stub", .file = (char *) DROPIN, .line = 3 };
        PlanEtcFile dflt = { .key = "Timezone", .setting = "auto", .automatic = true };
        /* A plan made by hand, without the unit file's name: the key alone. */
        PlanEtcFile nofile = { .key = "Timezone", .setting = "copy", .line = 4 };

        ASSERT_STREQ(etc_file_describe(&written, buf, sizeof buf), DROPIN ":3: ResolvConf=bind-stub");
        ASSERT_STREQ(etc_file_describe(&dflt, buf, sizeof buf), "Timezone=auto");
        ASSERT_STREQ(etc_file_describe(&nofile, buf, sizeof buf), "Timezone=copy");
        /* Cut short, still a string. */
        ASSERT_STREQ(etc_file_describe(&written, buf, 6), "/etc/");
}

TEST(missing_host_file_names_the_origin) {
        PlanEtcFile f = { .key = "ResolvConf", .setting = "bind-stub", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_BIND, .sources = { "/nonexistent-cell-stub" },
                          .file = (char *) DROPIN, .line = 3 };
        SpawnError note = {};

        ASSERT_ERROR(etc_file_decide(&f, "/", &note), ENOENT);
        ASSERT_STREQ(note.message, DROPIN ":3: ResolvConf=bind-stub: /nonexistent-cell-stub does not exist on the host");

        /* The default names no file: none was written. */
        f = (PlanEtcFile) { .key = "ResolvConf", .setting = "auto", .target = "/etc/resolv.conf",
                            .mode = PLAN_ETC_BIND, .automatic = true, .sources = { "/nonexistent-cell-stub" } };
        note = (SpawnError) {};
        ASSERT_EQ(etc_file_decide(&f, "/", &note), 1);
        ASSERT_STREQ(note.message, "ResolvConf=auto: no file on the host: /nonexistent-cell-stub, "
                     "left as the image has it");
}

TEST(symlink_without_zone_link_names_the_origin) {
        char host[] = "/tmp/cell-test-localtime.XXXXXX", want[PATH_MAX + 128];
        PlanEtcFile f = { .key = "Timezone", .setting = "symlink", .target = "/etc/localtime",
                          .mode = PLAN_ETC_SYMLINK, .file = (char *) "/etc/cell/web.cell", .line = 7 };
        SpawnError note = {};
        int fd;

        /* A plain file, no link into a zoneinfo directory: symlink has no zone to name. */
        fd = mkstemp(host);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        f.sources[0] = host;
        ASSERT_ERROR(etc_file_decide(&f, "/", &note), EINVAL);
        (void) snprintf(want, sizeof want, "/etc/cell/web.cell:7: Timezone=symlink: the host's %s is no link "
                        "into a zoneinfo directory", host);
        ASSERT_STREQ(note.message, want);
        free(f.source);
        unlink(host);
}
