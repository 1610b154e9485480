/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image=: what root_image_mount() refuses before it makes anything (no
 * loop device, no mount: these need no root), and the types it takes. The
 * mounting itself is tests/integration/run/test-image.sh's. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "root-image.h"
#include "test.h"

static char dir[] = "/tmp/test-root-image-XXXXXX";

static int try_mount(const char *name, SpawnError *err) {
        _cleanup_free_ char *path = NULL;
        RootImage img = ROOT_IMAGE_NULL;
        Plan p = {};
        int r;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        p.root_image = path;
        r = root_image_mount(&p, &img, err);
        root_image_done(&img);
        return r;
}

static void write_file(const char *name, const void *data, size_t size, size_t total) {
        _cleanup_free_ char *path = NULL;
        int fd;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(ftruncate(fd, (off_t) total), 0);
        if (size > 0)
                ASSERT_EQ(pwrite(fd, data, size, 0), (ssize_t) size);
        ASSERT_EQ(close(fd), 0);
}

TEST(fstypes) {
        ASSERT_TRUE(root_image_fstype_supported("ext4"));
        ASSERT_TRUE(root_image_fstype_supported("btrfs"));
        ASSERT_TRUE(root_image_fstype_supported("xfs"));
        ASSERT_TRUE(root_image_fstype_supported("squashfs"));
        ASSERT_TRUE(root_image_fstype_supported("erofs"));
        ASSERT_FALSE(root_image_fstype_supported("ext2"));
        ASSERT_FALSE(root_image_fstype_supported("vfat"));
        ASSERT_FALSE(root_image_fstype_supported(""));
        ASSERT_FALSE(root_image_fstype_supported(NULL));
        ASSERT_TRUE(root_image_fstype_read_only("squashfs"));
        ASSERT_TRUE(root_image_fstype_read_only("erofs"));
        ASSERT_FALSE(root_image_fstype_read_only("ext4"));
}

TEST(refused) {
        SpawnError err = {};
        unsigned char mbr[512] = {};

        ASSERT_NOT_NULL(mkdtemp(dir));

        ASSERT_ERROR(try_mount("missing.raw", &err), ENOENT);
        ASSERT_CONTAINS(err.message, "Image=/tmp/test-root-image-");
        ASSERT_CONTAINS(err.message, "/missing.raw: does not exist");

        err = (SpawnError) {};
        ASSERT_ERROR(try_mount(".", &err), EISDIR);
        ASSERT_CONTAINS(err.message, ": neither a regular file nor a block device (a directory is Directory='s)");

        /* Zeros: nothing blkid knows. */
        write_file("zeros.raw", NULL, 0, 1 << 20);
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("zeros.raw", &err), EMEDIUMTYPE);
        ASSERT_CONTAINS(err.message, "/zeros.raw: no file system found: cell mounts ext4, btrfs, xfs, squashfs or erofs");

        /* A DOS partition table: one Linux partition from sector 2048. */
        mbr[446 + 4] = 0x83;
        mbr[446 + 8] = 0x00;
        mbr[446 + 9] = 0x08;
        mbr[446 + 12] = 0x00;
        mbr[446 + 13] = 0x08;
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        write_file("disk.raw", mbr, sizeof mbr, 4 << 20);
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("disk.raw", &err), EMEDIUMTYPE);
        ASSERT_CONTAINS(err.message, "/disk.raw: has a partition table (dos): cell mounts a plain file system image");

        /* Unreadable: only where we are not root (root reads any file). */
        if (geteuid() != 0) {
                _cleanup_free_ char *path = NULL;

                ASSERT_TRUE(asprintf(&path, "%s/zeros.raw", dir) > 0);
                ASSERT_EQ(chmod(path, 0), 0);
                err = (SpawnError) {};
                ASSERT_ERROR(try_mount("zeros.raw", &err), EACCES);
                ASSERT_CONTAINS(err.message, "/zeros.raw: cannot open");
        }

        /* GPT images (made by sfdisk, where there is one): refused before
         * anything is locked or attached, so without root. */
        if (system("command -v sfdisk >/dev/null") == 0) {
#if defined(__x86_64__)
                static const char luks1[8] = { 'L', 'U', 'K', 'S', (char) 0xba, (char) 0xbe, 0, 1 };
                _cleanup_free_ char *cmd = NULL, *path = NULL;

                /* An ESP and swap: no root. */
                ASSERT_TRUE(asprintf(&cmd, "printf 'label: gpt\n"
                                     "size=1MiB, type=c12a7328-f81f-11d2-ba4b-00a0c93ec93b\n"
                                     "size=1MiB, type=0657fd6d-a4ab-43c4-84e5-0933c84b4f4f\n' | "
                                     "sfdisk -q %s/noroot.raw >/dev/null", dir) > 0);
                write_file("noroot.raw", NULL, 0, 4 << 20);
                ASSERT_EQ(system(cmd), 0);
                err = (SpawnError) {};
                ASSERT_ERROR(try_mount("noroot.raw", &err), ENXIO);
                ASSERT_CONTAINS(err.message, "/noroot.raw: a GPT with no root partition for x86-64 "
                                "(4f68bce3-e8cd-4db1-96e7-fbcaf984b709) nor a single generic Linux one");
                ASSERT_TRUE(err.complete);

                /* A root partition (from 1MiB) that holds a LUKS header. */
                cmd = mfree(cmd);
                ASSERT_TRUE(asprintf(&cmd, "printf 'label: gpt\n"
                                     "start=1MiB, size=1MiB, type=4f68bce3-e8cd-4db1-96e7-fbcaf984b709\n' | "
                                     "sfdisk -q %s/luks.raw >/dev/null", dir) > 0);
                write_file("luks.raw", NULL, 0, 4 << 20);
                ASSERT_EQ(system(cmd), 0);
                ASSERT_TRUE(asprintf(&path, "%s/luks.raw", dir) > 0);
                int fd = open(path, O_WRONLY | O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                ASSERT_EQ(pwrite(fd, luks1, sizeof luks1, 1 << 20), (ssize_t) sizeof luks1);
                ASSERT_EQ(close(fd), 0);
                err = (SpawnError) {};
                ASSERT_ERROR(try_mount("luks.raw", &err), EMEDIUMTYPE);
                ASSERT_CONTAINS(err.message, "/luks.raw: its root partition (1): is encrypted (LUKS): cell does "
                                "not unlock images");
#endif
        } else
                fprintf(stderr, "sfdisk missing: GPT refusals not tested here\n");

        _cleanup_free_ char *rm = NULL;
        ASSERT_TRUE(asprintf(&rm, "rm -rf -- '%s'", dir) > 0);
        ASSERT_EQ(system(rm), 0);
}
