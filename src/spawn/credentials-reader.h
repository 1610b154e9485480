/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state of one credentials_read() (credentials.h), shared by its two
 * halves: credentials.c reads the sources, credentials-reader.c keeps what
 * they gave (one entry per ID, which of two wins, the limits, decryption)
 * and words every message "FILE:LINE: LoadCredential=ID[:SOURCE]: ...". */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macros.h"
#include "plan.h"
#include "spawn-error.h"

typedef struct CredentialReader {
        Plan *plan;
        const PlanCredential *entry;    /* the one being read, for messages */
        char origin[PATH_MAX + 32];     /* "FILE:LINE: " of its key */
        size_t left;                    /* of CELL_CREDENTIALS_TOTAL_SIZE_MAX */
        const char *caller_dir;         /* absolute, or NULL */
        const char *caller_dir_ignored; /* what $CREDENTIALS_DIRECTORY said when not absolute, or NULL */
        const char *const *store_dirs;
        const char *const *encrypted_store_dirs;
        uint64_t socket_timeout_usec;
        const char *decrypt_program;
        uint64_t decrypt_timeout_usec;
        uint64_t decrypt_deadline;      /* CLOCK_MONOTONIC: the timeout is all decryptions' together */
        bool setting;                   /* the entry's SetCredential= is read, not its load */
        uint64_t socket_deadline;       /* CLOCK_MONOTONIC: the timeout is all sockets' together */
        int interrupt_fd;               /* or -EBADF */
        SpawnError *err;
        char **from;                    /* where each of plan->credential_data came from, for notices */
        size_t allocated;               /* room in plan->credential_data and from */
        size_t *index;                  /* by the ID's hash: 1 + its place in plan->credential_data, 0: free */
        size_t index_size;              /* a power of two, or 0 */
} CredentialReader;

/* The place of id in plan->credential_data, or -1: at once, also with a
 * directory of 100000 files (a lookup for each). */
ssize_t reader_find(const CredentialReader *r, const char *id);
/* Frees what the reader holds of its own (not the plan's credentials). */
void reader_done(CredentialReader *r);
void reader_notice(CredentialReader *r, const char *fmt, ...) _printf_(2, 3);
int reader_error(CredentialReader *r, int error, const char *fmt, ...) _printf_(3, 4);
int reader_error_complete(CredentialReader *r, int error, const char *fmt, ...) _printf_(3, 4);
int reader_decrypt(CredentialReader *r, const char *id, const char *where, char **data, size_t *size);
int reader_add(CredentialReader *r, const char *id, char *data, size_t size, const char *from);
int reader_replace(CredentialReader *r, size_t i, char *data, size_t size, const char *from);
size_t source_max(const CredentialReader *r);
int source_error(CredentialReader *r, int e, const char *path);
