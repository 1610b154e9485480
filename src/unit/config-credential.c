/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LoadCredential= and SetCredential= ([Exec]), and their Encrypted
 * variants, as systemd.exec(5) of systemd 252 takes them: what can be
 * checked without the host that runs the unit (the ID, the syntax, the
 * value's escapes, Base64 and size). Reading the files and decrypting is
 * the start's (spawn/credentials.c). */
#include <stdio.h>
#include <string.h>

#include "config-parsers.h"
#include "parse-exec.h"
#include "parse-value.h"

static void credential_free(CellCredential *e) {
        free(e->id);
        free(e->path);
        /* A secret may have been written inline: not left in freed memory. */
        if (e->value)
                explicit_bzero(e->value, e->size);
        free(e->value);
        free(e->file);
}

void cell_config_free_credentials(CellConfig *c, bool set) {
        CellCredential **list = set ? &c->set_credentials : &c->load_credentials;
        size_t *n = set ? &c->n_set_credentials : &c->n_load_credentials;

        for (size_t i = 0; i < *n; i++)
                credential_free(*list + i);
        *list = mfree(*list);
        *n = 0;
        pos_index_done(set ? &c->set_credentials_index : &c->load_credentials_index);
}

/* "ID" before the first ":" (a backslash escapes the next character, as
 * systemd's extract_first_word() without flags), specifiers expanded, and
 * checked; *p is left after the ":" (NULL when there is none). */
static int credential_split_id(ConfigContext *ctx, const ConfigKey *k, const char **p, char **ret) {
        _cleanup_free_ char *word = NULL, *id = NULL;
        const char *start = *p;
        int r;

        r = extract_first_word(p, &word, ":", EXTRACT_DONT_COALESCE_SEPARATORS);
        if (r == -ENOMEM)
                return r;
        if (r <= 0 || isempty(word))
                return config_bad(ctx, "%s (no ID before the \":\")", k->expected);
        /* At the end: was it the ":" (not an escaped one) that ended the ID? */
        if (**p == 0 && !(*p > start && (*p)[-1] == ':' && !(*p - start >= 2 && (*p)[-2] == '\\')))
                *p = NULL;
        r = config_expand(ctx, k, word, &id);
        if (r < 0)
                return r;
        if (!credential_name_is_valid(id))
                return config_bad(ctx, "%s (\"%s\" is no valid credential ID: a file name, not \".\" or \"..\", "
                                  "of at most 255 printable ASCII characters without \"/\" or \":\")",
                                  k->expected, id);
        *ret = TAKE_PTR(id);
        return 0;
}

static bool credential_id_equal(const void *userdata, size_t pos, const void *key) {
        return streq(((const CellCredential *) userdata)[pos].id, key);
}

static uint64_t credential_id_hash(const char *id) {
        return pos_index_hash(id, strlen(id), 0);
}

/* The entry of id in the list, a new one (zeroed) at its end when there is
 * none: as systemd's hashmap of credentials, an ID written again replaces
 * what the earlier line said, in its place. Found through the index of the
 * IDs (made again when the list changed without it): thousands of lines are
 * not each held against all before. */
static CellCredential *credential_slot(CellConfig *c, bool set, const char *id) {
        CellCredential **list = set ? &c->set_credentials : &c->load_credentials;
        size_t *n = set ? &c->n_set_credentials : &c->n_load_credentials;
        PosIndex *index = set ? &c->set_credentials_index : &c->load_credentials_index;
        CellCredential *e;
        size_t pos;

        if (index->n != *n) {
                pos_index_done(index);
                for (size_t i = 0; i < *n; i++)
                        if (pos_index_add(index, credential_id_hash((*list)[i].id), i) < 0) {
                                pos_index_done(index);
                                return NULL;
                        }
        }
        if (pos_index_find(index, credential_id_hash(id), credential_id_equal, *list, id, &pos) > 0) {
                e = *list + pos;
                free(e->id);
                free(e->file);
                e->id = e->file = NULL;
                return e;
        }
        /* Room in the index first: a failure leaves the list as it was. */
        if (pos_index_add(index, credential_id_hash(id), *n) < 0)
                return NULL;
        e = config_array_append((void **) list, n, sizeof(CellCredential));
        if (!e)
                pos_index_done(index);
        return e;
}

static int credential_store(ConfigContext *ctx, CellConfig *c, bool set, bool encrypted, char **id, char **path,
                            char **value, size_t size) {
        _cleanup_free_ char *file = NULL;
        CellCredential *e;
        unsigned line;
        int r;

        r = config_entry_origin(ctx, &file, &line);
        if (r < 0)
                return r;
        e = credential_slot(c, set, *id);
        if (!e)
                return -ENOMEM;
        free(e->path);
        if (e->value)
                explicit_bzero(e->value, e->size);
        free(e->value);
        *e = (CellCredential) {
                .id = TAKE_PTR(*id),
                .path = TAKE_PTR(*path),
                .value = TAKE_PTR(*value),
                .size = size,
                .encrypted = encrypted,
                .file = TAKE_PTR(file),
                .line = line,
        };
        return 0;
}

/* Whether s names the "%d" specifier ("%%d" is a literal "%d"). */
static bool has_credentials_specifier(const char *s) {
        for (; *s; s++)
                if (*s == '%') {
                        if (s[1] == 'd')
                                return true;
                        if (s[1] == 0)
                                break;
                        s++;
                }
        return false;
}

/* LoadCredential=ID[:PATH]: PATH absolute (a file, or a directory whose
 * files are loaded, at start), or a credential name that the caller of
 * cell passed in its $CREDENTIALS_DIRECTORY; without PATH, the ID itself.
 * LoadCredentialEncrypted= (ltype 1) alike; an empty assignment of either
 * empties the list of both, as systemd's. */
int config_parse_load_credential(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_free_ char *id = NULL, *path = NULL, *value = NULL;
        const char *p = ctx->value;
        int r;

        if (isempty(p)) {
                cell_config_free_credentials(c, false);
                return 0;
        }
        r = credential_split_id(ctx, k, &p, &id);
        if (r < 0)
                return r;
        if (isempty(p))
                path = strdup(id);
        else if (has_credentials_specifier(p))
                /* %d is the container's /run/host/credentials: as a host path it would read
                 * whatever the host keeps there (its own nspawn's credentials), not this unit's. */
                return config_bad(ctx, "%s (%%d is the container's credentials directory, not a host path: to pass "
                                  "on a credential cell's caller was given, name it, LoadCredential=%s:NAME)",
                                  k->expected, id);
        else
                r = config_expand(ctx, k, p, &path);
        if (!path)
                return r < 0 ? r : -ENOMEM;
        if (path[0] == '/') {
                _cleanup_free_ char *normal = NULL;

                /* As systemd: a normalised path (a trailing "/" aside), nothing the
                 * start would read elsewhere. The "/" is kept: as systemd's open(),
                 * the start then reads a directory there, never a file. */
                r = parse_path_absolute(path, &normal);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || !(streq(normal, path) || (strlen(path) == strlen(normal) + 1 &&
                                                       startswith(path, normal) && endswith(path, "/"))))
                        return config_bad(ctx, "%s (\"%s\" is not a normalised absolute path)", k->expected, path);
        } else if (!credential_name_is_valid(path))
                return config_bad(ctx, "%s (\"%s\" is neither an absolute path nor a credential name of the "
                                  "caller's $CREDENTIALS_DIRECTORY or a credential store)", k->expected, path);
        return credential_store(ctx, c, false, k->ltype != 0, &id, &path, &value, 0);
}

/* The value of one Base64 digit, -1 for anything else. */
static int base64_digit(char c) {
        const char *digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *d = c ? strchr(digits, c) : NULL;

        return d ? (int) (d - digits) : -1;
}

/* Base64 as systemd's unbase64mem() takes it: whitespace anywhere, whole
 * groups of four digits, "=" padding only as the last group's last one or
 * two, the bits it leaves unused zero. The text without whitespace in
 * *ret, the size of what it decodes to in *ret_size; -EINVAL when it is
 * no such Base64. */
static int base64_check(const char *s, char **ret, size_t *ret_size) {
        _cleanup_free_ char *text = malloc(strlen(s) + 1);
        size_t n = 0, pad = 0;

        if (!text)
                return -ENOMEM;
        for (; *s; s++) {
                if (strchr(" \t\n\r", *s))
                        continue;
                if (*s == '=')
                        pad++;
                else if (pad > 0 || base64_digit(*s) < 0)
                        return -EINVAL;
                text[n++] = *s;
        }
        text[n] = 0;
        /* systemd decodes groups of four: a short last group is refused, not guessed. */
        if (n % 4 != 0 || pad > 2)
                return -EINVAL;
        /* "QR==" or "QUJ=" would decode to "A" and "AB" as well: systemd refuses them. */
        if (pad > 0 && (base64_digit(text[n - pad - 1]) & (pad == 2 ? 15 : 3)) != 0)
                return -EINVAL;
        *ret_size = n / 4 * 3 - pad;
        *ret = TAKE_PTR(text);
        return 0;
}

/* SetCredentialEncrypted=ID:BASE64: what "systemd-creds encrypt -p"
 * prints; kept as Base64 for systemd-creds' stdin at start. */
static int set_credential_encrypted(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, char **id,
                                    const char *p) {
        _cleanup_free_ char *path = NULL, *value = NULL;
        size_t size;
        int r;

        r = base64_check(p, &value, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_bad(ctx, "%s (the value is not Base64 text)",
                                  k->expected);
        /* Nothing could decrypt to it: said now rather than at start. */
        if (size == 0)
                return config_bad(ctx, "%s (the value is empty)", k->expected);
        if (size > CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX)
                return config_bad(ctx, "%s (the value decodes to %zu bytes, and an encrypted credential holds at "
                                  "most %u, as systemd's)", k->expected, size, CELL_CREDENTIAL_ENCRYPTED_SIZE_MAX);
        size = strlen(value);
        return credential_store(ctx, c, true, true, id, &path, &value, size);
}

static int set_credential(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, const char *p) {
        _cleanup_free_ char *id = NULL, *path = NULL, *value = NULL;
        size_t size = 0;
        int r;

        r = credential_split_id(ctx, k, &p, &id);
        if (r < 0)
                return r;
        if (!p)
                return config_bad(ctx, "%s (no \":\" after the ID)", k->expected);
        /* systemd ignores "ID:" as invalid syntax: an empty credential is no assignment. */
        if (isempty(p))
                return config_bad(ctx, "%s (no value after the \":\")", k->expected);
        if (k->ltype != 0)
                return set_credential_encrypted(ctx, k, c, &id, p);
        r = cunescape_bytes(p, &value, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_bad(ctx, "%s (the value has a bad escape: \\a \\b \\f \\n \\r \\t \\v \\s \\\\ \\\" "
                                  "\\' \\xNN \\NNN \\uNNNN \\UNNNNNNNN are the escapes)", k->expected);
        if (size > CELL_CREDENTIAL_SIZE_MAX) {
                explicit_bzero(value, size);
                return config_bad(ctx, "%s (the value is %zu bytes, and a credential holds at most %u, as "
                                  "systemd's)", k->expected, size, CELL_CREDENTIAL_SIZE_MAX);
        }
        r = credential_store(ctx, c, true, false, &id, &path, &value, size);
        if (r < 0 && value)
                explicit_bzero(value, size);
        return r;
}

/* SetCredential=ID:VALUE: VALUE taken as written but for its C escapes
 * ("\n", "\x00": NULs too), without specifiers, as systemd. A message
 * about the line shows the ID only: "cell verify" output and the journal
 * must not hold the secret. SetCredentialEncrypted= (ltype 1) alike: its
 * value is no secret, but a long Base64 text says nothing to a reader. */
int config_parse_set_credential(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_free_ char *shown = NULL;
        const char *raw = ctx->value;
        int r;

        if (isempty(raw)) {
                cell_config_free_credentials(c, true);
                return 0;
        }
        /* Without a ":" there is no ID to show: the whole text may be the
         * secret ("SetCredential=password=hunter2", written as Environment=). */
        if (!strchr(raw, ':'))
                ctx->value = "(value not shown)";
        else if (asprintf(&shown, "%.*s:(value not shown)", (int) MIN(strcspn(raw, ":"), (size_t) 255), raw) < 0)
                return -ENOMEM;
        else
                ctx->value = shown;
        r = set_credential(ctx, k, c, raw);
        /* The dispatcher may still name the line: never by the value. */
        ctx->value = "(value not shown)";
        return r;
}
