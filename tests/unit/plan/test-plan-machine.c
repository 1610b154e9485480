/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Register= and MachineID= in the plan: the machine name, its checks, the
 * override of "cell run --register=", the JSON and the text. */

#include "plan-internal.h"
#include "plan-test.h"

TEST(machine_name_is_valid) {
        ASSERT_TRUE(plan_machine_name_is_valid("web"));
        ASSERT_TRUE(plan_machine_name_is_valid("web-3"));
        ASSERT_TRUE(plan_machine_name_is_valid("a.b-c.D9"));
        ASSERT_TRUE(plan_machine_name_is_valid("a--b"));
        /* 64 characters, and one more */
        ASSERT_TRUE(plan_machine_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        ASSERT_FALSE(plan_machine_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        ASSERT_FALSE(plan_machine_name_is_valid(""));
        ASSERT_FALSE(plan_machine_name_is_valid(NULL));
        ASSERT_FALSE(plan_machine_name_is_valid("web@3"));
        ASSERT_FALSE(plan_machine_name_is_valid("my_app"));      /* machined: no "_" */
        ASSERT_FALSE(plan_machine_name_is_valid("-web"));
        ASSERT_FALSE(plan_machine_name_is_valid("web-"));
        ASSERT_FALSE(plan_machine_name_is_valid("a.-b"));
        ASSERT_FALSE(plan_machine_name_is_valid("a-.b"));
        ASSERT_FALSE(plan_machine_name_is_valid(".a"));
        ASSERT_FALSE(plan_machine_name_is_valid("a."));
        ASSERT_FALSE(plan_machine_name_is_valid("a..b"));
        ASSERT_FALSE(plan_machine_name_is_valid(".host"));
}

TEST(machine_name_from_unit_name) {
        char *m = NULL;

        ASSERT_OK(plan_machine_name("web", &m));
        ASSERT_STREQ(m, "web");
        free(m);
        ASSERT_OK(plan_machine_name("web@3", &m));
        ASSERT_STREQ(m, "web-3");
        free(m);
        ASSERT_OK(plan_machine_name("my_app@a:b", &m));
        ASSERT_STREQ(m, "my-app-a-b");
        m = mfree(m);
        /* What no mapping mends: an end on "-", too long. */
        ASSERT_ERROR(plan_machine_name("web@", &m), EINVAL);
        ASSERT_ERROR(plan_machine_name("web_", &m), EINVAL);
        ASSERT_ERROR(plan_machine_name("a..b", &m), EINVAL);
        ASSERT_ERROR(plan_machine_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b", &m), EINVAL);
        ASSERT_NULL(m);
}

TEST(register_default_no) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "web@3");
        plan_ok(&c, NULL, &p);
        ASSERT_FALSE(p.register_machine);
        ASSERT_NULL(p.machine_name);
        ASSERT_FALSE(p.machine_id_set);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        ASSERT_CONTAINS(j, "\"machine\": {\"register\": false, \"name\": null, \"id\": null},\n");
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "Machine:           not registered (Register=no)\n");
        plan_done(&p);
        cell_config_done(&c);
}

TEST(register_template_instance) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "web@3", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\nRegister=yes\n"
                         "MachineID=0B6F5A2E-6E3C-4D6B-9C2C-740D3EC55D01\n");
        plan_ok(&c, NULL, &p);
        ASSERT_TRUE(p.register_machine);
        ASSERT_STREQ(p.machine_name, "web-3");
        ASSERT_TRUE(p.machine_id_set);
        ASSERT_EQ(p.machine_id[0], 0x0b);
        ASSERT_EQ(p.machine_id[15], 0x01);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        ASSERT_CONTAINS(j, "\"machine\": {\"register\": true, \"name\": \"web-3\", "
                        "\"id\": \"0b6f5a2e6e3c4d6b9c2c740d3ec55d01\"},\n");
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "Machine:           web-3 (registered with systemd-machined), "
                        "MachineID=0b6f5a2e6e3c4d6b9c2c740d3ec55d01\n");
        plan_done(&p);
        cell_config_done(&c);
}

/* A unit whose name can never be registered: refused where Register=yes
 * was written (cell verify says so), and only then. */
TEST(register_refused_name) {
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};

        config_from_files(&c, "web_", "[Root]\nDirectory=/srv/r\n[Exec]\nExec=/bin/true\n",
                          "[Exec]\n\nRegister=yes\n");
        ASSERT_ERROR(plan_build(&c, NULL, &p, &d), EINVAL);
        ASSERT_EQ(d.n_errors, 1);
        ASSERT_CONTAINS(d.messages[0], "web_.cell.d/x.conf:3: Register=yes: the unit's name \"web_\" makes no "
                        "machine name for systemd-machined, which takes host names only");
        diag_done(&d);

        /* --register=no: nothing to refuse. */
        plan_ok(&c, &(PlanOptions) { .register_machine = -1 }, &p);
        ASSERT_FALSE(p.register_machine);
        ASSERT_NULL(p.machine_name);
        plan_done(&p);
        cell_config_done(&c);
}

TEST(register_override) {
        CellConfig c;
        Plan p = {};
        Diagnostics d = {};

        config_minimal(&c, "web");
        plan_ok(&c, &(PlanOptions) { .register_machine = 1 }, &p);
        ASSERT_TRUE(p.register_machine);
        ASSERT_STREQ(p.machine_name, "web");
        plan_done(&p);

        c.register_machine = true;
        plan_ok(&c, &(PlanOptions) { .register_machine = -1 }, &p);
        ASSERT_FALSE(p.register_machine);
        plan_done(&p);
        plan_ok(&c, &(PlanOptions) {}, &p);
        ASSERT_TRUE(p.register_machine);
        plan_done(&p);
        cell_config_done(&c);

        /* --register=yes for a name that cannot be: the option is named, at the main file. */
        config_minimal(&c, "a_");
        ASSERT_ERROR(plan_build(&c, &(PlanOptions) { .register_machine = 1 }, &p, &d), EINVAL);
        ASSERT_CONTAINS(d.messages[0], "a_.cell: --register=yes: the unit's name \"a_\"");
        diag_done(&d);
        cell_config_done(&c);
}
