/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The filter of a plan made from a unit's isolation keys, loaded in a
 * forked child: what the keys refuse that no rule of a single call shows,
 * MemoryDenyWriteExecute='s READ_IMPLIES_EXEC and io_uring under
 * RestrictSUIDSGID= and RestrictAddressFamilies=. */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "seccomp-filter.h"
#include "strv.h"
#include "child-test.h"
#include "test.h"

/* The plan of c, which has its keys set: a minimal container beside them. */
static void plan_from_config(CellConfig *c, Plan *ret) {
        Diagnostics d = {};

        c->name = strdup("restrict");
        c->path = strdup("restrict.cell");
        c->directory = strdup("/var/lib/cell/test");
        ASSERT_NOT_NULL(c->name);
        ASSERT_NOT_NULL(c->path);
        ASSERT_NOT_NULL(c->directory);
        ASSERT_OK(strv_extend(&c->exec, "/bin/true"));
        ASSERT_OK(plan_build(c, NULL, ret, &d));
        diag_done(&d);
}

static void plan_filter_load(const Plan *p) {
        if (seccomp_filter_load(p->seccomp_default_action, p->seccomp_default_error, p->syscalls, p->n_syscalls,
                                p->syscall_archs, p->n_syscall_archs, true, NULL) < 0)
                _exit(10);
}

static Plan restrict_plan;

/* MemoryDenyWriteExecute=: personality(READ_IMPLIES_EXEC) would have the
 * kernel make every readable mapping executable, a writable one too. */
static void read_implies_exec_child(void) {
        char line[512], start[32];
        bool executable = false;
        FILE *f;
        void *m;

        plan_filter_load(&restrict_plan);
        if (syscall(SYS_personality, PER_LINUX | READ_IMPLIES_EXEC) >= 0 || errno != EPERM)
                _exit(11);
        m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
                _exit(12);
        snprintf(start, sizeof start, "%lx-", (unsigned long) (uintptr_t) m);
        f = fopen("/proc/self/maps", "re");
        if (!f)
                _exit(13);
        while (fgets(line, sizeof line, f))
                if (startswith(line, start))
                        executable = strchr(line, ' ') && strchr(line, ' ')[3] == 'x';
        _exit(executable ? 14 : 0);
}

TEST(memory_deny_write_execute_read_implies_exec) {
        CellConfig c;
        int status;

        cell_config_init(&c);
        c.memory_deny_write_execute = true;
        plan_from_config(&c, &restrict_plan);
        status = in_child(read_implies_exec_child);
        plan_done(&restrict_plan);
        cell_config_done(&c);
        if (!EXITED_OK(status))
                TEST_FAIL("child exited with %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* --- io_uring, whose queue runs operations in the kernel past the filter:
 * IORING_OP_OPENAT creating a file with the set-user-ID bit, and
 * IORING_OP_SOCKET of a family not allowed. Under RestrictSUIDSGID= and
 * RestrictAddressFamilies= the plan's rules refuse the ring itself. */

/* One operation through a ring of its own: its result, or -errno of the
 * calls that set the ring up. */
static int uring_one(const struct io_uring_sqe *op) {
        struct io_uring_params params = {};
        struct io_uring_sqe *sqes;
        struct io_uring_cqe *cqes;
        unsigned *tail, *array;
        size_t sq_size, cq_size;
        char *sq, *cq;
        int fd;

        fd = (int) syscall(__NR_io_uring_setup, 1, &params);
        if (fd < 0)
                return -errno;
        sq_size = params.sq_off.array + params.sq_entries * sizeof(unsigned);
        cq_size = params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
        if (params.features & IORING_FEAT_SINGLE_MMAP)
                sq_size = cq_size = MAX(sq_size, cq_size);
        sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
        cq = params.features & IORING_FEAT_SINGLE_MMAP ? sq :
                mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
        sqes = mmap(NULL, sizeof *sqes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
        if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
                return -ENOMEM;
        tail = (unsigned *) (sq + params.sq_off.tail);
        array = (unsigned *) (sq + params.sq_off.array);
        sqes[0] = *op;
        array[0] = 0;
        __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
        if (syscall(__NR_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
                return -errno;
        cqes = (struct io_uring_cqe *) (cq + params.cq_off.cqes);
        return cqes[0].res;
}

static char uring_dir[] = "/tmp/test-seccomp-uring.XXXXXX";

static void uring_child(void) {
        _cleanup_free_ char *path = NULL;
        struct io_uring_sqe open_suid = { .opcode = IORING_OP_OPENAT, .fd = AT_FDCWD, .len = 04755,
                                          .open_flags = O_CREAT | O_WRONLY | O_CLOEXEC },
                            netlink = { .opcode = IORING_OP_SOCKET, .fd = AF_NETLINK, .off = SOCK_RAW };

        if (asprintf(&path, "%s/suid", uring_dir) < 0)
                _exit(9);
        open_suid.addr = (uint64_t) (uintptr_t) path;
        plan_filter_load(&restrict_plan);
        if (uring_one(&open_suid) != -ENOSYS)
                _exit(11);
        if (uring_one(&netlink) != -ENOSYS)
                _exit(12);
        _exit(0);
}

static void uring_nop_child(void) {
        _exit(uring_one(&(const struct io_uring_sqe) { .opcode = IORING_OP_NOP }) == 0 ? 0 : 1);
}

TEST(io_uring) {
        CellConfig c;
        int status, dfd;

        if (!EXITED_OK(in_child(uring_nop_child))) {
                test_skip("no io_uring here (kernel.io_uring_disabled?)");
                return;
        }
        cell_config_init(&c);
        c.restrict_suid_sgid = true;
        c.address_families_set = c.address_families_allow_list = true;
        c.address_families = UINT64_C(1) << AF_UNIX;
        plan_from_config(&c, &restrict_plan);

        ASSERT_NOT_NULL(mkdtemp(uring_dir));
        status = in_child(uring_child);
        dfd = open(uring_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        /* Nothing made, set-user-ID or not. */
        bool made = unlinkat(dfd, "suid", 0) >= 0;
        close(dfd);
        ASSERT_EQ(rmdir(uring_dir), 0);
        plan_done(&restrict_plan);
        cell_config_done(&c);
        ASSERT_FALSE(made);
        if (!EXITED_OK(status))
                TEST_FAIL("child exited with %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
