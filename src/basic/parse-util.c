/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse-util.h"

int safe_atou64(const char *s, uint64_t *ret) {
        char *end = NULL;

        s += strspn(s, " \t\n");
        /* strtoull() would take a sign, and turn "-5" into a huge number. */
        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0)
                return -errno;
        if (!end || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}
