#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cgroupfs fallback (--cgroup-manager=cgroupfs): the same payloads and
# limits as test-scope, enforced through the cgroup files cell writes itself
# below its own cgroup, and that cgroup removed when the payload exits.
#
# It runs inside the sealed systemd, in a transient scope with Delegate=yes
# (the subtree is cell's to manage, as on a build box that hands cell a
# cgroup), so that every cgroup it makes is inside the harness's tree.
#
# On cgroup2 cell is then the only process of that scope's cgroup, and the
# "no internal processes" rule forbids enabling controllers there: cell moves
# itself into a leaf (cell.supervisor-PID) beside cell-NAME, and back on exit.
# With other processes in its cgroup it refuses and says what to do.
. "$(dirname "$0")/lib.sh"

setup_cell

# cgfs NAME ARGS...: cell run --cgroup-manager=cgroupfs in scope cgfs-NAME.scope
cgfs() {
        local name=$1; shift
        in_sealed systemd-run --quiet --scope -p Delegate=yes --unit="cgfs-$name" \
                "$CELL" run --cgroup-manager=cgroupfs "$@"
}
# cell's own cgroup dir for CONTROLLER on the host: the scope's, plus cell-NAME
cell_dir() { echo "$(host_cgroup_of "$1" "cgfs-$2.scope")/cell-$2"; }

write_payload cgfs-payload <<'EOF'
trap 'exit 0' TERM
cat /proc/self/cgroup > /out/cgfs-cgroup
sleep 1000 & wait
EOF

# --- no limits: runs anywhere, in a cgroup of its own that goes away after
install_cell plain <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sh -c 'cat /proc/self/cgroup > /out/plain-cgroup'
EOF
cgfs plain plain > "$WORK/plain.log" 2>&1
expect_eq "no limits: the payload runs" 0 "$?"
check "no limits: it saw its own cgroup as / (cgroup namespace)" grep -qx '0::/' "$ROOT/out/plain-cgroup"
check "no limits: the scope (and cell-plain below it) is gone" wait_for 5 unit_gone cgfs-plain.scope

test_substate() { [ "$(prop "$1" SubState)" = "$2" ]; }

have_all=1
for c in memory pids cpu; do controller_available "$c" || have_all=0; done

# cgroup v1 has no memory protection: MemoryLow= only on cgroup2 (refused on
# a hybrid host, below).
protection=
[ "$SEALED_CGROUP" = v2 ] && protection="MemoryLow=32M"
# IOWeight= where cgroup2's io controller is there (on v1 test-scope-cgroupfs
# checks blkio.bfq.weight).
ioweight=
[ "$SEALED_CGROUP" = v2 ] && controller_available io && ioweight="IOWeight=300"
install_cell hello <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cgfs-payload
[Limits]
MemoryMax=64M
TasksMax=32
CPUQuota=50%
CPUQuotaPeriodSec=20ms
CPUWeight=idle
$protection
$ioweight
EOF

# --- MemoryMin=/MemoryLow= on a hybrid host: nothing in v1 could hold them;
# refused, naming the key, before any cgroup is made.
if [ "$SEALED_CGROUP" = hybrid ] && controller_available memory; then
        for key in MemoryMin=16M MemoryLow=16M; do
                install_cell protect <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cgfs-payload
[Limits]
MemoryMax=64M
$key
EOF
                rm -f "$ROOT/out/cgfs-cgroup"
                cgfs protect protect > "$WORK/protect.log" 2>&1
                expect_eq "$key on cgroup v1: exit status" 2 "$?"
                check "$key on cgroup v1: says why: $(head -n 1 "$WORK/protect.log")" \
                        grep -q "${key%%=*}=: cgroup v1 has no memory protection" "$WORK/protect.log"
                check "$key on cgroup v1: the payload never ran" test ! -e "$ROOT/out/cgfs-cgroup"
        done
fi

# --- AllowedMemoryNodes=: cgroup2's cpuset.mems (where cgroup2 has cpuset;
# on the hybrid layout the harness mounts no v1 cpuset). The Startup*= keys
# are not applied (no start-up phase here), with a notice saying so.
install_cell nodes <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cgfs-payload
[Limits]
AllowedMemoryNodes=0
StartupAllowedMemoryNodes=0
StartupCPUWeight=50
EOF
if [ "$SEALED_CGROUP" = v2 ] && controller_available cpuset; then
        rm -f "$ROOT/out/cgfs-cgroup"
        cgfs nodes nodes > "$WORK/nodes.log" 2>&1 &
        if wait_for 20 test -s "$ROOT/out/cgfs-cgroup"; then
                expect_eq "AllowedMemoryNodes=0: cpuset.mems in cell-nodes" 0 \
                        "$(cat "$(cell_dir cpuset nodes)/cpuset.mems" 2>/dev/null)"
                check "StartupCPUWeight=: the notice" grep -q "StartupCPUWeight=: Startup\*= keys are not applied" \
                        "$WORK/nodes.log"
        else
                fail "AllowedMemoryNodes=0 with the cgroupfs manager did not start: $(cat "$WORK/nodes.log")"
        fi
        in_sealed systemctl stop cgfs-nodes.scope
        wait
else
        cgfs nodes nodes > "$WORK/nodes.log" 2>&1
        expect_eq "AllowedMemoryNodes= without a cpuset controller: exit status" 2 "$?"
        # (hybrid: the harness gives the container no v1 cpuset it may write to)
        why=cpuset
        [ "$SEALED_CGROUP" = v2 ] && why="AllowedMemoryNodes=: the cpuset controller is not available"
        check "... says so: $(tail -n 1 "$WORK/nodes.log")" grep -q "$why" "$WORK/nodes.log"
        echo "skip - AllowedMemoryNodes= enforcement: no cpuset controller here"
fi
# Startup*= alone: nothing to write, so it runs on any layout, with the notice.
install_cell startup <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/true
[Limits]
StartupIOWeight=10
StartupAllowedCPUs=0
EOF
cgfs startup startup > "$WORK/startup.log" 2>&1
expect_eq "Startup*= alone with the cgroupfs manager: the payload runs" 0 "$?"
check "... with a notice: $(head -n 1 "$WORK/startup.log")" \
        grep -q "/run/cell/startup\.cell:6: StartupIOWeight=: Startup\*= keys are not applied: the cgroupfs manager has no start-up" \
        "$WORK/startup.log"

# --- A percentage is of what systemd takes for all there is: the machine's
# memory and tasks, each at most the limit of the root cgroup (PID 1's: the
# harness's own cgroups here, as a container's). MemoryMax=50% in a
# container limited to 1G is 512M, as a systemd scope gets it; the cgroupfs
# manager took half of the host's memory (and TasksMax=50% half of its
# threads-max), past the container's own limit.
if controller_available memory && controller_available pids; then
        if [ "$SEALED_CGROUP" = v2 ]; then
                memroot=$(tail -n 1 "$WORK/.sealed/cgroups")
                pidsroot=$memroot
                memfile=memory.max
        else
                memroot=$(grep "^/sys/fs/cgroup/memory/" "$WORK/.sealed/cgroups")
                pidsroot=$(grep "^/sys/fs/cgroup/pids/" "$WORK/.sealed/cgroups")
                memfile=memory.limit_in_bytes
        fi
        echo 1073741824 > "$memroot/$memfile"
        echo 3000 > "$pidsroot/pids.max"
        install_cell pct <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cgfs-payload
[Limits]
MemoryMax=50%
TasksMax=50%
EOF
        in_sealed systemd-run --quiet --scope --unit=pct-ref -p MemoryMax=50% -p TasksMax=50% sleep 30 &
        rm -f "$ROOT/out/cgfs-cgroup"
        cgfs pct pct > "$WORK/pct.log" 2>&1 &
        if wait_for 20 test -s "$ROOT/out/cgfs-cgroup" && wait_for 5 state_is pct-ref.scope active; then
                if [ "$SEALED_CGROUP" = v2 ]; then
                        mem=$(cat "$(cell_dir memory pct)/memory.max")
                else
                        mem=$(cat "$(cell_dir memory pct)/memory.limit_in_bytes")
                fi
                expect_eq "MemoryMax=50% below a root cgroup of 1G" 536870912 "$mem"
                expect_eq "... as systemd's own scope gets it" "$(prop pct-ref.scope MemoryMax)" "$mem"
                tasks=$(cat "$(cell_dir pids pct)/pids.max")
                expect_eq "TasksMax=50% below a root cgroup of pids.max 3000" 1500 "$tasks"
                expect_eq "... as systemd's own scope gets it" "$(prop pct-ref.scope TasksMax)" "$tasks"
        else
                fail "MemoryMax=50% with the cgroupfs manager did not start: $(cat "$WORK/pct.log")"
        fi
        in_sealed systemctl stop cgfs-pct.scope pct-ref.scope
        wait

        # --- TasksMax= unset: the container gets systemd's DefaultTasksMax=
        # (15%), as a scope of the same systemd does; it had no limit at all.
        install_cell dflt <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/cgfs-payload
EOF
        in_sealed systemd-run --quiet --scope --unit=dflt-ref sleep 30 &
        rm -f "$ROOT/out/cgfs-cgroup"
        cgfs dflt dflt > "$WORK/dflt.log" 2>&1 &
        if wait_for 20 test -s "$ROOT/out/cgfs-cgroup" && wait_for 5 state_is dflt-ref.scope active; then
                tasks=$(cat "$(cell_dir pids dflt)/pids.max")
                expect_eq "TasksMax= unset: 15% below a root cgroup of pids.max 3000" 450 "$tasks"
                expect_eq "... as systemd's own scope gets it (DefaultTasksMax=)" "$(prop dflt-ref.scope TasksMax)" \
                        "$tasks"
        else
                fail "a unit without TasksMax= with the cgroupfs manager did not start: $(cat "$WORK/dflt.log")"
        fi
        in_sealed systemctl stop cgfs-dflt.scope dflt-ref.scope
        wait
        echo max > "$pidsroot/pids.max"
        if [ "$SEALED_CGROUP" = v2 ]; then echo max; else echo -1; fi > "$memroot/$memfile"
else
        echo "skip - percentages below a root cgroup's limit: no memory and pids controllers here"
fi

if [ "$have_all" = 0 ]; then
        # This tree has no memory/pids/cpu controller at all (a hybrid host's
        # v1 hierarchies hold them; no cgroup layout can give them back while
        # those are in use): cell must refuse rather than run the payload
        # unlimited. On a pure cgroup2 host the checks below run instead.
        cgfs hello hello > "$WORK/hello.log" 2>&1
        expect_eq "limits without controllers: exit status" 2 "$?"
        check "limits without controllers: says which controller is missing" grep -qi "controller" "$WORK/hello.log"
        check "limits without controllers: the payload never ran" test ! -e "$ROOT/out/cgfs-cgroup"
        echo "skip - enforcement: no memory/pids/cpu controllers in this cgroup2 tree (v1 holds them on this host)"
        finish
fi

# --- the limits as the kernel has them
rm -f "$ROOT/out/cgfs-cgroup"
cgfs hello hello > "$WORK/hello.log" 2>&1 &
if wait_for 20 test -s "$ROOT/out/cgfs-cgroup"; then
        ok "cell run --cgroup-manager=cgroupfs runs the payload"
        check "it sees its own cgroup as / (cgroup namespace)" grep -qx '0::/' "$ROOT/out/cgfs-cgroup"
        # CPUQuota=50% per CPUQuotaPeriodSec=20ms: 10 ms; CPUWeight=idle:
        # cgroup2's cpu.idle, v1's minimum cpu.shares (as systemd 252).
        if [ "$SEALED_CGROUP" = v2 ]; then
                files="memory:memory.max:67108864 memory:memory.low:33554432 pids:pids.max:32
                       cpu:cpu.max:10000_20000 cpu:cpu.idle:1 cpu:cpu.weight:100"
        else
                files="memory:memory.limit_in_bytes:67108864 pids:pids.max:32 cpu:cpu.cfs_quota_us:10000
                       cpu:cpu.cfs_period_us:20000 cpu:cpu.shares:2"
        fi
        for f in $files; do
                IFS=: read -r ctrl file want <<< "$f"
                d=$(cell_dir "$ctrl" hello)
                expect_eq "$file in cell-hello" "${want//_/ }" "$(cat "$d/$file" 2>/dev/null)"
        done
        # IOWeight=300 as systemd 252 writes it: io.weight, and BFQ's weight
        # (where BFQ is loaded) on BFQ's scale: 118.
        if [ -n "$ioweight" ]; then
                d=$(cell_dir io hello)
                expect_eq "io.weight in cell-hello" "default 300" "$(head -n 1 "$d/io.weight" 2>/dev/null)"
                if [ -e "$d/io.bfq.weight" ]; then
                        expect_eq "io.bfq.weight in cell-hello" "default 118" "$(head -n 1 "$d/io.bfq.weight")"
                else
                        echo "skip - io.bfq.weight: no BFQ in this kernel"
                fi
        fi
        payload_dir=$(cell_dir pids hello)
        # (cgroup files report size 0: read them, do not test -s)
        check "the payload is in cell-hello" test -n "$(cat "$payload_dir/cgroup.procs" 2>/dev/null)"
        if [ "$SEALED_CGROUP" = v2 ]; then
                scope_dir=$(host_cgroup_of pids cgfs-hello.scope)
                leaf=$(cd "$scope_dir" && ls -d cell.supervisor-* 2>/dev/null)
                check "cgroup2: cell moved into a leaf of its own beside cell-hello ($leaf)" test -n "$leaf"
                check "cgroup2: cell itself is in that leaf" test -n "$(cat "$scope_dir/$leaf/cgroup.procs" 2>/dev/null)"
                expect_eq "cgroup2: the scope's own cgroup holds no process" "" "$(cat "$scope_dir/cgroup.procs")"
                expect_eq "cgroup2: controllers enabled for the container" "cpu memory pids" \
                        "$(tr ' ' '\n' < "$scope_dir/cgroup.subtree_control" | grep -xE 'cpu|memory|pids' | sort | xargs)"
        fi
        in_sealed systemctl stop cgfs-hello.scope
        wait
        check "cell-hello is removed when the payload has exited" wait_for 5 test ! -d "$payload_dir"
else
        fail "cell run --cgroup-manager=cgroupfs did not start the payload: $(cat "$WORK/hello.log")"
        in_sealed systemctl stop cgfs-hello.scope
        wait
fi

# --- cgroup2: cell is not alone in its cgroup: it refuses, says why and what to do
if [ "$SEALED_CGROUP" = v2 ]; then
        rm -f "$ROOT/out/cgfs-cgroup"
        in_sealed systemd-run --quiet --scope -p Delegate=yes --unit=cgfs-crowded \
                sh -c 'sleep 30 & exec "$0" run --cgroup-manager=cgroupfs hello' "$CELL" > "$WORK/crowded.log" 2>&1
        expect_eq "cgroup2, other processes in cell's cgroup: exit status" 2 "$?"
        check "cgroup2, not alone: says why and what to do: $(head -n 1 "$WORK/crowded.log")" \
                sh -c "grep -q 'also holds other processes' '$WORK/crowded.log' && grep -q 'cgroup of its own' '$WORK/crowded.log'"
        check "cgroup2, not alone: the payload never ran" test ! -e "$ROOT/out/cgfs-cgroup"
        d=$(host_cgroup_of pids cgfs-crowded.scope)
        expect_eq "cgroup2, not alone: nothing was made below the cgroup" "" \
                "$(cd "$d" 2>/dev/null && find . -mindepth 1 -type d)"
        in_sealed systemctl stop cgfs-crowded.scope

        # --- cgroup2: on exit cell puts its cgroup back as it found it. A
        # service (RemainAfterExit=yes) keeps the cgroup after cell is gone.
        install_cell leafy <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sh -c 'echo ran > /out/leafy'
[Limits]
MemoryMax=64M
TasksMax=32
EOF
        rm -f "$ROOT/out/leafy"
        in_sealed systemd-run --quiet --unit=cgfs-leafy -p Delegate=yes -p RemainAfterExit=yes \
                "$CELL" run --cgroup-manager=cgroupfs leafy
        if wait_for 10 test_substate cgfs-leafy.service exited; then
                check "cgroup2, leaf: the payload ran" test -e "$ROOT/out/leafy"
                expect_eq "cgroup2, leaf: cell exited cleanly" 0 "$(prop cgfs-leafy.service ExecMainStatus)"
                d=$(host_cgroup_of pids cgfs-leafy.service)
                if [ -d "$d" ]; then
                        expect_eq "cgroup2, leaf: no leaf and no cell-leafy left below the service" "" \
                                "$(cd "$d" && find . -mindepth 1 -type d)"
                        expect_eq "cgroup2, leaf: the controllers are off again" "" "$(cat "$d/cgroup.subtree_control")"
                else
                        echo "skip - cgroup2, leaf: systemd removed the service's cgroup already"
                fi
        else
                fail "cgroup2, leaf: cell run leafy did not finish: $(prop cgfs-leafy.service SubState)"
        fi
        in_sealed systemctl stop cgfs-leafy.service
fi

# --- MemoryMax= really OOM-kills, and cell says so
install_hog hog
cgfs hog hog > "$WORK/hog.log" 2>&1
expect_eq "MemoryMax=32M: the allocating payload is killed (128+9)" 137 "$?"
check "cell reports the OOM kill" grep -qi 'oom' "$WORK/hog.log"
grep -i oom "$WORK/hog.log" | sed 's/^/    /'

# --- TasksMax= really stops a fork loop
write_payload fork-payload <<'EOF'
trap 'exit 0' TERM
# the loop in a subshell: a shell that cannot fork gives up
(for i in $(seq 100); do sleep 30 & done) 2>/dev/null
echo done > /out/forked
sleep 1000 & wait
EOF
install_cell forky <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/fork-payload
[Limits]
TasksMax=10
EOF
rm -f "$ROOT/out/forked"
cgfs forky forky > "$WORK/forky.log" 2>&1 &
if wait_for 10 test -e "$ROOT/out/forked"; then
        d=$(cell_dir pids forky)
        n=$(cat "$d/pids.current" 2>/dev/null)
        if [ -n "$n" ] && [ "$n" -le 10 ] && [ "$n" -ge 8 ]; then
                ok "a fork loop of 100 stops at TasksMax=10 ($n tasks)"
        else
                fail "a fork loop vs TasksMax=10: ${n:-?} tasks"
        fi
        check "the kernel refused forks (pids.events)" sh -c "grep -q '^max [1-9]' '$d/pids.events'"
else
        fail "cell run forky did not get going: $(cat "$WORK/forky.log")"
fi
in_sealed systemctl stop cgfs-forky.scope
wait


# --- auto, with systemd PID 1 but no bus: the cgroupfs manager after all.
# cell clones the container's init before it connects when systemd will make
# the scope; that init must go (cell is to be alone in its cgroup, the init
# born in the container's) and the payload run once, by a second one.
install_cell autofb <<EOF
[Root]
Directory=$ROOT
[Exec]
Exec=/bin/sh -c 'echo ran >> /out/autofb-ran; cat /proc/self/cgroup > /out/autofb-cgroup'
EOF
rm -f "$ROOT/out/autofb-ran" "$ROOT/out/autofb-cgroup"
in_sealed systemctl stop dbus.socket dbus.service
in_sealed systemd-run --quiet --scope -p Delegate=yes --unit=cgfs-autofb "$CELL" run -v autofb > "$WORK/autofb.log" 2>&1
rc=$?
in_sealed systemctl start dbus.socket
expect_eq "auto, no bus: the payload runs" 0 "$rc"
check "auto, no bus: the first init went (-v says so)" grep -q "No systemd bus after all" "$WORK/autofb.log"
check "auto, no bus: the cgroupfs manager" grep -qi "cgroupfs" "$WORK/autofb.log"
expect_eq "auto, no bus: the payload ran once" ran "$(cat "$ROOT/out/autofb-ran" 2>/dev/null)"
check "auto, no bus: in a cgroup namespace of its own" grep -qx '0::/' "$ROOT/out/autofb-cgroup"
check "auto, no bus: the scope (and cell-autofb below it) is gone" wait_for 5 unit_gone cgfs-autofb.scope
expect_eq "auto, no bus: no cell is left" "" "$(procs_matching 'cell run -v autofb')"

finish
