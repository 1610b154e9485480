/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup-util.h"
#include "plan.h"
#include "macros.h"
#include "parse-value.h"
#include "strv.h"

void cg_membership_free(CgroupMembership *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                strv_free(m[i].controllers);
                free(m[i].path);
        }
        free(m);
}

static int split_commas(const char *s, size_t len, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *end = s + len;

        while (s < end) {
                const char *c = memchr(s, ',', end - s) ?: end;
                if (c > s) {
                        char *w = strndup(s, c - s);
                        if (!w || strv_push(&l, w) < 0)
                                return -ENOMEM;
                }
                s = c + 1;
        }
        if (!l) {       /* the empty list, but not NULL: callers tell them apart from OOM */
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int cg_parse_proc_cgroup(const char *text, CgroupMembership **ret, size_t *ret_n) {
        CgroupMembership *m = NULL;
        size_t n = 0;
        int r;

        for (const char *line = text; line && *line; ) {
                const char *eol = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', eol - line);
                const char *c2 = c1 ? memchr(c1 + 1, ':', eol - c1 - 1) : NULL;
                char *endp;

                if (eol == line) {
                        line = *eol ? eol + 1 : eol;
                        continue;
                }
                if (!c2 || c2 + 1 >= eol || c2[1] != '/')
                        goto bad;
                unsigned long id = strtoul(line, &endp, 10);
                if (endp != c1 || id > UINT32_MAX)
                        goto bad;

                CgroupMembership *nm = realloc(m, (n + 1) * sizeof(*m));
                if (!nm) {
                        r = -ENOMEM;
                        goto fail;
                }
                m = nm;
                m[n] = (CgroupMembership) { .id = id };
                m[n].path = strndup(c2 + 1, eol - c2 - 1);
                n++;
                if (!m[n - 1].path) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = split_commas(c1 + 1, c2 - c1 - 1, &m[n - 1].controllers);
                if (r < 0)
                        goto fail;
                line = *eol ? eol + 1 : eol;
        }
        *ret = m;
        *ret_n = n;
        return 0;
bad:
        r = -EBADMSG;
fail:
        cg_membership_free(m, n);
        return r;
}

const char *cg_membership_path(const CgroupMembership *m, size_t n, const char *controller) {
        for (size_t i = 0; i < n; i++) {
                if (!controller) {
                        if (m[i].id == 0 && strv_length(m[i].controllers) == 0)
                                return m[i].path;
                } else if (strv_contains(m[i].controllers, controller))
                        return m[i].path;
        }
        return NULL;
}

void cg_mount_free(CgroupMount *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(m[i].where);
                free(m[i].root);
                strv_free(m[i].controllers);
        }
        free(m);
}

/* mountinfo escapes blanks as \040 and friends (octal). */
static char *unoctal(const char *s, size_t len) {
        char *t = malloc(len + 1), *p = t;
        if (!t)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len &&
                    s[i+1] >= '0' && s[i+1] <= '3' && s[i+2] >= '0' && s[i+2] <= '7' &&
                    s[i+3] >= '0' && s[i+3] <= '7') {
                        *p++ = (char) ((s[i+1] - '0') * 64 + (s[i+2] - '0') * 8 + (s[i+3] - '0'));
                        i += 3;
                } else
                        *p++ = s[i];
        }
        *p = 0;
        return t;
}

int cg_parse_mountinfo(const char *text, CgroupMount **ret, size_t *ret_n) {
        CgroupMount *m = NULL;
        size_t n = 0;

        for (const char *line = text; line && *line; ) {
                const char *eol = strchrnul(line, '\n');
                const char *f[10] = {};
                size_t fl[10] = {};
                size_t nf = 0;
                const char *sep = NULL;

                /* Fields: id parent maj:min root where opts [optional...] - fstype source superopts */
                for (const char *p = line; p < eol && nf < ELEMENTSOF(f); ) {
                        const char *e = memchr(p, ' ', eol - p) ?: eol;
                        if (e - p == 1 && *p == '-' && nf >= 6 && !sep) {
                                sep = p;
                                nf = 6;         /* drop the optional fields */
                        } else if (!sep && nf >= 6) {
                                /* an optional field: skip */
                        } else {
                                f[nf] = p;
                                fl[nf] = e - p;
                                nf++;
                        }
                        p = e + 1;
                }
                line = *eol ? eol + 1 : eol;
                if (!sep || nf < 9)
                        continue;

                bool v2 = fl[6] == 7 && memcmp(f[6], "cgroup2", 7) == 0;
                bool v1 = fl[6] == 6 && memcmp(f[6], "cgroup", 6) == 0;
                if (!v1 && !v2)
                        continue;

                CgroupMount *nm = realloc(m, (n + 1) * sizeof(*m));
                if (!nm)
                        goto oom;
                m = nm;
                m[n] = (CgroupMount) { .unified = v2 };
                n++;
                m[n - 1].root = unoctal(f[3], fl[3]);
                m[n - 1].where = unoctal(f[4], fl[4]);
                if (!m[n - 1].root || !m[n - 1].where)
                        goto oom;
                if (split_commas(v1 ? f[8] : "", v1 ? fl[8] : 0, &m[n - 1].controllers) < 0)
                        goto oom;
                if (v1) {
                        /* Super options mix controllers with flags: keep the controllers. */
                        char **l = m[n - 1].controllers, **w = l;
                        for (char **o = l; *o; o++) {
                                if (streq(*o, "rw") || streq(*o, "ro") || (strchr(*o, '=') && !startswith(*o, "name=")) ||
                                    streq(*o, "noprefix") || streq(*o, "clone_children") || streq(*o, "xattr") ||
                                    streq(*o, "cpuset_v2_mode") || streq(*o, "favordynmods"))
                                        free(*o);
                                else
                                        *w++ = *o;
                        }
                        if (w)
                                *w = NULL;
                }
        }
        *ret = m;
        *ret_n = n;
        return 0;
oom:
        cg_mount_free(m, n);
        return -ENOMEM;
}

const CgroupMount *cg_mount_find(const CgroupMount *m, size_t n, const char *controller) {
        for (size_t i = 0; i < n; i++) {
                if (!controller ? m[i].unified : !m[i].unified && strv_contains(m[i].controllers, controller))
                        return m + i;
        }
        return NULL;
}

bool cg_mounts_have_v1_controllers(const CgroupMount *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (m[i].unified)
                        continue;
                STRV_FOREACH(c, m[i].controllers)
                        if (!startswith(*c, "name="))
                                return true;
        }
        return false;
}

char *cg_mount_path(const CgroupMount *m, const char *path) {
        const char *rel = path;
        char *ret;

        if (!streq(m->root, "/")) {
                const char *e = startswith(path, m->root);
                if (e && (*e == '/' || *e == 0))
                        rel = e;
        }
        while (*rel == '/')
                rel++;
        if (asprintf(&ret, "%s%s%s", m->where, *rel ? "/" : "", rel) < 0)
                return NULL;
        return ret;
}

int cg_write(int dirfd, const char *file, const char *value) {
        _cleanup_close_ int fd = openat(dirfd, file, O_WRONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        size_t l = strlen(value);
        ssize_t k = write(fd, value, l);
        if (k < 0)
                return negative_errno();
        return (size_t) k == l ? 0 : -EIO;
}

int cg_read_fd(int fd, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, alloc = 0;

        for (;;) {
                if (alloc - len < 1025) {
                        alloc = alloc ? alloc * 2 : 4096;
                        char *t = realloc(buf, alloc);
                        if (!t)
                                return -ENOMEM;
                        buf = t;
                }
                ssize_t k = read(fd, buf + len, alloc - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                len += k;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

int cg_read(int dirfd, const char *file, char **ret) {
        _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        return cg_read_fd(fd, ret);
}

int cg_read_file(const char *path, char **ret) {
        return cg_read(AT_FDCWD, path, ret);
}

int cg_read_keyed(int dirfd, const char *file, const char *key, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = cg_read(dirfd, file, &s);
        if (r < 0)
                return r;
        size_t kl = strlen(key);
        for (char *line = s; line && *line; ) {
                char *eol = strchrnul(line, '\n');
                if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
                        char *e;
                        errno = 0;
                        unsigned long long v = strtoull(line + kl + 1, &e, 10);
                        if (errno || e == line + kl + 1)
                                return -EBADMSG;
                        *ret = v;
                        return 0;
                }
                line = *eol ? eol + 1 : eol;
        }
        return -ENODATA;
}

int cg_read_membership(pid_t pid, CgroupMembership **ret, size_t *ret_n) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        int r;

        if (pid > 0)
                snprintf(path, sizeof path, "/proc/%d/cgroup", (int) pid);
        else
                strcpy(path, "/proc/self/cgroup");
        r = cg_read_file(path, &text);
        if (r < 0)
                return r;
        return cg_parse_proc_cgroup(text, ret, ret_n);
}

int cg_read_mounts(CgroupMount **ret, size_t *ret_n) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = cg_read_file("/proc/self/mountinfo", &text);
        if (r < 0)
                return r;
        return cg_parse_mountinfo(text, ret, ret_n);
}

int cg_read_both(pid_t pid, CgroupMembership **ret_own, size_t *ret_n_own,
                 CgroupMount **ret_mounts, size_t *ret_n_mounts) {
        CgroupMembership *own = NULL;
        size_t n_own = 0;
        int r;

        r = cg_read_membership(pid, &own, &n_own);
        if (r < 0)
                return r;
        r = cg_read_mounts(ret_mounts, ret_n_mounts);
        if (r < 0) {
                cg_membership_free(own, n_own);
                return r;
        }
        *ret_own = own;
        *ret_n_own = n_own;
        return 0;
}

int cg_layout(void) {
        CgroupMount *m = NULL;
        size_t n = 0;
        int r;

        r = cg_read_mounts(&m, &n);
        if (r < 0)
                return r;
        r = n == 0 ? CGROUP_LAYOUT_NONE :
            !cg_mount_find(m, n, NULL) ? CGROUP_LAYOUT_LEGACY :
            cg_mounts_have_v1_controllers(m, n) ? CGROUP_LAYOUT_HYBRID : CGROUP_LAYOUT_UNIFIED;
        cg_mount_free(m, n);
        return r;
}

/* The quick way, without mountinfo (~1 ms of a cold start): systemd mounts
 * cgroup2 at /sys/fs/cgroup, or at /sys/fs/cgroup/unified beside v1, so PID's
 * "0::" path below it is its cgroup; that the cgroup.procs there lists PID
 * proves it (a mount of another subtree would not). -ENOENT when that is not so. */
static int v2_dir_quick(pid_t pid, const char *path, char **ret) {
        static const char * const bases[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };

        for (size_t i = 0; i < ELEMENTSOF(bases); i++) {
                _cleanup_free_ char *dir = NULL, *procs = NULL, *text = NULL;
                struct statfs sf;

                if (statfs(bases[i], &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
                        continue;
                if (asprintf(&dir, "%s%s", bases[i], streq(path, "/") ? "" : path) < 0 ||
                    asprintf(&procs, "%s/cgroup.procs", dir) < 0)
                        return -ENOMEM;
                char want[16];
                snprintf(want, sizeof want, "%d", (int) (pid ?: getpid()));
                if (cg_read_file(procs, &text) < 0 || !cg_list_has(text, want))
                        continue;
                *ret = TAKE_PTR(dir);
                return 0;
        }
        return -ENOENT;
}

int cg_v2_dir(pid_t pid, const char *path, char **ret) {
        CgroupMount *mounts = NULL;
        size_t n_mounts = 0;
        int r;

        r = v2_dir_quick(pid, path, ret);
        if (r != -ENOENT)
                return r;
        r = cg_read_mounts(&mounts, &n_mounts);
        if (r < 0)
                return r;
        const CgroupMount *u = cg_mount_find(mounts, n_mounts, NULL);
        char *d = u ? cg_mount_path(u, path) : NULL;
        r = d ? 0 : !u ? -ENOENT : -ENOMEM;
        if (d)
                *ret = d;
        cg_mount_free(mounts, n_mounts);
        return r;
}

int cg_v2_dir_of(pid_t pid, char **ret) {
        CgroupMembership *m = NULL;
        size_t n = 0;
        int r;

        r = cg_read_membership(pid, &m, &n);
        if (r < 0)
                return r;
        const char *p = cg_membership_path(m, n, NULL);
        r = p ? cg_v2_dir(pid, p, ret) : -ENOENT;
        cg_membership_free(m, n);
        return r;
}

bool cg_list_has(const char *list, const char *word) {
        size_t l = strlen(word);

        if (l == 0)     /* no word is in any list (and strstr() would not advance) */
                return false;
        for (const char *p = list; (p = strstr(p, word)); p += l)
                if ((p == list || strchr(" \n", p[-1])) && (p[l] == 0 || strchr(" \n", p[l])))
                        return true;
        return false;
}

const char *cg_mkdir_strerror(int r) {
        switch (r) {
        case -EAGAIN:   /* the kernel's word for both limits */
                return "cgroup.max.descendants or cgroup.max.depth of its parent or a cgroup above allows no more "
                       "cgroups there";
        case -EROFS:
                return "the cgroup file system is mounted read-only here";
        case -EACCES:
        case -EPERM:
                return "permission denied: the parent cgroup is not delegated to cell's user";
        default:
                return NULL;
        }
}

/* Moves *p past the slices a cgroup path starts with, to the first component
 * that is not one, and returns that component's length (0: the path ends). */
static size_t path_skip_slices(const char **p) {
        for (;;) {
                size_t n;

                *p += strspn(*p, "/");
                n = strcspn(*p, "/");
                if (n > 6 && memcmp(*p + n - 6, ".slice", 6) == 0) {
                        *p += n;
                        continue;
                }
                return n;
        }
}

/* Whether the component c (n bytes) is prefix, then one or more of charset,
 * then suffix. */
static bool component_is(const char *c, size_t n, const char *prefix, const char *charset, const char *suffix) {
        size_t a = strlen(prefix), b = strlen(suffix);

        if (n <= a + b || memcmp(c, prefix, a) != 0 || memcmp(c + n - b, suffix, b) != 0)
                return false;
        for (size_t i = a; i < n - b; i++)
                if (!strchr(charset, c[i]))
                        return false;
        return true;
}

int cg_path_unit(const char *path, char **ret) {
        const char *p = path;
        size_t n = path_skip_slices(&p);

        if (n == 0)
                return -ENXIO;
        /* systemd escapes a name that could be mistaken for a cgroup file. */
        if (*p == '_') {
                p++;
                n--;
        }
        _cleanup_free_ char *unit = strndup(p, n);
        if (!unit)
                return -ENOMEM;
        /* A template ("a@.service") names no unit that runs. */
        if (!unit_name_is_valid(unit) || strstr(unit, "@."))
                return -ENXIO;
        *ret = TAKE_PTR(unit);
        return 0;
}

int cg_path_user_unit(const char *path, char **ret) {
        const char *p = path;
        size_t n = path_skip_slices(&p);

        /* Below a user's manager (user@UID.service) or a login session
         * (session-N.scope, which holds no unit of the user's manager). */
        if (!component_is(p, n, "user@", DIGITS, ".service") &&
            !component_is(p, n, "session-", DIGITS LETTERS, ".scope"))
                return -ENXIO;
        return cg_path_unit(p + n, ret);
}

int cg_own_unit(bool user, char **ret) {
        int (*unit_of)(const char *path, char **ret) = user ? cg_path_user_unit : cg_path_unit;
        CgroupMembership *m = NULL;
        const char *path;
        size_t n = 0;
        int r;

        r = cg_read_membership(0, &m, &n);
        if (r < 0)
                return r;
        /* cgroup2 first, as sd_pid_get_unit() on a unified or hybrid host (the
         * kernel lists a name=systemd hierarchy whoever mounted it, also where
         * systemd does not use it); then the legacy layout's name=systemd. */
        r = -ENXIO;
        path = cg_membership_path(m, n, NULL);
        if (path)
                r = unit_of(path, ret);
        path = cg_membership_path(m, n, "name=systemd");
        if (r == -ENXIO && path)
                r = unit_of(path, ret);
        cg_membership_free(m, n);
        return r;
}
