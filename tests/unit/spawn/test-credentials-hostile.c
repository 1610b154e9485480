/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credentials_read() on hostile sources, as systemd 252's acquire_credentials()
 * meets them: a directory that goes or changes type between two looks at it,
 * subdirectories the host's root may not open, one nested deeper than
 * systemd reads, a FIFO, a symlink loop, a directory of thousands of files,
 * a file that grows while it is read. */

/* The open() credentials.c calls is this file's (below): no fortified inline
 * one, and one symbol for both names. */
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps-test.h"
#include "credentials.h"
#include "test.h"

static char dir[] = "/tmp/test-credentials-hostile-XXXXXX";

/* Armed: the next open() of race_path with O_DIRECTORY (credentials.c's look
 * at an absolute PATH) runs race_step, before the open or after it, once:
 * what another process could do to the path meanwhile. */
static const char *race_path;
static void (*race_step)(void);
static bool race_after;

static void race_fire(void) {
        void (*step)(void) = race_step;
        int saved = errno;

        race_path = NULL;
        step();
        errno = saved;
}

int open(const char *path, int flags, ...) {
        bool armed = race_path && (flags & O_DIRECTORY) && strcmp(path, race_path) == 0;
        mode_t mode = 0;
        va_list ap;
        int fd;

        if (flags & (O_CREAT | __O_TMPFILE)) {
                va_start(ap, flags);
                mode = (mode_t) va_arg(ap, int);
                va_end(ap);
        }
        if (armed && !race_after)
                race_fire();
        fd = (int) syscall(SYS_openat, AT_FDCWD, path, flags, mode);
        if (armed && race_after)
                race_fire();
        return fd;
}

int open64(const char *path, int flags, ...) {
        mode_t mode = 0;
        va_list ap;

        if (flags & (O_CREAT | __O_TMPFILE)) {
                va_start(ap, flags);
                mode = (mode_t) va_arg(ap, int);
                va_end(ap);
        }
        return open(path, flags, mode);
}

/* Armed: the first read() of grow_path appends grow_by bytes to it first,
 * as a writer that goes on writing while the credential is read. */
static const char *grow_path;
static size_t grow_by;

ssize_t read(int fd, void *buf, size_t size) {
        if (grow_path) {
                char proc[64], target[PATH_MAX];
                ssize_t n;

                (void) snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
                n = readlink(proc, target, sizeof target - 1);
                if (n > 0 && (target[n] = 0, strcmp(target, grow_path) == 0)) {
                        _cleanup_free_ char *more = calloc(1, grow_by);
                        int w = (int) syscall(SYS_openat, AT_FDCWD, grow_path, O_WRONLY | O_APPEND | O_CLOEXEC);

                        grow_path = NULL;
                        ASSERT_TRUE(more && w >= 0);
                        ASSERT_EQ(syscall(SYS_write, w, more, grow_by), (ssize_t) grow_by);
                        ASSERT_EQ(close(w), 0);
                }
        }
        return (ssize_t) syscall(SYS_read, fd, buf, size);
}

/* Every strcmp() of the code under test counted while counting is set: a
 * lookup of each ID among all before it would be n * n / 2 of them. */
static bool counting;
static unsigned long long strcmp_calls;

int strcmp(const char *a, const char *b) {
        const unsigned char *x = (const unsigned char *) a, *y = (const unsigned char *) b;

        if (counting)
                strcmp_calls++;
        while (*x && *x == *y) {
                x++;
                y++;
        }
        return *x - *y;
}

static char *at(const char *name) {
        char *path;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        return path;
}

static void put(const char *name, const char *data) {
        _cleanup_free_ char *path = at(name);
        FILE *f = fopen(path, "we");

        ASSERT_NOT_NULL(f);
        ASSERT_TRUE(fputs(data, f) >= 0);
        ASSERT_EQ(fclose(f), 0);
}

static void mkdir_at(const char *name, mode_t mode) {
        _cleanup_free_ char *path = at(name);

        ASSERT_EQ(mkdir(path, mode), 0);
}

/* A plan of one LoadCredential=ID:SOURCE (line 5), and with value its
 * SetCredential=ID:VALUE. */
static void plan_one(Plan *p, const char *id, const char *source, const char *value) {
        *p = (Plan) {};
        p->credentials = calloc(1, sizeof(PlanCredential));
        ASSERT_NOT_NULL(p->credentials);
        p->credentials[0] = (PlanCredential) { .id = strdup(id), .source = strdup(source),
                                               .file = strdup("u.cell"), .line = 5 };
        if (value) {
                p->credentials[0].value = strdup(value);
                p->credentials[0].size = strlen(value);
                p->credentials[0].has_value = true;
        }
        p->n_credentials = 1;
}

static int rd(Plan *p, SpawnError *err) {
        static const char *const none[] = { NULL };

        *err = (SpawnError) {};
        return credentials_read(p, &(const CredentialSources) { .store_dirs = none, .encrypted_store_dirs = none },
                                err);
}

/* rd(), what it says on stderr (its notices) into said. */
static int rd_said(Plan *p, SpawnError *err, char *said, size_t size) {
        TestStderr c = test_stderr_capture();
        int r;

        r = rd(p, err);
        test_stderr_release(c, said, size);
        return r;
}

static void remove_dir(void) {
        _cleanup_free_ char *cmd = NULL;

        ASSERT_TRUE(asprintf(&cmd, "chmod -R u+rwx %s && rm -rf %s", dir, dir) > 0);
        ASSERT_EQ(system(cmd), 0);
}

static void step_remove_dir(void) {
        _cleanup_free_ char *d = at("d"), *gone = at("gone");

        ASSERT_EQ(rename(d, gone), 0);
}

static void step_dir_to_file(void) {
        step_remove_dir();
        put("d", "F");
}

static void step_file_to_dir(void) {
        _cleanup_free_ char *d = at("d");

        ASSERT_EQ(unlink(d), 0);
        mkdir_at("d", 0700);
        put("d/a", "A");
}

/* LoadCredential=ID:DIR whose directory goes, or becomes a file, before it
 * is opened as one: as systemd 252, which opens an absolute PATH as a
 * directory first, then as a file, it is missing (SetCredential= of the ID
 * stands in, without one the start fails naming it) or read as the file.
 * A file that becomes a directory meanwhile is read as that. */
TEST(directory_changes_before_open) {
        _cleanup_free_ char *d = NULL;
        SpawnError err = {};
        Plan p;

        ASSERT_NOT_NULL(mkdtemp(dir));
        d = at("d");

        mkdir_at("d", 0700);
        put("d/a", "A");
        plan_one(&p, "x", d, "fallback");
        race_path = d;
        race_step = step_remove_dir;
        race_after = false;
        ASSERT_OK(rd(&p, &err));
        ASSERT_NULL(race_path);         /* it went */
        ASSERT_EQ(p.n_credential_data, 1);
        ASSERT_STREQ(p.credential_data[0].id, "x");
        ASSERT_EQ(p.credential_data[0].size, 8);
        ASSERT_TRUE(memcmp(p.credential_data[0].data, "fallback", 8) == 0);
        plan_done(&p);
        remove_dir();

        /* Without SetCredential=: missing, said with the line. */
        ASSERT_NOT_NULL(mkdtemp(strcpy(dir, "/tmp/test-credentials-hostile-XXXXXX")));
        free(d);
        d = at("d");
        mkdir_at("d", 0700);
        plan_one(&p, "x", d, NULL);
        race_path = d;
        ASSERT_ERROR(rd(&p, &err), ENOENT);
        ASSERT_NULL(race_path);
        ASSERT_CONTAINS(err.message, "u.cell:5: LoadCredential=x:/tmp/test-credentials-hostile-");
        ASSERT_EQ(p.n_credential_data, 0);
        plan_done(&p);
        remove_dir();

        /* A file now: read as one. */
        ASSERT_NOT_NULL(mkdtemp(strcpy(dir, "/tmp/test-credentials-hostile-XXXXXX")));
        free(d);
        d = at("d");
        mkdir_at("d", 0700);
        put("d/a", "A");
        plan_one(&p, "x", d, NULL);
        race_path = d;
        race_step = step_dir_to_file;
        ASSERT_OK(rd(&p, &err));
        ASSERT_NULL(race_path);
        ASSERT_EQ(p.n_credential_data, 1);
        ASSERT_STREQ(p.credential_data[0].id, "x");
        ASSERT_STREQ(p.credential_data[0].data, "F");
        plan_done(&p);

        /* A file when opened as a directory, a directory when read: its files. */
        plan_one(&p, "x", d, NULL);
        race_path = d;
        race_step = step_file_to_dir;
        race_after = true;
        ASSERT_OK(rd(&p, &err));
        ASSERT_NULL(race_path);
        ASSERT_EQ(p.n_credential_data, 1);
        ASSERT_STREQ(p.credential_data[0].id, "x_a");
        ASSERT_STREQ(p.credential_data[0].data, "A");
        plan_done(&p);
        remove_dir();
}

/* What systemd 252 does with what it may not open below a LoadCredential=
 * directory: its recurse_dir() skips a subdirectory it cannot open (cell
 * says so with a notice), one it may list but not search is listed, and a
 * file it cannot read fails the start, as its read does. */
TEST(unreadable_below_directory) {
        _cleanup_free_ char *d = NULL, *d2 = NULL, *d3 = NULL, *locked = NULL, *secret = NULL, *listable = NULL,
                            *empty = NULL;
        char said[4096];

        ASSERT_NOT_NULL(mkdtemp(strcpy(dir, "/tmp/test-credentials-hostile-XXXXXX")));
        d = at("d");
        d2 = at("d2");
        d3 = at("d3");
        locked = at("d/locked");
        empty = at("d/listable");
        secret = at("d2/secret");
        listable = at("d3/listable");
        mkdir_at("d", 0700);
        put("d/ok", "O");
        mkdir_at("d/locked", 0700);
        put("d/locked/key", "K");
        mkdir_at("d/listable", 0700);
        mkdir_at("d2", 0700);
        put("d2/secret", "S");
        mkdir_at("d3", 0700);
        mkdir_at("d3/listable", 0700);
        put("d3/listable/key", "K");
        ASSERT_EQ(chmod(locked, 0), 0);
        ASSERT_EQ(chmod(empty, 0400), 0);       /* r--: listed, not searched */
        ASSERT_EQ(chmod(secret, 0), 0);
        ASSERT_EQ(chmod(listable, 0400), 0);

        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                SpawnError err = {};
                Plan p;

                if (drop_dac_override() < 0)
                        _exit(TEST_SKIP);
                plan_one(&p, "x", d, NULL);
                ASSERT_OK(rd_said(&p, &err, said, sizeof said));
                ASSERT_EQ(p.n_credential_data, 1);
                ASSERT_STREQ(p.credential_data[0].id, "x_ok");
                ASSERT_CONTAINS(said, "u.cell:5: LoadCredential=x:/tmp/test-credentials-hostile-");
                ASSERT_CONTAINS(said, "/d/locked: Permission denied: skipped with everything in it, as systemd 252 "
                                "skips a subdirectory it cannot open");
                plan_done(&p);

                plan_one(&p, "x", d2, NULL);
                ASSERT_ERROR(rd(&p, &err), EACCES);
                ASSERT_CONTAINS(err.message, "/d2/secret");
                ASSERT_EQ(p.n_credential_data, 0);
                plan_done(&p);

                plan_one(&p, "x", d3, NULL);
                ASSERT_ERROR(rd(&p, &err), EACCES);
                ASSERT_CONTAINS(err.message, "/d3/listable/key");
                plan_done(&p);
                _exit(0);
        }
        test_child_ran(pid, "cannot drop CAP_DAC_OVERRIDE: unreadable credentials");
        remove_dir();
}

/* A directory's subdirectories are read 99 levels deep, as systemd 252's
 * recurse_dir() reads 100 with the directory itself: one deeper is skipped
 * (with a notice), not a failed start. A FIFO below it is skipped without
 * waiting for a writer; a symlink loop as PATH fails the start, naming it. */
TEST(deep_fifo_loop) {
        _cleanup_free_ char *d = NULL, *fifo = NULL, *loop = NULL;
        char said[4096], rel[256] = "d", want[512];
        SpawnError err = {};
        Plan p;

        ASSERT_NOT_NULL(mkdtemp(strcpy(dir, "/tmp/test-credentials-hostile-XXXXXX")));
        d = at("d");
        mkdir_at(rel, 0700);
        for (unsigned level = 1; level <= 100; level++) {
                strcat(rel, "/a");
                mkdir_at(rel, 0700);
                if (level == 99) {
                        _cleanup_free_ char *f = NULL;

                        ASSERT_TRUE(asprintf(&f, "%s/f", rel) > 0);
                        put(f, "F");
                }
        }
        strcat(rel, "/g");
        put(rel, "G");                  /* level 100: not read */
        rel[strlen(rel) - 2] = 0;
        fifo = at("d/fifo");
        ASSERT_EQ(mkfifo(fifo, 0600), 0);

        plan_one(&p, "x", d, NULL);
        ASSERT_OK(rd_said(&p, &err, said, sizeof said));
        ASSERT_EQ(p.n_credential_data, 1);
        ASSERT_EQ(strlen(p.credential_data[0].id), 1 + 99 * 2 + 2);
        ASSERT_TRUE(endswith(p.credential_data[0].id, "_a_a_f"));
        ASSERT_STREQ(p.credential_data[0].data, "F");
        ASSERT_TRUE(snprintf(want, sizeof want, "%s/%s is not read: subdirectories are read 99 levels deep, as in "
                             "systemd 252", dir, rel) > 0);
        ASSERT_CONTAINS(said, want);
        plan_done(&p);

        loop = at("loop");
        ASSERT_EQ(symlink("loop", loop), 0);
        plan_one(&p, "x", loop, "fallback");    /* no fallback: it is there, and broken */
        ASSERT_ERROR(rd(&p, &err), ELOOP);
        ASSERT_CONTAINS(err.message, "/loop: ");
        ASSERT_EQ(p.n_credential_data, 0);
        plan_done(&p);
        remove_dir();
}

/* 10000 files, each a lookup among those before it: a handful of string
 * comparisons each (a hash), not one for each file read already (50
 * million, minutes for the 100000 files under the size limit). */
TEST(many_entries) {
        _cleanup_free_ char *d = NULL;
        SpawnError err = {};
        char name[32];
        Plan p;
        int r;

        ASSERT_NOT_NULL(mkdtemp(strcpy(dir, "/tmp/test-credentials-hostile-XXXXXX")));
        d = at("d");
        mkdir_at("d", 0700);
        for (unsigned i = 0; i < 10000; i++) {
                ASSERT_TRUE(snprintf(name, sizeof name, "d/%05u", i) > 0);
                put(name, "");
        }
        plan_one(&p, "x", d, NULL);
        strcmp_calls = 0;
        counting = true;
        r = rd(&p, &err);
        counting = false;
        ASSERT_OK(r);
        ASSERT_EQ(p.n_credential_data, 10000);
        ASSERT_STREQ(p.credential_data[0].id, "x_00000");
        ASSERT_STREQ(p.credential_data[9999].id, "x_09999");
        /* The sort's n log n, and a few more for each file. */
        ASSERT_TRUE(strcmp_calls < 40 * 10000);
        plan_done(&p);
        remove_dir();
}

/* A file that grows while it is read: read to its end, as systemd reads it,
 * and the start fails once it holds more than a credential may (1 MiB),
 * however small it was when looked at. */
TEST(growing_file) {
        _cleanup_free_ char *f = NULL;
        SpawnError err = {};
        Plan p;

        ASSERT_NOT_NULL(mkdtemp(strcpy(dir, "/tmp/test-credentials-hostile-XXXXXX")));
        f = at("f");
        put("f", "0123456789");
        plan_one(&p, "x", f, NULL);
        grow_path = f;
        grow_by = 100;
        ASSERT_OK(rd(&p, &err));
        ASSERT_NULL(grow_path);         /* it grew */
        ASSERT_EQ(p.n_credential_data, 1);
        ASSERT_EQ(p.credential_data[0].size, 110);
        plan_done(&p);

        plan_one(&p, "x", f, NULL);
        grow_path = f;
        grow_by = CELL_CREDENTIAL_SIZE_MAX;
        ASSERT_ERROR(rd(&p, &err), EFBIG);
        ASSERT_NULL(grow_path);
        ASSERT_CONTAINS(err.message, "/f: larger than 1048576 bytes, the most a credential holds");
        ASSERT_EQ(p.n_credential_data, 0);
        plan_done(&p);
        remove_dir();
}
