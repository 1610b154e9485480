# Sourced by tests that depend on the host's cgroup v1 hierarchies.
# v1_has CONTROLLER: whether a cgroup1 hierarchy holding it is mounted.
v1_has() {
        awk -v c="$1" '{ for (i = 1; i <= NF; i++) if ($i == "-") break;
                         if ($(i + 1) != "cgroup") next;
                         n = split($(i + 3), o, ","); for (k = 1; k <= n; k++) if (o[k] == c) found = 1 }
                       END { exit !found }' /proc/self/mountinfo
}
