/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <netinet/in.h>
#include <string.h>

#include "parse-network.h"
#include "parse-value.h"

static int port_number(const char *s, size_t len, uint16_t *ret) {
        char buf[8];
        uint64_t v;
        int r;

        if (len == 0 || len >= sizeof buf)
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = 0;
        r = parse_uint64_range(buf, 1, 65535, &v);
        if (r < 0)
                return r;
        *ret = (uint16_t) v;
        return 0;
}

int parse_port(const char *s, CellPort *ret) {
        CellPort p = { .protocol = IPPROTO_TCP };
        const char *rest, *colon;
        int r;

        if (isempty(s))
                return -EINVAL;
        if ((rest = startswith(s, "tcp:")))
                p.protocol = IPPROTO_TCP;
        else if ((rest = startswith(s, "udp:")))
                p.protocol = IPPROTO_UDP;
        else
                rest = s;
        colon = strchr(rest, ':');
        r = port_number(rest, colon ? (size_t) (colon - rest) : strlen(rest), &p.host_port);
        if (r < 0)
                return r;
        if (colon) {
                r = port_number(colon + 1, strlen(colon + 1), &p.container_port);
                if (r < 0)
                        return r;
        } else
                p.container_port = p.host_port;
        *ret = p;
        return 0;
}
