/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* SystemCallFilter= with systemd's semantics:
 *  - whitespace separated syscall names and "@group"s, each optionally
 *    suffixed ":ERRNO" (a name such as EPERM, a number 0..4095, 0 being
 *    success without the call, or "kill");
 *  - a leading "~" makes the assignment a deny list, else an allow list;
 *  - the first non-empty assignment decides which the filter is; an allow
 *    list starts with "@default"; later assignments of the same kind add to
 *    it, of the other kind take their calls out of it (groups expanded
 *    first, even @default);
 *  - ":ERRNO" is only taken by deny-list assignments ("~...");
 *  - the empty assignment resets the filter. */

#include "config.h"

typedef enum SyscallFilterError {
        SYSCALL_FILTER_OK = 0,
        SYSCALL_FILTER_BAD_NAME,        /* no such syscall or group */
        SYSCALL_FILTER_BAD_ERRNO,       /* ":ERRNO" not an errno */
        SYSCALL_FILTER_ERRNO_IN_ALLOW,  /* ":ERRNO" in an allow-list assignment */
        SYSCALL_FILTER_SYNTAX,          /* quoting, or "~" alone */
} SyscallFilterError;

/* Applies one SystemCallFilter= assignment to c, written at line of file
 * (NULL: the main file), which the items it decides keep as their origin.
 * Returns 0, -EINVAL (c unchanged; *ret_error says why and *ret_word,
 * malloc'ed, names the bad item when there is one) or -ENOMEM. */
int parse_syscall_filter(CellConfig *c, const char *s, const char *file, unsigned line,
                         SyscallFilterError *ret_error, char **ret_word);

/* What a denied call does, as systemd 252 takes it: "kill" (CELL_SYSCALL_KILL),
 * an errno name or a number 1..4095, and 0 (success, nothing done) where
 * allow_zero (":ERRNO" of SystemCallFilter=, not SystemCallErrorNumber=).
 * -EINVAL or -ERANGE otherwise. */
int parse_syscall_error(const char *s, bool allow_zero, int *ret);

/* Whether name is a syscall libseccomp knows (on any architecture). */
bool syscall_name_is_valid(const char *name);

void cell_syscall_filter_reset(CellConfig *c);
