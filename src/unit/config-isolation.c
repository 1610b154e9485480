/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Isolation]: namespaces, capabilities, system call filter and the keys
 * that add to it (SystemCallArchitectures=, RestrictNamespaces=, ...). */
#include <string.h>

#include "config-parsers.h"
#include "parse-caps.h"
#include "parse-isolation.h"
#include "parse-syscall.h"
#include "parse-value.h"
#include "strv.h"

#define USERS_RANGE_DEFAULT 65536u

int config_parse_private_users(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        const char *v = ctx->value, *colon;
        uint64_t uid, count = USERS_RANGE_DEFAULT;
        int b;

        c->private_users_uid = 0;
        c->private_users_count = 0;
        if (isempty(v)) {
                c->private_users = CELL_PRIVATE_USERS_NO;
                return 0;
        }
        if (streq(v, "pick")) {
                c->private_users = CELL_PRIVATE_USERS_PICK;
                c->private_users_count = USERS_RANGE_DEFAULT;
                return 0;
        }
        /* As a range that starts at UID 0 (refused by the plan), and said
         * here by name, since it is nspawn's word. */
        if (streq(v, "identity"))
                return config_bad(ctx, "no, yes, pick or UID[:COUNT]; not nspawn's \"identity\" (0:65536), "
                                  "which makes the container's root the host's root");
        b = parse_boolean(v);
        if (b >= 0) {
                c->private_users = b ? CELL_PRIVATE_USERS_YES : CELL_PRIVATE_USERS_NO;
                c->private_users_count = b ? USERS_RANGE_DEFAULT : 0;
                return 0;
        }

        colon = strchr(v, ':');
        if (colon) {
                _cleanup_free_ char *u = strndup(v, (size_t) (colon - v));
                if (!u)
                        return -ENOMEM;
                /* As nspawn: the UID decimal (parse_uid()), the COUNT in C's notation (safe_atou32()). */
                if (parse_uint64(u, &uid) < 0 || parse_uint64_range(colon + 1, 0, UINT32_MAX, &count) < 0)
                        return -EINVAL;
        } else if (parse_uint64(v, &uid) < 0)
                return -EINVAL;
        /* The range must fit below (uid_t) -1, which is "no user". */
        if (count == 0 || uid >= UINT32_MAX || count > UINT32_MAX - uid)
                return config_bad(ctx, "UID[:COUNT] with COUNT >= 1 and UID+COUNT <= 4294967295");
        /* As nspawn's parse_uid(): 65535, the 16-bit "no user", is no UID to start at. */
        if (uid == UINT16_MAX)
                return config_bad(ctx, "UID[:COUNT] whose UID is not 65535 (the 16-bit (uid_t) -1, no user)");
        c->private_users = CELL_PRIVATE_USERS_FIXED;
        c->private_users_uid = (uid_t) uid;
        c->private_users_count = (uint32_t) count;
        return 0;
}

/* The capabilities this line named, as its origin's set (bit N of byte
 * N / 8, as a CPU set's): the lines add up, and a start that cannot grant
 * one ("Capability=CAP_SYS_TIME: cell itself does not hold it") names the
 * line that asked for it, not the key's last. */
static int capabilities_line_set(ConfigContext *ctx) {
        CellCapMask own = 0;

        if (parse_capabilities(ctx->value, true, &own, NULL) < 0)
                return 0;
        return cap_mask_to_set(own, &ctx->set, &ctx->set_size);
}

int config_parse_capabilities(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        CellCapMask *mask = data;
        _cleanup_free_ char *bad = NULL;
        int r;

        if (isempty(ctx->value)) {
                *mask = 0;
                return 0;
        }
        /* ltype: "all" refused, as nspawn's AmbientCapability= refuses it: the
         * payload would get every capability whatever its user. */
        r = parse_capabilities(ctx->value, !k->ltype, mask, &bad);
        if (r >= 0 && mask != &c->drop_capability)
                return capabilities_line_set(ctx);
        if (r == -EINVAL && bad && strcaseeq(bad, "all"))
                return config_bad(ctx, "%s", k->expected);
        /* "~" as a .service's CapabilityBoundingSet= writes it: cell's own key for that. */
        if (r == -EINVAL && bad && bad[0] == '~' && streq(k->key, "Capability"))
                return config_bad(ctx, "%s (\"%s\" is not one; DropCapability= takes capabilities away)",
                                  k->expected, bad);
        if (r == -EINVAL && bad)
                return config_bad(ctx, "%s (\"%s\" is not one)", k->expected, bad);
        return r;
}

int config_parse_syscall_filter(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        _cleanup_free_ char *word = NULL;
        SyscallFilterError e;
        int r;

        if (isempty(ctx->value)) {
                cell_syscall_filter_reset(c);
                return 0;
        }
        /* The main file's lines keep no copy of its path, as CellOrigin's. */
        r = parse_syscall_filter(c, ctx->value, streq_ptr(ctx->file, c->path) ? NULL : ctx->file, ctx->line,
                                 &e, &word);
        if (r != -EINVAL)
                return r;
        switch (e) {
        case SYSCALL_FILTER_BAD_NAME:
                return config_bad(ctx, "system call names or @groups (\"%s\" is neither)", word);
        case SYSCALL_FILTER_BAD_ERRNO:
                return config_bad(ctx, "an errno name, a number 0..4095 or \"kill\" after ':' (in \"%s\")",
                                  word);
        case SYSCALL_FILTER_ERRNO_IN_ALLOW:
                return config_bad(ctx, "no :ERRNO in an allow list (\"%s\"); only \"~\" deny lists take one", word);
        case SYSCALL_FILTER_SYNTAX:
        case SYSCALL_FILTER_OK:
        default:
                return -EINVAL;
        }
}

int config_parse_errno(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int *error = data, e;

        if (isempty(ctx->value)) {
                *error = -1;
                return 0;
        }
        if (parse_syscall_error(ctx->value, false, &e) < 0)
                return -EINVAL;
        *error = e;
        return 0;
}

/* A list key parsed by parse(), which names the word it did not know. */
static int config_parse_word_list(ConfigContext *ctx, const ConfigKey *k, CellConfig *c,
                                  int (*parse)(CellConfig *c, const char *value, char **ret_bad_word)) {
        _cleanup_free_ char *word = NULL;
        int r;

        r = parse(c, ctx->value, &word);
        if (r == -EINVAL && word)
                return config_bad(ctx, "%s (\"%s\" is not one)", k->expected, word);
        return r;
}

int config_parse_syscall_archs(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        int r = config_parse_word_list(ctx, k, c, parse_syscall_archs);

        /* Counted (the list only grows, each ABI once): the plan names an
         * ABI this machine does not run by its own line. */
        if (r >= 0)
                ctx->items = c->n_syscall_archs;
        return r;
}

int config_parse_restrict_namespaces(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        return config_parse_word_list(ctx, k, c, parse_restrict_namespaces);
}

int config_parse_address_families(ConfigContext *ctx, const ConfigKey *k, CellConfig *c, void *data) {
        return config_parse_word_list(ctx, k, c, parse_address_families);
}
