#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The device policy (DevicePolicy=closed + DeviceAllow=): the payload may use
# the built-in nodes and the unit's DeviceAllow=, nothing else -- not even a
# node it makes itself with CAP_MKNOD (in the default set). On cgroup2 cell
# enforces it with its own BPF program on the scope's cgroup (systemd is not
# asked: the scope's DevicePolicy stays "auto"), also with the cgroupfs
# manager, and where the kernel refuses cell BPF systemd is asked after all.
# On the hybrid layout the program sits on the container's cgroup in the
# unified tree, for a scope and for the cgroupfs manager alike (the kernel
# asks it beside the v1 devices controller); where BPF is refused, systemd's
# v1 controller does it.
. "$(dirname "$0")/lib.sh"

setup_cell

# The payload reports one line per probe into /out/NAME: "PROBE ok|denied".
write_payload dev-probe <<'EOF'
out=/out/$1
: > "$out"
probe() { if "$@" 2>/dev/null; then echo "$PROBE ok"; else echo "$PROBE denied"; fi >> "$out"; }
PROBE=null-write probe sh -c 'echo x > /dev/null'
PROBE=zero-read probe sh -c 'head -c1 /dev/zero > /dev/null'
PROBE=mknod-mem probe mknod /dev/xmem c 1 1
PROBE=mknod-loop probe mknod /dev/xloop b 7 0
PROBE=open-loop probe sh -c ': < /dev/xloop'
echo done >> "$out"
EOF

install_cell devclosed <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/dev-probe devclosed
EOF
install_cell devloop <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/dev-probe devloop
[Limits]
DeviceAllow=block-loop rwm
DeviceAllow=/dev/does-not-exist rw
EOF

probe_is() { grep -qx "$2 $3" "$ROOT/out/$1"; }

# --- the systemd scope
in_sealed "$CELL" run /run/cell/devclosed.cell > "$WORK/devclosed.log" 2>&1
expect_eq "closed: the payload ran" 0 "$?"
check "closed: it finished" grep -qx done "$ROOT/out/devclosed"
check "closed: /dev/null is writable" probe_is devclosed null-write ok
check "closed: /dev/zero is readable" probe_is devclosed zero-read ok
check "closed: mknod of a char device not allowed (1:1) is refused" probe_is devclosed mknod-mem denied
check "closed: mknod of a block device not allowed (7:0) is refused" probe_is devclosed mknod-loop denied

# Holds the scope while its policy is read: DeviceAllow= says who enforces it.
write_payload dev-hold <<'EOF'
trap 'exit 0' TERM
sleep 1000 & wait
EOF
install_cell devhold <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/dev-hold
EOF
in_sealed systemd-run --quiet --unit=devhold-runner "$CELL" run /run/cell/devhold.cell
wait_for 10 state_is cell-devhold.scope active || fail "devhold: the scope never became active"
# On the hybrid layout too: the program sits on the scope's cgroup in the
# unified tree, which the kernel asks beside the v1 devices controller.
expect_eq "systemd is not asked for DevicePolicy= (cell's BPF program)" auto \
        "$(prop cell-devhold.scope DevicePolicy)"
if [ "$SEALED_CGROUP" != v2 ]; then
        dev_allow=$(in_sealed sh -c 'cat /sys/fs/cgroup/devices/machine.slice/cell-devhold.scope/devices.list 2>/dev/null || cat /sys/fs/cgroup/devices/devices.list')
        expect_eq "hybrid: the v1 devices controller is left open (the program decides)" "a *:* rwm" "$dev_allow"
fi
in_sealed systemctl stop devhold-runner.service
hold_gone() { [ "$(prop cell-devhold.scope LoadState)" = not-found ]; }
wait_for 10 hold_gone || fail "devhold: the scope is still there"

# cell plan says who enforces it on this host (auto picks systemd here).
plan_says() { in_sealed "$CELL" plan /run/cell/devclosed.cell | matches -x "Device policy: *$1"; }
check "cell plan: enforced by cell" plan_says "closed, enforced by cell (a BPF program on the scope's cgroup)"

in_sealed "$CELL" run /run/cell/devloop.cell > "$WORK/devloop.log" 2>&1
expect_eq "DeviceAllow=block-loop: the payload ran (a missing path is skipped)" 0 "$?"
check "DeviceAllow=block-loop: mknod b 7:0 works" probe_is devloop mknod-loop ok
check "DeviceAllow=block-loop: the node opens" probe_is devloop open-loop ok
check "DeviceAllow=block-loop: char 1:1 is still refused" probe_is devloop mknod-mem denied

# --- cgroupfs: cell's program is the only policy there is (on the hybrid
# layout on its cgroup in the unified tree)
rm -f "$ROOT/out/devclosed"
in_sealed systemd-run --quiet --scope -p Delegate=yes --unit=devfs "$CELL" run --cgroup-manager=cgroupfs \
        /run/cell/devclosed.cell > "$WORK/devfs.log" 2>&1
expect_eq "cgroupfs: the payload ran" 0 "$?"
check "cgroupfs: /dev/null is writable" probe_is devclosed null-write ok
check "cgroupfs: mknod of a device not allowed is refused" probe_is devclosed mknod-mem denied
check "cgroupfs: ... block too" probe_is devclosed mknod-loop denied

# --- pinned: the filter of a policy is loaded once and pinned on the BPF
# filesystem (/sys/fs/bpf/cell; the sealed systemd has one of its own), and
# every later start takes that one: the same policy, enforced the same.
if [ "$(in_sealed stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; then
        check "pinned: the filter is on the BPF filesystem" sh -c "'$SEALED' run ls /sys/fs/bpf/cell | grep -q '^devices-'"
        rm -f "$ROOT/out/devclosed"
        in_sealed systemd-run --quiet --scope -p Delegate=yes --unit=devpin "$CELL" run -v --cgroup-manager=cgroupfs \
                /run/cell/devclosed.cell > "$WORK/devpin.log" 2>&1
        expect_eq "pinned: the payload ran" 0 "$?"
        check "pinned: the filter was the pinned one (-v)" grep -q "Device filter: the pinned one" "$WORK/devpin.log"
        check "pinned: /dev/null is writable" probe_is devclosed null-write ok
        check "pinned: mknod of a device not allowed is refused" probe_is devclosed mknod-mem denied
        check "pinned: ... block too" probe_is devclosed mknod-loop denied
else
        echo "SKIP: pinned: this kernel has no BPF filesystem"
fi

# The kernel refuses cell the program (a service whose SystemCallFilter=
# denies bpf()): systemd is asked for DevicePolicy= instead; with cgroupfs
# nobody else can, so the payload does not get CAP_MKNOD, and cell says so.
nobpf=(-p SystemCallFilter=~bpf -p SystemCallErrorNumber=EPERM)
rm -f "$ROOT/out/devclosed"
in_sealed systemd-run --quiet --wait --pipe --unit=devnobpf "${nobpf[@]}" \
        "$CELL" run /run/cell/devclosed.cell > "$WORK/devnobpf.log" 2>&1
expect_eq "no bpf(): the payload ran" 0 "$?"
check "no bpf(): systemd's DevicePolicy= refuses mknod instead" probe_is devclosed mknod-mem denied
rm -f "$ROOT/out/devclosed"
in_sealed systemd-run --quiet --wait --pipe --unit=devnobpffs -p Delegate=yes "${nobpf[@]}" \
        "$CELL" run --cgroup-manager=cgroupfs /run/cell/devclosed.cell > "$WORK/devnobpffs.log" 2>&1
expect_eq "cgroupfs, no bpf(): the payload ran" 0 "$?"
check "cgroupfs, no bpf(): cell warns that device access is not restricted" \
        grep -q "Device access is not restricted (the kernel refused cell's BPF device filter): CAP_MKNOD is withheld" \
        "$WORK/devnobpffs.log"
check "cgroupfs, no bpf(): /dev/null is writable" probe_is devclosed null-write ok
check "cgroupfs, no bpf(): mknod of a char device is refused (no CAP_MKNOD)" probe_is devclosed mknod-mem denied
check "cgroupfs, no bpf(): ... block too" probe_is devclosed mknod-loop denied

finish
