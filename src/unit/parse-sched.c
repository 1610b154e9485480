/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>

#include "macros.h"
#include "parse-sched.h"
#include "parse-value.h"

static const struct {
        const char *name;
        int policy;
} sched_policies[] = {
        { "other", SCHED_OTHER },
        { "batch", SCHED_BATCH },
        { "idle",  SCHED_IDLE },
        { "fifo",  SCHED_FIFO },
        { "rr",    SCHED_RR },
};

int parse_sched_policy(const char *s, int *ret) {
        uint64_t n;

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(sched_policies); i++)
                if (streq(sched_policies[i].name, s)) {
                        *ret = sched_policies[i].policy;
                        return 0;
                }
        /* systemd takes a number too (safe_atou(), C's notation: "0x1" is
         * fifo); only those of the five names. */
        if (parse_uint64_range(s, 0, 99, &n) < 0 || !sched_policy_to_string((int) n))
                return -EINVAL;
        *ret = (int) n;
        return 0;
}

const char *sched_policy_to_string(int policy) {
        for (size_t i = 0; i < ELEMENTSOF(sched_policies); i++)
                if (sched_policies[i].policy == policy)
                        return sched_policies[i].name;
        return NULL;
}

static bool sched_policy_is_rt(int policy) {
        return policy == SCHED_FIFO || policy == SCHED_RR;
}

int sched_policy_priority_min(int policy) {
        return sched_policy_is_rt(policy) ? 1 : 0;
}

int sched_policy_priority_max(int policy) {
        return sched_policy_is_rt(policy) ? 99 : 0;
}

static const char * const ioprio_classes[] = {
        [IOPRIO_CLASS_NONE] = "none",
        [IOPRIO_CLASS_RT]   = "realtime",
        [IOPRIO_CLASS_BE]   = "best-effort",
        [IOPRIO_CLASS_IDLE] = "idle",
};

int parse_ioprio_class(const char *s, int *ret) {
        uint64_t n;

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(ioprio_classes); i++)
                if (streq(ioprio_classes[i], s)) {
                        *ret = (int) i;
                        return 0;
                }
        /* Or its number, as safe_atou() reads one. */
        if (parse_uint64_range(s, 0, ELEMENTSOF(ioprio_classes) - 1, &n) < 0)
                return -EINVAL;
        *ret = (int) n;
        return 0;
}

const char *ioprio_class_to_string(int class) {
        return class >= 0 && (size_t) class < ELEMENTSOF(ioprio_classes) ? ioprio_classes[class] : NULL;
}

/* systemd's architecture names (architecture_table[] of its architecture.c). */
static const char * const architectures[] = {
        "alpha", "arc", "arc-be", "arm", "arm-be", "arm64", "arm64-be", "cris", "ia64", "loongarch64",
        "m68k", "mips", "mips-le", "mips64", "mips64-le", "nios2", "parisc", "parisc64", "ppc", "ppc-le",
        "ppc64", "ppc64-le", "riscv32", "riscv64", "s390", "s390x", "sh", "sh64", "sparc", "sparc64",
        "tilegx", "x32", "x86", "x86-64",
};

/* What this machine runs: its native architecture (PER_LINUX) and, where
 * systemd knows one, the secondary one its kernel runs too (PER_LINUX32):
 * the ARCHITECTURE_SECONDARY of systemd's architecture.h, none on big-endian
 * arm64 and sparc64. */
#if defined(__x86_64__) && !defined(__ILP32__)
#  define ARCH_NATIVE "x86-64"
#  define ARCH_SECONDARY "x86"
#elif defined(__i386__)
#  define ARCH_NATIVE "x86"
#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#  define ARCH_NATIVE "arm64-be"
#elif defined(__aarch64__)
#  define ARCH_NATIVE "arm64"
#  define ARCH_SECONDARY "arm"
#elif defined(__arm__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#  define ARCH_NATIVE "arm-be"
#elif defined(__arm__)
#  define ARCH_NATIVE "arm"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#  define ARCH_NATIVE "ppc64"
#  define ARCH_SECONDARY "ppc"
#elif defined(__powerpc64__)
#  define ARCH_NATIVE "ppc64-le"
#  define ARCH_SECONDARY "ppc-le"
#elif defined(__s390x__)
#  define ARCH_NATIVE "s390x"
#  define ARCH_SECONDARY "s390"
#elif defined(__riscv) && __riscv_xlen == 64
#  define ARCH_NATIVE "riscv64"
#elif defined(__loongarch_lp64)
#  define ARCH_NATIVE "loongarch64"
#elif defined(__sparc__) && defined(__arch64__)
#  define ARCH_NATIVE "sparc64"
#endif

int parse_personality(const char *s, unsigned long *ret) {
        bool known = false;

        for (size_t i = 0; s && i < ELEMENTSOF(architectures); i++)
                known = known || streq(architectures[i], s);
        if (!known)
                return -EINVAL;
#ifdef ARCH_NATIVE
        if (streq(s, ARCH_NATIVE)) {
                *ret = PER_LINUX;
                return 0;
        }
#endif
#ifdef ARCH_SECONDARY
        if (streq(s, ARCH_SECONDARY)) {
                *ret = PER_LINUX32;
                return 0;
        }
#endif
        return -EOPNOTSUPP;
}

const char *personality_to_string(unsigned long personality) {
#ifdef ARCH_NATIVE
        if (personality == PER_LINUX)
                return ARCH_NATIVE;
#endif
#ifdef ARCH_SECONDARY
        if (personality == PER_LINUX32)
                return ARCH_SECONDARY;
#endif
        return NULL;
}
