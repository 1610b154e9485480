/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "env-util.h"
#include "parse-value.h"
#include "specifier.h"
#include "strv.h"
#include "unit-name.h"

#define MACHINE_ID_PATH "/etc/machine-id"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

#define MACHINE_INFO_PATH "/etc/machine-info"

void specifier_context_done(SpecifierContext *c) {
        c->fragment_real_path = mfree(c->fragment_real_path);
        c->machine_id = mfree(c->machine_id);
        c->boot_id = mfree(c->boot_id);
        c->hostname = mfree(c->hostname);
        c->kernel_release = mfree(c->kernel_release);
        c->pretty_hostname = mfree(c->pretty_hostname);
        c->os_release = strv_free(c->os_release);
        c->machine_id_error = c->boot_id_error = c->hostname_error = c->kernel_release_error = 0;
        c->pretty_hostname_error = c->os_release_error = 0;
        c->n_host_lookups = 0;
}

/* Reads a 128-bit id as the kernel and systemd write it ("0123...", or with
 * dashes as in boot_id) and returns it as 32 lowercase hex digits, which is
 * how systemd prints %m and %b. */
static int read_id128(const char *path, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        char buf[64], id[33];
        ssize_t n;
        size_t k = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;

        /* systemd: an empty or "uninitialized" machine-id is no id yet. */
        if (buf[0] == 0 || streq(buf, "uninitialized"))
                return -ENOMEDIUM;

        for (const char *p = buf; *p; p++) {
                if (*p == '-')
                        continue;
                if (k >= 32 || !strchr("0123456789abcdefABCDEF", *p))
                        return -EINVAL;
                id[k++] = (char) (*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
        }
        if (k != 32)
                return -EINVAL;
        id[k] = 0;

        *ret = strdup(id);
        return *ret ? 0 : -ENOMEM;
}

bool specifier_hostname_unset(const char *raw, bool short_name) {
        /* systemd 252's gethostname_full(GET_HOSTNAME_FALLBACK_DEFAULT): a host
         * with no name (empty, or the kernel's "(none)") has the default
         * name, and so has, for %l, one whose short name would be empty. */
        return isempty(raw) || streq(raw, "(none)") || (short_name && raw[0] == '.');
}

int specifier_hostname_from_raw(const char *raw, bool short_name, const char *fallback, char **ret) {
        const char *s = raw;

        if (specifier_hostname_unset(s, short_name))
                s = fallback ?: SPECIFIER_FALLBACK_HOSTNAME;
        *ret = short_name ? strndup(s, strcspn(s, ".")) : strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* The kernel's host name as it is; the fallback is applied by host_name(). */
static int host_hostname(char **ret) {
        char buf[256 + 1] = {};

        if (gethostname(buf, sizeof(buf) - 1) < 0)
                return negative_errno();
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

static int host_kernel_release(char **ret) {
        struct utsname u;

        if (uname(&u) < 0)
                return negative_errno();
        *ret = strdup(u.release);
        return *ret ? 0 : -ENOMEM;
}

/* An env-style file (os-release(5), machine-info(5)) as KEY=VALUE strings,
 * read as systemd's parse_env_file() reads them for its specifiers: an odd
 * line (no "=", a key that is no variable name, a quote left open) costs
 * nothing but itself; a file that is not UTF-8, or holds a NUL, fails. */
static int read_env_file(const char *path, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        FILE *f;
        int r;

        r = env_file_open(path, &f);
        if (r < 0)
                return r;
        r = env_file_parse_lenient(f, &l, NULL);
        fclose(f);
        if (r < 0)
                return r;
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* %q: PRETTY_HOSTNAME= of machine-info(5); "" where there is none, and, as
 * systemd's get_pretty_hostname() failing, where the file cannot be read (not
 * UTF-8, a NUL byte, no file): %q is then the short host name (host_name()),
 * so that, unlike os-release's specifiers, it is never an error. */
static int host_pretty_hostname(const char *path, char **ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = read_env_file(path, &l);
        if (r == -ENOMEM)
                return r;
        *ret = strdup(r < 0 ? "" : strempty(env_get(l, "PRETTY_HOSTNAME")));
        return *ret ? 0 : -ENOMEM;
}

/* systemd's name for the architecture cell runs on (%a, systemd.unit(5)), as
 * systemd's: the one it was built for. */
static const char *native_architecture(void) {
#if defined(__x86_64__)
        return "x86-64";
#elif defined(__i386__)
        return "x86";
#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        return "arm64-be";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__arm__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        return "arm-be";
#elif defined(__arm__)
        return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64-le";
#elif defined(__powerpc64__)
        return "ppc64";
#elif defined(__s390x__)
        return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#elif defined(__loongarch_lp64)
        return "loongarch64";
#elif defined(__mips64) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "mips64-le";
#elif defined(__mips64)
        return "mips64";
#else
        return NULL;
#endif
}

/* %Y: the directory of the unit's file ("." for a bare file name). */
static int dirname_of(const char *path, char **ret) {
        const char *slash = strrchr(path, '/');

        if (!slash)
                *ret = strdup(".");
        else
                *ret = strndup(path, slash == path ? 1 : (size_t) (slash - path));
        return *ret ? 0 : -ENOMEM;
}

/* A field of os-release(5) (%o, %w, ...): empty when the file lacks it, as systemd's. */
static int os_release_field(SpecifierContext *c, const char *key, const char **ret) {
        if (!c->os_release && c->os_release_error == 0) {
                int r;

                c->n_host_lookups++;
                if (c->os_release_path)
                        r = read_env_file(c->os_release_path, &c->os_release);
                else {
                        r = read_env_file("/etc/os-release", &c->os_release);
                        if (r == -ENOENT)
                                r = read_env_file("/usr/lib/os-release", &c->os_release);
                }
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        c->os_release_error = r;
        }
        if (c->os_release_error < 0)
                return c->os_release_error;
        *ret = strempty(env_get(c->os_release, key));
        return 0;
}

/* systemd 252's get_default_hostname(): $SYSTEMD_DEFAULT_HOSTNAME, else
 * os-release's DEFAULT_HOSTNAME=, each only where it is a valid host name;
 * else the built-in "localhost". os-release not read is no error here. */
static int default_hostname(SpecifierContext *c, const char **ret) {
        const char *e = secure_getenv("SYSTEMD_DEFAULT_HOSTNAME");
        int r;

        if (e && hostname_is_valid(e)) {
                *ret = e;
                return 0;
        }
        r = os_release_field(c, "DEFAULT_HOSTNAME", &e);
        if (r == -ENOMEM)
                return r;
        *ret = r >= 0 && hostname_is_valid(e) ? e : SPECIFIER_FALLBACK_HOSTNAME;
        return 0;
}

/* Looks a host fact up once, remembering a failure as well. */
static int host_fact(SpecifierContext *c, char **value, int *error, int (*lookup)(char **),
                     const char *path, int (*read_path)(const char *, char **), const char **ret) {
        if (!*value && *error == 0) {
                int r;

                c->n_host_lookups++;
                r = lookup ? lookup(value) : read_path(path, value);
                if (r < 0) {
                        if (r == -ENOMEM)
                                return r;
                        *error = r;
                }
        }
        if (*error < 0)
                return *error;
        *ret = *value;
        return 0;
}

/* %H (short_name false) or %l (true): the kernel's name, or the default one
 * (default_hostname()) where it has none. */
static int host_name(SpecifierContext *c, bool short_name, char **ret) {
        const char *raw, *fallback = NULL;
        int r;

        r = host_fact(c, &c->hostname, &c->hostname_error, host_hostname, NULL, NULL, &raw);
        if (r < 0)
                return r;
        if (specifier_hostname_unset(raw, short_name)) {
                r = default_hostname(c, &fallback);
                if (r < 0)
                        return r;
        }
        return specifier_hostname_from_raw(raw, short_name, fallback, ret);
}

/* %y, as systemd's specifier_real_path(). */
static int fragment_path(SpecifierContext *c, const char **ret) {
        if (!c->fragment_path)
                return -ENOENT;
        if (c->fragment_path_resolve && !c->fragment_real_path) {
                c->fragment_real_path = realpath(c->fragment_path, NULL);
                if (!c->fragment_real_path && errno == ENOMEM)
                        return -ENOMEM;
                c->fragment_path_resolve = false;       /* failed: the path as given */
        }
        *ret = c->fragment_real_path ?: c->fragment_path;
        return 0;
}

/* The last '-' separated part of the prefix, as systemd's %j. */
static int last_component(const char *name, char **ret) {
        _cleanup_free_ char *prefix = NULL;
        const char *dash;
        int r;

        r = unit_name_to_prefix(name, &prefix);
        if (r < 0)
                return r;
        dash = strrchr(prefix, '-');
        if (!dash) {
                *ret = TAKE_PTR(prefix);
                return 0;
        }
        *ret = strdup(dash + 1);
        return *ret ? 0 : -ENOMEM;
}

/* One specifier's value, either borrowed (*ret_const) or allocated (*ret_alloc). */
static int specifier_value(SpecifierContext *c, char s, const char **ret_const, char **ret_alloc) {
        _cleanup_free_ char *t = NULL;
        int r;

        switch (s) {
        case 'n':
                if (asprintf(ret_alloc, "%s" UNIT_SUFFIX, c->name) < 0)
                        return -ENOMEM;
                return 0;
        case 'N':
                *ret_const = c->name;
                return 0;
        case 'p':
                return unit_name_to_prefix(c->name, ret_alloc);
        case 'P':
                r = unit_name_to_prefix(c->name, &t);
                if (r < 0)
                        return r;
                return unit_name_unescape(t, ret_alloc);
        case 'i':
                r = unit_name_to_instance(c->name, ret_alloc);
                if (r >= 0 && !*ret_alloc)
                        *ret_const = "";
                return r;
        case 'I':
                r = unit_name_to_instance(c->name, &t);
                if (r < 0)
                        return r;
                return unit_name_unescape(strempty(t), ret_alloc);
        case 'j':
                return last_component(c->name, ret_alloc);
        case 'J':
                r = last_component(c->name, &t);
                if (r < 0)
                        return r;
                return unit_name_unescape(t, ret_alloc);
        case 'f':
                /* The instance as a path, or the prefix when there is none. */
                r = unit_name_to_instance(c->name, &t);
                if (r < 0)
                        return r;
                if (!t) {
                        r = unit_name_to_prefix(c->name, &t);
                        if (r < 0)
                                return r;
                }
                return unit_name_path_unescape(t, ret_alloc);
        case 'H':
        case 'l':
                return host_name(c, s == 'l', ret_alloc);
        case 'q':
                r = host_fact(c, &c->pretty_hostname, &c->pretty_hostname_error, NULL,
                              c->machine_info_path ?: MACHINE_INFO_PATH, host_pretty_hostname, ret_const);
                if (r < 0 || !isempty(*ret_const))
                        return r;
                return host_name(c, true, ret_alloc);
        case 'v':
                return host_fact(c, &c->kernel_release, &c->kernel_release_error, host_kernel_release,
                                 NULL, NULL, ret_const);
        case 'a':
                *ret_const = native_architecture();
                return *ret_const ? 0 : -EOPNOTSUPP;
        case 'o':
                return os_release_field(c, "ID", ret_const);
        case 'w':
                return os_release_field(c, "VERSION_ID", ret_const);
        case 'W':
                return os_release_field(c, "VARIANT_ID", ret_const);
        case 'B':
                return os_release_field(c, "BUILD_ID", ret_const);
        case 'M':
                return os_release_field(c, "IMAGE_ID", ret_const);
        case 'A':
                return os_release_field(c, "IMAGE_VERSION", ret_const);
        case 'y':
                return fragment_path(c, ret_const);
        case 'Y': {
                const char *path;

                r = fragment_path(c, &path);
                if (r < 0)
                        return r;
                return dirname_of(path, ret_alloc);
        }
        /* systemd.exec(5)'s "ExecStart=... %d/tls.key": always the directory,
         * with credentials or without, as systemd's. */
        case 'd':
                *ret_const = SPECIFIER_CREDENTIALS_DIRECTORY;
                return 0;
        /* The system manager's user, whoever runs cell (as the directories below). */
        case 'u':
        case 'g':
                *ret_const = "root";
                return 0;
        case 'U':
        case 'G':
                *ret_const = "0";
                return 0;
        case 'h':
                *ret_const = "/root";
                return 0;
        case 's':
                *ret_const = "/bin/sh";
                return 0;
        case 'm':
                return host_fact(c, &c->machine_id, &c->machine_id_error, NULL,
                                 c->machine_id_path ?: MACHINE_ID_PATH, read_id128, ret_const);
        case 'b':
                return host_fact(c, &c->boot_id, &c->boot_id_error, NULL,
                                 c->boot_id_path ?: BOOT_ID_PATH, read_id128, ret_const);
        /* The system manager's directories (systemd.unit(5), "%t" ...);
         * fixed, so that a plan does not depend on the caller's environment. */
        case 't':
                *ret_const = "/run";
                return 0;
        case 'S':
                *ret_const = "/var/lib";
                return 0;
        case 'C':
                *ret_const = "/var/cache";
                return 0;
        case 'L':
                *ret_const = "/var/log";
                return 0;
        case 'E':
                *ret_const = "/etc";
                return 0;
        case 'T':
                *ret_const = "/tmp";
                return 0;
        case 'V':
                *ret_const = "/var/tmp";
                return 0;
        case '%':
                *ret_const = "%";
                return 0;
        default:
                return -EBADSLT;
        }
}

/* A growing string. */
typedef struct Buf {
        char *s;
        size_t n, size;
} Buf;

static int buf_append(Buf *b, const char *s, size_t n) {
        if (b->n + n + 1 > b->size) {
                size_t size = MAX(b->size * 2, b->n + n + 1);
                char *p = realloc(b->s, size);

                if (!p)
                        return -ENOMEM;
                b->s = p;
                b->size = size;
        }
        memcpy(b->s + b->n, s, n);
        b->n += n;
        b->s[b->n] = 0;
        return 0;
}

static bool ascii_isalnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void buf_done(Buf *b) {
        b->s = mfree(b->s);
}

int specifier_expand(SpecifierContext *c, const char *s, char **ret, char *ret_bad) {
        _cleanup_(buf_done) Buf b = {};
        int r;

        for (const char *p = s; *p; ) {
                _cleanup_free_ char *alloc = NULL;
                const char *value = NULL;
                const char *pct = strchr(p, '%');
                size_t n = pct ? (size_t) (pct - p) : strlen(p);

                r = buf_append(&b, p, n);
                if (r < 0)
                        return r;
                if (!pct)
                        break;
                if (pct[1] == 0) {
                        /* A lone trailing '%' stays, as in systemd. */
                        r = buf_append(&b, "%", 1);
                        if (r < 0)
                                return r;
                        break;
                }
                /* As systemd's specifier_printf(): only a letter, a digit or
                 * '%' makes a specifier; after anything else ("50% done",
                 * printf's "%-5s") the '%' is a character like any other. */
                if (!ascii_isalnum(pct[1]) && pct[1] != '%') {
                        r = buf_append(&b, pct, 1);
                        if (r < 0)
                                return r;
                        p = pct + 1;
                        continue;
                }

                r = specifier_value(c, pct[1], &value, &alloc);
                if (r < 0) {
                        if (ret_bad)
                                *ret_bad = pct[1];
                        return r;
                }
                value = alloc ?: value;
                r = buf_append(&b, value, strlen(value));
                if (r < 0)
                        return r;
                p = pct + 2;
        }

        if (!b.s) {
                b.s = strdup("");
                if (!b.s)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(b.s);
        return 0;
}

char specifier_first_not_install(const char *s) {
        for (const char *p = strchr(s, '%'); p && p[1]; p = strchr(p, '%')) {
                if (p[1] == '%') {
                        p += 2;
                        continue;
                }
                if (ascii_isalnum(p[1]) && !strchr(SPECIFIERS_INSTALL, p[1]))
                        return p[1];
                p++;
        }
        return 0;
}
