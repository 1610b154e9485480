/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* KEY=VALUE lists: the payload's environment (merged by the child once it
 * knows the user from the container's /etc/passwd), and files in systemd's
 * EnvironmentFile= syntax, which os-release(5) and machine-info(5) share
 * (the EnvironmentFile= values, read by the supervisor before the clone;
 * the %o, %w, %q ... specifiers). */

#include <stdio.h>

#include "macros.h"

/* Sets "KEY=VALUE" in *env, replacing an earlier assignment of KEY.
 * Returns 0, -EINVAL for an assignment without '=' or with an empty key,
 * -ENOMEM. */
int env_assign(char ***env, const char *assignment);
int env_assignf(char ***env, const char *key, const char *value);
/* env_assign() of each entry of other, in order. */
int env_assign_strv(char ***env, char * const *other);
/* The value of KEY in env, or NULL. */
const char *env_get(char * const *env, const char *key);
/* The same for the first k bytes of key (a name inside a longer string). */
const char *env_get_n(char * const *env, const char *key, size_t k);

/* UnsetEnvironment='s match, as systemd's: a name matches any assignment of
 * it, "KEY=VALUE" only that very assignment. */
bool env_unset_matches(const char *assignment, const char *pattern);
/* Drops from env (in place, freeing them) the assignments that one of
 * patterns matches. */
void env_unset_strv(char **env, char * const *patterns);

/* The kernel's MAX_ARG_STRLEN, 32 pages (131072 bytes with 4 KiB pages):
 * execve(2) fails with E2BIG for an argument or a KEY=VALUE that is, its
 * NUL included, longer. */
size_t env_assignment_max(void);

/* The first assignment of env that cannot reach the payload as it is, in
 * *ret: -E2BIG for one of env_assignment_max() bytes or more (execve(2)
 * would fail), -EILSEQ for a value that is not UTF-8 (systemd's
 * strv_env_clean() drops it from the environment it execs with: one
 * PassEnvironment= took from cell's caller). 0 when all can. */
int env_check_payload(char * const *env, const char **ret);

/* The longest assignment (KEY=VALUE) of an environment file: systemd's LONG_LINE_MAX. */
#define ENV_FILE_LINE_MAX (1024U * 1024U)
/* The most an environment file may hold: systemd's READ_FULL_BYTES_MAX, the
 * limit of its read_full_file(), with which it reads EnvironmentFile=. */
#define ENV_FILE_SIZE_MAX (64U * 1024U * 1024U)

/* Opens an environment file for env_file_parse(), never blocking: -EISDIR
 * for a directory, -EBADFD for anything else that is not a regular file
 * (a FIFO, a device, a socket), -EFBIG past ENV_FILE_SIZE_MAX, else
 * open(2)'s -errno (-ENOENT: missing, a path through a file included). */
int env_file_open(const char *path, FILE **ret);

/* EnvironmentFile='s path with wildcards, as systemd expands it (its
 * safe_glob()): glob(3)'s sorted matches, a backslash escaping the next
 * character, "." and ".." never matched (".*" is the hidden files). In
 * *ret_paths, a new strv; -ENOENT when nothing matches, a directory that
 * cannot be read as its -errno (-EIO when unknown), -ENOMEM. */
int env_file_glob(const char *pattern, char ***ret_paths);

/* Parses an environment file the way systemd reads EnvironmentFile= (its
 * env-file.c, systemd.exec(5)): KEY=VALUE assignments, blank lines, lines
 * starting with '#' or ';' and lines without '=' ignored; a value unquoted
 * (backslash keeps the next character, at the end of a line joins the
 * next, quotes inside are kept), or in single quotes (every byte as it is)
 * or double quotes (\" \\ \` \$ escaped), both spanning lines. As there,
 * "\r" ends a line as "\n" does, each on its own ("\r\n" ends one line, a
 * backslash before it joins none), and is kept inside quotes. Appends to
 * *env (later keys override). With *ret_line set to the line the assignment
 * starts on: -EINVAL for a variable name that is not one (letters, digits,
 * '_', no leading digit; systemd ignores those with a warning), a shell's
 * "export NAME=..." included (its name is "export NAME" there), -EBADMSG
 * for a quote that never closes, -EILSEQ for a value that is not UTF-8,
 * -ENOBUFS for an assignment longer than ENV_FILE_LINE_MAX; -EUCLEAN, with
 * *ret_line the line it is on, for a NUL byte anywhere (systemd refuses
 * such a file as a whole). -EFBIG once more than ENV_FILE_SIZE_MAX bytes
 * were read; a read error as its -errno. */
int env_file_parse(FILE *f, char ***env, unsigned *ret_line);

/* env_file_parse(), and for -EINVAL the key that is no name in *ret_key
 * (newly allocated, shown as a message quotes it: its first 64 bytes, a
 * byte outside printable ASCII, '"' or '\\' as \xNN), else NULL there. */
int env_file_parse_key(FILE *f, char ***env, unsigned *ret_line, char **ret_key);

/* The same, as systemd's parse_env_file() reads os-release(5) and
 * machine-info(5) for its specifiers (%o, %w, %q ...): a key that is no
 * variable name ("1X=", "A-B=", "A B=") is skipped, an "export " prefix is
 * part of the key (so "export ID=x" sets no ID), a quote that never closes
 * takes the rest of the file as its value. Still refused, as there: a key
 * or value that is not UTF-8 (-EILSEQ), a NUL byte (-EUCLEAN), and the
 * limits above. */
int env_file_parse_lenient(FILE *f, char ***env, unsigned *ret_line);

/* env_file_parse()'s reading of f, for a message about one of its values:
 * 1 with the line the last assignment of key starts on in *ret_line and its
 * value (newly allocated) in *ret_value, 0 when no line assigns key, or
 * env_file_parse()'s error. */
int env_file_find(FILE *f, const char *key, unsigned *ret_line, char **ret_value);
