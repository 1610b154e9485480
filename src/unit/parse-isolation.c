/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/socket.h>

#include "parse-exec.h"
#include "parse-isolation.h"
#include "parse-value.h"
#include "strv.h"

#ifndef CLONE_NEWTIME
#  define CLONE_NEWTIME 0x00000080
#endif

/* systemd 252's names (its seccomp_arch_from_string()), for the
 * architectures this libseccomp knows. */
static const struct {
        const char *name;
        uint32_t arch;
} arch_table[] = {
        { "x86", SCMP_ARCH_X86 },
        { "x86-64", SCMP_ARCH_X86_64 },
        { "x32", SCMP_ARCH_X32 },
        { "arm", SCMP_ARCH_ARM },
        { "arm64", SCMP_ARCH_AARCH64 },
        { "mips", SCMP_ARCH_MIPS },
        { "mips64", SCMP_ARCH_MIPS64 },
        { "mips64-n32", SCMP_ARCH_MIPS64N32 },
        { "mips-le", SCMP_ARCH_MIPSEL },
        { "mips64-le", SCMP_ARCH_MIPSEL64 },
        { "mips64-le-n32", SCMP_ARCH_MIPSEL64N32 },
#ifdef SCMP_ARCH_PARISC
        { "parisc", SCMP_ARCH_PARISC },
        { "parisc64", SCMP_ARCH_PARISC64 },
#endif
        { "ppc", SCMP_ARCH_PPC },
        { "ppc64", SCMP_ARCH_PPC64 },
        { "ppc64-le", SCMP_ARCH_PPC64LE },
#ifdef SCMP_ARCH_RISCV64
        { "riscv64", SCMP_ARCH_RISCV64 },
#endif
        { "s390", SCMP_ARCH_S390 },
        { "s390x", SCMP_ARCH_S390X },
};

int syscall_arch_from_string(const char *s, uint32_t *ret) {
        if (streq_ptr(s, "native")) {
                *ret = seccomp_arch_native();
                return 0;
        }
        for (size_t i = 0; s && i < ELEMENTSOF(arch_table); i++)
                if (streq(arch_table[i].name, s)) {
                        *ret = arch_table[i].arch;
                        return 0;
                }
        return -EINVAL;
}

const char *syscall_arch_to_string(uint32_t arch) {
        for (size_t i = 0; i < ELEMENTSOF(arch_table); i++)
                if (arch_table[i].arch == arch)
                        return arch_table[i].name;
        return NULL;
}

/* The ABIs whose system calls this machine's kernel takes, the native one
 * first: where a filter must say something about each (the list of
 * systemd's seccomp_local_archs[]). */
static const uint32_t local_archs[] = {
#if defined(__x86_64__) && defined(__ILP32__)
        SCMP_ARCH_X32, SCMP_ARCH_X86_64, SCMP_ARCH_X86,
#elif defined(__x86_64__)
        SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32,
#elif defined(__i386__)
        SCMP_ARCH_X86,
#elif defined(__aarch64__)
        SCMP_ARCH_AARCH64, SCMP_ARCH_ARM,
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, SCMP_ARCH_PPC,
#elif defined(__powerpc64__)
        SCMP_ARCH_PPC64LE, SCMP_ARCH_PPC64, SCMP_ARCH_PPC,
#elif defined(__s390x__)
        SCMP_ARCH_S390X, SCMP_ARCH_S390,
#else
        /* mips and the rest: the native one alone. */
        SCMP_ARCH_NATIVE,
#endif
};

bool syscall_arch_is_local(uint32_t arch) {
        if (arch == seccomp_arch_native())
                return true;
        for (size_t i = 0; i < ELEMENTSOF(local_archs); i++)
                if (local_archs[i] == arch)
                        return true;
        return false;
}

/* Validates every word of s with check; *ret_word the first bad one. */
/* The words of s split with flags as systemd 252 splits the key's value:
 * SystemCallArchitectures= and RestrictAddressFamilies= with quotes removed,
 * RestrictNamespaces= (flags 0) with quotes kept, none with C escapes
 * ("\x41" is "x41"; a backslash keeps the next character). */
static int split_checked(const char *s, ExtractFlags flags, bool (*check)(const char *word), char ***ret,
                         char **ret_word) {
        _cleanup_strv_free_ char **words = NULL;
        int r;

        *ret_word = NULL;
        r = split_words_full(s, flags, &words);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        STRV_FOREACH(w, words)
                if (!check(*w)) {
                        *ret_word = strdup(*w);
                        return *ret_word ? -EINVAL : -ENOMEM;
                }
        *ret = TAKE_PTR(words);
        return 0;
}

static bool arch_is_valid(const char *word) {
        uint32_t a;
        return syscall_arch_from_string(word, &a) >= 0;
}

int parse_syscall_archs(CellConfig *c, const char *s, char **ret_word) {
        _cleanup_strv_free_ char **words = NULL;
        int r;

        *ret_word = NULL;
        if (isempty(s)) {
                c->n_syscall_archs = 0;
                return 0;
        }
        r = split_checked(s, EXTRACT_UNQUOTE, arch_is_valid, &words, ret_word);
        if (r < 0)
                return r;
        STRV_FOREACH(w, words) {
                uint32_t a;
                bool seen = false;

                (void) syscall_arch_from_string(*w, &a);
                for (size_t i = 0; i < c->n_syscall_archs; i++)
                        seen = seen || c->syscall_archs[i] == a;
                /* The table has fewer names than there is room for. */
                if (!seen && c->n_syscall_archs < CELL_SYSCALL_ARCHS_MAX)
                        c->syscall_archs[c->n_syscall_archs++] = a;
        }
        return 0;
}

/* The kinds /proc/PID/ns names, as systemd 252's namespace_info[]. */
static const struct {
        const char *name;
        unsigned long flag;
} namespace_table[] = {
        { "cgroup", CLONE_NEWCGROUP },
        { "ipc", CLONE_NEWIPC },
        { "net", CLONE_NEWNET },
        { "mnt", CLONE_NEWNS },
        { "pid", CLONE_NEWPID },
        { "user", CLONE_NEWUSER },
        { "uts", CLONE_NEWUTS },
        { "time", CLONE_NEWTIME },
};

unsigned long namespace_flag_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(namespace_table); i++)
                if (streq(namespace_table[i].name, s))
                        return namespace_table[i].flag;
        return 0;
}

const char *namespace_flag_to_string(unsigned long flag) {
        for (size_t i = 0; i < ELEMENTSOF(namespace_table); i++)
                if (namespace_table[i].flag == flag)
                        return namespace_table[i].name;
        return NULL;
}

unsigned long namespace_flags_all(void) {
        unsigned long all = 0;

        for (size_t i = 0; i < ELEMENTSOF(namespace_table); i++)
                all |= namespace_table[i].flag;
        return all;
}

static bool namespace_is_valid(const char *word) {
        return namespace_flag_from_string(word) != 0;
}

/* As systemd 252: a boolean replaces whatever came before ("yes": none
 * allowed, "no": all); the first list sets the allowed kinds (or, with "~",
 * all but those); a later one adds its kinds to them (or, with "~", takes
 * them away); "~" alone takes nothing away (first: all allowed, so a later
 * list adds to all); the empty value goes back to unset. */
int parse_restrict_namespaces(CellConfig *c, const char *s, char **ret_word) {
        _cleanup_strv_free_ char **words = NULL;
        unsigned long flags = 0;
        bool invert = false;
        int b, r;

        *ret_word = NULL;
        if (isempty(s)) {
                c->restrict_namespaces_set = false;
                c->restrict_namespaces = namespace_flags_all();
                return 0;
        }
        b = parse_boolean(s);
        if (b >= 0) {
                c->restrict_namespaces_set = true;
                c->restrict_namespaces = b ? 0 : namespace_flags_all();
                return 0;
        }
        if (s[0] == '~') {
                invert = true;
                s++;
        }
        r = split_checked(s, 0, namespace_is_valid, &words, ret_word);
        if (r < 0)
                return r;
        if (!words[0] && !invert)
                return -EINVAL;
        STRV_FOREACH(w, words)
                flags |= namespace_flag_from_string(*w);

        if (!c->restrict_namespaces_set)
                c->restrict_namespaces = invert ? namespace_flags_all() & ~flags : flags;
        else if (invert)
                c->restrict_namespaces &= ~flags;
        else
                c->restrict_namespaces |= flags;
        c->restrict_namespaces_set = true;
        return 0;
}

/* The families of <sys/socket.h>, aliases after the name they alias. */
static const struct {
        const char *name;
        int af;
} af_table[] = {
        { "AF_UNIX", AF_UNIX },
        { "AF_LOCAL", AF_LOCAL },
        { "AF_FILE", AF_FILE },
        { "AF_INET", AF_INET },
        { "AF_AX25", AF_AX25 },
        { "AF_IPX", AF_IPX },
        { "AF_APPLETALK", AF_APPLETALK },
        { "AF_NETROM", AF_NETROM },
        { "AF_BRIDGE", AF_BRIDGE },
        { "AF_ATMPVC", AF_ATMPVC },
        { "AF_X25", AF_X25 },
        { "AF_INET6", AF_INET6 },
        { "AF_ROSE", AF_ROSE },
        { "AF_DECnet", AF_DECnet },
        { "AF_NETBEUI", AF_NETBEUI },
        { "AF_SECURITY", AF_SECURITY },
        { "AF_KEY", AF_KEY },
        { "AF_NETLINK", AF_NETLINK },
        { "AF_ROUTE", AF_ROUTE },
        { "AF_PACKET", AF_PACKET },
        { "AF_ASH", AF_ASH },
        { "AF_ECONET", AF_ECONET },
        { "AF_ATMSVC", AF_ATMSVC },
        { "AF_RDS", AF_RDS },
        { "AF_SNA", AF_SNA },
        { "AF_IRDA", AF_IRDA },
        { "AF_PPPOX", AF_PPPOX },
        { "AF_WANPIPE", AF_WANPIPE },
        { "AF_LLC", AF_LLC },
        { "AF_IB", AF_IB },
        { "AF_MPLS", AF_MPLS },
        { "AF_CAN", AF_CAN },
        { "AF_TIPC", AF_TIPC },
        { "AF_BLUETOOTH", AF_BLUETOOTH },
        { "AF_IUCV", AF_IUCV },
        { "AF_RXRPC", AF_RXRPC },
        { "AF_ISDN", AF_ISDN },
        { "AF_PHONET", AF_PHONET },
        { "AF_IEEE802154", AF_IEEE802154 },
        { "AF_CAIF", AF_CAIF },
        { "AF_ALG", AF_ALG },
        { "AF_NFC", AF_NFC },
        { "AF_VSOCK", AF_VSOCK },
#ifdef AF_KCM
        { "AF_KCM", AF_KCM },
#endif
#ifdef AF_QIPCRTR
        { "AF_QIPCRTR", AF_QIPCRTR },
#endif
#ifdef AF_SMC
        { "AF_SMC", AF_SMC },
#endif
#ifdef AF_XDP
        { "AF_XDP", AF_XDP },
#endif
#ifdef AF_MCTP
        { "AF_MCTP", AF_MCTP },
#endif
};

/* The config keeps the families as bits of a uint64_t. */
_Static_assert(AF_MAX <= 64, "more address families than bits");

int address_family_from_string(const char *s) {
        /* In any case, as systemd's af_from_name() (its gperf table ignores
         * case): RestrictAddressFamilies=af_unix is AF_UNIX there. */
        for (size_t i = 0; s && i < ELEMENTSOF(af_table); i++)
                if (strcaseeq(af_table[i].name, s))
                        return af_table[i].af;
        return -EINVAL;
}

const char *address_family_to_string(int af) {
        for (size_t i = 0; i < ELEMENTSOF(af_table); i++)
                if (af_table[i].af == af)
                        return af_table[i].name;
        return NULL;
}

static bool af_is_valid(const char *word) {
        return address_family_from_string(word) >= 0;
}

/* As systemd 252: "none" allows no family; the first list decides whether
 * the families are allowed (LIST) or denied (~LIST); a later list of the
 * same kind adds its families, of the other kind takes them out; "~" alone
 * denies nothing (first: it makes a deny list, out of which a later LIST
 * takes families); the empty value removes every restriction. After "none"
 * a list starts anew. */
int parse_address_families(CellConfig *c, const char *s, char **ret_word) {
        _cleanup_strv_free_ char **words = NULL;
        bool invert = false;
        uint64_t families = 0;
        int r;

        *ret_word = NULL;
        if (isempty(s) || streq(s, "none")) {
                c->address_families_set = false;
                c->address_families = 0;
                c->address_families_allow_list = !isempty(s);
                return 0;
        }
        if (s[0] == '~') {
                invert = true;
                s++;
        }
        r = split_checked(s, EXTRACT_UNQUOTE, af_is_valid, &words, ret_word);
        if (r < 0)
                return r;
        if (!words[0] && !invert)
                return -EINVAL;
        STRV_FOREACH(w, words)
                families |= UINT64_C(1) << address_family_from_string(*w);

        if (!c->address_families_set) {
                c->address_families_set = true;
                c->address_families = 0;
                c->address_families_allow_list = !invert;
        }
        if (invert != c->address_families_allow_list)
                c->address_families |= families;
        else
                c->address_families &= ~families;
        return 0;
}
