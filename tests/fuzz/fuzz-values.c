/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the value parsers of src/unit/parse-*.h, specifier expansion
 * (specifier.h), and config_assign() over the real key table; and text read
 * on the host at run time (fuzz-values-host.c).
 *
 * Input: byte 0 picks the parser (modulo the table below), byte 1 is a
 * parameter where one is needed (resource, flags, separators), the rest is
 * the value text (cut at the first NUL, as a C string would be). Parsers
 * that accumulate (SystemCallFilter=, Environment=, config_assign) take the
 * text line by line, so that one assignment meets the next.
 *
 * Besides crashes, sanitizer reports and leaks, each parser's documented
 * contract is checked: ret_* untouched on failure, results inside the
 * documented ranges. A breach aborts (the input is a finding). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "config-parse.h"
#include "fuzz-keys.h"
#include "fuzz.h"
#include "fuzz-values.h"
#include "parse-caps.h"
#include "parse-exec.h"
#include "parse-limits.h"
#include "parse-mount.h"
#include "parse-network.h"
#include "parse-syscall.h"
#include "parse-value.h"
#include "plan.h"
#include "strv.h"

/* Some bits already set, as after an earlier Capability= line. */
#define CAP_MASK_FUZZ_START ((UINT64_C(1) << 0) | (UINT64_C(1) << 21))

/* Every parser returns 0 (or a documented positive), -EINVAL, -ERANGE or -ENOMEM. */
void check_return(int r) {
        CHECK(r >= 0 || r == -EINVAL || r == -ERANGE);
}

/* The next line of *p (without its '\n'), as a new string; NULL at the end. */
char *next_line(const char **p) {
        const char *nl;
        char *line;

        if (!*p)
                return NULL;
        nl = strchr(*p, '\n');
        line = nl ? strndup(*p, (size_t) (nl - *p)) : strdup(*p);
        if (!line)
                abort();
        *p = nl ? nl + 1 : NULL;
        return line;
}

/* What every accepted path is: absolute, no ".." component; or one that
 * starts with a specifier ("%S/web"), kept as written for the unit reader,
 * which expands it and checks the result (fuzz_config_assign()). */
static void check_absolute(const char *p) {
        CHECK(p && (p[0] == '/' || p[0] == '%'));
        /* One beginning with a specifier is kept as written: it is
         * normalised, and refused if it is not absolute or holds a "..",
         * once expanded at load (config_expand_path()). */
        if (p[0] == '%')
                return;
        CHECK(!strstr(p, "/../") && !endswith(p, "/.."));
}

/* What a normalised path is (parse_path_absolute(), Inaccessible=). */
static bool strv_same(char * const *a, char * const *b) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

void check_path(const char *p) {
        /* Absolute, or beginning with a specifier: kept as written until
         * it is expanded at load ("%h/cache", cell.syntax(7)). */
        CHECK(p && (p[0] == '/' || p[0] == '%'));
        if (p[0] == '%')
                return;
        CHECK(!strstr(p, "//"));
        CHECK(!strstr(p, "/./") && !endswith(p, "/."));
        CHECK(!strstr(p, "/../") && !endswith(p, "/.."));
        CHECK(streq(p, "/") || !endswith(p, "/"));
}

static void fuzz_size(const char *s, uint8_t param) {
        uint64_t v = POISON;
        int r = parse_size(s, &v);

        check_return(r);
        if (r < 0)
                CHECK(v == POISON);
}

static void fuzz_timespan(const char *s, uint8_t param) {
        uint64_t v = POISON;
        int r = parse_timespan(s, param & 1 ? 1 : USEC_PER_SEC, &v);

        check_return(r);
        if (r < 0)
                CHECK(v == POISON);
}

static void fuzz_permyriad(const char *s, uint8_t param) {
        uint32_t v = 0x5a5a5a5a;
        bool unbounded = param & 1;
        int r = parse_permyriad(s, unbounded, &v);

        check_return(r);
        if (r < 0)
                CHECK(v == 0x5a5a5a5a);
        else if (!unbounded)
                CHECK(v <= 10000);
}

static void fuzz_limit(const char *s, uint8_t param) {
        CellLimit l = { .kind = 77, .value = POISON };
        int r = parse_limit(s, &l);

        check_return(r);
        if (r < 0)
                CHECK(l.kind == 77 && l.value == POISON);
        else {
                CHECK(l.kind == CELL_LIMIT_VALUE || l.kind == CELL_LIMIT_PERCENT || l.kind == CELL_LIMIT_INFINITY);
                if (l.kind == CELL_LIMIT_PERCENT)
                        CHECK(l.permyriad <= 10000);
        }
}

static void fuzz_capabilities(const char *s, uint8_t param) {
        CellCapMask mask = param & 1 ? 0 : CAP_MASK_FUZZ_START, before = mask;
        _cleanup_free_ char *bad = NULL;
        int r = parse_capabilities(s, !(param & 2), &mask, &bad);

        check_return(r);
        if (r < 0)
                CHECK(mask == before);
        else
                CHECK((mask & ~before & ~cap_mask_all()) == 0);
        for (unsigned cap = 0; cap < 64; cap++)
                if (mask & cap_mask_all() & (UINT64_C(1) << cap)) {
                        _cleanup_free_ char *n = capability_name(cap);
                        CHECK(n);
                }
}

static void fuzz_syscall_filter(const char *s, uint8_t param) {
        _cleanup_(cell_config_done) CellConfig c;

        cell_config_init(&c);
        for (_cleanup_free_ char *line = NULL; (line = next_line(&s)); line = mfree(line)) {
                SyscallFilterError e = SYSCALL_FILTER_OK;
                _cleanup_free_ char *word = NULL;
                size_t n_before = c.n_syscall_filter;
                int r;

                if (isempty(line)) {
                        cell_syscall_filter_reset(&c);
                        continue;
                }
                r = parse_syscall_filter(&c, line, "fuzz.conf", 1, &e, &word);
                check_return(r);
                if (r < 0)
                        CHECK(e != SYSCALL_FILTER_OK && c.n_syscall_filter == n_before);
        }
        for (size_t i = 0; i < c.n_syscall_filter; i++)
                /* -1: the unit's SystemCallErrorNumber=; ":0" (the call is not
                 * made and returns 0) and ":kill" as in systemd 252. */
                CHECK(c.syscall_filter[i].name && (c.syscall_filter[i].error == -1 ||
                                                   (c.syscall_filter[i].error >= 0 && c.syscall_filter[i].error <= 4095) ||
                                                   c.syscall_filter[i].error == CELL_SYSCALL_KILL));
        (void) syscall_name_is_valid(s ?: "");
}

static void fuzz_bind(const char *s, uint8_t param) {
        CellBind b = { .line = 4242 };
        int r = parse_bind(s, param & 1, &b);

        check_return(r);
        if (r < 0) {
                CHECK(!b.source && !b.target && b.line == 4242);
                return;
        }
        /* "+SRC": a path in the container's root, absolute all the same. */
        CHECK(b.source);
        check_absolute(b.source + (b.source[0] == '+'));
        check_absolute(b.target);
        CHECK(b.read_only == (bool) (param & 1));
        cell_bind_done(&b);
}

static void fuzz_tmpfs(const char *s, uint8_t param) {
        CellTmpfs t = { .line = 4242 };
        int r = parse_tmpfs(s, &t);

        check_return(r);
        if (r < 0) {
                CHECK(!t.path && !t.options && t.line == 4242);
                return;
        }
        check_absolute(t.path);
        cell_tmpfs_done(&t);
}

static void fuzz_overlay(const char *s, uint8_t param) {
        CellOverlay o = { .line = 4242 };
        int r = parse_overlay(s, param & 1, &o);

        check_return(r);
        if (r < 0) {
                CHECK(!o.lower && !o.upper && !o.target && o.line == 4242);
                return;
        }
        CHECK(strv_length(o.lower) >= 1 && o.upper && o.target);
        cell_overlay_done(&o);
}

static void fuzz_volatile(const char *s, uint8_t param) {
        CellVolatile v = 77;
        int r = parse_volatile(s, &v);

        check_return(r);
        if (r < 0)
                CHECK(v == 77);
        else
                CHECK(v == CELL_VOLATILE_NO || v == CELL_VOLATILE_YES ||
                      v == CELL_VOLATILE_STATE || v == CELL_VOLATILE_OVERLAY);
}

static void fuzz_inaccessible(const char *s, uint8_t param) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        if (strv_extend(&l, "/kept") < 0)
                abort();
        r = parse_inaccessible(s, &l);
        check_return(r);
        CHECK(l && streq(l[0], "/kept"));
        if (r < 0)
                CHECK(strv_length(l) == 1);
        STRV_FOREACH(p, l)
                check_path(*p);
}

static void fuzz_port(const char *s, uint8_t param) {
        CellPort p = {};
        int r = parse_port(s, &p);

        check_return(r);
        if (r >= 0)
                CHECK(p.host_port >= 1 && p.container_port >= 1 &&
                      (p.protocol == IPPROTO_TCP || p.protocol == IPPROTO_UDP));
}

static void fuzz_device_allow(const char *s, uint8_t param) {
        CellDeviceAllow d = {};
        int r = parse_device_allow(s, &d);

        check_return(r);
        if (r < 0)
                return;
        CHECK(d.path);
        CHECK(strlen(d.perms) >= 1 && strlen(d.perms) <= 3);
        /* normalised to "rwm" order */
        CHECK(strstr("rwm", d.perms) || streq(d.perms, "rm") || streq(d.perms, "wm") || streq(d.perms, "rw"));
        free(d.path);
}

static void fuzz_rlimit(const char *s, uint8_t param) {
        int resource = param % (RLIMIT_NLIMITS + 1);   /* one past the end: out of range */
        CellRlimit l = { .soft = 4242, .hard = 4242 };
        const char *key = rlimit_key(resource);
        int r;

        if (key)
                CHECK(rlimit_from_key(key) == resource);
        (void) rlimit_from_key(s);
        (void) rlimit_expected(resource);
        if (resource >= RLIMIT_NLIMITS)
                return;
        r = parse_rlimit(resource, s, &l);
        check_return(r);
        if (r >= 0)
                CHECK(l.soft <= l.hard);
}

static void fuzz_environment(const char *s, uint8_t param) {
        _cleanup_strv_free_ char **env = NULL;

        for (_cleanup_free_ char *line = NULL; (line = next_line(&s)); line = mfree(line)) {
                _cleanup_strv_free_ char **before = strv_copy(env);
                _cleanup_free_ char *bad = NULL;
                int r;

                if (env && !before)
                        abort();
                r = parse_environment(line, &env, &bad);
                check_return(r);
                if (r < 0)
                        CHECK(strv_same(before, env));
        }
        STRV_FOREACH(e, env)
                CHECK(strchr(*e, '='));
}

static void fuzz_exec(const char *s, uint8_t param) {
        _cleanup_strv_free_ char **argv = NULL, **words = NULL;
        int r;

        r = parse_exec_command(s, &argv);
        CHECK(r >= 0 || r == -EINVAL || r == -EBADMSG);      /* -EBADMSG: a lone ";" */
        if (r >= 0)
                CHECK(strv_length(argv) >= 1);
        r = split_words(s, &words);
        check_return(r);
        if (r >= 0)
                CHECK(words);
}

static void fuzz_extract(const char *s, uint8_t param) {
        static const char *const separators[] = { NULL, ":", ",", ":,", " \t", "=" };
        const char *sep = separators[(param >> 3) % ELEMENTSOF(separators)];
        ExtractFlags flags = param & 7;
        size_t budget = strlen(s) + 2;
        const char *p = s;

        for (;;) {
                _cleanup_free_ char *w = NULL;
                const char *before = p;
                int r = extract_first_word(&p, &w, sep, flags);

                check_return(r);
                if (r <= 0)
                        break;
                CHECK(w);
                CHECK(p >= before && p <= s + strlen(s));
                CHECK(budget-- > 0);    /* no endless loop */
        }
}

static void fuzz_signal_errno(const char *s, uint8_t param) {
        int v = 4242, r;

        r = parse_signal(s, &v);
        check_return(r);
        if (r < 0)
                CHECK(v == 4242);
        else
                CHECK(v >= 1 && v <= 64);
        v = 4242;
        r = parse_errno(s, &v);
        check_return(r);
        if (r < 0)
                CHECK(v == 4242);
        else {
                CHECK(v >= 1 && v <= 4095);
                (void) errno_name(v);
        }
        (void) errno_name((int) param - 8);
}

static void fuzz_modes(const char *s, uint8_t param) {
        mode_t m = 07777777;
        int r = parse_umask(s, &m);

        check_return(r);
        CHECK(r < 0 ? m == 07777777 : m <= 07777);
        m = 07777777;
        r = parse_mode(s, &m);
        check_return(r);
        CHECK(r < 0 ? m == 07777777 : m <= 07777);
}

static void fuzz_cpu_set(const char *s, uint8_t param) {
        _cleanup_free_ uint8_t *set = NULL;
        size_t size = 4242;
        int r = parse_cpu_set(s, &set, &size);

        check_return(r);
        if (r < 0) {
                CHECK(!set && size == 4242);
                return;
        }
        if (size == 0) {                /* no CPU at all: the empty set */
                CHECK(!set);
                return;
        }
        CHECK(set && size <= 8192 / 8);
        CHECK(set[size - 1] != 0);      /* sized to the highest CPU */
}

static void fuzz_path(const char *s, uint8_t param) {
        _cleanup_free_ char *p = NULL;
        int r = parse_path_absolute(s, &p);

        check_return(r);
        if (r >= 0) {
                _cleanup_free_ char *again = NULL;

                check_path(p);
                /* normalising is idempotent */
                CHECK(parse_path_absolute(p, &again) >= 0 && streq(p, again));
        } else
                CHECK(!p);
}

static void fuzz_names(const char *s, uint8_t param) {
        const char *tab = strchr(s, '\t');

        (void) unit_name_is_valid(s);
        (void) env_name_is_valid(s);
        (void) user_group_name_is_valid(s);
        (void) hostname_is_valid(s);
        (void) ifname_is_valid(s);
        (void) parse_boolean(s);
        if (tab && tab - s < 256 && strlen(tab + 1) < 256) {
                _cleanup_free_ char *a = strndup(s, (size_t) (tab - s));

                if (!a)
                        abort();
                CHECK(string_distance(a, tab + 1) == string_distance(tab + 1, a));
                CHECK(string_distance(a, a) == 0);
        }
}

static void fuzz_numbers(const char *s, uint8_t param) {
        uint64_t u = POISON;
        int64_t i = (int64_t) POISON;
        int v = 4242, r;

        r = parse_uint64(s, &u);
        check_return(r);
        CHECK(r >= 0 || u == POISON);
        r = parse_int64(s, &i);
        check_return(r);
        CHECK(r >= 0 || i == (int64_t) POISON);
        u = POISON;
        r = parse_uint64_range(s, 1, 10000, &u);
        check_return(r);
        CHECK(r < 0 ? u == POISON : u >= 1 && u <= 10000);
        r = parse_int_range(s, -1000, 1000, &v);
        check_return(r);
        CHECK(r < 0 ? v == 4242 : v >= -1000 && v <= 1000);
}

/* The key a line names: "Key=value" with a Key of the table, else the
 * first byte picks one (modulo the table) and the value follows it. */
static size_t line_key(const char *line, const char **ret_value) {
        const char *eq = strchr(line, '=');

        if (eq)
                for (size_t k = 0; k < ELEMENTSOF(fuzz_keys); k++)
                        if (strlen(fuzz_keys[k].key) == (size_t) (eq - line) &&
                            strncmp(line, fuzz_keys[k].key, (size_t) (eq - line)) == 0) {
                                *ret_value = eq + 1;
                                return k;
                        }
        *ret_value = line + 1;
        return (unsigned char) line[0] % ELEMENTSOF(fuzz_keys);
}

/* Each line is config_assign()ed to the key line_key() finds in the real
 * table; the unit is then finished and, with param bit 0 and no error,
 * planned and printed. */
static void fuzz_config_assign(const char *s, uint8_t param) {
        _cleanup_(cell_config_done) CellConfig c;
        Diagnostics diag = {};
        unsigned line_no = 0;
        int r;

        cell_config_init(&c);
        for (_cleanup_free_ char *line = NULL; (line = next_line(&s)); line = mfree(line)) {
                const char *value;
                size_t k;

                line_no++;
                if (!line[0])
                        continue;
                k = line_key(line, &value);
                r = config_assign(&c, fuzz_keys[k].section, fuzz_keys[k].key, value, "fuzz.cell", line_no, &diag);
                CHECK(r == 0);
        }
        r = config_finish(&c, "fuzz.cell", &diag);
        CHECK(r == 0);
        if (diag.n_errors == 0 && (param & 1)) {
                Plan p = {};
                FILE *f = fopen("/dev/null", "we");

                if (!f)
                        abort();
                r = plan_build(&c, NULL, &p, &diag);
                CHECK(r >= 0 || r == -EINVAL);
                if (r >= 0)
                        CHECK(plan_print_json(&p, f) >= 0);
                plan_done(&p);
                fclose(f);
        }
        diag_done(&diag);
}

/* New parsers go at the end: byte 0 of a stored input is its index here
 * (a larger one would pick another parser once the table grows). */
static void (*const parsers[])(const char *s, uint8_t param) = {
        fuzz_size,
        fuzz_timespan,
        fuzz_permyriad,
        fuzz_limit,
        fuzz_capabilities,
        fuzz_syscall_filter,
        fuzz_bind,
        fuzz_tmpfs,
        fuzz_overlay,
        fuzz_volatile,
        fuzz_inaccessible,
        fuzz_port,
        fuzz_device_allow,
        fuzz_rlimit,
        fuzz_environment,
        fuzz_exec,
        fuzz_extract,
        fuzz_signal_errno,
        fuzz_modes,
        fuzz_cpu_set,
        fuzz_path,
        fuzz_names,
        fuzz_numbers,
        fuzz_config_assign,
        fuzz_env_file,
        fuzz_netfw,
        fuzz_address,
        fuzz_veth_extra,
        fuzz_sched,
        fuzz_isolation,
        fuzz_io_device,
        fuzz_cpu_set_extend,
        fuzz_syscall_error,
        fuzz_escapes,
        fuzz_specifier,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = NULL;

        if (size < 2 || size > FUZZ_INPUT_MAX)
                return 0;
        text = strndup((const char *) data + 2, size - 2);
        if (!text)
                abort();
        parsers[data[0] % ELEMENTSOF(parsers)](text, data[1]);
        return 0;
}
