/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "fs-util.h"
#include "strv.h"
#include "unit-lexer.h"
#include "utf8.h"

#define UTF8_BOM "\xef\xbb\xbf"
/* How much of a long value a message quotes. */
#define QUOTE_MAX 80

typedef enum LexToken {
        LEX_EOF,
        LEX_SECTION,
        LEX_ASSIGNMENT,
} LexToken;

enum {
        SECTION_NONE = -1,      /* no header yet */
        SECTION_BAD = -2,       /* the last header was invalid: its keys are skipped */
};

typedef struct UnitLexer {
        const char *data;
        size_t size, pos;
        const char *file;
        Diagnostics *diag;
        unsigned line;          /* physical lines read so far */
        bool bom_seen;          /* a byte order mark was skipped */
        int n_problems;
        int error;              /* first hard error (-ENOMEM, from assign, ...) */

        /* The logical line being assembled. */
        char *buf;
        size_t len, allocated;

        /* Sections seen, indexed by the stand-in "[sN]" given to inih. */
        char **sections;
        size_t n_sections;
        ssize_t section;        /* index, or SECTION_NONE/SECTION_BAD */

        /* The assignment the reader last handed to inih as "a=SEQ". */
        const char *key, *value;
        unsigned assign_line;
        uint64_t seq, n_delivered;

        UnitAssignFunc assign;
        void *userdata;
} UnitLexer;

/* A unit's text may hold secrets (SetCredential=): every copy of it is
 * erased before it is freed, as the credential's own (config-credential.c). */
static void erase_free(void *p, size_t size) {
        if (p)
                explicit_bzero(p, size);
        free(p);
}

static void unit_lexer_done(UnitLexer *l) {
        erase_free(l->buf, l->allocated);
        strv_free(l->sections);
}

_printf_(3, 4)
static void lexer_problem(UnitLexer *l, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;
        int r;

        l->n_problems++;
        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0 || diag_error(l->diag, l->file, line, "%s", m) < 0)
                l->error = l->error ?: -ENOMEM;
}

/* Next physical line: start and length without its terminator. As systemd's
 * read_line(), a line ends in a run of LF and CR holding each at most once:
 * LF, CR, CR LF and LF CR are one line end, LF LF and CR CR two. */
static bool lexer_read_physical(UnitLexer *l, const char **ret, size_t *ret_len) {
        const char *s = l->data + l->pos, *end = l->data + l->size, *e;
        bool lf = false, cr = false;

        if (l->pos >= l->size)
                return false;
        for (e = s; e < end && *e != '\n' && *e != '\r'; e++)
                ;
        *ret = s;
        *ret_len = (size_t) (e - s);
        for (; e < end; e++)
                if (*e == '\n' && !lf)
                        lf = true;
                else if (*e == '\r' && !cr)
                        cr = true;
                else
                        break;
        l->pos = (size_t) (e - l->data);
        l->line++;
        return true;
}

static int lexer_append(UnitLexer *l, const char *s, size_t n) {
        if (l->len + n + 1 > l->allocated) {
                size_t a = MAX(l->allocated * 2, l->len + n + 1);
                char *b = malloc(a);

                /* Not realloc(): it would leave the old copy unerased. */
                if (!b)
                        return -ENOMEM;
                if (l->buf)
                        memcpy(b, l->buf, l->len + 1);
                erase_free(l->buf, l->allocated);
                l->buf = b;
                l->allocated = a;
        }
        memcpy(l->buf + l->len, s, n);
        l->len += n;
        l->buf[l->len] = 0;
        return 0;
}

static char *strip(char *s) {
        char *e;

        s += strspn(s, WHITESPACE);
        e = s + strlen(s);
        while (e > s && strchr(WHITESPACE, e[-1]))
                e--;
        *e = 0;
        return s;
}

/* systemd's string_is_safe() for section names: no control characters, no quotes. */
static bool section_name_is_valid(const char *s) {
        if (!*s)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 127 || strchr("\\\"'[]", *p))
                        return false;
        return true;
}

/* SetCredential='s value is a secret: a message about its line shows the
 * key only, as config_assign_expand() does for the lines it is handed.
 * The lexer's own messages come first: "cell verify" output and the
 * journal must not hold the value either when the line is misplaced. */
#define SECRET_KEY "SetCredential"
#define SECRET_NOT_SHOWN "(value not shown)"

static const char *shown_value(const char *key, const char *value) {
        return streq(key, SECRET_KEY) ? SECRET_NOT_SHOWN : value;
}

/* Interprets one complete logical line (in l->buf). */
static LexToken lexer_logical_line(UnitLexer *l, unsigned line) {
        char *s = strip(l->buf), *eq;
        int len, r;

        if (*s == 0)
                return LEX_EOF;         /* nothing here: the caller goes on */

        len = (int) MIN(strlen(s), (size_t) QUOTE_MAX);
        if (*s == '[') {
                size_t n = strlen(s);

                if (n < 2 || s[n - 1] != ']') {
                        lexer_problem(l, line, "invalid section header \"%.*s\"", len, s);
                        l->section = SECTION_BAD;
                        return LEX_EOF;
                }
                s[n - 1] = 0;
                if (!section_name_is_valid(s + 1)) {
                        lexer_problem(l, line, "invalid section name \"[%.*s]\"", len, s + 1);
                        l->section = SECTION_BAD;
                        return LEX_EOF;
                }
                if (strv_extend(&l->sections, s + 1) < 0) {
                        l->error = -ENOMEM;
                        return LEX_EOF;
                }
                l->section = (ssize_t) l->n_sections++;
                /* Handed on now, at its own line: inih, which sees "[sN]"
                 * only, says nothing of a section until its first key. The
                 * assignments before are delivered (inih handles a line
                 * before it reads the next). */
                r = l->assign(s + 1, NULL, NULL, l->file, line, l->userdata);
                if (r < 0) {
                        l->error = r;
                        return LEX_EOF;
                }
                return LEX_SECTION;
        }

        eq = strchr(s, '=');
        if (!eq || eq == s) {
                /* "SetCredential ID:VALUE", its "=" forgotten: the key alone. */
                if (startswith(s, SECRET_KEY))
                        lexer_problem(l, line, "\"" SECRET_KEY " " SECRET_NOT_SHOWN "\": line is not a Key=value "
                                      "assignment");
                else
                        lexer_problem(l, line, "\"%.*s\": line is not a Key=value assignment", len, s);
                return LEX_EOF;
        }
        *eq = 0;
        l->key = strip(s);
        l->value = strip(eq + 1);
        if (*l->key == 0) {
                lexer_problem(l, line, "\"=%.*s\": line is not a Key=value assignment", QUOTE_MAX, l->value);
                return LEX_EOF;
        }
        if (l->section == SECTION_BAD)
                return LEX_EOF;         /* already reported at its header */
        if (l->section == SECTION_NONE) {
                lexer_problem(l, line, "%s=%.*s: assignment before any [Section] header",
                              l->key, QUOTE_MAX, shown_value(l->key, l->value));
                return LEX_EOF;
        }
        l->assign_line = line;
        return LEX_ASSIGNMENT;
}

static bool is_comment(const char *p, size_t n) {
        size_t k = 0;

        while (k < n && (p[k] == ' ' || p[k] == '\t'))
                k++;
        return k < n && (p[k] == '#' || p[k] == ';');
}

/* systemd ends a line at a NUL. NULs that end a comment are harmless (the
 * line is cut there); anywhere else they are refused (returns false): what
 * systemd reads as another line would be a comment to an editor, a value is
 * never cut short, and a file zero-filled by a crash is not read as empty. */
static bool nul_is_harmless(const char *p, size_t *n) {
        const char *nul = memchr(p, 0, *n);
        size_t k;

        if (!nul)
                return true;
        for (k = (size_t) (nul - p); k < *n; k++)
                if (p[k] != 0 && p[k] != ' ' && p[k] != '\t')
                        return false;
        k = (size_t) (nul - p);
        if (!is_comment(p, k))
                return false;
        *n = k;
        return true;
}

/* Reads physical lines until one logical line yields a token. */
static LexToken lexer_next(UnitLexer *l) {
        bool continuing = false, bad = false;
        unsigned start = 0;

        for (;;) {
                const char *p;
                size_t n, k;
                LexToken t;

                if (l->error < 0)
                        return LEX_EOF;

                if (!lexer_read_physical(l, &p, &n)) {
                        /* As systemd: a continuation still open at the end of the file is a line. */
                        if (!continuing || bad)
                                return LEX_EOF;
                        continuing = false;
                        t = lexer_logical_line(l, start);
                        if (t != LEX_EOF)
                                return t;
                        continue;
                }

                if (!continuing) {
                        start = l->line;
                        l->len = 0;
                        bad = false;
                        if (lexer_append(l, "", 0) < 0) {
                                l->error = -ENOMEM;
                                return LEX_EOF;
                        }
                }

                /* As systemd's config_parse(): the file's first byte order mark at the
                 * very start of a line is skipped (it is the first line's, or of a file
                 * pasted after another); any other is text. Unlike systemd, a comment
                 * after it is a comment, not a bad line. */
                if (!l->bom_seen && n >= 3 && memcmp(p, UTF8_BOM, 3) == 0) {
                        p += 3;
                        n -= 3;
                        l->bom_seen = true;
                }

                /* A NUL would end the string everywhere after this point. */
                if (!nul_is_harmless(p, &n)) {
                        if (!bad)
                                lexer_problem(l, start, "line contains a NUL byte");
                        bad = true;
                }

                /* Comment lines are skipped, also inside a continuation (systemd). */
                if (is_comment(p, n))
                        continue;

                if (!bad) {
                        if (l->len + n > UNIT_LINE_MAX) {
                                lexer_problem(l, start, "line too long (a logical line may have at most %u bytes)",
                                              UNIT_LINE_MAX);
                                bad = true;
                        } else if (lexer_append(l, p, n) < 0) {
                                l->error = -ENOMEM;
                                return LEX_EOF;
                        }
                }

                /* An odd number of trailing backslashes: the last one escapes the newline. */
                k = 0;
                while (k < n && p[n - 1 - k] == '\\')
                        k++;
                if (k % 2 == 1) {
                        if (!bad)
                                l->buf[l->len - 1] = ' ';
                        continuing = true;
                        continue;
                }
                continuing = false;

                if (bad)
                        continue;
                /* As systemd: a unit file is UTF-8 text (arbitrary bytes are written as \xNN escapes). */
                if (!utf8_is_valid_n(l->buf, l->len)) {
                        lexer_problem(l, start, "line is not valid UTF-8 (systemd: \"not UTF-8 clean\"; a "
                                      "surrogate or a non-character such as U+FFFE counts)");
                        continue;
                }
                t = lexer_logical_line(l, start);
                if (t != LEX_EOF)
                        return t;
        }
}

/* prefix, v in decimal and suffix into buf (room for 64 bytes), by hand:
 * snprintf() for every line was a fifteenth of what cell verify spent. */
static int token_format(char *buf, const char *prefix, uint64_t v, const char *suffix) {
        char digits[21];
        size_t n = 0, k = 0;

        do
                digits[k++] = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        for (; *prefix; prefix++)
                buf[n++] = *prefix;
        while (k > 0)
                buf[n++] = digits[--k];
        for (; *suffix; suffix++)
                buf[n++] = *suffix;
        buf[n] = 0;
        return (int) n;
}

/* inih's reader: one short stand-in line per token, never indented, never
 * with a ';' or '#', always far below any INI_MAX_LINE. */
static char *lexer_ini_reader(char *str, int num, void *stream) {
        UnitLexer *l = stream;
        char token[64];
        int n;

        switch (lexer_next(l)) {
        case LEX_SECTION:
                n = token_format(token, "[s", (uint64_t) l->section, "]\n");
                break;
        case LEX_ASSIGNMENT:
                n = token_format(token, "a=", ++l->seq, "\n");
                break;
        case LEX_EOF:
        default:
                return NULL;
        }
        if (n + 1 > num) {
                l->error = l->error ?: -EPROTO;
                return NULL;
        }
        memcpy(str, token, (size_t) n + 1);
        return str;
}

static int lexer_ini_handler(void *user, const char *section, const char *name, const char *value) {
        UnitLexer *l = user;
        uint64_t seq;
        size_t idx;
        char *end;
        int r;

        if (!name || !value)            /* INI_CALL_HANDLER_ON_NEW_SECTION builds */
                return 1;
        if (l->error < 0)
                return 1;

        /* Map the stand-ins back; anything unexpected means inih changed
         * what it was given, and nothing it returns can be trusted. */
        if (!streq(name, "a") || section[0] != 's') {
                l->error = -EPROTO;
                return 1;
        }
        errno = 0;
        idx = strtoul(section + 1, &end, 10);
        if (errno != 0 || *end || idx >= l->n_sections || (ssize_t) idx != l->section) {
                l->error = -EPROTO;
                return 1;
        }
        errno = 0;
        seq = strtoull(value, &end, 10);
        if (errno != 0 || *end || seq != l->seq) {
                l->error = -EPROTO;
                return 1;
        }

        l->n_delivered++;
        r = l->assign(l->sections[idx], l->key, l->value, l->file, l->assign_line, l->userdata);
        if (r < 0)
                l->error = r;
        return 1;
}

int unit_lex_buffer(const char *data, size_t size, const char *file,
                    UnitAssignFunc assign, void *userdata, Diagnostics *diag) {
        _cleanup_(unit_lexer_done) UnitLexer l = {
                .data = data,
                .size = size,
                .file = file,
                .diag = diag,
                .section = SECTION_NONE,
                .assign = assign,
                .userdata = userdata,
        };
        int r;

        r = ini_parse_stream(lexer_ini_reader, &l, lexer_ini_handler, &l);
        if (l.error < 0)
                return l.error;
        if (r == -2)
                return -ENOMEM;
        if (r != 0 || l.n_delivered != l.seq)
                return -EPROTO;
        return l.n_problems;
}

/* The file into *ret (NUL-terminated, *ret_size bytes of text); its
 * *ret_size + 1 bytes erased and freed by the caller. systemd's mask, a
 * symlink to /dev/null, reads as empty (a masked unit itself is refused
 * before by the loader). A file that grows while read (or /proc's, whose
 * size is 0) is held to the same limit. */
static int read_full_file(const char *path, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = open_text_file(path, UNIT_FILE_MAX, &fd, NULL);
        if (r < 0)
                return r;
        return read_full_fd(fd, UNIT_FILE_MAX, READ_FULL_SECRET | READ_FULL_NULL_DEVICE, ret, ret_size);
}

int unit_lex_file(const char *path, const char *file,
                  UnitAssignFunc assign, void *userdata, Diagnostics *diag) {
        size_t size;
        char *data;
        int r;

        r = read_full_file(path, &data, &size);
        if (r < 0)
                return r;
        r = unit_lex_buffer(data, size, file ?: path, assign, userdata, diag);
        erase_free(data, size + 1);
        return r;
}
