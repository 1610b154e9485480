/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Whether code point c is one a text may hold, as systemd's
 * unichar_is_valid(): at most U+10FFFF, no UTF-16 surrogate (U+D800 to
 * U+DFFF), no non-character (U+FDD0 to U+FDEF, and the last two of every
 * plane: U+FFFE, U+FFFF, U+1FFFE ... U+10FFFF). */
bool unichar_is_valid(uint32_t c);

/* Whether the n bytes of s are valid UTF-8 as systemd's utf8_is_valid()
 * takes it ("not UTF-8 clean" otherwise): well-formed (RFC 3629: no
 * overlong forms), every character unichar_is_valid(); NUL allowed. */
bool utf8_is_valid_n(const char *s, size_t n);
/* The length of the valid character at s (of n bytes): 1 to 4, or 0 where
 * none begins there (a stray byte, a cut or overlong form, a code point
 * that unichar_is_valid() refuses). */
size_t utf8_char_len(const char *s, size_t n);

/* The UTF-8 encoding of code point c (at most U+10FFFF; a surrogate or a
 * non-character too, as systemd's "\u" escape makes them: the caller
 * decides) into buf, which has room for 4 bytes; returns its length. */
size_t utf8_encode_unichar(uint32_t c, char *buf);

/* How many of the first n bytes of the UTF-8 text s to keep so that at most
 * max remain: cut before a character, never inside one. */
size_t utf8_cut(const char *s, size_t n, size_t max);

/* The code point of the well-formed character of len bytes at s (len as
 * utf8_char_len() gave it, not 0). */
uint32_t utf8_decode(const char *s, size_t len);

/* Whether code point c shows as nothing, or changes how the text around it
 * shows, on a terminal: C1 controls, the invisible format characters
 * (zero-width ones, the byte order mark, tags) and the bidirectional
 * controls of "Trojan Source" (CVE-2021-42574), line and paragraph
 * separators. */
bool unichar_is_invisible(uint32_t c);

/* s as written, but for what a terminal would take as a command or not show:
 * control characters and bytes that begin no character as "\xNN", invisible
 * characters (unichar_is_invisible()) as "\uXXXX" ("\UXXXXXXXX" beyond the
 * BMP), as systemd.syntax(7) writes them in a value. A unit's Description= or
 * key with an escape sequence in it could otherwise move the cursor and write
 * over the lines around it; a byte order mark or a bidi override in a key
 * would make "unknown key" name a key that looks right, or another one. */
void utf8_fputs_escaped(FILE *f, const char *s);
/* The same, as a new string (to free), for a message that names what a user
 * typed ("cell status $'\e[2J'"); NULL when out of memory. */
char *utf8_escaped(const char *s);
