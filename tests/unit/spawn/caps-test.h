/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Capability helpers the spawn tests share. */

#include <errno.h>
#include <sys/capability.h>

#include "macros.h"

/* Without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH in effect, a file's mode
 * holds for root too (as on NFS with root squashed, or under an LSM). */
static inline int drop_dac_override(void) {
        static const cap_value_t dac[] = { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH };
        cap_t caps = cap_get_proc();
        int r;

        if (!caps)
                return -errno;
        r = cap_set_flag(caps, CAP_EFFECTIVE, ELEMENTSOF(dac), dac, CAP_CLEAR);
        if (r >= 0)
                r = cap_set_proc(caps);
        r = r < 0 ? -errno : 0;
        cap_free(caps);
        return r;
}
