/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A cgroup2 device filter, hand-assembled (no libbpf). The kernel runs it for
 * every open(), mknod() of a device node by a process in the cgroup, with
 * struct bpf_cgroup_dev_ctx in r1; r0 = 1 allows, 0 denies (EPERM).
 *
 * Layout:
 *   prologue  r2 = device type, r3 = requested access, r4 = major, r5 = minor;
 *             an access bit we do not know jumps straight to the deny tail
 *   per rule  if r2 != type / r3 has a bit the rule lacks / r4 != major /
 *             r5 != minor: skip to the next rule; else r0 = 1, exit
 *   tail      r0 = 0, exit
 * A wildcard (-1) major or minor, or a rule granting all of rwm, emits no
 * test for it, so a rule is 3 to 6 instructions. */

#include <errno.h>
#include <fnmatch.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup-devices.h"
#include "fs-util.h"
#include "macros.h"
#include "parse-util.h"

/* The kernel's dev_t: 12 bits of major, 20 of minor (MINORBITS). */
#define DEVICE_MAJOR_MAX 0xfffU
#define DEVICE_MINOR_MAX 0xfffffU

#define PROLOGUE_INSNS 7
#define TAIL_INSNS 2

static void rules_freep(CgroupDeviceRule **p) {
        free(*p);
}

int cgroup_device_access_from_string(const char *perms, unsigned *ret) {
        unsigned a = 0;

        if (!ret)
                return -EINVAL;
        /* systemd's DeviceAllow= without perms grants rwm. */
        if (isempty(perms)) {
                *ret = CGROUP_DEVICE_ALL;
                return 0;
        }
        for (const char *p = perms; *p; p++)
                switch (*p) {
                case 'r':
                        a |= CGROUP_DEVICE_READ;
                        break;
                case 'w':
                        a |= CGROUP_DEVICE_WRITE;
                        break;
                case 'm':
                        a |= CGROUP_DEVICE_MKNOD;
                        break;
                default:
                        /* An unknown letter is a typo, never silently ignored. */
                        return -EINVAL;
                }
        *ret = a;
        return 0;
}

/* Appends add[0..n_add) to *rules; both outputs unchanged on failure. */
static int rules_append(CgroupDeviceRule **rules, size_t *n_rules, const CgroupDeviceRule *add, size_t n_add) {
        CgroupDeviceRule *n;

        if (n_add == 0)
                return 0;
        if (*n_rules > SIZE_MAX / sizeof(CgroupDeviceRule) - n_add)
                return -ENOMEM;
        n = realloc(*rules, (*n_rules + n_add) * sizeof(CgroupDeviceRule));
        if (!n)
                return -ENOMEM;
        memcpy(n + *n_rules, add, n_add * sizeof(CgroupDeviceRule));
        *rules = n;
        *n_rules += n_add;
        return (int) n_add;
}

/* "/dev/char/MAJ:MIN", "/dev/block/MAJ:MIN": the number in the name, as systemd
 * reads it (device_path_parse_major_minor()): such a path names its device even on
 * a host without udev's links, or before the driver is loaded. false for any other. */
static bool parse_devnum_path(const char *path, unsigned access, CgroupDeviceRule *ret) {
        const char *p, *e;
        uint64_t maj, min;
        char type;

        if ((p = startswith(path, "/dev/char/")))
                type = 'c';
        else if ((p = startswith(path, "/dev/block/")))
                type = 'b';
        else
                return false;
        if (scan_digits(p, &maj, &e) < 0 || *e != ':' || scan_digits(e + 1, &min, &e) < 0 || *e ||
            maj > DEVICE_MAJOR_MAX || min > DEVICE_MINOR_MAX)
                return false;
        *ret = (CgroupDeviceRule) { .type = type, .major = (int) maj, .minor = (int) min, .access = access };
        return true;
}

static int resolve_node(const char *path, unsigned access, CgroupDeviceRule *ret) {
        struct stat st;

        if (parse_devnum_path(path, access, ret))
                return 1;
        if (stat(path, &st) < 0)
                /* A node that is not there (no such hardware) is skipped, as systemd does. */
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                /* Only a device node names a device number: a file or dir grants nothing. */
                return -ENODEV;
        *ret = (CgroupDeviceRule) {
                .type = S_ISCHR(st.st_mode) ? 'c' : 'b',
                .major = (int) major(st.st_rdev),
                .minor = (int) minor(st.st_rdev),
                .access = access,
        };
        return 1;
}

/* "  7 loop" -> 7, "loop"; false for anything else (headers, blank lines). */
static bool parse_devices_line(char *line, unsigned *ret_major, const char **ret_name) {
        char *p = line + strspn(line, " \t"), *e;
        unsigned long m;

        if (*p < '0' || *p > '9')
                return false;
        errno = 0;
        m = strtoul(p, &e, 10);
        if (errno != 0 || e == p || (*e != ' ' && *e != '\t') || m > DEVICE_MAJOR_MAX)
                return false;
        e += strspn(e, " \t");
        e[strcspn(e, "\n")] = 0;
        if (!*e)
                return false;
        *ret_major = (unsigned) m;
        *ret_name = e;
        return true;
}

static int resolve_major(char type, const char *pattern, unsigned access, const char *proc_devices,
                         CgroupDeviceRule **ret, size_t *ret_n) {
        const char *section = type == 'c' ? "Character devices:" : "Block devices:";
        _cleanup_(rules_freep) CgroupDeviceRule *found = NULL;
        _cleanup_free_ char *line = NULL;
        size_t n_found = 0, line_size = 0;
        _cleanup_(fclosep) FILE *f = NULL;
        bool in_section = false;

        f = fopen(proc_devices ?: "/proc/devices", "re");
        if (!f)
                return -errno;
        while (getline(&line, &line_size, f) >= 0) {
                const char *name;
                unsigned m;
                bool dup = false;

                /* Entries start with a (space-padded) number; anything else ends a section. */
                if (line[0] != ' ' && (line[0] < '0' || line[0] > '9')) {
                        in_section = startswith(line, section) != NULL;
                        continue;
                }
                /* A line we cannot read grants nothing: deny by default stays. */
                if (!in_section || !parse_devices_line(line, &m, &name))
                        continue;
                if (fnmatch(pattern, name, 0) != 0)
                        continue;
                /* One rule per major: "tty" and "/dev/vc/0" share 4. */
                for (size_t i = 0; i < n_found && !dup; i++)
                        dup = found[i].major == (int) m;
                if (dup)
                        continue;
                CgroupDeviceRule *n = realloc(found, (n_found + 1) * sizeof(CgroupDeviceRule));
                if (!n)
                        return -ENOMEM;
                found = n;
                found[n_found++] = (CgroupDeviceRule) { .type = type, .major = (int) m, .minor = -1, .access = access };
        }
        if (ferror(f))
                return -EIO;
        *ret = TAKE_PTR(found);
        *ret_n = n_found;
        return 0;
}

int cgroup_devices_resolve(const char *spec, const char *perms, const char *proc_devices,
                           CgroupDeviceRule **rules, size_t *n_rules) {
        _cleanup_(rules_freep) CgroupDeviceRule *found = NULL;
        const char *name;
        unsigned access;
        size_t n_found = 0;
        char type;
        int r;

        if (!spec || !rules || !n_rules)
                return -EINVAL;
        r = cgroup_device_access_from_string(perms, &access);
        if (r < 0)
                return r;

        if (startswith(spec, "/dev/")) {
                CgroupDeviceRule one;

                r = resolve_node(spec, access, &one);
                if (r <= 0)
                        return r;
                return rules_append(rules, n_rules, &one, 1);
        }

        if ((name = startswith(spec, "char-")))
                type = 'c';
        else if ((name = startswith(spec, "block-")))
                type = 'b';
        else
                /* Only what systemd's DeviceAllow= takes: no other way to name a device. */
                return -EINVAL;
        if (isempty(name))
                return -EINVAL;

        if (streq(name, "*")) {
                /* The whole class, as systemd treats "char-*": also majors not in /proc/devices yet. */
                CgroupDeviceRule all = { .type = type, .major = -1, .minor = -1, .access = access };
                return rules_append(rules, n_rules, &all, 1);
        }

        r = resolve_major(type, name, access, proc_devices, &found, &n_found);
        if (r < 0)
                return r;
        return rules_append(rules, n_rules, found, n_found);
}

/* CgroupDeviceAccess bits -> BPF_DEVCG_ACC_* bits. */
static uint32_t access_to_bpf(unsigned access) {
        return (access & CGROUP_DEVICE_READ ? BPF_DEVCG_ACC_READ : 0) |
               (access & CGROUP_DEVICE_WRITE ? BPF_DEVCG_ACC_WRITE : 0) |
               (access & CGROUP_DEVICE_MKNOD ? BPF_DEVCG_ACC_MKNOD : 0);
}

#define BPF_ACC_ALL ((uint32_t) (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD))

static int rule_validate(const CgroupDeviceRule *rule) {
        if (rule->type != 'c' && rule->type != 'b')
                return -EINVAL;
        if (rule->major != -1 && (rule->major < 0 || (unsigned) rule->major > DEVICE_MAJOR_MAX))
                return -EINVAL;
        if (rule->minor != -1 && (rule->minor < 0 || (unsigned) rule->minor > DEVICE_MINOR_MAX))
                return -EINVAL;
        if (rule->access & ~(unsigned) CGROUP_DEVICE_ALL)
                return -EINVAL;
        return 0;
}

/* Instructions the rule's block takes; 0 for a rule that grants nothing. */
static size_t rule_insns(const CgroupDeviceRule *rule) {
        if (rule->access == 0)
                return 0;
        return 1 +                                              /* type */
               (rule->access != CGROUP_DEVICE_ALL) +            /* access */
               (rule->major != -1) +                            /* major */
               (rule->minor != -1) +                            /* minor */
               2;                                               /* allow */
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
        return (struct bpf_insn) { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

static struct bpf_insn insn_ldx_w(uint8_t dst, int16_t off) {
        return insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, off, 0);
}

static struct bpf_insn insn_jmp_k(uint8_t op, uint8_t dst, int32_t imm, int16_t off) {
        return insn(BPF_JMP | op | BPF_K, dst, 0, off, imm);
}

int cgroup_devices_build(const CgroupDeviceRule *rules, size_t n_rules,
                         struct bpf_insn **ret_insns, size_t *ret_n) {
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t total = TAIL_INSNS, k = 0;
        bool any = false;
        int r;

        if ((!rules && n_rules > 0) || !ret_insns || !ret_n)
                return -EINVAL;
        for (size_t i = 0; i < n_rules; i++) {
                r = rule_validate(rules + i);
                if (r < 0)
                        return r;
                total += rule_insns(rules + i);
                any = any || rule_insns(rules + i) > 0;
                /* Past the kernel's classic limit the policy is surely generated wrong. */
                if (total + PROLOGUE_INSNS > BPF_MAXINSNS)
                        return -E2BIG;
        }
        if (any)
                total += PROLOGUE_INSNS;

        p = calloc(total, sizeof(struct bpf_insn));
        if (!p)
                return -ENOMEM;

        if (any) {
                p[k++] = insn_ldx_w(BPF_REG_2, offsetof(struct bpf_cgroup_dev_ctx, access_type));
                p[k++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
                p[k++] = insn_ldx_w(BPF_REG_3, offsetof(struct bpf_cgroup_dev_ctx, access_type));
                p[k++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
                p[k++] = insn_ldx_w(BPF_REG_4, offsetof(struct bpf_cgroup_dev_ctx, major));
                p[k++] = insn_ldx_w(BPF_REG_5, offsetof(struct bpf_cgroup_dev_ctx, minor));
                /* An access kind a newer kernel may add is denied: no rule was written for it. */
                p[k] = insn_jmp_k(BPF_JSET, BPF_REG_3, (int32_t) ~BPF_ACC_ALL, (int16_t) (total - TAIL_INSNS - k - 1));
                k++;
        }

        for (size_t i = 0; i < n_rules; i++) {
                const CgroupDeviceRule *rule = rules + i;
                size_t next = k + rule_insns(rule);
                uint32_t missing = BPF_ACC_ALL & ~access_to_bpf(rule->access);

                /* A rule without any access bit grants nothing: no block at all. */
                if (next == k)
                        continue;
                /* Each test below skips the rest of this block: the next rule gets its chance. */
#define SKIP_REST ((int16_t) (next - k - 1))
                /* The type first: a char rule never opens a block device of the same number. */
                p[k] = insn_jmp_k(BPF_JNE, BPF_REG_2, rule->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, SKIP_REST);
                k++;
                if (missing != 0) {
                        /* Every requested bit must be granted by this one rule ("rw" on "r" is denied). */
                        p[k] = insn_jmp_k(BPF_JSET, BPF_REG_3, (int32_t) missing, SKIP_REST);
                        k++;
                }
                if (rule->major != -1) {
                        p[k] = insn_jmp_k(BPF_JNE, BPF_REG_4, rule->major, SKIP_REST);
                        k++;
                }
                if (rule->minor != -1) {
                        p[k] = insn_jmp_k(BPF_JNE, BPF_REG_5, rule->minor, SKIP_REST);
                        k++;
                }
#undef SKIP_REST
                p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
                p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        }

        /* Deny by default: whatever no rule matched is refused (EPERM). */
        p[k++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
        p[k++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

        *ret_insns = TAKE_PTR(p);
        *ret_n = total;
        return 0;
}

static int bpf_call(int cmd, union bpf_attr *attr) {
        long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
        return r < 0 ? -errno : (int) r;
}

int cgroup_devices_load_insns(const struct bpf_insn *insns, size_t n, int *ret_prog_fd) {
        union bpf_attr attr;
        int r;

        if (!insns || n == 0 || n > BPF_MAXINSNS || !ret_prog_fd)
                return -EINVAL;
        memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t) (uintptr_t) insns;
        attr.insn_cnt = (uint32_t) n;
        attr.license = (uint64_t) (uintptr_t) "GPL";
        /* A name bpftool shows: an admin can tell whose filter this is. */
        strncpy(attr.prog_name, "cell_devices", sizeof(attr.prog_name) - 1);
        /* No verifier log: nobody here would print it, and it costs time on every start. */

        /* The kernel returns BPF fds O_CLOEXEC: the payload never inherits the program. */
        r = bpf_call(BPF_PROG_LOAD, &attr);
        if (r < 0)
                return r;
        *ret_prog_fd = r;
        return 0;
}

int cgroup_devices_load(const CgroupDeviceRule *rules, size_t n_rules, int *ret_prog_fd) {
        _cleanup_free_ struct bpf_insn *insns = NULL;
        size_t n = 0;
        int r;

        if (!ret_prog_fd)
                return -EINVAL;
        r = cgroup_devices_build(rules, n_rules, &insns, &n);
        if (r < 0)
                return r;
        return cgroup_devices_load_insns(insns, n, ret_prog_fd);
}

int cgroup_devices_attach(int prog_fd, int cgroup_fd) {
        union bpf_attr attr;
        int r;

        if (prog_fd < 0 || cgroup_fd < 0)
                return -EBADF;
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t) cgroup_fd;
        attr.attach_bpf_fd = (uint32_t) prog_fd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        /* MULTI: systemd's filter above and a delegated payload's own below keep running; all must allow. */
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        r = bpf_call(BPF_PROG_ATTACH, &attr);
        return r < 0 ? r : 0;
}

int cgroup_devices_count(int cgroup_fd) {
        union bpf_attr attr;
        int r;

        if (cgroup_fd < 0)
                return -EBADF;
        memset(&attr, 0, sizeof(attr));
        attr.query.target_fd = (uint32_t) cgroup_fd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.query_flags = BPF_F_QUERY_EFFECTIVE;
        r = bpf_call(BPF_PROG_QUERY, &attr);
        return r < 0 ? r : (int) attr.query.prog_cnt;
}
