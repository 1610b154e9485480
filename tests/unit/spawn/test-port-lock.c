/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port=: a host port is held by one running cell in a network namespace
 * (port-lock.h). A second cell forwarding it is refused, naming its Port=
 * line, the port and the holder; another port or protocol, another network
 * namespace, or the port after the holder let go, is not. */
#include <inttypes.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netfw.h"
#include "port-lock.h"
#include "spawn-locks.h"
#include "spawn.h"
#include "lock-dir-test.h"
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

/* port_locks_acquire() without deleting what the last holders recorded:
 * that would run nft in the host's network namespace. */
static int take(const Plan *p, const char *lock_dir, SharedLocks *l, SpawnError *err) {
        PortStale stale = PORT_STALE_NULL;
        int r = port_locks_take(p, lock_dir, l, &stale, err);

        port_stale_done(&stale);
        return r;
}

TEST(a_port_another_cell_forwards_is_refused) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 } };
        CellPort pb[] = { { IPPROTO_TCP, 8082, 82 }, { IPPROTO_TCP, 8081, 81 } };
        CellOrigin oa[1], ob[2];
        Plan a = plan_of("web-a", pa, 1, oa), b = plan_of("web-b", pb, 2, ob);
        SharedLocks la = SHARED_LOCKS_NULL, lb = SHARED_LOCKS_NULL;
        SpawnError err = {};

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(take(&a, dir, &la, NULL));
        /* The lock of its table's name, then its port's. */
        ASSERT_EQ(la.n, (size_t) 2);
        ASSERT_TRUE(la.locks[0].held && !la.locks[0].port);
        ASSERT_CONTAINS(la.locks[0].path, "/table-");
        ASSERT_TRUE(la.locks[1].held && la.locks[1].port);
        ASSERT_CONTAINS(la.locks[1].path, "-tcp-8081");

        /* b's second Port= is a's: refused at its own line, naming a; and
         * of b's, nothing is held (its first port is free again). */
        ASSERT_ERROR(take(&b, dir, &lb, &err), EADDRINUSE);
        ASSERT_CONTAINS(err.message, "/etc/cell/b.cell:11: Port=tcp:8081:81: tcp port 8081 of the host is "
                                     "forwarded by a running cell already, web-a");
        ASSERT_EQ(lb.n, (size_t) 0);
        ASSERT_OK(take(&(Plan) { .name = (char *) "c", .ports = pb, .n_ports = 1 }, dir, &lb, NULL));
        shared_locks_done(&lb);

        /* a lets go (its supervisor or cell-monitor ended): b gets both. */
        shared_locks_done(&la);
        ASSERT_OK(take(&b, dir, &lb, NULL));
        ASSERT_EQ(lb.n, (size_t) 3);
        shared_locks_done(&lb);
        lock_dir_test_remove(dir);
}

/* tcp and udp are two ports; a cell's locks are added after what the start
 * holds already, which a refusal leaves alone. */
TEST(udp_is_another_port) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 8081 } };
        CellPort pb[] = { { IPPROTO_UDP, 8081, 8081 } };
        CellOrigin oa[1], ob[1];
        Plan a = plan_of("a", pa, 1, oa), b = plan_of("b", pb, 1, ob), c = plan_of("c", pa, 1, oa);
        SharedLocks la = SHARED_LOCKS_NULL, lb = SHARED_LOCKS_NULL;

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(take(&a, dir, &la, NULL));
        ASSERT_OK(take(&b, dir, &lb, NULL));
        ASSERT_EQ(lb.n, (size_t) 2);
        ASSERT_ERROR(take(&c, dir, &lb, NULL), EADDRINUSE);
        ASSERT_EQ(lb.n, (size_t) 2);
        ASSERT_TRUE(lb.locks[0].fd >= 0 && lb.locks[1].fd >= 0);
        shared_locks_done(&la);
        shared_locks_done(&lb);
        lock_dir_test_remove(dir);
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

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        /* The udp port's file as an older cell left it. */
        ASSERT_OK(take(&(Plan) { .name = (char *) "old", .ports = pa + 1, .n_ports = 1 }, dir, &la,
                                     NULL));
        ASSERT_OK(chmod(la.locks[1].path, 0644));
        shared_locks_done(&la);

        ASSERT_OK(take(&a, dir, &la, NULL));
        ASSERT_EQ(la.n, (size_t) 3);
        for (size_t i = 0; i < la.n; i++) {
                ASSERT_OK(stat(la.locks[i].path, &st));
                ASSERT_EQ(st.st_mode & 07777, (mode_t) 0600);
        }
        /* What another user could do with read access: hold it. */
        fd = open(la.locks[1].path, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), -1);
        close(fd);
        shared_locks_done(&la);
        lock_dir_test_remove(dir);
}

/* A cell in another network namespace has its own ports: the rules go
 * into its supervisor's namespace. (Needs a user namespace or root.) */
TEST(another_network_namespace_has_its_own_ports) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 8081 } };
        CellOrigin oa[1];
        Plan a = plan_of("a", pa, 1, oa);
        SharedLocks la = SHARED_LOCKS_NULL;
        pid_t pid;

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(port_locks_acquire(&a, dir, &la, NULL));
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                SharedLocks l = SHARED_LOCKS_NULL;

                /* The fork holds a's fds too: a fresh open conflicts all the
                 * same (a runs: refused at its table's name, before the port). */
                if (port_locks_acquire(&a, dir, &l, NULL) != -EBUSY)
                        _exit(1);
                if (unshare(geteuid() == 0 ? CLONE_NEWNET : CLONE_NEWUSER | CLONE_NEWNET) < 0)
                        _exit(TEST_SKIP);
                _exit(port_locks_acquire(&a, dir, &l, NULL) == 0 ? 0 : 2);
        }
        (void) test_child_ran(pid, "cannot make a network namespace");
        shared_locks_done(&la);
        lock_dir_test_remove(dir);
}

#define BY_NAME NETFW_HANDLE_BY_NAME

/* The text of a lock file: the holder's unit name, its own tables (as
 * "cell __finish" is handed them), its network namespace's cookie (0:
 * none), then earlier holders' tables still to delete; empty lines (what
 * pads a shorter text over a longer one) are nothing. Anything else in a
 * lock file (an older cell's, garbage) records nothing. */
TEST(lock_file_record_round_trip) {
        PortStale left = PORT_STALE_NULL;
        _cleanup_free_ char *text = NULL;
        PortLockRecord rec = {};

        ASSERT_OK(port_stale_add(&left, &(PortTables) { (char *) "cell-old", { 5, BY_NAME } }));
        ASSERT_OK(port_stale_add(&left, &(PortTables) { (char *) "cell-old", { 5, BY_NAME } }));
        ASSERT_OK(port_stale_add(&left, &(PortTables) { (char *) "cell-none", { 0, 0 } }));
        ASSERT_EQ(left.n, (size_t) 1);
        text = port_lock_text("web@1.cell", &(PortTables) { (char *) "cell-web/1", { 17, 0 } }, 4099, &left, NULL);
        ASSERT_STREQ(text, "web@1.cell\n17:0:cell-web/1\n4099\n5:18446744073709551615:cell-old\n");
        ASSERT_OK(port_lock_parse(text, &rec));
        ASSERT_STREQ(rec.own.table, "cell-web/1");
        ASSERT_EQ_U64(rec.own.handles[0], 17);
        ASSERT_EQ_U64(rec.own.handles[1], 0);
        ASSERT_EQ_U64(rec.netns_cookie, 4099);
        ASSERT_EQ(rec.left.n, (size_t) 1);
        ASSERT_STREQ(rec.left.tables[0].table, "cell-old");
        ASSERT_EQ_U64(rec.left.tables[0].handles[1], BY_NAME);
        port_lock_record_done(&rec);
        port_stale_done(&left);

        /* Padded, as written over a longer text (port_lock_write()). */
        ASSERT_OK(port_lock_parse("a\n1:2:cell-a\n0\n\n\n\n", &rec));
        ASSERT_EQ_U64(rec.netns_cookie, 0);
        ASSERT_EQ(rec.left.n, (size_t) 0);
        port_lock_record_done(&rec);
        /* As an older cell wrote it: without a cookie, or without a newline at the end. */
        ASSERT_OK(port_lock_parse("a\n18446744073709551615:3:cell-a", &rec));
        ASSERT_EQ_U64(rec.own.handles[0], UINT64_MAX);
        ASSERT_EQ_U64(rec.own.handles[1], 3);
        ASSERT_EQ_U64(rec.netns_cookie, 0);
        port_lock_record_done(&rec);

        ASSERT_ERROR(port_lock_parse("", &rec), ENODATA);
        ASSERT_ERROR(port_lock_parse("web", &rec), ENODATA);
        ASSERT_ERROR(port_lock_parse("web\n", &rec), ENODATA);
        ASSERT_ERROR(port_lock_parse("web\n\n\n", &rec), ENODATA);
        ASSERT_ERROR(port_lock_parse("web\n17:0\n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n17:0:\n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n017:0:cell-web\n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n18446744073709551616:0:cell-web\n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:web\n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a b\n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a\nx\n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a\n12 \n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a\n-1\n", &rec), EINVAL);
        /* One bad line of earlier holders' makes nothing of the file trusted. */
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a\n7\n3:4:cell-b\n3:4:cell-c;flush ruleset\n", &rec), EINVAL);
        ASSERT_ERROR(port_lock_parse("web\n1:2:cell-a\n7\n4:cell-b\n", &rec), EINVAL);
}

/* So many earlier holders' tables that they do not fit a page: those that
 * do not are dropped (and counted), never a cut line. */
TEST(lock_file_text_fits_a_page) {
        PortStale left = PORT_STALE_NULL;
        _cleanup_free_ char *text = NULL;
        char name[256];
        size_t dropped = 0;

        memcpy(name, "cell-", 5);
        memset(name + 5, 'x', 245);
        name[250] = 0;
        for (uint64_t h = 1; h <= 40; h++)
                ASSERT_OK(port_stale_add(&left, &(PortTables) { name, { h, 0 } }));
        text = port_lock_text("a", &(PortTables) { (char *) "cell-a", { BY_NAME, BY_NAME } }, 1, &left, &dropped);
        ASSERT_NOT_NULL(text);
        ASSERT_TRUE(strlen(text) <= PORT_LOCK_TEXT_MAX);
        ASSERT_TRUE(dropped > 0 && dropped < 40);
        PortLockRecord rec = {};
        ASSERT_OK(port_lock_parse(text, &rec));
        ASSERT_EQ(rec.left.n, (size_t) (40 - dropped));
        port_lock_record_done(&rec);
        port_stale_done(&left);
}

static char *read_lock(const char *path) {
        char *buf = calloc(1, PORT_LOCK_TEXT_MAX + 1);
        FILE *f = fopen(path, "re");

        ASSERT_NOT_NULL(buf);
        ASSERT_NOT_NULL(f);
        (void) !fread(buf, 1, PORT_LOCK_TEXT_MAX, f);
        fclose(f);
        return buf;
}

static char *lock_text(const char *unit, const char *table, uint64_t h0, uint64_t h1, uint64_t cookie,
                       const PortStale *left) {
        char *t = port_lock_text(unit, &(PortTables) { (char *) table, { h0, h1 } }, cookie, left, NULL);

        ASSERT_NOT_NULL(t);
        return t;
}

/* A holds 8081 and 8082: from the take on, each lock file names its table
 * by name (no table of its exists yet), then by the handles nft gave, its
 * name staying first (what a refused cell is told). A killed, B takes the
 * ports and finds A's tables, once for both, and names them in its files
 * after its own, before anything is deleted; C, refused 8081 afterwards, is
 * told B. A refused start still finds the tables of a dead holder of a
 * port it took before the refusal. */
TEST(a_dead_holders_tables_are_found_once) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 }, { IPPROTO_TCP, 8082, 80 } };
        CellPort pc[] = { { IPPROTO_TCP, 8083, 80 }, { IPPROTO_TCP, 8081, 80 } };
        CellOrigin oa[2], oc[2];
        Plan a = plan_of("a", pa, 2, oa), b = plan_of("b", pa, 2, oa), c = plan_of("c", pc, 2, oc);
        SharedLocks la = SHARED_LOCKS_NULL, lb = SHARED_LOCKS_NULL, lc = SHARED_LOCKS_NULL;
        PortStale stale = PORT_STALE_NULL;
        const uint64_t handles[2] = { 5, 6 };
        SpawnError err = {};
        uint64_t cookie = 0;

        if (port_lock_netns_cookie(&cookie) < 0)
                fprintf(stderr, "no network namespace cookie (Linux < 5.14): none recorded\n");
        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 0);
        /* The lock of its table's name, then the ports'. */
        ASSERT_EQ(la.n, (size_t) 3);
        ASSERT_TRUE(!la.locks[0].port && la.locks[1].port && la.locks[2].port);
        for (size_t i = 1; i < 3; i++) {
                _cleanup_free_ char *t = read_lock(la.locks[i].path), *want = NULL;
                want = lock_text("a", "cell-a", BY_NAME, BY_NAME, cookie, NULL);
                ASSERT_STREQ(t, want);
        }
        ASSERT_OK(port_locks_record(&la, "a", "cell-a", handles));
        for (size_t i = 1; i < 3; i++) {
                _cleanup_free_ char *t = read_lock(la.locks[i].path), *want = NULL;
                want = lock_text("a", "cell-a", 5, 6, cookie, NULL);
                ASSERT_STREQ(t, want);
        }
        ASSERT_ERROR(port_locks_take(&c, dir, &lc, &stale, &err), EADDRINUSE);
        ASSERT_CONTAINS(err.message, "forwarded by a running cell already, a (its lock");
        ASSERT_EQ(stale.n, (size_t) 0);
        ASSERT_EQ(lc.n, (size_t) 0);
        shared_locks_done(&lc);
        shared_locks_done(&la);

        ASSERT_OK(port_locks_take(&b, dir, &lb, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 1);
        ASSERT_STREQ(stale.tables[0].table, "cell-a");
        ASSERT_EQ_U64(stale.tables[0].handles[0], 5);
        ASSERT_EQ_U64(stale.tables[0].handles[1], 6);
        {
                /* B killed now, before it deleted A's tables: they are still named. */
                _cleanup_free_ char *t = read_lock(lb.locks[1].path), *want = NULL;
                want = lock_text("b", "cell-b", BY_NAME, BY_NAME, cookie, &stale);
                ASSERT_STREQ(t, want);
        }
        port_stale_done(&stale);
        ASSERT_ERROR(port_locks_take(&c, dir, &lc, &stale, &err), EADDRINUSE);
        ASSERT_CONTAINS(err.message, "forwarded by a running cell already, b (its lock");
        ASSERT_EQ(stale.n, (size_t) 0);
        ASSERT_OK(port_locks_record(&lb, "b", "cell-b", handles));
        {
                /* B's record replaces its own line; A's, not deleted yet, stays. */
                _cleanup_free_ char *t = read_lock(lb.locks[2].path);
                ASSERT_CONTAINS(t, "b\n5:6:cell-b\n");
                ASSERT_CONTAINS(t, "\n5:6:cell-a\n");
        }
        shared_locks_done(&lb);

        /* B killed: A, started again, finds B's tables (and not its own:
         * its own start replaces them). D takes 8083, records its tables
         * and is killed; C takes 8083, then is refused 8081 (A's): D's
         * tables are found all the same. */
        ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 1);
        ASSERT_STREQ(stale.tables[0].table, "cell-b");
        port_stale_done(&stale);
        ASSERT_OK(port_locks_record(&la, "a", "cell-a", (const uint64_t[2]) { 9, 0 }));
        ASSERT_OK(port_locks_take(&(Plan) { .name = (char *) "d", .ports = pc, .n_ports = 1 }, dir, &lc, &stale,
                                  NULL));
        /* C's refused start named its table by name in 8083's file: it
         * had none, and deleting it by name is no harm. */
        ASSERT_EQ(stale.n, (size_t) 1);
        ASSERT_STREQ(stale.tables[0].table, "cell-c");
        ASSERT_EQ_U64(stale.tables[0].handles[0], BY_NAME);
        port_stale_done(&stale);
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
        lock_dir_test_remove(dir);
}

/* A start killed between its tables and their handles' record leaves them
 * recorded by name; a holder killed with tables of earlier holders still
 * to delete leaves those recorded too: the next taker finds all of them. */
TEST(tables_by_name_and_left_ones_are_found) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 } };
        CellOrigin oa[1];
        Plan a = plan_of("a", pa, 1, oa), b = plan_of("b", pa, 1, oa), c = plan_of("c", pa, 1, oa);
        SharedLocks l = SHARED_LOCKS_NULL;
        PortStale stale = PORT_STALE_NULL;

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(port_locks_take(&a, dir, &l, &stale, NULL));
        shared_locks_done(&l);          /* killed before its record */
        ASSERT_OK(port_locks_take(&b, dir, &l, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 1);
        ASSERT_STREQ(stale.tables[0].table, "cell-a");
        ASSERT_EQ_U64(stale.tables[0].handles[0], BY_NAME);
        ASSERT_EQ_U64(stale.tables[0].handles[1], BY_NAME);
        port_stale_done(&stale);
        ASSERT_OK(port_locks_record(&l, "b", "cell-b", (const uint64_t[2]) { 4, 0 }));
        shared_locks_done(&l);          /* killed before A's tables went */
        ASSERT_OK(port_locks_take(&c, dir, &l, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 2);
        ASSERT_STREQ(stale.tables[0].table, "cell-b");
        ASSERT_EQ_U64(stale.tables[0].handles[0], 4);
        ASSERT_STREQ(stale.tables[1].table, "cell-a");
        ASSERT_EQ_U64(stale.tables[1].handles[0], BY_NAME);
        port_stale_done(&stale);
        shared_locks_done(&l);
        /* A again: A's own leftover is not for it to delete (its tables
         * replace it), B's and C's are. */
        ASSERT_OK(port_locks_take(&a, dir, &l, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 2);
        ASSERT_STREQ(stale.tables[0].table, "cell-c");
        ASSERT_STREQ(stale.tables[1].table, "cell-b");
        port_stale_done(&stale);
        shared_locks_done(&l);
        lock_dir_test_remove(dir);
}

/* A table recorded by name is deleted only while no start of its unit
 * holds the lock of its name: a running one of that unit (started again,
 * with other ports) has a table of that very name. By handle, always. */
TEST(by_name_only_while_its_unit_does_not_run) {
        CellPort pq[] = { { IPPROTO_TCP, 8088, 80 } };
        CellOrigin oa[1];
        Plan a = plan_of("a", pq, 1, oa);
        SharedLocks la = SHARED_LOCKS_NULL;
        PortStale stale = PORT_STALE_NULL;
        const PortTables by_name = { (char *) "cell-a", { BY_NAME, 7 } };
        struct stat netns;
        uint64_t h[2];
        int dir_fd, lock_fd;

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(stat("/proc/self/ns/net", &netns));
        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dir_fd >= 0);
        ASSERT_OK(port_stale_claim(dir_fd, netns.st_ino, &by_name, h, &lock_fd));
        ASSERT_EQ_U64(h[0], BY_NAME);
        ASSERT_EQ_U64(h[1], 7);
        ASSERT_TRUE(lock_fd >= 0);
        /* While the claim holds it, a start of A waits for it, but not for
         * ever (a claimant SIGSTOPped): refused after SHARED_LOCK_WAIT_SEC,
         * naming the lock, holding nothing. SIGALRM: the start hangs. */
        {
                SpawnError err = {};
                struct timespec t0, t1;

                ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &t0));
                alarm(SHARED_LOCK_WAIT_SEC * 6);       /* its 1000 tries take longer on a loaded host */
                ASSERT_ERROR(port_locks_take(&a, dir, &la, &stale, &err), EWOULDBLOCK);
                alarm(0);
                ASSERT_OK(clock_gettime(CLOCK_MONOTONIC, &t1));
                ASSERT_TRUE(t1.tv_sec - t0.tv_sec >= (time_t) SHARED_LOCK_WAIT_SEC - 1);
                ASSERT_CONTAINS(err.message, "has been held exclusively for");
                ASSERT_CONTAINS(err.message, "/table-");
                ASSERT_EQ(la.n, (size_t) 0);
                ASSERT_EQ(stale.n, (size_t) 0);
        }
        close(lock_fd);

        /* A runs (with another port): its table is not deleted by name. */
        ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
        ASSERT_OK(port_stale_claim(dir_fd, netns.st_ino, &by_name, h, &lock_fd));
        ASSERT_EQ_U64(h[0], 0);
        ASSERT_EQ_U64(h[1], 7);
        ASSERT_EQ(lock_fd, -EBADF);
        /* Another unit's name is not A's lock. */
        ASSERT_OK(port_stale_claim(dir_fd, netns.st_ino, &(PortTables) { (char *) "cell-b", { BY_NAME, 0 } }, h,
                                   &lock_fd));
        ASSERT_EQ_U64(h[0], BY_NAME);
        ASSERT_TRUE(lock_fd >= 0);
        close(lock_fd);
        /* Nor in another network namespace (another inode). */
        ASSERT_OK(port_stale_claim(dir_fd, netns.st_ino + 1, &by_name, h, &lock_fd));
        ASSERT_EQ_U64(h[0], BY_NAME);
        close(lock_fd);
        shared_locks_done(&la);
        ASSERT_OK(port_stale_claim(dir_fd, netns.st_ino, &by_name, h, &lock_fd));
        ASSERT_EQ_U64(h[0], BY_NAME);
        close(lock_fd);
        close(dir_fd);
        lock_dir_test_remove(dir);
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
        uint64_t cookie;

        if (port_lock_netns_cookie(&cookie) < 0) {
                test_skip("no network namespace cookie (Linux < 5.14)");
                return;
        }
        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
        for (unsigned i = 0; i < 3; i++) {
                uint64_t c = i == 0 ? cookie + 1 : i == 1 ? cookie : 0;
                _cleanup_free_ char *text = lock_text("z", "cell-z", 3, 0, c, NULL);
                int fd = la.locks[1].fd;

                ASSERT_OK(ftruncate(fd, 0));
                ASSERT_EQ(pwrite(fd, text, strlen(text), 0), (ssize_t) strlen(text));
                shared_locks_done(&la);
                ASSERT_OK(port_locks_take(&a, dir, &la, &stale, NULL));
                ASSERT_EQ(stale.n, (size_t) (i == 0 ? 0 : 1));
        }
        ASSERT_STREQ(stale.tables[0].table, "cell-z");
        port_stale_done(&stale);
        shared_locks_done(&la);
        lock_dir_test_remove(dir);
}

/* A start that clones its init again keeps its ports' locks, whose files
 * name the first clone's tables by their handles; those are deleted before
 * the second clone adds its own (other handles). The take-over names the
 * table by name again: killed between the second clone's tables and their
 * record, the next holder of a port still finds them (by name). */
TEST(a_start_cloned_again_names_its_table_by_name_again) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 }, { IPPROTO_TCP, 8082, 80 } };
        CellOrigin oa[2];
        Plan a = plan_of("a", pa, 2, oa), b = plan_of("b", pa, 2, oa);
        SpawnLocks kept = SPAWN_LOCKS_NULL;
        PortStale stale = PORT_STALE_NULL;

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(port_locks_take(&a, dir, &kept.shared, &stale, NULL));
        ASSERT_OK(port_locks_record(&kept.shared, "a", "cell-a", (const uint64_t[2]) { 5, 6 }));
        /* The first clone's tables deleted, its locks kept
         * (spawn_kill_keep_locks()): by name again at once, before the
         * second clone adds its own; killed before their record. */
        spawn_locks_tables_gone(&kept, "a", "cell-a");
        ASSERT_EQ(kept.shared.n, (size_t) 3);
        for (size_t i = 1; i < 3; i++) {
                _cleanup_free_ char *t = read_lock(kept.shared.locks[i].path);
                ASSERT_CONTAINS(t, "a\n18446744073709551615:18446744073709551615:cell-a\n");
        }
        shared_locks_done(&kept.shared);        /* the kill */
        ASSERT_OK(port_locks_take(&b, dir, &kept.shared, &stale, NULL));
        ASSERT_EQ(stale.n, (size_t) 1);
        ASSERT_STREQ(stale.tables[0].table, "cell-a");
        ASSERT_EQ_U64(stale.tables[0].handles[0], BY_NAME);
        ASSERT_EQ_U64(stale.tables[0].handles[1], BY_NAME);
        port_stale_done(&stale);
        shared_locks_done(&kept.shared);
        lock_dir_test_remove(dir);
}

/* A start's own tables at its end, where nft echoed no handle: by name
 * while it still holds its table name's lock (no other start of the unit
 * runs). That lock is known by its flag, set on it alone (not by a path
 * an Image= file could share). */
TEST(own_tables_by_name_while_the_name_is_held) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 } };
        CellOrigin oa[1];
        Plan a = plan_of("a", pa, 1, oa);
        SharedLocks l = SHARED_LOCKS_NULL;
        uint64_t handles[2] = { BY_NAME, BY_NAME };
        int lock_fd = 42;

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(take(&a, dir, &l, NULL));
        ASSERT_OK(port_table_claim_own(&l, "cell-a", handles, &lock_fd));
        ASSERT_EQ(lock_fd, -EBADF);
        ASSERT_EQ_U64(handles[0], BY_NAME);
        ASSERT_EQ_U64(handles[1], BY_NAME);
        for (size_t i = 0; i < l.n; i++)
                ASSERT_EQ(l.locks[i].table, !!startswith(strrchr(l.locks[i].path, '/'), "/table-"));
        shared_locks_done(&l);
        lock_dir_test_remove(dir);
}

/* A second start of a running unit (its Port= edited meanwhile: its ports
 * are free) is refused before any of them is taken: its tables would
 * replace the running one's, of the same name, before systemd refused its
 * scope. In another network namespace (another inode), or once the first
 * ended, it is not. */
TEST(a_second_start_of_a_running_unit_is_refused) {
        CellPort pa[] = { { IPPROTO_TCP, 8081, 80 } }, pe[] = { { IPPROTO_TCP, 8089, 80 } };
        CellOrigin oa[1], oe[1];
        Plan a = plan_of("a", pa, 1, oa), edited = plan_of("a", pe, 1, oe);
        SharedLocks la = SHARED_LOCKS_NULL, le = SHARED_LOCKS_NULL;
        SpawnError err = {};

        lock_dir_test_make(dir, sizeof dir, "test-port-lock");
        ASSERT_OK(take(&a, dir, &la, NULL));
        ASSERT_ERROR(take(&edited, dir, &le, &err), EBUSY);
        ASSERT_CONTAINS(err.message, "cell a is already running in this network namespace");
        ASSERT_CONTAINS(err.message, "nft table cell-a");
        ASSERT_EQ(le.n, (size_t) 0);
        {
                /* Nothing was written into the port's file: still a's. */
                char f[128];
                _cleanup_free_ char *t = NULL;
                struct stat netns;

                ASSERT_OK(stat("/proc/self/ns/net", &netns));
                snprintf(f, sizeof f, "%s/net-%" PRIu64 "-tcp-8089", dir, (uint64_t) netns.st_ino);
                ASSERT_TRUE(access(f, F_OK) < 0);
        }
        shared_locks_done(&la);
        ASSERT_OK(take(&edited, dir, &le, NULL));
        shared_locks_done(&le);
        lock_dir_test_remove(dir);
}
