/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The plan's properties as StartTransientUnit takes them: one "(sv)" entry
 * each, marshalled by the D-Bus signature the plan gives. */

#include <errno.h>
#include <string.h>

#include "scope-internal.h"
#include "strv.h"

int scope_bus_append_property(sd_bus_message *m, const PlanProperty *p) {
        const char *sig = p->signature;
        int r;

        if (!p->name || !sig)
                return -EINVAL;
        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", p->name);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', sig);
        if (r < 0)
                return r;

        if (streq(sig, "t"))
                r = sd_bus_message_append(m, "t", p->t);
        else if (streq(sig, "u"))
                r = sd_bus_message_append(m, "u", p->u);
        else if (streq(sig, "i"))
                r = sd_bus_message_append(m, "i", p->i);
        else if (streq(sig, "b"))
                r = sd_bus_message_append(m, "b", (int) p->b);
        else if (streq(sig, "s"))
                r = sd_bus_message_append(m, "s", strempty(p->s));
        else if (streq(sig, "as"))
                r = sd_bus_message_append_strv(m, p->as);
        else if (streq(sig, "ay"))
                r = sd_bus_message_append_array(m, 'y', p->ay ?: (const uint8_t *) "", p->ay ? p->ay_size : 0);
        else if (streq(sig, "a(ss)")) {
                size_t n = strv_length(p->as);
                if (n % 2 != 0)
                        return -EINVAL;         /* flattened pairs */
                r = sd_bus_message_open_container(m, 'a', "(ss)");
                for (size_t i = 0; r >= 0 && i < n; i += 2)
                        r = sd_bus_message_append(m, "(ss)", p->as[i], p->as[i + 1]);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        } else
                return -EINVAL;
        if (r < 0)
                return r;

        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

int scope_bus_open(bool user_bus, sd_bus **ret) {
        /* Connecting an AF_UNIX socket is synchronous: a missing bus fails here. */
        return user_bus ? sd_bus_open_user(ret) : sd_bus_open_system(ret);
}
