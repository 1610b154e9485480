/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Image=: what libblkid (dlopen'ed, only for a plan with Image=) finds in
 * the image: a file system, or a partition table and its entries. For
 * root-image.c alone. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "root-image-gpt.h"

/* Loads libblkid once per process; error (if not NULL) says why not:
 * -EOPNOTSUPP. */
int root_image_blkid_load(char *error, size_t size);

typedef struct ImageProbe {
        char fstype[16];        /* blkid's TYPE of the whole image, "" when none */
        char pttype[16];        /* its PTTYPE ("gpt", "dos"), "" when none */
        GptPartition *parts;    /* with a GPT: its entries (malloc'ed) */
        size_t n_parts;
        /* Where nothing is found: a valid GPT header at LBA 1 (of 512 or
         * 4096-byte sectors) with no protective MBR before it. */
        bool gpt_without_pmbr;
        /* With a protective MBR and no GPT where libblkid looks: the other
         * sector size (512, 4096) a valid header is found at, or 0; and the
         * one libblkid reads at. */
        unsigned gpt_other_sector, sector;
} ImageProbe;

/* A GPT entry image_probe() refuses (-ERANGE, -E2BIG): its number and LBAs. */
typedef struct GptBadEntry {
        int partno;
        uint64_t first_lba, last_lba;
} GptBadEntry;

void image_probe_done(ImageProbe *pr);

/* What fd holds: *ret filled, 0; -ENOTUNIQ for signatures that contradict
 * each other; -EFBIG for a GPT header whose entry array is larger than
 * GPT_ENTRIES_MAX_BYTES (image_probe_gpt_entries()); for a GPT entry,
 * whatever its type, with *ret_bad naming it (systemd 252's dissection
 * refuses each as well): -ERANGE when it ends before it starts, -E2BIG when
 * numbered past GPT_PARTNO_MAX; -errno. A table's
 * entries are read only for a GPT; a file system found on the whole image
 * wins over a partition table also found there (pttype is "" then), as
 * systemd's image dissection takes it. */
int image_probe(int fd, ImageProbe *ret, GptBadEntry *ret_bad);

/* The largest entry array a valid GPT header of fd (the primary or the
 * backup, behind a protective MBR, checked as libblkid checks one) claims,
 * in *ret_bytes (0: none), read at the sector size libblkid reads fd at
 * (512 bytes for a file, the device's logical one): 0; -EFBIG when larger
 * than GPT_ENTRIES_MAX_BYTES (*ret_bytes set all the same); -errno. Reads
 * three sectors, no more. */
int image_probe_gpt_entries(int fd, uint64_t *ret_bytes);

/* blkid's TYPE of the file system at [offset, offset + size) of fd, into
 * ret_type ("" when none): 0, -ENOTUNIQ, -errno. */
int image_probe_fstype(int fd, uint64_t offset, uint64_t size, char *ret_type, size_t type_size);
