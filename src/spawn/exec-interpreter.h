/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Why execve() says ENOENT of a file that exists: the interpreter it names
 * is missing. Either its "#!" line's (a script whose interpreter the image
 * lacks) or its ELF interpreter, the dynamic loader in PT_INTERP (a
 * dynamically linked program in a root without its libraries), one level
 * deep: a script's interpreter that exists may itself lack its loader.
 * Paths resolve as the kernel resolves them (in our root, from our cwd).
 * The "words" go after "Exec=PATH: ". */

#include <stddef.h>

/* 1 with *ret (size bytes) filled in when a missing interpreter explains it,
 * 0 when none does (neither a script nor a dynamic ELF program, or its
 * interpreter exists), -errno when path cannot be read. */
int exec_missing_interpreter(const char *path, char *ret, size_t size);

/* Why a command name without a "/" was not found: the $PATH it was looked
 * up in (spawn_find_exec()'s path: the environment's value, NULL when it
 * has none), into ret (size bytes), for after "Exec=NAME: ": "not found in
 * the container's $PATH (/usr/bin:/bin)". Not the files: the lookup may
 * have skipped one that is not executable. */
void exec_not_found_in_path(const char *path, char *ret, size_t size);

/* Whether running path would take the kernel through a /proc "magic" link:
 * the file itself, the interpreters of its "#!" lines (as deep as the kernel
 * follows them) or its ELF interpreter. /proc/self/exe in the container is
 * the binary of the process that execs, cell's own, on the host's file
 * system: run as the container's root, a process of the container could
 * reopen it for writing once no cell runs it (CVE-2019-5736's class).
 * -ELOOP with the message (after "Exec=") in ret, else 0 (other failures are
 * the exec's to report). */
int exec_check_magic_links(const char *path, char *ret, size_t size);
