/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What credentials_read() keeps of its sources, and its messages (credentials-reader.h). */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credentials-decrypt.h"
#include "credentials-reader.h"
#include "credentials-socket.h"
#include "credentials.h"
#include "log.h"
#include "macros.h"

/* FNV-1a: IDs are short and ours (a directory's file names), no adversary picks them to collide. */
static size_t id_hash(const char *id) {
        uint64_t h = UINT64_C(14695981039346656037);

        for (; *id; id++)
                h = (h ^ (uint8_t) *id) * UINT64_C(1099511628211);
        return (size_t) h;
}

ssize_t reader_find(const CredentialReader *r, const char *id) {
        size_t mask = r->index_size - 1;

        if (r->index_size == 0)
                return -1;
        for (size_t i = id_hash(id) & mask;; i = (i + 1) & mask) {
                size_t v = r->index[i];

                if (v == 0)
                        return -1;
                if (streq(r->plan->credential_data[v - 1].id, id))
                        return (ssize_t) (v - 1);
        }
}

/* plan->credential_data[pos] into the index, which is made twice as large
 * (and filled again) once it would be half full: a lookup stays one or two
 * probes. */
static int index_put(CredentialReader *r, size_t pos) {
        size_t from = pos, mask;

        if ((pos + 1) * 2 > r->index_size) {
                size_t size = MAX(r->index_size * 2, (size_t) 64);
                size_t *n = calloc(size, sizeof *n);

                if (!n)
                        return -ENOMEM;
                free(r->index);
                r->index = n;
                r->index_size = size;
                from = 0;
        }
        mask = r->index_size - 1;
        for (size_t k = from; k <= pos; k++) {
                size_t i = id_hash(r->plan->credential_data[k].id) & mask;

                while (r->index[i] != 0)
                        i = (i + 1) & mask;
                r->index[i] = k + 1;
        }
        return 0;
}

void reader_done(CredentialReader *r) {
        for (size_t i = 0; i < r->plan->n_credential_data && r->from; i++)
                free(r->from[i]);
        r->from = mfree(r->from);
        r->index = mfree(r->index);
        r->index_size = r->allocated = 0;
}

/* The message's "FILE:LINE: LoadCredential=ID[:SOURCE]" (or SetCredential=ID,
 * or their Encrypted variants); complete: no strerror after it. */
_printf_(4, 0)
static int reader_errorv(CredentialReader *r, int error, bool complete, const char *fmt, va_list ap) {
        const PlanCredential *e = r->entry;
        char what[768];

        (void) vsnprintf(what, sizeof what, fmt, ap);
        if (e->source && !r->setting)
                return (complete ? spawn_error_complete : spawn_error)(
                        r->err, error, "%sLoadCredential%s=%s%s%s: %s", r->origin, e->encrypted ? "Encrypted" : "",
                        e->id, streq(e->source, e->id) ? "" : ":", streq(e->source, e->id) ? "" : e->source, what);
        return (complete ? spawn_error_complete : spawn_error)(r->err, error, "%sSetCredential%s=%s: %s", r->origin,
                                                               e->value_encrypted ? "Encrypted" : "", e->id, what);
}

/* A notice (the start goes on), under the same "FILE:LINE: LoadCredential=ID[:SOURCE]". */
_printf_(2, 3)
void reader_notice(CredentialReader *r, const char *fmt, ...) {
        const PlanCredential *e = r->entry;
        char what[1024];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        log_notice("%sLoadCredential%s=%s%s%s: %s", r->origin, e->encrypted ? "Encrypted" : "", e->id,
                   streq(e->source, e->id) ? "" : ":", streq(e->source, e->id) ? "" : e->source, what);
}

int reader_error(CredentialReader *r, int error, const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = reader_errorv(r, error, false, fmt, ap);
        va_end(ap);
        return k;
}

int reader_error_complete(CredentialReader *r, int error, const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = reader_errorv(r, error, true, fmt, ap);
        va_end(ap);
        return k;
}

/* Whether path lies in the caller's $CREDENTIALS_DIRECTORY. */
static bool in_caller_dir(const CredentialReader *r, const char *path) {
        size_t n = r->caller_dir ? strlen(r->caller_dir) : 0;

        return n > 0 && strncmp(path, r->caller_dir, n) == 0 && path[n] == '/';
}

/* The step that helps where systemd-creds' words name no file: the host
 * key missing, or another host's. NULL: none known. Short: the message
 * holds 512 bytes (spawn-error.h), paths and systemd-creds' words too. */
static const char *decrypt_hint(const char *said) {
        if (strstr(said, "local credential key: No such file or directory"))
                return "this host has no " CELL_CREDENTIAL_HOST_KEY ", nor a TPM2 for it: encrypt it again on this "
                       "host";
        if (strstr(said, "incorrect key?"))
                return "not encrypted with this host's " CELL_CREDENTIAL_HOST_KEY " or TPM2: encrypt it again on this "
                       "host";
        return NULL;
}

/* *data (the encrypted credential id, as read from where, "" for a
 * SetCredentialEncrypted= value) replaced by its plaintext; erased on
 * failure. systemd-creds checks that it was encrypted for id. */
int reader_decrypt(CredentialReader *r, const char *id, const char *where, char **data, size_t *size) {
        char said[256], span[32], *plain = NULL;
        const char *sep = isempty(where) ? "" : ": ", *hint;
        uint64_t now = now_monotonic_usec();
        size_t n = 0;
        int k;

        /* What is left of the one timeout, as for the sockets: n credentials
         * of a TPM2 that hangs must not hold the start n times as long. */
        k = credential_decrypt(r->decrypt_program, id, *data, *size,
                               r->decrypt_deadline > now ? r->decrypt_deadline - now : 0, r->interrupt_fd,
                               CELL_CREDENTIAL_SIZE_MAX, &plain, &n, said, sizeof said);
        explicit_bzero(*data, *size);
        *data = mfree(*data);
        switch (-k) {
        case 0:
                *data = plain;
                *size = n;
                return 0;
        case EBADMSG:
                /* What a service passes in $CREDENTIALS_DIRECTORY, systemd
                 * decrypted for it: an admin's drop-in LoadCredentialEncrypted=
                 * and a unit's LoadCredentialEncrypted= of the same name do
                 * not go together, and systemd-creds' own words do not say so. */
                if (in_caller_dir(r, where))
                        return reader_error_complete(r, k, "%s%s%s could not decrypt it: %s (a credential the "
                                                     "service passes is decrypted already: take it with "
                                                     "LoadCredential=%s)", where, sep, r->decrypt_program,
                                                     said, id);
                hint = decrypt_hint(said);
                if (hint)
                        return reader_error_complete(r, k, "%s%s%s could not decrypt it: %s (%s: "
                                                     "systemd-creds encrypt --name=%s)", where, sep,
                                                     r->decrypt_program, said, hint, id);
                return reader_error_complete(r, k, "%s%s%s could not decrypt it: %s", where, sep,
                                             r->decrypt_program, said);
        case ETIMEDOUT:
                plan_format_usec(r->decrypt_timeout_usec, span, sizeof span);
                return reader_error_complete(r, k, "%s%s%s did not decrypt it within %s, the time all of the "
                                             "start's decryptions have together", where, sep, r->decrypt_program,
                                             span);
        case EFBIG:
                return reader_error_complete(r, k, "%s%sits plaintext is larger than %u bytes, the most a credential "
                                             "holds (as systemd's)", where, sep, CELL_CREDENTIAL_SIZE_MAX);
        case EINTR:     /* the caller says it (a stop while starting, or ^C) */
                return reader_error_complete(r, k, "%s%sinterrupted while %s decrypted it", where, sep,
                                             r->decrypt_program);
        case ENOMEM:
                return spawn_error(r->err, k, "credentials: out of memory");
        default:
                /* cell decrypts nothing itself: without systemd's tool, no start. */
                return reader_error(r, k, "%s%scannot run %s to decrypt it (Debian's systemd package has it)", where,
                                    sep, r->decrypt_program);
        }
}

/* Takes data (erasing it on failure). from: where it came from (a path,
 * or NULL: the unit's SetCredential=). */
int reader_add(CredentialReader *r, const char *id, char *data, size_t size, const char *from) {
        _cleanup_free_ char *copy = NULL, *from_copy = NULL;
        size_t add = strlen(id) + size;
        PlanCredentialData *n;
        Plan *p = r->plan;
        char **f;

        if (add > r->left) {
                explicit_bzero(data, size);
                free(data);
                /* Complete: strerror(E2BIG), "Argument list too long", would mislead. */
                return reader_error_complete(r, E2BIG, "%s: all credentials together may hold at most %u bytes "
                                             "(IDs included), as systemd's: it needs %zu with its ID, and the ones "
                                             "before it left %zu", id, CELL_CREDENTIALS_TOTAL_SIZE_MAX, add, r->left);
        }
        copy = strdup(id);
        from_copy = from ? strdup(from) : NULL;
        /* Twice the room each time: a directory of many files is not copied once per file. */
        if (copy && (!from || from_copy) && p->n_credential_data == r->allocated) {
                size_t want = MAX(r->allocated * 2, (size_t) 16);

                f = reallocarray(r->from, want, sizeof *f);
                if (f)
                        r->from = f;
                n = f ? reallocarray(p->credential_data, want, sizeof *n) : NULL;
                if (n) {
                        p->credential_data = n;
                        r->allocated = want;
                }
        }
        if (!copy || (from && !from_copy) || p->n_credential_data == r->allocated) {
                explicit_bzero(data, size);
                free(data);
                return spawn_error(r->err, ENOMEM, "credentials: out of memory");
        }
        r->from[p->n_credential_data] = TAKE_PTR(from_copy);
        p->credential_data[p->n_credential_data++] = (PlanCredentialData) {
                .id = TAKE_PTR(copy), .data = data, .size = size,
        };
        r->left -= add;
        /* Kept (the plan holds it), only its lookup is lost: said as out of memory, as the start ends. */
        if (index_put(r, p->n_credential_data - 1) < 0)
                return spawn_error(r->err, ENOMEM, "credentials: out of memory");
        return 0;
}

/* The credential at i, a directory's file (an ID's own LoadCredential= lines
 * are one plan entry: config-credential.c), replaced by data (taken): the
 * ID's own wins over a directory's file of that name, whichever comes
 * first, as systemd 252 (it writes an ID's own over what is there, and a
 * directory's file never over what is there). */
int reader_replace(CredentialReader *r, size_t i, char *data, size_t size, const char *from) {
        PlanCredentialData *c = r->plan->credential_data + i;
        char *from_copy = strdup(from);

        if (!from_copy || size > r->left + c->size) {
                if (data)       /* never NULL: for gcc's -Wnonnull under ASan */
                        explicit_bzero(data, size);
                free(data);
                free(from_copy);
                if (!from_copy)
                        return spawn_error(r->err, ENOMEM, "credentials: out of memory");
                return reader_error_complete(r, E2BIG, "%s: all credentials together may hold at most %u bytes "
                                             "(IDs included), as systemd's: it needs %zu with its ID, and the ones "
                                             "before it left %zu", c->id, CELL_CREDENTIALS_TOTAL_SIZE_MAX,
                                             strlen(c->id) + size, r->left + c->size + strlen(c->id));
        }
        reader_notice(r, "the credential %s comes from %s, not %s: a directory's file of that name gives way "
                      "to the ID's own LoadCredential=, as in systemd", c->id, from, r->from[i]);
        r->left = r->left + c->size - size;
        explicit_bzero(c->data, c->size);
        free(c->data);
        c->data = data;
        c->size = size;
        free(r->from[i]);
        r->from[i] = from_copy;
        return 0;
}

/* The most a source may hold: an encrypted one's header and key material
 * come on top of the plaintext's limit, as systemd's. */
size_t source_max(const CredentialReader *r) {
        return r->entry->encrypted ? CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX : CELL_CREDENTIAL_SIZE_MAX;
}

int source_error(CredentialReader *r, int e, const char *path) {
        switch (-e) {
        case EFBIG:
                return reader_error(r, e, "%s: larger than %zu bytes, the most %s credential holds (as systemd's)",
                                    path, source_max(r), r->entry->encrypted ? "an encrypted" : "a");
        case EBADFD:
                return reader_error(r, e, "%s: not a regular file or AF_UNIX stream socket (a FIFO or device is "
                                    "not read)", path);
        case ETIMEDOUT: {
                char span[32];

                plan_format_usec(r->socket_timeout_usec, span, sizeof span);
                return reader_error(r, e, "%s: the socket's server sent no whole credential within %s, the time "
                                    "all of the start's credential sockets have together (it must accept, send the "
                                    "credential and close the connection)", path, span);
        }
        case ECONNREFUSED:
                return reader_error(r, e, "%s: nobody listens on this socket (start its server, or its .socket "
                                    "unit, before cell)", path);
        case EPROTOTYPE:
                return reader_error(r, e, "%s: not a stream socket (a credential is read from an AF_UNIX "
                                    "SOCK_STREAM socket, as systemd's)", path);
        case ENAMETOOLONG:
                return reader_error(r, e, "%s: the name cell's end of the socket connects from "
                                    "(\\0RANDOM/unit/%s/%s) would not fit an AF_UNIX address (the scope's name "
                                    "and the ID may have %u characters together, as in systemd: shorten the ID or "
                                    "the container's name)", path, r->plan->scope_unit ?: "", r->entry->id,
                                    CELL_CREDENTIAL_SOCKET_UNIT_ID_MAX);
        case EINTR:     /* the caller says it (a stop while starting, or ^C) */
                return reader_error(r, e, "%s: interrupted while waiting for the socket's server", path);
        case ENOTDIR:   /* "/etc/db.txt/": a trailing "/" names a directory, in systemd too */
                if (endswith(path, "/"))
                        return reader_error(r, e, "%s: not a directory (a PATH that ends in \"/\" names one, as "
                                            "in systemd: without the \"/\" a file is read)", path);
                return reader_error(r, e, "%s", path);
        case ENOMEM:
                return spawn_error(r->err, e, "credentials: out of memory");
        default:
                return reader_error(r, e, "%s", path);
        }
}
