/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parse-exec.h"
#include "parse-mount.h"
#include "parse-value.h"
#include "strv.h"

/* Fields separated by ':', "\:" embedding a colon and "\\" a backslash,
 * as nspawn splits them: "a:b:" is three fields, the last empty. */
static int split_colon(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *field = malloc(strlen(s) + 1);
        size_t n = 0;
        int r;

        if (!field)
                return -ENOMEM;
        for (const char *p = s;; p++) {
                if (*p == '\\') {
                        if (!*++p)
                                return -EINVAL;
                        field[n++] = *p;
                        continue;
                }
                if (*p && *p != ':') {
                        field[n++] = *p;
                        continue;
                }
                field[n] = 0;
                r = strv_extend(&l, field);
                if (r < 0)
                        return r;
                n = 0;
                if (!*p)
                        break;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* A non-empty value split by split_colon() into min to max fields. */
static int split_colon_fields(const char *s, size_t min, size_t max, char ***ret, size_t *ret_n) {
        _cleanup_strv_free_ char **f = NULL;
        size_t k;
        int r;

        if (isempty(s))
                return -EINVAL;
        r = split_colon(s, &f);
        if (r < 0)
                return r;
        k = strv_length(f);
        if (k < min || k > max)
                return -EINVAL;
        *ret = TAKE_PTR(f);
        *ret_n = k;
        return 0;
}

/* An absolute path, or one that starts with a specifier ("%S/web"): that one
 * is taken as written and checked once expanded, after the split, by
 * config_expand_path(), as systemd checks BindPaths= after unit_full_printf(). */
static int mount_path(const char *s, char **ret) {
        if (s[0] == '%')
                return (*ret = strdup(s)) ? 0 : -ENOMEM;
        return parse_path_absolute(s, ret);
}

/* A source path: optional "+" (relative to the container root), then absolute. */
static int mount_source(const char *s, bool allow_empty, char **ret) {
        _cleanup_free_ char *n = NULL;
        bool plus = *s == '+';
        int r;

        if (allow_empty && !*s)
                return (*ret = strdup("")) ? 0 : -ENOMEM;
        r = mount_path(s + plus, &n);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        if (!plus) {
                *ret = TAKE_PTR(n);
                return 0;
        }
        if (asprintf(ret, "+%s", n) < 0)
                return -ENOMEM;
        return 0;
}

void cell_bind_done(CellBind *b) {
        b->source = mfree(b->source);
        b->target = mfree(b->target);
        b->raw = mfree(b->raw);
        b->file = mfree(b->file);
}

int parse_bind(const char *s, bool read_only, CellBind *ret) {
        _cleanup_strv_free_ char **f = NULL;
        _cleanup_free_ char *nsrc = NULL, *ndst = NULL;
        CellBind b = { .read_only = read_only, .recursive = true };
        const char *src;
        size_t k;
        int r;

        r = split_colon_fields(s, 1, 3, &f, &k);
        if (r < 0)
                return r;

        src = f[0];
        if (*src == '-') {
                b.ignore_missing = true;
                src++;
        }
        /* "+SRC": a path inside the container root, as nspawn's --bind=; the
         * "+" stays on the source as on Overlay= paths, a default target
         * is the path without it. */
        r = mount_source(src, false, &nsrc);
        if (r < 0)
                return r;
        /* "SRC" and "SRC::OPTS" mount at the same path inside */
        r = mount_path(k < 2 || isempty(f[1]) ? nsrc + (*nsrc == '+') : f[1], &ndst);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        if (k == 2 && isempty(f[1]))
                return -EINVAL;         /* "SRC:" */

        /* "SRC:DST:" has no options, as nspawn reads it */
        if (k == 3) {
                char *save = NULL;

                for (char *o = strtok_r(f[2], ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                        if (streq(o, "rbind"))
                                b.recursive = true;
                        else if (streq(o, "norbind"))
                                b.recursive = false;
                        else if (streq(o, "nosuid"))
                                b.nosuid = true;
                        else if (streq(o, "nodev"))
                                b.nodev = true;
                        else if (streq(o, "noexec"))
                                b.noexec = true;
                        else if (streq(o, "idmap"))
                                b.idmap = true;
                        else if (streq(o, "noidmap"))
                                b.idmap = false;
                        else
                                return -EINVAL;
                }
        }
        /* As written, for the plan's messages: the options' words in their
         * order, "rbind" too, and the specifiers unexpanded, as grep finds them. */
        b.raw = strdup(s);
        if (!b.raw)
                return -ENOMEM;
        b.source = TAKE_PTR(nsrc);
        b.target = TAKE_PTR(ndst);
        *ret = b;
        return 0;
}

bool bind_has_option(const char *s, const char *option) {
        _cleanup_strv_free_ char **f = NULL;
        size_t k;

        if (split_colon_fields(s, 3, 3, &f, &k) < 0)
                return false;
        for (char *save = NULL, *o = strtok_r(f[2], ",", &save); o; o = strtok_r(NULL, ",", &save))
                if (streq(o, option))
                        return true;
        return false;
}

void cell_tmpfs_done(CellTmpfs *t) {
        t->path = mfree(t->path);
        t->options = mfree(t->options);
        t->raw = mfree(t->raw);
        t->file = mfree(t->file);
}

/* A tmpfs size or inode count: systemd's sizes ("64M", "1G512M"), and
 * the kernel's own, which takes its suffix in either case: "512m" and
 * "10k", as tmpfs(5) writes them and nspawn hands them on. */
static int tmpfs_size(const char *v, uint64_t *ret) {
        char buf[64];
        size_t n = strlen(v);

        if (n > 0 && n < sizeof buf && strchr("kmgtpe", v[n - 1])) {
                memcpy(buf, v, n + 1);
                buf[n - 1] = (char) (buf[n - 1] - 'a' + 'A');
                v = buf;
        }
        return parse_size(v, ret);
}

/* One tmpfs option, validated, appended to *out in normalised form. */
static int tmpfs_option(const char *o, char **out) {
        static const char * const flags[] = { "ro", "rw", "nosuid", "nodev", "noexec" };
        const char *v;
        char buf[64];
        uint64_t n;
        uint32_t pm;
        mode_t m;
        char *joined;

        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if (streq(o, flags[i]))
                        snprintf(buf, sizeof buf, "%s", o);
        if ((v = startswith(o, "mode="))) {
                if (parse_mode(v, &m) < 0)
                        return -EINVAL;
                snprintf(buf, sizeof buf, "mode=%04o", (unsigned) m);
        } else if ((v = startswith(o, "size="))) {
                /* 0 (and 0%) is no limit, as the kernel reads it and nspawn hands it on */
                if (parse_permyriad(v, false, &pm) == 0) {
                        /* the kernel takes whole percents only */
                        if (pm % 100 != 0)
                                return -EINVAL;
                        snprintf(buf, sizeof buf, "size=%u%%", pm / 100);
                } else if (tmpfs_size(v, &n) == 0)
                        snprintf(buf, sizeof buf, "size=%" PRIu64, n);
                else
                        return -EINVAL;
        } else if ((v = startswith(o, "nr_inodes="))) {
                if (tmpfs_size(v, &n) < 0)
                        return -EINVAL;
                snprintf(buf, sizeof buf, "nr_inodes=%" PRIu64, n);
        }
        if (!buf[0])
                return -EINVAL;
        if (asprintf(&joined, "%s%s%s", strempty(*out), *out ? "," : "", buf) < 0)
                return -ENOMEM;
        free(*out);
        *out = joined;
        return 0;
}

int parse_tmpfs(const char *s, CellTmpfs *ret) {
        _cleanup_strv_free_ char **f = NULL;
        _cleanup_free_ char *npath = NULL, *norm = NULL, *raw = NULL;
        size_t k;
        int r;

        r = split_colon_fields(s, 1, 2, &f, &k);
        if (r < 0)
                return r;
        r = mount_path(f[0], &npath);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        /* "PATH:" is PATH, as in nspawn; empty options between commas are
         * none, as the kernel's (and "PATH:," PATH): "noexec,,nodev". */
        if (k == 2 && !isempty(f[1])) {
                char *save = NULL;

                for (char *o = strtok_r(f[1], ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                        r = tmpfs_option(o, &norm);
                        if (r < 0)
                                return r;
                }
        }
        /* As written ("size=64M", not the bytes the options keep), for messages. */
        raw = strdup(s);
        if (!raw)
                return -ENOMEM;
        *ret = (CellTmpfs) { .path = TAKE_PTR(npath), .options = TAKE_PTR(norm), .raw = TAKE_PTR(raw) };
        return 0;
}

void cell_overlay_done(CellOverlay *o) {
        o->lower = strv_free(o->lower);
        o->upper = mfree(o->upper);
        o->target = mfree(o->target);
        o->raw = mfree(o->raw);
        o->file = mfree(o->file);
}

int parse_overlay(const char *s, bool read_only, CellOverlay *ret) {
        _cleanup_strv_free_ char **f = NULL, **lower = NULL;
        _cleanup_free_ char *upper = NULL, *target = NULL, *raw = NULL;
        size_t k, n_lower;
        int r;

        r = split_colon_fields(s, 2, SIZE_MAX, &f, &k);
        if (r < 0)
                return r;
        n_lower = k == 2 ? 1 : k - 2;
        lower = calloc(n_lower + 1, sizeof(char *));
        if (!lower)
                return -ENOMEM;
        for (size_t i = 0; i < n_lower; i++) {
                r = mount_source(f[i], false, &lower[i]);
                if (r < 0)
                        return r;
        }
        /* With two paths the second is both upper and destination, so it
         * cannot be empty. */
        r = mount_source(f[n_lower], k > 2, &upper);
        if (r < 0)
                return r;
        r = mount_path(k == 2 ? upper + (*upper == '+') : f[k - 1], &target);
        if (r < 0)
                return r == -ENOMEM ? r : -EINVAL;
        raw = strdup(s);        /* as written, for messages */
        if (!raw)
                return -ENOMEM;

        *ret = (CellOverlay) {
                .lower = TAKE_PTR(lower),
                .upper = TAKE_PTR(upper),
                .target = TAKE_PTR(target),
                .read_only = read_only,
                .raw = TAKE_PTR(raw),
        };
        return 0;
}

int parse_volatile(const char *s, CellVolatile *ret) {
        int b;

        if (streq_ptr(s, "state")) {
                *ret = CELL_VOLATILE_STATE;
                return 0;
        }
        if (streq_ptr(s, "overlay")) {
                *ret = CELL_VOLATILE_OVERLAY;
                return 0;
        }
        b = parse_boolean(s);
        if (b < 0)
                return -EINVAL;
        *ret = b ? CELL_VOLATILE_YES : CELL_VOLATILE_NO;
        return 0;
}

void cell_inaccessible_done(CellInaccessible *i) {
        i->path = mfree(i->path);
        i->raw = mfree(i->raw);
        i->file = mfree(i->file);
}

int parse_inaccessible(const char *s, char ***list) {
        _cleanup_strv_free_ char **words = NULL, **norm = NULL;
        int r;

        r = split_words(s, &words);
        if (r < 0)
                return r;
        if (!words[0])
                return -EINVAL;
        STRV_FOREACH(w, words) {
                char *n;

                r = mount_path(*w + (**w == '-'), &n);
                if (r < 0)
                        return r == -ENOMEM ? r : -EINVAL;
                r = strv_push(&norm, n);
                if (r < 0)
                        return r;
        }
        r = strv_extend_strv(list, norm);
        return r;
}
