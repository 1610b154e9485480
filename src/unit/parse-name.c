/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths and names: the checks parse-value.h declares under "Name checks". */
#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "parse-value.h"
#include "utf8.h"

/* The normalised copy of absolute path s. As systemd's path_is_valid(), a
 * component over NAME_MAX bytes or a path of PATH_MAX is -ERANGE (no file
 * can have it). Control characters are refused only when refuse_cc. */
static int path_normalize(const char *s, bool refuse_cc, char **ret) {
        _cleanup_free_ char *out = NULL;
        char *o;
        const char *p;

        if (isempty(s) || s[0] != '/')
                return -EINVAL;
        if (strlen(s) >= PATH_MAX)
                return -ERANGE;
        out = malloc(strlen(s) + 1);
        if (!out)
                return -ENOMEM;
        o = out;
        p = s;
        while (*p) {
                size_t n;

                while (*p == '/')
                        p++;
                n = strcspn(p, "/");
                if (n == 0)
                        break;
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return -EINVAL;
                if (n == 1 && p[0] == '.') {
                        p += n;
                        continue;
                }
                if (n > NAME_MAX)
                        return -ERANGE;
                for (size_t i = 0; refuse_cc && i < n; i++)
                        if ((unsigned char) p[i] < ' ' || p[i] == 0x7f)
                                return -EINVAL;
                *o++ = '/';
                memcpy(o, p, n);
                o += n;
                p += n;
        }
        if (o == out)
                *o++ = '/';
        *o = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

int parse_path_absolute(const char *s, char **ret) {
        return path_normalize(s, true, ret);
}

int parse_path_absolute_cc(const char *s, char **ret) {
        return path_normalize(s, false, ret);
}

#define UNIT_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\"

bool unit_name_is_valid(const char *s) {
        static const char * const types[] = {
                ".service", ".socket", ".target", ".device", ".mount", ".automount",
                ".swap", ".timer", ".path", ".slice", ".scope",
        };
        const char *at, *dot;
        bool typed = false;

        if (isempty(s) || strlen(s) > 255)
                return false;
        dot = strrchr(s, '.');
        if (!dot || dot == s)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (streq(dot, types[i]))
                        typed = true;
        if (!typed)
                return false;
        at = strchr(s, '@');
        if (at == s)
                return false;
        /* prefix: valid chars only; instance (after the first '@') may also hold '@' */
        for (const char *p = s; p < dot; p++)
                if (!strchr(UNIT_NAME_CHARS, *p) && !(*p == '@' && p >= at && at))
                        return false;
        return true;
}

bool env_name_is_valid(const char *s) {
        if (isempty(s) || isdigit((unsigned char) s[0]))
                return false;
        for (const char *p = s; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '_')
                        return false;
        return true;
}

/* systemd's strict rules (valid_user_group_name() without VALID_USER_RELAX):
 * a name that fits utmp's ut_user (UT_NAMESIZE 32 with its NUL), of letters,
 * digits, "_" and "-", not first a digit or "-" (no ".": chown(1) takes it
 * for "user.group"). An id as its parse_uid(): decimal, no sign and no
 * leading zero ("0100" is neither an id nor, all digits, a name). */
bool user_group_name_is_valid(const char *s) {
        uint64_t id;

        if (isempty(s) || strlen(s) > 256)
                return false;
        if (parse_uint64(s, &id) == 0)
                /* (uid_t) -1 and the 16-bit -1 are "no user" to the kernel and to NFS */
                return id < UINT32_MAX && id != 65535 && !(s[0] == '0' && s[1]);
        if (strlen(s) > 31)
                return false;
        if (!isalpha((unsigned char) s[0]) && s[0] != '_')
                return false;
        for (const char *p = s + 1; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_-", *p))
                        return false;
        return true;
}

/* systemd's relaxed rules (valid_user_group_name() with VALID_USER_RELAX),
 * for the names SSSD, Samba and Windows domains use ("alice@example.com",
 * "DOMAIN\\alice", "domain users"): only what could not be a line of
 * /etc/passwd or a home directory's name, or could be taken for an id. */
bool user_group_name_is_relaxed_valid(const char *s) {
        if (isempty(s) || strlen(s) > 256)
                return false;
        /* An id, or what could be taken for one. */
        if (strspn(s, "0123456789") == strlen(s))
                return user_group_name_is_valid(s);
        if (s[0] == ' ' || s[strlen(s) - 1] == ' ' || streq(s, ".") || streq(s, "..") ||
            strpbrk(s, ":/") || !utf8_is_valid_n(s, strlen(s)))
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 0x7f)
                        return false;
        /* "-1" and the like: an id to some; and "-" alone, as systemd's check
         * (a dash, then only digits: none) refuses it too. */
        return !(s[0] == '-' && strspn(s + 1, "0123456789") == strlen(s + 1));
}

bool credential_name_is_valid(const char *s) {
        size_t n = 0;

        if (isempty(s) || streq(s, ".") || streq(s, ".."))
                return false;
        for (; s[n]; n++)
                if (s[n] < ' ' || s[n] > '~' || s[n] == '/' || s[n] == ':')
                        return false;
        return n <= 255;
}

/* As systemd's hostname_is_valid(): dot-separated labels, none empty, none
 * starting or ending with '-'; unlike it, '_' is a letter (the kernel and
 * most resolvers take it). */
bool hostname_is_valid(const char *s) {
        bool label_start = true, hyphen = false;

        if (isempty(s) || strlen(s) > 64)
                return false;
        for (const char *p = s; *p; p++) {
                if (*p == '.') {
                        if (label_start || hyphen)
                                return false;
                        label_start = true;
                        continue;
                }
                if (!isalnum((unsigned char) *p) && *p != '-' && *p != '_')
                        return false;
                if (*p == '-' && label_start)
                        return false;
                hyphen = *p == '-';
                label_start = false;
        }
        return !label_start && !hyphen;
}

/* systemd's ifname_valid(): what the kernel takes, less what it refuses
 * only at the start ("all" and "default" are sysctl directories, a byte
 * 0xa0 is a blank to it) and an ifindex: an all-digit name, or one its
 * safe_atoi() reads as a number above 0 ("0x10", "+5", "0b11", "0o7",
 * parse-number.h), which nspawn refuses as "not valid" too. */
bool ifname_is_valid(const char *s) {
        bool digits = true;
        int ifindex;

        if (isempty(s) || strlen(s) > 15 || streq(s, ".") || streq(s, "..") || streq(s, "all") ||
            streq(s, "default"))
                return false;
        if (parse_int_range(s, 1, INT_MAX, &ifindex) == 0)
                return false;
        for (const char *p = s; *p; p++) {
                if ((unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f || *p == '/' || *p == ':' || *p == '%')
                        return false;
                digits = digits && *p >= '0' && *p <= '9';
        }
        return !digits;
}

size_t string_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        size_t row[lb + 1];

        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
                        row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + cost);
                        diag = up;
                }
        }
        return row[lb];
}
