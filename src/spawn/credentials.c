/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LoadCredential= and SetCredential= (Encrypted or not) read at start (credentials.h). */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials-decrypt.h"
#include "credentials-reader.h"
#include "credentials-socket.h"
#include "credentials.h"
#include "fs-util.h"
#include "log.h"
#include "macros.h"
#include "parse-value.h"

/* systemd's CONF_PATHS_STRV("credstore"): /usr/local/lib's too, which its
 * man page leaves out. */
const char *const credentials_store_dirs[] = {
        "/etc/credstore", "/run/credstore", "/usr/local/lib/credstore", "/usr/lib/credstore", NULL,
};
const char *const credentials_encrypted_store_dirs[] = {
        "/etc/credstore.encrypted", "/run/credstore.encrypted", "/usr/local/lib/credstore.encrypted",
        "/usr/lib/credstore.encrypted", NULL,
};

/* One regular file, whole, as the host's root: -EBADFD for anything else
 * (a FIFO is opened O_NONBLOCK so that it cannot hang the start; a socket
 * fails to open with -ENXIO, read_path() connects to it), -EFBIG beyond the
 * limit. flags: O_NOFOLLOW for a directory's entry (-ELOOP: a link). */
static int read_source(int dir_fd, const char *path, int flags, size_t max, char **ret, size_t *ret_size) {
        return read_full_file_at(dir_fd, path, flags, max, READ_FULL_SECRET, ret, ret_size);
}

int credential_buffer_keep(char *buf, size_t n, int r, char **ret, size_t *ret_size) {
        char *copy = r >= 0 ? malloc(n + 1) : NULL;

        if (copy) {
                memcpy(copy, buf, n);
                copy[n] = 0;
        }
        explicit_bzero(buf, n);
        free(buf);
        if (r < 0)
                return r;
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        *ret_size = n;
        return 0;
}

/* The deepest subdirectory of a LoadCredential= directory that is read, as
 * systemd 252's recurse_dir() goes 100 levels down with the directory
 * itself: one below it is skipped (with a notice, where systemd says nothing). */
#define CREDENTIAL_DIRECTORY_DEPTH_MAX 99U

/* A directory's entry as listed: its name and readdir()'s type (DT_UNKNOWN
 * where the file system does not tell). */
typedef struct DirEntry {
        char *name;
        unsigned char type;
} DirEntry;

static int entry_cmp(const void *a, const void *b) {
        return strcmp(((const DirEntry *) a)->name, ((const DirEntry *) b)->name);
}

/* An entry of a directory that is gone since the directory was listed (a
 * file rotated away meanwhile): skipped, as systemd 252 skips it, with a
 * debug message as its own. */
static void vanished(const CredentialReader *r, const char *path) {
        log_debug("%sLoadCredential%s=%s:%s: %s vanished since its directory was listed, skipped (as in systemd)",
                  r->origin, r->entry->encrypted ? "Encrypted" : "", r->entry->id, r->entry->source, path);
}

/* A subdirectory that open() refused with error: skipped, as systemd 252's
 * recurse_dir() skips one it cannot open (EACCES of a directory the host's
 * root may not read: NFS, an LSM), said with a notice where systemd logs at
 * debug level (a secret is left out). One gone meanwhile, or that is no
 * directory any more (a link or file now, not what was listed), is skipped
 * as such. Out of file descriptors or memory the start fails: that is cell's
 * state, not the directory's, and would leave out credentials at random. */
static int subdirectory_unopened(CredentialReader *r, const char *path, int error) {
        switch (error) {
        case ENOENT:
                vanished(r, path);
                return 0;
        case ENOTDIR:
        case ELOOP:
                log_debug("%sLoadCredential%s=%s:%s: %s is no directory any more, skipped (as in systemd)", r->origin,
                          r->entry->encrypted ? "Encrypted" : "", r->entry->id, r->entry->source, path);
                return 0;
        case EMFILE:
        case ENFILE:
        case ENOMEM:
                return reader_error(r, error, "%s", path);
        default:
                reader_notice(r, "%s: %s: skipped with everything in it, as systemd 252 skips a subdirectory it "
                              "cannot open", path, strerror(error));
                return 0;
        }
}

/* Every regular file below dir_fd, sorted, as prefix_NAME (systemd's
 * recurse_dir() from the ID: "/" in the path below becomes "_"; dot files
 * skipped). */
static int read_directory(CredentialReader *r, int dir_fd, const char *prefix, const char *where, unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        DirEntry *names = NULL;
        size_t n = 0, allocated = 0;
        int fd, e = 0;

        /* A copy of dir_fd, not an open() of ".": a directory that may be
         * listed but not searched (r--) is listed, as systemd lists it. */
        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(d = fdopendir(fd))) {
                e = -errno;
                safe_close(fd);
                return reader_error(r, e, "%s", where);
        }
        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                /* Hidden files and directories skipped, as systemd's RECURSE_DIR_IGNORE_DOT: an editor's
                 * .swp or a .git below /etc/db is no credential, and must not reach the container. */
                if (de->d_name[0] == '.')
                        continue;
                if (n == allocated) {
                        DirEntry *m = reallocarray(names, MAX(allocated * 2, (size_t) 16), sizeof *m);

                        if (!m) {
                                e = -ENOMEM;
                                break;
                        }
                        names = m;
                        allocated = MAX(allocated * 2, (size_t) 16);
                }
                names[n] = (DirEntry) { .name = strdup(de->d_name), .type = de->d_type };
                if (!names[n].name) {
                        e = -ENOMEM;
                        break;
                }
                n++;
        }
        if (e == 0 && errno != 0)
                e = -errno;
        if (e == 0 && n > 0)
                qsort(names, n, sizeof *names, entry_cmp);
        for (size_t i = 0; i < n && e == 0; i++) {
                _cleanup_free_ char *id = NULL, *path = NULL;
                struct stat st;
                mode_t type;

                if (asprintf(&id, "%s_%s", prefix, names[i].name) < 0 ||
                    asprintf(&path, "%s/%s", where, names[i].name) < 0) {
                        e = -ENOMEM;
                        break;
                }
                /* Its type now, not as listed. Where it cannot be looked at,
                 * the listing's, as systemd needs no more: a file is then read
                 * (and fails the start as systemd's read does), a directory
                 * opened (and skipped), what has no type skipped. */
                if (fstatat(dirfd(d), names[i].name, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                        type = st.st_mode & S_IFMT;
                else if (errno == ENOENT) {
                        vanished(r, path);
                        continue;
                } else if (names[i].type == DT_UNKNOWN) {
                        reader_notice(r, "%s: %s: skipped, as systemd 252 skips an entry it cannot look at", path,
                                      strerror(errno));
                        continue;
                } else
                        type = DTTOIF(names[i].type);
                if (S_ISDIR(type)) {
                        if (depth >= CREDENTIAL_DIRECTORY_DEPTH_MAX) {
                                reader_notice(r, "%s is not read: subdirectories are read %u levels deep, as in "
                                              "systemd 252", path, CREDENTIAL_DIRECTORY_DEPTH_MAX);
                                continue;
                        }
                        _cleanup_close_ int sub = openat(dirfd(d), names[i].name,
                                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        e = sub < 0 ? subdirectory_unopened(r, path, errno) :
                                read_directory(r, sub, id, path, depth + 1);
                        continue;
                }
                /* Symlinks are skipped, as systemd: what they lead to is not the directory's. */
                if (!S_ISREG(type))
                        continue;
                if (!credential_name_is_valid(id)) {
                        e = reader_error(r, EINVAL, "%s: would be the credential \"%s\", which is no valid ID",
                                         path, id);
                        break;
                }
                /* As systemd: a directory's file never replaces a credential
                 * there already (an ID's own LoadCredential=, another
                 * directory's file, which stays: systemd's order is its
                 * hashmap's, ours the lines'). Said, as systemd does not:
                 * one of two secrets is dropped. */
                ssize_t taken = reader_find(r, id);
                if (taken >= 0) {
                        reader_notice(r, "%s is not read: the credential %s comes from %s already (a "
                                      "directory's file never replaces one, as in systemd)", path, id,
                                      r->from[taken] ?: "the unit's SetCredential=");
                        continue;
                }
                char *data;
                size_t size;
                /* Not followed if it became a link since the check above: whoever
                 * may write the directory must not make us read, as root, what
                 * such a link leads to (/etc/shadow into the container). */
                e = read_source(dirfd(d), names[i].name, O_NOFOLLOW, source_max(r), &data, &size);
                if (e == -ELOOP || e == -ENOENT) {
                        if (e == -ENOENT)
                                vanished(r, path);
                        e = 0;
                        continue;
                }
                if (e < 0)
                        e = source_error(r, e, path);
                else if (!r->entry->encrypted || (e = reader_decrypt(r, id, path, &data, &size)) >= 0)
                        e = reader_add(r, id, data, size, path);
        }
        for (size_t i = 0; i < n; i++)
                free(names[i].name);
        free(names);
        if (e == -ENOMEM)
                return spawn_error(r->err, ENOMEM, "credentials: out of memory");
        return e;
}

/* A source at the top of a LoadCredential=: a regular file, or an AF_UNIX
 * stream socket, connected to as systemd does (credentials-socket.h). */
static int read_path(CredentialReader *r, const char *path, char **ret, size_t *ret_size) {
        uint64_t now;
        struct stat st;
        int k;

        k = read_source(AT_FDCWD, path, 0, source_max(r), ret, ret_size);
        if (k != -ENXIO)
                return k;
        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISSOCK(st.st_mode))      /* a device without its driver */
                return -EBADFD;
        /* What is left of the start's one timeout, as systemd's start
         * timeout bounds a service's reads: n silent servers must not hold
         * the start n times as long. */
        now = now_monotonic_usec();
        return credential_socket_read(path, r->plan->scope_unit ?: "cell.scope", r->entry->id,
                                      r->socket_deadline > now ? r->socket_deadline - now : 0, r->interrupt_fd,
                                      source_max(r), ret, ret_size);
}

/* An absolute PATH, in systemd 252's order: opened as a directory first,
 * read as a file or socket (read_path()) where it is none, or missing. So a
 * directory gone between two looks at it is missing (SetCredential= of the
 * ID stands in), never a failed open of what was one; a file that became a
 * directory meanwhile is opened as that, once. 1: a directory, its files
 * added; 0: *ret holds the file's data; -ENOENT: missing (not said); any
 * other -errno: said. */
static int read_absolute(CredentialReader *r, const char *path, char **ret, size_t *ret_size) {
        for (unsigned attempt = 0;; attempt++) {
                /* O_NONBLOCK: a FIFO there must not hang the start (O_DIRECTORY refuses it first anyway). */
                _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
                int k;

                if (fd >= 0) {
                        /* "/etc/db/" is "/etc/db": its files named without a "//". */
                        size_t n = strlen(path) - (path[1] && endswith(path, "/") ? 1 : 0);
                        _cleanup_free_ char *where = strndup(path, n);

                        if (!where)
                                return spawn_error(r->err, ENOMEM, "credentials: out of memory");
                        k = read_directory(r, fd, r->entry->id, where, 0);
                        return k < 0 ? k : 1;
                }
                if (errno != ENOTDIR && errno != ENOENT)
                        return source_error(r, -errno, path);
                k = read_path(r, path, ret, ret_size);
                if (k == -EISDIR && attempt == 0)
                        continue;
                if (k >= 0 || k == -ENOENT)
                        return k < 0 ? k : 0;
                return source_error(r, k, path);
        }
}

/* Where a relative PATH is looked for, in order, as systemd 252's
 * credential_search_path(): for LoadCredentialEncrypted= the encrypted
 * stores first, then (for both) the caller's $CREDENTIALS_DIRECTORY and the
 * plain stores. with_caller false: the stores alone, as a message lists
 * them. NULL-terminated, at most size - 1 entries. */
static void search_dirs(const CredentialReader *r, bool with_caller, const char **dirs, size_t size) {
        size_t n = 0;

        if (r->entry->encrypted)
                for (size_t i = 0; r->encrypted_store_dirs[i] && n + 1 < size; i++)
                        dirs[n++] = r->encrypted_store_dirs[i];
        if (with_caller && r->caller_dir && n + 1 < size)
                dirs[n++] = r->caller_dir;
        for (size_t i = 0; r->store_dirs[i] && n + 1 < size; i++)
                dirs[n++] = r->store_dirs[i];
        dirs[n] = NULL;
}

/* The stores as a message lists them: "/etc/credstore, /run/credstore, ... or /usr/lib/credstore". */
static void stores_list(const CredentialReader *r, char *buf, size_t size) {
        const char *dirs[32];
        size_t n = 0, count = 0;

        search_dirs(r, false, dirs, ELEMENTSOF(dirs));
        buf[0] = 0;
        while (dirs[count])
                count++;
        for (size_t i = 0; i < count && n < size; i++)
                n += (size_t) snprintf(buf + n, size - n, "%s%s", i == 0 ? "" : i + 1 == count ? " or " : ", ",
                                       dirs[i]);
}

/* A relative PATH: what cell's caller passed in $CREDENTIALS_DIRECTORY, else
 * the first of the credential stores that has it, as systemd 252 looks for
 * a service's. 1: found (*ret_path is where), 0: nowhere, or -errno (said). */
static int read_inherited(CredentialReader *r, char **ret, size_t *ret_size, char **ret_path) {
        const PlanCredential *e = r->entry;
        const char *dirs[32];

        search_dirs(r, true, dirs, ELEMENTSOF(dirs));
        for (size_t i = 0; dirs[i]; i++) {
                const char *dir = dirs[i];
                _cleanup_free_ char *path = NULL;
                int k;

                if (asprintf(&path, "%s/%s", dir, e->source) < 0)
                        return spawn_error(r->err, ENOMEM, "credentials: out of memory");
                /* A file only, as systemd: a store (or what our caller was
                 * given) holds credentials, never a socket to connect to. */
                k = read_source(AT_FDCWD, path, 0, source_max(r), ret, ret_size);
                if (k == -ENOENT)
                        continue;
                if (k == -ENXIO || k == -EBADFD)
                        return reader_error(r, EBADFD, "%s: not a regular file (an AF_UNIX socket is connected to "
                                            "only as an absolute PATH, as systemd does)", path);
                if (k < 0)
                        return source_error(r, k, path);
                *ret_path = TAKE_PTR(path);
                return 1;
        }
        return 0;
}

/* One LoadCredential=: 1 when it gave something, 0 when its source is
 * missing and SetCredential= of its ID stands in. */
static int read_load(CredentialReader *r) {
        const PlanCredential *e = r->entry;
        _cleanup_free_ char *found = NULL;
        const char *path = e->source;
        char *data, stores[PATH_MAX];
        size_t size;
        int k;

        if (path[0] != '/') {
                k = read_inherited(r, &data, &size, &found);
                if (k < 0)
                        return k;
                if (k == 0 && e->has_value)
                        return 0;
                if (k == 0) {
                        stores_list(r, stores, sizeof stores);
                        /* As systemd's get_credentials_dir(): only an absolute, plain path counts. */
                        if (r->caller_dir_ignored)
                                return reader_error_complete(r, ENXIO, "$CREDENTIALS_DIRECTORY (\"%s\") is not an "
                                                             "absolute path and is ignored, as systemd's, and %s "
                                                             "has no %s", r->caller_dir_ignored, stores, e->source);
                        if (!r->caller_dir)
                                return reader_error(r, ENXIO, "$CREDENTIALS_DIRECTORY is not set (cell was started "
                                                    "without credentials to pass on: LoadCredential= of the service "
                                                    "that runs cell gives them), and %s has no %s", stores,
                                                    e->source);
                        return reader_error(r, ENOENT, "no credential %s in $CREDENTIALS_DIRECTORY (%s), nor in %s",
                                            e->source, r->caller_dir, stores);
                }
        } else {
                k = read_absolute(r, path, &data, &size);
                if (k > 0)
                        return 1;
                if (k == -ENOENT && e->has_value)
                        return 0;
                if (k == -ENOENT)
                        return source_error(r, k, path);
                if (k < 0)
                        return k;
        }
        /* Decrypted before anything else: a credential that does not
         * authenticate fails the start, as systemd's. */
        if (e->encrypted) {
                k = reader_decrypt(r, e->id, found ?: path, &data, &size);
                if (k < 0)
                        return k;
        }
        /* Given already by a directory's file of that name (another
         * LoadCredential='s, on an earlier line): this one replaces it, as
         * in systemd. */
        ssize_t taken = reader_find(r, e->id);
        if (taken >= 0)
                k = reader_replace(r, (size_t) taken, data, size, found ?: path);
        else
                k = reader_add(r, e->id, data, size, found ?: path);
        return k < 0 ? k : 1;
}

int credentials_read(Plan *p, const CredentialSources *src, SpawnError *err) {
        const char *caller_dir = src ? src->caller_dir : NULL;
        CredentialReader r = {
                .plan = p,
                .left = CELL_CREDENTIALS_TOTAL_SIZE_MAX,
                .caller_dir = !isempty(caller_dir) && caller_dir[0] == '/' ? caller_dir : NULL,
                .caller_dir_ignored = !isempty(caller_dir) && caller_dir[0] != '/' ? caller_dir : NULL,
                .store_dirs = src && src->store_dirs ? src->store_dirs : credentials_store_dirs,
                .encrypted_store_dirs = src && src->encrypted_store_dirs ? src->encrypted_store_dirs :
                                        credentials_encrypted_store_dirs,
                .socket_timeout_usec = src && src->socket_timeout_usec > 0 ? src->socket_timeout_usec :
                                       CELL_CREDENTIAL_SOCKET_TIMEOUT_USEC,
                .decrypt_program = src && src->decrypt_program ? src->decrypt_program :
                                   CELL_CREDENTIAL_DECRYPT_PROGRAM,
                .decrypt_timeout_usec = src && src->decrypt_timeout_usec > 0 ? src->decrypt_timeout_usec :
                                        CELL_CREDENTIAL_DECRYPT_TIMEOUT_USEC,
                .interrupt_fd = src && src->interruptible ? src->interrupt_fd : -EBADF,
                .err = err,
        };
        int k = 0;

        r.socket_deadline = now_monotonic_usec() + r.socket_timeout_usec;
        r.decrypt_deadline = now_monotonic_usec() + r.decrypt_timeout_usec;
        plan_credential_data_erase(p);
        /* No core dump of ours may hold a secret (nor may a ptrace of the
         * same user read one): non-dumpable from before the first byte is
         * read, as the child and the tree builder are. An exec (cell-monitor)
         * makes a process dumpable again, with none of this memory left. */
        if (p->n_credentials > 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return spawn_error(err, errno, "credentials: prctl(PR_SET_DUMPABLE)");
        /* Loads first, then SetCredential= for the IDs still missing. */
        for (unsigned pass = 0; pass < 2 && k >= 0; pass++)
                for (size_t i = 0; i < p->n_credentials && k >= 0; i++) {
                        const PlanCredential *e = p->credentials + i;
                        char *copy;

                        r.entry = e;
                        r.setting = pass == 1;
                        r.origin[0] = 0;
                        if (r.setting && e->value_file)
                                (void) snprintf(r.origin, sizeof r.origin, "%s:%u: ", e->value_file, e->value_line);
                        else if (e->file)
                                (void) snprintf(r.origin, sizeof r.origin, "%s:%u: ", e->file, e->line);
                        if (pass == 0) {
                                if (e->source)
                                        k = read_load(&r);
                                continue;
                        }
                        if (!e->has_value || reader_find(&r, e->id) >= 0)
                                continue;
                        copy = malloc(e->size + 1);
                        if (!copy) {
                                k = spawn_error(err, ENOMEM, "credentials: out of memory");
                                break;
                        }
                        memcpy(copy, e->value, e->size);
                        copy[e->size] = 0;      /* as a file's: NUL-terminated (credentials.h) */
                        size_t size = e->size;
                        if (e->value_encrypted && (k = reader_decrypt(&r, e->id, "", &copy, &size)) < 0)
                                break;
                        k = reader_add(&r, e->id, copy, size, NULL);
                }
        reader_done(&r);
        if (k < 0)
                plan_credential_data_erase(p);
        return k < 0 ? k : 0;
}
