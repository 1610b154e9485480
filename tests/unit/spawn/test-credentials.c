/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credentials_read(): what the start reads for LoadCredential= and
 * SetCredential=, and its messages, on files of a temporary directory. */
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credentials.h"
#include "mount-credentials.h"
#include "test.h"

static char dir[] = "/tmp/test-credentials-XXXXXX";

/* Set: the next check of a directory's entry of that name (credentials.c's
 * fstatat()) sees the regular file, which is then swapped for a symlink to
 * swap_target, as whoever may write that directory could do meanwhile. */
static const char *swap_name, *swap_target;
/* Set: the entry of that name is renamed away (to ".gone-NAME", which the
 * listing taken already does not hold) at its check, before it (the check
 * finds nothing) or after it (the open finds nothing), as a file rotated
 * away meanwhile. */
static const char *vanish_name;
static bool vanish_before;

static void vanish(int fd, const char *path) {
        char gone[NAME_MAX + 8];

        (void) snprintf(gone, sizeof gone, ".gone-%s", path);
        ASSERT_EQ(renameat(fd, path, fd, gone), 0);
        vanish_name = NULL;
}

int fstatat(int fd, const char *path, struct stat *st, int flags) {
        int r;

        if (vanish_name && vanish_before && streq(path, vanish_name))
                vanish(fd, path);
        r = (int) syscall(SYS_newfstatat, fd, path, st, flags);
        if (r >= 0 && vanish_name && streq(path, vanish_name))
                vanish(fd, path);
        if (r >= 0 && swap_name && streq(path, swap_name)) {
                ASSERT_EQ(unlinkat(fd, path, 0), 0);
                ASSERT_EQ(symlinkat(swap_target, fd, path), 0);
                swap_name = NULL;
        }
        return r;
}

static void put(const char *name, const char *data, size_t size) {
        _cleanup_free_ char *path = NULL;
        FILE *f;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fwrite(data, 1, size, f), size);
        ASSERT_EQ(fclose(f), 0);
}

static char *at(const char *name) {
        char *path;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        return path;
}

/* One entry of the plan, as plan_build_credentials() makes them. */
static void add(Plan *p, const char *id, const char *source, const char *value, size_t size) {
        PlanCredential *n = realloc(p->credentials, sizeof *n * (p->n_credentials + 1));

        ASSERT_NOT_NULL(n);
        p->credentials = n;
        n += p->n_credentials++;
        *n = (PlanCredential) { .id = strdup(id), .file = strdup("u.cell"), .line = 4 + (unsigned) p->n_credentials };
        if (source)
                n->source = strdup(source);
        if (value) {
                n->value = malloc(size + 1);
                memcpy(n->value, value, size + 1);
                n->size = size;
                n->has_value = true;
        }
}

static const PlanCredentialData *find(const Plan *p, const char *id) {
        for (size_t i = 0; i < p->n_credential_data; i++)
                if (streq(p->credential_data[i].id, id))
                        return p->credential_data + i;
        return NULL;
}

static void expect(const Plan *p, size_t i, const char *id, const char *data, size_t size) {
        ASSERT_TRUE(i < p->n_credential_data);
        ASSERT_STREQ(p->credential_data[i].id, id);
        ASSERT_EQ(p->credential_data[i].size, size);
        ASSERT_TRUE(memcmp(p->credential_data[i].data, data, size) == 0);
}

/* The stores of the test's own, never the host's /etc/credstore. */
static char *stores[3];

static int rd(Plan *p, const char *caller, SpawnError *err) {
        return credentials_read(p, &(const CredentialSources) {
                                        .caller_dir = caller, .store_dirs = (const char *const *) stores,
                                        .socket_timeout_usec = 5 * USEC_PER_SEC,
                                }, err);
}

static void plan_reset(Plan *p) {
        plan_done(p);
        *p = (Plan) {};
}

TEST(read) {
        _cleanup_free_ char *caller = NULL, *d = NULL, *file = NULL, *missing = NULL;
        Plan p = {};
        SpawnError err = {};

        ASSERT_NOT_NULL(mkdtemp(dir));
        stores[0] = at("store1");       /* missing: skipped */
        stores[1] = at("store2");
        ASSERT_EQ(mkdir(stores[1], 0700), 0);
        caller = at("caller");
        d = at("d");
        ASSERT_EQ(mkdir(caller, 0700), 0);
        ASSERT_EQ(mkdir(d, 0700), 0);
        ASSERT_TRUE(asprintf(&file, "%s/d/sub", dir) > 0);
        ASSERT_EQ(mkdir(file, 0700), 0);
        file = mfree(file);
        put("caller/tls.key", "k\0y", 3);
        put("d/b", "B", 1);
        put("d/a", "A", 1);
        put("d/sub/c", "C", 1);
        put("d/x_a", "dup", 3);
        put("d/.pw.swp", "S", 1);                      /* dot files: skipped, as systemd */
        ASSERT_TRUE(asprintf(&file, "%s/d/.git", dir) > 0);
        ASSERT_EQ(mkdir(file, 0700), 0);
        file = mfree(file);
        put("d/.git/config", "G", 1);
        put("file", "F", 1);
        file = at("file");
        missing = at("missing");
        _cleanup_free_ char *link = at("d/link");
        ASSERT_EQ(symlink(file, link), 0);

        add(&p, "tls.key", "tls.key", NULL, 0);
        add(&p, "x", d, NULL, 0);
        add(&p, "f", file, "ignored", 7);               /* the load wins */
        add(&p, "fb", missing, "fall\0back", 9);        /* SetCredential= stands in */
        add(&p, "only", NULL, "v", 1);
        add(&p, "x_b", NULL, "set", 3);                 /* the directory's came first */
        ASSERT_OK(rd(&p, caller, &err));
        ASSERT_EQ(p.n_credential_data, 8);
        expect(&p, 0, "tls.key", "k\0y", 3);
        /* Sorted, "_" for "/", the symlink skipped; x_a before the file x_a's own name. */
        expect(&p, 1, "x_a", "A", 1);
        expect(&p, 2, "x_b", "B", 1);
        expect(&p, 3, "x_sub_c", "C", 1);
        expect(&p, 4, "x_x_a", "dup", 3);
        expect(&p, 5, "f", "F", 1);
        expect(&p, 6, "fb", "fall\0back", 9);
        expect(&p, 7, "only", "v", 1);
        ASSERT_NULL(find(&p, "x_link"));
        ASSERT_NULL(find(&p, "x_.pw.swp"));
        ASSERT_NULL(find(&p, "x_.git_config"));
        /* Each held at its size, not at the most a credential may be. */
        for (size_t i = 0; i < p.n_credential_data; i++)
                ASSERT_TRUE(malloc_usable_size(p.credential_data[i].data) < 4096);
        plan_credential_data_erase(&p);
        ASSERT_EQ(p.n_credential_data, 0);
        plan_reset(&p);

        /* Errors name the key's line and source, never a byte of the data. */
        add(&p, "nosuch", "nosuch", NULL, 0);
        ASSERT_ERROR(rd(&p, caller, &err), ENOENT);
        ASSERT_CONTAINS(err.message,
                        "u.cell:5: LoadCredential=nosuch: no credential nosuch in $CREDENTIALS_DIRECTORY (");
        ASSERT_ERROR(rd(&p, NULL, &err), ENXIO);
        ASSERT_CONTAINS(err.message, "u.cell:5: LoadCredential=nosuch: $CREDENTIALS_DIRECTORY is not set");
        ASSERT_ERROR(rd(&p, "relative/dir", &err), ENXIO);
        /* Set, but not absolute: said so, not "not set". */
        ASSERT_CONTAINS(err.message, "u.cell:5: LoadCredential=nosuch: $CREDENTIALS_DIRECTORY (\"relative/dir\") is "
                        "not an absolute path and is ignored");
        ASSERT_EQ(p.n_credential_data, 0);
        plan_reset(&p);

        add(&p, "m", missing, NULL, 0);
        ASSERT_ERROR(rd(&p, caller, &err), ENOENT);
        ASSERT_CONTAINS(err.message, "u.cell:5: LoadCredential=m:/tmp/test-credentials-");
        plan_reset(&p);

        /* One credential: at most 1 MiB. */
        char *big = calloc(1, CELL_CREDENTIAL_SIZE_MAX + 1);
        ASSERT_NOT_NULL(big);
        put("big", big, CELL_CREDENTIAL_SIZE_MAX + 1);
        put("max", big, CELL_CREDENTIAL_SIZE_MAX - 3);
        _cleanup_free_ char *bigpath = at("big"), *maxpath = at("max");
        add(&p, "big", bigpath, NULL, 0);
        ASSERT_ERROR(rd(&p, caller, &err), EFBIG);
        ASSERT_CONTAINS(err.message, "larger than 1048576 bytes");
        plan_reset(&p);
        /* All of them, with their IDs: at most 1 MiB too. */
        add(&p, "max", maxpath, NULL, 0);      /* 3 + 1048573: exactly the limit */
        ASSERT_OK(rd(&p, caller, &err));
        ASSERT_EQ(p.n_credential_data, 1);
        add(&p, "o", NULL, "", 0);
        ASSERT_ERROR(rd(&p, caller, &err), E2BIG);
        /* Without strerror(E2BIG)'s "Argument list too long": what is needed and what is left. */
        ASSERT_STREQ(err.message, "u.cell:6: SetCredential=o: o: all credentials together may hold at most 1048576 "
                     "bytes (IDs included), as systemd's: it needs 1 with its ID, and the ones before it left 0");
        ASSERT_TRUE(err.complete);
        ASSERT_EQ(p.n_credential_data, 0);
        plan_reset(&p);
        free(big);

        /* A FIFO is refused, without waiting for a writer. */
        _cleanup_free_ char *fifo = at("fifo");
        ASSERT_EQ(mkfifo(fifo, 0600), 0);
        add(&p, "fifo", fifo, NULL, 0);
        ASSERT_ERROR(rd(&p, caller, &err), EBADFD);
        ASSERT_CONTAINS(err.message, "not a regular file");
        plan_reset(&p);

        /* A regular file when it is checked, a link to a secret of the host
         * when it is opened: skipped as a link, never read. */
        _cleanup_free_ char *secret = at("secret"), *race = at("race");
        put("secret", "S", 1);
        ASSERT_EQ(mkdir(race, 0700), 0);
        put("race/a", "A", 1);
        put("race/key", "K", 1);
        swap_name = "key";
        swap_target = secret;
        add(&p, "r", race, NULL, 0);
        ASSERT_OK(rd(&p, caller, &err));
        ASSERT_NULL(swap_name);         /* the swap happened */
        ASSERT_EQ(p.n_credential_data, 1);
        expect(&p, 0, "r_a", "A", 1);
        ASSERT_NULL(find(&p, "r_key"));
        plan_reset(&p);

        _cleanup_free_ char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* A directory's entry that vanishes between the listing and its read (a
 * file rotated away meanwhile) is skipped, as systemd 252's
 * load_credential() skips it ("OK if a file vanishes here in the time we
 * enumerate it") and its recurse_dir() a subdirectory that did: the start
 * goes on with the rest (it failed, naming the file). */
TEST(vanished_entry_skipped) {
        _cleanup_free_ char *d = NULL, *sub = NULL, *cmd = NULL;
        Plan p = {};
        SpawnError err = {};

        strcpy(dir, "/tmp/test-credentials-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
        d = at("v");
        sub = at("v/sub");
        ASSERT_EQ(mkdir(d, 0700), 0);
        ASSERT_EQ(mkdir(sub, 0700), 0);
        put("v/a", "A", 1);
        put("v/b", "B", 1);
        put("v/c", "C", 1);
        put("v/sub/s", "S", 1);
        add(&p, "v", d, NULL, 0);

        /* Gone after its check: the open finds nothing. */
        vanish_name = "b";
        vanish_before = false;
        ASSERT_OK(rd(&p, NULL, &err));
        ASSERT_NULL(vanish_name);       /* it vanished */
        ASSERT_EQ(p.n_credential_data, 3);
        expect(&p, 0, "v_a", "A", 1);
        expect(&p, 1, "v_c", "C", 1);
        expect(&p, 2, "v_sub_s", "S", 1);

        /* Gone before its check: the check finds nothing. */
        vanish_name = "c";
        vanish_before = true;
        ASSERT_OK(rd(&p, NULL, &err));
        ASSERT_NULL(vanish_name);
        ASSERT_EQ(p.n_credential_data, 2);
        expect(&p, 0, "v_a", "A", 1);
        expect(&p, 1, "v_sub_s", "S", 1);

        /* A subdirectory gone after its check: its open finds nothing. */
        vanish_name = "sub";
        vanish_before = false;
        ASSERT_OK(rd(&p, NULL, &err));
        ASSERT_NULL(vanish_name);
        ASSERT_EQ(p.n_credential_data, 1);
        expect(&p, 0, "v_a", "A", 1);
        plan_reset(&p);

        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* What credentials_read() says on stderr (its notices) while it reads. */
static int rd_said(Plan *p, SpawnError *err, char *said, size_t size) {
        TestStderr c = test_stderr_capture();
        int r;

        r = rd(p, NULL, err);
        test_stderr_release(c, said, size);
        return r;
}

/* One ID given twice at start, as systemd 252 does it (checked with its
 * systemd-run): an ID's own LoadCredential= wins over a directory's file of
 * that name, whichever line comes first; of two directories' files the
 * first stays (systemd: its hashmap's order); an own line whose source is
 * missing leaves the directory's. Each said with a notice naming the ID:
 * one of two secrets is dropped (it was dropped without a word). */
TEST(duplicate_ids) {
        _cleanup_free_ char *d = NULL, *d2 = NULL, *sub = NULL, *file = NULL, *missing = NULL;
        char said[4096];
        Plan p = {};
        SpawnError err = {};

        strcpy(dir, "/tmp/test-credentials-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
        /* No stores: every source here is absolute. */
        stores[0] = mfree(stores[0]);
        stores[1] = mfree(stores[1]);
        d = at("d");
        d2 = at("d2");
        sub = at("d/a");
        file = at("file");
        missing = at("missing");
        ASSERT_EQ(mkdir(d, 0700), 0);
        ASSERT_EQ(mkdir(d2, 0700), 0);
        ASSERT_EQ(mkdir(sub, 0700), 0);
        put("d/a/b", "DIR", 3);
        put("d/c", "C", 1);
        put("d2/b", "DIR2", 4);
        put("file", "FILE", 4);

        /* The directory first: its x_a_b replaced, in its place. */
        add(&p, "x", d, NULL, 0);
        add(&p, "x_a_b", file, NULL, 0);
        ASSERT_OK(rd_said(&p, &err, said, sizeof said));
        ASSERT_EQ(p.n_credential_data, 2);
        expect(&p, 0, "x_a_b", "FILE", 4);
        expect(&p, 1, "x_c", "C", 1);
        ASSERT_CONTAINS(said, "u.cell:6: LoadCredential=x_a_b:");
        ASSERT_CONTAINS(said, "/file: the credential x_a_b comes from /tmp/test-credentials-");
        ASSERT_CONTAINS(said, "/d/a/b: a directory's file of that name gives way");
        plan_reset(&p);

        /* The ID's own line first: the directory's file is not read. */
        add(&p, "x_a_b", file, NULL, 0);
        add(&p, "x", d, NULL, 0);
        ASSERT_OK(rd_said(&p, &err, said, sizeof said));
        ASSERT_EQ(p.n_credential_data, 2);
        expect(&p, 0, "x_a_b", "FILE", 4);
        expect(&p, 1, "x_c", "C", 1);
        ASSERT_CONTAINS(said, "u.cell:6: LoadCredential=x:");
        ASSERT_CONTAINS(said, "/d/a/b is not read: the credential x_a_b comes from ");
        plan_reset(&p);

        /* Two directories: the first stays. */
        add(&p, "x", d, NULL, 0);
        add(&p, "x_a", d2, NULL, 0);
        ASSERT_OK(rd_said(&p, &err, said, sizeof said));
        ASSERT_EQ(p.n_credential_data, 2);
        expect(&p, 0, "x_a_b", "DIR", 3);
        expect(&p, 1, "x_c", "C", 1);
        ASSERT_CONTAINS(said, "u.cell:6: LoadCredential=x_a:");
        ASSERT_CONTAINS(said, "/d2/b is not read: the credential x_a_b comes from ");
        plan_reset(&p);

        /* The own line's source missing, SetCredential= its fallback: the
         * directory's stays (SetCredential= fills only what is missing). */
        add(&p, "x_c", missing, "SET", 3);
        add(&p, "x", d, NULL, 0);
        ASSERT_OK(rd_said(&p, &err, said, sizeof said));
        ASSERT_EQ(p.n_credential_data, 2);
        expect(&p, 0, "x_a_b", "DIR", 3);
        expect(&p, 1, "x_c", "C", 1);
        plan_reset(&p);

        /* Replaced by one too large for what is left (the replaced one's
         * bytes count as free): said without strerror(E2BIG). */
        char *fill = calloc(1, 1048568 + 1);
        ASSERT_NOT_NULL(fill);
        put("fill", fill, 1048568);             /* x_c's 4 and x_a_b's 5 + 1048568: one byte too many */
        free(fill);
        _cleanup_free_ char *fillpath = at("fill");
        add(&p, "x", d, NULL, 0);
        add(&p, "x_a_b", fillpath, NULL, 0);
        ASSERT_ERROR(rd_said(&p, &err, said, sizeof said), E2BIG);
        ASSERT_CONTAINS(err.message, "/fill: x_a_b: all credentials together may hold at most 1048576 bytes (IDs "
                        "included), as systemd's: it needs 1048573 with its ID, and the ones before it left 1048572");
        ASSERT_TRUE(err.complete);
        ASSERT_EQ(p.n_credential_data, 0);
        plan_reset(&p);

        /* No notice where no ID is given twice. */
        add(&p, "x", d, NULL, 0);
        ASSERT_OK(rd_said(&p, &err, said, sizeof said));
        ASSERT_STREQ(said, "");
        plan_reset(&p);

        _cleanup_free_ char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* A server for one connection to path, in a child: sends the name the
 * connecting end is bound to (systemd's "\0RANDOM/unit/UNIT/ID"), or with
 * silent nothing at all, never closing. */
static pid_t serve(const char *path, bool silent, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pid_t pid;

        ASSERT_TRUE(fd >= 0);
        strcpy(sa.sun_path, path);
        (void) unlink(path);
        ASSERT_EQ(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        ASSERT_EQ(listen(fd, 4), 0);
        pid_t parent = getpid();
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                socklen_t len = sizeof sa;
                /* Gone with the test, also one that failed before killing it. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(5);
                int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0 || getpeername(c, (struct sockaddr *) &sa, &len) < 0)
                        _exit(2);
                if (silent)
                        pause();
                len -= offsetof(struct sockaddr_un, sun_path);
                _exit(write(c, sa.sun_path, len) == (ssize_t) len ? 0 : 3);
        }
        *ret_fd = fd;
        return pid;
}

/* Where systemd 252 looks further for a relative name (the credential
 * stores), and AF_UNIX sockets as sources. */
TEST(stores_and_sockets) {
        _cleanup_free_ char *caller = NULL, *sock = NULL, *d = NULL, *cmd = NULL;
        Plan p = {};
        SpawnError err = {};
        int fd, status;
        pid_t pid;

        strcpy(dir, "/tmp/test-credentials-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(dir));
        free(stores[0]);
        free(stores[1]);
        stores[0] = at("etc-credstore");
        stores[1] = at("run-credstore");
        caller = at("caller");
        d = at("d");
        ASSERT_EQ(mkdir(stores[0], 0700), 0);
        ASSERT_EQ(mkdir(stores[1], 0700), 0);
        ASSERT_EQ(mkdir(caller, 0700), 0);
        ASSERT_EQ(mkdir(d, 0700), 0);
        put("etc-credstore/both", "etc", 3);
        put("run-credstore/both", "run", 3);
        put("run-credstore/tls.key", "store", 5);
        put("caller/tls.key", "caller", 6);

        /* The caller's first, then the stores in their order. */
        add(&p, "tls.key", "tls.key", NULL, 0);
        add(&p, "b", "both", NULL, 0);
        ASSERT_OK(rd(&p, caller, &err));
        expect(&p, 0, "tls.key", "caller", 6);
        expect(&p, 1, "b", "etc", 3);
        ASSERT_OK(rd(&p, NULL, &err));
        expect(&p, 0, "tls.key", "store", 5);
        plan_reset(&p);

        /* Nowhere: the message names every place looked at. */
        add(&p, "nosuch", "nosuch", NULL, 0);
        ASSERT_ERROR(rd(&p, caller, &err), ENOENT);
        ASSERT_CONTAINS(err.message,
                        "u.cell:5: LoadCredential=nosuch: no credential nosuch in $CREDENTIALS_DIRECTORY (");
        ASSERT_CONTAINS(err.message, "/caller), nor in /tmp/test-credentials-");
        ASSERT_CONTAINS(err.message, "/etc-credstore or /tmp/test-credentials-");
        ASSERT_ERROR(rd(&p, NULL, &err), ENXIO);
        ASSERT_CONTAINS(err.message, "$CREDENTIALS_DIRECTORY is not set");
        ASSERT_CONTAINS(err.message, "/run-credstore has no nosuch");
        plan_reset(&p);

        /* A socket: the server is told the scope and the ID. */
        sock = at("sock");
        p.scope_unit = strdup("cell-web.scope");
        add(&p, "db", sock, NULL, 0);
        pid = serve(sock, false, &fd);
        ASSERT_OK(rd(&p, NULL, &err));
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_EQ(p.n_credential_data, 1);
        ASSERT_EQ(p.credential_data[0].size, 17 + strlen("/unit/cell-web.scope/db"));
        ASSERT_TRUE(memcmp(p.credential_data[0].data + 17, "/unit/cell-web.scope/db", 23) == 0);
        plan_reset(&p);

        /* One that never finishes fails the start, naming the key; nobody
         * listening likewise. */
        add(&p, "db", sock, NULL, 0);
        pid = serve(sock, true, &fd);
        ASSERT_ERROR(credentials_read(&p, &(const CredentialSources) {
                                              .store_dirs = (const char *const *) stores,
                                              .socket_timeout_usec = 200 * 1000,
                                      }, &err), ETIMEDOUT);
        ASSERT_CONTAINS(err.message, "u.cell:5: LoadCredential=db:/tmp/test-credentials-");
        ASSERT_CONTAINS(err.message, "/sock: the socket's server sent no whole credential within 200ms");
        ASSERT_EQ(p.n_credential_data, 0);
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_EQ(close(fd), 0);
        ASSERT_ERROR(rd(&p, NULL, &err), ECONNREFUSED);
        ASSERT_CONTAINS(err.message, "u.cell:5: LoadCredential=db:/tmp/test-credentials-");
        plan_reset(&p);

        /* In a directory only regular files count, as systemd's: a socket there
         * is skipped, never connected to. */
        _cleanup_free_ char *dsock = at("d/sock");
        put("d/a", "A", 1);
        pid = serve(dsock, true, &fd);
        add(&p, "x", d, NULL, 0);
        ASSERT_OK(rd(&p, NULL, &err));
        ASSERT_EQ(p.n_credential_data, 1);
        expect(&p, 0, "x_a", "A", 1);
        struct pollfd pf = { .fd = fd, .events = POLLIN };
        ASSERT_EQ(poll(&pf, 1, 0), 0);          /* no connection is waiting */
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_EQ(close(fd), 0);
        plan_reset(&p);

        free(stores[0]);
        free(stores[1]);
        stores[0] = stores[1] = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

/* Holding secrets, cell leaves no core dump of them (nor a ptrace of its
 * user's way to them); without any credential it stays as it was. */
TEST(not_dumpable) {
        Plan p = {};
        SpawnError err = {};

        ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
        ASSERT_OK(rd(&p, NULL, &err));
        ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
        add(&p, "only", NULL, "v", 1);
        ASSERT_OK(rd(&p, NULL, &err));
        ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
        plan_reset(&p);
        ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
}

/* The child's copy, once it is in the container (or nothing is to be
 * made): nothing of a credential stays in it, SetCredential='s values
 * included, for Init=yes's reaper lives on with that memory. */
TEST(child_copy_wiped) {
        Plan p = {};
        SpawnError err = {};
        char *data, *value;

        add(&p, "only", NULL, "v4lue", 5);
        ASSERT_OK(rd(&p, NULL, &err));
        ASSERT_EQ(p.n_credential_data, 1);
        data = p.credential_data[0].data;
        value = p.credentials[0].value;
        ASSERT_OK(mount_credentials_seal(&p, 0, 0, &err));     /* no directory: only the wipe */
        ASSERT_TRUE(memcmp(data, "\0\0\0\0\0", 5) == 0);
        ASSERT_TRUE(memcmp(value, "\0\0\0\0\0", 5) == 0);
        plan_reset(&p);
        ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
}
