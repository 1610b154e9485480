/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* LoadCredential= and SetCredential= at start, in the supervisor, before
 * the clone and as the host's root (the unit is the admin's): each source
 * read into plan->credential_data, which the tree build writes into the
 * container (mount-credentials.h). As systemd 252's service start:
 *
 *  - an absolute PATH is read; a directory gives one credential per
 *    regular file below it, "ID_FILE" ("ID_SUB_FILE" for SUB/FILE), in
 *    sorted order, symlinks skipped, a name already taken skipped;
 *  - a relative PATH (the ID when none is written) is a credential the
 *    caller of cell passed: caller_dir/PATH ($CREDENTIALS_DIRECTORY);
 *  - a source that does not exist falls back to SetCredential= of the ID;
 *    without one it is an error (systemd skips a missing inherited one:
 *    cell says so, as systemd-nspawn's --load-credential= does);
 *  - SetCredential= adds the IDs no load gave;
 *  - one credential holds at most CELL_CREDENTIAL_SIZE_MAX bytes, all of
 *    them (with their IDs' lengths) CELL_CREDENTIALS_TOTAL_SIZE_MAX.
 *
 * Errors begin with the key's "FILE:LINE: LoadCredential=ID:PATH" and name
 * no byte of a credential. On failure plan->credential_data is empty. */

#include "plan.h"
#include "spawn-error.h"

int credentials_read(Plan *p, const char *caller_dir, SpawnError *err);
