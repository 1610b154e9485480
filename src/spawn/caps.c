/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"

static void cap_freep(cap_t *c) {
        if (*c)
                (void) cap_free(*c);
}

unsigned caps_count(void) {
        int n = (int) cap_max_bits();

        return n > 0 && n <= 64 ? (unsigned) n : 41;
}

uint64_t caps_held(void) {
        unsigned n = caps_count();
        uint64_t mask = 0;

        for (unsigned c = 0; c < n; c++)
                if (prctl(PR_CAPBSET_READ, (unsigned long) c, 0, 0, 0) > 0)
                        mask |= UINT64_C(1) << c;
        return mask;
}

bool caps_effective(unsigned cap) {
        cap_flag_value_t v = CAP_CLEAR;
        cap_t c = cap_get_proc();

        if (c) {
                (void) cap_get_flag(c, (cap_value_t) cap, CAP_EFFECTIVE, &v);
                (void) cap_free(c);
        }
        return v == CAP_SET;
}

int caps_check_held(uint64_t required, uint64_t ambient, uint64_t held, SpawnError *err) {
        char *name;
        int c, r;

        if (!(required & ~held))
                return 0;
        c = __builtin_ctzll(required & ~held);
        name = cap_to_name((cap_value_t) c);
        for (char *s = name; s && *s; s++)
                *s = (char) toupper((unsigned char) *s);
        r = spawn_error(err, EPERM, "%s=%s: cell itself does not hold it (its own bounding set), "
                        "so it cannot be granted", ambient & (UINT64_C(1) << c) ? "AmbientCapability" : "Capability",
                        name ?: "?");
        if (name)
                (void) cap_free(name);
        return r;
}

int caps_bounding_set(uint64_t keep, SpawnError *err) {
        unsigned n = caps_count();

        for (unsigned c = 0; c < n; c++) {
                if (keep & (UINT64_C(1) << c))
                        continue;
                /* The bounding set limits what any later exec (even of a
                 * setuid or file-capability binary) can ever gain back. */
                if (cap_drop_bound((cap_value_t) c) < 0 && errno != EINVAL)
                        return spawn_error(err, errno, "dropping capability %u from the bounding set", c);
        }
        return 0;
}

int caps_keep_across_uid_change(SpawnError *err) {
        /* Without this, setresuid() away from 0 clears the permitted set and
         * we could not hand the payload the capabilities the plan grants. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return spawn_error(err, errno, "prctl(PR_SET_KEEPCAPS)");
        return 0;
}

static int caps_flag_set(cap_t c, cap_flag_t flag, uint64_t mask, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                cap_value_t v = (cap_value_t) i;

                if (!(mask & (UINT64_C(1) << i)))
                        continue;
                if (cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
                        return -errno;
        }
        return 0;
}

int caps_apply(uint64_t effective, uint64_t permitted, uint64_t inheritable, uint64_t ambient,
               SpawnError *err) {
        _cleanup_(cap_freep) cap_t c = NULL;
        unsigned n = caps_count();
        int r;

        c = cap_init();
        if (!c)
                return spawn_error(err, errno, "capabilities: cap_init");

        /* What is not in the plan is cleared: effective must lie in
         * permitted, and ambient needs both permitted and inheritable. */
        permitted |= effective | ambient;
        inheritable |= ambient;
        r = caps_flag_set(c, CAP_PERMITTED, permitted, n);
        if (r >= 0)
                r = caps_flag_set(c, CAP_EFFECTIVE, effective, n);
        if (r >= 0)
                r = caps_flag_set(c, CAP_INHERITABLE, inheritable, n);
        if (r < 0)
                return spawn_error(err, r, "capabilities: cap_set_flag");
        if (cap_set_proc(c) < 0)
                return spawn_error(err, errno, "setting the capability sets");

        /* No capability may be inherited as ambient unless the plan asks. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return spawn_error(err, errno, "clearing the ambient capabilities");
        for (unsigned i = 0; i < n; i++)
                if ((ambient & (UINT64_C(1) << i)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) i, 0, 0) < 0)
                        return spawn_error(err, errno, "raising ambient capability %u", i);

        /* Keep-caps was only for the uid change; exec clears it anyway, but
         * the window is as small as we can make it. */
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return spawn_error(err, errno, "prctl(PR_SET_KEEPCAPS, 0)");
        return 0;
}
