/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image=: what image_probe() makes of crafted images (libblkid, as cell
 * loads it): a file system beside a GPT, a GPT header claiming an entry
 * array of gigabytes. Files only: no loop device, no root needed. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpt-test.h"
#include "root-image-gpt.h"
#include "root-image-probe.h"
#include "test.h"

#define ROOT_X86_64 "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"

static char dir[] = "/tmp/test-root-image-probe-XXXXXX";

/* A GPT image of total bytes (sparse) as a crafted one would be: a
 * protective MBR; a header at LBA 1 (primary) and one at the last LBA
 * (backup), each claiming n_entries of 128 bytes from LBA 2 (zeros but for
 * a root partition of 1 MiB at the first MiB boundary past them when
 * root); a header's CRC32 broken
 * where asked. The open fd. */
typedef struct TestGpt {
        uint64_t total;
        uint32_t n_entries;
        bool root, primary_broken, backup;
} TestGpt;

static int write_gpt(const char *name, const TestGpt *g) {
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ uint8_t *table = NULL;
        uint8_t mbr[512] = {}, hdr[512];
        uint64_t last = g->total / 512 - 1, bytes = (uint64_t) g->n_entries * 128;
        uint32_t crc = UINT32_MAX;
        static const uint8_t zeros[65536];
        int fd;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(ftruncate(fd, (off_t) g->total), 0);

        mbr[446 + 4] = 0xee;
        gpt_put_le(mbr + 446 + 8, 1, 4);
        gpt_put_le(mbr + 446 + 12, (uint32_t) MIN(last, UINT32_MAX), 4);
        mbr[510] = 0x55;
        mbr[511] = 0xaa;
        ASSERT_EQ(pwrite(fd, mbr, sizeof mbr, 0), (ssize_t) sizeof mbr);

        table = calloc(1, 128);
        ASSERT_NOT_NULL(table);
        if (g->root) {
                uint64_t first = (2 + (bytes + 511) / 512 + 2047) / 2048 * 2048;

                gpt_put_guid(table, ROOT_X86_64);
                gpt_put_guid(table + 16, "6a1f0b3c-5d2e-4f70-8a91-b2c3d4e5f6a7");
                gpt_put_le(table + 32, first, 8);
                gpt_put_le(table + 40, first + 2047, 8);
                ASSERT_EQ(pwrite(fd, table, 128, 2 * 512), 128);
        }
        /* The array's CRC32: its first entry, then zeros. */
        crc = gpt_crc32_more(crc, table, 128);
        for (uint64_t left = bytes - 128; left > 0;) {
                size_t k = (size_t) MIN(left, (uint64_t) sizeof zeros);

                crc = gpt_crc32_more(crc, zeros, k);
                left -= k;
        }

        for (int i = 0; i < 2; i++) {
                uint64_t lba = i == 0 ? 1 : last;

                if (i == 1 && !g->backup)
                        break;
                memset(hdr, 0, sizeof hdr);
                memcpy(hdr, "EFI PART", 8);
                gpt_put_le(hdr + 8, 0x10000, 4);
                gpt_put_le(hdr + 12, 92, 4);
                gpt_put_le(hdr + 24, lba, 8);
                gpt_put_le(hdr + 32, i == 0 ? last : 1, 8);
                gpt_put_le(hdr + 40, 2 + (bytes + 511) / 512, 8);
                gpt_put_le(hdr + 48, last - 1, 8);
                gpt_put_guid(hdr + 56, "0d7e8f9a-1b2c-4d3e-8f4a-5b6c7d8e9fa0");
                gpt_put_le(hdr + 72, 2, 8);
                gpt_put_le(hdr + 80, g->n_entries, 4);
                gpt_put_le(hdr + 84, 128, 4);
                gpt_put_le(hdr + 88, ~crc, 4);
                gpt_put_le(hdr + 16, ~gpt_crc32_more(UINT32_MAX, hdr, 92) ^ (i == 0 && g->primary_broken), 4);
                ASSERT_EQ(pwrite(fd, hdr, sizeof hdr, (off_t) (lba * 512)), (ssize_t) sizeof hdr);
        }
        return fd;
}

static void need_blkid(void) {
        char why[256];

        if (root_image_blkid_load(why, sizeof why) < 0)
                test_skip("no libblkid: %s", why);
}

TEST(setup) {
        ASSERT_NOT_NULL(mkdtemp(dir));
}

TEST(gpt) {
        ImageProbe pr = {};
        uint64_t bytes;
        int fd;

        need_blkid();
        if (test_skipped())
                return;
        /* The usual table: 128 entries, a root partition. */
        fd = write_gpt("plain.raw", &(TestGpt) { .total = 8 << 20, .n_entries = 128, .root = true, .backup = true });
        ASSERT_OK(image_probe_gpt_entries(fd, &bytes));
        ASSERT_EQ_U64(bytes, 128 * 128);
        ASSERT_OK(image_probe(fd, &pr, &(GptBadEntry) {}));
        ASSERT_STREQ(pr.pttype, "gpt");
        ASSERT_STREQ(pr.fstype, "");
        ASSERT_EQ(pr.n_parts, 1u);
        ASSERT_STREQ(pr.parts[0].type, ROOT_X86_64);
        ASSERT_EQ_U64(pr.parts[0].start, 2048 * 512);
        image_probe_done(&pr);
        ASSERT_EQ(close(fd), 0);

        /* A broken primary header: libblkid reads the backup, as the kernel
         * does, and so systemd; and so does cell. */
        fd = write_gpt("backup.raw", &(TestGpt) { .total = 8 << 20, .n_entries = 128, .root = true,
                                                  .primary_broken = true, .backup = true });
        ASSERT_OK(image_probe(fd, &pr, &(GptBadEntry) {}));
        ASSERT_STREQ(pr.pttype, "gpt");
        ASSERT_EQ(pr.n_parts, 1u);
        image_probe_done(&pr);
        ASSERT_EQ(close(fd), 0);

        /* Neither: the protective MBR alone. */
        fd = write_gpt("pmbr.raw", &(TestGpt) { .total = 8 << 20, .n_entries = 128, .root = true,
                                                .primary_broken = true });
        ASSERT_OK(image_probe(fd, &pr, &(GptBadEntry) {}));
        ASSERT_STREQ(pr.pttype, "PMBR");
        ASSERT_EQ(pr.n_parts, 0u);
        image_probe_done(&pr);
        ASSERT_EQ(close(fd), 0);
}

TEST(file_system_beside_gpt) {
        /* A squashfs superblock (magic, version 4.0, 128 KiB blocks) at
         * byte 0, where a protective MBR leaves 446 bytes free. */
        uint8_t sb[96] = { 'h', 's', 'q', 's' };
        ImageProbe pr = {};
        int fd;

        need_blkid();
        if (test_skipped())
                return;
        gpt_put_le(sb + 4, 1, 4);                   /* inodes */
        gpt_put_le(sb + 12, 131072, 4);             /* block size */
        gpt_put_le(sb + 20, 1, 2);                  /* gzip */
        gpt_put_le(sb + 22, 17, 2);                 /* block log */
        gpt_put_le(sb + 26, 1, 2);                  /* ids */
        gpt_put_le(sb + 28, 4, 2);                  /* major */
        gpt_put_le(sb + 40, 4096, 8);               /* bytes used */
        fd = write_gpt("both.raw", &(TestGpt) { .total = 8 << 20, .n_entries = 128, .root = true, .backup = true });
        ASSERT_EQ(pwrite(fd, sb, sizeof sb, 0), (ssize_t) sizeof sb);
        /* systemd's dissection takes the file system: the image is the
         * squashfs, not the GPT's root partition. */
        ASSERT_OK(image_probe(fd, &pr, &(GptBadEntry) {}));
        ASSERT_STREQ(pr.fstype, "squashfs");
        ASSERT_STREQ(pr.pttype, "");
        ASSERT_EQ(pr.n_parts, 0u);
        image_probe_done(&pr);
        ASSERT_EQ(close(fd), 0);
}

TEST(entries_bound) {
        ImageProbe pr = {};
        uint64_t bytes;
        int fd;

        need_blkid();
        if (test_skipped())
                return;
        /* 4 MiB of entries (32768): read. */
        fd = write_gpt("big.raw", &(TestGpt) { .total = 16 << 20, .n_entries = 32768, .root = true,
                                               .backup = false });
        ASSERT_OK(image_probe_gpt_entries(fd, &bytes));
        ASSERT_EQ_U64(bytes, GPT_ENTRIES_MAX_BYTES);
        ASSERT_OK(image_probe(fd, &pr, &(GptBadEntry) {}));
        ASSERT_STREQ(pr.pttype, "gpt");
        ASSERT_EQ(pr.n_parts, 1u);
        image_probe_done(&pr);
        ASSERT_EQ(close(fd), 0);

        /* One entry more: refused before libblkid reads any (it would take
         * this table, as it takes one of 4 GiB). */
        fd = write_gpt("bigger.raw", &(TestGpt) { .total = 16 << 20, .n_entries = 32769, .root = true });
        ASSERT_ERROR(image_probe_gpt_entries(fd, &bytes), EFBIG);
        ASSERT_EQ_U64(bytes, GPT_ENTRIES_MAX_BYTES + 128);
        ASSERT_ERROR(image_probe(fd, &pr, &(GptBadEntry) {}), EFBIG);
        ASSERT_EQ(close(fd), 0);

        /* The backup's claim counts too: libblkid reads it when the
         * primary is broken. */
        fd = write_gpt("backup-big.raw", &(TestGpt) { .total = 16 << 20, .n_entries = 32769, .root = true,
                                                      .primary_broken = true, .backup = true });
        ASSERT_ERROR(image_probe(fd, &pr, &(GptBadEntry) {}), EFBIG);
        ASSERT_EQ(close(fd), 0);

        /* Without a protective MBR libblkid reads no GPT, nor does cell. */
        fd = write_gpt("nopmbr.raw", &(TestGpt) { .total = 16 << 20, .n_entries = 32769, .root = true });
        ASSERT_EQ(pwrite(fd, (const uint8_t[2]) {}, 2, 510), 2);
        ASSERT_OK(image_probe_gpt_entries(fd, &bytes));
        ASSERT_EQ_U64(bytes, 0);
        ASSERT_EQ(close(fd), 0);
}

TEST(cleanup) {
        _cleanup_free_ char *rm = NULL;

        ASSERT_TRUE(asprintf(&rm, "rm -rf -- '%s'", dir) > 0);
        ASSERT_EQ(system(rm), 0);
}
