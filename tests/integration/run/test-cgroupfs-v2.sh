#!/bin/bash
# The cgroupfs manager on a pure cgroup2 host without a service manager,
# started in a cgroup of its own below the root (tests/lib/kernel-vm: this
# machine's cgroup2 tree has no memory, pids or cpu controller, its v1
# hierarchies hold them). cgroup2 lets a cgroup with processes enable the
# threaded controllers (cpu, cpuset, pids) but then makes it a thread root,
# below which the container's cgroup holds no process: cell must leave its
# cgroup for a leaf before enabling any controller, not only when the
# kernel refuses one with EBUSY (TasksMax= alone failed "clone3 into new
# namespaces: Operation not supported", and CPUQuota= with MemoryMax=
# "cannot enable the memory controller ...: Operation not supported", each
# leaving the controller on in cell's cgroup). Skipped (77) without QEMU or
# the kernel package.
. "$(dirname "$0")/lib.sh"

here=$(dirname "$(realpath "$0")")
status=0
"$here/../../lib/kernel-vm" "$CELL" "$PROBE" "$here/cgroupfs-v2-cases.sh" > "$work/vm" 2>&1 || status=$?
[ "$status" != 77 ] || { cat "$work/vm"; exit 77; }
[ "$status" = 0 ] || { cat "$work/vm" >&2; fail "kernel-vm exited $status"; }

mkdir "$work/case"
awk -v d="$work/case" '
        /^@@case / { name = $2; print $3 > (d "/" name ".status"); printf "" > (d "/" name ".out");
                     printf "" > (d "/" name ".err"); next }
        /^@@out / && name { print substr($0, 7) > (d "/" name ".out"); next }
        /^@@err / && name { print substr($0, 7) > (d "/" name ".err"); next }
        /^@@ci / && name { print substr($0, 6) > (d "/" name ".ci"); next }' "$work/vm"
st() { cat "$work/case/$1.status" 2>/dev/null || echo missing; }
out() { cat "$work/case/$1.out"; }
err() { cat "$work/case/$1.err"; }
# ci_left NAME: ci after the case is as before it: no controller on, no
# process, no cgroup below it (cell's leaf and cell-NAME removed).
ci_left() {
        expect "$1: ci after the run (subtree_control|procs|dirs)" "$(cat "$work/case/$1.ci")" "||"
}
# runs NAME WANT-REGEX...: the case ran (status 0) with each limit in its cgroup.
runs() {
        local name=$1 want
        shift
        [ "$(st "$name")" = 0 ] || fail "$name: status $(st "$name"): $(err "$name")"
        expect_match "$name: the payload's cgroup" "$(out "$name")" '(^|'$'\n'')0::/('$'\n''|$)'
        for want in "$@"; do
                expect_match "$name: $want" "$(out "$name")" "(^|"$'\n'")$want("$'\n'"|$)"
        done
        ci_left "$name"
}

runs tasks "pids.max 4"
runs cpu "cpu.max 20000 100000"
runs cpumem "pids.max 8" "cpu.max 20000 100000" "memory.max 20971520"
# TasksMax= unset: systemd's default, 15% of the VM's tasks (it had none).
runs none "pids.max [0-9]+"
# TasksMax=infinity: no limit (pids.max max), not the default.
runs infinity "pids.max max"

# A SIGKILLed cell leaves its leaf, cell-killed and the controllers it
# turned on in ci; the next start of its name (in ci2), or cell stop
# killed, takes them back. One that turned nothing on leaves cell-NAME
# alone, which the next cell started in ci takes back.
expect_match "killed: what it leaves in ci" "$(cat "$work/case/killed.ci")" \
        '^memory pids\|\|cell-killed/ cell\.supervisor-[0-9]+/ $'
runs samename "pids.max 8"
expect "stopkilled: status (not running)" "$(st stopkilled)" 3
expect_match "stopkilled: message" "$(err stopkilled)" "Removed the [0-9]+ cgroups? a killed run of killed left behind"
ci_left stopkilled
expect_match "killednone: what it leaves in ci" "$(cat "$work/case/killednone.ci")" \
        '^pids\|\|cell-killednone/ cell\.supervisor-[0-9]+/ $'
runs afterkill

# With another process in cell's cgroup: refused, saying why, ci untouched
# (the sleep is still there).
expect "others: status" "$(st others)" 2
expect_match "others: message" "$(err others)" "cell's cgroup /sys/fs/cgroup/ci also holds other processes"
expect_match "others: ci after the run" "$(cat "$work/case/others.ci")" '^\|[0-9]+ \|$'
# ... but without limits it runs, with no default TasksMax= then.
expect "othersnone: status ($(err othersnone))" "$(st othersnone)" 0
expect "othersnone: no pids.max" "$(out othersnone | grep -c '^pids.max')" 0
expect_match "othersnone: ci after the run" "$(cat "$work/case/othersnone.ci")" '^\|[0-9]+ \|$'

# ... but a controller that ci does not have at all is the reason given.
expect "nocpuset: status" "$(st nocpuset)" 2
expect_match "nocpuset: message" "$(err nocpuset)" "AllowedCPUs=: the cpuset controller is not available in /sys/fs/cgroup/ci"
expect_match "nocpuset: ci after the run" "$(cat "$work/case/nocpuset.ci")" '^\|[0-9]+ \|$'

# ci a thread root (pids on while cell is in it): refused, saying so.
expect "threadroot: status" "$(st threadroot)" 2
expect_match "threadroot: message" "$(err threadroot)" "/sys/fs/cgroup/ci has controllers on .* thread root"
expect "threadroot: ci after the run" "$(cat "$work/case/threadroot.ci")" "pids||"
# ci allows no more cgroups below it (cgroup.max.descendants 0, then
# cgroup.max.depth 0): refused, saying so (it said "Resource temporarily
# unavailable" alone), with the leaf's mkdir (limits) and cell-NAME's (none).
for c in maxdescendants maxdepth; do
        expect "$c: status" "$(st $c)" 2
        expect_match "$c: message" "$(err $c)" "cannot create cgroup /sys/fs/cgroup/ci/cell[-.][^ ]*: cgroup.max.descendants or cgroup.max.depth of its parent or a cgroup above allows no more cgroups there; the cgroupfs manager needs"
        ci_left $c
done
# An AllowedCPUs= with none of ci's CPUs (ci has CPU 0 alone): refused,
# naming the key and where cgroup2 would have run it (it ran on CPU 0,
# status 0); one that shares CPU 0 runs there.
if [ -e "$work/case/cpuoutside.status" ]; then
        expect "cpuoutside: status ($(err cpuoutside))" "$(st cpuoutside)" 2
        expect_match "cpuoutside: message" "$(err cpuoutside)" \
                "AllowedCPUs=1: none of these is among those of the cgroup above \(/sys/fs/cgroup/ci/cell-cpuoutside/\.\.\), and cgroup2 runs the container on that one's instead \(cpuset.cpus.effective=0\)"
        ci_left cpuoutside
        runs cpuinside 0
else
        echo "cpuoutside: no cpuset controller or not 2 CPUs in the VM: not checked"
fi
echo ok
