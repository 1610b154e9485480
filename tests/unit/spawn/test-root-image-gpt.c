/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image= of a GPT image: which partitions gpt_choose() takes, as systemd
 * 252's dissect_image() does for systemd-nspawn, and what a header claims
 * of its entry array (gpt_header_entries_size()). The mounting is
 * tests/integration/run/test-image-gpt.sh's. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gpt-test.h"
#include "root-image-gpt.h"
#include "test.h"

/* Types of the specification that are no architecture's. */
#define ESP "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define SWAP "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"
#define GENERIC "0fc63daf-8483-4772-8e79-3d69d8477de4"
#define HOME "933ac7e1-2eb4-4f13-b844-0e14e2aef915"
#define SRV "3b8f8425-20e0-4f3b-907f-1a25a76f98e8"
#define VAR "4d21b016-b534-45c2-a9fb-5c16e091fd2d"
#define VAR_TMP "7ec6f557-3bc5-4aca-b293-16ef5df639d1"

/* The native ones this test knows; elsewhere only the generic cases run. */
#if defined(__x86_64__)
#  define ROOT "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
#  define USR "8484680c-9521-48c6-9c11-b0720656f69e"
#  define ROOT_VERITY "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"
#  define USR_VERITY_SIG "e7bb33fb-06cf-4e81-8273-e543b413e2e2"
#  define OTHER_ROOT "b921b045-1df0-41c3-af44-4c6f280d3fae"   /* arm64's */
#  define OTHER_USR "b0e01050-ee5f-4390-949a-9101b17104e9"
#elif defined(__aarch64__)
#  define ROOT "b921b045-1df0-41c3-af44-4c6f280d3fae"
#  define USR "b0e01050-ee5f-4390-949a-9101b17104e9"
#  define ROOT_VERITY "df3300ce-d69f-4c92-978c-9bfb0f38d820"
#  define USR_VERITY_SIG "c23ce4ff-44bd-4b00-b2d4-b41b3419e02a"
#  define OTHER_ROOT "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"   /* x86-64's */
#  define OTHER_USR "8484680c-9521-48c6-9c11-b0720656f69e"
#endif

static GptPartition part(int partno, const char *type, uint64_t flags, const char *label) {
        GptPartition p = { .partno = partno, .flags = flags, .start = (uint64_t) partno << 20, .size = 1 << 20 };

        (void) snprintf(p.type, sizeof p.type, "%s", type);
        (void) snprintf(p.label, sizeof p.label, "%s", label);
        return p;
}

TEST(label_version_compare) {
        ASSERT_TRUE(gpt_label_version_compare("root_1.10", "root_1.9") > 0);
        ASSERT_TRUE(gpt_label_version_compare("root_1.9", "root_1.10") < 0);
        ASSERT_EQ(gpt_label_version_compare("root_007", "root_7"), 0);
        ASSERT_TRUE(gpt_label_version_compare("root_1.0", "root_1.0.1") < 0);
        ASSERT_TRUE(gpt_label_version_compare("root_1.0~rc1", "root_1.0") < 0);
        ASSERT_TRUE(gpt_label_version_compare("root_2", "root_10") < 0);
        ASSERT_TRUE(gpt_label_version_compare("", "root") < 0);
        ASSERT_TRUE(gpt_label_version_compare(NULL, "") < 0);
        ASSERT_EQ(gpt_label_version_compare("a", "a"), 0);

        /* systemd's own order (strverscmp_improved()), oldest first: the root
         * partition chosen is the one systemd's dissection chooses. */
        static const char *const order[] = {
                "122.1", "123~rc1-1", "123", "123-a", "123-a.1", "123-1", "123-1.1",
                "123^post1", "123.a-1", "123.1-1", "123a-1", "124-1",
        };
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                for (size_t j = 0; j < ELEMENTSOF(order); j++) {
                        int r = gpt_label_version_compare(order[i], order[j]);

                        ASSERT_TRUE(i < j ? r < 0 : i > j ? r > 0 : r == 0);
                }
        /* Where plain byte order differs: "^" is older than "." and than a
         * letter, a longer run of letters is newer, "_" only separates. */
        ASSERT_TRUE(gpt_label_version_compare("root_1.0^1", "root_1.0.1") < 0);
        ASSERT_TRUE(gpt_label_version_compare("root_1.0^1", "root_1.0A") < 0);
        ASSERT_TRUE(gpt_label_version_compare("root_abc1", "root_abcd") < 0);
        ASSERT_TRUE(gpt_label_version_compare("root_1_2", "root_1a") > 0);
        ASSERT_EQ(gpt_label_version_compare("root_123_a", "root_123a"), 0);
}

TEST(generic) {
        GptPartition parts[3];
        GptChoice c;

        /* A single generic Linux partition is the root, beside an ESP and swap. */
        parts[0] = part(1, ESP, 0, "esp");
        parts[1] = part(2, SWAP, 0, "swap");
        parts[2] = part(3, "0FC63DAF-8483-4772-8E79-3D69D8477DE4", 0, "linux");  /* either case */
        ASSERT_OK(gpt_choose(parts, 3, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 2);
        ASSERT_TRUE(c.generic_root);
        ASSERT_FALSE(c.read_only[GPT_ROOT]);
        ASSERT_EQ(c.index[GPT_USR], -1);

        /* Two of them: which is the root is not said. */
        parts[1] = part(2, GENERIC, 0, "linux2");
        ASSERT_ERROR(gpt_choose(parts, 3, &c, NULL), ENOTUNIQ);

        /* ... unless one is NO_AUTO. */
        parts[1].flags = GPT_FLAG_NO_AUTO;
        ASSERT_OK(gpt_choose(parts, 3, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 2);

        /* None at all: no root. */
        ASSERT_ERROR(gpt_choose(parts, 1, &c, NULL), ENXIO);
        ASSERT_EQ(c.index[GPT_ROOT], -1);
        ASSERT_ERROR(gpt_choose(parts, 0, &c, NULL), ENXIO);
}

#ifdef ROOT
TEST(native) {
        GptPartition parts[8];
        GptChoice c;

        ASSERT_STREQ(gpt_native_root_type(), ROOT);

        /* The architecture's root over a generic partition (which is then not looked at). */
        parts[0] = part(1, GENERIC, 0, "data");
        parts[1] = part(2, ROOT, 0, "root");
        parts[2] = part(3, GENERIC, 0, "more");
        ASSERT_OK(gpt_choose(parts, 3, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 1);
        ASSERT_FALSE(c.generic_root);

        /* Another architecture's root is what systemd mounts then, never
         * a generic partition: refused (TEST(foreign)). */
        parts[1] = part(2, OTHER_ROOT, 0, "root");
        ASSERT_ERROR(gpt_choose(parts, 3, &c, NULL), ENOEXEC);
        ASSERT_ERROR(gpt_choose(parts, 2, &c, NULL), ENOEXEC);
        ASSERT_EQ(c.index[GPT_ROOT], -1);
        ASSERT_FALSE(c.generic_root);

        /* NO_AUTO: skipped, the next one is the root; READ_ONLY: kept. */
        parts[0] = part(1, ROOT, GPT_FLAG_NO_AUTO, "root_9");
        parts[1] = part(2, ROOT, GPT_FLAG_READ_ONLY, "root_1");
        ASSERT_OK(gpt_choose(parts, 2, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 1);
        ASSERT_TRUE(c.read_only[GPT_ROOT]);
        /* A NO_AUTO root alone is no root, and no generic one is taken for it either. */
        ASSERT_ERROR(gpt_choose(parts, 1, &c, NULL), ENXIO);
}

TEST(versions) {
        GptPartition parts[4];
        GptChoice c;

        /* Several roots: the highest version of the label (A/B), whatever the order. */
        parts[0] = part(1, ROOT, 0, "root_1.9");
        parts[1] = part(2, ROOT, GPT_FLAG_READ_ONLY, "root_1.10");
        parts[2] = part(3, ROOT, 0, "root_1.2");
        parts[3] = part(4, USR, 0, "usr_2");
        ASSERT_OK(gpt_choose(parts, 4, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 1);
        ASSERT_TRUE(c.read_only[GPT_ROOT]);
        ASSERT_EQ(c.index[GPT_USR], 3);

        /* Equal ones: the first. */
        parts[2] = part(3, ROOT, 0, "root_1.10");
        ASSERT_OK(gpt_choose(parts, 3, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 1);

        /* /usr is versioned too. */
        parts[0] = part(1, USR, 0, "usr_3");
        parts[1] = part(2, ROOT, 0, "root");
        parts[2] = part(3, USR, 0, "usr_10");
        parts[3] = part(4, USR, 0, "usr_4");
        ASSERT_OK(gpt_choose(parts, 4, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 1);
        ASSERT_EQ(c.index[GPT_USR], 2);
}

TEST(others) {
        GptPartition parts[8];
        GptChoice c;

        /* /home, /srv, /var and /var/tmp: the first of each; NO_AUTO skipped. */
        parts[0] = part(1, HOME, GPT_FLAG_NO_AUTO, "home0");
        parts[1] = part(2, HOME, GPT_FLAG_READ_ONLY, "home1");
        parts[2] = part(3, HOME, 0, "home9");
        parts[3] = part(4, SRV, 0, "srv");
        parts[4] = part(5, VAR, 0, "var");
        parts[5] = part(6, VAR_TMP, 0, "tmp");
        parts[6] = part(7, ROOT, 0, "root");
        parts[7] = part(8, ESP, 0, "esp");
        ASSERT_OK(gpt_choose(parts, 8, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 6);
        ASSERT_EQ(c.index[GPT_USR], -1);
        ASSERT_EQ(c.index[GPT_HOME], 1);
        ASSERT_TRUE(c.read_only[GPT_HOME]);
        ASSERT_EQ(c.index[GPT_SRV], 3);
        ASSERT_EQ(c.index[GPT_VAR], 4);
        ASSERT_EQ(c.index[GPT_VAR_TMP], 5);
        ASSERT_STREQ(gpt_designator_path(GPT_VAR_TMP), "/var/tmp");
        ASSERT_STREQ(gpt_designator_name(GPT_ROOT), "root");

        /* A /usr but no root: no root (and no generic fallback: /usr was found). */
        parts[0] = part(1, USR, 0, "usr");
        parts[1] = part(2, GENERIC, 0, "linux");
        ASSERT_ERROR(gpt_choose(parts, 2, &c, NULL), ENXIO);
        ASSERT_EQ(c.index[GPT_USR], 0);
        ASSERT_EQ(c.index[GPT_ROOT], -1);
}

TEST(verity) {
        GptPartition parts[4];
        GptDesignator refused = _GPT_DESIGNATOR_MAX;
        GptChoice c;

        /* The root's verity partition: refused, naming the root. */
        parts[0] = part(1, ROOT, 0, "root");
        parts[1] = part(2, ROOT_VERITY, 0, "root-verity");
        ASSERT_ERROR(gpt_choose(parts, 2, &c, &refused), EADDRNOTAVAIL);
        ASSERT_EQ(refused, GPT_ROOT);

        /* ... unless it is NO_AUTO, as systemd then does not see it. */
        parts[1].flags = GPT_FLAG_NO_AUTO;
        ASSERT_OK(gpt_choose(parts, 2, &c, NULL));

        /* /usr's verity signature: refused, naming /usr. */
        parts[1] = part(2, USR, 0, "usr");
        parts[2] = part(3, USR_VERITY_SIG, 0, "usr-verity-sig");
        refused = _GPT_DESIGNATOR_MAX;
        ASSERT_ERROR(gpt_choose(parts, 3, &c, &refused), EADDRNOTAVAIL);
        ASSERT_EQ(refused, GPT_USR);
        ASSERT_EQ(c.verity, 2);
        /* Without the /usr it is for: refused all the same, as systemd 252
         * refuses it ("No root partition for specified root hash found"). */
        parts[1] = part(2, SWAP, 0, "swap");
        refused = _GPT_DESIGNATOR_MAX;
        ASSERT_ERROR(gpt_choose(parts, 3, &c, &refused), EADDRNOTAVAIL);
        ASSERT_EQ(refused, GPT_USR);
        ASSERT_EQ(c.index[GPT_USR], -1);
        ASSERT_EQ(c.verity, 2);

        /* The root's verity partition without the root, beside a generic
         * partition: refused, not the generic one mounted. */
        parts[0] = part(1, ROOT_VERITY, 0, "root-verity");
        parts[1] = part(2, GENERIC, 0, "data");
        ASSERT_ERROR(gpt_choose(parts, 2, &c, &refused), EADDRNOTAVAIL);
        ASSERT_EQ(refused, GPT_ROOT);
        ASSERT_EQ(c.index[GPT_ROOT], -1);
        ASSERT_EQ(c.verity, 0);
}

#if defined(__x86_64__)
/* The secondary architecture's verity partitions (x86's on x86-64): systemd
 * 252 refuses them where the image has no root of ours, and drops them
 * beside one. */
TEST(verity_secondary) {
        static const char *const x86[] = {
                "d13c5d3b-b5d1-422a-b29f-9454fdc89d76",         /* root verity */
                "5996fc05-109c-48de-808b-23fa0830b676",         /* root verity signature */
                "8f461b0d-14ee-4e81-9aa9-049b6fb97abd",         /* /usr verity */
        };
        GptPartition parts[2];
        GptDesignator refused = _GPT_DESIGNATOR_MAX;
        GptChoice c;

        for (size_t i = 0; i < ELEMENTSOF(x86); i++) {
                parts[0] = part(1, x86[i], 0, "verity");
                parts[1] = part(2, GENERIC, 0, "data");
                ASSERT_ERROR(gpt_choose(parts, 2, &c, &refused), EADDRNOTAVAIL);
                ASSERT_EQ(refused, i < 2 ? GPT_ROOT : GPT_USR);
                ASSERT_EQ(c.verity, 0);
                ASSERT_STREQ(c.verity_arch, "x86");
                /* Alone: the same. */
                ASSERT_ERROR(gpt_choose(parts, 1, &c, &refused), EADDRNOTAVAIL);
                /* Beside our root: not looked at. */
                parts[1] = part(2, ROOT, 0, "root");
                ASSERT_OK(gpt_choose(parts, 2, &c, NULL));
                ASSERT_EQ(c.index[GPT_ROOT], 1);
                /* NO_AUTO: not looked at either. */
                parts[0].flags = GPT_FLAG_NO_AUTO;
                parts[1] = part(2, GENERIC, 0, "data");
                ASSERT_OK(gpt_choose(parts, 2, &c, NULL));
                ASSERT_TRUE(c.generic_root);
        }
}
#endif

/* Another architecture's root or /usr: systemd 252 mounts it where the
 * image has none of ours (never a generic partition instead), and refuses
 * a /usr of another architecture than the root's. cell mounts none: it
 * refuses both, rather than mount something else. */
TEST(foreign) {
        GptPartition parts[3];
        GptDesignator refused = _GPT_DESIGNATOR_MAX;
        GptChoice c;

        parts[0] = part(1, HOME, 0, "home");
        ASSERT_NULL(gpt_partition_arch(&parts[0]));
        parts[0] = part(1, OTHER_ROOT, 0, "root");
        ASSERT_NOT_NULL(gpt_partition_arch(&parts[0]));
        parts[0] = part(1, ROOT, 0, "root");
        ASSERT_STREQ(gpt_partition_arch(&parts[0]), gpt_native_arch());

        /* Another architecture's root beside a generic partition: not the generic one. */
        parts[0] = part(1, GENERIC, 0, "linux");
        parts[1] = part(2, OTHER_ROOT, 0, "root");
        ASSERT_ERROR(gpt_choose(parts, 2, &c, &refused), ENOEXEC);
        ASSERT_EQ(refused, GPT_ROOT);
        ASSERT_EQ(c.foreign, 1);
        ASSERT_EQ(c.index[GPT_ROOT], -1);
        /* Alone: refused so too (it was "no root"). */
        ASSERT_ERROR(gpt_choose(parts + 1, 1, &c, NULL), ENOEXEC);
        ASSERT_EQ(c.foreign, 0);
        /* NO_AUTO: not looked at, the generic one is the root. */
        parts[1].flags = GPT_FLAG_NO_AUTO;
        ASSERT_OK(gpt_choose(parts, 2, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 0);
        ASSERT_EQ(c.foreign, -1);

        /* Our root and another architecture's /usr: refused, naming /usr. */
        parts[0] = part(1, ROOT, 0, "root");
        parts[1] = part(2, OTHER_USR, 0, "usr");
        refused = _GPT_DESIGNATOR_MAX;
        ASSERT_ERROR(gpt_choose(parts, 2, &c, &refused), ENOEXEC);
        ASSERT_EQ(refused, GPT_USR);
        ASSERT_EQ(c.foreign, 1);
        /* ... unless there is a /usr of ours too. */
        parts[2] = part(3, USR, 0, "usr");
        ASSERT_OK(gpt_choose(parts, 3, &c, NULL));
        ASSERT_EQ(c.index[GPT_USR], 2);
        ASSERT_EQ(c.foreign, -1);
        /* Another architecture's root beside ours: ours, as systemd. */
        parts[1] = part(2, OTHER_ROOT, 0, "root_9");
        ASSERT_OK(gpt_choose(parts, 2, &c, NULL));
        ASSERT_EQ(c.index[GPT_ROOT], 0);
}
#endif

/* A GPT header sector as libblkid checks it before it reads the entry
 * array the header claims. */
static void header(uint8_t *s, uint32_t size, uint64_t lba, uint32_t n, uint32_t entry) {
        memset(s, 0, 512);
        memcpy(s, "EFI PART", 8);
        gpt_put_le(s + 8, 0x10000, 4);
        gpt_put_le(s + 12, size, 4);
        gpt_put_le(s + 24, lba, 8);
        gpt_put_le(s + 40, 34, 8);
        gpt_put_le(s + 48, 16350, 8);
        gpt_put_le(s + 72, 2, 8);
        gpt_put_le(s + 80, n, 4);
        gpt_put_le(s + 84, entry, 4);
        /* Over the sector at most: a size past it is refused before any CRC32. */
        gpt_put_le(s + 16, gpt_crc32(s, MIN(size, 512u)), 4);
}

TEST(header_entries_size) {
        uint8_t s[512];
        uint64_t bytes = 0;

        header(s, 92, 1, 128, 128);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 1);
        ASSERT_EQ_U64(bytes, 16384);
        /* The largest: 4 GiB less 128 bytes. */
        header(s, 92, 1, UINT32_MAX / 128, 128);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 1);
        ASSERT_EQ_U64(bytes, (uint64_t) (UINT32_MAX / 128) * 128);
        /* A header of the whole sector, its CRC32 over all of it. */
        header(s, 512, 1, 128, 128);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 1);

        /* What libblkid takes for no header: it reads no entries of it. */
        header(s, 92, 1, 128, 128);
        s[100] = 1;     /* past the header: not in its CRC32 */
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 1);
        s[60] ^= 1;     /* the disk GUID: in it */
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 0);
        header(s, 91, 1, 128, 128);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 0);
        header(s, 513, 1, 128, 128);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 0);
        header(s, 92, 1, 64, 256);      /* UEFI allows 128 x 2^n: libblkid, the kernel and cell 128 */
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 0);
        header(s, 92, 1, 128, 8);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 0);
        header(s, 92, 1, 0, 128);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 0);
        /* 4 GiB and more: counted too, whatever libblkid makes of it. */
        header(s, 92, 1, UINT32_MAX, 128);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 1);
        ASSERT_EQ_U64(bytes, (uint64_t) UINT32_MAX * 128);
        header(s, 92, 5, 128, 128);     /* not where it says it is */
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 0);
        header(s, 92, 1, 128, 128);     /* usable LBAs past the image's end */
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16000, &bytes), 0);
        memcpy(s, "EFI PARX", 8);
        ASSERT_EQ(gpt_header_entries_size(s, 512, 1, 16383, &bytes), 0);
}

TEST(extents) {
        GptPartition parts[3];
        GptDesignator a, b;
        GptChoice c;

        /* Side by side, within the image: taken (part() puts partition N at N MiB). */
        parts[0] = part(1, GENERIC, 0, "linux");
        parts[1] = part(2, HOME, 0, "home");
        parts[2] = part(3, SRV, 0, "srv");
        ASSERT_OK(gpt_choose(parts, 3, &c, NULL));
        ASSERT_OK(gpt_check_extents(parts, &c, 4 << 20, &a, &b));

        /* The last ends one byte past the image. */
        a = _GPT_DESIGNATOR_MAX;
        ASSERT_ERROR(gpt_check_extents(parts, &c, (4 << 20) - 1, &a, &b), ERANGE);
        ASSERT_EQ(a, GPT_SRV);

        /* Empty: an lo_sizelimit of 0 would be the rest of the image. */
        parts[1].size = 0;
        a = _GPT_DESIGNATOR_MAX;
        ASSERT_ERROR(gpt_check_extents(parts, &c, 4 << 20, &a, &b), ERANGE);
        ASSERT_EQ(a, GPT_HOME);

        /* A start and size whose sum wraps: past the end, not before it. */
        parts[1].start = UINT64_MAX - 511;
        parts[1].size = 1024;
        a = _GPT_DESIGNATOR_MAX;
        ASSERT_ERROR(gpt_check_extents(parts, &c, 4 << 20, &a, &b), ERANGE);
        ASSERT_EQ(a, GPT_HOME);

        /* /srv on the same extent as the root, and one sector into /home's. */
        parts[1] = part(2, HOME, 0, "home");
        parts[2].start = parts[0].start;
        a = b = _GPT_DESIGNATOR_MAX;
        ASSERT_ERROR(gpt_check_extents(parts, &c, 4 << 20, &a, &b), EADDRINUSE);
        ASSERT_EQ(a, GPT_ROOT);
        ASSERT_EQ(b, GPT_SRV);
        parts[2].start = parts[1].start + parts[1].size - 512;
        a = b = _GPT_DESIGNATOR_MAX;
        ASSERT_ERROR(gpt_check_extents(parts, &c, 4 << 20, &a, &b), EADDRINUSE);
        ASSERT_EQ(a, GPT_HOME);
        ASSERT_EQ(b, GPT_SRV);

        /* Only what is chosen counts: a second /srv (not taken) on the root's extent. */
        parts[1] = part(2, SRV, 0, "srv");
        parts[2] = part(3, SRV, 0, "srv2");
        parts[2].start = parts[0].start;
        ASSERT_OK(gpt_choose(parts, 3, &c, NULL));
        ASSERT_EQ(c.index[GPT_SRV], 1);
        ASSERT_OK(gpt_check_extents(parts, &c, 4 << 20, &a, &b));
}
