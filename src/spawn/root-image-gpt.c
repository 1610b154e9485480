/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image=: the choice of a GPT image's partitions (root-image-gpt.h). */

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <systemd/sd-gpt.h>

#include "id128-util.h"
#include "macros.h"
#include "root-image-gpt.h"

/* Types of no architecture, from the specification. */
#define GPT_TYPE_HOME           SD_GPT_HOME
#define GPT_TYPE_SRV            SD_GPT_SRV
#define GPT_TYPE_VAR            SD_GPT_VAR
#define GPT_TYPE_VAR_TMP        SD_GPT_TMP
#define GPT_TYPE_LINUX_GENERIC  SD_GPT_LINUX_GENERIC

/* The native architecture's types: systemd's own header picks them by the
 * compiler's architecture macros, so the table is the one systemd builds
 * with. An architecture it has none for takes only the generic partition. */
#ifdef SD_GPT_ROOT_NATIVE
#  define HAVE_NATIVE 1
#else
#  define HAVE_NATIVE 0
#endif
/* The secondary architecture's (x86 on x86-64, arm on arm64): systemd 252
 * refuses its verity partitions where the image has no root of ours. */
#if defined(SD_GPT_ROOT_SECONDARY_VERITY) && defined(__x86_64__)
#  define SECONDARY_ARCH "x86"
#elif defined(SD_GPT_ROOT_SECONDARY_VERITY) && defined(__aarch64__)
#  define SECONDARY_ARCH "arm"
#endif
#ifdef SECONDARY_ARCH
#  define SECONDARY_ARCH_NAME SECONDARY_ARCH
#else
#  define SECONDARY_ARCH_NAME NULL
#endif

static const char *const paths[_GPT_DESIGNATOR_MAX] = {
        [GPT_ROOT] = "/",
        [GPT_USR] = "/usr",
        [GPT_HOME] = "/home",
        [GPT_SRV] = "/srv",
        [GPT_VAR] = "/var",
        [GPT_VAR_TMP] = "/var/tmp",
};

static const char *const names[_GPT_DESIGNATOR_MAX] = {
        [GPT_ROOT] = "root",
        [GPT_USR] = "/usr",
        [GPT_HOME] = "/home",
        [GPT_SRV] = "/srv",
        [GPT_VAR] = "/var",
        [GPT_VAR_TMP] = "/var/tmp",
};

const char *gpt_designator_path(GptDesignator d) {
        return d >= 0 && d < _GPT_DESIGNATOR_MAX ? paths[d] : NULL;
}

const char *gpt_designator_name(GptDesignator d) {
        return d >= 0 && d < _GPT_DESIGNATOR_MAX ? names[d] : NULL;
}

const char *gpt_native_arch(void) {
#if defined(__x86_64__)
        return "x86-64";
#elif defined(__i386__)
        return "x86";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__arm__)
        return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64-le";
#elif defined(__s390x__)
        return "s390x";
#elif defined(__loongarch_lp64)
        return "loongarch64";
#else
        return "this architecture";
#endif
}

const char *gpt_native_root_type(void) {
#if HAVE_NATIVE
        static char s[ID128_UUID_STRING_MAX];
        const sd_id128_t t = SD_GPT_ROOT_NATIVE;

        return id128_to_uuid_string(t.bytes, s);
#else
        return NULL;
#endif
}

/* Every architecture's root and /usr partition types (sd-gpt.h's), by
 * systemd's names for them: systemd 252 mounts another architecture's
 * where the image has none of the native one's. */
#define ARCH(name, a) { name, SD_GPT_ROOT_##a, SD_GPT_USR_##a }

/* p's architecture, and whether it is a /usr partition (else a root one);
 * NULL for a type of no architecture. */
static const char *partition_arch(const GptPartition *p, bool *ret_usr) {
        const struct {
                const char *name;
                sd_id128_t root, usr;
        } table[] = {
                ARCH("alpha", ALPHA), ARCH("arc", ARC), ARCH("arm", ARM), ARCH("arm64", ARM64),
                ARCH("ia64", IA64), ARCH("loongarch64", LOONGARCH64), ARCH("mips", MIPS),
                ARCH("mips64", MIPS64), ARCH("mips-le", MIPS_LE), ARCH("mips64-le", MIPS64_LE),
                ARCH("parisc", PARISC), ARCH("ppc", PPC), ARCH("ppc64", PPC64), ARCH("ppc64-le", PPC64_LE),
                ARCH("riscv32", RISCV32), ARCH("riscv64", RISCV64), ARCH("s390", S390), ARCH("s390x", S390X),
                ARCH("tilegx", TILEGX), ARCH("x86", X86), ARCH("x86-64", X86_64),
        };
        uint8_t id[16];

        if (id128_from_string(p->type, id) < 0)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                bool usr = memcmp(id, table[i].usr.bytes, sizeof id) == 0;

                if (usr || memcmp(id, table[i].root.bytes, sizeof id) == 0) {
                        if (ret_usr)
                                *ret_usr = usr;
                        return table[i].name;
                }
        }
        return NULL;
}

const char *gpt_partition_arch(const GptPartition *p) {
        return partition_arch(p, NULL);
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Locale independent, as systemd's. */
static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_version_char(char c) {
        return is_digit(c) || is_alpha(c) || c == '~' || c == '-' || c == '^' || c == '.';
}

static bool type_is(const GptPartition *p, sd_id128_t type) {
        uint8_t id[16];

        return id128_from_string(p->type, id) >= 0 && memcmp(id, type.bytes, sizeof id) == 0;
}

static int sign(long v) {
        return (v > 0) - (v < 0);
}

/* A prefix of the segment: the label that has it is older, unless both have it. */
static int version_prefix(const char **a, const char **b, char prefix) {
        if (**a != prefix && **b != prefix)
                return 0;
        if (**a != **b)
                return **a == prefix ? -1 : 1;
        (*a)++, (*b)++;
        return 0;
}

/* systemd's strverscmp_improved() (src/fundamental/string-util-fundamental.c),
 * rule by rule, so that the partition chosen is the one systemd chooses. */
int gpt_label_version_compare(const char *a, const char *b) {
        /* systemd's strcmp_ptr(): NULL lowest, then "" */
        if (!a || !b)
                return (a != NULL) - (b != NULL);
        if (!*a || !*b)
                return sign(strcmp(a, b));
        for (;;) {
                const char *aa, *bb;
                int r;

                /* Anything but a letter, a digit and "~-^." only separates segments. */
                while (*a && !is_version_char(*a))
                        a++;
                while (*b && !is_version_char(*b))
                        b++;
                /* "~" is older than anything, the end included: 1.0~rc1 < 1.0. */
                r = version_prefix(&a, &b, '~');
                if (r != 0)
                        return r;
                /* Then the one with fewer segments is older: 1.0 < 1.0.1. */
                if (!*a || !*b)
                        return sign((long) (unsigned char) *a - (long) (unsigned char) *b);
                /* 123-1 < 123^post1 < 123.1 < 123a */
                r = version_prefix(&a, &b, '-');
                if (r == 0)
                        r = version_prefix(&a, &b, '^');
                if (r == 0)
                        r = version_prefix(&a, &b, '.');
                if (r != 0)
                        return r;
                if (is_digit(*a) || is_digit(*b)) {
                        /* Numbers by value (10 > 9, 007 = 7); a number is newer than none. */
                        while (*a == '0')
                                a++;
                        while (*b == '0')
                                b++;
                        for (aa = a; is_digit(*aa); aa++)
                                ;
                        for (bb = b; is_digit(*bb); bb++)
                                ;
                        r = sign((long) (aa - a) - (long) (bb - b));
                        if (r == 0)
                                r = sign(strncmp(a, b, (size_t) (aa - a)));
                } else {
                        /* Letters by their bytes, the longer run newer: abc < abcde. */
                        for (aa = a; is_alpha(*aa); aa++)
                                ;
                        for (bb = b; is_alpha(*bb); bb++)
                                ;
                        r = sign(strncmp(a, b, (size_t) MIN(aa - a, bb - b)));
                        if (r == 0)
                                r = sign((long) (aa - a) - (long) (bb - b));
                }
                if (r != 0)
                        return r;
                a = aa, b = bb;
        }
}

/* i replaces what is chosen for d: the first of a type, or for the root
 * and /usr the highest version (systemd keeps the first of equal ones). */
static void choose(GptChoice *c, const GptPartition *parts, GptDesignator d, size_t i, bool versioned) {
        if (c->index[d] >= 0 &&
            (!versioned || gpt_label_version_compare(parts[c->index[d]].label, parts[i].label) >= 0))
                return;
        c->index[d] = (int) i;
        c->read_only[d] = parts[i].flags & GPT_FLAG_READ_ONLY;
}

/* The verity partition systemd 252 refuses the image for, or cell does
 * (-EADDRNOTAVAIL): d's own where there is one (cell verifies nothing), else
 * one without what it protects (systemd: "No root partition for specified
 * root hash found"); the secondary architecture's count only where the
 * image has no root of ours (systemd then drops every other's). */
static int verity_refuse(GptChoice *c, const int verity[2][2], GptDesignator *ret_refused) {
        for (int d = 0; d < 2; d++) {
                GptDesignator des = d == 0 ? GPT_ROOT : GPT_USR;

                for (int arch = 0; arch < 2; arch++) {
                        if (verity[d][arch] < 0 || (arch == 1 && c->index[GPT_ROOT] >= 0))
                                continue;
                        c->verity = verity[d][arch];
                        c->verity_arch = arch == 0 ? gpt_native_arch() : SECONDARY_ARCH_NAME;
                        if (ret_refused)
                                *ret_refused = des;
                        return -EADDRNOTAVAIL;
                }
        }
        return 0;
}

int gpt_choose(const GptPartition *parts, size_t n, GptChoice *ret, GptDesignator *ret_refused) {
        GptChoice c = { .generic_root = false, .foreign = -1, .verity = -1 };
        /* [root, /usr][ours, the secondary architecture's]: the first verity or signature partition */
        int verity[2][2] = { { -1, -1 }, { -1, -1 } };
        int generic = -1, n_generic = 0, foreign_root = -1, foreign_usr = -1, r;

        for (size_t d = 0; d < _GPT_DESIGNATOR_MAX; d++)
                c.index[d] = -1;

        for (size_t i = 0; i < n; i++) {
                const GptPartition *p = parts + i;
                bool usr = false;

                /* The specification's "do not mount automatically": a
                 * partition kept for something else, as systemd skips it. */
                if (p->flags & GPT_FLAG_NO_AUTO)
                        continue;
#if HAVE_NATIVE
                if (type_is(p, SD_GPT_ROOT_NATIVE))
                        choose(&c, parts, GPT_ROOT, i, true);
                else if (type_is(p, SD_GPT_USR_NATIVE))
                        choose(&c, parts, GPT_USR, i, true);
                else if (type_is(p, SD_GPT_ROOT_NATIVE_VERITY) || type_is(p, SD_GPT_ROOT_NATIVE_VERITY_SIG))
                        verity[0][0] = verity[0][0] < 0 ? (int) i : verity[0][0];
                else if (type_is(p, SD_GPT_USR_NATIVE_VERITY) || type_is(p, SD_GPT_USR_NATIVE_VERITY_SIG))
                        verity[1][0] = verity[1][0] < 0 ? (int) i : verity[1][0];
                else
#endif
#ifdef SECONDARY_ARCH
                if (type_is(p, SD_GPT_ROOT_SECONDARY_VERITY) || type_is(p, SD_GPT_ROOT_SECONDARY_VERITY_SIG))
                        verity[0][1] = verity[0][1] < 0 ? (int) i : verity[0][1];
                else if (type_is(p, SD_GPT_USR_SECONDARY_VERITY) || type_is(p, SD_GPT_USR_SECONDARY_VERITY_SIG))
                        verity[1][1] = verity[1][1] < 0 ? (int) i : verity[1][1];
                else
#endif
                if (partition_arch(p, &usr)) {
                        /* Another architecture's root or /usr: what systemd
                         * falls back to, where cell refuses (below). */
                        if (usr && foreign_usr < 0)
                                foreign_usr = (int) i;
                        else if (!usr && foreign_root < 0)
                                foreign_root = (int) i;
                } else if (type_is(p, GPT_TYPE_HOME))
                        choose(&c, parts, GPT_HOME, i, false);
                else if (type_is(p, GPT_TYPE_SRV))
                        choose(&c, parts, GPT_SRV, i, false);
                else if (type_is(p, GPT_TYPE_VAR))
                        choose(&c, parts, GPT_VAR, i, false);
                else if (type_is(p, GPT_TYPE_VAR_TMP))
                        choose(&c, parts, GPT_VAR_TMP, i, false);
                else if (type_is(p, GPT_TYPE_LINUX_GENERIC)) {
                        if (n_generic++ == 0)
                                generic = (int) i;
                }
        }

        /* With no root nor /usr of ours, systemd mounts another
         * architecture's (the secondary's, x86 on x86-64, else any), never a
         * generic partition; beside our root, it refuses another's /usr (their
         * architectures differ). cell mounts none of another architecture's:
         * it refuses where systemd would mount one, rather than mount
         * something else in its place. */
        if (c.index[GPT_USR] < 0 && foreign_usr >= 0) {
                c.foreign = foreign_usr;
                if (ret_refused)
                        *ret_refused = GPT_USR;
        }
        if (c.index[GPT_ROOT] < 0 && c.index[GPT_USR] < 0 && foreign_root >= 0) {
                c.foreign = foreign_root;
                if (ret_refused)
                        *ret_refused = GPT_ROOT;
        }
        if (c.foreign >= 0) {
                *ret = c;
                return -ENOEXEC;
        }
        r = verity_refuse(&c, verity, ret_refused);
        if (r < 0) {
                *ret = c;
                return r;
        }

        /* Only an image with neither a root nor a /usr of its own falls
         * back to its generic partition (systemd's GENERIC_ROOT, which
         * nspawn asks for), and only to a single one. */
        if (c.index[GPT_ROOT] < 0 && c.index[GPT_USR] < 0 && n_generic > 0) {
                if (n_generic > 1) {
                        *ret = c;
                        return -ENOTUNIQ;
                }
                c.index[GPT_ROOT] = generic;
                c.read_only[GPT_ROOT] = parts[generic].flags & GPT_FLAG_READ_ONLY;
                c.generic_root = true;
        }
        *ret = c;
        return c.index[GPT_ROOT] < 0 ? -ENXIO : 0;
}

int gpt_check_extents(const GptPartition *parts, const GptChoice *c, uint64_t image_size, GptDesignator *ret_a,
                      GptDesignator *ret_b) {
        for (GptDesignator a = 0; a < _GPT_DESIGNATOR_MAX; a++) {
                const GptPartition *pa;

                if (c->index[a] < 0)
                        continue;
                pa = parts + c->index[a];
                /* Written so that no sum can wrap. */
                if (pa->size == 0 || pa->size > image_size || pa->start > image_size - pa->size) {
                        *ret_a = a;
                        return -ERANGE;
                }
                for (GptDesignator b = 0; b < a; b++) {
                        const GptPartition *pb;

                        if (c->index[b] < 0)
                                continue;
                        pb = parts + c->index[b];
                        /* Both lie within the image: no sum wraps. */
                        if (pa->start < pb->start + pb->size && pb->start < pa->start + pa->size) {
                                *ret_a = b;
                                *ret_b = a;
                                return -EADDRINUSE;
                        }
                }
        }
        return 0;
}

static uint64_t get_le(const uint8_t *p, size_t n) {
        uint64_t v = 0;

        for (size_t i = n; i > 0; i--)
                v = (v << 8) | p[i - 1];
        return v;
}

/* The GPT's CRC32 (zlib's) of n more bytes, bit by bit: a header is 92
 * bytes; from UINT32_MAX, the result inverted. */
static uint32_t crc32_update(uint32_t c, const uint8_t *p, size_t n) {
        while (n-- > 0) {
                c ^= *p++;
                for (int k = 0; k < 8; k++)
                        c = (c >> 1) ^ (UINT32_C(0xedb88320) & (uint32_t) -(int32_t) (c & 1));
        }
        return c;
}

/* A header's least size and an entry's (UEFI 2.x, 5.3.2; libblkid takes no other). */
#define GPT_HEADER_MIN_SIZE     92
#define GPT_ENTRY_SIZE          128

int gpt_header_entries_size(const uint8_t *sector, size_t sector_size, uint64_t lba, uint64_t last_lba,
                            uint64_t *ret_bytes) {
        uint8_t h[GPT_HEADER_MIN_SIZE];
        uint64_t size, first, last, bytes;
        uint32_t crc;

        if (sector_size < GPT_HEADER_MIN_SIZE || memcmp(sector, "EFI PART", 8) != 0)
                return 0;
        size = get_le(sector + 12, 4);
        if (size < GPT_HEADER_MIN_SIZE || size > sector_size)
                return 0;
        /* The CRC32 of the header's bytes with its own field as zeros. */
        memcpy(h, sector, sizeof h);
        memset(h + 16, 0, 4);
        crc = crc32_update(crc32_update(UINT32_MAX, h, sizeof h), sector + sizeof h, size - sizeof h);
        if (~crc != (uint32_t) get_le(sector + 16, 4))
                return 0;
        if (get_le(sector + 24, 8) != lba)
                return 0;
        first = get_le(sector + 40, 8);
        last = get_le(sector + 48, 8);
        if (last < first || first > last_lba || last > last_lba || (first < lba && lba < last))
                return 0;
        /* An array of 4 GiB or more counts too: a libblkid that
         * refuses to read it loses nothing by its refusal. */
        bytes = get_le(sector + 80, 4) * get_le(sector + 84, 4);
        if (bytes == 0 || get_le(sector + 84, 4) != GPT_ENTRY_SIZE)
                return 0;
        *ret_bytes = bytes;
        return 1;
}
