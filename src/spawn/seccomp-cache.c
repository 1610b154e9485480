/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config-build.h"
#include "fs-util.h"
#include "log.h"
#include "seccomp-cache.h"

#define CACHE_MAGIC "CELLBPF1"
#define CACHE_KEY_MAX (256u * 1024u)
#define CACHE_TEMP_MAX_AGE_SEC (60 * 60)

/* The file: this header, the key (what made the program, the filter's
 * inputs; text), the program (struct sock_filter[n_insns]). */
typedef struct CacheHeader {
        char magic[8];
        uint32_t key_size;
        uint32_t n_insns;
} CacheHeader;

static const char *const result_table[_SECCOMP_CACHE_RESULT_MAX] = {
        [SECCOMP_CACHE_OFF] = "compiled, no cache",
        [SECCOMP_CACHE_HIT] = "read from the cache",
        [SECCOMP_CACHE_STORED] = "compiled and cached",
        [SECCOMP_CACHE_MISS] = "compiled, not cached",
};

const char *seccomp_cache_result_to_string(SeccompCacheResult r) {
        return r >= 0 && r < _SECCOMP_CACHE_RESULT_MAX ? result_table[r] : NULL;
}

const char *seccomp_cache_dir(void) {
        const char *e = getenv("CELL_CACHE_DIR");
        return !isempty(e) && e[0] == '/' ? e : CELL_CACHE_DIR;
}

/* "0" turns it off, as CELL_CGROUP_PRIME=0 and CELL_MONITOR=0 do theirs. */
static bool cache_enabled(void) {
        return !streq_ptr(getenv("CELL_SECCOMP_CACHE"), "0");
}

typedef struct BuildIds {
        bool first_seen;
        char program[129];      /* hex; "" = none found */
        char seccomp[129];
} BuildIds;

static void note_build_id(const struct dl_phdr_info *info, char *ret, size_t size) {
        for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                size_t align = ph->p_align == 8 ? 8 : 4;
                const char *p, *end;

                if (ph->p_type != PT_NOTE)
                        continue;
                p = (const char *) (info->dlpi_addr + ph->p_vaddr);
                end = p + ph->p_memsz;
                while ((size_t) (end - p) >= sizeof(ElfW(Nhdr))) {
                        const ElfW(Nhdr) *n = (const ElfW(Nhdr) *) p;
                        const char *name = p + sizeof *n;
                        size_t name_size = (n->n_namesz + align - 1) & ~(align - 1);
                        size_t desc_size = (n->n_descsz + align - 1) & ~(align - 1);
                        const uint8_t *desc = (const uint8_t *) name + name_size;

                        if (name_size + desc_size > (size_t) (end - name))
                                break;
                        if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                            n->n_descsz > 0 && n->n_descsz * 2 < size) {
                                for (size_t k = 0; k < n->n_descsz; k++)
                                        snprintf(ret + 2 * k, 3, "%02x", desc[k]);
                                return;
                        }
                        p = name + name_size + desc_size;
                }
        }
}

static int find_build_ids(struct dl_phdr_info *info, size_t size, void *userdata) {
        BuildIds *ids = userdata;
        const char *base;

        /* The first object listed is the executable. */
        if (!ids->first_seen) {
                ids->first_seen = true;
                note_build_id(info, ids->program, sizeof ids->program);
                return 0;
        }
        base = strrchr(strempty(info->dlpi_name), '/');
        if (startswith(base ? base + 1 : strempty(info->dlpi_name), "libseccomp.so"))
                note_build_id(info, ids->seccomp, sizeof ids->seccomp);
        return 0;
}

/* What made the program, then the filter's inputs; *ret_env_size: the
 * length of the first part. */
static int cache_key(PlanSeccompAction default_action, int default_error, const PlanSyscallRule *rules,
                     size_t n_rules, const uint32_t *archs, size_t n_archs, bool no_new_privs, char **ret,
                     size_t *ret_size, size_t *ret_env_size) {
        _cleanup_free_ char *buf = NULL;
        BuildIds ids = {};
        struct utsname u;
        size_t size = 0;
        long env_size;
        FILE *f;

        (void) dl_iterate_phdr(find_build_ids, &ids);
        /* Without it nothing tells this cell's code from another's. */
        if (isempty(ids.program))
                return -ENOENT;
        if (uname(&u) < 0)
                return negative_errno();

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "cell seccomp cache 3\nprogram %s\nlibseccomp %s\nkernel %s %s %s\n", ids.program,
                isempty(ids.seccomp) ? "linked-in" : ids.seccomp, u.release, u.version, u.machine);
        env_size = ftell(f);
        fprintf(f, "default %d %d\nno_new_privs %d\narchs", (int) default_action, default_error, (int) no_new_privs);
        for (size_t i = 0; i < n_archs; i++)
                fprintf(f, " %" PRIu32, archs[i]);
        fputc('\n', f);
        for (size_t i = 0; i < n_rules; i++) {
                fprintf(f, "rule %s %d %d %" PRIu32 " %u", rules[i].name, (int) rules[i].action, rules[i].error,
                        rules[i].abi, rules[i].n_args);
                for (unsigned k = 0; k < rules[i].n_args; k++)
                        fprintf(f, " %d %u %" PRIu32 " %" PRIu32, (int) rules[i].args[k].compare,
                                rules[i].args[k].index, rules[i].args[k].mask, rules[i].args[k].value);
                fputc('\n', f);
        }
        if (fclose(f) != 0 || env_size < 0)
                return -ENOMEM;
        if (size > CACHE_KEY_MAX)
                return -E2BIG;

        *ret_env_size = (size_t) env_size;
        *ret_size = size;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* The directory, when it is ours and no one else can write it: what is read
 * from it is loaded into containers. */
static int cache_dir_open(bool create) {
        _cleanup_close_ int top = -EBADF;
        struct stat st;
        int fd;

        if (create && mkdir(seccomp_cache_dir(), 0755) < 0 && errno != EEXIST)
                return negative_errno();
        top = open(seccomp_cache_dir(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (top < 0)
                return negative_errno();
        if (create && mkdirat(top, "seccomp", 0700) < 0 && errno != EEXIST)
                return negative_errno();
        fd = openat(top, "seccomp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0 || !stat_ours_alone(&st)) {
                safe_close(fd);
                return -EPERM;
        }
        return fd;
}

static int cache_read(int dfd, const char *name, const char *key, size_t key_size, bool no_new_privs,
                      SeccompProgram *ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct sock_filter *insns;
        CacheHeader h;
        struct stat st;
        ssize_t n;

        /* O_NONBLOCK: a FIFO put there must not hang the start. */
        fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        /* Only a file of ours that no one else could have written. */
        if (!S_ISREG(st.st_mode) || !stat_ours_alone(&st))
                return -EPERM;
        if ((size_t) st.st_size < sizeof h ||
            (size_t) st.st_size > sizeof h + CACHE_KEY_MAX + BPF_MAXINSNS * sizeof(struct sock_filter))
                return -EBADMSG;
        buf = malloc(st.st_size);
        if (!buf)
                return -ENOMEM;
        n = pread(fd, buf, st.st_size, 0);
        if (n != st.st_size)
                return n < 0 ? negative_errno() : -EBADMSG;

        memcpy(&h, buf, sizeof h);
        if (memcmp(h.magic, CACHE_MAGIC, sizeof h.magic) != 0 || h.key_size != key_size ||
            h.n_insns == 0 || h.n_insns > BPF_MAXINSNS ||
            (size_t) st.st_size != sizeof h + key_size + (size_t) h.n_insns * sizeof(struct sock_filter))
                return -EBADMSG;
        if (memcmp(buf + sizeof h, key, key_size) != 0)
                return -ESTALE;

        insns = malloc((size_t) h.n_insns * sizeof(struct sock_filter));
        if (!insns)
                return -ENOMEM;
        memcpy(insns, buf + sizeof h + key_size, (size_t) h.n_insns * sizeof(struct sock_filter));
        *ret = (SeccompProgram) { .insns = insns, .n_insns = h.n_insns, .no_new_privs = no_new_privs };
        return 0;
}

/* The files of another cell, libseccomp or kernel; and temporary files
 * left by a start that died between writing and renaming. */
static void cache_prune(int dfd, const char *keep_prefix) {
        _cleanup_(closedirp) DIR *d = opendir_at(dfd, ".");
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                struct stat st;

                if (startswith(de->d_name, ".#")) {
                        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            st.st_mtime + CACHE_TEMP_MAX_AGE_SEC > time(NULL))
                                continue;
                } else if (!endswith(de->d_name, ".bpf") || startswith(de->d_name, keep_prefix))
                        continue;
                (void) unlinkat(dfd, de->d_name, 0);
        }
}

static int cache_write(int dfd, const char *name, const char *key, size_t key_size, const SeccompProgram *prog) {
        CacheHeader h = { .magic = CACHE_MAGIC, .key_size = key_size, .n_insns = prog->n_insns };
        struct iovec iov[] = {
                { .iov_base = &h, .iov_len = sizeof h },
                { .iov_base = (char *) key, .iov_len = key_size },
                { .iov_base = prog->insns, .iov_len = prog->n_insns * sizeof(struct sock_filter) },
        };
        size_t total = iov[0].iov_len + iov[1].iov_len + iov[2].iov_len;
        _cleanup_close_ int fd = -EBADF;
        char tmp[128];
        uint64_t rnd;
        ssize_t n;

        /* Under a name of its own, renamed into place once whole: a reader
         * sees the old file, the new one, or none. */
        if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
                rnd = (uint64_t) getpid() << 32 ^ (uint64_t) time(NULL);
        snprintf(tmp, sizeof tmp, ".#%s.%016" PRIx64, name, rnd);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        n = writev(fd, iov, ELEMENTSOF(iov));
        if (n != (ssize_t) total || renameat(dfd, tmp, dfd, name) < 0) {
                int r = n < 0 || n == (ssize_t) total ? negative_errno() : -EIO;
                (void) unlinkat(dfd, tmp, 0);
                return r;
        }
        return 0;
}

int seccomp_cache_program(PlanSeccompAction default_action, int default_error,
                          const PlanSyscallRule *rules, size_t n_rules, const uint32_t *archs, size_t n_archs,
                          bool no_new_privs, SeccompProgram *ret, SpawnError *err) {
        _cleanup_free_ char *key = NULL;
        _cleanup_close_ int dfd = -EBADF;
        size_t key_size = 0, env_size = 0;
        char prefix[32], name[64];
        int r;

        r = cache_enabled() ? cache_key(default_action, default_error, rules, n_rules, archs, n_archs, no_new_privs,
                                        &key, &key_size, &env_size) : -ECANCELED;
        if (r < 0) {
                if (r != -ECANCELED)
                        log_debug_errno(r, "No seccomp cache (%s): %m",
                                        r == -ENOENT ? "this cell has no build ID" : "describing the filter");
                r = seccomp_program_compile(default_action, default_error, rules, n_rules, archs, n_archs,
                                            no_new_privs, ret, err);
                return r < 0 ? r : SECCOMP_CACHE_OFF;
        }
        /* The hashes only name the file; what it holds is compared in full. */
        snprintf(prefix, sizeof prefix, "%016" PRIx64 "-", hash_fnv1a64(key, env_size));
        snprintf(name, sizeof name, "%s%016" PRIx64 ".bpf", prefix, hash_fnv1a64(key + env_size, key_size - env_size));

        dfd = cache_dir_open(false);
        if (dfd >= 0) {
                r = cache_read(dfd, name, key, key_size, no_new_privs, ret);
                if (r >= 0)
                        return SECCOMP_CACHE_HIT;
                if (r != -ENOENT)
                        log_debug_errno(r, "Seccomp cache %s/seccomp/%s not used: %m", seccomp_cache_dir(), name);
        }

        r = seccomp_program_compile(default_action, default_error, rules, n_rules, archs, n_archs, no_new_privs,
                                    ret, err);
        if (r < 0)
                return r;

        if (dfd < 0)
                dfd = cache_dir_open(true);
        if (dfd < 0) {
                log_debug_errno(dfd, "Seccomp cache %s/seccomp not usable: %m", seccomp_cache_dir());
                return SECCOMP_CACHE_MISS;
        }
        r = cache_write(dfd, name, key, key_size, ret);
        if (r < 0) {
                log_debug_errno(r, "Writing the seccomp cache %s/seccomp/%s: %m", seccomp_cache_dir(), name);
                return SECCOMP_CACHE_MISS;
        }
        cache_prune(dfd, prefix);
        return SECCOMP_CACHE_STORED;
}
