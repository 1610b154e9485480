/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-values: the parsers of the keys added after the first ones (network
 * addresses, scheduling, isolation lists, per-device IO, CPU sets one after
 * the other, syscall errors, escapes, specifiers); the entry point and the
 * older parsers are in fuzz-values.c, whose table picks these by index. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz-values.h"
#include "parse-exec.h"
#include "parse-isolation.h"
#include "parse-limits.h"
#include "parse-network.h"
#include "parse-sched.h"
#include "parse-syscall.h"
#include "parse-value.h"
#include "specifier.h"
#include "strv.h"

/* Address= and Gateway=: the canonical text parses back to itself; then
 * every line is an Address= (the first a Gateway= too) for gateway_reach(). */
void fuzz_address(const char *s, uint8_t param) {
        _cleanup_strv_free_ char **addresses = NULL;
        _cleanup_free_ char *gateway = NULL;

        for (_cleanup_free_ char *line = NULL; (line = next_line(&s)); line = mfree(line)) {
                _cleanup_free_ char *a = NULL, *g = NULL;
                char subnet[INET6_ADDRSTRLEN + 4];
                uint8_t bytes[16];
                unsigned prefix;
                int r, family;

                r = parse_address_prefix(line, &a, NULL);
                CHECK(r >= 0 || r == -EINVAL || r == -EADDRNOTAVAIL);
                if (r >= 0) {
                        _cleanup_free_ char *again = NULL;

                        CHECK(parse_address_prefix(a, &again, NULL) >= 0 && streq(a, again));
                        CHECK(address_parse(a, &family, bytes, &prefix) >= 0);
                        CHECK(family == AF_INET ? prefix <= 32 : family == AF_INET6 && prefix <= 128);
                        (void) address_subnet(a, subnet, sizeof subnet);
                        CHECK(strlen(subnet) < sizeof subnet);
                        r = address_port_family(a);
                        CHECK(r == 0 || r == family);
                        if (strv_extend(&addresses, a) < 0)
                                abort();
                } else
                        CHECK(!a);
                (void) address_subnet(line, subnet, sizeof subnet);
                (void) address_parse(line, &family, bytes, NULL);
                r = parse_gateway(line, &g);
                check_return(r);
                if (r >= 0) {
                        _cleanup_free_ char *again = NULL;

                        CHECK(parse_gateway(g, &again) >= 0 && streq(g, again));
                        CHECK(address_parse(g, &family, bytes, &prefix) >= 0);
                        CHECK(prefix == (family == AF_INET ? 32u : 128u));
                        if (!gateway)
                                gateway = TAKE_PTR(g);
                } else
                        CHECK(!g);
        }
        if (gateway) {
                size_t i = SIZE_MAX;
                GatewayReach reach = gateway_reach(gateway, addresses, &i);

                CHECK(reach <= GATEWAY_NOT_UNICAST);
                /* (GATEWAY_ON_LINK of an IPv6 link-local gateway is about no Address=.) */
                if (reach == GATEWAY_BROADCAST || reach == GATEWAY_SUBNET || reach == GATEWAY_LOCAL)
                        CHECK(i < strv_length(addresses));
        }
}

void fuzz_veth_extra(const char *s, uint8_t param) {
        char *host = NULL, *container = NULL;
        int r = parse_veth_extra(s, &host, &container);

        check_return(r);
        if (r < 0) {
                CHECK(!host && !container);
                return;
        }
        CHECK(ifname_is_valid(host) && ifname_is_valid(container));
        free(host);
        free(container);
}

/* CPUSchedulingPolicy=, IOSchedulingClass=, Personality=: names back and forth. */
void fuzz_sched(const char *s, uint8_t param) {
        unsigned long pers = 4242;
        int v = 4242, r;

        r = parse_sched_policy(s, &v);
        check_return(r);
        if (r < 0)
                CHECK(v == 4242);
        else {
                int again = -1;

                CHECK(sched_policy_to_string(v));
                CHECK(parse_sched_policy(sched_policy_to_string(v), &again) >= 0 && again == v);
                CHECK(sched_policy_priority_min(v) <= sched_policy_priority_max(v));
        }
        (void) sched_policy_to_string((int) param - 8);
        v = 4242;
        r = parse_ioprio_class(s, &v);
        check_return(r);
        if (r < 0)
                CHECK(v == 4242);
        else {
                int again = -1;

                CHECK(ioprio_class_to_string(v));
                CHECK(parse_ioprio_class(ioprio_class_to_string(v), &again) >= 0 && again == v);
        }
        (void) ioprio_class_to_string((int) param - 8);
        r = parse_personality(s, &pers);
        CHECK(r >= 0 || r == -EINVAL || r == -EOPNOTSUPP);
        if (r < 0)
                CHECK(pers == 4242);
        else {
                unsigned long again = 4242;

                CHECK(personality_to_string(pers));
                CHECK(parse_personality(personality_to_string(pers), &again) >= 0 && again == pers);
        }
        (void) personality_to_string(param);
}

/* SystemCallArchitectures=, RestrictNamespaces=, RestrictAddressFamilies=,
 * line by line into one config (param picks the key per line): a bad word
 * leaves the config as it was. */
void fuzz_isolation(const char *s, uint8_t param) {
        _cleanup_(cell_config_done) CellConfig c;
        unsigned n = 0;

        cell_config_init(&c);
        for (_cleanup_free_ char *line = NULL; (line = next_line(&s)); line = mfree(line), n++) {
                uint32_t archs[CELL_SYSCALL_ARCHS_MAX];
                size_t n_archs = c.n_syscall_archs;
                bool ns_set = c.restrict_namespaces_set, af_set = c.address_families_set,
                        af_allow = c.address_families_allow_list;
                unsigned long ns = c.restrict_namespaces;
                uint64_t af = c.address_families;
                _cleanup_free_ char *word = NULL;
                int r;

                memcpy(archs, c.syscall_archs, sizeof archs);
                switch ((param + n) % 3) {
                case 0:
                        r = parse_syscall_archs(&c, line, &word);
                        break;
                case 1:
                        r = parse_restrict_namespaces(&c, line, &word);
                        break;
                default:
                        r = parse_address_families(&c, line, &word);
                }
                check_return(r);
                CHECK(c.n_syscall_archs <= CELL_SYSCALL_ARCHS_MAX);
                CHECK((c.restrict_namespaces & ~namespace_flags_all()) == 0);
                if (r < 0)
                        CHECK(n_archs == c.n_syscall_archs && memcmp(archs, c.syscall_archs, sizeof archs) == 0 &&
                              ns_set == c.restrict_namespaces_set && ns == c.restrict_namespaces &&
                              af_set == c.address_families_set && af_allow == c.address_families_allow_list &&
                              af == c.address_families);
        }
        for (size_t i = 0; i < c.n_syscall_archs; i++) {
                uint32_t again = 0;

                CHECK(syscall_arch_to_string(c.syscall_archs[i]));
                CHECK(syscall_arch_from_string(syscall_arch_to_string(c.syscall_archs[i]), &again) >= 0 &&
                      again == c.syscall_archs[i]);
        }
        for (int f = 0; f < 64; f++)
                if (address_family_to_string(f))
                        CHECK(address_family_from_string(address_family_to_string(f)) == f);
        (void) namespace_flag_from_string(s ?: "");
        (void) address_family_from_string(s ?: "");
}

/* IODeviceWeight= and the other per-device IO keys; sizes to base 1000. */
void fuzz_io_device(const char *s, uint8_t param) {
        CellIOKind kind = param % _CELL_IO_KIND_MAX;
        uint64_t v = POISON;
        char *path = NULL;
        int r;

        (void) io_kind_key(param % (_CELL_IO_KIND_MAX + 1));
        r = parse_io_device(kind, s, &path, &v);
        check_return(r);
        if (r < 0)
                CHECK(!path && v == POISON);
        else {
                check_path(path);
                if (kind == CELL_IO_DEVICE_WEIGHT)
                        CHECK(v >= 1 && v <= 10000);
                else if (kind != CELL_IO_LATENCY)
                        CHECK(v > 0);
                free(path);
        }
        v = POISON;
        r = parse_size_base(s, param & 1 ? 1000 : 1024, &v);
        check_return(r);
        if (r < 0)
                CHECK(v == POISON);
}

/* CPUAffinity= and AllowedCPUs= assignments one after the other. */
void fuzz_cpu_set_extend(const char *s, uint8_t param) {
        _cleanup_free_ uint8_t *set = NULL;
        size_t size = 0;

        for (_cleanup_free_ char *line = NULL; (line = next_line(&s)); line = mfree(line)) {
                _cleanup_free_ uint8_t *before = size ? malloc(size) : NULL;
                size_t size_before = size;
                int r;

                if (size && !before)
                        abort();
                if (size)
                        memcpy(before, set, size);
                r = parse_cpu_set_extend(line, &set, &size);
                check_return(r);
                if (r < 0)
                        CHECK(size == size_before && (size == 0 || memcmp(set, before, size) == 0));
                else if (size > 0) {
                        CHECK(set && size <= 8192 / 8 && set[size - 1] != 0);
                        for (size_t i = 0; i < size_before; i++)
                                CHECK((set[i] & before[i]) == before[i]);
                } else
                        CHECK(!set);
        }
}

/* SystemCallErrorNumber= and SystemCallFilter='s ":ERRNO". */
void fuzz_syscall_error(const char *s, uint8_t param) {
        bool allow_zero = param & 1;
        int v = 4242, r = parse_syscall_error(s, allow_zero, &v);

        check_return(r);
        if (r < 0)
                CHECK(v == 4242);
        else
                CHECK((v >= !allow_zero && v <= 4095) || v == CELL_SYSCALL_KILL);
}

/* SetCredential='s escapes; quote_word() undone by extract_first_word(). */
void fuzz_escapes(const char *s, uint8_t param) {
        _cleanup_free_ char *bytes = NULL, *quoted = NULL, *word = NULL;
        size_t size = 4242;
        const char *p;
        int r;

        r = cunescape_bytes(s, &bytes, &size);
        check_return(r);
        if (r >= 0)
                CHECK(bytes && size <= strlen(s) && bytes[size] == 0);
        else
                CHECK(!bytes && size == 4242);
        if (quote_word(s, &quoted) < 0)
                abort();
        p = quoted;
        r = extract_first_word(&p, &word, NULL, EXTRACT_UNQUOTE | (param & 1 ? EXTRACT_CUNESCAPE : 0));
        CHECK(r > 0 && streq(word, s) && *p == 0);
        (void) credential_name_is_valid(s);
        (void) user_group_name_is_relaxed_valid(s);
}

/* Specifiers, with the host facts from files that do not exist (an error
 * each, as on a host without them) or, param bit 0, the real ones. */
void fuzz_specifier(const char *s, uint8_t param) {
        static const char *const names[] = { "fuzz@a-b", "fuzz", "fuzz@", "fuzz@a\\x2db" };
        SpecifierContext ctx = {
                .name = names[(param >> 1) % ELEMENTSOF(names)],
                .fragment_path = param & 8 ? NULL : "/nonexistent/fuzz@.cell",
        };
        _cleanup_free_ char *out = NULL;
        char bad = 0;
        int r;

        if (!(param & 1))
                ctx.machine_id_path = ctx.boot_id_path = ctx.machine_info_path = ctx.os_release_path =
                        "/nonexistent";
        r = specifier_expand(&ctx, s, &out, &bad);
        CHECK(r >= 0 || r == -EBADSLT || r == -ENOENT || r == -ENOMEDIUM || r == -EINVAL || r == -ENXIO ||
              r == -ENODATA || r == -EUCLEAN || r == -ENOTDIR);
        if (r >= 0) {
                CHECK(out);
                if (!specifier_has_any(s))
                        CHECK(streq(out, s));
        } else
                CHECK(!out && bad != 0);
        specifier_context_done(&ctx);
}
