/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

size_t utf8_char_len(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;
        size_t len;
        uint32_t u, min;

        if (n == 0)
                return 0;
        if (p[0] < 0x80)
                return 1;
        if ((p[0] & 0xe0) == 0xc0)
                len = 2, u = p[0] & 0x1f, min = 0x80;
        else if ((p[0] & 0xf0) == 0xe0)
                len = 3, u = p[0] & 0x0f, min = 0x800;
        else if ((p[0] & 0xf8) == 0xf0)
                len = 4, u = p[0] & 0x07, min = 0x10000;
        else
                return 0;       /* a continuation byte first, or 0xf8 and above */
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                u = (u << 6) | (p[i] & 0x3f);
        }
        if (u < min || !unichar_is_valid(u))
                return 0;
        return len;
}

bool unichar_is_valid(uint32_t c) {
        return c <= 0x10ffff &&
                !(c >= 0xd800 && c <= 0xdfff) &&        /* UTF-16 surrogates */
                !(c >= 0xfdd0 && c <= 0xfdef) &&        /* non-characters */
                (c & 0xfffe) != 0xfffe;                 /* non-characters: U+FFFE, U+FFFF, U+1FFFE ... */
}

bool utf8_is_valid_n(const char *s, size_t n) {
        for (size_t i = 0, len; i < n; i += len) {
                len = utf8_char_len(s + i, n - i);
                if (len == 0)
                        return false;
        }
        return true;
}

size_t utf8_encode_unichar(uint32_t c, char *buf) {
        if (c < 0x80) {
                buf[0] = (char) c;
                return 1;
        }
        if (c < 0x800) {
                buf[0] = (char) (0xc0 | (c >> 6));
                buf[1] = (char) (0x80 | (c & 0x3f));
                return 2;
        }
        if (c < 0x10000) {
                buf[0] = (char) (0xe0 | (c >> 12));
                buf[1] = (char) (0x80 | ((c >> 6) & 0x3f));
                buf[2] = (char) (0x80 | (c & 0x3f));
                return 3;
        }
        buf[0] = (char) (0xf0 | (c >> 18));
        buf[1] = (char) (0x80 | ((c >> 12) & 0x3f));
        buf[2] = (char) (0x80 | ((c >> 6) & 0x3f));
        buf[3] = (char) (0x80 | (c & 0x3f));
        return 4;
}

size_t utf8_cut(const char *s, size_t n, size_t max) {
        if (n <= max)
                return n;
        while (max > 0 && ((unsigned char) s[max] & 0xc0) == 0x80)
                max--;
        return max;
}

uint32_t utf8_decode(const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *) s;
        uint32_t u = len == 1 ? p[0] : p[0] & (0x7fU >> len);  /* the lead byte's bits: 5, 4 or 3 */

        for (size_t i = 1; i < len; i++)
                u = (u << 6) | (p[i] & 0x3f);
        return u;
}

bool unichar_is_invisible(uint32_t c) {
        return (c >= 0x80 && c <= 0x9f) ||             /* C1 controls: 0x9b is CSI to some terminals */
                c == 0xad ||                            /* soft hyphen */
                c == 0x34f ||                           /* combining grapheme joiner */
                c == 0x61c ||                           /* Arabic letter mark (bidi) */
                c == 0x115f || c == 0x1160 ||           /* Hangul fillers */
                c == 0x180e ||                          /* Mongolian vowel separator */
                (c >= 0x200b && c <= 0x200f) ||         /* zero-width space, (non-)joiner, LRM, RLM */
                (c >= 0x2028 && c <= 0x202e) ||         /* line, paragraph separators; bidi embeddings, overrides */
                (c >= 0x2060 && c <= 0x206f) ||         /* word joiner, invisible operators, bidi isolates, ... */
                c == 0x3164 || c == 0xffa0 ||           /* Hangul fillers */
                c == 0xfeff ||                          /* byte order mark, zero-width no-break space */
                (c >= 0xfff9 && c <= 0xfffb) ||         /* interlinear annotation */
                (c >= 0xe0000 && c <= 0xe007f);         /* tags: invisible ASCII */
}

void utf8_fputs_escaped(FILE *f, const char *s) {
        const char *end = s + strlen(s), *run = s;

        /* The characters shown as they are go out in runs: an unbuffered
         * stderr gets a write a message, not one a character. */
        for (const char *c = s; *c; c++) {
                size_t len = utf8_char_len(c, (size_t) (end - c));
                uint32_t u;

                if ((unsigned char) *c < ' ' || *c == 0x7f || len == 0) {
                        fwrite(run, 1, (size_t) (c - run), f);
                        fprintf(f, "\\x%02x", (unsigned char) *c);
                        run = c + 1;
                        continue;
                }
                u = utf8_decode(c, len);
                if (unichar_is_invisible(u)) {
                        fwrite(run, 1, (size_t) (c - run), f);
                        fprintf(f, u > 0xffff ? "\\U%08" PRIx32 : "\\u%04" PRIx32, u);
                        run = c + len;
                }
                c += len - 1;
        }
        fwrite(run, 1, (size_t) (end - run), f);
}

char *utf8_escaped(const char *s) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        utf8_fputs_escaped(f, s);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
