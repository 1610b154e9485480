/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Register= and MachineID=: the container as a machine of systemd-machined
 * (machinectl list, status, terminate, ...). The plan says whether, under
 * which name and with which ID if the unit gives one; the start decides the
 * ID otherwise (spawn/machine-id.c) and registers it (scope/scope-machine.c). */

#include <string.h>

#include "plan-internal.h"

/* machined's rule for a machine name, its host name check: dot-separated
 * labels of letters, digits and "-" that neither begin nor end with "-", at
 * most 64 characters in all. */
bool plan_machine_name_is_valid(const char *s) {
        bool label_start = true, hyphen = false;
        size_t n = 0;

        if (isempty(s))
                return false;
        for (const char *p = s; *p; p++, n++) {
                if (*p == '.') {
                        if (label_start || hyphen)
                                return false;
                        label_start = true;
                        continue;
                }
                if (*p == '-') {
                        if (label_start)
                                return false;
                        hyphen = true;
                } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
                        hyphen = false;
                else
                        return false;
                label_start = false;
        }
        return !label_start && !hyphen && n <= 64;
}

/* The unit's name with each character a host name cannot hold made "-", as
 * for the default host name: a template instance "web@3" is "web-3". */
char *plan_machine_name_mapped(const char *name) {
        char *m = strdup(name);

        if (!m)
                return NULL;
        for (char *q = m; *q; q++)
                if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                      (*q >= '0' && *q <= '9') || *q == '-' || *q == '.'))
                        *q = '-';
        return m;
}

int plan_machine_name(const char *name, char **ret) {
        char *m = plan_machine_name_mapped(name);

        if (!m)
                return -ENOMEM;
        if (!plan_machine_name_is_valid(m)) {
                free(m);
                return -EINVAL;
        }
        *ret = m;
        return 0;
}

int plan_build_machine(Plan *p, const CellConfig *c, const PlanOptions *opts, Diagnostics *diag) {
        int override = opts ? opts->register_machine : 0;
        _cleanup_free_ char *name = NULL;
        int r;

        p->machine_id_set = c->machine_id_set;
        memcpy(p->machine_id, c->machine_id, sizeof p->machine_id);
        p->register_machine = override != 0 ? override > 0 : c->register_machine;
        if (!p->register_machine)
                return 0;

        r = plan_machine_name(p->name, &name);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* Where Register=yes was written; --register=yes names no line. */
                bool written = override == 0 && c->register_file;
                r = diag_error(diag, written ? c->register_file : c->path, written ? c->register_line : 0,
                               "%s: the unit's name \"%s\" makes no machine name for systemd-machined, which "
                               "takes host names only: letters, digits and \"-\" (\"@\" and other characters "
                               "become \"-\"), in dot-separated labels that neither begin nor end with \"-\", "
                               "at most 64 characters", override > 0 ? "--register=yes" : "Register=yes",
                               p->name);
                return r < 0 ? r : -EINVAL;
        }
        p->machine_name = TAKE_PTR(name);
        return 0;
}
