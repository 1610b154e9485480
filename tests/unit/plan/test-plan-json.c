/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plan_print_json() and plan_print_text(): valid, stable, complete. */

#include <linux/ioprio.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/personality.h>

#include "json-check.h"
#include "parse-sched.h"
#include "plan-internal.h"
#include "plan-test.h"

/* A config that touches every part of the plan. */
static void config_full(CellConfig *c) {
        config_minimal(c, "full@1");
        c->description = xstrdup("All \"the\" things");
        config_add_bind(c, "/srv/www", "/var/www", true, 7);
        config_add_inaccessible(c, "/etc/shadow", NULL, 0);
        c->overlays = calloc(1, sizeof(CellOverlay));
        ASSERT_NOT_NULL(c->overlays);
        /* As written in the unit, lowest first: the JSON lists them top-most first. */
        ASSERT_OK(strv_extend(&c->overlays[0].lower, "/srv/lower1"));
        ASSERT_OK(strv_extend(&c->overlays[0].lower, "/srv/lower2"));
        c->overlays[0].upper = xstrdup("");
        c->overlays[0].target = xstrdup("/opt");
        c->overlays[0].line = 9;
        c->n_overlays = 1;
        ASSERT_OK(strv_extend(&c->environment, "GREETING=tab\there\x01 \xff end"));
        c->user = xstrdup("app");
        c->private_users = CELL_PRIVATE_USERS_FIXED;
        c->private_users_uid = 200000;
        c->private_users_count = 65536;
        c->rlimits[RLIMIT_NOFILE] = (CellRlimit) { true, 1024, RLIM_INFINITY };
        c->oom_score_adjust_set = true;
        c->oom_score_adjust = 100;
        config_add_syscall(c, "ptrace", ENOSYS);
        c->memory_max = (CellLimit) { .kind = CELL_LIMIT_VALUE, .value = 1 << 20 };
        c->tasks_max = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 1050 };
        c->allowed_cpus = calloc(1, 1);
        ASSERT_NOT_NULL(c->allowed_cpus);
        c->allowed_cpus[0] = 0x06;
        c->allowed_cpus_size = 1;
        c->cpu_quota_set = true;
        c->cpu_quota_per_sec_usec = 500000;
        c->cpu_quota_period_set = true;
        c->cpu_quota_period_usec = 2500;
        c->cpu_weight_idle = true;
        c->startup_cpu_weight = 25;
        c->startup_io_weight = 10;
        c->allowed_memory_nodes = calloc(1, 1);
        ASSERT_NOT_NULL(c->allowed_memory_nodes);
        c->allowed_memory_nodes[0] = 0x01;
        c->allowed_memory_nodes_size = 1;
        c->startup_allowed_cpus = calloc(2, 1);
        ASSERT_NOT_NULL(c->startup_allowed_cpus);
        c->startup_allowed_cpus[1] = 0x80;
        c->startup_allowed_cpus_size = 2;
        c->memory_low = (CellLimit) { .kind = CELL_LIMIT_PERCENT, .permyriad = 1000 };
        ASSERT_OK(strv_extend(&c->after, "network.target"));
        c->ports = calloc(1, sizeof(CellPort));
        ASSERT_NOT_NULL(c->ports);
        c->ports[0] = (CellPort) { 6, 8080, 80 };
        c->n_ports = 1;
        ASSERT_OK(strv_extend(&c->interfaces, "eth1"));
        ASSERT_OK(strv_extend(&c->macvlan, "eth0"));
        ASSERT_OK(strv_extend(&c->ipvlan, "bond0"));
        ASSERT_OK(strv_extend(&c->addresses, "10.0.0.2/24"));
        c->zone = xstrdup("web");
        c->veth_extras = calloc(1, sizeof(CellVethExtra));
        ASSERT_NOT_NULL(c->veth_extras);
        c->veth_extras[0] = (CellVethExtra) { .host = xstrdup("vx0"), .container = xstrdup("inner0"), .line = 12 };
        c->n_veth_extras = 1;
}

TEST(json_valid_and_stable) {
        CellConfig c;
        Plan p1 = {}, p2 = {};

        config_full(&c);
        plan_ok(&c, NULL, &p1);
        plan_ok(&c, NULL, &p2);
        _cleanup_free_ char *a = plan_printed(&p1, plan_print_json);
        _cleanup_free_ char *b = plan_printed(&p2, plan_print_json);
        _cleanup_free_ char *again = plan_printed(&p1, plan_print_json);

        ASSERT_TRUE(json_check(a, strlen(a)));
        ASSERT_STREQ(a, b);
        ASSERT_STREQ(a, again);
        plan_done(&p1);
        plan_done(&p2);
        cell_config_done(&c);
}

TEST(json_key_order_and_content) {
        CellConfig c;
        Plan p = {};
        const char *keys[] = {
                "\"name\"", "\"unit_path\"", "\"dropin_paths\"", "\"namespaces\"", "\"cgroup_namespace\"",
                "\"root\"", "\"mounts\"", "\"users\"", "\"argv\"", "\"environment\"", "\"environment_files\"",
                "\"pass_environment\"", "\"unset_environment\"", "\"user\"", "\"group\"",
                "\"supplementary_groups\"", "\"working_directory\"", "\"working_directory_missing_ok\"",
                "\"umask\"", "\"hostname\"", "\"boot\"", "\"init\"",
                "\"notify_ready\"", "\"notify_socket\"", "\"kill_signal\"", "\"timeout_stop_usec\"",
                "\"nice\"", "\"cpu_scheduling\"", "\"io_scheduling\"", "\"cpu_affinity\"", "\"personality\"",
                "\"capabilities\"", "\"no_new_privileges\"", "\"seccomp\"", "\"rlimits\"",
                "\"oom_score_adjust\"", "\"scope\"", "\"machine\"", "\"network\"",
        };
        const char *last = NULL;

        config_full(&c);
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                /* Top-level keys only: indented by two spaces. */
                _cleanup_free_ char *needle = NULL;
                ASSERT_TRUE(asprintf(&needle, "\n  %s: ", keys[i]) > 0);
                const char *k = strstr(j, needle);
                if (!k)
                        TEST_FAIL("missing key %s", keys[i]);
                if (last && k < last)
                        TEST_FAIL("key %s out of order", keys[i]);
                last = k;
        }

        ASSERT_CONTAINS(j, "\"name\": \"full@1\"");
        ASSERT_CONTAINS(j, "\"namespaces\": [\"mount\", \"pid\", \"uts\", \"ipc\", \"net\", \"user\"]");
        ASSERT_CONTAINS(j, "\"kind\": \"bind\",\n      \"source\": \"/srv/www\",\n      \"target\": \"/var/www\"");
        ASSERT_CONTAINS(j, "\"flags\": [\"ro\", \"rec\"]");
        ASSERT_CONTAINS(j, "\"line\": 7");
        ASSERT_CONTAINS(j, "\"kind\": \"overlay\",\n      \"source\": null,\n      \"target\": \"/opt\",\n"
                        "      \"fstype\": \"overlay\",\n      \"flags\": [],\n      \"data\": null,\n"
                        "      \"lower\": [\"/srv/lower2\", \"/srv/lower1\"],\n      \"upper\": \"\",\n");
        ASSERT_CONTAINS(j, "\"kind\": \"mask\"");
        ASSERT_CONTAINS(j, "\"kind\": \"read-only\"");
        ASSERT_CONTAINS(j, "\"kind\": \"cgroup\"");
        ASSERT_CONTAINS(j, "\"mode\": \"fixed\"");
        ASSERT_CONTAINS(j, "\"uid_map\": [\n      {\"inside\": 0, \"outside\": 200000, \"count\": 65536}\n    ]");
        /* Control characters and a broken byte, escaped. */
        ASSERT_CONTAINS(j, "\"GREETING=tab\\there\\u0001 \\ufffd end\"");
        ASSERT_CONTAINS(j, "\"umask\": \"0022\"");
        ASSERT_CONTAINS(j, "\"hostname\": \"full-1\"");
        ASSERT_CONTAINS(j, "\"kill_signal\": \"SIGTERM\"");
        ASSERT_CONTAINS(j, "\"timeout_stop_usec\": 90000000");
        ASSERT_CONTAINS(j, "\"effective\": []");
        ASSERT_CONTAINS(j, "\"bounding\": [\"CAP_CHOWN\", \"CAP_DAC_OVERRIDE\", \"CAP_FOWNER\"");
        ASSERT_CONTAINS(j, "{\"syscall\": \"ptrace\", \"action\": \"errno\", \"errno\": \"ENOSYS\", \"arguments\": [], "
                        "\"abi\": null}");
        /* The default deny list's ioctl requests, by argument 1 (this architecture's numbers). */
        char ioctl_rule[256];
        snprintf(ioctl_rule, sizeof ioctl_rule, "{\"syscall\": \"ioctl\", \"action\": \"errno\", \"errno\": \"EPERM\", "
                 "\"arguments\": [{\"compare\": \"masked-eq\", \"index\": 1, \"mask\": 4294967295, \"value\": %u, "
                 "\"name\": \"TIOCSTI\"}], \"abi\": null}",
                 (unsigned) TIOCSTI);
        ASSERT_CONTAINS(j, ioctl_rule);
        snprintf(ioctl_rule, sizeof ioctl_rule,
                 "\"arguments\": [{\"compare\": \"masked-eq\", \"index\": 1, \"mask\": 4294967295, \"value\": %u, "
                 "\"name\": \"TIOCLINUX\"}], \"abi\": null}",
                 (unsigned) TIOCLINUX);
        ASSERT_CONTAINS(j, ioctl_rule);
        ASSERT_CONTAINS(j, "{\"resource\": \"NOFILE\", \"soft\": 1024, \"hard\": \"infinity\"}");
        ASSERT_CONTAINS(j, "\"oom_score_adjust\": 100");
        ASSERT_CONTAINS(j, "\"unit\": \"cell-full\\\\x401.scope\"");
        ASSERT_CONTAINS(j, "\"description\": \"cell full@1: All \\\"the\\\" things\"");
        ASSERT_CONTAINS(j, "\"memory_max\": 1048576");
        ASSERT_CONTAINS(j, "\"memory_min\": null,\n      \"memory_low\": \"10.00%\"");
        ASSERT_CONTAINS(j, "\"cpu_quota_period_usec\": 2500");
        ASSERT_CONTAINS(j, "\"cpu_weight\": \"idle\"");
        ASSERT_CONTAINS(j, "{\"name\": \"CPUQuotaPeriodUSec\", \"signature\": \"t\", \"value\": 2500}");
        ASSERT_CONTAINS(j, "{\"name\": \"CPUWeight\", \"signature\": \"t\", \"value\": 0}");
        ASSERT_CONTAINS(j, "{\"name\": \"MemoryLowScale\", \"signature\": \"u\", \"value\": 429496730}");
        ASSERT_CONTAINS(j, "\"tasks_max\": \"10.50%\",\n      \"tasks_max_default\": null,\n");
        ASSERT_CONTAINS(j, "\"allowed_cpus\": [1, 2],\n      \"allowed_memory_nodes\": [0],\n"
                        "      \"startup_cpu_weight\": 25,\n      \"startup_io_weight\": 10,\n"
                        "      \"startup_allowed_cpus\": [15],\n      \"startup_allowed_memory_nodes\": null,\n");
        ASSERT_CONTAINS(j, "{\"name\": \"StartupCPUWeight\", \"signature\": \"t\", \"value\": 25}");
        ASSERT_CONTAINS(j, "{\"name\": \"StartupIOWeight\", \"signature\": \"t\", \"value\": 10}");
        ASSERT_CONTAINS(j, "{\"name\": \"AllowedMemoryNodes\", \"signature\": \"ay\", \"value\": [1]}");
        ASSERT_CONTAINS(j, "{\"name\": \"StartupAllowedCPUs\", \"signature\": \"ay\", \"value\": [0, 128]}");
        ASSERT_CONTAINS(j, "{\"name\": \"CPUQuotaPerSecUSec\", \"signature\": \"t\", \"value\": 500000}");
        ASSERT_CONTAINS(j, "{\"name\": \"Delegate\", \"signature\": \"b\", \"value\": true}");
        ASSERT_CONTAINS(j, "{\"name\": \"After\", \"signature\": \"as\", \"value\": [\"network.target\"]}");
        ASSERT_CONTAINS(j, "{\"name\": \"AllowedCPUs\", \"signature\": \"ay\", \"value\": [6]}");
        ASSERT_CONTAINS(j, "{\"name\": \"TasksMaxScale\", \"signature\": \"u\", \"value\": 450971566}");
        ASSERT_CONTAINS(j, "\"signature\": \"a(ss)\", \"value\": [[\"/dev/null\", \"rwm\"], [\"/dev/zero\", \"rwm\"]");
        ASSERT_CONTAINS(j, "{\"protocol\": \"tcp\", \"host_port\": 8080, \"container_port\": 80}");
        /* Each link with the host's name and the container's, in the unit's key order. */
        ASSERT_CONTAINS(j, "\"bridge\": null,\n    \"zone\": \"vz-web\",\n"
                        "    \"veth_extra\": [\n      {\"host\": \"vx0\", \"name\": \"inner0\"}\n    ],\n    \"interfaces\": [\n      {\"host\": \"eth1\", \"name\": \"eth1\"}\n    ],\n"
                        "    \"macvlan\": [\n      {\"host\": \"eth0\", \"name\": \"mv-eth0\"}\n    ],\n"
                        "    \"ipvlan\": [\n      {\"host\": \"bond0\", \"name\": \"iv-bond0\"}\n    ],\n    \"ports\"");
        ASSERT_CONTAINS(j, "\"address_interface\": \"eth1\",\n    \"addresses\": [");

        plan_done(&p);
        cell_config_done(&c);
}

/* The JSON object of the mount at target, from its "{" to its "}". */
static char *json_mount_of(const char *j, const char *target) {
        _cleanup_free_ char *needle = NULL;
        const char *b, *e;
        char *o;

        ASSERT_TRUE(asprintf(&needle, "\"target\": \"%s\",", target) > 0);
        e = strstr(j, needle);
        if (!e)
                TEST_FAIL("no mount on %s", target);
        for (b = e; b > j && *b != '{'; b--)
                ;
        e = strchr(e, '}');
        ASSERT_NOT_NULL(e);
        o = strndup(b, (size_t) (e - b));
        ASSERT_NOT_NULL(o);
        return o;
}

/* Inaccessible= masks carry the line they were written on, as every other
 * mount of the unit does; built-in ones have 0. */
TEST(json_mask_lines) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "u",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Inaccessible=/etc/shadow\n"                     /* line 3 */
                         "Inaccessible=/etc/gshadow /root\n"              /* line 4 */
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        _cleanup_free_ char *shadow = json_mount_of(j, "/etc/shadow"), *gshadow = json_mount_of(j, "/etc/gshadow");
        _cleanup_free_ char *root = json_mount_of(j, "/root"), *kcore = json_mount_of(j, "/proc/kcore");

        ASSERT_CONTAINS(shadow, "\"kind\": \"mask\"");
        ASSERT_CONTAINS(shadow, "\"line\": 3\n");
        ASSERT_CONTAINS(gshadow, "\"line\": 4\n");
        ASSERT_CONTAINS(root, "\"line\": 4\n");
        ASSERT_CONTAINS(kcore, "\"line\": 0\n");
        ASSERT_CONTAINS(t, "  mask      /etc/shadow          (ro,nosuid,nodev,noexec) [/tmp/test-plan-");
        ASSERT_CONTAINS(t, "/u.cell:3]\n");

        plan_done(&p);
        cell_config_done(&c);
}

/* The text's Limit*= lines are keys like the others ("LimitNOFILE:"), their
 * values in the same column, soft:hard as the unit writes them. */
TEST(text_rlimits) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "u", "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n"
                         "[Limits]\nLimitCPU=2:infinity\nLimitNOFILE=1024\n");
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);

        ASSERT_CONTAINS(t, "\nLimitCPU:          2:infinity\n");
        ASSERT_CONTAINS(t, "\nLimitNOFILE:       1024:1024\n");
        ASSERT_CONTAINS(t, "\nCommand:           /bin/true\n");
        plan_done(&p);
        cell_config_done(&c);
}

/* A Limit*= whose value the kernel takes as another number (LimitNICE=-1
 * is 21, LimitMEMLOCK=8G is 8589934592) keeps the value as written: the
 * text says both, the start's messages name it with its line, as "cell
 * verify" names a bad value, and a drop-in's replaces the unit's. */
TEST(rlimits_as_written) {
        CellConfig c;
        Plan p = {};
        char buf[256];

        config_from_files(&c, "u", "[Root]\nDirectory=/var/lib/cell/test\n[Exec]\nExec=/bin/true\n"
                          "[Limits]\nLimitNICE=-1\nLimitMEMLOCK=4G\nLimitNOFILE=1024:infinity\n",
                          "[Limits]\nLimitMEMLOCK=8G:infinity\n");
        plan_ok(&c, NULL, &p);
        ASSERT_EQ(p.n_rlimits, 3U);
        for (size_t i = 0; i < p.n_rlimits; i++) {
                const PlanRlimit *l = &p.rlimits[i];

                if (l->resource == RLIMIT_NICE) {
                        ASSERT_EQ_U64(l->soft, 21);
                        ASSERT_STREQ(l->value, "-1");
                } else if (l->resource == RLIMIT_MEMLOCK) {
                        ASSERT_EQ_U64(l->soft, UINT64_C(8) << 30);
                        ASSERT_STREQ(l->value, "8G:infinity");
                } else
                        ASSERT_STREQ(l->value, "1024:infinity");
        }
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "\nLimitNICE:         21:21 (LimitNICE=-1)\n");
        ASSERT_CONTAINS(t, "\nLimitMEMLOCK:      8589934592:infinity (LimitMEMLOCK=8G:infinity)\n");
        ASSERT_CONTAINS(t, "\nLimitNOFILE:       1024:infinity\n");

        /* The child's message (spawn/rlimit.c) gets the line in front. */
        plan_message_origin(&p, "LimitNICE=-1: setrlimit (the hard limit in force is 0)", buf, sizeof buf);
        ASSERT_TRUE(endswith(buf, "/u.cell:6: "));
        plan_message_origin(&p, "LimitMEMLOCK=8G:infinity: setrlimit", buf, sizeof buf);
        ASSERT_TRUE(endswith(buf, "/u.cell.d/x.conf:2: "));
        plan_done(&p);
        cell_config_done(&c);
}

/* Overlay= lowers are written lowest first (nspawn); the plan holds them
 * top-most first, the kernel's lowerdir= order, as cell(1) documents. */
TEST(json_overlay_order) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "u",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Overlay=/srv/l1:/srv/l2::/opt\n"                /* line 3 */
                         "OverlayReadOnly=+/a:+/b:+/c:+/up:/ro\n"         /* line 4 */
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        _cleanup_free_ char *opt = json_mount_of(j, "/opt"), *ro = json_mount_of(j, "/ro");

        ASSERT_CONTAINS(opt, "\"lower\": [\"/srv/l2\", \"/srv/l1\"],\n      \"upper\": \"\",\n");
        ASSERT_CONTAINS(opt, "\"source_in_root\": false,");
        ASSERT_CONTAINS(opt, "\"line\": 3\n");
        ASSERT_CONTAINS(ro, "\"lower\": [\"/c\", \"/b\", \"/a\"],\n      \"upper\": \"/up\",\n");
        ASSERT_CONTAINS(ro, "\"source_in_root\": true,");
        ASSERT_CONTAINS(ro, "\"line\": 4\n");
        ASSERT_CONTAINS(t, "  overlay   /opt                 lower /srv/l2:/srv/l1 (top first) upper (tmpfs) [/tmp/");
        ASSERT_CONTAINS(t, "  overlay   /ro                  lower +/c:+/b:+/a (top first) upper +/up (ro) [/tmp/");
        ASSERT_CONTAINS(t, "/u.cell:3]\n");
        ASSERT_CONTAINS(t, "/u.cell:4]\n");

        plan_done(&p);
        cell_config_done(&c);
}

/* Bind=+SRC: a path inside the root, shown as an overlay's are (the path
 * without "+", source_in_root; "+" in the text). */
TEST(json_bind_in_root) {
        CellConfig c;
        Plan p = {};

        config_from_text(&c, "u",
                         "[Root]\n"
                         "Directory=/var/lib/cell/test\n"
                         "Bind=+/srv/data:/data\n"                        /* line 3 */
                         "BindReadOnly=-+/etc/app\n"                      /* line 4 */
                         "Bind=/srv/host\n"                               /* line 5 */
                         "[Exec]\n"
                         "Exec=/bin/true\n");
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        _cleanup_free_ char *data = json_mount_of(j, "/data"), *app = json_mount_of(j, "/etc/app");
        _cleanup_free_ char *host = json_mount_of(j, "/srv/host");

        ASSERT_CONTAINS(data, "\"kind\": \"bind\",\n      \"source\": \"/srv/data\",\n      \"target\": \"/data\",");
        ASSERT_CONTAINS(data, "\"optional\": false,\n      \"source_in_root\": true,");
        ASSERT_CONTAINS(data, "\"line\": 3\n");
        ASSERT_CONTAINS(app, "\"source\": \"/etc/app\",\n      \"target\": \"/etc/app\",");
        ASSERT_CONTAINS(app, "\"flags\": [\"ro\", \"rec\"],");
        ASSERT_CONTAINS(app, "\"optional\": true,\n      \"source_in_root\": true,");
        ASSERT_CONTAINS(host, "\"source_in_root\": false,");
        ASSERT_CONTAINS(t, "  bind      /data                <- +/srv/data (rec) [/tmp/");
        ASSERT_CONTAINS(t, "  bind      /etc/app             <- +/etc/app (ro,rec) optional [/tmp/");
        ASSERT_CONTAINS(t, "  bind      /srv/host            <- /srv/host (rec) [/tmp/");
        ASSERT_CONTAINS(t, "/u.cell:3]\n");
        ASSERT_CONTAINS(t, "/u.cell:4]\n");
        ASSERT_CONTAINS(t, "/u.cell:5]\n");

        plan_done(&p);
        cell_config_done(&c);
}

/* Each of the unit's mounts names the file it was written in, next to its
 * line: a drop-in's entries the drop-in, the main file's the main file;
 * built-in mounts have null (and 0). The text plan shows "[FILE:LINE]". */
TEST(json_mount_files) {
        _cleanup_free_ char *want = NULL;
        CellConfig c;
        Plan p = {};

        config_from_files(&c, "dd",
                          "[Root]\n"
                          "Directory=/var/lib/cell/test\n"
                          "Bind=/srv/main\n"                               /* line 3 */
                          "[Exec]\n"
                          "Exec=/bin/true\n",
                          "[Root]\n"
                          "Inaccessible=/etc/shadow\n"                     /* line 2 */
                          "Bind=/srv/dropin:/data\n"                       /* line 3 */
                          "TemporaryFileSystem=/scratch\n"                 /* line 4 */
                          "Overlay=/srv/l1:/srv/up:/opt\n");               /* line 5 */
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        _cleanup_free_ char *main_bind = json_mount_of(j, "/srv/main"), *shadow = json_mount_of(j, "/etc/shadow");
        _cleanup_free_ char *data = json_mount_of(j, "/data"), *scratch = json_mount_of(j, "/scratch");
        _cleanup_free_ char *opt = json_mount_of(j, "/opt"), *kcore = json_mount_of(j, "/proc/kcore");
        const char *dropin = c.dropin_paths[0];

#define EXPECT(haystack, fmt, ...)                                              \
        do {                                                                    \
                want = mfree(want);                                             \
                ASSERT_TRUE(asprintf(&want, fmt, __VA_ARGS__) > 0);             \
                ASSERT_CONTAINS(haystack, want);                                \
        } while (0)
        EXPECT(main_bind, "\"file\": \"%s\",\n      \"line\": %u\n", c.path, 3);
        EXPECT(shadow, "\"file\": \"%s\",\n      \"line\": %u\n", dropin, 2);
        EXPECT(data, "\"file\": \"%s\",\n      \"line\": %u\n", dropin, 3);
        EXPECT(scratch, "\"file\": \"%s\",\n      \"line\": %u\n", dropin, 4);
        EXPECT(opt, "\"file\": \"%s\",\n      \"line\": %u\n", dropin, 5);
        ASSERT_CONTAINS(kcore, "\"idmap\": false,\n      \"file\": null,\n      \"line\": 0\n");

        EXPECT(t, "  bind      /srv/main            <- /srv/main (rec) [%s:%u]\n", c.path, 3);
        EXPECT(t, "  mask      /etc/shadow          (ro,nosuid,nodev,noexec) [%s:%u]\n", dropin, 2);
        EXPECT(t, "  bind      /data                <- /srv/dropin (rec) [%s:%u]\n", dropin, 3);
        EXPECT(t, " [%s:%u]\n", dropin, 4);
        EXPECT(t, " [%s:%u]\n", dropin, 5);
        ASSERT_CONTAINS(t, "  mask      /proc/kcore          (ro,nosuid,nodev,noexec) optional\n");
#undef EXPECT

        plan_done(&p);
        cell_config_done(&c);
}

TEST(json_boot_signal) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "b");
        c.boot = true;
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        ASSERT_CONTAINS(j, "\"kill_signal\": \"SIGRTMIN+3\"");
        ASSERT_CONTAINS(j, "\"argv\": [\n    \"/sbin/init\"\n  ]");
        plan_done(&p);
        cell_config_done(&c);
}

TEST(text_summary) {
        CellConfig c;
        Plan p = {};

        config_full(&c);
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "Unit:              full@1 (full@1.cell)");
        ASSERT_CONTAINS(t, "Root:              /var/lib/cell/test");
        ASSERT_CONTAINS(t, "Namespaces:        mount,pid,uts,ipc,net,user");
        ASSERT_CONTAINS(t, "Users:             fixed 200000:65536 (IDs 200000..265535)");
        ASSERT_CONTAINS(t, "Command:           /bin/sh -c true\n");
        /* Quoted (it has blanks), control characters and a byte that is not UTF-8 escaped. */
        ASSERT_CONTAINS(t, " \"GREETING=tab\\there\\x01 \\xff end\"\n");
        ASSERT_CONTAINS(t, "Stop:              SIGTERM, SIGKILL after 90s\n");
        ASSERT_CONTAINS(t, "bind      /var/www             <- /srv/www (ro,rec) [full@1.cell:7]");
        ASSERT_CONTAINS(t, "Seccomp:           default allow");
        ASSERT_CONTAINS(t, "ptrace(ENOSYS)");
        ASSERT_CONTAINS(t, "LimitNOFILE");
        ASSERT_CONTAINS(t, "Scope:             cell-full\\x401.scope in machine.slice");
        ASSERT_CONTAINS(t, "CPUQuota                  50%");
        ASSERT_CONTAINS(t, "CPUQuotaPeriodSec         2500us");
        ASSERT_CONTAINS(t, "CPUWeight                 idle");
        ASSERT_CONTAINS(t, "MemoryLow                 10.00%");
        ASSERT_CONTAINS(t, "  TasksMax                  10.50%\n");
        ASSERT_NULL(strstr(t, "DefaultTasksMax"));
        ASSERT_CONTAINS(t, "  port tcp 8080 -> 80 on 10.0.0.2\n");
        ASSERT_CONTAINS(t, "Network:           private, zone bridge vz-web\n  veth vx0 on the host, inner0 inside\n"
                        "  interface eth1 (moved in)\n  macvlan mv-eth0 on eth0\n  ipvlan iv-bond0 on bond0\n");
        ASSERT_CONTAINS(t, "  address 10.0.0.2/24 on eth1\n");
        /* A command's words: UTF-8 as written, a broken or cut character byte by byte. */
        p.argv = strv_free(p.argv);
        ASSERT_OK(strv_extend(&p.argv, "/bin/echo"));
        ASSERT_OK(strv_extend(&p.argv, "caf\xc3\xa9"));
        ASSERT_OK(strv_extend(&p.argv, "\xe2\x82"));
        ASSERT_OK(strv_extend(&p.argv, "a\xc3"));
        /* Free text printed after the capabilities cannot move the cursor
         * over them: an escape sequence is shown, not sent (UTF-8 kept). */
        free(p.description);
        p.description = xstrdup("caf\xc3\xa9\x1b[8A\x1b[J\tend\xff");
        _cleanup_free_ char *t2 = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t2, "Command:           /bin/echo caf\xc3\xa9 \"\\xe2\\x82\" \"a\\xc3\"\n");
        ASSERT_CONTAINS(t2, "Description:       caf\xc3\xa9\\x1b[8A\\x1b[J\\x09end\\xff\n");
        ASSERT_FALSE(strchr(t2, '\x1b'));
        plan_done(&p);
        cell_config_done(&c);
}

/* A quota below 1% as written (0.5% is no "0%"); every [Limits] key's value
 * in one column, the longest key included. */
TEST(text_limits) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "q");
        c.cpu_quota_set = true;
        c.cpu_quota_per_sec_usec = 5000;
        c.io_devices = calloc(1, sizeof(CellIODevice));
        ASSERT_NOT_NULL(c.io_devices);
        c.io_devices[0] = (CellIODevice) { .kind = CELL_IO_LATENCY, .path = xstrdup("/dev/vda"), .value = 25000 };
        c.n_io_devices = 1;
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "  CPUQuota                  0.50%\n");
        ASSERT_CONTAINS(t, "  IODeviceLatencyTargetSec  /dev/vda 25000us\n");
        /* TasksMax= unset: systemd's default, which the cgroupfs manager applies too. */
        ASSERT_CONTAINS(t, "  TasksMax                  default (systemd's DefaultTasksMax=; 15% with cgroupfs)\n");
        plan_done(&p);

        c.cpu_quota_per_sec_usec = 1500000;
        plan_ok(&c, NULL, &p);
        free(t);
        t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "  CPUQuota                  150%\n");
        plan_done(&p);
        cell_config_done(&c);

        /* systemd 252's AllowedMemoryNodes= and Startup*= keys, each after its
         * normal key; the longest sets the column. */
        config_minimal(&c, "boot");
        c.cpu_weight = 100;
        c.startup_cpu_weight_idle = true;
        c.startup_io_weight = 500;
        c.startup_allowed_cpus = calloc(1, 1);
        ASSERT_NOT_NULL(c.startup_allowed_cpus);
        c.startup_allowed_cpus[0] = 0x05;
        c.startup_allowed_cpus_size = 1;
        c.allowed_memory_nodes = calloc(1, 1);
        ASSERT_NOT_NULL(c.allowed_memory_nodes);
        c.allowed_memory_nodes[0] = 0x02;
        c.allowed_memory_nodes_size = 1;
        c.startup_allowed_memory_nodes = calloc(1, 1);
        ASSERT_NOT_NULL(c.startup_allowed_memory_nodes);
        c.startup_allowed_memory_nodes[0] = 0x01;
        c.startup_allowed_memory_nodes_size = 1;
        plan_ok(&c, NULL, &p);
        free(t);
        t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(t, "  CPUWeight                 100\n"
                           "  StartupCPUWeight          idle\n"
                           "  StartupIOWeight           500\n"
                           "  StartupAllowedCPUs        0 2\n"
                           "  AllowedMemoryNodes        1\n"
                           "  StartupAllowedMemoryNodes 0\n");
        plan_done(&p);
        cell_config_done(&c);
}

/* Nice= ... Personality=: in the JSON after the process keys, null when
 * unset as every other key; in the text after "Stop:", only when written. */
TEST(json_text_sched) {
        CellConfig c;
        Plan p = {};

        config_minimal(&c, "s");
        plan_ok(&c, NULL, &p);
        _cleanup_free_ char *j = plan_printed(&p, plan_print_json);
        _cleanup_free_ char *t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(j, "  \"timeout_stop_usec\": 90000000,\n  \"nice\": null,\n  \"cpu_scheduling\": null,\n"
                        "  \"io_scheduling\": null,\n  \"cpu_affinity\": null,\n  \"personality\": null,\n"
                        "  \"capabilities\": {");
        for (const char *k = "Nice:\0CPUScheduling:\0IOScheduling:\0CPUAffinity:\0Personality:\0"; *k; k += strlen(k) + 1)
                ASSERT_TRUE(!strstr(t, k));
        plan_done(&p);

        c.sched.nice_set = true;
        c.sched.nice = -5;
        c.sched.cpu_policy_set = c.sched.cpu_priority_set = c.sched.cpu_reset_on_fork = true;
        c.sched.cpu_policy = SCHED_RR;
        c.sched.cpu_priority = 10;
        c.sched.io_set = true;
        c.sched.io_class = IOPRIO_CLASS_IDLE;
        c.sched.io_priority = 4;
        c.sched.cpu_affinity = calloc(2, 1);
        ASSERT_NOT_NULL(c.sched.cpu_affinity);
        c.sched.cpu_affinity[0] = 0x0b;
        c.sched.cpu_affinity[1] = 0x80;
        c.sched.cpu_affinity_size = 2;
        c.personality_set = true;
        c.personality = PER_LINUX;
        ASSERT_NOT_NULL(personality_to_string(PER_LINUX));     /* an architecture cell knows */
        plan_ok(&c, NULL, &p);
        free(j);
        free(t);
        j = plan_printed(&p, plan_print_json);
        t = plan_printed(&p, plan_print_text);
        ASSERT_TRUE(json_check(j, strlen(j)));
        _cleanup_free_ char *want = NULL;
        ASSERT_TRUE(asprintf(&want, "  \"timeout_stop_usec\": 90000000,\n"
                             "  \"nice\": -5,\n"
                             "  \"cpu_scheduling\": {\"policy\": \"rr\", \"priority\": 10, \"reset_on_fork\": true},\n"
                             "  \"io_scheduling\": {\"class\": \"idle\", \"priority\": 4},\n"
                             "  \"cpu_affinity\": [0, 1, 3, 15],\n"
                             "  \"personality\": \"%s\",\n"
                             "  \"capabilities\": {", personality_to_string(PER_LINUX)) > 0);
        ASSERT_CONTAINS(j, want);
        free(want);
        ASSERT_TRUE(asprintf(&want, "Stop:              SIGTERM, SIGKILL after 90s\n"
                             "Nice:              -5\n"
                             "CPUScheduling:     rr, priority 10, reset on fork\n"
                             "IOScheduling:      idle, priority 4\n"
                             "CPUAffinity:       0 1 3 15\n"
                             "Personality:       %s\n\nMounts:\n", personality_to_string(PER_LINUX)) > 0);
        ASSERT_CONTAINS(t, want);
        plan_done(&p);

        /* Reset-on-fork alone: on the inherited policy, which the plan does not know. */
        c.sched.cpu_policy_set = c.sched.cpu_priority_set = false;
        plan_ok(&c, NULL, &p);
        free(j);
        free(t);
        j = plan_printed(&p, plan_print_json);
        t = plan_printed(&p, plan_print_text);
        ASSERT_CONTAINS(j, "  \"cpu_scheduling\": {\"policy\": null, \"priority\": null, \"reset_on_fork\": true},\n");
        ASSERT_CONTAINS(t, "CPUScheduling:     inherited, reset on fork\n");
        plan_done(&p);
        cell_config_done(&c);
}
