/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd's lexical rules for unit files (systemd.syntax(7), and
 * config_parse() in systemd's conf-parser.c), with inih as the INI parser.
 *
 *  - the first UTF-8 byte order mark at the start of a line is skipped;
 *  - lines end in "\n", "\r", "\r\n" or "\n\r" (read_line());
 *  - a line whose first non-blank character is '#' or ';' is a comment,
 *    also in the middle of a continuation (it is skipped, the continuation
 *    goes on); there are no inline comments;
 *  - a line ending in an odd number of backslashes continues on the next
 *    line, the last backslash replaced by a space;
 *  - blanks around a logical line and around its '=' are dropped;
 *  - "[Section]" starts a section; everything else must be "Key=value"
 *    inside a section;
 *  - a logical line is shorter than 1 MiB; a NUL byte (except ending a
 *    comment line) or bytes that are not UTF-8 are an error.
 *
 * Every problem goes to diag as "FILE:LINE: message", LINE being the
 * physical line where the logical line starts, and lexing goes on with the
 * next line.
 *
 * Debian's libinih has a 200-byte line buffer, inline " ;" comments and
 * indented continuation lines. So inih is never shown the file: it reads
 * short stand-in lines ("[s3]", "a=17") from our reader, and the handler
 * maps them back to the real section, key, value and line. The result
 * does not depend on how inih was compiled. */

#include <stddef.h>

#include "diag.h"

/* The longest logical line: systemd reads lines shorter than its LONG_LINE_MAX (1 MiB). */
#define UNIT_LINE_MAX (1024U * 1024U - 1U)
/* The largest unit file or drop-in: cell reads the whole file before it
 * lexes it, so it has a limit where systemd, reading line by line, has
 * none. systemd's READ_FULL_BYTES_MAX, far above any real unit. */
#define UNIT_FILE_MAX (64U * 1024U * 1024U)

/* Called once per assignment, in file order. value is stripped but
 * otherwise as written (quotes, escapes and specifiers untouched). Called
 * too, in the same order, for each valid "[Section]" header, with key and
 * value NULL and line the header's (as inih's INI_CALL_HANDLER_ON_NEW_SECTION
 * does): a section is known at its header, also with no key after it. A
 * negative return stops lexing and is returned by unit_lex_*(). */
typedef int (*UnitAssignFunc)(const char *section, const char *key, const char *value,
                              const char *file, unsigned line, void *userdata);

/* Lexes size bytes at data (NUL bytes included) and calls assign for each
 * assignment; file names the data in messages. Returns the number of
 * problems reported to diag (0 when the text is lexically fine), or -errno:
 * -ENOMEM, an error from assign, or -EPROTO if inih did not hand back
 * exactly what it was given (which would be a bug). */
int unit_lex_buffer(const char *data, size_t size, const char *file,
                    UnitAssignFunc assign, void *userdata, Diagnostics *diag);

/* Reads the whole file at path and lexes it, naming it file (NULL = path)
 * in messages. I/O errors are returned as -errno, not reported to diag:
 * -EISDIR for a directory, -EBADFD for what is not a regular file (a FIFO,
 * a device; /dev/null, systemd's mask, reads as empty), -EFBIG past
 * UNIT_FILE_MAX. */
int unit_lex_file(const char *path, const char *file,
                  UnitAssignFunc assign, void *userdata, Diagnostics *diag);
