/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>

#include "parse-caps.h"
#include "parse-exec.h"
#include "strv.h"

CellCapMask cap_mask_all(void) {
        return CAP_LAST_CAP >= 63 ? UINT64_MAX : (UINT64_C(1) << (CAP_LAST_CAP + 1)) - 1;
}

/* One name to its number, or -EINVAL. Numbers are not names: refused. */
static int capability_from_word(const char *w, unsigned *ret) {
        _cleanup_free_ char *name = NULL;
        char *canonical;
        cap_value_t v;
        bool match;

        if (isempty(w) || isdigit((unsigned char) w[0]))
                return -EINVAL;
        if (strncasecmp(w, "cap_", 4) == 0)
                name = strdup(w);
        else if (asprintf(&name, "cap_%s", w) < 0)
                name = NULL;
        if (!name)
                return -ENOMEM;
        for (char *p = name; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        if (cap_from_name(name, &v) < 0 || v < 0 || v > CAP_LAST_CAP)
                return -EINVAL;
        /* cap_from_name() takes a known name followed by any non-name
         * character ("sys_admin.x", "kill=ep"): only the whole word is one,
         * as in systemd's lookup, so that a typo never grants a capability. */
        canonical = cap_to_name(v);
        if (!canonical)
                return -ENOMEM;
        match = streq(canonical, name);
        cap_free(canonical);
        if (!match)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

int parse_capabilities(const char *s, bool allow_all, CellCapMask *mask, char **ret_bad) {
        CellCapMask m = 0;
        const char *p = s;
        bool any = false;
        int r;

        if (ret_bad)
                *ret_bad = NULL;
        for (;;) {
                _cleanup_free_ char *w = NULL;
                unsigned cap;

                r = extract_first_word(&p, &w, " \t\n\r,", EXTRACT_UNQUOTE);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                any = true;
                if (strcaseeq(w, "all") && allow_all) {
                        m |= cap_mask_all();
                        continue;
                }
                r = capability_from_word(w, &cap);
                if (r == -EINVAL && ret_bad) {
                        *ret_bad = TAKE_PTR(w);
                        return r;
                }
                if (r < 0)
                        return r;
                m |= UINT64_C(1) << cap;
        }
        if (!any)
                return -EINVAL;
        *mask |= m;
        return 0;
}

char *capability_name(unsigned cap) {
        char *n, *copy;

        if (cap > CAP_LAST_CAP)
                return NULL;
        n = cap_to_name((cap_value_t) cap);
        if (!n)
                return NULL;
        copy = strdup(n);
        cap_free(n);
        return copy;
}

int cap_mask_to_set(CellCapMask mask, uint8_t **ret, size_t *ret_size) {
        uint8_t *set = calloc(sizeof mask, 1);

        if (!set)
                return -ENOMEM;
        for (unsigned i = 0; i < 8 * sizeof mask; i++)
                if (mask & (UINT64_C(1) << i))
                        set[i / 8] |= (uint8_t) (1u << (i % 8));
        *ret = set;
        *ret_size = sizeof mask;
        return 0;
}
