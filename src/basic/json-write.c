/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "fs-util.h"
#include "json-write.h"
#include "macros.h"
#include "utf8.h"

void json_writer_init(JsonWriter *w, FILE *f, bool pretty) {
        *w = (JsonWriter) {
                .f = f,
                .pretty = pretty,
        };
}

/* After each value: the errno of the first write that failed, while it is
 * still the one errno holds (file_note_write_error()). */
static void json_note_error(JsonWriter *w) {
        file_note_write_error(w->f, &w->error);
}

int json_writer_finish(JsonWriter *w) {
        fputc('\n', w->f);
        json_note_error(w);
        return fflush_and_check_noted(w->f, w->error);
}

static void json_indent(JsonWriter *w) {
        if (!w->pretty)
                return;
        fputc('\n', w->f);
        for (unsigned i = 0; i < w->depth; i++)
                fputs("  ", w->f);
}

static bool json_is_inline(const JsonWriter *w) {
        return w->depth > 0 && w->depth <= 64 && (w->inline_mask >> (w->depth - 1)) & 1;
}

/* Everything that comes before a value: nothing after a key, else the comma
 * and the line break of an array element. */
static void json_value_prefix(JsonWriter *w) {
        if (w->after_key) {
                w->after_key = false;
                return;
        }
        if (json_is_inline(w)) {
                if (w->need_comma)
                        fputs(w->pretty ? ", " : ",", w->f);
                return;
        }
        if (w->need_comma)
                fputc(',', w->f);
        if (w->depth > 0)
                json_indent(w);
}

static void json_begin(JsonWriter *w, char c, bool is_inline) {
        is_inline = is_inline || json_is_inline(w);
        json_value_prefix(w);
        fputc(c, w->f);
        w->depth++;
        if (w->depth <= 64) {
                uint64_t bit = UINT64_C(1) << (w->depth - 1);
                w->inline_mask = is_inline ? (w->inline_mask | bit) : (w->inline_mask & ~bit);
        }
        w->need_comma = false;
        json_note_error(w);
}

static void json_end(JsonWriter *w, char c) {
        bool empty = !w->need_comma, was_inline = json_is_inline(w);

        if (w->depth > 0)
                w->depth--;
        if (!empty && !was_inline)
                json_indent(w);
        fputc(c, w->f);
        w->need_comma = true;
        json_note_error(w);
}

void json_object_begin(JsonWriter *w) {
        json_begin(w, '{', false);
}

void json_object_begin_inline(JsonWriter *w) {
        json_begin(w, '{', true);
}

void json_object_end(JsonWriter *w) {
        json_end(w, '}');
}

void json_array_begin(JsonWriter *w) {
        json_begin(w, '[', false);
}

void json_array_begin_inline(JsonWriter *w) {
        json_begin(w, '[', true);
}

void json_array_end(JsonWriter *w) {
        json_end(w, ']');
}

void json_key(JsonWriter *w, const char *key) {
        if (json_is_inline(w)) {
                if (w->need_comma)
                        fputs(w->pretty ? ", " : ",", w->f);
        } else {
                if (w->need_comma)
                        fputc(',', w->f);
                json_indent(w);
        }
        fputc('"', w->f);
        json_escape(w->f, key, strlen(key));
        fputs(w->pretty ? "\": " : "\":", w->f);
        w->after_key = true;
        w->need_comma = true;
        json_note_error(w);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * bytes there are not one: overlong forms, surrogates and code points above
 * U+10FFFF are invalid too (RFC 3629). */
static size_t utf8_sequence_length(const unsigned char *s, size_t n) {
        uint32_t cp;
        size_t len;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf) {
                len = 2;
                cp = s[0] & 0x1f;
        } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
                len = 3;
                cp = s[0] & 0x0f;
        } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
                len = 4;
                cp = s[0] & 0x07;
        } else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
                return 0;       /* overlong */
        if (cp >= 0xd800 && cp <= 0xdfff)
                return 0;       /* UTF-16 surrogate */
        if (cp > 0x10ffff)
                return 0;
        return len;
}

void json_escape(FILE *f, const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;

        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                size_t len;
                uint32_t cp;

                switch (c) {
                case '"':
                        fputs("\\\"", f);
                        i++;
                        continue;
                case '\\':
                        fputs("\\\\", f);
                        i++;
                        continue;
                case '\n':
                        fputs("\\n", f);
                        i++;
                        continue;
                case '\t':
                        fputs("\\t", f);
                        i++;
                        continue;
                case '\r':
                        fputs("\\r", f);
                        i++;
                        continue;
                case '\b':
                        fputs("\\b", f);
                        i++;
                        continue;
                case '\f':
                        fputs("\\f", f);
                        i++;
                        continue;
                default:
                        break;
                }

                if (c < 0x20 || c == 0x7f) {
                        fprintf(f, "\\u%04x", c);
                        i++;
                        continue;
                }

                len = utf8_sequence_length(p + i, n - i);
                if (len == 0) {
                        /* Not UTF-8: one replacement character per bad byte,
                         * so the output stays valid whatever came in. */
                        fputs("\\ufffd", f);
                        i++;
                        continue;
                }
                /* What a terminal shows as nothing, or uses to reorder the text
                 * around it (a bidi override in an Exec= word, a C1 CSI), as an
                 * escape: the same string to a parser, but "cell plan --json"
                 * read on a terminal shows what is there, as "cell plan" does. */
                cp = utf8_decode((const char *) p + i, len);
                if (unichar_is_invisible(cp)) {
                        if (cp > 0xffff)        /* a UTF-16 surrogate pair, as JSON spells it */
                                fprintf(f, "\\u%04" PRIx32 "\\u%04" PRIx32, 0xd800 + ((cp - 0x10000) >> 10),
                                        0xdc00 + ((cp - 0x10000) & 0x3ff));
                        else
                                fprintf(f, "\\u%04" PRIx32, cp);
                } else
                        fwrite(p + i, 1, len, f);
                i += len;
        }
}

void json_string_len(JsonWriter *w, const char *s, size_t n) {
        json_value_prefix(w);
        fputc('"', w->f);
        json_escape(w->f, s, n);
        fputc('"', w->f);
        w->need_comma = true;
        json_note_error(w);
}

void json_string(JsonWriter *w, const char *s) {
        if (!s)
                json_null(w);
        else
                json_string_len(w, s, strlen(s));
}

void json_uint(JsonWriter *w, uint64_t u) {
        json_value_prefix(w);
        fprintf(w->f, "%" PRIu64, u);
        w->need_comma = true;
        json_note_error(w);
}

void json_int(JsonWriter *w, int64_t i) {
        json_value_prefix(w);
        fprintf(w->f, "%" PRIi64, i);
        w->need_comma = true;
        json_note_error(w);
}

void json_bool(JsonWriter *w, bool b) {
        json_value_prefix(w);
        fputs(b ? "true" : "false", w->f);
        w->need_comma = true;
        json_note_error(w);
}

void json_null(JsonWriter *w) {
        json_value_prefix(w);
        fputs("null", w->f);
        w->need_comma = true;
        json_note_error(w);
}

void json_strv(JsonWriter *w, char * const *l) {
        json_array_begin(w);
        for (char * const *s = l; s && *s; s++)
                json_string(w, *s);
        json_array_end(w);
}
