#!/bin/bash
# TasksMax=0% with the cgroupfs manager on a pure cgroup2 host (tests/lib/
# kernel-vm: this machine's cgroup2 tree has no pids controller): pids.max 0,
# as systemd 252 writes it for a unit file's 0%. The payload runs and cannot
# fork. (It failed "clone3 into new namespaces: Resource temporarily
# unavailable": a clone into a cgroup that takes no new task.) Skipped (77)
# without QEMU or the kernel package.
. "$(dirname "$0")/../run/lib.sh"

here=$(dirname "$(realpath "$0")")
status=0
"$here/../../lib/kernel-vm" "$CELL" "$PROBE" "$here/tasks-zero-v2-cases.sh" > "$work/vm" 2>&1 || status=$?
[ "$status" != 77 ] || { cat "$work/vm"; exit 77; }
[ "$status" = 0 ] || { cat "$work/vm" >&2; fail "kernel-vm exited $status"; }

grep -q '^@@case zero ' "$work/vm" || fail "the case did not run: $(cat "$work/vm")"
grep -q '^@@out pids.max 0$' "$work/vm" || fail "TasksMax=0%: the payload did not run with pids.max 0: $(grep '^@@' "$work/vm")"
grep -q "^@@err .*can't fork" "$work/vm" || fail "TasksMax=0%: not the payload's fork that failed: $(grep '^@@' "$work/vm")"
! grep -q '^@@out forked$' "$work/vm" || fail "TasksMax=0%: the payload forked"
