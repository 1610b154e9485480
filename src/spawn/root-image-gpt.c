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

int gpt_choose(const GptPartition *parts, size_t n, GptChoice *ret, GptDesignator *ret_refused) {
        GptChoice c = { .generic_root = false };
        bool root_verity = false, usr_verity = false;
        int generic = -1, n_generic = 0;

        for (size_t d = 0; d < _GPT_DESIGNATOR_MAX; d++)
                c.index[d] = -1;

        for (size_t i = 0; i < n; i++) {
                const GptPartition *p = parts + i;

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
                        root_verity = true;
                else if (type_is(p, SD_GPT_USR_NATIVE_VERITY) || type_is(p, SD_GPT_USR_NATIVE_VERITY_SIG))
                        usr_verity = true;
                else
#endif
                if (type_is(p, GPT_TYPE_HOME))
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
        if (c.index[GPT_ROOT] < 0)
                return -ENXIO;
        if (root_verity || (usr_verity && c.index[GPT_USR] >= 0)) {
                if (ret_refused)
                        *ret_refused = root_verity ? GPT_ROOT : GPT_USR;
                return -EADDRNOTAVAIL;
        }
        return 0;
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
