/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "json-check.h"
#include "json-write.h"
#include "test.h"

/* Runs fn against a memory stream and returns what it wrote. */
static char *capture(void (*fn)(JsonWriter *w), bool pretty) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        JsonWriter w;

        ASSERT_NOT_NULL(f);
        json_writer_init(&w, f, pretty);
        fn(&w);
        ASSERT_OK(json_writer_finish(&w));
        fclose(f);
        ASSERT_TRUE(json_check(buf, size));
        return buf;
}

static char *escape(const char *s, size_t n) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        json_escape(f, s, n);
        fclose(f);
        return buf;
}

static void write_nested(JsonWriter *w) {
        json_object_begin(w);
        json_key(w, "a");
        json_uint(w, 1);
        json_key(w, "b");
        json_array_begin(w);
        json_int(w, -2);
        json_bool(w, true);
        json_null(w);
        json_string(w, NULL);
        json_array_begin(w);
        json_array_end(w);
        json_object_begin(w);
        json_object_end(w);
        json_array_end(w);
        json_key(w, "c");
        json_string(w, "x");
        json_key(w, "d");
        json_uint(w, UINT64_MAX);
        json_object_end(w);
}

TEST(compact) {
        _cleanup_free_ char *s = capture(write_nested, false);
        ASSERT_STREQ(s, "{\"a\":1,\"b\":[-2,true,null,null,[],{}],\"c\":\"x\",\"d\":18446744073709551615}\n");
}

TEST(pretty) {
        _cleanup_free_ char *s = capture(write_nested, true);
        ASSERT_STREQ(s,
                     "{\n"
                     "  \"a\": 1,\n"
                     "  \"b\": [\n"
                     "    -2,\n"
                     "    true,\n"
                     "    null,\n"
                     "    null,\n"
                     "    [],\n"
                     "    {}\n"
                     "  ],\n"
                     "  \"c\": \"x\",\n"
                     "  \"d\": 18446744073709551615\n"
                     "}\n");
}

static void write_strv(JsonWriter *w) {
        char *l[] = { (char *) "a", (char *) "b\"", NULL };

        json_array_begin(w);
        json_strv(w, l);
        json_strv(w, NULL);
        json_array_end(w);
}

TEST(strv) {
        _cleanup_free_ char *s = capture(write_strv, false);
        ASSERT_STREQ(s, "[[\"a\",\"b\\\"\"],[]]\n");
}

static void write_inline(JsonWriter *w) {
        json_object_begin(w);
        json_key(w, "flags");
        json_array_begin_inline(w);
        json_string(w, "ro");
        json_string(w, "rec");
        json_array_end(w);
        json_key(w, "pairs");
        json_array_begin_inline(w);
        json_array_begin(w);            /* inline too, inside an inline one */
        json_uint(w, 1);
        json_uint(w, 2);
        json_array_end(w);
        json_object_begin(w);
        json_key(w, "k");
        json_bool(w, false);
        json_object_end(w);
        json_array_end(w);
        json_key(w, "none");
        json_array_begin_inline(w);
        json_array_end(w);
        json_key(w, "after");
        json_array_begin(w);
        json_null(w);
        json_array_end(w);
        json_object_end(w);
}

TEST(inline_containers) {
        _cleanup_free_ char *s = capture(write_inline, true);
        _cleanup_free_ char *c = capture(write_inline, false);

        ASSERT_STREQ(s,
                     "{\n"
                     "  \"flags\": [\"ro\", \"rec\"],\n"
                     "  \"pairs\": [[1, 2], {\"k\": false}],\n"
                     "  \"none\": [],\n"
                     "  \"after\": [\n"
                     "    null\n"
                     "  ]\n"
                     "}\n");
        ASSERT_STREQ(c, "{\"flags\":[\"ro\",\"rec\"],\"pairs\":[[1,2],{\"k\":false}],\"none\":[],\"after\":[null]}\n");
}

TEST(escape_specials) {
        _cleanup_free_ char *a = escape("q\"b\\n\nt\tr\rb\bf\f", 14);
        ASSERT_STREQ(a, "q\\\"b\\\\n\\nt\\tr\\rb\\bf\\f");
}

TEST(escape_control) {
        _cleanup_free_ char *a = escape("\x01\x1f\x7f", 3);
        _cleanup_free_ char *nul = escape("a\0b", 3);

        ASSERT_STREQ(a, "\\u0001\\u001f\\u007f");
        ASSERT_STREQ(nul, "a\\u0000b");
}

TEST(escape_utf8_valid) {
        /* é, €, U+1F600 and U+10FFFF pass through as they are. */
        const char *s = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf";
        _cleanup_free_ char *a = escape(s, strlen(s));
        ASSERT_STREQ(a, s);
}

TEST(escape_invisible) {
        /* A bidi override (Trojan Source), a C1 CSI, U+2028 and a tag beyond
         * the BMP (a surrogate pair): escaped, the same string to a parser;
         * a letter between them stays as it is. */
        const char *s = "a\xe2\x80\xae" "b\xc2\x9b\xe2\x80\xa8\xf3\xa0\x80\x81\xc3\xa9";
        _cleanup_free_ char *a = escape(s, strlen(s));
        ASSERT_STREQ(a, "a\\u202eb\\u009b\\u2028\\udb40\\udc01\xc3\xa9");
}

TEST(escape_utf8_invalid) {
        struct {
                const char *in;
                const char *out;
        } cases[] = {
                { "\xff",             "\\ufffd" },                      /* never valid */
                { "a\x80z",           "a\\ufffdz" },                    /* lone continuation */
                { "\xc0\x80",         "\\ufffd\\ufffd" },               /* overlong NUL */
                { "\xe0\x80\xaf",     "\\ufffd\\ufffd\\ufffd" },        /* overlong '/' */
                { "\xed\xa0\x80",     "\\ufffd\\ufffd\\ufffd" },        /* surrogate U+D800 */
                { "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd" }, /* above U+10FFFF */
                { "\xe2\x82",         "\\ufffd\\ufffd" },               /* truncated at the end */
                { "\xe2\x82x",        "\\ufffd\\ufffdx" },              /* truncated in the middle */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *a = escape(cases[i].in, strlen(cases[i].in));
                ASSERT_STREQ(a, cases[i].out);
        }
}

static void write_hostile(JsonWriter *w) {
        json_object_begin(w);
        json_key(w, "k\"\n\xff");
        json_string(w, "\x01\xc0\x80\"\\\xed\xa0\x80");
        json_object_end(w);
}

TEST(hostile_strings_stay_valid_json) {
        _cleanup_free_ char *s = capture(write_hostile, true);
        ASSERT_CONTAINS(s, "\"k\\\"\\n\\ufffd\": \"\\u0001\\ufffd\\ufffd\\\"\\\\\\ufffd\\ufffd\\ufffd\"");
}

TEST(write_error) {
        FILE *f = fopen("/dev/full", "we");
        JsonWriter w;

        if (!f) {
                test_skip("no /dev/full");
                return;
        }
        json_writer_init(&w, f, true);
        json_object_begin(&w);
        json_key(&w, "a");
        json_string(&w, "b");
        json_object_end(&w);
        ASSERT_ERROR(json_writer_finish(&w), ENOSPC);
        fclose(f);
}

/* A document one byte longer than the stream's buffer: the final newline
 * is what fails to go in (the buffer's write), after which fflush() has
 * nothing left to write and succeeds; the cause is still the one said (it
 * was EIO). */
TEST(write_error_buffer_full) {
        static char buf[64];
        FILE *f = fopen("/dev/full", "we");
        JsonWriter w;

        if (!f) {
                test_skip("no /dev/full");
                return;
        }
        ASSERT_EQ(setvbuf(f, buf, _IOFBF, sizeof buf), 0);
        json_writer_init(&w, f, false);
        json_array_begin(&w);
        /* ["" and 60 bytes "]": the buffer's 64 exactly. */
        json_string(&w, "012345678901234567890123456789012345678901234567890123456789");
        json_array_end(&w);
        ASSERT_ERROR(json_writer_finish(&w), ENOSPC);
        fclose(f);
}

TEST(json_check_rejects) {
        /* The checker itself must be able to fail, or the tests above prove nothing. */
        ASSERT_FALSE(json_check("{\"a\":1,}", 8));
        ASSERT_FALSE(json_check("[1 2]", 5));
        ASSERT_FALSE(json_check("\"\x01\"", 3));
        ASSERT_FALSE(json_check("\"\xff\"", 3));
        ASSERT_FALSE(json_check("{} {}", 5));
        ASSERT_TRUE(json_check(" {\"a\": [1, -2.5e3, \"\\u00e9\"]} ", 30));
}
