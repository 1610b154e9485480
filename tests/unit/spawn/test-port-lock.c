/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port=: a host port is held by one running cell in a network namespace
 * (port-lock.h). A second cell forwarding it is refused, naming its Port=
 * line, the port and the holder; another port or protocol, another network
 * namespace, or the port after the holder let go, is not. */
#include <dirent.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "port-lock.h"
#include "test.h"

static char dir[40];

/* NAME's plan forwarding PORTS (N of them), each set on a line of its own
 * of /etc/cell/NAME.cell, from line 10 on. */
static Plan plan_of(const char *name, CellPort *ports, size_t n, CellOrigin *origins) {
        for (size_t i = 0; i < n; i++)
                origins[i] = (CellOrigin) { .key = "Port", .file = (char *) "/etc/cell/b.cell",
                                            .line = 10 + (unsigned) i, .items = i + 1, .lines = 1 };
        return (Plan) { .name = (char *) name, .ports = ports, .n_ports = n, .origins = origins,
                        .n_origins = n };
}

static void make_dir(void) {
        snprintf(dir, sizeof dir, "/tmp/test-port-lock.XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
}

static void remove_dir(void) {
        DIR *d = opendir(dir);
        struct dirent *de;

        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        ASSERT_OK(rmdir(dir));
}

TEST(a_port_another_cell_forwards_is_refused) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 } };
        CellPort pb[] = { { IPPROTO_TCP, 8082, 82 }, { IPPROTO_TCP, 8081, 81 } };
        CellOrigin oa[1], ob[2];
        Plan a = plan_of("web-a", pa, 1, oa), b = plan_of("web-b", pb, 2, ob);
        SharedLocks la = SHARED_LOCKS_NULL, lb = SHARED_LOCKS_NULL;
        SpawnError err = {};

        make_dir();
        ASSERT_OK(port_locks_acquire(&a, dir, &la, NULL));
        ASSERT_EQ(la.n, (size_t) 1);
        ASSERT_TRUE(la.locks[0].held);
        ASSERT_CONTAINS(la.locks[0].path, "-tcp-8081");

        /* b's second Port= is a's: refused at its own line, naming a; and
         * of b's, nothing is held (its first port is free again). */
        ASSERT_ERROR(port_locks_acquire(&b, dir, &lb, &err), EADDRINUSE);
        ASSERT_CONTAINS(err.message, "/etc/cell/b.cell:11: Port=tcp:8081:81: tcp port 8081 of the host is "
                                     "forwarded by a running cell already, web-a");
        ASSERT_EQ(lb.n, (size_t) 0);
        ASSERT_OK(port_locks_acquire(&(Plan) { .name = (char *) "c", .ports = pb, .n_ports = 1 }, dir, &lb, NULL));
        shared_locks_done(&lb);

        /* a lets go (its supervisor or cell-monitor ended): b gets both. */
        shared_locks_done(&la);
        ASSERT_OK(port_locks_acquire(&b, dir, &lb, NULL));
        ASSERT_EQ(lb.n, (size_t) 2);
        shared_locks_done(&lb);
        remove_dir();
}

/* tcp and udp are two ports; a cell's locks are added after what the start
 * holds already, which a refusal leaves alone. */
TEST(udp_is_another_port) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 8081 } };
        CellPort pb[] = { { IPPROTO_UDP, 8081, 8081 } };
        CellOrigin oa[1], ob[1];
        Plan a = plan_of("a", pa, 1, oa), b = plan_of("b", pb, 1, ob);
        SharedLocks la = SHARED_LOCKS_NULL, lb = SHARED_LOCKS_NULL;

        make_dir();
        ASSERT_OK(port_locks_acquire(&a, dir, &la, NULL));
        ASSERT_OK(port_locks_acquire(&b, dir, &lb, NULL));
        ASSERT_EQ(lb.n, (size_t) 1);
        ASSERT_ERROR(port_locks_acquire(&a, dir, &lb, NULL), EADDRINUSE);
        ASSERT_EQ(lb.n, (size_t) 1);
        ASSERT_TRUE(lb.locks[0].fd >= 0);
        shared_locks_done(&la);
        shared_locks_done(&lb);
        remove_dir();
}

/* A cell in another network namespace has its own ports: the rules go
 * into its supervisor's namespace. (Needs a user namespace or root.) */
TEST(another_network_namespace_has_its_own_ports) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 8081 } };
        CellOrigin oa[1];
        Plan a = plan_of("a", pa, 1, oa);
        SharedLocks la = SHARED_LOCKS_NULL;
        int status;
        pid_t pid;

        make_dir();
        ASSERT_OK(port_locks_acquire(&a, dir, &la, NULL));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                SharedLocks l = SHARED_LOCKS_NULL;

                /* The fork holds a's fds too: a fresh open conflicts all the same. */
                if (port_locks_acquire(&a, dir, &l, NULL) != -EADDRINUSE)
                        _exit(1);
                if (unshare(geteuid() == 0 ? CLONE_NEWNET : CLONE_NEWUSER | CLONE_NEWNET) < 0)
                        _exit(77);
                _exit(port_locks_acquire(&a, dir, &l, NULL) == 0 ? 0 : 2);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                fprintf(stderr, "cannot make a network namespace: not tested\n");
        else
                ASSERT_EQ(WEXITSTATUS(status), 0);
        shared_locks_done(&la);
        remove_dir();
}
