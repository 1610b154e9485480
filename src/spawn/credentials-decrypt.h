/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* LoadCredentialEncrypted= and SetCredentialEncrypted=: the encrypted
 * credential is handed to systemd's own tool, "systemd-creds decrypt
 * --name=ID - -", which knows its format, the host key
 * (/var/lib/systemd/credential.secret) and the TPM2, and checks the name
 * the credential was encrypted for against ID as systemd's service start
 * does. Ciphertext goes to its stdin, the plaintext comes from its stdout:
 * never through a file. cell does no cryptography of its own. */

#include <stddef.h>
#include <stdint.h>

#include "macros.h"

/* Debian's (the systemd package): an absolute path, never looked up in
 * $PATH, as cell runs it as root with the unit's secrets. */
#define CELL_CREDENTIAL_DECRYPT_PROGRAM "/usr/bin/systemd-creds"
/* Where systemd-creds keeps the host key (cell does not pass on
 * $SYSTEMD_CREDENTIAL_SECRET, which would move it): named by messages. */
#define CELL_CREDENTIAL_HOST_KEY "/var/lib/systemd/credential.secret"
/* As a credential socket's read: systemd's default start timeout. */
#define CELL_CREDENTIAL_DECRYPT_TIMEOUT_USEC (90 * USEC_PER_SEC)

/* Runs program (argv "systemd-creds decrypt --name=ID - -") with in on its
 * stdin and returns its stdout, at most max bytes, in a malloc()ed buffer.
 * It gets fds 0, 1 and 2 only, PATH as its whole environment and a process
 * group of its own, killed when it exits: its stdout is read until then,
 * not until whatever it forked closes it.
 * The helper is killed and reaped on every failure; nothing it printed
 * stays in memory unerased. Errors: -ENOENT (or another exec errno) when
 * program cannot be run, -ETIMEDOUT when it did not finish within
 * timeout_usec, -EINTR when interrupt_fd (or -EBADF: none) became readable
 * first (the start's signalfd: a stop while starting must not wait out the
 * timeout), -EFBIG when it printed more than max, -EBADMSG when it
 * failed: message then holds the last line it said on stderr (control
 * characters replaced), or how it ended. */
int credential_decrypt(const char *program, const char *id, const char *in, size_t in_size, uint64_t timeout_usec,
                       int interrupt_fd, size_t max, char **ret, size_t *ret_size, char *message, size_t message_size);
