/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The names SystemCallArchitectures=, RestrictNamespaces= and
 * RestrictAddressFamilies= take, as systemd 252 spells them, and the
 * assignments' semantics (systemd.exec(5)). Each parser validates the whole
 * value before it changes the config: a bad word leaves it as it was. */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* SystemCallArchitectures=: "native" or one of systemd's architecture names
 * ("x86-64", "x86", "x32", "arm64", ...) -> libseccomp's SCMP_ARCH_* token.
 * "native" resolves to the architecture cell is built for. -EINVAL for any
 * other word. */
int syscall_arch_from_string(const char *s, uint32_t *ret);

/* systemd's name of a libseccomp architecture token, NULL if none. */
const char *syscall_arch_to_string(uint32_t arch);

/* Whether this machine's kernel takes system calls of arch (x86 and x32
 * on x86-64, arm on arm64, ...). */
bool syscall_arch_is_local(uint32_t arch);

/* Adds the architectures of one assignment (space-separated words) to
 * c->syscall_archs (an empty value resets). Returns 0, -ENOMEM or -EINVAL with
 * *ret_word (malloc'ed) the word that is none. */
int parse_syscall_archs(CellConfig *c, const char *s, char **ret_word);

/* RestrictNamespaces=: "cgroup", "ipc", "net", "mnt", "pid", "user", "uts",
 * "time" -> CLONE_NEW*; 0 for any other word. */
unsigned long namespace_flag_from_string(const char *s);
const char *namespace_flag_to_string(unsigned long flag);

/* Every CLONE_NEW* flag RestrictNamespaces= knows. */
unsigned long namespace_flags_all(void);

/* One RestrictNamespaces= assignment: a boolean, or [~]LIST; merged with
 * earlier ones as systemd does (see parse-isolation.c). */
int parse_restrict_namespaces(CellConfig *c, const char *s, char **ret_word);

/* RestrictAddressFamilies=: "AF_INET" ... (any case, as systemd's) -> its
 * number, -EINVAL if none. */
int address_family_from_string(const char *s);
/* The canonical name of family af ("AF_UNIX", not "AF_LOCAL"), NULL if none. */
const char *address_family_to_string(int af);

/* One RestrictAddressFamilies= assignment: "none", or [~]LIST of AF_ names. */
int parse_address_families(CellConfig *c, const char *s, char **ret_word);
