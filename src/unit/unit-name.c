/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macros.h"
#include "parse-util.h"
#include "unit-name.h"

/* The characters systemd allows in a unit name. */
#define VALID_CHARS DIGITS LETTERS ":-_.\\"
/* The characters systemd-escape leaves alone. */
#define ESCAPE_KEEP DIGITS LETTERS ":_."

/* What cell keeps in its runtime directory (/run/cell) beside each running
 * cell's NAME/state: a cell of one of these names would write its state
 * into cell's own locks, and its end could remove their directory. */
static const char * const reserved_names[] = {
        "image-lock", "image-root", "lock", "macvlan", "place-lock", "port", "uid", "zone.lock",
};

bool cell_name_is_reserved(const char *name) {
        if (!name)
                return false;
        /* Dot files there are cell's too (.state-lock), and "cell list" skips them. */
        if (name[0] == '.')
                return true;
        for (size_t i = 0; i < ELEMENTSOF(reserved_names); i++)
                if (streq(name, reserved_names[i]))
                        return true;
        return false;
}

bool cell_name_fits(const char *name) {
        size_t l = strlen(name), escaped = l;

        if (l > CELL_NAME_MAX)
                return false;
        /* unit_name_escape() makes four bytes of each byte it escapes. */
        if (name[0] == '.')
                escaped += 3;
        for (const char *p = name; *p; p++)
                if (!strchr(ESCAPE_KEEP, *p))
                        escaped += 3;
        return escaped + sizeof("cell-" ".scope") - 1 < UNIT_NAME_MAX;
}

bool cell_name_is_valid(const char *name, UnitNameFlags flags) {
        const char *at;

        if (isempty(name))
                return false;
        /* A name cell could run but systemd could not start or stop as a
         * service (or a scope) is no name: the unit would half work. */
        if (!cell_name_fits(name))
                return false;

        for (const char *p = name; *p; p++)
                if (!strchr(VALID_CHARS "@", *p))
                        return false;

        /* A dot name of any kind (".web@1" too) would keep its state among
         * cell's own dot files in /run/cell, unseen by "cell list". */
        if (name[0] == '.')
                return false;
        at = strchr(name, '@');
        if (!at)
                return (flags & UNIT_NAME_PLAIN) && !cell_name_is_reserved(name);
        if (at == name || strchr(at + 1, '@'))
                return false;
        if (at[1] == 0)
                return flags & UNIT_NAME_TEMPLATE;
        return flags & UNIT_NAME_INSTANCE;
}

int unit_name_normalize(const char *s, char **ret) {
        const char *e;
        char *n;

        if (!s)
                return -EINVAL;
        e = endswith(s, UNIT_SUFFIX);
        n = e ? strndup(s, (size_t) (e - s)) : strdup(s);
        if (!n)
                return -ENOMEM;
        if (!cell_name_is_valid(n, UNIT_NAME_ANY)) {
                free(n);
                return -EINVAL;
        }
        *ret = n;
        return 0;
}

int unit_name_to_prefix(const char *name, char **ret) {
        char *p;

        if (!cell_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        p = strndup(name, strcspn(name, "@"));
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int unit_name_to_instance(const char *name, char **ret) {
        const char *at;
        char *i;

        if (!cell_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        at = strchr(name, '@');
        if (!at) {
                *ret = NULL;
                return 0;
        }
        i = strdup(at + 1);
        if (!i)
                return -ENOMEM;
        *ret = i;
        return 0;
}

int unit_name_template(const char *name, char **ret) {
        const char *at;
        char *t;

        if (!cell_name_is_valid(name, UNIT_NAME_TEMPLATE | UNIT_NAME_INSTANCE))
                return -EINVAL;
        at = strchr(name, '@');
        t = strndup(name, (size_t) (at - name) + 1);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

int unit_name_replace_instance(const char *name, const char *instance, char **ret) {
        _cleanup_free_ char *t = NULL;
        char *n;
        int r;

        r = unit_name_template(name, &t);
        if (r < 0)
                return r;
        if (asprintf(&n, "%s%s", t, instance) < 0)
                return -ENOMEM;
        if (!cell_name_is_valid(n, UNIT_NAME_INSTANCE)) {
                free(n);
                return -EINVAL;
        }
        *ret = n;
        return 0;
}

int cell_service_name(const char *name, char **ret) {
        char *s;

        if (asprintf(&s, "cell@%s.service", name) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int cell_name_from_service(const char *service, char **ret) {
        const char *s = startswith(service, "cell@"), *e = endswith(service, ".service");
        char *n;

        if (!s || !e || e <= s)
                return -EINVAL;
        n = strndup(s, (size_t) (e - s));
        if (!n)
                return -ENOMEM;
        *ret = n;
        return 0;
}

static char *escape_char(char c, char *t) {
        static const char hex[] = "0123456789abcdef";

        *t++ = '\\';
        *t++ = 'x';
        *t++ = hex[((unsigned char) c) >> 4];
        *t++ = hex[((unsigned char) c) & 15];
        return t;
}

int unit_name_escape(const char *s, char **ret) {
        char *r, *t;

        /* Every byte may grow to four ("\xNN"). */
        r = malloc(strlen(s) * 4 + 1);
        if (!r)
                return -ENOMEM;
        t = r;

        /* No unit with a leading '.': it would be a hidden file. */
        if (*s == '.')
                t = escape_char(*s++, t);

        for (; *s; s++) {
                if (*s == '/')
                        *t++ = '-';
                else if (*s != 0 && strchr(ESCAPE_KEEP, *s))
                        *t++ = *s;
                else
                        t = escape_char(*s, t);
        }
        *t = 0;
        *ret = r;
        return 0;
}

int unit_name_unescape(const char *s, char **ret) {
        _cleanup_free_ char *r = NULL;
        char *t;

        r = malloc(strlen(s) + 1);
        if (!r)
                return -ENOMEM;

        for (t = r; *s; s++) {
                if (*s == '-')
                        *t++ = '/';
                else if (*s == '\\') {
                        int a, b;

                        if (s[1] != 'x')
                                return -EINVAL;
                        a = unhexchar(s[2]);
                        if (a < 0)
                                return -EINVAL;
                        b = unhexchar(s[3]);
                        if (b < 0)
                                return -EINVAL;
                        /* A NUL byte would silently cut the string. */
                        if (a == 0 && b == 0)
                                return -EINVAL;
                        *t++ = (char) ((a << 4) | b);
                        s += 3;
                } else
                        *t++ = *s;
        }
        *t = 0;
        *ret = TAKE_PTR(r);
        return 0;
}

static bool path_is_normalized_absolute(const char *p) {
        if (p[0] != '/')
                return false;
        for (const char *c = p; *c; ) {
                size_t n;

                c += strspn(c, "/");
                n = strcspn(c, "/");
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
        }
        return !strstr(p, "//");
}

int unit_name_path_unescape(const char *s, char **ret) {
        _cleanup_free_ char *w = NULL;
        char *p;
        int r;

        if (isempty(s))
                return -EINVAL;
        if (streq(s, "-")) {
                p = strdup("/");
                if (!p)
                        return -ENOMEM;
                *ret = p;
                return 0;
        }

        r = unit_name_unescape(s, &w);
        if (r < 0)
                return r;
        /* "-a" or "a-" would be "/a" or "a/" once unescaped: not a path systemd-escape makes. */
        if (w[0] == '/' || endswith(w, "/"))
                return -EINVAL;
        if (asprintf(&p, "/%s", w) < 0)
                return -ENOMEM;
        if (!path_is_normalized_absolute(p)) {
                free(p);
                return -EINVAL;
        }
        *ret = p;
        return 0;
}
