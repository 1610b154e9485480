/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Image= of a GPT "discoverable disk image" (the Discoverable Partitions
 * Specification, as systemd-nspawn --image= and systemd-dissect read it):
 * which partitions make the container's tree. Pure: a list of partition
 * entries in, a choice out, for the tests without root. root-image.c
 * probes, attaches and mounts what is chosen. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The GPT partition attribute bits the specification gives a meaning. */
#define GPT_FLAG_GROWFS         (UINT64_C(1) << 59)
#define GPT_FLAG_READ_ONLY      (UINT64_C(1) << 60)
#define GPT_FLAG_NO_AUTO        (UINT64_C(1) << 63)

/* The highest partition number a disk may have: the kernel's
 * DISK_MAX_PARTS (256 minors, the whole disk's included) refuses a partition
 * device numbered 256 or more (BLKPG_ADD_PARTITION: EINVAL), and so systemd
 * 252's dissection refuses an image with one. */
#define GPT_PARTNO_MAX 255

/* The largest partition entry array cell lets libblkid read: 32768
 * entries of 128 bytes. A header may claim up to 4 GiB, which libblkid
 * reads whole into memory (twice, with the backup): a sparse file of a few
 * bytes on disk would hold a start for minutes and gigabytes. */
#define GPT_ENTRIES_MAX_BYTES (UINT64_C(4) << 20)

typedef struct GptPartition {
        int partno;             /* 1-based, as blkid and the kernel number them */
        char type[37];          /* the type UUID, as blkid gives it (either case) */
        uint64_t flags;         /* the attribute bits */
        char label[128];        /* the name, UTF-8 ("" when none) */
        uint64_t start, size;   /* in bytes */
} GptPartition;

/* What cell mounts of such an image, in the order it mounts them (each
 * mount point lies in one mounted before it). */
typedef enum GptDesignator {
        GPT_ROOT,
        GPT_USR,
        GPT_HOME,
        GPT_SRV,
        GPT_VAR,
        GPT_VAR_TMP,
        _GPT_DESIGNATOR_MAX,
} GptDesignator;

typedef struct GptChoice {
        int index[_GPT_DESIGNATOR_MAX];         /* into the list, or -1 */
        bool read_only[_GPT_DESIGNATOR_MAX];    /* its GPT_FLAG_READ_ONLY */
        bool generic_root;                      /* the root is the single generic Linux partition */
        int foreign;                            /* gpt_choose()'s -ENOEXEC: that partition, or -1 */
        int verity;                             /* gpt_choose()'s -EADDRNOTAVAIL: that partition, or -1 */
        const char *verity_arch;                /* its architecture ("x86-64") */
} GptChoice;

/* The mount point of a designator ("/" for the root) and its name in
 * messages ("root", "/usr", ...). */
const char *gpt_designator_path(GptDesignator d);
const char *gpt_designator_name(GptDesignator d);

/* The build's architecture as the specification names it ("x86-64"), and
 * the type UUID of its root partition (lower case); NULL where systemd's
 * sd-gpt.h knows no root type for it. */
const char *gpt_native_arch(void);
const char *gpt_native_root_type(void);

/* Chooses as systemd 252's dissect_image() does for systemd-nspawn:
 *  - a partition flagged GPT_FLAG_NO_AUTO is not looked at;
 *  - the root and /usr partitions of the native architecture; of several,
 *    the one whose label is the highest version (A/B updates), the first
 *    of equal ones;
 *  - /home, /srv, /var and /var/tmp: the first of each type (/var with
 *    no check of its UUID against the machine ID: nspawn relaxes it);
 *  - no native root nor /usr (nor another architecture's: below), a
 *    single generic Linux partition is the root.
 * Returns 0; -ENXIO when there is no root (*ret still says what was found:
 * a /usr without a root); -ENOTUNIQ when, lacking one, there are several
 * generic Linux partitions; -EADDRNOTAVAIL for a verity (or verity
 * signature) partition, in ret->verity, with *ret_refused the designator it
 * protects: of the root or /usr chosen (cell neither verifies nor ignores
 * it), or of a root or /usr the image lacks, which systemd refuses ("No root
 * partition for specified root hash found"), ret->index[*ret_refused] -1
 * then: this architecture's always, the secondary's (x86 on x86-64, arm on
 * arm64) where the image has no root of this one;
 * -ENOEXEC when systemd would mount a root or /usr partition of another
 * architecture (no root nor /usr of this one: it falls back to another's,
 * never to a generic partition), or refuse one (a /usr of another
 * architecture than the root's), with *ret_refused which, and its index
 * in ret->foreign: cell mounts no other architecture's. */
int gpt_choose(const GptPartition *parts, size_t n, GptChoice *ret, GptDesignator *ret_refused);
/* The architecture ("arm64") whose root or /usr partition type p has, as
 * systemd names it; NULL for any other type. */
const char *gpt_partition_arch(const GptPartition *p);

/* Whether each partition chosen lies within the image (image_size bytes:
 * its file's or its device's) and apart from every other chosen one. A
 * crafted table may say anything: root and /usr on one extent would be one
 * file system mounted twice, each with a superblock of its own that writes
 * it; an empty entry would be a loop device to the image's end (an
 * lo_sizelimit of 0). Returns 0; -ERANGE when *ret_a is empty or ends past
 * the image; -EADDRINUSE when *ret_a and *ret_b overlap. */
int gpt_check_extents(const GptPartition *parts, const GptChoice *c, uint64_t image_size, GptDesignator *ret_a,
                      GptDesignator *ret_b);

/* What the GPT header in sector (sector_size bytes, read at lba of an image
 * whose last is last_lba) says of its entry array, checked as libblkid
 * checks a header before it reads the array: the signature, a header size
 * from 92 bytes to the sector's, its CRC32, its own LBA, first and last
 * usable LBAs in order, within the image and not around the header,
 * entries of 128 bytes, at least one. 1 with *ret_bytes the array's size
 * when libblkid would read it (4 GiB and more included, which some
 * libblkid versions do not read); 0 when it takes the sector for no header. */
int gpt_header_entries_size(const uint8_t *sector, size_t sector_size, uint64_t lba, uint64_t last_lba,
                            uint64_t *ret_bytes);

/* A version comparison of two labels by systemd's strverscmp_improved()
 * rules, which its image dissection orders root and /usr partitions by
 * ("root_1.10" after "root_1.9", "1.0~rc1" before "1.0", "123-1" before
 * "123^post1" before "123.1"). < 0, 0, > 0; NULL and "" are lowest. */
int gpt_label_version_compare(const char *a, const char *b);
