/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image=: what root_image_mount() refuses before it makes anything (no
 * loop device, no mount: these need no root), and the types it takes. The
 * mounting itself is tests/integration/run/test-image.sh's. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps-test.h"
#include "gpt-test.h"
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

/* A GPT of the entries given (type, first and last LBA, 512-byte sectors),
 * written as a crafted image would be: what the entries say is not checked
 * (sfdisk refuses overlapping or empty ones). The protective MBR, the
 * primary header and its table; no backup (blkid reads the primary). */
typedef struct TestGptEntry {
        const char *type;
        uint64_t first, last;
} TestGptEntry;

/* The MBR's first partition entry (type, first sector, sectors) and its
 * signature. */
static void put_mbr_entry(uint8_t *mbr, uint8_t type, uint32_t first, uint32_t sectors) {
        mbr[446 + 4] = type;
        gpt_put_le(mbr + 446 + 8, first, 4);
        gpt_put_le(mbr + 446 + 12, sectors, 4);
        mbr[510] = 0x55;
        mbr[511] = 0xaa;
}

/* How write_gpt_as() lays the table out: entries from slot on, a table of
 * n_entries (at least 128), sector bytes a sector, and no protective MBR
 * where asked. */
typedef struct TestGptLayout {
        size_t slot, n_entries;
        unsigned sector;
        bool no_pmbr;
} TestGptLayout;

static void write_gpt_as(const char *name, size_t total, const TestGptEntry *e, size_t n, const TestGptLayout *l) {
        size_t ss = l->sector ?: 512, entries = MAX(MAX(l->n_entries, (size_t) 128), l->slot + n);
        size_t table_sectors = (entries * 128 + ss - 1) / ss, size = (2 + table_sectors) * ss;
        _cleanup_free_ uint8_t *img = calloc(1, size);
        uint8_t *mbr, *hdr, *table;
        uint64_t last = total / ss - 1;

        ASSERT_NOT_NULL(img);
        mbr = img, hdr = img + ss, table = img + 2 * ss;
        if (!l->no_pmbr)
                put_mbr_entry(mbr, 0xee, 1, (uint32_t) MIN(total / 512 - 1, UINT32_MAX));
        for (size_t i = 0; i < n; i++) {
                uint8_t *t = table + 128 * (l->slot + i);

                gpt_put_guid(t, e[i].type);
                gpt_put_guid(t + 16, "6a1f0b3c-5d2e-4f70-8a91-b2c3d4e5f6a7");
                t[16] = (uint8_t) (i + 1);      /* unique */
                gpt_put_le(t + 32, e[i].first, 8);
                gpt_put_le(t + 40, e[i].last, 8);
        }
        memcpy(hdr, "EFI PART", 8);
        gpt_put_le(hdr + 8, 0x10000, 4);
        gpt_put_le(hdr + 12, 92, 4);
        gpt_put_le(hdr + 24, 1, 8);
        gpt_put_le(hdr + 32, last, 8);
        gpt_put_le(hdr + 40, 2 + table_sectors, 8);
        gpt_put_le(hdr + 48, last - 2 - table_sectors, 8);
        gpt_put_guid(hdr + 56, "0d7e8f9a-1b2c-4d3e-8f4a-5b6c7d8e9fa0");
        gpt_put_le(hdr + 72, 2, 8);
        gpt_put_le(hdr + 80, entries, 4);
        gpt_put_le(hdr + 84, 128, 4);
        gpt_put_le(hdr + 88, gpt_crc32(table, entries * 128), 4);
        gpt_put_le(hdr + 16, gpt_crc32(hdr, 92), 4);
        write_file(name, img, size, total);
}

static void write_gpt(const char *name, size_t total, const TestGptEntry *e, size_t n) {
        write_gpt_as(name, total, e, n, &(TestGptLayout) {});
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
        uint8_t mbr[512] = {};

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

        /* Zero bytes: said so. */
        write_file("none.raw", NULL, 0, 0);
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("none.raw", &err), EMEDIUMTYPE);
        ASSERT_CONTAINS(err.message, "/none.raw: is empty (0 bytes)");
        ASSERT_TRUE(err.complete);

        /* A DOS partition table: one Linux partition from sector 2048. */
        put_mbr_entry(mbr, 0x83, 2048, 2048);
        write_file("disk.raw", mbr, sizeof mbr, 4 << 20);
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("disk.raw", &err), EMEDIUMTYPE);
        ASSERT_CONTAINS(err.message, "/disk.raw: has a partition table (dos): cell mounts a plain file system image");

        /* A GPT's protective MBR and no GPT at 512-byte sectors (one made
         * for 4096-byte sectors has its header at byte 4096): said so, not
         * "a partition table (PMBR)". */
        memset(mbr, 0, sizeof mbr);
        put_mbr_entry(mbr, 0xee, 1, 0x1fff);
        write_file("pmbr.raw", mbr, sizeof mbr, 4 << 20);
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("pmbr.raw", &err), EMEDIUMTYPE);
        ASSERT_CONTAINS(err.message, "/pmbr.raw: a GPT's protective MBR but no valid GPT header after it "
                        "(neither the primary at LBA 1 nor the backup at the last LBA)");
        ASSERT_TRUE(err.complete);
        /* The sector size hint only where it applies: a GPT at byte 4096. */
        ASSERT_NULL(strstr(err.message, "4096"));

        /* Unreadable: in a child without the capabilities by which root
         * reads any file. */
        _cleanup_free_ char *zeros = NULL;
        ASSERT_TRUE(asprintf(&zeros, "%s/zeros.raw", dir) > 0);
        ASSERT_EQ(chmod(zeros, 0), 0);
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                if (drop_dac_override() < 0)
                        _exit(TEST_SKIP);
                err = (SpawnError) {};
                ASSERT_ERROR(try_mount("zeros.raw", &err), EACCES);
                ASSERT_CONTAINS(err.message, "/zeros.raw: cannot open");
                _exit(0);
        }
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == TEST_SKIP)
                test_skip_part("cannot drop CAP_DAC_OVERRIDE: an unreadable image");
        else
                ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

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
                test_skip_part("sfdisk missing: GPT refusals");

#if defined(__x86_64__)
        /* Crafted GPTs: what their entries say of extents is refused
         * before any loop device is made of it. */
        static const TestGptEntry same[] = {
                { "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", 2048, 6143 },   /* root */
                { "8484680c-9521-48c6-9c11-b0720656f69e", 2048, 6143 },   /* /usr, on the root's extent */
        };
        static const TestGptEntry empty[] = {
                { "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", 2048, 2047 },   /* root, no sector */
                { "8484680c-9521-48c6-9c11-b0720656f69e", 4096, 6143 },
        };
        write_gpt("same.raw", 8 << 20, same, ELEMENTSOF(same));
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("same.raw", &err), EADDRINUSE);
        ASSERT_CONTAINS(err.message, "/same.raw: its root partition (1) and its /usr partition (2) overlap: one "
                        "file system would be mounted twice");
        ASSERT_TRUE(err.complete);
        write_gpt("empty.raw", 8 << 20, empty, ELEMENTSOF(empty));
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("empty.raw", &err), ERANGE);
        ASSERT_CONTAINS(err.message, "/empty.raw: its root partition (1) is empty");

        /* An entry that ends before it starts, whatever its type: libblkid's
         * size wraps below zero (systemd: a bare "Input/output error"). */
        static const TestGptEntry reversed[] = {
                { "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", 2048, 6143 },
                { "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", 9000, 8000 },   /* swap */
        };
        write_gpt("reversed.raw", 8 << 20, reversed, ELEMENTSOF(reversed));
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("reversed.raw", &err), ERANGE);
        ASSERT_CONTAINS(err.message, "/reversed.raw: its GPT's partition 2 ends (LBA 8000) before it starts (LBA "
                        "9000): it lies nowhere in the image");
        ASSERT_TRUE(err.complete);

        /* Partition 256: past the kernel's 255 (systemd: "Invalid
         * argument"); partition 255 is taken (and its file system missing). */
        static const TestGptEntry high[] = { { "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", 2048, 6143 } };
        write_gpt_as("p256.raw", 8 << 20, high, 1, &(TestGptLayout) { .slot = 255 });
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("p256.raw", &err), E2BIG);
        ASSERT_CONTAINS(err.message, "/p256.raw: its GPT has a partition 256: a disk has partitions 1 to 255 at "
                        "most");
        ASSERT_TRUE(err.complete);
        write_gpt_as("p255.raw", 8 << 20, high, 1, &(TestGptLayout) { .slot = 254 });
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("p255.raw", &err), EMEDIUMTYPE);
        ASSERT_CONTAINS(err.message, "/p255.raw: its root partition (255): no file system found");

        /* A valid GPT without its protective MBR: libblkid (and systemd)
         * reads none; said what is missing, not "no file system found". */
        write_gpt_as("nopmbr.raw", 8 << 20, high, 1, &(TestGptLayout) { .no_pmbr = true });
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("nopmbr.raw", &err), EMEDIUMTYPE);
        ASSERT_CONTAINS(err.message, "/nopmbr.raw: a GPT header but no protective MBR before it (a partition of "
                        "type 0xee)");
        ASSERT_TRUE(err.complete);

        /* A GPT made for 4096-byte sectors, read from a file at 512: the
         * hint says so. */
        static const TestGptEntry high4k[] = { { "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", 256, 767 } };
        write_gpt_as("gpt4k.raw", 8 << 20, high4k, 1, &(TestGptLayout) { .sector = 4096 });
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("gpt4k.raw", &err), EMEDIUMTYPE);
        ASSERT_CONTAINS(err.message, "/gpt4k.raw: a GPT's protective MBR, and its GPT made for 4096-byte sectors "
                        "where it is read at 512-byte ones");

        /* The secondary architecture's root verity partition and a generic
         * one: systemd 252 refuses the image, where the generic partition
         * was mounted. */
        static const TestGptEntry x86_verity[] = {
                { "d13c5d3b-b5d1-422a-b29f-9454fdc89d76", 2048, 4095 },   /* x86 root verity */
                { "0fc63daf-8483-4772-8e79-3d69d8477de4", 4096, 6143 },   /* generic */
        };
        write_gpt("x86verity.raw", 8 << 20, x86_verity, ELEMENTSOF(x86_verity));
        err = (SpawnError) {};
        ASSERT_ERROR(try_mount("x86verity.raw", &err), EADDRNOTAVAIL);
        ASSERT_CONTAINS(err.message, "/x86verity.raw: its verity partition (1) is for a root partition of x86, "
                        "which the image lacks");
        ASSERT_TRUE(err.complete);
#endif

        _cleanup_free_ char *rm = NULL;
        ASSERT_TRUE(asprintf(&rm, "rm -rf -- '%s'", dir) > 0);
        ASSERT_EQ(system(rm), 0);
}
