#!/bin/bash
# The container's /sys/fs/cgroup shows its own cgroups alone. On a hybrid
# host each v1 hierarchy is mounted at the root of the container's cgroup
# namespace: where the container had no cgroup of its own there, that root
# was cell's cgroup, and the host's tree below it (other services' and
# containers' cgroups) showed. A cgroup of the test's own beside cell's
# stands for those; no payload may see its name in any hierarchy.
. "$(dirname "$0")/lib.sh"

if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        echo "skipped: a pure cgroup2 host (run-cgroupfs-v2 and the systemd tests' v2 runs cover it)"
        exit 77
fi

# The host's hierarchies, as the payload would see them: "cpu", "systemd", "unified".
hierarchies=$(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/self/mounts |
              sed -n 's|^/sys/fs/cgroup/||p' | sort)
[ -n "$hierarchies" ] || fail "no cgroup hierarchy below /sys/fs/cgroup"

# cell runs in the test's cgroups: the host's cgroup beside cell's own, in
# each hierarchy (the lib's cleanup takes it back, it has the marker).
hostcg=${marker}hostsvc
for h in $hierarchies; do
        if [ "$h" = unified ]; then
                own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
        else
                own=$(awk -F: -v h="$h" '$2 == h || $2 == "name=" h { print $3 }' /proc/self/cgroup)
        fi
        [ -n "$own" ] || fail "$h: the test's own cgroup not found"
        mkdir -p "/sys/fs/cgroup/$h${own%/}/$hostcg"
done

# view MANAGER NAME: the payload lists every hierarchy it is shown, its
# listing in $work/out.
view() {
        local u
        u=$(unit "$2" "[Root]" "Directory=$root" "[Exec]" \
                "Exec=/bin/sh -c 'for d in /sys/fs/cgroup /sys/fs/cgroup/*/; do echo \"== \$d\"; ls -a \$d 2>&1; done; \
[ ! -e /sys/fs/cgroup/memory ] || while read -r p; do echo \"memory.procs \$p\"; \
done < /sys/fs/cgroup/memory/cgroup.procs; true'")
        run_cell "$1" "$u"
        [ "$status" -eq 0 ] || fail "$1: cell run exited $status: $(cat "$work/err")"
        if grep -q "$hostcg" "$work/out"; then
                fail "$1: the payload sees the host's cgroup $hostcg: $(grep '^==' "$work/out" | tr '\n' ' ')"
        fi
        [ -z "$(find /sys/fs/cgroup -type d -name "cell-$(unit_name "$2")")" ] ||
                fail "$1: cgroups left: $(find /sys/fs/cgroup -type d -name "cell-$(unit_name "$2")")"
}

# The cgroupfs manager: a cgroup of the container's own in each v1 controller
# systemd's scope would have one in (nspawn's, Delegate=yes), name=systemd and
# the unified tree; each of those shown, holding the payload alone.
view cgroupfs fs
for h in cpu cpuacct blkio memory devices pids systemd unified; do
        if grep -qx "$h" <<< "$hierarchies"; then
                grep -q "^== /sys/fs/cgroup/$h/\$" "$work/out" || fail "cgroupfs: $h is not shown: $(cat "$work/out")"
        fi
done
if grep -qx memory <<< "$hierarchies"; then
        expect "cgroupfs: the memory cgroup's processes" "$(sed -n 's/^memory.procs //p' "$work/out")" 1
fi

# No cgroup at all: nothing of the host's either.
view none none

# A failed start (the payload cannot be executed, after its cgroups were
# made and it was moved in) leaves none of them.
u=$(unit failed "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/not-there")
run_cell cgroupfs "$u"
[ "$status" -ne 0 ] || fail "a missing Exec= started"
[ -z "$(find /sys/fs/cgroup -type d -name "cell-$(unit_name failed)")" ] ||
        fail "a failed start left: $(find /sys/fs/cgroup -type d -name "cell-$(unit_name failed)")"

for h in $hierarchies; do
        find "/sys/fs/cgroup/$h" -maxdepth 3 -type d -name "$hostcg" -exec rmdir {} \; 2>/dev/null || true
done
[ -z "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$hostcg")" ] || fail "the test's cgroups could not be removed"
echo "ok"
