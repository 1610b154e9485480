/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What to write instead: for a section or key cell does not have that a
 * unit ported from a .nspawn file or a .service unit may carry (systemd's
 * deprecated cgroup v1 names among them), the words that follow "unknown
 * key ... in section [...]: " or "unknown section [...]: ". key NULL: the
 * section's. NULL: nothing known of that name. */
const char *config_hint(const char *section, const char *key);
