#!/bin/bash
# cell under systemd 252 as PID 1 on pure cgroup2 with controllers, as on
# a production host, which this machine (hybrid cgroups, no systemd as PID
# 1) and the sealed systemd (a cgroup2 without controllers) are not: one
# VM (tests/lib/kernel-vm, KERNEL_VM_INIT=systemd: Debian 12's kernel, the
# host's / read-only with a tmpfs overlay, the host's systemd and dbus)
# runs vm-systemd-cases.sh:
# - the same [Limits] to systemd-run --scope -p, to cell run's systemd
#   scope and to cell run --cgroup-manager=cgroupfs in a scope with
#   Delegate=yes: the kernel's files (memory.*, cpu.*, pids.max, io.*) the same;
# - MemoryMax= OOM-kills a payload that fills more (137, said so), also
#   in its first moments, and
#   TasksMax= stops a fork loop;
# - after the hand-over to cell-monitor, an OOM kill of the payload (137)
#   or of another process of it ("not the payload itself") is told;
# - cell status and list --json show a running cell's memory and tasks;
# - Delegate=yes: the container's root makes cgroups below its own and
#   hands memory and pids on there; MemoryMax= holds in them, told;
# - cell@.service (the build tree's) starts active (Type=notify, READY=1)
#   with its limits in cell-NAME.scope, and stops leaving no scope;
# - no cgroup, mount or unit of cell's left in the VM.
# Each case's verdict is printed; a failure names the case and the file.
# Skipped (77) without root, QEMU (or its 9p), systemd, dbus or the kernel.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 77; }
cell=$(realpath "${1:?usage: $0 CELL PROBE CELL@.SERVICE}")
probe=$(realpath "${2:?}")
service=$(realpath "${3:?}")
here=$(dirname "$(realpath "$0")")
. "$here/vm-split-cases.sh"
work=$(mktemp -d /tmp/cell-vm-systemd.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

status=0
KERNEL_VM_INIT=systemd KERNEL_VM_TIMEOUT=${KERNEL_VM_TIMEOUT:-540} \
        "$here/../../lib/kernel-vm" "$cell" "$probe" "$here/vm-systemd-cases.sh" "$service" > "$work/vm" 2>&1 ||
        status=$?
cat "$work/vm"
[ "$status" != 77 ] || exit 77
[ "$status" = 0 ] || fail "kernel-vm exited $status"
vm() { sed -n "s/^@@$1 //p" "$work/vm"; }

[ "$(vm pid1)" = systemd ] || fail "PID 1 in the VM is '$(vm pid1)', not systemd"
[ "$(vm cgroupfs)" = cgroup2fs ] || fail "/sys/fs/cgroup in the VM is '$(vm cgroupfs)', not cgroup2"
for c in memory pids cpu io; do
        [[ " $(vm controllers) " == *" $c "* ]] || fail "no $c controller in the VM: $(vm controllers)"
done
[ "$(vm bus)" = yes ] || fail "systemd never took its name on the VM's bus"

# Limits: each case's files, cell's (sd, fs) against systemd's (ref).
while read -r n line; do
        ref=$(sed -n "s/^@@diff $n ref //p" "$work/vm")
        bad=
        # A file systemd's scope lacks would compare nothing.
        for f in $ref; do
                [ "${f#*=}" != missing ] || bad+=" systemd's scope has no ${f%%=*};"
        done
        for who in sd fs; do
                got=$(sed -n "s/^@@diff $n $who //p" "$work/vm")
                [ "$got" = "$ref" ] && continue
                if [ -z "$ref" ] || [ -z "$got" ] || [[ $got == "did not start:"* ]]; then
                        bad+=" $who: ${got:-nothing} (systemd: ${ref:-nothing});"
                        continue
                fi
                for f in $got; do
                        [[ " $ref " == *" $f "* ]] ||
                                bad+=" $who ${f%%=*}: ${f#*=}, systemd's: $(tr ' ' '\n' <<< "$ref" |
                                        grep -F "${f%%=*}=" | cut -d= -f2- || true);"
                done
        done
        if [ -n "$bad" ]; then fail "limits $line:$bad"; else pass "limits $line: $ref"; fi
done < <(vm limits)
[ -n "$(vm limits)" ] || fail "no limits case ran"
n=$(vm limits | sed -n 's/^\([0-9]*\) IODeviceLatencyTargetSec=.*/\1/p')
grep -q "^@@log $n fs .*IODeviceLatencyTargetSec=/dev/loop0: this kernel has no IO latency targets" "$work/vm" ||
        fail "IODeviceLatencyTargetSec=: cgroupfs did not say that it is not applied: $(vm "log $n fs")"

split_cases "$work/vm" "$work/case"
st() { cat "$work/case/$1.status" 2>/dev/null || echo missing; }
err() { tr '\n' ' ' < "$work/case/$1.err" 2>/dev/null; }

# told C NAME: cell's words of the payload's OOM kill in case C: said so; with a
# systemd scope on cgroup2 a plain SIGKILL is let pass, said as the race it is:
# the kernel notifies memory.events at most once in 10 ms, and systemd may
# remove the emptied scope before cell reads its oom_kill (note57). The
# kernel's log must show the kill.
told() {
        local f=$work/case/$1.err k
        k=$(sed -n 's/^kernel-kills //p' "$work/case/$1.out" 2>/dev/null)
        [ "${k:-0}" -ge 1 ] || return 1
        grep -qx "cell: $2: The payload was killed by the OOM killer (MemoryMax=)." "$f" && return 0
        [[ $1 == *-systemd ]] && grep -qx "cell: $2: The payload died of signal SIGKILL." "$f" || return 1
        echo "note: $1: the kernel's OOM kill told as a plain SIGKILL (the systemd scope's race, note57)"
}
for c in oom-systemd oom-cgroupfs oomtiny-systemd; do
        if [ "$(st $c)" = 137 ] && told $c "${c%-*}"; then
                pass "$c: MemoryMax= killed dd of 64M, 137, told"
        else
                fail "$c: status $(st $c) (137 expected), the OOM kill told? $(err $c)" \
                        "(the kernel's: $(sed -n 's/^kernel-kills //p' "$work/case/$c.out"))"
        fi
done

for m in systemd cgroupfs; do
        c=tasks-$m
        forks=$(sed -n 's/^forks //p' "$work/case/$c.out" 2>/dev/null || true)
        if [ "$(st $c)" != 0 ] && [ -n "$forks" ] && [ "$forks" -lt 10 ] && ! grep -qx all "$work/case/$c.out"; then
                pass "$c: TasksMax=10 stopped the fork loop after $forks forks (status $(st $c))"
        else
                fail "$c: status $(st $c), forks '${forks}' (fewer than 10 expected): $(err $c)"
        fi
done

get() { sed -n "s/^$1 //p" "$o" 2>/dev/null; }
# After the hand-over to cell-monitor: the OOM kill of the payload (137,
# said so), of a child of its shell (0, "not the payload itself").
other="A process of the container was killed by the OOM killer (MemoryMax=), not the payload itself."
for m in systemd cgroupfs; do
        c=late-$m o=$work/case/$c.out
        if [ "$(st $c)" = 137 ] && [ "$(get comm)" = cell-monitor ] && told $c late; then
                pass "$c: cell-monitor saw the payload's OOM kill: 137, told"
        else
                fail "$c: status $(st $c) (137 expected), cell's process: $(get comm), the OOM kill told?" \
                        "$(err $c) (the kernel's: $(get kernel-kills))"
        fi
        c=lateother-$m o=$work/case/$c.out
        if [ "$(st $c)" = 0 ] && [ "$(get comm)" = cell-monitor ] && [ "$(get payload)" = "dd 137" ] &&
           grep -qxF "cell: lateother: $other" "$work/case/$c.err"; then
                pass "$c: cell-monitor saw a child's OOM kill: 0, not the payload itself"
        else
                fail "$c: status $(st $c) (0 expected), cell's process: $(get comm), the payload: $(get payload)," \
                        "said? $(err $c)"
        fi
done

# cell status / list --json of a running cell: its memory (>= dd's 24M)
# and tasks (4), as its cgroup's files have them.
for m in systemd cgroupfs; do
        c=hold-$m o=$work/case/$c.out
        j=$(get json)
        mem=$(jq -r .memory_current <<< "$j" 2>/dev/null || true)
        tasks=$(jq -r .tasks_current <<< "$j" 2>/dev/null || true)
        lmem=$(jq -r '.[] | select(.name == "hold") | .memory_current' <<< "$(get list)" 2>/dev/null || true)
        ltasks=$(jq -r '.[] | select(.name == "hold") | .tasks_current' <<< "$(get list)" 2>/dev/null || true)
        bad=
        [ "$(st $c)" = 0 ] || bad+=" status $(st $c);"
        [ "$(jq -r .running <<< "$j" 2>/dev/null)" = true ] || bad+=" status --json: $j;"
        { [[ $mem =~ ^[0-9]+$ ]] && [ "$mem" -ge 25165824 ] && [ "$mem" -lt 268435456 ]; } ||
                bad+=" status: memory_current $mem (24M..256M expected);"
        [ "$tasks" = 4 ] || bad+=" status: tasks_current $tasks (4 expected);"
        { [[ $lmem =~ ^[0-9]+$ ]] && [ "$lmem" -ge 25165824 ]; } || bad+=" list: memory_current $lmem;"
        [ "$ltasks" = 4 ] || bad+=" list: tasks_current $ltasks (4 expected): $(get list);"
        [[ " $(get files) " == *" pids.current=4 "* ]] || bad+=" the cgroup's files: $(get files);"
        grep -qE '^text +Memory: [0-9.]+M$' "$o" || bad+=" cell status: no Memory: line;"
        grep -qE '^text +Tasks: 4$' "$o" || bad+=" cell status: no Tasks: 4 line;"
        if [ -z "$bad" ]; then
                pass "$c: cell status and list --json: memory $mem (its files: $(get files)), tasks 4"
        else
                fail "$c:$bad $(err $c)"
        fi
done

# Delegate=yes: the container's root makes init/ and sub/ and hands on
# memory and pids; the scope's MemoryMax= holds in sub/ (its OOM kill
# counted, told), and stays the host's. Meanwhile: cell status shows the
# container's own cgroup and its two processes, cell exec joins its PID 1
# in init/, and a daemon-reload leaves the sleep in sub/.
for m in systemd cgroupfs; do
        c=deleg-$m o=$work/case/$c.out
        j=$(get json)
        bad=
        [ "$(st $c)" = 0 ] || bad+=" status $(st $c) (0 expected);"
        for step in mkdir-init move-self enable mkdir-sub; do
                [ "$(get $step)" = 0 ] || bad+=" $step: $(get $step || true);"
        done
        [[ " $(get sub-controllers) " == *" memory "* && " $(get sub-controllers) " == *" pids "* ]] ||
                bad+=" sub/'s controllers: '$(get sub-controllers)' (memory, pids expected);"
        { [ -n "$(get write-max)" ] && [ "$(get write-max)" != 0 ]; } ||
                bad+=" the container's root wrote the scope's memory.max ($(get write-max));"
        [ "$(get memory.max)" = 33554432 ] || bad+=" the scope's memory.max: $(get memory.max);"
        [ "$(get dd)" = 137 ] || bad+=" dd in sub/: $(get dd) (137 expected);"
        [ "$(get oom_kill)" -ge 1 ] 2>/dev/null || bad+=" sub/'s oom_kill: $(get oom_kill);"
        grep -qxF "cell: deleg: $other" "$work/case/$c.err" || bad+=" the OOM kill not told;"
        [ "$(jq -r .tasks_current <<< "$j" 2>/dev/null)" = 2 ] || bad+=" status: tasks $j (2 expected);"
        [[ $(jq -r .memory_current <<< "$j" 2>/dev/null) =~ ^[0-9]+$ ]] || bad+=" status: no memory: $j;"
        [[ $(jq -r .control_group <<< "$j" 2>/dev/null) =~ /cell-deleg(\.scope)?$ ]] ||
                bad+=" status: control_group $(jq -r .control_group <<< "$j" 2>/dev/null);"
        [ "$(get exec)" = "0::/init " ] || bad+=" cell exec: in '$(get exec)' (0::/init, its PID 1's, expected);"
        [[ $(get sub-procs) =~ ^[0-9]+\ $ ]] || bad+=" sub/'s processes: '$(get sub-procs)' (the sleep expected);"
        [ $m = cgroupfs ] || [ "$(get delegate)" = yes ] || bad+=" the scope's Delegate=: $(get delegate);"
        if [ -z "$bad" ]; then
                pass "$c: init/ and sub/ made, memory and pids handed on, MemoryMax= held in sub/ (told)"
        else
                fail "$c:$bad $(err $c)"
        fi
done

o=$work/case/auto.out
if [ "$(st auto)" = up ] && [ "$(get scope)" = /cellvm.slice/cellvm-test.slice/cell-auto.scope ] &&
   [ "$(get files)" = "memory.max=41943040 " ] && [ "$(get stop)" = 0 ] && [ "$(get run)" = 0 ] &&
   [ "$(get after)" = inactive ]; then
        pass "auto: a systemd scope in Slice=cellvm-test.slice, MemoryMax= there, cell stop: 0, no scope after"
else
        fail "auto: $(st auto), scope $(get scope), $(get files), stop $(get stop), run $(get run), after" \
                "$(get after): $(err auto)"
fi

o=$work/case/service.out
if [ "$(st service)" = 0 ] && [ "$(get active)" = active ] && grep -qx "payload up" "$o"; then
        pass "cell@svc.service: active, the payload up"
else
        fail "cell@svc.service: start status $(st service), $(get active): $(err service)"
fi
[ "$(get scope)" = /sys/fs/cgroup/machine.slice/cell-svc.scope ] || fail "cell@svc.service: scope $(get scope)"
expect_files="memory.max=50331648 pids.max=20 cpu.weight=50 "
[ "$(get files)" = "$expect_files" ] || fail "cell@svc.service: scope's files $(get files), not $expect_files"
[ "$(get after)" = "inactive inactive" ] || fail "cell@svc.service: after the stop: $(get after)"
[ "$(get scope_left)" = no ] || fail "cell@svc.service: cell-svc.scope's cgroup left after the stop"

changes() { diff <(vm "before $1" | tr ' ' '\n') <(vm "after $1" | tr ' ' '\n') | grep '^[<>]' | tr '\n' ' '; }
[ -z "$(changes cgroups)" ] || fail "cgroups left or gone: $(changes cgroups)"
[ -z "$(changes mounts)" ] || fail "mounts left or gone: $(changes mounts)"
[ -z "$(vm units | tr -d ' ')" ] || fail "units left: $(vm units)"

if [ "$failures" != 0 ]; then
        echo "$failures failures"
        exit 1
fi
echo "ok: limits, enforcement, cell@.service under systemd $(vm kernel)"
