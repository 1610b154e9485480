/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder: replaced by the work that owns this verb. */
#include "log.h"
#include "verbs.h"

int verb_verify(int argc, char *argv[]) {
        log_error("\"cell verify\" is not implemented yet.");
        return CELL_EXIT_FAILURE;
}
