/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A small streaming JSON writer: values go straight to a FILE, in the order
 * they are written, so the output is exactly as stable as the caller's order.
 *
 *   JsonWriter w;
 *   json_writer_init(&w, stdout, true);
 *   json_object_begin(&w);
 *   json_key(&w, "name"); json_string(&w, "web");
 *   json_object_end(&w);
 *   r = json_writer_finish(&w);
 *
 * Strings are escaped for any input: '"', '\\' and control characters
 * (U+0000..U+001F, U+007F) become escapes, and so do the characters a
 * terminal shows as nothing or reorders text with (unichar_is_invisible():
 * C1 controls, bidi overrides, U+2028, ...); other valid UTF-8 passes through,
 * and every byte that is not part of a valid UTF-8 sequence becomes U+FFFD, so
 * the output is always valid UTF-8 and valid JSON. The writer does not check
 * nesting: that is the caller's job (and the tests'). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct JsonWriter {
        FILE *f;
        bool pretty;            /* newlines and two-space indentation */
        unsigned depth;
        bool need_comma;        /* a value was written at the current depth */
        bool after_key;         /* the next value completes "key": */
        uint64_t inline_mask;   /* bit d-1: the container at depth d is written on one line */
        int error;              /* the errno of the first write that failed, or 0 */
} JsonWriter;

void json_writer_init(JsonWriter *w, FILE *f, bool pretty);
/* Ends the document with a newline; returns 0, or the -errno of the first
 * write that failed (-ENOSPC of a full disk; -EIO where none was said). */
int json_writer_finish(JsonWriter *w);

void json_object_begin(JsonWriter *w);
void json_object_end(JsonWriter *w);
void json_array_begin(JsonWriter *w);
void json_array_end(JsonWriter *w);
/* The same, all on one line even when pretty ("[1, 2]"), for short lists of
 * scalars; containers inside an inline one are inline too. */
void json_array_begin_inline(JsonWriter *w);
void json_object_begin_inline(JsonWriter *w);
void json_key(JsonWriter *w, const char *key);

void json_string(JsonWriter *w, const char *s);         /* NULL writes null */
void json_string_len(JsonWriter *w, const char *s, size_t n);
void json_uint(JsonWriter *w, uint64_t u);
void json_int(JsonWriter *w, int64_t i);
void json_bool(JsonWriter *w, bool b);
void json_null(JsonWriter *w);
/* A NULL-terminated string list as an array (NULL: the empty array). */
void json_strv(JsonWriter *w, char * const *l);

/* Escapes n bytes of s as the inside of a JSON string (no quotes). */
void json_escape(FILE *f, const char *s, size_t n);
