/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How a ResolvConf= or Timezone= that cannot be honoured is named: a value
 * the unit wrote by its file and line (as "cell verify" names it), a
 * default by the key alone. And how copy writes over the image's file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* ResolvConf=copy over the image's file: a new inode renamed over it, never
 * the old one truncated and written (a start killed midway would leave a
 * persistent root's /etc/resolv.conf cut short for the next start); the
 * old file's mode kept, no temporary file left. */
TEST(copy_replaces_atomically) {
        const char *tmpdir = getenv("TMPDIR");
        char root[PATH_MAX], host[PATH_MAX + 16], etc[PATH_MAX + 16], buf[64];
        PlanEtcFile f = { .key = "ResolvConf", .setting = "copy", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_COPY };
        int root_fd, etc_fd, old_fd, fd;
        SpawnError err = {};
        struct stat st;
        DIR *d;
        struct dirent *de;
        unsigned n = 0;

        (void) snprintf(root, sizeof root, "%s/cell-test-etc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        ASSERT_NOT_NULL(mkdtemp(root));
        (void) snprintf(host, sizeof host, "%s/host", root);
        (void) snprintf(etc, sizeof etc, "%s/etc", root);
        ASSERT_OK(mkdir(etc, 0755) < 0 ? -errno : 0);
        fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, "nameserver 10.0.0.1\n", 20), 20);
        close(fd);
        etc_fd = open(etc, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(etc_fd >= 0);
        fd = openat(etc_fd, "resolv.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, "nameserver 192.0.2.53\n", 22), 22);
        close(fd);
        old_fd = openat(etc_fd, "resolv.conf", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(old_fd >= 0);

        f.source = host;
        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(root_fd >= 0);
        ASSERT_OK(mount_etc_file(root_fd, &f, NULL, &err));

        /* The old inode holds its old bytes, whole. */
        ASSERT_EQ(pread(old_fd, buf, sizeof buf, 0), 22);
        ASSERT_TRUE(memcmp(buf, "nameserver 192.0.2.53\n", 22) == 0);
        fd = openat(etc_fd, "resolv.conf", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(read(fd, buf, sizeof buf), 20);
        ASSERT_TRUE(memcmp(buf, "nameserver 10.0.0.1\n", 20) == 0);
        ASSERT_OK(fstat(fd, &st) < 0 ? -errno : 0);
        ASSERT_EQ(st.st_mode & 07777, 0640u);
        close(fd);
        d = opendir(etc);
        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)) {
                        ASSERT_STREQ(de->d_name, "resolv.conf");
                        n++;
                }
        closedir(d);
        ASSERT_EQ(n, 1u);

        close(old_fd);
        close(etc_fd);
        close(root_fd);
        ASSERT_OK(unlinkat(AT_FDCWD, host, 0) < 0 ? -errno : 0);
        etc_fd = open(etc, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(etc_fd >= 0);
        ASSERT_OK(unlinkat(etc_fd, "resolv.conf", 0) < 0 ? -errno : 0);
        close(etc_fd);
        ASSERT_OK(rmdir(etc) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(root) < 0 ? -errno : 0);
}

/* An explicit value whose host file is a link that leads nowhere (a host
 * /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf while
 * resolved is stopped) is said to be that link, not "does not exist"; one
 * that is no regular file is said to be that. */
TEST(host_dangling_link_is_named) {
        const char *tmpdir = getenv("TMPDIR");
        char dir[PATH_MAX], link[PATH_MAX + 16], want[2 * PATH_MAX + 256];
        PlanEtcFile f = { .key = "ResolvConf", .setting = "bind-host", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_BIND, .file = (char *) DROPIN, .line = 3 };
        SpawnError note = {};

        (void) snprintf(dir, sizeof dir, "%s/cell-test-host.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        ASSERT_NOT_NULL(mkdtemp(dir));
        (void) snprintf(link, sizeof link, "%s/resolv.conf", dir);
        ASSERT_OK(symlink("../run/systemd/resolve/stub-resolv.conf", link) < 0 ? -errno : 0);
        f.sources[0] = link;
        ASSERT_ERROR(etc_file_decide(&f, "/", &note), ENOENT);
        (void) snprintf(want, sizeof want, DROPIN ":3: ResolvConf=bind-host: %s on the host is a symlink to "
                        "../run/systemd/resolve/stub-resolv.conf, which does not exist (is systemd-resolved "
                        "running?)", link);
        ASSERT_STREQ(note.message, want);

        /* A directory there: no regular file, and said so. */
        f.sources[0] = dir;
        note = (SpawnError) {};
        ASSERT_ERROR(etc_file_decide(&f, "/", &note), EINVAL);
        (void) snprintf(want, sizeof want, DROPIN ":3: ResolvConf=bind-host: %s is not a regular file on the host",
                        dir);
        ASSERT_STREQ(note.message, want);

        ASSERT_OK(unlink(link) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
}

/* An explicit bind over an image's link that leads nowhere in it fails
 * before anything is mounted, naming the link and what would replace it. */
TEST(bind_over_dangling_link_is_named) {
        const char *tmpdir = getenv("TMPDIR");
        char root[PATH_MAX], host[PATH_MAX + 16], etc[PATH_MAX + 16], link[PATH_MAX + 32];
        PlanEtcFile f = { .key = "ResolvConf", .setting = "bind-host", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_BIND };
        PlanEtcFile tz = { .key = "Timezone", .setting = "bind", .target = "/etc/localtime", .mode = PLAN_ETC_BIND };
        SpawnError err = {};
        int root_fd, fd;

        (void) snprintf(root, sizeof root, "%s/cell-test-etc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        ASSERT_NOT_NULL(mkdtemp(root));
        (void) snprintf(host, sizeof host, "%s/host", root);
        (void) snprintf(etc, sizeof etc, "%s/etc", root);
        ASSERT_OK(mkdir(etc, 0755) < 0 ? -errno : 0);
        fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        (void) snprintf(link, sizeof link, "%s/resolv.conf", etc);
        ASSERT_OK(symlink("/run/systemd/resolve/stub-resolv.conf", link) < 0 ? -errno : 0);
        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(root_fd >= 0);

        f.source = host;
        ASSERT_ERROR(mount_etc_file(root_fd, &f, NULL, &err), ENOENT);
        ASSERT_STREQ(err.message, "ResolvConf=bind-host: /etc/resolv.conf is a symlink to "
                     "/run/systemd/resolve/stub-resolv.conf, which leads nowhere in the container, and cell "
                     "creates no file in the image to bind over (ResolvConf=replace-host replaces the link)");

        /* No file at all: said so. */
        tz.source = host;
        err = (SpawnError) {};
        ASSERT_ERROR(mount_etc_file(root_fd, &tz, NULL, &err), ENOENT);
        ASSERT_STREQ(err.message, "Timezone=bind: /etc/localtime does not exist in the container, and cell "
                     "creates no file in the image to bind over (copy or replace writes one)");

        close(root_fd);
        ASSERT_OK(unlink(link) < 0 ? -errno : 0);
        ASSERT_OK(unlink(host) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(etc) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(root) < 0 ? -errno : 0);
}

/* ResolvConf=copy-* over a FIFO, a device node or a directory the image put
 * at /etc/resolv.conf: left alone (the child never opens it), and said so
 * at the key's line, as of a link -- it was passed over in silence. */
TEST(copy_over_non_regular_is_named) {
        const char *tmpdir = getenv("TMPDIR");
        char root[PATH_MAX], host[PATH_MAX + 16], etc[PATH_MAX + 16], fifo[PATH_MAX + 32];
        PlanEtcFile f = { .key = "ResolvConf", .setting = "copy-host", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_COPY, .file = (char *) DROPIN, .line = 3 };
        SpawnError note = {};
        int fd;

        (void) snprintf(root, sizeof root, "%s/cell-test-etc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        ASSERT_NOT_NULL(mkdtemp(root));
        (void) snprintf(host, sizeof host, "%s/host", root);
        (void) snprintf(etc, sizeof etc, "%s/etc", root);
        ASSERT_OK(mkdir(etc, 0755) < 0 ? -errno : 0);
        fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        (void) snprintf(fifo, sizeof fifo, "%s/resolv.conf", etc);
        ASSERT_OK(mkfifo(fifo, 0644) < 0 ? -errno : 0);

        f.sources[0] = host;
        ASSERT_EQ(etc_file_decide(&f, root, &note), 1);
        ASSERT_STREQ(note.message, DROPIN ":3: ResolvConf=copy-host: /etc/resolv.conf is not a regular file in "
                     "the image (a FIFO), left alone (replace-host replaces it)");
        ASSERT_EQ(f.mode, PLAN_ETC_COPY);       /* the child leaves it alone too */
        free(f.source);

        /* A directory: the same, but replace-host could not replace it either. */
        ASSERT_OK(unlink(fifo) < 0 ? -errno : 0);
        ASSERT_OK(mkdir(fifo, 0755) < 0 ? -errno : 0);
        f = (PlanEtcFile) { .key = "ResolvConf", .setting = "copy-host", .target = "/etc/resolv.conf",
                            .mode = PLAN_ETC_COPY, .file = (char *) DROPIN, .line = 3, .sources = { host } };
        note = (SpawnError) {};
        ASSERT_EQ(etc_file_decide(&f, root, &note), 1);
        ASSERT_STREQ(note.message, DROPIN ":3: ResolvConf=copy-host: /etc/resolv.conf is not a regular file in "
                     "the image (a directory), left alone");
        free(f.source);

        ASSERT_OK(rmdir(fifo) < 0 ? -errno : 0);
        ASSERT_OK(unlink(host) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(etc) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(root) < 0 ? -errno : 0);
}

/* An explicit Timezone=symlink, like the other values that write, leaves
 * /etc/localtime alone when the image's /etc is a link, and says so: the
 * start is told, not left to find the host's zone missing. */
TEST(symlink_through_linked_etc_is_named) {
        const char *tmpdir = getenv("TMPDIR");
        char root[PATH_MAX], path[PATH_MAX + 64], zone[PATH_MAX + 64], host[PATH_MAX + 16];
        PlanEtcFile f = { .key = "Timezone", .setting = "symlink", .target = "/etc/localtime",
                          .mode = PLAN_ETC_SYMLINK, .file = (char *) "/etc/cell/web.cell", .line = 7 };
        SpawnError note = {};
        int fd;

        (void) snprintf(root, sizeof root, "%s/cell-test-etc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        ASSERT_NOT_NULL(mkdtemp(root));
        /* The zone, in the container and for the host's link alike. */
        (void) snprintf(path, sizeof path, "%s/usr", root);
        ASSERT_OK(mkdir(path, 0755) < 0 ? -errno : 0);
        (void) snprintf(path, sizeof path, "%s/usr/share", root);
        ASSERT_OK(mkdir(path, 0755) < 0 ? -errno : 0);
        (void) snprintf(path, sizeof path, "%s/usr/share/zoneinfo", root);
        ASSERT_OK(mkdir(path, 0755) < 0 ? -errno : 0);
        (void) snprintf(zone, sizeof zone, "%s/usr/share/zoneinfo/CellTest", root);
        fd = open(zone, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        (void) snprintf(host, sizeof host, "%s/host", root);
        ASSERT_OK(symlink(zone, host) < 0 ? -errno : 0);
        /* The image's /etc -> data. */
        (void) snprintf(path, sizeof path, "%s/data", root);
        ASSERT_OK(mkdir(path, 0755) < 0 ? -errno : 0);
        (void) snprintf(path, sizeof path, "%s/etc", root);
        ASSERT_OK(symlink("data", path) < 0 ? -errno : 0);

        f.sources[0] = host;
        ASSERT_EQ(etc_file_decide(&f, root, &note), 1);
        ASSERT_STREQ(note.message, "/etc/cell/web.cell:7: Timezone=symlink: the way to /etc/localtime has a "
                     "symlink in the image, left alone (cell writes nothing reached through a link)");
        ASSERT_STREQ(f.link, "../usr/share/zoneinfo/CellTest");
        free(f.source);
        free(f.link);

        ASSERT_OK(unlink(path) < 0 ? -errno : 0);
        (void) snprintf(path, sizeof path, "%s/data", root);
        ASSERT_OK(rmdir(path) < 0 ? -errno : 0);
        ASSERT_OK(unlink(host) < 0 ? -errno : 0);
        ASSERT_OK(unlink(zone) < 0 ? -errno : 0);
        for (const char *const *d = (const char *const[]) { "/usr/share/zoneinfo", "/usr/share", "/usr", NULL };
             *d; d++) {
                (void) snprintf(path, sizeof path, "%s%s", root, *d);
                ASSERT_OK(rmdir(path) < 0 ? -errno : 0);
        }
        ASSERT_OK(rmdir(root) < 0 ? -errno : 0);
}

/* Timezone=symlink on a container without the host's zone: the host's zone
 * file bound, as nspawn falls back to (it fails only when the host's
 * /etc/localtime names no zone). */
TEST(symlink_without_zone_in_container_binds) {
        const char *tmpdir = getenv("TMPDIR");
        char root[PATH_MAX], dir[PATH_MAX + 16], zone[PATH_MAX + 32], host[PATH_MAX + 16];
        PlanEtcFile f = { .key = "Timezone", .setting = "symlink", .target = "/etc/localtime",
                          .mode = PLAN_ETC_SYMLINK, .file = (char *) "/etc/cell/web.cell", .line = 7 };
        SpawnError note = {};
        int fd;

        (void) snprintf(root, sizeof root, "%s/cell-test-etc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        ASSERT_NOT_NULL(mkdtemp(root));
        /* The host's zone, outside the container's root (root/zoneinfo is
         * not its /usr/share/zoneinfo). */
        (void) snprintf(dir, sizeof dir, "%s/zoneinfo", root);
        ASSERT_OK(mkdir(dir, 0755) < 0 ? -errno : 0);
        (void) snprintf(zone, sizeof zone, "%s/CellTest", dir);
        fd = open(zone, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        (void) snprintf(host, sizeof host, "%s/host", root);
        ASSERT_OK(symlink(zone, host) < 0 ? -errno : 0);

        f.sources[0] = host;
        ASSERT_OK(etc_file_decide(&f, root, &note));
        ASSERT_EQ(f.mode, PLAN_ETC_BIND);
        ASSERT_NULL(f.link);
        ASSERT_STREQ(f.source, host);
        free(f.source);

        ASSERT_OK(unlink(host) < 0 ? -errno : 0);
        ASSERT_OK(unlink(zone) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(dir) < 0 ? -errno : 0);
        ASSERT_OK(rmdir(root) < 0 ? -errno : 0);
}
