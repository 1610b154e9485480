/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image=: libblkid, dlopen'ed, on the image's fd (root-image-probe.h). */

#include <blkid.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlopen-table.h"
#include "macros.h"
#include "root-image-probe.h"

/* libblkid is opened with dlopen() only when a plan has Image=: linked
 * directly, every start of every unit would map it at exec. */
#define BLKID_SONAME "libblkid.so.1"

static struct {
        void *handle;
        typeof(blkid_new_probe) *new_probe;
        typeof(blkid_free_probe) *free_probe;
        typeof(blkid_probe_set_device) *probe_set_device;
        typeof(blkid_probe_enable_superblocks) *probe_enable_superblocks;
        typeof(blkid_probe_set_superblocks_flags) *probe_set_superblocks_flags;
        typeof(blkid_probe_enable_partitions) *probe_enable_partitions;
        typeof(blkid_do_safeprobe) *do_safeprobe;
        typeof(blkid_probe_lookup_value) *probe_lookup_value;
        typeof(blkid_probe_get_partitions) *probe_get_partitions;
        typeof(blkid_partlist_numof_partitions) *partlist_numof_partitions;
        typeof(blkid_partlist_get_partition) *partlist_get_partition;
        typeof(blkid_partition_get_type_string) *partition_get_type_string;
        typeof(blkid_partition_get_partno) *partition_get_partno;
        typeof(blkid_partition_get_start) *partition_get_start;
        typeof(blkid_partition_get_size) *partition_get_size;
        typeof(blkid_partition_get_flags) *partition_get_flags;
        typeof(blkid_partition_get_name) *partition_get_name;
} blkid;

/* RTLD_NOW: a missing symbol fails here; RTLD_LOCAL: its symbols stay its
 * own. */
int root_image_blkid_load(char *error, size_t size) {
        const DlopenSym syms[] = {
                DLOPEN_SYM(blkid, new_probe, blkid_new_probe),
                DLOPEN_SYM(blkid, free_probe, blkid_free_probe),
                DLOPEN_SYM(blkid, probe_set_device, blkid_probe_set_device),
                DLOPEN_SYM(blkid, probe_enable_superblocks, blkid_probe_enable_superblocks),
                DLOPEN_SYM(blkid, probe_set_superblocks_flags, blkid_probe_set_superblocks_flags),
                DLOPEN_SYM(blkid, probe_enable_partitions, blkid_probe_enable_partitions),
                DLOPEN_SYM(blkid, do_safeprobe, blkid_do_safeprobe),
                DLOPEN_SYM(blkid, probe_lookup_value, blkid_probe_lookup_value),
                DLOPEN_SYM(blkid, probe_get_partitions, blkid_probe_get_partitions),
                DLOPEN_SYM(blkid, partlist_numof_partitions, blkid_partlist_numof_partitions),
                DLOPEN_SYM(blkid, partlist_get_partition, blkid_partlist_get_partition),
                DLOPEN_SYM(blkid, partition_get_type_string, blkid_partition_get_type_string),
                DLOPEN_SYM(blkid, partition_get_partno, blkid_partition_get_partno),
                DLOPEN_SYM(blkid, partition_get_start, blkid_partition_get_start),
                DLOPEN_SYM(blkid, partition_get_size, blkid_partition_get_size),
                DLOPEN_SYM(blkid, partition_get_flags, blkid_partition_get_flags),
                DLOPEN_SYM(blkid, partition_get_name, blkid_partition_get_name),
        };

        if (dlopen_table(BLKID_SONAME, RTLD_NOW | RTLD_LOCAL, syms, ELEMENTSOF(syms), &blkid.handle, error, size) < 0)
                return -EOPNOTSUPP;
        return 0;
}

void image_probe_done(ImageProbe *pr) {
        pr->parts = mfree(pr->parts);
        pr->n_parts = 0;
}

/* A probe of [offset, offset + size) of fd (size 0: to the end), safeprobe'd
 * for superblocks and, if asked, partition tables: 0 (found), 1 (nothing),
 * -ENOTUNIQ, -errno; the probe in *ret_pr, for the caller to free. */
static int probe_run(int fd, uint64_t offset, uint64_t size, bool partitions, blkid_probe *ret_pr) {
        blkid_probe pr;
        int r;

        r = root_image_blkid_load(NULL, 0);
        if (r < 0)
                return r;
        pr = blkid.new_probe();
        if (!pr)
                return -ENOMEM;
        r = blkid.probe_set_device(pr, fd, (blkid_loff_t) offset, (blkid_loff_t) size);
        if (r >= 0) {
                (void) blkid.probe_enable_superblocks(pr, 1);
                (void) blkid.probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
                (void) blkid.probe_enable_partitions(pr, partitions);
                errno = 0;
                r = blkid.do_safeprobe(pr);
        }
        if (r == -2) {
                /* Two signatures that contradict each other: mounting
                 * either could be the wrong one. */
                blkid.free_probe(pr);
                return -ENOTUNIQ;
        }
        if (r < 0) {
                blkid.free_probe(pr);
                return errno > 0 ? -errno : -EIO;
        }
        *ret_pr = pr;
        return r;
}

static void lookup(blkid_probe pr, const char *name, char *buf, size_t size) {
        const char *v = NULL;

        buf[0] = 0;
        if (blkid.probe_lookup_value(pr, name, &v, NULL) == 0 && v)
                (void) snprintf(buf, size, "%s", v);
}

/* The GPT's entries, from the probe that found it. Sizes are 512-byte
 * sectors in libblkid's partition list, whatever the device's. Every entry
 * is checked before any is kept, as systemd's dissection checks each. */
static int read_partitions(blkid_probe pr, ImageProbe *ret, GptBadEntry *ret_bad) {
        _cleanup_free_ GptPartition *parts = NULL;
        blkid_partlist pl;
        int n;

        errno = 0;
        pl = blkid.probe_get_partitions(pr);
        if (!pl)
                return errno > 0 ? -errno : -EIO;
        n = blkid.partlist_numof_partitions(pl);
        if (n < 0)
                return -EIO;
        for (int i = 0; i < n; i++) {
                blkid_partition bp = blkid.partlist_get_partition(pl, i);
                blkid_loff_t start, size;
                int partno;

                if (!bp)
                        return -EIO;
                partno = blkid.partition_get_partno(bp);
                start = blkid.partition_get_start(bp);
                size = blkid.partition_get_size(bp);
                /* libblkid's size of an entry that ends before it starts
                 * wraps below zero: it lies nowhere in the image. */
                if (start < 0 || size < 0 || (uint64_t) start > UINT64_MAX / 512 / 2 ||
                    (uint64_t) size > UINT64_MAX / 512 / 2 || partno > GPT_PARTNO_MAX) {
                        *ret_bad = (GptBadEntry) {
                                .partno = partno,
                                .first_lba = (uint64_t) start,
                                .last_lba = (uint64_t) start + (uint64_t) size - 1,
                        };
                        return partno > GPT_PARTNO_MAX ? -E2BIG : -ERANGE;
                }
        }
        parts = calloc((size_t) n + 1, sizeof *parts);
        if (!parts)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                blkid_partition bp = blkid.partlist_get_partition(pl, i);
                const char *type = blkid.partition_get_type_string(bp), *name = blkid.partition_get_name(bp);

                parts[i] = (GptPartition) {
                        .partno = blkid.partition_get_partno(bp),
                        .flags = blkid.partition_get_flags(bp),
                        .start = (uint64_t) blkid.partition_get_start(bp) * 512,
                        .size = (uint64_t) blkid.partition_get_size(bp) * 512,
                };
                (void) snprintf(parts[i].type, sizeof parts[i].type, "%s", strempty(type));
                (void) snprintf(parts[i].label, sizeof parts[i].label, "%s", strempty(name));
        }
        ret->parts = TAKE_PTR(parts);
        ret->n_parts = (size_t) n;
        return 0;
}

/* The sector at lba (size bytes) of fd: 0, -errno, -EIO when short. */
static int read_sector(int fd, uint64_t lba, uint8_t *buf, size_t size) {
        ssize_t n;

        if (lba > (uint64_t) INT64_MAX / size)
                return -EIO;
        n = pread(fd, buf, size, (off_t) (lba * size));
        if (n < 0)
                return -errno;
        return (size_t) n == size ? 0 : -EIO;
}

/* The sector size libblkid reads fd at (512 bytes for a file, a device's
 * logical one) and fd's size in bytes. */
static int image_geometry(int fd, unsigned *ret_sector, uint64_t *ret_size) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISBLK(st.st_mode)) {
                int ss = 0;

                if (ioctl(fd, BLKSSZGET, &ss) < 0)
                        return -errno;
                if (ss < 512 || ss > 65536)
                        return -EIO;
                if (ioctl(fd, BLKGETSIZE64, ret_size) < 0)
                        return -errno;
                *ret_sector = (unsigned) ss;
                return 0;
        }
        *ret_sector = 512;
        *ret_size = (uint64_t) st.st_size;
        return 0;
}

/* Whether a valid primary GPT header is at LBA 1 of fd read at sector
 * bytes a sector (size bytes in all): 1, 0, -errno. */
static int gpt_header_at(int fd, unsigned sector, uint64_t size) {
        _cleanup_free_ uint8_t *buf = NULL;
        uint64_t bytes;
        int r;

        if (size / sector < 3)
                return 0;
        buf = malloc(sector);
        if (!buf)
                return -ENOMEM;
        r = read_sector(fd, 1, buf, sector);
        if (r < 0)
                return r;
        return gpt_header_entries_size(buf, sector, 1, size / sector - 1, &bytes);
}

int image_probe_gpt_entries(int fd, uint64_t *ret_bytes) {
        _cleanup_free_ uint8_t *buf = NULL;
        uint64_t size, last, bytes = 0;
        unsigned sector;
        int r;

        r = image_geometry(fd, &sector, &size);
        if (r < 0)
                return r;
        /* Too small for an MBR and a header: no GPT. */
        if (size / sector < 2) {
                *ret_bytes = 0;
                return 0;
        }
        last = size / sector - 1;
        buf = malloc(sector);
        if (!buf)
                return -ENOMEM;
        /* libblkid looks for a GPT only behind a protective MBR: the
         * signature and a partition of type 0xee. */
        r = read_sector(fd, 0, buf, sector);
        if (r < 0)
                return r;
        if (buf[510] != 0x55 || buf[511] != 0xaa ||
            (buf[446 + 4] != 0xee && buf[462 + 4] != 0xee && buf[478 + 4] != 0xee && buf[494 + 4] != 0xee)) {
                *ret_bytes = 0;
                return 0;
        }
        /* The primary header, and the backup it falls back to. */
        for (int i = 0; i < 2; i++) {
                uint64_t lba = i == 0 ? 1 : last, n;

                r = read_sector(fd, lba, buf, sector);
                if (r < 0)
                        return r;
                if (gpt_header_entries_size(buf, sector, lba, last, &n) > 0 && n > bytes)
                        bytes = n;
        }
        *ret_bytes = bytes;
        return bytes > GPT_ENTRIES_MAX_BYTES ? -EFBIG : 0;
}

int image_probe(int fd, ImageProbe *ret, GptBadEntry *ret_bad) {
        ImageProbe pr = {};
        blkid_probe b = NULL;
        char usage[16];
        uint64_t bytes, size;
        unsigned sector;
        int r;

        /* Before libblkid reads the entries a header claims, whatever
         * their size: what it would read for a sparse file of a few bytes
         * (gigabytes, for minutes) is refused first. */
        r = image_probe_gpt_entries(fd, &bytes);
        if (r < 0)
                return r;
        r = probe_run(fd, 0, 0, true, &b);
        if (r < 0)
                return r;
        if (r == 0) {
                lookup(b, "TYPE", pr.fstype, sizeof pr.fstype);
                lookup(b, "USAGE", usage, sizeof usage);
                /* A file system (or LUKS) on the whole image is the image,
                 * whatever partition table libblkid also finds on it, as
                 * systemd's dissect_image() takes it first: a GPT beside a
                 * squashfs superblock is a squashfs to nspawn, and so to
                 * cell, not the tree of another partition. */
                if (!streq(usage, "filesystem") && !streq(usage, "crypto"))
                        lookup(b, "PTTYPE", pr.pttype, sizeof pr.pttype);
                if (streq(pr.pttype, "gpt")) {
                        r = read_partitions(b, &pr, ret_bad);
                        if (r < 0) {
                                blkid.free_probe(b);
                                return r;
                        }
                }
        }
        blkid.free_probe(b);

        /* What is missing of a GPT, for a message that says so: its
         * protective MBR, without which libblkid (and so systemd) reads
         * none; or the header where libblkid reads it, found at the other
         * sector size. */
        if (!pr.fstype[0] && (!pr.pttype[0] || streq(pr.pttype, "PMBR"))) {
                r = image_geometry(fd, &sector, &size);
                if (r >= 0 && !pr.pttype[0]) {
                        r = gpt_header_at(fd, 512, size);
                        if (r == 0)
                                r = gpt_header_at(fd, 4096, size);
                        pr.gpt_without_pmbr = r > 0;
                } else if (r >= 0) {
                        r = gpt_header_at(fd, sector == 512 ? 4096 : 512, size);
                        pr.gpt_other_sector = r > 0 ? (sector == 512 ? 4096 : 512) : 0;
                        pr.sector = sector;
                }
                if (r < 0) {
                        image_probe_done(&pr);
                        return r;
                }
        }
        *ret = pr;
        return 0;
}

int image_probe_fstype(int fd, uint64_t offset, uint64_t size, char *ret_type, size_t type_size) {
        blkid_probe b = NULL;
        int r;

        ret_type[0] = 0;
        /* Partitions off: a file system's own first sectors may look like
         * a table (an MBR in a FAT boot sector); the content is asked for. */
        r = probe_run(fd, offset, size, false, &b);
        if (r < 0)
                return r;
        if (r == 0)
                lookup(b, "TYPE", ret_type, type_size);
        blkid.free_probe(b);
        return 0;
}
