#!/bin/bash
# On a host whose cgroup controllers are v1 ones (this machine's hybrid
# layout; skipped on pure cgroup2), with the cgroupfs manager:
# - MemoryMin=0, MemoryLow=0% and IODeviceLatencyTargetSec=DEV infinity ask
#   for the kernel's default (nothing protected, no latency target), which is
#   all v1 has: "cell verify" warns of none, and "cell run" runs the unit (it
#   refused each, as systemd ignores them on v1);
# - "cell verify" gives its v1 warnings in the unit's line order (they came
#   by controller: a MemoryMin= below a CPUWeight=idle was said first);
# - TasksMax=0% is taken, as systemd 252 takes it in a unit file (pids.max
#   0): the payload runs, and cannot fork.
. "$(dirname "$0")/../run/lib.sh"

. "$(dirname "$0")/../../lib/cgroup-v1.sh"
if ! v1_has memory || ! v1_has cpu; then
        echo "skipped: no v1 memory and cpu hierarchies here (pure cgroup2: the unit tests cover it)"
        exit 77
fi

# --- The kernel's defaults: no warning, and the payload runs. A file on
# the root's disk names that disk, if it is one.
latency=()
if [ "$(stat -c %t "$(df --output=source / | tail -n 1)" 2>/dev/null || echo 0)" != 0 ]; then
        latency=("IODeviceLatencyTargetSec=/ infinity")
fi
u=$(unit defaults "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "MemoryMax=64M" \
        "MemoryMin=0" "MemoryLow=0%" "${latency[@]}")
"$CELL" verify "$u" 2>"$work/verify" || fail "verify of the defaults: $(cat "$work/verify")"
! grep -q "warning" "$work/verify" || fail "verify warned of the kernel's defaults: $(cat "$work/verify")"
host_snapshot before
run_cell cgroupfs "$u"
[ "$status" -eq 0 ] || fail "the kernel's defaults on v1: exit $status: $(cat "$work/err")"
! grep -q "MemoryMin\|MemoryLow\|IODeviceLatency" "$work/err" ||
        fail "the start spoke of the defaults: $(cat "$work/err")"
expect_nothing_left

# --- A protection is refused all the same (1 byte protects).
u=$(unit protect "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "MemoryLow=1")
run_cell cgroupfs "$u"
expect "MemoryLow=1 on v1: exit status" "$status" 2
grep -q "$u:6: MemoryLow=: cgroup v1 has no memory protection" "$work/err" ||
        fail "MemoryLow=1: no clear refusal: $(cat "$work/err")"
expect_nothing_left

# --- verify's warnings in line order: CPUWeight=idle (line 6) before MemoryMin= (line 7).
u=$(unit order "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "CPUWeight=idle" "MemoryMin=1M")
"$CELL" verify "$u" 2>"$work/verify" || fail "verify: $(cat "$work/verify")"
expect "verify's warnings in line order" "$(grep -o "^$u:[0-9]*: warning: [A-Za-z]*" "$work/verify" | tr '\n' ' ')" \
        "$u:6: warning: CPUWeight $u:7: warning: MemoryMin "

# --- TasksMax=0%, as systemd takes it in a unit file: pids.max 0. The
# payload runs, and cannot fork.
if v1_has pids; then
        u=$(unit notasks "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/probe" "[Limits]" "TasksMax=0%")
        "$CELL" verify "$u" 2>"$work/verify" || fail "verify TasksMax=0%: $(cat "$work/verify")"
        run_cell cgroupfs "$u"
        [ "$status" -eq 0 ] || fail "TasksMax=0%: the payload did not run: exit $status: $(cat "$work/err")"
        u=$(unit nofork "[Root]" "Directory=$root" "[Exec]" "Exec=/bin/sh -c \"/bin/true && echo forked\"" \
                "[Limits]" "TasksMax=0%")
        run_cell cgroupfs "$u"
        [ "$status" -ne 0 ] || fail "TasksMax=0%: the payload forked: $(cat "$work/out")"
        ! grep -q forked "$work/out" || fail "TasksMax=0%: the payload forked"
        grep -q "can't fork" "$work/err" || fail "TasksMax=0%: not the fork that failed: $(cat "$work/err")"
        expect_nothing_left
fi
