/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How a ResolvConf= or Timezone= that cannot be honoured is named: a value
 * the unit wrote by its file and line (as "cell verify" names it), a
 * default by the key alone. And how copy writes over the image's file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-etc.h"
#include "test.h"

#define DROPIN "/etc/cell/web.cell.d/10-dns.conf"

/* A scratch directory of the test's own below $TMPDIR (else /tmp), for a
 * container's root and the host's files: scratch_new() makes it, the
 * scratch_*() helpers make what is in it, by paths relative to it (their
 * parent directories made as needed), scratch_free() removes it with
 * everything in it. */
static char *scratch_new(void) {
        const char *tmpdir = getenv("TMPDIR");
        char *root;

        ASSERT_TRUE(asprintf(&root, "%s/cell-test-etc.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") > 0);
        ASSERT_NOT_NULL(mkdtemp(root));
        return root;
}

/* root/rel, to be freed. */
static char *scratch_at(const char *root, const char *rel) {
        char *path;

        ASSERT_TRUE(asprintf(&path, "%s/%s", root, rel) > 0);
        return path;
}

/* The directories of rel's parent below root, as mkdir -p makes them. */
static void scratch_parents(const char *root, const char *rel) {
        _cleanup_free_ char *path = scratch_at(root, rel);

        for (char *s = path + strlen(root) + 1; (s = strchr(s, '/')); *s++ = '/') {
                *s = 0;
                ASSERT_OK(mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0);
        }
}

static void scratch_mkdir(const char *root, const char *rel) {
        _cleanup_free_ char *path = scratch_at(root, rel);

        scratch_parents(root, rel);
        ASSERT_OK(mkdir(path, 0755) < 0 ? -errno : 0);
}

/* A new regular file rel of that mode, holding data. */
static void scratch_put(const char *root, const char *rel, mode_t mode, const char *data) {
        _cleanup_free_ char *path = scratch_at(root, rel);
        int fd;

        scratch_parents(root, rel);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, data, strlen(data)), (ssize_t) strlen(data));
        ASSERT_OK(close(fd) < 0 ? -errno : 0);
}

/* A new empty file rel. */
static void scratch_touch(const char *root, const char *rel) {
        scratch_put(root, rel, 0644, "");
}

/* rel, a new symlink to target. */
static void scratch_symlink(const char *target, const char *root, const char *rel) {
        _cleanup_free_ char *path = scratch_at(root, rel);

        scratch_parents(root, rel);
        ASSERT_OK(symlink(target, path) < 0 ? -errno : 0);
}

static int scratch_remove(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st;
        (void) type;
        (void) ftw;
        ASSERT_OK(remove(path) < 0 ? -errno : 0);
        return 0;
}

/* root and everything in it, links never followed; root freed. */
static void scratch_free(char *root) {
        ASSERT_OK(nftw(root, scratch_remove, 16, FTW_DEPTH | FTW_PHYS));
        free(root);
}

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
        ASSERT_STREQ(note.message,
                     DROPIN ":3: ResolvConf=bind-stub: /nonexistent-cell-stub does not exist on the host");

        /* The default names no file: none was written. */
        f = (PlanEtcFile) { .key = "ResolvConf", .setting = "auto", .target = "/etc/resolv.conf",
                            .mode = PLAN_ETC_BIND, .automatic = true, .sources = { "/nonexistent-cell-stub" } };
        note = (SpawnError) {};
        ASSERT_EQ(etc_file_decide(&f, "/", &note), 1);
        ASSERT_STREQ(note.message, "ResolvConf=auto: no file on the host: /nonexistent-cell-stub, "
                     "left as the image has it");
}

TEST(symlink_without_zone_link_names_the_origin) {
        PlanEtcFile f = { .key = "Timezone", .setting = "symlink", .target = "/etc/localtime",
                          .mode = PLAN_ETC_SYMLINK, .file = (char *) "/etc/cell/web.cell", .line = 7 };
        char *scratch = scratch_new(), want[PATH_MAX + 128];
        _cleanup_free_ char *host = scratch_at(scratch, "localtime");
        SpawnError note = {};

        /* A plain file, no link into a zoneinfo directory: symlink has no zone to name. */
        scratch_touch(scratch, "localtime");
        f.sources[0] = host;
        ASSERT_ERROR(etc_file_decide(&f, "/", &note), EINVAL);
        (void) snprintf(want, sizeof want, "/etc/cell/web.cell:7: Timezone=symlink: the host's %s is no symlink, "
                        "so it names no zone (nspawn 252 takes a link to /usr/share/zoneinfo/ZONE or "
                        "../usr/share/zoneinfo/ZONE)", host);
        ASSERT_STREQ(note.message, want);
        free(f.source);
        scratch_free(scratch);
}

/* The zone of the host's /etc/localtime for Timezone=symlink: nspawn 252's
 * rule, what follows "/usr/share/zoneinfo/" or "../usr/share/zoneinfo/"
 * (compared by path components) and nothing else -- a link anywhere else
 * with "/zoneinfo/" in it was taken, its zone linked as if it were the
 * container's /usr/share/zoneinfo's. The decision for a host /etc/localtime
 * (in a scratch directory) that links to target: 0 and the link made
 * (*ret_link), or -errno and why (*note). */
static int symlink_decide(const char *target, char **ret_link, SpawnError *note) {
        PlanEtcFile f = { .key = "Timezone", .setting = "symlink", .target = "/etc/localtime",
                          .mode = PLAN_ETC_SYMLINK, .file = (char *) "/etc/cell/web.cell", .line = 7 };
        char *scratch = scratch_new();
        _cleanup_free_ char *host = scratch_at(scratch, "host/etc/localtime"), *root = scratch_at(scratch, "root");
        int r;

        /* The zone where each target below leads, on the host and in the container. */
        for (const char *const *z = (const char *const[]) { "host/usr/share/zoneinfo/Cell/Test",
                                                            "host/usr/lib/zoneinfo/Cell/Test",
                                                            "root/usr/share/zoneinfo/Cell/Test", NULL }; *z; z++)
                scratch_touch(scratch, *z);
        scratch_touch(scratch, "host/etc/Cell/Test");
        scratch_symlink(target, scratch, "host/etc/localtime");
        f.sources[0] = host;
        *note = (SpawnError) {};
        r = etc_file_decide(&f, root, note);
        *ret_link = f.link;
        free(f.source);
        scratch_free(scratch);
        return r;
}

TEST(symlink_takes_nspawns_zone_links) {
        _cleanup_free_ char *link = NULL;
        SpawnError note = {};

        ASSERT_OK(symlink_decide("../usr/share/zoneinfo/Cell/Test", &link, &note));
        ASSERT_STREQ(link, "../usr/share/zoneinfo/Cell/Test");
        link = mfree(link);
        /* By components, as nspawn's path_startswith(): "//" and "." are none. */
        ASSERT_OK(symlink_decide("..//usr/./share/zoneinfo//Cell/Test", &link, &note));
        ASSERT_STREQ(link, "../usr/share/zoneinfo/Cell/Test");
        link = mfree(link);

        /* Elsewhere: no zone nspawn names. */
        ASSERT_ERROR(symlink_decide("../usr/lib/zoneinfo/Cell/Test", &link, &note), EINVAL);
        ASSERT_NULL(link);
        ASSERT_CONTAINS(note.message, "/etc/cell/web.cell:7: Timezone=symlink: the host's /");
        ASSERT_CONTAINS(note.message, "/host/etc/localtime links to ../usr/lib/zoneinfo/Cell/Test, not into "
                        "/usr/share/zoneinfo/ (nspawn 252 takes a link to /usr/share/zoneinfo/ZONE or "
                        "../usr/share/zoneinfo/ZONE)");
        ASSERT_ERROR(symlink_decide("../usr/share/zoneinfo/../../../etc/Cell/Test", &link, &note), EINVAL);
        ASSERT_CONTAINS(note.message, "/host/etc/localtime links to ../usr/share/zoneinfo/../../../etc/Cell/Test, "
                        "which names no zone (nothing, or a \"..\", after /usr/share/zoneinfo/)");
}

/* The container's zone must be a regular file there (links followed inside
 * the root), where nspawn 252 takes anything by that name: a link to a
 * directory or a FIFO leaves the container without its zone, or hangs what
 * reads /etc/localtime. The host's zone file is bound instead, as for a
 * missing zone (documented in cell.unit(5)). */
TEST(symlink_to_non_regular_zone_binds) {
        PlanEtcFile f = { .key = "Timezone", .setting = "symlink", .target = "/etc/localtime",
                          .mode = PLAN_ETC_SYMLINK };
        char *scratch = scratch_new();
        _cleanup_free_ char *host = scratch_at(scratch, "host/etc/localtime"), *root = scratch_at(scratch, "root");
        SpawnError note = {};

        scratch_touch(scratch, "host/usr/share/zoneinfo/CellTest");
        scratch_symlink("../usr/share/zoneinfo/CellTest", scratch, "host/etc/localtime");
        scratch_mkdir(scratch, "root/usr/share/zoneinfo/CellTest");
        f.sources[0] = host;
        ASSERT_OK(etc_file_decide(&f, root, &note));
        ASSERT_EQ(f.mode, PLAN_ETC_BIND);
        ASSERT_NULL(f.link);
        free(f.source);
        scratch_free(scratch);
}

/* ResolvConf=copy over the image's file: a new inode renamed over it, never
 * the old one truncated and written (a start killed midway would leave a
 * persistent root's /etc/resolv.conf cut short for the next start); the
 * old file's mode kept, no temporary file left. */
TEST(copy_replaces_atomically) {
        PlanEtcFile f = { .key = "ResolvConf", .setting = "copy", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_COPY };
        char *root = scratch_new(), buf[64];
        _cleanup_free_ char *host = scratch_at(root, "host"), *etc = scratch_at(root, "etc");
        int root_fd, etc_fd, old_fd, fd;
        SpawnError err = {};
        struct stat st;
        DIR *d;
        struct dirent *de;
        unsigned n = 0;

        scratch_put(root, "host", 0644, "nameserver 10.0.0.1\n");
        scratch_put(root, "etc/resolv.conf", 0640, "nameserver 192.0.2.53\n");
        etc_fd = open(etc, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(etc_fd >= 0);
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
        scratch_free(root);
}

/* An explicit value whose host file is a link that leads nowhere (a host
 * /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf while
 * resolved is stopped) is said to be that link, not "does not exist"; one
 * that is no regular file is said to be that. */
TEST(host_dangling_link_is_named) {
        PlanEtcFile f = { .key = "ResolvConf", .setting = "bind-host", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_BIND, .file = (char *) DROPIN, .line = 3 };
        char *dir = scratch_new(), want[2 * PATH_MAX + 256];
        _cleanup_free_ char *link = scratch_at(dir, "resolv.conf");
        SpawnError note = {};

        scratch_symlink("../run/systemd/resolve/stub-resolv.conf", dir, "resolv.conf");
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

        scratch_free(dir);
}

/* An explicit bind over an image's link that leads nowhere in it fails
 * before anything is mounted, naming the link and what would replace it. */
TEST(bind_over_dangling_link_is_named) {
        PlanEtcFile f = { .key = "ResolvConf", .setting = "bind-host", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_BIND };
        PlanEtcFile tz = { .key = "Timezone", .setting = "bind", .target = "/etc/localtime", .mode = PLAN_ETC_BIND };
        char *root = scratch_new();
        _cleanup_free_ char *host = scratch_at(root, "host");
        SpawnError err = {};
        int root_fd;

        scratch_touch(root, "host");
        scratch_symlink("/run/systemd/resolve/stub-resolv.conf", root, "etc/resolv.conf");
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
        scratch_free(root);
}

/* ResolvConf=copy-* over a FIFO, a device node or a directory the image put
 * at /etc/resolv.conf: left alone (the child never opens it), and said so
 * at the key's line, as of a link -- it was passed over in silence. */
TEST(copy_over_non_regular_is_named) {
        PlanEtcFile f = { .key = "ResolvConf", .setting = "copy-host", .target = "/etc/resolv.conf",
                          .mode = PLAN_ETC_COPY, .file = (char *) DROPIN, .line = 3 };
        char *root = scratch_new();
        _cleanup_free_ char *host = scratch_at(root, "host"), *fifo = scratch_at(root, "etc/resolv.conf");
        SpawnError note = {};

        scratch_touch(root, "host");
        scratch_mkdir(root, "etc");
        ASSERT_OK(mkfifo(fifo, 0644) < 0 ? -errno : 0);

        f.sources[0] = host;
        ASSERT_EQ(etc_file_decide(&f, root, &note), 1);
        ASSERT_STREQ(note.message, DROPIN ":3: ResolvConf=copy-host: /etc/resolv.conf is not a regular file in "
                     "the image (a FIFO), left alone (replace-host replaces it)");
        ASSERT_EQ(f.mode, PLAN_ETC_COPY);       /* the child leaves it alone too */
        free(f.source);

        /* A directory: the same, but replace-host could not replace it either. */
        ASSERT_OK(unlink(fifo) < 0 ? -errno : 0);
        scratch_mkdir(root, "etc/resolv.conf");
        f = (PlanEtcFile) { .key = "ResolvConf", .setting = "copy-host", .target = "/etc/resolv.conf",
                            .mode = PLAN_ETC_COPY, .file = (char *) DROPIN, .line = 3, .sources = { host } };
        note = (SpawnError) {};
        ASSERT_EQ(etc_file_decide(&f, root, &note), 1);
        ASSERT_STREQ(note.message, DROPIN ":3: ResolvConf=copy-host: /etc/resolv.conf is not a regular file in "
                     "the image (a directory), left alone");
        free(f.source);

        scratch_free(root);
}

/* An explicit Timezone=symlink, like the other values that write, leaves
 * /etc/localtime alone when the image's /etc is a link, and says so: the
 * start is told, not left to find the host's zone missing. */
TEST(symlink_through_linked_etc_is_named) {
        PlanEtcFile f = { .key = "Timezone", .setting = "symlink", .target = "/etc/localtime",
                          .mode = PLAN_ETC_SYMLINK, .file = (char *) "/etc/cell/web.cell", .line = 7 };
        char *root = scratch_new();
        _cleanup_free_ char *host = scratch_at(root, "host/localtime");
        SpawnError note = {};

        /* The zone, in the container and for the host's link alike. */
        scratch_touch(root, "usr/share/zoneinfo/CellTest");
        scratch_symlink("../usr/share/zoneinfo/CellTest", root, "host/localtime");
        /* The image's /etc -> data. */
        scratch_mkdir(root, "data");
        scratch_symlink("data", root, "etc");

        f.sources[0] = host;
        ASSERT_EQ(etc_file_decide(&f, root, &note), 1);
        ASSERT_STREQ(note.message, "/etc/cell/web.cell:7: Timezone=symlink: the way to /etc/localtime has a "
                     "symlink in the image, left alone (cell writes nothing reached through a link)");
        ASSERT_STREQ(f.link, "../usr/share/zoneinfo/CellTest");
        free(f.source);
        free(f.link);

        scratch_free(root);
}

/* Timezone=symlink on a container without the host's zone: the host's zone
 * file bound, as nspawn falls back to (it fails only when the host's
 * /etc/localtime names no zone). */
TEST(symlink_without_zone_in_container_binds) {
        PlanEtcFile f = { .key = "Timezone", .setting = "symlink", .target = "/etc/localtime",
                          .mode = PLAN_ETC_SYMLINK, .file = (char *) "/etc/cell/web.cell", .line = 7 };
        char *scratch = scratch_new();
        _cleanup_free_ char *host = scratch_at(scratch, "host/etc/localtime"), *root = scratch_at(scratch, "root");
        SpawnError note = {};

        /* The host's zone, outside the container's root. */
        scratch_touch(scratch, "host/usr/share/zoneinfo/CellTest");
        scratch_symlink("../usr/share/zoneinfo/CellTest", scratch, "host/etc/localtime");
        scratch_mkdir(scratch, "root");

        f.sources[0] = host;
        ASSERT_OK(etc_file_decide(&f, root, &note));
        ASSERT_EQ(f.mode, PLAN_ETC_BIND);
        ASSERT_NULL(f.link);
        ASSERT_STREQ(f.source, host);
        free(f.source);

        scratch_free(scratch);
}
