/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The compiled-filter cache, in a directory of the test's own
 * ($CELL_CACHE_DIR). */
#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-cache.h"
#include "test.h"

static char top[] = "/tmp/test-seccomp-cache.XXXXXX";
static char dir[sizeof top + 32];      /* top/cache/seccomp */

static PlanSyscallRule rules_a[] = {
        { .name = (char *) "keyctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
        { .name = (char *) "add_key", .action = PLAN_SECCOMP_ERRNO, .error = EPERM },
};
static PlanSyscallRule rules_b[] = {
        { .name = (char *) "keyctl", .action = PLAN_SECCOMP_ERRNO, .error = EACCES },
};

/* A fresh, empty cache directory for each test. */
static void cache_setup(void) {
        char cache[sizeof top + 16], cmd[sizeof cache + 16];
        static bool made = false;

        /* Once: mkdtemp()'s own letters may end in an 'X' as well (1 in 62), so a
         * look at the template's last letter would call it a second time. */
        if (!made) {
                ASSERT_NOT_NULL(mkdtemp(top));
                made = true;
        }
        snprintf(cache, sizeof cache, "%s/cache", top);
        snprintf(dir, sizeof dir, "%s/seccomp", cache);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
        ASSERT_EQ(system(cmd), 0);
        ASSERT_OK(setenv("CELL_CACHE_DIR", cache, 1));
        ASSERT_OK(unsetenv("CELL_SECCOMP_CACHE"));
}

static int get(PlanSyscallRule *rules, size_t n, SeccompProgram *ret) {
        return seccomp_cache_program(PLAN_SECCOMP_ALLOW, 0, rules, n, NULL, 0, true, ret, NULL);
}

/* The names of the .bpf files (and temporary ones) in the cache. */
static size_t list(char names[][256], size_t max) {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        ASSERT_TRUE(n < max);
                        snprintf(names[n++], 256, "%s", de->d_name);
                }
        closedir(d);
        return n;
}

static void path_of(char *buf, size_t size, const char *name) {
        snprintf(buf, size, "%s/%s", dir, name);
}

static bool same_program(const SeccompProgram *a, const SeccompProgram *b) {
        return a->n_insns == b->n_insns && memcmp(a->insns, b->insns, a->n_insns * sizeof *a->insns) == 0;
}

TEST(miss_then_hit) {
        _cleanup_(seccomp_program_done) SeccompProgram compiled = {}, first = {}, second = {};
        char names[4][256], p[512];
        struct stat st;

        cache_setup();
        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules_a, ELEMENTSOF(rules_a), NULL, 0, true, &compiled, NULL));

        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &first), SECCOMP_CACHE_STORED);
        ASSERT_TRUE(same_program(&first, &compiled));
        ASSERT_TRUE(first.no_new_privs);
        ASSERT_OK(stat(dir, &st));
        ASSERT_EQ(st.st_mode & 07777, (mode_t) 0700);
        ASSERT_EQ(list(names, 4), (size_t) 1);
        ASSERT_NOT_NULL(endswith(names[0], ".bpf"));
        path_of(p, sizeof p, names[0]);
        ASSERT_OK(stat(p, &st));
        ASSERT_EQ(st.st_mode & 07777, (mode_t) 0600);

        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &second), SECCOMP_CACHE_HIT);
        ASSERT_TRUE(same_program(&second, &compiled));
        ASSERT_TRUE(second.no_new_privs);
        ASSERT_EQ(list(names, 4), (size_t) 1);
}

/* Another filter is another file, beside the first. */
TEST(each_filter_has_its_file) {
        _cleanup_(seccomp_program_done) SeccompProgram a = {}, b = {}, b2 = {};
        char names[4][256];

        cache_setup();
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &a), SECCOMP_CACHE_STORED);
        ASSERT_EQ(get(rules_b, ELEMENTSOF(rules_b), &b), SECCOMP_CACHE_STORED);
        ASSERT_FALSE(same_program(&a, &b));
        ASSERT_EQ(list(names, 4), (size_t) 2);
        /* Same maker: the same first half of the name. */
        ASSERT_TRUE(strncmp(names[0], names[1], 17) == 0);
        ASSERT_EQ(get(rules_b, ELEMENTSOF(rules_b), &b2), SECCOMP_CACHE_HIT);
        ASSERT_TRUE(same_program(&b, &b2));
}

/* A rule by argument is part of the key: the same rules for another
 * value, or without it, or with a second comparison, or for one ABI alone,
 * are other filters, never the first one's file. */
TEST(argument_rules_are_in_the_key) {
        PlanSyscallRule with_a[] = {
                rules_a[0],
                { .name = (char *) "ioctl", .action = PLAN_SECCOMP_ERRNO, .error = EPERM, .n_args = 1,
                  .args = { { .index = 1, .mask = UINT32_MAX, .value = 0x5412, .name = "A" } } },
        };
        PlanSyscallRule with_b[] = { with_a[0], with_a[1] };
        PlanSyscallRule masked[] = { with_a[0], with_a[1] };
        PlanSyscallRule two[] = { with_a[0], with_a[1] };
        PlanSyscallRule two_gid[] = { with_a[0], with_a[1] };
        PlanSyscallRule without[] = { with_a[0] };
        PlanSyscallRule one_abi[] = { with_a[0], with_a[1] };
        _cleanup_(seccomp_program_done) SeccompProgram a = {}, b = {}, m = {}, t = {}, tg = {}, none = {},
                ab = {}, compiled = {};
        char names[8][256];

        with_b[1].args[0].value = 0x541C;
        masked[1].args[0].mask = 0xff00;        /* SuppressSync='s kind of rule: some bits only */
        /* RestrictSUIDSGID='s kind: and a second argument. */
        two[1].n_args = 2;
        two[1].args[1] = (PlanSyscallArg) { .index = 2, .mask = 04000, .value = 04000, .name = "S_ISUID" };
        two_gid[1] = two[1];
        two_gid[1].args[1].mask = two_gid[1].args[1].value = 02000;    /* the second one alone differs */
        one_abi[1].abi = SCMP_ARCH_X86;                                 /* for one ABI alone */
        cache_setup();
        ASSERT_EQ(get(with_a, ELEMENTSOF(with_a), &a), SECCOMP_CACHE_STORED);
        ASSERT_EQ(get(with_b, ELEMENTSOF(with_b), &b), SECCOMP_CACHE_STORED);
        ASSERT_EQ(get(masked, ELEMENTSOF(masked), &m), SECCOMP_CACHE_STORED);
        ASSERT_EQ(get(two, ELEMENTSOF(two), &t), SECCOMP_CACHE_STORED);
        ASSERT_EQ(get(two_gid, ELEMENTSOF(two_gid), &tg), SECCOMP_CACHE_STORED);
        ASSERT_EQ(get(without, ELEMENTSOF(without), &none), SECCOMP_CACHE_STORED);
        ASSERT_EQ(get(one_abi, ELEMENTSOF(one_abi), &ab), SECCOMP_CACHE_STORED);
        ASSERT_EQ(list(names, 8), (size_t) 7);
        ASSERT_FALSE(same_program(&a, &b));
        ASSERT_FALSE(same_program(&a, &m));
        ASSERT_FALSE(same_program(&a, &t));
        ASSERT_FALSE(same_program(&t, &tg));
        ASSERT_FALSE(same_program(&a, &ab));
        ASSERT_FALSE(same_program(&a, &none));
        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, with_b, ELEMENTSOF(with_b), NULL, 0, true, &compiled, NULL));
        ASSERT_TRUE(same_program(&b, &compiled));
}

/* A hit is what the file holds: filter a's file given filter b's program
 * (as only someone who can write there could) is loaded as it is. */
TEST(a_hit_is_read_from_the_file) {
        _cleanup_(seccomp_program_done) SeccompProgram a = {}, b = {}, got = {};
        char names[4][256], p[512];
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        uint32_t n;

        cache_setup();
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &a), SECCOMP_CACHE_STORED);
        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules_b, ELEMENTSOF(rules_b), NULL, 0, true, &b, NULL));
        ASSERT_EQ(list(names, 4), (size_t) 1);
        path_of(p, sizeof p, names[0]);

        fd = open(p, O_RDWR | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(fstat(fd, &st));
        size_t head = st.st_size - a.n_insns * sizeof *a.insns;       /* header and key */
        buf = malloc(head);
        ASSERT_NOT_NULL(buf);
        ASSERT_EQ(pread(fd, buf, head, 0), (ssize_t) head);
        n = (uint32_t) b.n_insns;
        memcpy(buf + 12, &n, sizeof n);                                 /* the header's n_insns */
        ASSERT_OK(ftruncate(fd, 0));
        ASSERT_EQ(pwrite(fd, buf, head, 0), (ssize_t) head);
        ASSERT_EQ(pwrite(fd, b.insns, b.n_insns * sizeof *b.insns, head), (ssize_t) (b.n_insns * sizeof *b.insns));

        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &got), SECCOMP_CACHE_HIT);
        ASSERT_TRUE(same_program(&got, &b));
}

static void corrupt(const char *p, off_t at) {
        _cleanup_close_ int fd = open(p, O_RDWR | O_CLOEXEC);
        char c;

        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(pread(fd, &c, 1, at), 1);
        c ^= 0x01;
        ASSERT_EQ(pwrite(fd, &c, 1, at), 1);
}

/* What is not exactly what cell would have written, by cell, is compiled
 * anew and written over. */
TEST(a_file_that_does_not_match_is_replaced) {
        _cleanup_(seccomp_program_done) SeccompProgram compiled = {};
        char names[4][256], p[512];
        struct stat st;

        cache_setup();
        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules_a, ELEMENTSOF(rules_a), NULL, 0, true, &compiled, NULL));
        SeccompProgram prog = {};
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);
        ASSERT_EQ(list(names, 4), (size_t) 1);
        path_of(p, sizeof p, names[0]);

        /* A byte of the key: "cell seccomp cache 1" -> "... 0". */
        corrupt(p, 16 + 19);
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        ASSERT_TRUE(same_program(&prog, &compiled));
        seccomp_program_done(&prog);
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_HIT);
        seccomp_program_done(&prog);

        /* The magic. */
        corrupt(p, 0);
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);

        /* Cut short. */
        ASSERT_OK(truncate(p, 40));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);

        /* Writable by the group. */
        ASSERT_OK(chmod(p, 0620));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);
        ASSERT_OK(stat(p, &st));
        ASSERT_EQ(st.st_mode & 07777, (mode_t) 0600);

        /* A symbolic link to a good file. */
        char q[600];
        snprintf(q, sizeof q, "%s/elsewhere", top);
        ASSERT_OK(rename(p, q));
        ASSERT_OK(symlink(q, p));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        ASSERT_TRUE(same_program(&prog, &compiled));
        seccomp_program_done(&prog);
        ASSERT_OK(lstat(p, &st));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_OK(unlink(q));

        /* A FIFO: not waited on. */
        ASSERT_OK(unlink(p));
        ASSERT_OK(mkfifo(p, 0600));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);
        ASSERT_OK(lstat(p, &st));
        ASSERT_TRUE(S_ISREG(st.st_mode));
}

/* A directory someone else can write is not used at all. */
TEST(an_open_directory_is_not_used) {
        _cleanup_(seccomp_program_done) SeccompProgram compiled = {};
        SeccompProgram prog = {};
        char names[4][256];

        cache_setup();
        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules_a, ELEMENTSOF(rules_a), NULL, 0, true, &compiled, NULL));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);
        ASSERT_OK(chmod(dir, 0777));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_MISS);
        ASSERT_TRUE(same_program(&prog, &compiled));
        seccomp_program_done(&prog);
        ASSERT_EQ(get(rules_b, ELEMENTSOF(rules_b), &prog), SECCOMP_CACHE_MISS);
        seccomp_program_done(&prog);
        ASSERT_EQ(list(names, 4), (size_t) 1);
        ASSERT_OK(chmod(dir, 0700));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_HIT);
        seccomp_program_done(&prog);
}

static void touch(const char *name, time_t age) {
        char p[512];
        struct timeval tv[2];
        int fd;

        path_of(p, sizeof p, name);
        fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        safe_close(fd);
        gettimeofday(&tv[0], NULL);
        tv[0].tv_sec -= age;
        tv[1] = tv[0];
        ASSERT_OK(utimes(p, tv));
}

static bool exists(const char *name) {
        char p[512];

        path_of(p, sizeof p, name);
        return access(p, F_OK) == 0;
}

/* Writing one removes the files of another cell, libseccomp or kernel, and
 * temporary files over an hour old. */
TEST(a_write_prunes_what_others_made) {
        SeccompProgram prog = {};
        char names[8][256];

        cache_setup();
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);
        touch("0123456789abcdef-0123456789abcdef.bpf", 0);
        touch(".#old.bpf.1", 2 * 60 * 60);
        touch(".#new.bpf.2", 0);
        touch("README", 0);
        ASSERT_EQ(list(names, 8), (size_t) 5);

        ASSERT_EQ(get(rules_b, ELEMENTSOF(rules_b), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);
        ASSERT_FALSE(exists("0123456789abcdef-0123456789abcdef.bpf"));
        ASSERT_FALSE(exists(".#old.bpf.1"));
        ASSERT_TRUE(exists(".#new.bpf.2"));
        ASSERT_TRUE(exists("README"));
        ASSERT_EQ(list(names, 8), (size_t) 4);         /* a, b, the new temporary file, README */
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_HIT);
        seccomp_program_done(&prog);
}

TEST(turned_off_or_unwritable) {
        _cleanup_(seccomp_program_done) SeccompProgram compiled = {};
        SeccompProgram prog = {};

        cache_setup();
        ASSERT_OK(seccomp_program_compile(PLAN_SECCOMP_ALLOW, 0, rules_a, ELEMENTSOF(rules_a), NULL, 0, true, &compiled, NULL));
        ASSERT_OK(setenv("CELL_SECCOMP_CACHE", "0", 1));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_OFF);
        ASSERT_TRUE(same_program(&prog, &compiled));
        seccomp_program_done(&prog);
        ASSERT_TRUE(access(dir, F_OK) < 0);            /* nothing made */
        ASSERT_OK(unsetenv("CELL_SECCOMP_CACHE"));

        ASSERT_OK(setenv("CELL_CACHE_DIR", "/proc/cell-test-no-such-dir", 1));
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_MISS);
        ASSERT_TRUE(same_program(&prog, &compiled));
        seccomp_program_done(&prog);
}

/* SystemCallArchitectures= is in the key: the same rules for other ABIs are
 * another program, in a file of its own. */
TEST(architectures_are_in_the_key) {
        _cleanup_(seccomp_program_done) SeccompProgram all = {}, native = {}, again = {};
        const uint32_t archs[] = { seccomp_arch_native() };
        char names[4][256];

        cache_setup();
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &all), SECCOMP_CACHE_STORED);
        ASSERT_EQ(seccomp_cache_program(PLAN_SECCOMP_ALLOW, 0, rules_a, ELEMENTSOF(rules_a), archs, 1, true, &native,
                                        NULL), SECCOMP_CACHE_STORED);
        ASSERT_EQ(list(names, 4), (size_t) 2);
        ASSERT_FALSE(same_program(&all, &native));
        ASSERT_EQ(seccomp_cache_program(PLAN_SECCOMP_ALLOW, 0, rules_a, ELEMENTSOF(rules_a), archs, 1, true, &again,
                                        NULL), SECCOMP_CACHE_HIT);
        ASSERT_TRUE(same_program(&native, &again));
}

/* A program read back works as the compiled one: loaded in a child. */
static void hit_child(const SeccompProgram *prog) {
        if (seccomp_program_load(prog, NULL) < 0)
                _exit(10);
        errno = 0;
        if (syscall(SYS_keyctl, 0, -3, 0) >= 0 || errno != EPERM)
                _exit(11);
        if (getpid() <= 0)
                _exit(12);
        _exit(0);
}

TEST(a_program_read_back_loads) {
        SeccompProgram prog = {};
        int status;
        pid_t pid;

        cache_setup();
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_STORED);
        seccomp_program_done(&prog);
        ASSERT_EQ(get(rules_a, ELEMENTSOF(rules_a), &prog), SECCOMP_CACHE_HIT);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                hit_child(&prog);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
        seccomp_program_done(&prog);

        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
        ASSERT_EQ(system(cmd), 0);
}
