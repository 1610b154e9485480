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
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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

/* Only root opens a port's lock file: flock() needs no more than a
 * read-only fd, so a user who could read it could hold the port for ever
 * ("forwarded by a running cell already") while no cell forwards it. A
 * file an earlier cell made 0644 (it stays after its holder) loses its
 * group's and others' access at the next take. */
TEST(a_port_lock_file_is_roots_only) {
        CellPort pa[] = { { IPPROTO_TCP, 8083, 83 }, { IPPROTO_UDP, 8083, 83 } };
        CellOrigin oa[2];
        Plan a = plan_of("web-a", pa, 2, oa);
        SharedLocks la = SHARED_LOCKS_NULL;
        struct stat st;
        int fd;

        make_dir();
        /* The udp port's file as an older cell left it. */
        ASSERT_OK(port_locks_acquire(&(Plan) { .name = (char *) "old", .ports = pa + 1, .n_ports = 1 }, dir, &la,
                                     NULL));
        ASSERT_OK(chmod(la.locks[0].path, 0644));
        shared_locks_done(&la);

        ASSERT_OK(port_locks_acquire(&a, dir, &la, NULL));
        ASSERT_EQ(la.n, (size_t) 2);
        for (size_t i = 0; i < la.n; i++) {
                ASSERT_OK(stat(la.locks[i].path, &st));
                ASSERT_EQ(st.st_mode & 07777, (mode_t) 0600);
        }
        /* What another user could do with read access: hold it. */
        fd = open(la.locks[0].path, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), -1);
        close(fd);
        shared_locks_done(&la);
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

/* The record of a holder's tables: its unit name first, then the handles
 * and the table, as "cell __finish" is handed them; anything else in a
 * lock file (an older cell's, a holder killed before its tables existed,
 * garbage) records nothing. */
TEST(lock_file_record_round_trip) {
        const uint64_t handles[2] = { 17, 0 };
        _cleanup_free_ char *text = NULL;
        PortTables t = {};

        text = port_lock_text("web@1.cell", "cell-web/1", handles, 4099);
        ASSERT_STREQ(text, "web@1.cell\n17:0:cell-web/1\n4099\n");
        ASSERT_OK(port_lock_parse(text, &t));
        ASSERT_STREQ(t.table, "cell-web/1");
        ASSERT_EQ_U64(t.handles[0], 17);
        ASSERT_EQ_U64(t.handles[1], 0);
        ASSERT_EQ_U64(t.netns_cookie, 4099);
        free(t.table);
        text = mfree(text);
        /* A kernel without network namespace cookies: none recorded. */
        text = port_lock_text("web", "cell-web", handles, 0);
        ASSERT_STREQ(text, "web\n17:0:cell-web\n");
        ASSERT_OK(port_lock_parse(text, &t));
        ASSERT_EQ_U64(t.netns_cookie, 0);
        free(t.table);
        ASSERT_OK(port_lock_parse("a\n18446744073709551615:3:cell-a", &t));
        ASSERT_EQ_U64(t.handles[0], UINT64_MAX);
        ASSERT_EQ_U64(t.handles[1], 3);
        free(t.table);

        ASSERT_ERROR(port_lock_parse("", &t), ENODATA);
        ASSERT_ERROR(port_lock_parse("web", &t), ENODATA);
        ASSERT_ERROR(port_lock_parse("web\n", &t), ENODATA);
        ASSERT_ERROR(port_lock_parse("web\n17:0\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n17:0:\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n:0:cell-web\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n-1:0:cell-web\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n017:0:cell-web\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n18446744073709551616:0:cell-web\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:web\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a b\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a:b\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a\n0\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a\nx\n", &t), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a\n12 \n", &t), EINVAL);
}

static char *read_lock(const char *path) {
        char *buf = calloc(1, 1024);
        FILE *f = fopen(path, "re");

        ASSERT_NOT_NULL(buf);
        ASSERT_NOT_NULL(f);
        (void) !fread(buf, 1, 1023, f);
        fclose(f);
        return buf;
}

/* A holds 8081 and 8082 and records its tables in both lock files, its
 * name staying first (what a refused cell is told). A killed, B takes the
 * ports and finds A's tables, once for both; C, refused 8081 afterwards,
 * is told B. A refused start still finds the tables of a dead holder of a
 * port it took before the refusal. */
TEST(a_dead_holders_tables_are_found_once) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 }, { IPPROTO_TCP, 8082, 80 } };
        CellPort pc[] = { { IPPROTO_TCP, 8083, 80 }, { IPPROTO_TCP, 8081, 80 } };
        CellOrigin oa[2], oc[2];
        Plan a = plan_of("a", pa, 2, oa), b = plan_of("b", pa, 2, oa), c = plan_of("c", pc, 2, oc);
        SharedLocks la = SHARED_LOCKS_NULL, lb = SHARED_LOCKS_NULL, lc = SHARED_LOCKS_NULL;
        PortStale stale = PORT_STALE_NULL;
        const uint64_t handles[2] = { 5, 6 };
        _cleanup_free_ char *want = NULL;
        SpawnError err = {};
        uint64_t cookie = 0;

        make_dir();
        ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 0);
        ASSERT_TRUE(la.locks[0].port && la.locks[1].port);
        ASSERT_OK(port_locks_record(&la, "a", "cell-a", handles));
        if (port_lock_netns_cookie(&cookie) < 0)
                fprintf(stderr, "no network namespace cookie (Linux < 5.14): none recorded\n");
        want = port_lock_text("a", "cell-a", handles, cookie);
        for (size_t i = 0; i < 2; i++) {
                _cleanup_free_ char *t = read_lock(la.locks[i].path);
                ASSERT_STREQ(t, want);
        }
        ASSERT_ERROR(port_locks_take(&c, dir, &lc, &stale, &err), EADDRINUSE);
        ASSERT_CONTAINS(err.message, "forwarded by a running cell already, a (its lock");
        ASSERT_EQ(stale.n, (size_t) 0);
        shared_locks_done(&lc);
        shared_locks_done(&la);

        ASSERT_OK(port_locks_take(&b, dir, &lb, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 1);
        ASSERT_STREQ(stale.tables[0].table, "cell-a");
        ASSERT_EQ_U64(stale.tables[0].handles[0], 5);
        ASSERT_EQ_U64(stale.tables[0].handles[1], 6);
        port_stale_done(&stale);
        {
                _cleanup_free_ char *t = read_lock(lb.locks[0].path);
                ASSERT_STREQ(t, "b");
        }
        ASSERT_ERROR(port_locks_take(&c, dir, &lc, &stale, &err), EADDRINUSE);
        ASSERT_CONTAINS(err.message, "forwarded by a running cell already, b (its lock");
        ASSERT_EQ(stale.n, (size_t) 0);
        ASSERT_OK(port_locks_record(&lb, "b", "cell-b", handles));
        shared_locks_done(&lb);

        /* B killed: A, started again, finds B's tables. D takes 8083,
         * records its tables and is killed; C takes 8083, then is refused
         * 8081 (A's): D's tables are found all the same. */
        ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 1);
        ASSERT_STREQ(stale.tables[0].table, "cell-b");
        port_stale_done(&stale);
        ASSERT_OK(port_locks_record(&la, "a", "cell-a", (const uint64_t[2]) { 9, 0 }));
        ASSERT_OK(port_locks_take(&(Plan) { .name = (char *) "d", .ports = pc, .n_ports = 1 }, dir, &lc, &stale,
                                  NULL));
        ASSERT_OK(port_locks_record(&lc, "d", "cell-d", (const uint64_t[2]) { 11, 0 }));
        shared_locks_done(&lc);
        ASSERT_ERROR(port_locks_take(&c, dir, &lc, &stale, &err), EADDRINUSE);
        ASSERT_EQ(lc.n, (size_t) 0);
        ASSERT_EQ(stale.n, (size_t) 1);
        ASSERT_STREQ(stale.tables[0].table, "cell-d");
        ASSERT_EQ_U64(stale.tables[0].handles[0], 11);
        port_stale_done(&stale);
        shared_locks_done(&lc);
        shared_locks_done(&la);
        remove_dir();
}

/* A record of another network namespace, which had ours' inode (a dead
 * one's number, given again), names no table here: its handles may be of
 * another cell's tables in ours. One without a cookie (Linux < 5.14) is
 * trusted, as the lock is. */
TEST(a_record_of_another_network_namespace_is_left) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 } };
        CellOrigin oa[1];
        Plan a = plan_of("a", pa, 1, oa);
        SharedLocks la = SHARED_LOCKS_NULL;
        PortStale stale = PORT_STALE_NULL;
        const uint64_t handles[2] = { 3, 0 };
        uint64_t cookie;

        if (port_lock_netns_cookie(&cookie) < 0) {
                fprintf(stderr, "no network namespace cookie (Linux < 5.14): not tested\n");
                return;
        }
        make_dir();
        ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
        for (unsigned i = 0; i < 2; i++) {
                _cleanup_free_ char *text = port_lock_text("z", "cell-z", handles, i == 0 ? cookie + 1 : cookie);
                ASSERT_OK(ftruncate(la.locks[0].fd, 0));
                ASSERT_EQ(pwrite(la.locks[0].fd, text, strlen(text), 0), (ssize_t) strlen(text));
                shared_locks_done(&la);
                ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
                ASSERT_EQ(stale.n, (size_t) i);
        }
        ASSERT_STREQ(stale.tables[0].table, "cell-z");
        port_stale_done(&stale);
        shared_locks_done(&la);
        remove_dir();
}
