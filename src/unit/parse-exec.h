/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Words, quoting and escapes as systemd's extract_first_word() takes them
 * (systemd.syntax(7)), and the keys built on them: Exec=, Environment=. */

#include <stddef.h>

#include "env-index.h"

typedef enum ExtractFlags {
        EXTRACT_UNQUOTE                 = 1 << 0, /* "..." and '...' group and are removed */
        EXTRACT_CUNESCAPE               = 1 << 1, /* \n \t \s \xNN \NNN \uNNNN ..., anything
                                                   * else ("\ ", "\q") is an error; without
                                                   * it "\c" is c */
        EXTRACT_DONT_COALESCE_SEPARATORS = 1 << 2, /* "a::b" is three words, the middle empty */
        EXTRACT_RETAIN_ESCAPE           = 1 << 3, /* a backslash is a plain character, kept as
                                                   * written (systemd's dependency lists:
                                                   * "dev-disk-by\x2duuid-1.device") */
        EXTRACT_RELAX                   = 1 << 4, /* an unterminated quote or a trailing
                                                   * backslash ends the word (systemd's, for
                                                   * the values of Exec='s variables) */
} ExtractFlags;

/* Takes the next word from *p, advancing *p past it and its separators
 * (whitespace when separators is NULL). Returns 1 and the malloc'ed word,
 * 0 at the end (ret set to NULL), -EINVAL on an unterminated quote, a
 * trailing backslash (neither with EXTRACT_RELAX) or a bad escape (none
 * with EXTRACT_RETAIN_ESCAPE), -ENOMEM. */
int extract_first_word(const char **p, char **ret, const char *separators, ExtractFlags flags);

/* s as one word in double quotes, its '"' and '\\' escaped: extract_first_word()
 * with EXTRACT_UNQUOTE, with or without EXTRACT_CUNESCAPE, gives s back. */
int quote_word(const char *s, char **ret);

/* Every word of s (EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE, whitespace separated)
 * into a strv; an all-blank s gives an empty (non-NULL) strv. */
int split_words(const char *s, char ***ret);
/* The same with other flags, for the keys systemd splits so: 0 (a quote is
 * part of the word, a backslash keeps the next character) or EXTRACT_UNQUOTE. */
int split_words_full(const char *s, ExtractFlags flags, char ***ret);
/* Why split_words() refuses s with -EINVAL, for a message: the first quote
 * that does not close, bad escape (as "\\q", its letter when printable
 * ASCII) or trailing backslash, in buf (or a constant); NULL if none. */
const char *split_words_why(const char *s, char *buf, size_t size);
/* The words of s, split with flags, appended to *l (which may be NULL). */
int split_words_append(char ***l, const char *s, ExtractFlags flags);

/* systemd's cunescape() with UNESCAPE_ACCEPT_NUL (SetCredential='s value):
 * every C escape of s resolved ("\\n", "\\x00", "\\u00e4" ...), the rest
 * as written. *ret is malloc'ed, NUL-terminated after *ret_size bytes.
 * -EINVAL for a bad escape or a trailing backslash. */
int cunescape_bytes(const char *s, char **ret, size_t *ret_size);

/* Exec=: a command line with systemd quoting -> argv (at least one word).
 * A lone "\;" after the first word is the word ";"; a lone ";" (also a
 * quoted one as the first word: systemd's separator between commands) is
 * -EBADMSG: Exec= takes one command. */
int parse_exec_command(const char *s, char ***ret_argv);

/* Environment=: quoted "KEY=VALUE" words merged into *env; a later KEY
 * replaces the earlier one in place. On -EINVAL *env is unchanged and
 * ret_bad (if not NULL) holds the offending word (malloc'ed, or NULL for a
 * quoting error). */
int parse_environment(const char *s, char ***env, char **ret_bad);

/* The same for words already split (and their specifiers expanded), set
 * through index (env_index.h; NULL: one made for this call), which the
 * caller keeps with *env for the next. */
int env_merge(char ***env, EnvIndex *index, char * const *words, char **ret_bad);

/* Sets one "KEY=VALUE" in env, replacing an earlier KEY. Takes assignment. */
int env_set(char ***env, char *assignment);
