/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NoNewPrivileges= in the text plan: a "yes" the unit did not ask for
 * (NoNewPrivileges=no without CAP_SYS_ADMIN, which the system call filter
 * needs then) says why, as the plan explains its other values; one the unit
 * asked for, or a "no" that holds, says nothing more. */

#include <linux/capability.h>

#include "plan-test.h"

#define CAP(x) (UINT64_C(1) << (x))

#define NNP_LINE "NoNewPrivileges:   "
#define NNP_WHY "(NoNewPrivileges=no, but without CAP_SYS_ADMIN in the effective set the kernel takes the " \
        "system call filter only with no_new_privs)"

/* The text plan of c has want as its NoNewPrivileges line, all of it. */
static void nnp_line_is(const CellConfig *c, const char *want) {
        _cleanup_free_ char *t = NULL, *line = NULL;
        Plan p = {};

        plan_ok(c, NULL, &p);
        t = plan_printed(&p, plan_print_text);
        plan_done(&p);
        ASSERT_TRUE(asprintf(&line, "\n%s\n", want) > 0);
        ASSERT_CONTAINS(t, line);
}

TEST(nnp_implied_says_why) {
        CellConfig c;

        config_minimal(&c, "nnp");
        c.no_new_privileges = false;
        nnp_line_is(&c, NNP_LINE "yes " NNP_WHY);
        /* Root without CAP_SYS_ADMIN (DropCapability=), or another user. */
        c.drop_capability = CAP(CAP_SYS_ADMIN);
        nnp_line_is(&c, NNP_LINE "yes " NNP_WHY);
        c.drop_capability = 0;
        c.capability = CAP(CAP_SYS_ADMIN);
        c.user = xstrdup("www-data");
        nnp_line_is(&c, NNP_LINE "yes " NNP_WHY);
        cell_config_done(&c);
}

TEST(nnp_as_asked) {
        CellConfig c;

        /* The default, yes: asked for, nothing to explain. */
        config_minimal(&c, "nnp");
        nnp_line_is(&c, NNP_LINE "yes");
        /* NoNewPrivileges=no with CAP_SYS_ADMIN effective: holds. */
        c.no_new_privileges = false;
        c.capability = CAP(CAP_SYS_ADMIN);
        nnp_line_is(&c, NNP_LINE "no");
        c.capability = 0;
        c.boot = true;
        nnp_line_is(&c, NNP_LINE "no");
        cell_config_done(&c);
}
