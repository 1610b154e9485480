/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* LoadCredential= and SetCredential= (and their Encrypted variants) at
 * start, in the supervisor, before the clone and as the host's root (the
 * unit is the admin's): each source read into plan->credential_data, which the tree build writes into the
 * container (mount-credentials.h). As systemd 252's service start:
 *
 *  - an absolute PATH is opened as a directory, else read as a file (a
 *    directory gone meanwhile is missing); a directory gives one credential per
 *    regular file below it, "ID_FILE" ("ID_SUB_FILE" for SUB/FILE), in
 *    sorted order, symlinks skipped, an entry gone since the directory
 *    was listed skipped (as systemd: a file rotated away meanwhile), a
 *    subdirectory it cannot open (EACCES) or 100 levels down skipped (with
 *    a notice), a file it cannot read an error, a
 *    name already taken skipped (with a notice); an ID's own
 *    LoadCredential= replaces a directory's file of that name (with a
 *    notice), whichever line comes first, as systemd 252
 *    writes the one over the other;
 *  - an AF_UNIX stream socket as an absolute PATH is connected to and
 *    read until the server closes (credentials-socket.h);
 *  - a relative PATH (the ID when none is written) is a credential the
 *    caller of cell passed: caller_dir/PATH ($CREDENTIALS_DIRECTORY), else
 *    a regular file of that name in the credential stores, /etc/credstore,
 *    /run/credstore, /usr/local/lib/credstore and /usr/lib/credstore, in
 *    that order (a socket there is an error, as in systemd);
 *  - a source that does not exist falls back to SetCredential= of the ID;
 *    without one it is an error (systemd skips a missing inherited one:
 *    cell says so, as systemd-nspawn's --load-credential= does);
 *  - SetCredential= adds the IDs no load gave;
 *  - LoadCredentialEncrypted= reads its source as LoadCredential= (at most
 *    CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX bytes), a relative PATH first in
 *    /etc/credstore.encrypted, /run/credstore.encrypted and
 *    /usr/lib/credstore.encrypted, and hands it to systemd-creds
 *    (credentials-decrypt.h) with the ID: the plaintext is the credential.
 *    SetCredentialEncrypted='s value alike, where it is used;
 *  - one credential holds at most CELL_CREDENTIAL_SIZE_MAX bytes, all of
 *    them (with their IDs' lengths) CELL_CREDENTIALS_TOTAL_SIZE_MAX.
 *
 * Errors begin with the key's "FILE:LINE: LoadCredential=ID:PATH" (or the
 * Encrypted key's, or SetCredential='s with its own line) and name no byte
 * of a credential's plaintext. On failure plan->credential_data is empty. */

#include <stdbool.h>
#include <stdint.h>

#include "plan.h"
#include "spawn-error.h"

typedef struct CredentialSources {
        const char *caller_dir;         /* cell's $CREDENTIALS_DIRECTORY, or NULL */
        const char *const *store_dirs;  /* NULL: credentials_store_dirs */
        uint64_t socket_timeout_usec;   /* all sockets' together; 0: CELL_CREDENTIAL_SOCKET_TIMEOUT_USEC */
        const char *const *encrypted_store_dirs; /* NULL: credentials_encrypted_store_dirs */
        const char *decrypt_program;    /* NULL: CELL_CREDENTIAL_DECRYPT_PROGRAM */
        uint64_t decrypt_timeout_usec;  /* all decryptions' together; 0: CELL_CREDENTIAL_DECRYPT_TIMEOUT_USEC */
        bool interruptible;             /* interrupt_fd is set: its readiness ends a wait (-EINTR) */
        int interrupt_fd;               /* the start's signalfd of SIGTERM, SIGINT, SIGHUP */
} CredentialSources;

/* NULL-terminated: where a relative PATH is looked for after caller_dir. */
extern const char *const credentials_store_dirs[];
/* ...and, for LoadCredentialEncrypted=, before it. */
extern const char *const credentials_encrypted_store_dirs[];

int credentials_read(Plan *p, const CredentialSources *src, SpawnError *err);

/* The end of every read of a source (file, socket, systemd-creds' output):
 * buf, read up to the most a credential may be, is erased and freed; on
 * success (r >= 0) *ret gets a copy of its n bytes, NUL-terminated, kept at
 * its size (a directory of small files must not hold that most for each).
 * Returns r, or -ENOMEM. */
int credential_buffer_keep(char *buf, size_t n, int r, char **ret, size_t *ret_size);
