/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "json-check.h"

typedef struct Cursor {
        const unsigned char *p, *end;
        unsigned depth;
} Cursor;

static void skip_ws(Cursor *c) {
        while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
                c->p++;
}

static bool literal(Cursor *c, const char *word) {
        size_t n = strlen(word);

        if ((size_t) (c->end - c->p) < n || memcmp(c->p, word, n) != 0)
                return false;
        c->p += n;
        return true;
}

static bool is_hex(unsigned char x) {
        return (x >= '0' && x <= '9') || (x >= 'a' && x <= 'f') || (x >= 'A' && x <= 'F');
}

static bool string(Cursor *c) {
        if (c->p >= c->end || *c->p != '"')
                return false;
        c->p++;
        while (c->p < c->end) {
                unsigned char x = *c->p;
                size_t len;

                if (x == '"') {
                        c->p++;
                        return true;
                }
                if (x < 0x20)
                        return false;
                if (x == '\\') {
                        if (c->end - c->p < 2)
                                return false;
                        x = c->p[1];
                        if (x == 'u') {
                                if (c->end - c->p < 6)
                                        return false;
                                for (int i = 2; i < 6; i++)
                                        if (!is_hex(c->p[i]))
                                                return false;
                                c->p += 6;
                                continue;
                        }
                        if (!strchr("\"\\/bfnrt", x) || x == 0)
                                return false;
                        c->p += 2;
                        continue;
                }
                if (x < 0x80)
                        len = 1;
                else if (x >= 0xc2 && x <= 0xdf)
                        len = 2;
                else if (x >= 0xe0 && x <= 0xef)
                        len = 3;
                else if (x >= 0xf0 && x <= 0xf4)
                        len = 4;
                else
                        return false;
                if ((size_t) (c->end - c->p) < len)
                        return false;
                for (size_t i = 1; i < len; i++)
                        if ((c->p[i] & 0xc0) != 0x80)
                                return false;
                c->p += len;
        }
        return false;
}

static bool number(Cursor *c) {
        const unsigned char *start;

        if (c->p < c->end && *c->p == '-')
                c->p++;
        if (c->p >= c->end)
                return false;
        if (*c->p == '0')
                c->p++;
        else if (*c->p >= '1' && *c->p <= '9')
                while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
                        c->p++;
        else
                return false;
        if (c->p < c->end && *c->p == '.') {
                start = ++c->p;
                while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
                        c->p++;
                if (c->p == start)
                        return false;
        }
        if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
                c->p++;
                if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
                        c->p++;
                start = c->p;
                while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
                        c->p++;
                if (c->p == start)
                        return false;
        }
        return true;
}

static bool value(Cursor *c);

static bool container(Cursor *c, char close, bool object) {
        c->p++;
        if (++c->depth > 256)
                return false;
        skip_ws(c);
        if (c->p < c->end && *c->p == close) {
                c->p++;
                c->depth--;
                return true;
        }
        for (;;) {
                skip_ws(c);
                if (object) {
                        if (!string(c))
                                return false;
                        skip_ws(c);
                        if (c->p >= c->end || *c->p != ':')
                                return false;
                        c->p++;
                }
                if (!value(c))
                        return false;
                skip_ws(c);
                if (c->p >= c->end)
                        return false;
                if (*c->p == ',') {
                        c->p++;
                        continue;
                }
                if (*c->p == close) {
                        c->p++;
                        c->depth--;
                        return true;
                }
                return false;
        }
}

static bool value(Cursor *c) {
        skip_ws(c);
        if (c->p >= c->end)
                return false;
        switch (*c->p) {
        case '{':
                return container(c, '}', true);
        case '[':
                return container(c, ']', false);
        case '"':
                return string(c);
        case 't':
                return literal(c, "true");
        case 'f':
                return literal(c, "false");
        case 'n':
                return literal(c, "null");
        default:
                return number(c);
        }
}

bool json_check(const char *text, size_t size) {
        Cursor c = {
                .p = (const unsigned char *) text,
                .end = (const unsigned char *) text + size,
        };

        if (!value(&c))
                return false;
        skip_ws(&c);
        return c.p == c.end;
}
