/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credentials_read() with LoadCredentialEncrypted= and
 * SetCredentialEncrypted=: the decryption through a fake systemd-creds (a
 * script of the test's own in the program's place) that checks its argv
 * and prints a transformation of its stdin, one that fails with a message,
 * one that hangs, one that prints too much; the encrypted stores' order. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "credentials.h"
#include "test.h"

static char dir[] = "/tmp/test-credentials-encrypted-XXXXXX";

static char *at(const char *name) {
        char *path;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        return path;
}

static void put(const char *name, const char *data, size_t size, mode_t mode) {
        _cleanup_free_ char *path = at(name);
        FILE *f = fopen(path, "we");

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fwrite(data, 1, size, f), size);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_EQ(chmod(path, mode), 0);
}

static void put_text(const char *name, const char *text) {
        put(name, text, strlen(text), 0600);
}

/* The fakes. "good" refuses any argv but systemd-creds' own and prints
 * "ID|" and its stdin in capitals: what reached it, and for which name. */
static void fakes(void) {
        put_text("good", "#!/bin/sh\n"
                 "[ $# = 4 ] && [ \"$1\" = decrypt ] && [ \"$3\" = - ] && [ \"$4\" = - ] && "
                 "[ \"${2#--name=}\" != \"$2\" ] || { echo \"bad argv: $*\" >&2; exit 3; }\n"
                 "printf '%s|' \"${2#--name=}\"\n"
                 "tr a-z A-Z\n");
        put_text("fail", "#!/bin/sh\ncat >/dev/null\n"
                 "echo \"Credential secret file is not located on encrypted media, using anyway.\" >&2\n"
                 "echo \"Embedded credential name 'other' does not match filename '${2#--name=}', refusing.\" >&2\n"
                 "exit 1\n");
        put_text("hang", "#!/bin/sh\nexec sleep 100\n");
        put_text("flood", "#!/bin/sh\nexec head -c 1048577 /dev/zero\n");
        put_text("quiet", "#!/bin/sh\nkill -9 $$\n");
        /* What reached it besides its stdin: a stray fd 47, cell's caller's
         * SYSTEMD_* variables. */
        put_text("isolated", "#!/bin/sh\ncat >/dev/null\n"
                 "[ -e /proc/$$/fd/47 ] && printf 'fd47 '\n"
                 "printf 'validate-name:%s' \"${SYSTEMD_CREDENTIAL_VALIDATE_NAME-unset}\"\n");
        put_text("chatty", "#!/bin/sh\ncat >/dev/null\ni=0\n"
                 "while [ $i -lt 100 ]; do echo \"Warning $i: something harmless about the host key.\" >&2; "
                 "i=$((i+1)); done\n"
                 "echo \"The reason it failed.\" >&2\nexit 1\n");
        /* systemd-creds 252's words without the host key, and with another host's. */
        put_text("nokey", "#!/bin/sh\ncat >/dev/null\n"
                 "echo \"Failed to determine local credential key: No such file or directory\" >&2\nexit 1\n");
        put_text("otherkey", "#!/bin/sh\ncat >/dev/null\n"
                 "echo \"Decryption failed (incorrect key?): error:00000000:lib(0)::reason(0)\" >&2\nexit 1\n");
        put_text("slow", "#!/bin/sh\ncat >/dev/null\nsleep 0.3\nprintf plain\n");
        for (const char *const *n = (const char *const[]) { "good", "fail", "hang", "flood", "quiet", "isolated",
                                                            "chatty", "nokey", "otherkey", "slow", NULL }; *n; n++) {
                _cleanup_free_ char *path = at(*n);
                ASSERT_EQ(chmod(path, 0755), 0);
        }
}

static void add(Plan *p, const char *id, const char *source, bool encrypted, const char *value, bool value_encrypted) {
        PlanCredential *n = realloc(p->credentials, sizeof *n * (p->n_credentials + 1));

        ASSERT_NOT_NULL(n);
        p->credentials = n;
        n += p->n_credentials++;
        *n = (PlanCredential) { .id = strdup(id), .file = strdup("u.cell"), .line = 4 + (unsigned) p->n_credentials,
                                .encrypted = encrypted };
        if (source)
                n->source = strdup(source);
        if (value) {
                n->value = strdup(value);
                n->size = strlen(value);
                n->has_value = true;
                n->value_encrypted = value_encrypted;
                n->value_file = strdup("u.cell.d/x.conf");
                n->value_line = 2;
        }
}

static const char *stores[2], *encrypted_stores[2];

static int rd(Plan *p, const char *program, uint64_t timeout, SpawnError *err) {
        _cleanup_free_ char *path = program[0] == '/' ? strdup(program) : at(program);

        return credentials_read(p, &(const CredentialSources) {
                                        .store_dirs = stores, .encrypted_store_dirs = encrypted_stores,
                                        .decrypt_program = path, .decrypt_timeout_usec = timeout,
                                }, err);
}

static void expect(const Plan *p, size_t i, const char *id, const char *data) {
        ASSERT_TRUE(i < p->n_credential_data);
        ASSERT_STREQ(p->credential_data[i].id, id);
        ASSERT_EQ(p->credential_data[i].size, strlen(data));
        ASSERT_TRUE(memcmp(p->credential_data[i].data, data, strlen(data)) == 0);
}

static void plan_reset(Plan *p) {
        plan_done(p);
        *p = (Plan) {};
}

/* No helper of ours is left, running or a zombie. */
static void no_child_left(void) {
        ASSERT_EQ(waitpid(-1, NULL, WNOHANG), -1);
        ASSERT_EQ(errno, ECHILD);
}

TEST(decrypt) {
        _cleanup_free_ char *file = NULL, *d = NULL, *missing = NULL, *big = NULL;
        Plan p = {};
        SpawnError err = {};

        ASSERT_NOT_NULL(mkdtemp(dir));
        fakes();
        stores[0] = at("store");
        encrypted_stores[0] = at("store.encrypted");
        ASSERT_EQ(mkdir(stores[0], 0700), 0);
        ASSERT_EQ(mkdir(encrypted_stores[0], 0700), 0);
        d = at("d");
        ASSERT_EQ(mkdir(d, 0700), 0);
        put_text("file", "cipher-file");
        put_text("d/a", "cipher-a");
        put_text("store/both", "from-plain-store");
        put_text("store.encrypted/both", "from-encrypted-store");
        put_text("store/plainonly", "plain-store");
        file = at("file");
        missing = at("missing");

        add(&p, "f", file, true, NULL, false);
        add(&p, "x", d, true, NULL, false);                     /* each file with its own name */
        add(&p, "both", "both", true, NULL, false);             /* the encrypted store first */
        add(&p, "po", "plainonly", true, NULL, false);          /* then the plain one, decrypted too */
        add(&p, "fb", missing, true, "cipher-set", true);       /* SetCredentialEncrypted= stands in */
        add(&p, "plain", NULL, false, "as-is", false);
        ASSERT_OK(rd(&p, "good", 60 * USEC_PER_SEC, &err));
        ASSERT_EQ(p.n_credential_data, 6);
        expect(&p, 0, "f", "f|CIPHER-FILE");
        expect(&p, 1, "x_a", "x_a|CIPHER-A");
        expect(&p, 2, "both", "both|FROM-ENCRYPTED-STORE");
        expect(&p, 3, "po", "po|PLAIN-STORE");
        expect(&p, 4, "fb", "fb|CIPHER-SET");
        expect(&p, 5, "plain", "as-is");
        no_child_left();
        plan_reset(&p);

        /* An encrypted source may be larger than a plaintext: what counts is
         * what it decrypts to. */
        /* As large as the largest file written from it below. */
        big = malloc(CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX + 1);
        ASSERT_NOT_NULL(big);
        memset(big, 'z', CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX + 1);
        put("big", big, CELL_CREDENTIAL_SIZE_MAX + 100, 0600);
        _cleanup_free_ char *bigpath = at("big");
        add(&p, "big", bigpath, true, NULL, false);
        ASSERT_ERROR(rd(&p, "good", 60 * USEC_PER_SEC, &err), EFBIG);
        ASSERT_CONTAINS(err.message, "its plaintext is larger than 1048576 bytes");
        plan_reset(&p);
        put("big", big, CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX + 1, 0600);
        add(&p, "big", bigpath, true, NULL, false);
        ASSERT_ERROR(rd(&p, "good", 60 * USEC_PER_SEC, &err), EFBIG);
        ASSERT_CONTAINS(err.message, "larger than 1179648 bytes, the most an encrypted credential holds");
        plan_reset(&p);
        no_child_left();
}

static pid_t pid_in(const char *name) {
        _cleanup_free_ char *path = at(name);
        FILE *f = fopen(path, "re");
        int pid = 0;

        ASSERT_NOT_NULL(f);
        ASSERT_EQ(fscanf(f, "%d", &pid), 1);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_TRUE(pid > 1);
        return (pid_t) pid;
}

/* Gone, or a zombie of whoever reaps orphans, within 10 s. */
static bool ends(pid_t pid) {
        for (int i = 0; i < 1000; i++) {
                _cleanup_free_ char *stat = NULL;
                char state = 0;
                FILE *f;

                ASSERT_TRUE(asprintf(&stat, "/proc/%d/stat", (int) pid) > 0);
                f = fopen(stat, "re");
                if (!f)
                        return true;
                (void) !fscanf(f, "%*d (%*[^)]) %c", &state);
                fclose(f);
                if (state == 'Z')
                        return true;
                usleep(10000);
        }
        return false;
}

TEST(decrypt_helper_isolated) {
        _cleanup_free_ char *file = at("file"), *daemon = NULL;
        Plan p = {};
        SpawnError err = {};
        int fd;

        /* An fd cell's caller left open, and variables that would turn off
         * systemd-creds' name check: neither reaches it. */
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(dup2(fd, 47), 47);            /* without O_CLOEXEC, as an inherited one */
        ASSERT_EQ(close(fd), 0);
        ASSERT_EQ(setenv("SYSTEMD_CREDENTIAL_VALIDATE_NAME", "0", 1), 0);
        add(&p, "f", file, true, NULL, false);
        ASSERT_OK(rd(&p, "isolated", 60 * USEC_PER_SEC, &err));
        expect(&p, 0, "f", "validate-name:unset");
        ASSERT_EQ(unsetenv("SYSTEMD_CREDENTIAL_VALIDATE_NAME"), 0);
        ASSERT_EQ(close(47), 0);
        plan_reset(&p);

        /* Its reason after more than a KiB of warnings. */
        add(&p, "f", file, true, NULL, false);
        ASSERT_ERROR(rd(&p, "chatty", 60 * USEC_PER_SEC, &err), EBADMSG);
        ASSERT_CONTAINS(err.message, "/chatty could not decrypt it: The reason it failed.");
        plan_reset(&p);

        /* One that leaves children holding its stdout and stderr: its
         * plaintext as soon as it exits, not a timeout; the child in its
         * group killed; one that left the group (setsid) not waited for. */
        ASSERT_TRUE(asprintf(&daemon, "#!/bin/sh\ncat >/dev/null\nprintf plain\n"
                             "sleep 100 & echo $! >%s/pid-group\n"
                             "setsid sleep 100 & echo $! >%s/pid-session\nexit 0\n", dir, dir) > 0);
        put("daemon", daemon, strlen(daemon), 0755);
        add(&p, "f", file, true, NULL, false);
        int r = rd(&p, "daemon", 20 * USEC_PER_SEC, &err);
        pid_t group = pid_in("pid-group"), session = pid_in("pid-session");
        ASSERT_EQ(kill(session, SIGKILL), 0);
        ASSERT_OK(r);
        expect(&p, 0, "f", "plain");
        bool ended = ends(group);
        if (!ended)
                (void) kill(group, SIGKILL);    /* nothing of the test's left behind */
        ASSERT_TRUE(ended);
        no_child_left();
        plan_reset(&p);
}

TEST(decrypt_fails) {
        _cleanup_free_ char *file = at("file"), *missing = at("missing");
        _cleanup_free_ char *want = NULL, *fail_program = at("fail");
        Plan p = {};
        SpawnError err = {};

        /* Its message, after the key's line: nothing read stays. */
        add(&p, "plain", NULL, false, "as-is", false);
        add(&p, "f", file, true, NULL, false);
        ASSERT_ERROR(rd(&p, "fail", 60 * USEC_PER_SEC, &err), EBADMSG);
        ASSERT_TRUE(asprintf(&want, "u.cell:6: LoadCredentialEncrypted=f:%s: %s: %s/fail could not decrypt it: "
                             "Embedded credential name 'other' does not match filename 'f', refusing.",
                             file, file, dir) > 0);
        ASSERT_STREQ(err.message, want);
        ASSERT_TRUE(err.complete);
        ASSERT_EQ(p.n_credential_data, 0);
        no_child_left();
        plan_reset(&p);

        /* SetCredentialEncrypted='s own line, where it stands in. */
        add(&p, "fb", missing, true, "cipher", true);
        ASSERT_ERROR(rd(&p, "fail", 60 * USEC_PER_SEC, &err), EBADMSG);
        ASSERT_CONTAINS(err.message, "u.cell.d/x.conf:2: SetCredentialEncrypted=fb: ");
        ASSERT_CONTAINS(err.message, "/fail could not decrypt it: Embedded credential name");
        plan_reset(&p);

        /* Found in the caller's $CREDENTIALS_DIRECTORY, which systemd filled
         * with what it decrypted for the service: the message says to take
         * it with LoadCredential=. */
        _cleanup_free_ char *caller = at("caller"), *cc = at("caller/cc");
        ASSERT_EQ(mkdir(caller, 0700), 0);
        put_text("caller/cc", "plaintext");
        add(&p, "cc", "cc", true, NULL, false);
        ASSERT_ERROR(credentials_read(&p, &(const CredentialSources) {
                                              .caller_dir = caller, .store_dirs = stores,
                                              .encrypted_store_dirs = encrypted_stores,
                                              .decrypt_program = fail_program, .decrypt_timeout_usec = 60 * USEC_PER_SEC,
                                      }, &err), EBADMSG);
        free(want);
        ASSERT_TRUE(asprintf(&want, "u.cell:5: LoadCredentialEncrypted=cc: %s: %s could not decrypt it: "
                             "Embedded credential name 'other' does not match filename 'cc', refusing. (a credential "
                             "the service passes is decrypted already: take it with LoadCredential=cc)",
                             cc, fail_program) > 0);
        ASSERT_STREQ(err.message, want);
        plan_reset(&p);

        /* No host key, or another host's: the message names the key file
         * and the step, which systemd-creds' words do not. */
        add(&p, "f", file, true, NULL, false);
        ASSERT_ERROR(rd(&p, "nokey", 60 * USEC_PER_SEC, &err), EBADMSG);
        ASSERT_CONTAINS(err.message, "/nokey could not decrypt it: Failed to determine local credential key: No such "
                        "file or directory (this host has no /var/lib/systemd/credential.secret, nor a TPM2 for it: "
                        "encrypt it again on this host: systemd-creds encrypt --name=f)");
        plan_reset(&p);
        add(&p, "fb", missing, true, "cipher", true);
        ASSERT_ERROR(rd(&p, "otherkey", 60 * USEC_PER_SEC, &err), EBADMSG);
        ASSERT_CONTAINS(err.message, "u.cell.d/x.conf:2: SetCredentialEncrypted=fb: ");
        ASSERT_CONTAINS(err.message, "(incorrect key?): error:00000000:lib(0)::reason(0) (not encrypted with this "
                        "host's /var/lib/systemd/credential.secret or TPM2: encrypt it again on this host: "
                        "systemd-creds encrypt --name=fb)");
        plan_reset(&p);

        /* Killed, silent: how it ended. */
        add(&p, "f", file, true, NULL, false);
        ASSERT_ERROR(rd(&p, "quiet", 60 * USEC_PER_SEC, &err), EBADMSG);
        ASSERT_CONTAINS(err.message, "/quiet could not decrypt it: killed by signal 9");
        plan_reset(&p);

        /* One that hangs: killed at the timeout, reaped. */
        uint64_t start = now_monotonic_usec();
        add(&p, "f", file, true, NULL, false);
        ASSERT_ERROR(rd(&p, "hang", 300 * USEC_PER_MSEC, &err), ETIMEDOUT);
        ASSERT_TRUE(now_monotonic_usec() - start < 30 * USEC_PER_SEC);   /* its 300 ms, not its 100 s */
        ASSERT_CONTAINS(err.message, "/hang did not decrypt it within 300ms");
        no_child_left();
        plan_reset(&p);

        /* The timeout is all decryptions' together, as the sockets' is: two
         * that take 300 ms each do not both fit in 500 ms. */
        add(&p, "f", file, true, NULL, false);
        add(&p, "g", file, true, NULL, false);
        ASSERT_ERROR(rd(&p, "slow", 500 * USEC_PER_MSEC, &err), ETIMEDOUT);
        ASSERT_CONTAINS(err.message, "u.cell:6: LoadCredentialEncrypted=g:");
        ASSERT_CONTAINS(err.message, "/slow did not decrypt it within 500ms, the time all of the start's decryptions "
                        "have together");
        no_child_left();
        plan_reset(&p);

        /* A stop while it works (the start's signalfd readable): the wait
         * ends at once, the helper is killed and reaped. */
        int stop[2];
        ASSERT_EQ(pipe2(stop, O_CLOEXEC), 0);
        ASSERT_EQ(write(stop[1], "x", 1), 1);
        start = now_monotonic_usec();
        _cleanup_free_ char *hang = at("hang");
        add(&p, "f", file, true, NULL, false);
        ASSERT_ERROR(credentials_read(&p, &(const CredentialSources) {
                                              .store_dirs = stores, .encrypted_store_dirs = encrypted_stores,
                                              .decrypt_program = hang, .decrypt_timeout_usec = 60 * USEC_PER_SEC,
                                              .interruptible = true, .interrupt_fd = stop[0],
                                      }, &err), EINTR);
        ASSERT_TRUE(now_monotonic_usec() - start < 30 * USEC_PER_SEC);
        ASSERT_CONTAINS(err.message, "/hang decrypted it");
        ASSERT_CONTAINS(err.message, "interrupted while");
        no_child_left();
        plan_reset(&p);
        ASSERT_EQ(close(stop[0]), 0);
        ASSERT_EQ(close(stop[1]), 0);

        /* One that prints more than a credential holds. */
        add(&p, "f", file, true, NULL, false);
        ASSERT_ERROR(rd(&p, "flood", 60 * USEC_PER_SEC, &err), EFBIG);
        ASSERT_CONTAINS(err.message, "LoadCredentialEncrypted=f:");
        ASSERT_CONTAINS(err.message, "its plaintext is larger than 1048576 bytes");
        no_child_left();
        plan_reset(&p);

        /* Without systemd-creds: no start. */
        add(&p, "f", file, true, NULL, false);
        ASSERT_ERROR(rd(&p, "/nonexistent/systemd-creds", 60 * USEC_PER_SEC, &err), ENOENT);
        ASSERT_CONTAINS(err.message, "cannot run /nonexistent/systemd-creds to decrypt it");
        ASSERT_FALSE(err.complete);
        no_child_left();
        plan_reset(&p);

        /* A SetCredentialEncrypted= that a load makes unneeded is not decrypted. */
        add(&p, "p", file, false, "cipher", true);
        ASSERT_OK(rd(&p, "/nonexistent/systemd-creds", 60 * USEC_PER_SEC, &err));
        expect(&p, 0, "p", "cipher-file");
        plan_reset(&p);

        _cleanup_free_ char *cmd = NULL;
        ASSERT_TRUE(asprintf(&cmd, "rm -rf %s", dir) > 0);
        ASSERT_EQ(system(cmd), 0);
        ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
}
